"""Adjoint rules of matrix factorizations and the solves built on them: Cholesky, triangular
solves, the symmetric eigenproblem; numpy.linalg's, and scipy.linalg's when SciPy imports.

Each template is written with functions that have rules, so second derivatives follow.
A symmetric input (cholesky, eigh, eigvalsh) gets the symmetric gradient: NumPy reads one
triangle, and a loss of a symmetric matrix cannot tell the triangles apart. Where two
eigenvalues are equal the eigenvectors are not unique: the rule drops those terms, which
is right when the loss does not depend on the basis chosen within that eigenspace.

Formulas: I. Murray, "Differentiation of the Cholesky decomposition" (2016); M. Giles,
"Collected matrix derivative results for forward and reverse mode AD" (2008).
"""

import numpy as np

from ..runtime import (lower_half, lstsq_adjoints, lstsq_tangents, mT, qr_adjoint, qr_jvp,
                       rhs_outer, solve_lower, svd_adjoint, svd_jvp, triangle)
from .facts import NEW, Facts
from .registry import adjoint, array_operands, define, example, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_SPD = "a @ np.swapaxes(a, -1, -2) + 2 * np.eye({n})"  # a well-conditioned symmetric matrix


# lower_half(X): the lower triangle of X with its diagonal halved (Murray's Phi); L^-T X by
# solve_lower (a triangular solve).
# d[A] = sym(L^-T lower_half(L^T d[L]) L^-1); t[L] = L lower_half(L^-1 t[A] L^-T), t[A]
# symmetrized.
@adjoint(np.linalg.cholesky, facts=NEW,
         examples=[example(f"np.linalg.cholesky({_SPD.format(n=3)})", a=(3, 3)),
                   example(f"np.linalg.cholesky({_SPD.format(n=2)})", a=(2, 2, 2)),
                   example(f"np.linalg.cholesky({_SPD.format(n=3)}, upper=True)", a=(3, 3))])
def cholesky(z, a, upper=False):
    if upper:
        low = mT(z)
        s = solve_lower(low, lower_half(mT(low) @ mT(d[z])), True)
    else:
        low = z
        s = solve_lower(low, lower_half(mT(low) @ d[z]), True)
    s = mT(solve_lower(low, mT(s), True))
    d[a] = (s + mT(s)) / 2


@tangent(np.linalg.cholesky)
def cholesky_tangent(z, a, upper=False):
    if upper:
        low = mT(z)
        t[z] = mT(low @ lower_half(solve_lower(low, mT(solve_lower(
            low, (t[a] + mT(t[a])) / 2)))))
    else:
        t[z] = z @ lower_half(solve_lower(z, mT(solve_lower(z, (t[a] + mT(t[a])) / 2))))


# x = L^-1 b: t[x] = L^-1 (t[b] - t[L] x) (with trans, L^T for L), of L's lower triangle.
@tangent(solve_lower, examples=[
    example("solve_lower(np.tril(a) + 3 * np.eye(3), b)", a=(3, 3), b=(3, 2)),
    example("solve_lower(np.tril(a) + 3 * np.eye(2), b, True)", a=(2, 2), b=(2, 3)),
    example("solve_lower(np.tril(a) + 3 * np.eye(2), b, True)", a=(2, 2, 2), b=(2, 2, 2))])
def solve_lower_tangent(z, low, b, trans=False):
    if trans:
        t[z] = solve_lower(low, t[b], True) - solve_lower(low, mT(np.tril(t[low])) @ z, True)
    else:
        t[z] = solve_lower(low, t[b]) - solve_lower(low, np.tril(t[low]) @ z)


@tangent(lower_half, examples=[example("lower_half(x)", x=(3, 3)),
                               example("lower_half(x)", x=(2, 2, 2))])
def lower_half_tangent(z, x):
    t[z] = lower_half(t[x])


# A = V diag(w) V^T: d[A] = V (diag(d[w]) + F * (V^T d[V])) V^T, symmetrized, with
# F[i, j] = 1 / (w[j] - w[i]) off the diagonal and 0 where two eigenvalues are equal.
@adjoint(np.linalg.eigh, facts=NEW,
         examples=[example("np.linalg.eigh(a + a.T)[0]", a=(3, 3)),
                   example("np.linalg.eigh(a + a.T)[1] ** 2", a=(3, 3)),
                   example("np.linalg.eigh(a + np.swapaxes(a, -1, -2), 'U')[0]"
                           " * np.abs(np.linalg.eigh(a + np.swapaxes(a, -1, -2))[1][..., 0, :])",
                           a=(2, 3, 3))])
