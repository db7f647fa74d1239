"""Tangent rules for the helpers that generated gradient code calls.

Forward mode over that code (hvp, hessian, grad of grad) differentiates these
helpers. Almost all are linear in the adjoint they receive (`g`), so their
tangent is the helper applied to the adjoint's tangent; a few are also linear
in a forward value (matmul adjoints, solve). Arguments a helper reads only for
their shape, or through a piecewise-constant choice (ties, sort order), carry
no tangent. Helpers whose body is plain NumPy over functions with rules (the adjoints
of prod, cumprod, norm with an `ord`, qr, lstsq and svd's singular vectors) need no rule:
srcgrad differentiates their own source (`from_own_source`), zeros and branches included.
A helper with neither makes forward mode over its code stop with an error naming it.
"""

import numpy as np

from ..runtime import (boundary_widths, cast_back, centered, concatenator_adjoints,
                       cumprod_adjoint, dot_adjoint_x, dot_adjoint_y, einsum_adjoint,
                       einsum_adjoint_by_operands, einsum_adjoints, einsum_adjoints_by_operands,
                       hstack_axis, inner_subscripts, inverse_permutation, lstsq_adjoints,
                       matmul_adjoint_x, matmul_adjoint_y, mT, norm_adjoint, place_diagonal,
                       positive_log, prod_of_others, qr_adjoint, repeat_to, rhs_outer,
                       reverse_cumsum, row_out, rows_of, safe_div, scatter_add, sinc_slope,
                       solve_transposed, spare, split_among_ties, split_like, split_ties_kept,
                       svd_adjoint, tensordot_subscripts, triangle, unbroadcast, undiag, undiff,
                       unrepeat, unsort, unstack, untake, untake_along_axis, untile, winner)
from ..runtime.array_kind import is_duck
from ..runtime.blocks import adjoint_hook, hook_adjoint, hook_result, hook_zero
from ..runtime.containers import item_adjoint, take, without, zero_tangent, zeros_like
from ..runtime.methods import same_method
from ..runtime.special import not_differentiable
from .facts import Facts, facts
from .registry import example, from_own_source, nondifferentiable, tangent

t = None  # templates index it as t[x]; they are parsed, never run


@tangent(unbroadcast, examples=[example("unbroadcast(g, np.ones((1, 3)))", g=(4, 3)),
                                  example("unbroadcast(g, 1.0)", g=(2,))])
def unbroadcast_tangent(z, g, x):
    t[z] = unbroadcast(t[g], x)


@tangent(repeat_to, examples=[example("repeat_to(g, np.ones((2, 3)), 1, False)", g=(2,)),
                                example("repeat_to(g, np.ones((2, 3)), None, False)", g=())])
def repeat_to_tangent(z, g, x, axis, keepdims):
    t[z] = repeat_to(t[g], x, axis, keepdims)


@tangent(safe_div, examples=[example("safe_div(g, den)", g=(3,), den=(3,), positive="den"),
                               example("safe_div(g, den)", g=(2, 3), den=(), positive="den")])
def safe_div_tangent(z, g, den):
    t[z] = safe_div(t[g], den) - safe_div(g * t[den], den * den)


@tangent(centered, examples=[example("centered(x, 0)", x=(3, 2)),
                               example("centered(x, None)", x=(4,))])
def centered_tangent(z, x, axis):
    t[z] = centered(t[x], axis)


@tangent(split_among_ties,
         examples=[example("split_among_ties(g, x, np.max(x, 0), 0, False)", g=(3,), x=(2, 3))])
def split_among_ties_tangent(z, g, x, y, axis, keepdims):
    t[z] = split_among_ties(t[g], x, y, axis, keepdims)


@tangent(split_ties_kept,
         examples=[example("split_ties_kept(g, x, np.max(x, 1, keepdims=True), 1)", g=(2, 1),
                           x=(2, 3))])
def split_ties_kept_tangent(z, g, x, y, axis):
    t[z] = split_ties_kept(t[g], x, y, axis)


@tangent(reverse_cumsum, examples=[example("reverse_cumsum(g, 0)", g=(4,))])
def reverse_cumsum_tangent(z, g, axis):
    t[z] = reverse_cumsum(t[g], axis)


