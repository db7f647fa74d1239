"""scipy.linalg's functions that compute what numpy.linalg's do, written as calls of those
(registry.define) with SciPy's arguments and defaults: `cholesky` gives the upper factor
(lower=False, decompositions.py), `eigh` and `eigvalsh` read the lower triangle, `solve` with
assume_a='sym' or 'pos' reads the triangle `lower` names (so the gradient reaches that
triangle only, as SciPy's result depends on it alone). Options that change the problem
(a generalized eigenproblem `b`, a banded or triangular `assume_a`, `pivoting`) are refused
where the call is written. Registered only when SciPy imports.
"""

import numpy as np
import scipy.linalg

from ..runtime import lu_permutation, lu_tangent, mT
from .facts import NEW, Facts
from .registry import adjoint, alias, array_operands, define, example, nondifferentiable, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_SPD = "a @ np.swapaxes(a, -1, -2) + 2 * np.eye({n})"  # a well-conditioned symmetric matrix
_SYMMETRIC = ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")


# assume_a='sym' or 'pos' reads the triangle `lower` names, which alone gets the gradient;
# the banded and triangular kinds are refused.
@define(scipy.linalg.solve, examples=[
    example("scipy.linalg.solve(a + 3 * np.eye(3), b)", a=(3, 3), b=(3,)),
    example("scipy.linalg.solve(a + 3 * np.eye(3), b, transposed=True)", a=(3, 3), b=(3, 2)),
    example("scipy.linalg.solve(a + 3 * np.eye(3), b, assume_a='sym')", a=(3, 3), b=(3,)),
    example(f"scipy.linalg.solve({_SPD.format(n=3)}, b, lower=True, assume_a='pos')",
            a=(3, 3), b=(3, 2))])
def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    if assume_a in _SYMMETRIC:  # the triangle `lower` names, mirrored
        if lower:
            a = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
        else:
            a = np.triu(a) + np.swapaxes(np.triu(a, 1), -1, -2)
    elif assume_a not in (None, "gen", "general"):
        raise ValueError(f"srcgrad differentiates scipy.linalg.solve with assume_a=None, "
                         f"'gen', 'sym' or 'pos', not {assume_a!r}")
    if transposed:
        a = np.swapaxes(a, -1, -2)
    return np.linalg.solve(a, b)


@define(scipy.linalg.inv, examples=[example("scipy.linalg.inv(a + 3 * np.eye(3))", a=(3, 3))])
def inv(a, overwrite_a=False, check_finite=True):
    return np.linalg.inv(a)


@define(scipy.linalg.det, examples=[example("scipy.linalg.det(a)", a=(3, 3)),
                                    example("scipy.linalg.det(a)", a=(2, 2, 2))])
def det(a, overwrite_a=False, check_finite=True):
    return np.linalg.det(a)


# The lower triangle by default (lower=True); the gradient is symmetric, as
# numpy.linalg.eigh's. A second matrix b= and subset_by_value= are refused.
@define(scipy.linalg.eigh, examples=[
    example("scipy.linalg.eigh(a + a.T)[0]", a=(3, 3)),
    example("scipy.linalg.eigh(a + a.T, lower=False)[1] ** 2", a=(3, 3)),
    example("scipy.linalg.eigh(a + a.T, eigvals_only=True)", a=(3, 3)),
    example("scipy.linalg.eigh(a + a.T, subset_by_index=[1, 2])[1] ** 2", a=(3, 3))])