def eigh(z, a, UPLO="L"):
    w = z[0]
    v = z[1]
    gap = w[..., None, :] - w[..., :, None]
    apart = gap != 0
    f = np.where(apart, 1 / np.where(apart, gap, 1.0), 0.0)
    inner = d[z][0][..., :, None] * np.eye(np.shape(w)[-1]) + f * (mT(v) @ d[z][1])
    g = v @ inner @ mT(v)
    d[a] = (g + mT(g)) / 2


@tangent(np.linalg.eigh)
def eigh_tangent(z, a, UPLO="L"):
    w = z[0]
    v = z[1]
    gap = w[..., None, :] - w[..., :, None]
    apart = gap != 0
    f = np.where(apart, 1 / np.where(apart, gap, 1.0), 0.0)
    t[z] = [np.diagonal(mT(v) @ ((t[a] + mT(t[a])) / 2) @ v, 0, -2, -1),
            v @ (f * (mT(v) @ ((t[a] + mT(t[a])) / 2) @ v))]


@adjoint(np.linalg.eigvalsh, facts=NEW,
         examples=[example("np.linalg.eigvalsh(a + a.T)", a=(3, 3)),
                   example("np.linalg.eigvalsh(a + np.swapaxes(a, -1, -2), UPLO='U')",
                           a=(2, 2, 2))])