@tangent(cast_back, examples=[example("cast_back(g, x, np.float64)", g=(3,), x=(3,))])
def cast_back_tangent(z, g, x, dtype):
    t[z] = cast_back(t[g], x, dtype)


@tangent(positive_log, examples=[example("positive_log(x)", x=(4,), positive="x")])
def positive_log_tangent(z, x):
    t[z] = np.where(x > 0, safe_div(t[x], x), 0.0)


# It refuses where it runs, and so does its tangent: forward mode over gradient code with a
# refusal in a branch decided at run time (a definition passing its option on: correlate2d's
# boundary to convolve2d) runs where the refusal does not.
@tangent(not_differentiable, examples=[
    example("g if np.size(g) else not_differentiable(g, 'numpy.f', 'x')", g=(3,)),
    example("g if np.size(g) else not_differentiable(g, 'numpy.f', 'x', 'why')", g=())])
def not_differentiable_tangent(z, g, function, argument, why=""):
    t[z] = not_differentiable(t[g], function, argument, why)


# s = sinc_slope(x, z) = (cos(pi x) - z) / x with z = sinc(x): ds/dx = -(pi sin(pi x) + s) / x
# and ds/dz = -1 / x; at x = 0 (where s = 0 and z's tangent is 0) ds/dx = sinc''(0) = -pi^2/3.
@tangent(sinc_slope, examples=[example("sinc_slope(x, np.sinc(x))", x=(5,)),
                               example("sinc_slope(x, np.sinc(x))", x=())])
def sinc_slope_tangent(s, x, z):
    t[s] = (np.where(x == 0, -np.pi ** 2 / 3,
                     -(np.pi * np.sin(np.pi * x) + s) / np.where(x == 0, 1.0, x)) * t[x]
            - np.where(x == 0, 0.0, 1 / np.where(x == 0, 1.0, x)) * t[z])


@tangent(matmul_adjoint_x,
         examples=[example("matmul_adjoint_x(g, np.ones((2, 3)), y)", g=(2, 4), y=(3, 4)),
                   example("matmul_adjoint_x(g, np.ones(3), y)", g=(4,), y=(3, 4)),
                   example("matmul_adjoint_x(g, np.ones((2, 3)), y)", g=(2,), y=(3,))])
def matmul_adjoint_x_tangent(z, g, x, y):
    t[z] = matmul_adjoint_x(t[g], x, y) + matmul_adjoint_x(g, x, t[y])


@tangent(matmul_adjoint_y,
         examples=[example("matmul_adjoint_y(g, x, np.ones((3, 4)))", g=(2, 4), x=(2, 3)),
                   example("matmul_adjoint_y(g, x, np.ones((3, 4)))", g=(4,), x=(3,)),
                   example("matmul_adjoint_y(g, x, np.ones(3))", g=(2,), x=(2, 3))])
def matmul_adjoint_y_tangent(z, g, x, y):
    t[z] = matmul_adjoint_y(t[g], x, y) + matmul_adjoint_y(g, t[x], y)


@tangent(dot_adjoint_x, examples=[example("dot_adjoint_x(g, np.ones((2, 3)), y)", g=(2,), y=(3,))])
def dot_adjoint_x_tangent(z, g, x, y):
    t[z] = dot_adjoint_x(t[g], x, y) + dot_adjoint_x(g, x, t[y])


@tangent(dot_adjoint_y, examples=[example("dot_adjoint_y(g, x, np.ones(3))", g=(2,), x=(2, 3))])
def dot_adjoint_y_tangent(z, g, x, y):
    t[z] = dot_adjoint_y(t[g], x, y) + dot_adjoint_y(g, t[x], y)


@tangent(scatter_add, examples=[example("scatter_add(np.ones((3, 2)), 1, g)", g=(2,)),
                                  example("scatter_add(np.ones(4), [0, 2, 2], g)", g=(3,))])
def scatter_add_tangent(z, x, index, g):
    t[z] = scatter_add(x, index, t[g])


@tangent(concatenator_adjoints,
         examples=[example("concatenator_adjoints(g, np.r_, x, slice(0, 2), 3.0)[0]", g=(6,),
                           x=(3,)),
                   example("concatenator_adjoints(g, np.c_, x, x)[1]", g=(2, 2), x=(2,))])
