"""Adjoint rules for linear algebra: products, contractions, norms, inverse, determinants
and solves, each with its tangent (forward-mode) rule. `mT(a)` is the matrix transpose (of
each matrix in a stack).
"""

import numpy as np

from ..runtime import (conjugated, dot_adjoint_x, dot_adjoint_y, einsum_adjoint,
                       einsum_adjoints,
                       einsum_pushed, inner_subscripts, matmul_adjoint_x, matmul_adjoint_y, mT,
                       norm_adjoint, norm_jvp, place_diagonal, repeat_to, rhs_outer, safe_div,
                       solve_product, solve_transposed, tensordot_subscripts, undiag)
from .facts import NEW, PRODUCT, VIEW
from .registry import adjoint, array_operands, example, method, named, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_SPD = {"a": (0.3, 0.6)}  # entries of well-conditioned examples get 2 * identity added

# --- products and contractions ----------------------------------------------------------


@adjoint(np.matmul, facts=PRODUCT, examples=[example("x @ y", x=(3, 4), y=(4, 2)),
                              example("np.matmul(x, y)", x=(4,), y=(4, 3)),
                              example("x @ y", x=(2, 3), y=(3,)),
                              example("x @ y", x=(2, 3, 4), y=(4, 2))])
def matmul(z, x, y):
    d[x] = matmul_adjoint_x(d[z], x, y)
    d[y] = matmul_adjoint_y(d[z], x, y)


@tangent(np.matmul)
def matmul_tangent(z, x, y):
    t[z] = t[x] @ y + x @ t[y]


@adjoint(np.dot, method("dot"), facts=PRODUCT, examples=[
                           example("np.dot(x, y)", x=(3, 4), y=(4,)),
                           example("x.dot(y)", x=(2, 3), y=(3, 2)),
                           example("np.dot(x, y)", x=(4,), y=(4,)),
                           example("np.dot(x, y)", x=(), y=(2, 2)),
                           example("np.dot(x, y)", x=(2, 3), y=(4, 3, 2)),
                           example("np.dot(x, y)", x=(3,), y=(2, 3, 2)),
                           example("np.dot(x, y)", x=(2, 2, 3), y=(2, 3, 2)),
                           example("np.dot(x, y)", x=(2, 3, 4), y=(4, 2))])
def dot(z, x, y):
    d[x] = dot_adjoint_x(d[z], x, y)
    d[y] = dot_adjoint_y(d[z], x, y)


@tangent(np.dot, method("dot"))
def dot_tangent(z, x, y):
    t[z] = np.dot(t[x], y) + np.dot(x, t[y])


@adjoint(np.inner, facts=NEW, examples=[example("np.inner(x, y)", x=(3,), y=(3,)),
                             example("np.inner(x, y)", x=(2, 3), y=(4, 3)),
                             example("np.inner(x, y)", x=(), y=(2,))])
def inner(z, x, y):
    d[x] = einsum_adjoint(d[z], inner_subscripts(x, y), 0, x, y)
    d[y] = einsum_adjoint(d[z], inner_subscripts(x, y), 1, x, y)


@tangent(np.inner)
def inner_tangent(z, x, y):
    t[z] = np.inner(t[x], y) + np.inner(x, t[y])


# np.outer flattens its arguments.
@adjoint(np.outer, facts=NEW, examples=[example("np.outer(x, y)", x=(3,), y=(2,)),
                             example("np.outer(x, y)", x=(2, 2), y=(3,))])
def outer(z, x, y):
    d[x] = np.reshape(d[z] @ np.ravel(y), np.shape(x))
    d[y] = np.reshape(np.ravel(x) @ d[z], np.shape(y))


@tangent(np.outer)
def outer_tangent(z, x, y):
    t[z] = np.outer(t[x], y) + np.outer(x, t[y])


@adjoint(np.tensordot, facts=NEW, examples=[example("np.tensordot(x, y)", x=(2, 3, 4), y=(3, 4, 2)),
                                 example("np.tensordot(x, y, axes=1)", x=(2, 3), y=(3, 2)),
                                 example("np.tensordot(x, y, axes=([0, 2], [1, 0]))",
                                         x=(2, 3, 4), y=(4, 2)),
                                 example("np.tensordot(x, y, axes=0)", x=(2,), y=(3,))])
def tensordot(z, x, y, axes=2):
    d[x] = einsum_adjoint(d[z], tensordot_subscripts(x, y, axes), 0, x, y)
    d[y] = einsum_adjoint(d[z], tensordot_subscripts(x, y, axes), 1, x, y)


@tangent(np.tensordot)
def tensordot_tangent(z, x, y, axes=2):
    t[z] = np.tensordot(t[x], y, axes) + np.tensordot(x, t[y], axes)