def eigvalsh(z, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    d[a] = (v * d[z][..., None, :]) @ mT(v)


@tangent(np.linalg.eigvalsh)
def eigvalsh_tangent(z, a, UPLO="L"):
    v = np.linalg.eigh(a, UPLO)[1]
    t[z] = np.diagonal(mT(v) @ ((t[a] + mT(t[a])) / 2) @ v, 0, -2, -1)


# Singular vectors are unique up to sign (the examples' losses do not see it) where the
# singular values are distinct and nonzero; full_matrices=True leaves the extra columns of
# a non-square matrix undetermined, and a gradient through them is refused.
@adjoint(np.linalg.svd, facts=NEW,
         examples=[example("np.linalg.svd(x)[1]", x=(3, 3)),
                   example("np.linalg.svd(x, compute_uv=False)", x=(2, 4, 3)),
                   example("np.linalg.svd(x, full_matrices=False)[0] ** 2", x=(4, 2)),
                   example("np.linalg.svd(x, False)[2] ** 2 * np.linalg.svd(x, False)[1][:, None]",
                           x=(2, 3)),
                   example("np.linalg.svd(x)[0] ** 3 * np.linalg.svd(x)[0]", x=(3, 3)),
                   example("np.linalg.svd(x)[2][:2] ** 2", x=(2, 3))])
def svd(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    if compute_uv:
        d[a] = svd_adjoint(d[z][0], d[z][1], d[z][2], z[0], z[1], z[2], full_matrices)
    else:
        factors = np.linalg.svd(a, full_matrices=False)
        d[a] = (factors[0] * d[z][..., None, :]) @ factors[2]


@tangent(np.linalg.svd)
def svd_tangent(z, a, full_matrices=True, compute_uv=True, hermitian=False):
    if compute_uv:
        t[z] = svd_jvp(t[a], z[0], z[1], z[2], full_matrices)
    else:
        factors = np.linalg.svd(a, full_matrices=False)
        t[z] = np.diagonal(mT(factors[0]) @ t[a] @ mT(factors[2]), 0, -2, -1)


# Reduced QR of a matrix with at least as many rows as columns (mode 'reduced' or 'r');
# R's diagonal keeps NumPy's signs, so Q and R are smooth in a.
@adjoint(np.linalg.qr, facts=NEW,
         examples=[example("np.linalg.qr(x)[0]", x=(3, 3)),
                   example("np.linalg.qr(x)[1] * np.linalg.qr(x)[0][:2]", x=(4, 2)),
                   example("np.linalg.qr(x, mode='r')", x=(2, 4, 3))])
def qr(z, a, mode="reduced"):
    if mode == "r":
        d[a] = qr_adjoint(None, d[z], np.linalg.qr(a)[0], z)
    else:
        d[a] = qr_adjoint(d[z][0], d[z][1], z[0], z[1])


@tangent(np.linalg.qr)
def qr_tangent(z, a, mode="reduced"):
    if mode == "r":
        t[z] = qr_jvp(t[a], np.linalg.qr(a)[0], z)[1]
    else:
        t[z] = qr_jvp(t[a], z[0], z[1])


# Where the rank is constant (Golub and Pereyra, 1973): with Z = pinv(A),
# d[A] = -Z^T G Z^T + (I - A Z) G^T Z Z^T + Z^T Z G^T (I - Z A), G = d[Z].
@adjoint(np.linalg.pinv, facts=NEW,
         examples=[example("np.linalg.pinv(x)", x=(3, 2)), example("np.linalg.pinv(x)", x=(2, 3)),
                   example("np.linalg.pinv(x + 2 * np.eye(3))", x=(2, 3, 3))])
def pinv(z, a, rcond=None, hermitian=False):
    d[a] = (-mT(z) @ d[z] @ mT(z) + mT(d[z]) @ z @ mT(z) - a @ (z @ (mT(d[z]) @ (z @ mT(z))))
            + mT(z) @ z @ mT(d[z]) - mT(z) @ (z @ (mT(d[z]) @ (z @ a))))


@tangent(np.linalg.pinv)
def pinv_tangent(z, a, rcond=None, hermitian=False):
    t[z] = (-z @ t[a] @ z + z @ mT(z) @ mT(t[a]) - z @ mT(z) @ mT(t[a]) @ a @ z
            + mT(t[a]) @ mT(z) @ z - z @ a @ mT(t[a]) @ mT(z) @ z)


# Where the rank is constant: x = pinv(a) b; the residuals and singular values too.
@adjoint(np.linalg.lstsq, facts=NEW,
         examples=[example("np.linalg.lstsq(x, y)[0]", x=(4, 2), y=(4,)),
                   example("np.linalg.lstsq(x, y, rcond=None)[0]", x=(2, 3), y=(2, 2)),
                   example("np.linalg.lstsq(x, y)[1] + np.linalg.lstsq(x, y)[3][0]", x=(4, 2),
                           y=(4, 3))])
def lstsq(z, a, b, rcond=None):
    adjoints = lstsq_adjoints(d[z], a, b, z)
    d[a] = adjoints[0]
    d[b] = adjoints[1]


@tangent(np.linalg.lstsq)
def lstsq_tangent(z, a, b, rcond=None):
    t[z] = lstsq_tangents(t[a], t[b], a, b, z)


try:  # SciPy is optional: its rules register when it imports
    import scipy.linalg
except ImportError:
    scipy = None

if scipy is not None:
    # overwrite_a=True (overwrite_b=True) lets SciPy write the result into the argument.
    _OVERWRITES = Facts(view=True)

    # scipy.linalg.cholesky gives the upper factor unless lower=True.
    @adjoint(scipy.linalg.cholesky, facts=_OVERWRITES,
             examples=[example(f"scipy.linalg.cholesky({_SPD.format(n=3)})", a=(3, 3)),
                       example(f"scipy.linalg.cholesky({_SPD.format(n=2)}, lower=True)",
                               a=(2, 2))])
    def scipy_cholesky(z, a, lower=False, overwrite_a=False, check_finite=True):
        if lower:
            s = solve_lower(z, lower_half(mT(z) @ d[z]), True)
            s = mT(solve_lower(z, mT(s), True))
        else:
            s = solve_lower(mT(z), lower_half(z @ mT(d[z])), True)
            s = mT(solve_lower(mT(z), mT(s), True))
        d[a] = (s + mT(s)) / 2

    @tangent(scipy.linalg.cholesky)
    def scipy_cholesky_tangent(z, a, lower=False, overwrite_a=False, check_finite=True):
        if lower:
            t[z] = z @ lower_half(solve_lower(z, mT(solve_lower(z, (t[a] + mT(t[a])) / 2))))
        else:
            t[z] = mT(mT(z) @ lower_half(solve_lower(mT(z), mT(solve_lower(
                mT(z), (t[a] + mT(t[a])) / 2)))))

    # op(T) x = b with T the lower or upper triangle of a (unit diagonal: taken as ones),
    # op the identity or the transpose: d[b] = solve(op(T)^T, d[x]); d[op(T)] = -d[b] x^T.
    @adjoint(scipy.linalg.solve_triangular, facts=_OVERWRITES,
             examples=[example("scipy.linalg.solve_triangular(a + 3 * np.eye(3), b)",
                               a=(3, 3), b=(3,)),
                       example("scipy.linalg.solve_triangular(a + 3 * np.eye(3), b, lower=True)",
                               a=(3, 3), b=(3, 2)),
                       example("scipy.linalg.solve_triangular(a + 3 * np.eye(3), b, trans=1,"
                               " lower=True)", a=(3, 3), b=(3, 2)),
                       example("scipy.linalg.solve_triangular(a + 3 * np.eye(3), b, 'T')",
                               a=(3, 3), b=(3,)),
                       example("scipy.linalg.solve_triangular(a, b, unit_diagonal=True)",
                               a=(3, 3), b=(3,)),
                       example("scipy.linalg.solve_triangular(a, b, 'N', True, True)",
                               a=(3, 3), b=(3,)),
                       example("scipy.linalg.solve_triangular(a, b, 'T', unit_diagonal=True)",
                               a=(3, 3), b=(3, 2))])
    def solve_triangular(z, a, b, trans=0, lower=False, unit_diagonal=False,
                         overwrite_b=False, check_finite=True):
        if trans == 0 or trans == "N":
            g_b = scipy.linalg.solve_triangular(a, d[z], 1, lower, unit_diagonal)
            g_t = -rhs_outer(g_b, z, b)
        else:
            g_b = scipy.linalg.solve_triangular(a, d[z], 0, lower, unit_diagonal)
            g_t = -mT(rhs_outer(g_b, z, b))
        d[b] = g_b
        d[a] = triangle(g_t, lower, unit_diagonal)

    @tangent(scipy.linalg.solve_triangular)
    def solve_triangular_tangent(z, a, b, trans=0, lower=False, unit_diagonal=False,
                                 overwrite_b=False, check_finite=True):
        if trans == 0 or trans == "N":
            t[z] = (scipy.linalg.solve_triangular(a, t[b], trans, lower, unit_diagonal)
                    - scipy.linalg.solve_triangular(a, triangle(t[a], lower, unit_diagonal) @ z,
                                                    trans, lower, unit_diagonal))
        else:
            t[z] = (scipy.linalg.solve_triangular(a, t[b], trans, lower, unit_diagonal)
                    - scipy.linalg.solve_triangular(a, mT(triangle(t[a], lower, unit_diagonal))
                                                    @ z, trans, lower, unit_diagonal))


# --- defined as code over the rules above (registry.define) --------------------------------------


# A negative power is the inverse's.
@define(np.linalg.matrix_power, examples=[example("np.linalg.matrix_power(a, 3)", a=(2, 2)),
                                          example("np.linalg.matrix_power(a, 0)", a=(2, 2)),
                                          example("np.linalg.matrix_power(a, -2)", a=(2, 3, 3),
                                                  domain={"a": (0.3, 0.6)})])
def matrix_power(a, n):
    base = np.linalg.inv(a) if n < 0 else a
    value = np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))
    for _ in range(abs(n)):
        value = value @ base
    return value