def concatenator_adjoints_tangent(z, g, concatenator, *items):
    t[z] = concatenator_adjoints(t[g], concatenator, *items)


@tangent(unstack, examples=[example("unstack(g, 1)", g=(2, 3))])
def unstack_tangent(z, g, axis=0):
    t[z] = unstack(t[g], axis)


@tangent(split_like, examples=[example("split_like(g, [np.ones(2), np.ones(3)], 0)", g=(5,))])
def split_like_tangent(z, g, arrays, axis):
    t[z] = split_like(t[g], arrays, axis)


@tangent(untile, examples=[example("untile(g, np.ones(3), 2)", g=(6,))])
def untile_tangent(z, g, x, reps):
    t[z] = untile(t[g], x, reps)


@tangent(unrepeat, examples=[example("unrepeat(g, np.ones(2), 2, None)", g=(4,))])
def unrepeat_tangent(z, g, x, repeats, axis):
    t[z] = unrepeat(t[g], x, repeats, axis)


@tangent(undiff, examples=[example("undiff(g, 1, 0)", g=(3,))])
def undiff_tangent(z, g, n, axis):
    t[z] = undiff(t[g], n, axis)


@tangent(unsort, examples=[example("unsort(g, np.array([3.0, 1.0, 2.0]), 0)", g=(3,))])
def unsort_tangent(z, g, x, axis):
    t[z] = unsort(t[g], x, axis)


@tangent(untake, examples=[example("untake(g, np.ones((2, 3)), [0, 2], 1)", g=(2, 2))])
def untake_tangent(z, g, x, indices, axis):
    t[z] = untake(t[g], x, indices, axis)


@tangent(untake_along_axis,
         examples=[example("untake_along_axis(g, np.ones((3, 2)), np.array([[1], [0], [1]]), 1)",
                           g=(3, 1))])
def untake_along_axis_tangent(z, g, x, indices, axis):
    t[z] = untake_along_axis(t[g], x, indices, axis)


@tangent(mT, examples=[example("mT(a)", a=(2, 3))])
def mT_tangent(z, a):
    t[z] = mT(t[a])


@tangent(triangle, examples=[example("triangle(a, True)", a=(3, 3)),
                             example("triangle(a, False, True)", a=(2, 3, 3))])
def triangle_tangent(z, x, lower, unit_diagonal=False):
    t[z] = triangle(t[x], lower, unit_diagonal)


@tangent(place_diagonal, examples=[example("place_diagonal(g, np.ones((3, 3)))", g=(3,)),
                                   example("place_diagonal(g, np.ones((3, 2, 4)), 1, 2, 0)",
                                           g=(2, 2))])
def place_diagonal_tangent(z, g, x, offset=0, axis1=0, axis2=1):
    t[z] = place_diagonal(t[g], x, offset, axis1, axis2)


@tangent(undiag, examples=[example("undiag(g, np.ones(3), 0)", g=(3, 3))])
def undiag_tangent(z, g, v, k):
    t[z] = undiag(t[g], v, k)


# d(A^-T g) = A^-T dg - A^-T dA^T (A^-T g), and A^-T g is the result.
@tangent(solve_transposed,
         examples=[example("solve_transposed(a + 3 * np.eye(3), g, np.ones(3))", a=(3, 3), g=(3,)),
                   example("solve_transposed(a + 3 * np.eye(2), g, np.ones((2, 2)))", a=(2, 2),
                           g=(2, 2))])
def solve_transposed_tangent(z, a, g, b):
    t[z] = solve_transposed(a, t[g], b) - solve_transposed(a, mT(t[a]) @ z, b)


@tangent(rhs_outer, examples=[example("rhs_outer(g, y, np.ones(3))", g=(3,), y=(3,)),
                                example("rhs_outer(g, y, np.ones((3, 2)))", g=(3, 2), y=(3, 2))])
def rhs_outer_tangent(out, g_b, z, b):
    t[out] = rhs_outer(t[g_b], z, b) + rhs_outer(g_b, t[z], b)