def eigh(a, b=None, *, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         type=1, check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    if b is not None or subset_by_value is not None:
        raise ValueError("srcgrad differentiates scipy.linalg.eigh of one matrix (no b=, no "
                         "subset_by_value=)")
    w, v = np.linalg.eigh(a, "L" if lower else "U")
    if subset_by_index is not None:
        first, last = subset_by_index
        w = w[..., first:last + 1]
        v = v[..., first:last + 1]
    if eigvals_only:
        return w
    return w, v


@define(scipy.linalg.eigvalsh, examples=[
    example("scipy.linalg.eigvalsh(a + a.T)", a=(3, 3)),
    example("scipy.linalg.eigvalsh(a + a.T, lower=False, subset_by_index=(0, 1))", a=(3, 3))])
def eigvalsh(a, b=None, *, lower=True, overwrite_a=False, overwrite_b=False, type=1,
             check_finite=True, subset_by_index=None, subset_by_value=None, driver=None):
    return scipy.linalg.eigh(a, b, lower=lower, eigvals_only=True,
                             subset_by_index=subset_by_index, subset_by_value=subset_by_value)


# Their arguments are numpy.linalg's, in the same order: the same rules.
alias(np.linalg.norm, scipy.linalg.norm, examples=[
    example("scipy.linalg.norm(x)", x=(3, 4)),
    example("scipy.linalg.norm(x, 1)", x=(4,)),
    example("scipy.linalg.norm(x, axis=1, keepdims=True)", x=(3, 4)),
    example("scipy.linalg.norm(x, 'fro', (0, 1))", x=(2, 3, 2))])
alias(np.linalg.svd, scipy.linalg.svd, examples=[
    example("scipy.linalg.svd(a, compute_uv=False)", a=(4, 3)),
    example("scipy.linalg.svd(a, full_matrices=False)[1]", a=(3, 4))])


@define(scipy.linalg.svdvals, examples=[example("scipy.linalg.svdvals(a)", a=(3, 4))])
def svdvals(a, overwrite_a=False, check_finite=True):
    return np.linalg.svd(a, compute_uv=False)


# With SciPy's default tolerances (the rank is constant near the point).
@define(scipy.linalg.pinv, examples=[example("scipy.linalg.pinv(a)", a=(4, 3))])
def pinv(a, *, atol=None, rtol=None, return_rank=False, check_finite=True):
    if atol is not None or rtol is not None or return_rank:
        raise ValueError("srcgrad differentiates scipy.linalg.pinv with its default "
                         "tolerances (no atol=, rtol=, return_rank=)")
    return np.linalg.pinv(a)


# --- the matrix exponential: its Frechet derivative is a block of a larger exponential --------

# expm([[A, E], [0, A]]) holds L(A, E), the derivative along E, in its top-right block; the
# adjoint is L(A^T, G) (Najfeld and Havel 1995; Higham, "Functions of Matrices", 2008).
@adjoint(scipy.linalg.expm, facts=NEW, examples=[
    example("scipy.linalg.expm(a)", a=(3, 3)),
    example("scipy.linalg.expm(a)", a=(2, 2, 2)),
    example("scipy.linalg.expm(a)", a=(1, 1))])
def expm(z, A):
    d[A] = scipy.linalg.expm(np.concatenate(
        [np.concatenate([mT(A), d[z]], -1),
         np.concatenate([np.zeros_like(d[z]), mT(A)], -1)], -2))[
        ..., :np.shape(A)[-1], np.shape(A)[-1]:]


@tangent(scipy.linalg.expm)
def expm_tangent(z, A):
    t[z] = scipy.linalg.expm(np.concatenate(
        [np.concatenate([A, t[A]], -1), np.concatenate([np.zeros_like(t[A]), A], -1)], -2))[
        ..., :np.shape(A)[-1], np.shape(A)[-1]:]


# --- LU with partial pivoting: A = P L U, L unit lower, U upper, held in one matrix ------------

nondifferentiable(lu_permutation)


# The pivots are piecewise constant. With lu = L - I + U and its adjoint G:
# d[A] = P L^-T (tril(L^T tril(G, -1), -1) + triu(triu(G) U^T)) U^-T; t[lu] = L tril(X, -1) +
# triu(X) U with X = L^-1 P^T t[A] U^-1 (M. Giles 2008; de Hoog, Anderssen and Lukas 2011).
@adjoint(scipy.linalg.lu_factor, facts=Facts(view=True), examples=[
    example("scipy.linalg.lu_factor(a)[0]", a=(3, 3)),
    example("scipy.linalg.lu_factor(a + np.eye(4), overwrite_a=False)[0] ** 2", a=(4, 4))])
def lu_factor(z, a, overwrite_a=False, check_finite=True):
    g = d[z][0]
    middle = (np.tril(mT(np.tril(z[0], -1) + np.eye(np.shape(a)[-1])) @ np.tril(g, -1), -1)
              + np.triu(np.triu(g) @ mT(np.triu(z[0]))))
    right = mT(scipy.linalg.solve_triangular(z[0], mT(middle)))
    d[a] = scipy.linalg.solve_triangular(z[0], right, trans=1, lower=True, unit_diagonal=True)[
        np.argsort(lu_permutation(z[1]))]


@tangent(scipy.linalg.lu_factor)
def lu_factor_tangent(z, a, overwrite_a=False, check_finite=True):
    t[z] = [lu_tangent(z[0], t[a][lu_permutation(z[1])]), np.zeros_like(z[1])]


# x from the factors: P L U x = b (trans=0) or U^T L^T P^T x = b (1, 2: real matrices).
@define(scipy.linalg.lu_solve, examples=[
    example("scipy.linalg.lu_solve(scipy.linalg.lu_factor(a + 2 * np.eye(3)), b)", a=(3, 3),
            b=(3,)),
    example("scipy.linalg.lu_solve(scipy.linalg.lu_factor(a + 2 * np.eye(3)), b, trans=1)",
            a=(3, 3), b=(3, 2))])
def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    factor, piv = lu_and_piv
    order = lu_permutation(piv)
    if trans == 0:
        y = scipy.linalg.solve_triangular(factor, b[order], lower=True, unit_diagonal=True)
        return scipy.linalg.solve_triangular(factor, y)
    y = scipy.linalg.solve_triangular(factor, b, trans=1)
    w = scipy.linalg.solve_triangular(factor, y, trans=1, lower=True, unit_diagonal=True)
    return w[np.argsort(order)]


array_operands(scipy.linalg.lu_solve, params=("b",))  # (registry.array_operands)