# Either form, np.einsum('ij,jk->ik', x, y) or np.einsum(x, [0, 1], y, [1, 2], [0, 2]), any
# number of operands: each operand's adjoint is an einsum of d[z] with the others, with its
# subscripts as output (computed only for the operands that need one).
@adjoint(np.einsum, facts=VIEW,
         examples=[example("np.einsum('ij,jk->ik', x, y)", x=(2, 3), y=(3, 4)),
                   example("np.einsum('ij,ij->i', x, y)", x=(3, 2), y=(1, 2)),
                   example("np.einsum('ii', x)", x=(3, 3)),
                   example("np.einsum('ij->', x)", x=(2, 3)),
                   example("np.einsum('...i,i->...', x, y)", x=(2, 3, 4), y=(4,)),
                   example("np.einsum('i,ij,jk', x, y, w)", x=(2,), y=(2, 3), w=(3, 2)),
                   example("np.einsum('bij,bj->bi', x, y)", x=(2, 3, 2), y=(2, 2)),
                   example("np.einsum('ij,j', x, y)", x=(2, 3), y=(1,)),
                   example("np.einsum('i,ij,jk,k', x, y, w, x)", x=(2,), y=(2, 3),
                           w=(3, 2)),
                   example("np.einsum('ij,jk,kl->il', x, y, w, optimize=True)",
                           x=(2, 3), y=(3, 2), w=(2, 2)),
                   example("np.einsum(x, [0, 1], [1, 0])", x=(2, 3)),
                   example("np.einsum(x, [0, 1], y, [1, 2], [0, 2])", x=(2, 3),
                           y=(3, 2)),
                   example("np.einsum(x, [..., 0], y, [0])", x=(2, 3), y=(3,)),
                   example("np.einsum(x, [0, 27], y, [27, 1])", x=(2, 3), y=(3, 2))])
def einsum(z, *args, optimize=False):
    if optimize is False:
        d[args] = einsum_adjoints(d[z], *args)
    else:
        d[args] = einsum_adjoints(d[z], *args, optimize=optimize)


@tangent(np.einsum)
def einsum_tangent(z, *args, optimize=False):
    if optimize is False:
        t[z] = einsum_pushed(t[args], *args)
    else:
        t[z] = einsum_pushed(t[args], *args, optimize=optimize)


# --- diagonals ---------------------------------------------------------------------------------


@adjoint(np.trace, method("trace"), facts=NEW.but(linear=True),
         examples=[example("np.trace(x)", x=(3, 3)), example("np.trace(x, 1)", x=(3, 4)),
                   example("np.trace(x, axis1=1, axis2=2)", x=(2, 3, 3)),
                   example("x.trace(offset=-1)", x=(3, 2))])
def trace(z, x, offset=0, axis1=0, axis2=1):
    d[x] = place_diagonal(np.expand_dims(d[z], -1), x, offset, axis1, axis2)


@adjoint(np.diagonal, method("diagonal"), facts=VIEW.but(linear=True),
         examples=[example("np.diagonal(x)", x=(3, 4)),
                   example("x.diagonal(1, 0, 2)", x=(3, 2, 4)),
                   example("np.diagonal(x, -1, 2, 0)", x=(3, 2, 4))])
def diagonal(z, x, offset=0, axis1=0, axis2=1):
    d[x] = place_diagonal(d[z], x, offset, axis1, axis2)


@adjoint(np.diag, facts=VIEW.but(linear=True), examples=[example("np.diag(x)", x=(3,)),
                                                         example("np.diag(x, -1)", x=(2,)),
                                                         example("np.diag(x)", x=(3, 3)),
                                                         example("np.diag(x, k=1)", x=(2, 4))])
def diag(z, v, k=0):
    d[v] = undiag(d[z], v, k)


# --- norms ---------------------------------------------------------------------------------------


# 2-norm and Frobenius norm: x / |x| (0 where x is 0); other vector p-norms and the matrix
# norms in norm_adjoint (the nuclear norm's adjoint is U V^T of the SVD).
@adjoint(np.linalg.norm, facts=NEW.but(shape="reduce"),  # over `axis` (all: a number)
         examples=[example("np.linalg.norm(x)", x=(4,)), example("np.linalg.norm(x)", x=(2, 3)),
                   example("np.linalg.norm(x, axis=1)", x=(3, 4)),
                   example("np.linalg.norm(x, axis=0, keepdims=True)", x=(3, 2)),
                   example("np.linalg.norm(x, 'fro')", x=(2, 2)),
                   example("np.linalg.norm(x, axis=(1, 2))", x=(2, 2, 3)),
                   example("np.linalg.norm(x, 1)", x=(5,)),
                   example("np.linalg.norm(x, ord=2)", x=(3,)),
                   example("np.linalg.norm(x, 3, axis=-1)", x=(2, 3)),
                   example("np.linalg.norm(x, np.inf, axis=1, keepdims=True)", x=(3, 4)),
                   example("np.linalg.norm(x, 0.5)", x=(3,), positive="x"),
                   example("np.linalg.norm(x, -1)", x=(3,), positive="x"),
                   example("np.linalg.norm(x, 0) * x", x=(3,)),
                   example("np.linalg.norm(x, 'nuc')", x=(3, 2)),
                   example("np.linalg.norm(x, 'nuc', axis=(2, 0), keepdims=True)", x=(3, 2, 2)),
                   example("np.linalg.norm(x, 2)", x=(2, 3)),
                   example("np.linalg.norm(x, ord=-2, axis=(1, 2))", x=(2, 3, 3)),
                   example("np.linalg.norm(x, 1)", x=(3, 2)),
                   example("np.linalg.norm(x, -1, axis=(0, 1))", x=(2, 3)),
                   example("np.linalg.norm(x, np.inf)", x=(2, 3)),
                   example("np.linalg.norm(x, -np.inf, (1, 0), True)", x=(3, 2))])