@tangent(einsum_adjoint,
         examples=[example("einsum_adjoint(g, 'ij,jk->ik', 0, x, y)", g=(2, 4), x=(2, 3), y=(3, 4)),
                   example("einsum_adjoint(g, 'ij,jk->ik', 1, x, y)", g=(2, 4), x=(2, 3), y=(3, 4)),
                   example("einsum_adjoint(g, 'i,ij,jk', 2, x, y, w)", g=(2,), x=(2,), y=(2, 3),
                           w=(3, 2))])
def einsum_adjoint_tangent(z, g, subscripts, k, *operands):
    t[z] = einsum_adjoint(t[g], subscripts, k, *operands) + einsum_adjoint_by_operands(
        g, subscripts, k, operands, t[operands])


@tangent(einsum_adjoints,
         examples=[example("einsum_adjoints(g, 'ij,jk->ik', x, y)[1]", g=(2, 4), x=(2, 3),
                           y=(3, 4)),
                   example("einsum_adjoints(g, y, [0, 1], x, [1, 2], [2, 0])[2]", g=(4, 2),
                           x=(3, 4), y=(2, 3)),
                   example("einsum_adjoints(g, 'i,ij,jk', x, y, w, optimize=True)[3]", g=(2,),
                           x=(2,), y=(2, 3), w=(3, 2))])
def einsum_adjoints_tangent(z, g, *args, optimize=False):
    t[z] = einsum_adjoints(t[g], *args, optimize=optimize) + einsum_adjoints_by_operands(
        g, args, t[args], optimize)


@tangent(without, examples=[example("without(g, 1)", g=(3, 2))])
def without_tangent(z, g, index):
    t[z] = without(t[g], index)


@tangent(take, examples=[example("take(g, (slice(None), 0))", g=(3, 2)),
                           example("take(g, [1, 0, 1])", g=(3, 2)),
                           example("take(g, (slice(None), [0, 0]))", g=(2, 3))])
def take_tangent(z, g, index):
    t[z] = take(t[g], index)


@tangent(hook_adjoint, examples=[example("hook_adjoint(g, x)", g=(3,), x=(3,))])
def hook_adjoint_tangent(z, g, value):
    t[z] = hook_adjoint(t[g], value)


@tangent(hook_result, examples=[example("hook_result(g, x)", g=(3,), x=(3,))])
def hook_result_tangent(z, new, value):
    t[z] = hook_result(t[new], value)


@tangent(item_adjoint, examples=[example("item_adjoint([1.0, 2.0, 3.0], 1, g)", g=())])
def item_adjoint_tangent(z, x, key, g):
    t[z] = item_adjoint(x, key, t[g])


# --- helpers srcgrad differentiates from their own source --------------------------------

_ZEROS = "np.where(np.arange(12).reshape(3, 4) % 5 == 2, 0.0, x)"  # x with three exact zeros
_SVD = ", ".join(f"np.linalg.svd(a, full_matrices={{0}})[{i}]" for i in range(3))
_QR = "np.linalg.qr(a)[0], np.linalg.qr(a)[1]"

from_own_source(prod_of_others, examples=[
    example("prod_of_others(x, 0)", x=(3, 4)),
    example(f"prod_of_others({_ZEROS}, (0, 1))", x=(3, 4)),
    example(f"prod_of_others({_ZEROS}, 1)", x=(3, 4)),
    example("prod_of_others(x, None)", x=(4,))])
from_own_source(cumprod_adjoint, examples=[
    example("cumprod_adjoint(g, x, np.cumprod(x, 1), 1)", g=(2, 3), x=(2, 3)),
    example(f"cumprod_adjoint(g, {_ZEROS}, np.cumprod({_ZEROS}, 1), 1)", g=(3, 4), x=(3, 4)),
    example(f"cumprod_adjoint(g, {_ZEROS}, np.cumprod({_ZEROS}), None)", g=(12,), x=(3, 4))])