if scipy is not None:

    # The factor's other triangle is zeros here (SciPy leaves a's entries there, which
    # cho_solve never reads).
    @define(scipy.linalg.cho_factor, examples=[
        example(f"np.triu(scipy.linalg.cho_factor({_SPD.format(n=3)})[0])", a=(3, 3)),
        example(f"np.tril(scipy.linalg.cho_factor({_SPD.format(n=3)}, lower=True)[0])",
                a=(3, 3))])
    def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
        return scipy.linalg.cholesky(a, lower=lower), lower

    @define(scipy.linalg.cho_solve, examples=[
        example(f"scipy.linalg.cho_solve(scipy.linalg.cho_factor({_SPD.format(n=3)}), b)",
                a=(3, 3), b=(3,)),
        example(f"scipy.linalg.cho_solve(scipy.linalg.cho_factor({_SPD.format(n=3)}, True), b)",
                a=(3, 3), b=(3, 2))])
    def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
        factor, lower = c_and_lower
        if lower:
            return scipy.linalg.solve_triangular(
                factor, scipy.linalg.solve_triangular(factor, b, lower=True), trans=1, lower=True)
        return scipy.linalg.solve_triangular(
            factor, scipy.linalg.solve_triangular(factor, b, trans=1), lower=False)

array_operands(np.linalg.lstsq, params=("a", "b"))  # (registry.array_operands)