def norm(z, x, ord=None, axis=None, keepdims=False):
    if ord is None or ord == "fro":
        d[x] = safe_div(repeat_to(d[z], x, axis, keepdims) * conjugated(x),
                        repeat_to(z, x, axis, keepdims))
    else:
        d[x] = norm_adjoint(d[z], x, z, ord, axis, keepdims)


@tangent(np.linalg.norm)
def norm_tangent(z, x, ord=None, axis=None, keepdims=False):
    if ord is None or ord == "fro":
        t[z] = safe_div(np.sum(np.real(t[x] * conjugated(x)), axis=axis, keepdims=keepdims), z)
    else:
        t[z] = norm_jvp(t[x], x, z, ord, axis, keepdims)


# --- inverse, determinants, solves -------------------------------------------------------------


@adjoint(np.linalg.inv, facts=NEW, examples=[example("np.linalg.inv(a + 2 * np.eye(3))", a=(3, 3),
                                          domain=_SPD),
                                  example("np.linalg.inv(a + 2 * np.eye(2))", a=(2, 2, 2),
                                          domain=_SPD)])
def inv(z, a):
    d[a] = -mT(z) @ d[z] @ mT(z)


@tangent(np.linalg.inv)
def inv_tangent(z, a):
    t[z] = -z @ t[a] @ z


@adjoint(np.linalg.det, facts=NEW, examples=[example("np.linalg.det(a + 2 * np.eye(3))", a=(3, 3),
                                          domain=_SPD),
                                  example("np.linalg.det(a)", a=(2, 2, 2))])
def det(z, a):
    d[a] = np.expand_dims(d[z] * z, (-1, -2)) * mT(np.linalg.inv(a))


@tangent(np.linalg.det)
def det_tangent(z, a):
    t[z] = z * np.sum(mT(np.linalg.inv(a)) * t[a], axis=(-2, -1))


# slogdet returns (sign, log|det|); the sign is piecewise constant.
@adjoint(np.linalg.slogdet, facts=NEW,
         examples=[example("np.linalg.slogdet(a + 2 * np.eye(3))[1]", a=(3, 3), domain=_SPD),
                   example("np.linalg.slogdet(a)[1]", a=(2, 3, 3))])
def slogdet(z, a):
    d[a] = np.expand_dims(d[z][1], (-1, -2)) * mT(np.linalg.inv(a))


@tangent(np.linalg.slogdet)
def slogdet_tangent(z, a):
    t[z] = [np.zeros_like(z[0]), np.sum(mT(np.linalg.inv(a)) * t[a], axis=(-2, -1))]


@adjoint(np.linalg.solve, facts=NEW, broadcast=True,
         examples=[example("np.linalg.solve(a + 2 * np.eye(3), b)", a=(3, 3), b=(3,), domain=_SPD),
                   example("np.linalg.solve(a + 2 * np.eye(3), b)", a=(3, 3), b=(3, 2),
                           domain=_SPD),
                   example("np.linalg.solve(a + 2 * np.eye(2), b)", a=(2, 2, 2), b=(2, 2, 1),
                           domain=_SPD)])
def solve(z, a, b):
    g_b = solve_transposed(a, d[z], b)
    d[b] = g_b
    d[a] = -rhs_outer(g_b, z, b)


@tangent(np.linalg.solve)
def solve_tangent(z, a, b):
    t[z] = np.linalg.solve(a, t[b]) - solve_product(a, t[a], z, b)


for _key, _name in [(np.linalg.norm, "norm"), (np.linalg.inv, "inv"), (np.linalg.det, "det"),
                    (np.linalg.slogdet, "slogdet"), (np.linalg.solve, "solve")]:
    named(_key, f"numpy.linalg.{_name}")

# (np.dot([1.0, 2.0], x): the list is read as an array, registry.array_operands)
array_operands(np.dot, np.inner, np.outer, np.matmul, np.tensordot, params=("x", "y"))
array_operands(np.linalg.solve, params=("a", "b"))