from_own_source(norm_adjoint, examples=[
    example("norm_adjoint(g, x, np.linalg.norm(x, 3, 1), 3, 1, False)", g=(2,), x=(2, 3)),
    example("norm_adjoint(g, x, np.linalg.norm(x, -np.inf, 0, True), -np.inf, 0, True)",
            g=(1, 3), x=(4, 3)),
    example("norm_adjoint(g, x, np.linalg.norm(x, 'nuc'), 'nuc', None, False)", g=(), x=(3, 2)),
    example("norm_adjoint(g, x, np.linalg.norm(x, 2, (1, 2)), 2, (1, 2), False)", g=(2,),
            x=(2, 3, 2)),
    example("norm_adjoint(g, x, np.linalg.norm(x, 1), 1, None, False)", g=(), x=(3, 3))])
from_own_source(qr_adjoint, examples=[
    example(f"qr_adjoint(gq, gr, {_QR})", gq=(4, 3), gr=(3, 3), a=(4, 3)),
    example(f"qr_adjoint(None, gr, {_QR})", gr=(3, 3), a=(3, 3))])
_LSTSQ = """
def adjoints(gx, gr, gs, a, b):
    g = [gx, gr, 0.0, gs]  # (as the gradient code passes it: a variable)
    return lstsq_adjoints(g, a, b, np.linalg.lstsq(a, b, rcond=None))
"""
from_own_source(lstsq_adjoints, examples=[
    example("adjoints(gx, gr, gs, a, b)[0]", setup=_LSTSQ, gx=(3,), gr=(1,), gs=(3,), a=(4, 3),
            b=(4,)),
    example("adjoints(gx, gr, gs, a, b)[1]", setup=_LSTSQ, gx=(3, 2), gr=(2,), gs=(3,),
            a=(4, 3), b=(4, 2))])
from_own_source(svd_adjoint, examples=[
    example(f"svd_adjoint(gu, gs, gvh, {_SVD.format(False)}, False)", gu=(4, 3), gs=(3,),
            gvh=(3, 3), a=(4, 3)),
    example(f"svd_adjoint(gu, gs, None, {_SVD.format(True)}, True)", gu=(3, 3), gs=(3,),
            a=(3, 3))])

# Masks, shapes and subscripts: no derivative.
nondifferentiable(is_duck, winner, hstack_axis, inverse_permutation, tensordot_subscripts,
                  inner_subscripts, zeros_like, zero_tangent, boundary_widths)
# The buffer an operation of the fused gradient may write into (buffer_reuse.py, loop_batching.py)
# and the rows of one (loop_batching.py): the fused gradient is never differentiated again, and
# the buffer is a value, not a gradient path.
nondifferentiable(spare, row_out, rows_of)
# The check before a call of another method of self (frontend/methods.py): it returns None.
nondifferentiable(same_method)
# Where a gradient hook stands (frontend/blocks.py): its block runs in the backward sweep.
nondifferentiable(adjoint_hook, hook_zero)
facts(adjoint_hook, writes_none=True)
facts(hook_zero, nargs=1, shape=0, makes_new=True, writes_none=True, zeros=True)

# What the helpers do, for the passes that read the code calling them (specialize,
# adjoint_shapes, dtypes, effects): the shape of which argument they give, ...
facts(unbroadcast, shape=1, writes_none=True)  # (g itself when nothing was broadcast)
facts(repeat_to, shape=1, view=True, writes_none=True)
facts(split_among_ties, shape=1, makes_new=True, writes_none=True)
facts(split_ties_kept, shape=1, dtype="of_array", makes_new=True, writes_none=True)
facts(matmul_adjoint_x, dot_adjoint_x, shape=1, writes_none=True)
facts(matmul_adjoint_y, dot_adjoint_y, shape=2, writes_none=True)
facts(safe_div, facts=Facts(elementwise=True, nargs=2, shape="broadcast", dtype="promote",
                            float_result=True, makes_new=True, writes_none=True))
facts(winner, facts=Facts(elementwise=True, nargs=2, shape="broadcast", dtype="promote",
                          writes_none=True))  # (x > y) + 0.5 * (x == y)
facts(scatter_add, shape=0, writes_none=True)  # (of a list: holds g itself in its slot)
facts(zeros_like, facts=Facts(nargs=1, shape=0, dtype="promote", makes_new=True,
                              writes_none=True, zeros=True))
facts(zero_tangent, nargs=1, shape=0, makes_new=True, writes_none=True, zeros=True)
facts(spare, row_out, rows_of, writes_none=True)
