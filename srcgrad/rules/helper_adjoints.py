"""Adjoint rules for the helpers that generated gradient code calls: reverse mode over
that code (`grad(grad(grad(f)))`, `hessian(grad(f))`, derivatives of any order).

Nearly all helpers are linear in the adjoint they receive (`g`): the adjoint of `g` is
the helper's transpose applied to the result's adjoint (runtime/transposes.py, whose own
rules here close the set: unbroadcast and broadcast_back, repeat_to and repeat_back,
scatter_add and gathered are each other's transposes). The product adjoints are also
linear in a forward value: with T(x, y, g) = <g, x @ y>, matmul_adjoint_x is dT/dx, and
its adjoint is dT/dg and dT/dy at the result's adjoint.
"""

import numpy as np

from ..runtime import (abs_slope, abs_slope_jvp, abs_slope_vjp, broadcast_back, cast_back, centered,
                       conjugated, dot_adjoint_x, dot_adjoint_y, gathered, matmul_adjoint_x,
                       matmul_adjoint_y, mT, place_diagonal,
                       positive_log, repeat_back, repeat_to, reverse_cumsum, safe_div,
                       scatter_add, split_among_ties, split_ties_kept, stored, unbroadcast,
                       undiag, unstack)
from ..runtime.containers import in_order_adjoint, spread_to_items, take, values_of, without
from ..runtime.transposes import fields_at, items_summed, take_back
from .facts import facts
from .registry import adjoint, example, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


@adjoint(unbroadcast, examples=[example("unbroadcast(g, np.ones((3,)))", g=(2, 3)),
                                  example("unbroadcast(g, np.ones((2, 3)))", g=(2, 3))])
def unbroadcast_adjoint(z, g, x):
    d[g] = broadcast_back(d[z], g)


@adjoint(broadcast_back,
         examples=[example("broadcast_back(g, np.ones((4, 3)))", g=(1, 3)),
                   example("broadcast_back(g, np.ones((2, 3)))", g=()),
                   example("broadcast_back(g, np.ones(3))", g=(2, 3))])
def broadcast_back_adjoint(z, g, like):
    d[g] = unbroadcast(d[z], g)


@tangent(broadcast_back)
def broadcast_back_tangent(z, g, like):
    t[z] = broadcast_back(t[g], like)


@adjoint(repeat_to, examples=[example("repeat_to(g, np.ones((2, 3)), (0, 1), True)",
                                      g=(1, 1))])
def repeat_to_adjoint(z, g, x, axis, keepdims):
    d[g] = repeat_back(d[z], g, axis, keepdims)


@adjoint(repeat_back,
         examples=[example("repeat_back(g, np.ones(2), 1, False)", g=(2, 3)),
                   example("repeat_back(g, np.ones((1, 3)), 0, True)", g=(2, 3)),
                   example("repeat_back(g, 1.0, None, False)", g=(2, 3))])
def repeat_back_adjoint(z, g, small, axis, keepdims):
    d[g] = repeat_to(d[z], g, axis, keepdims)


@tangent(repeat_back)
def repeat_back_tangent(z, g, small, axis, keepdims):
    t[z] = repeat_back(t[g], small, axis, keepdims)


@adjoint(safe_div, broadcast=True,
         examples=[example("safe_div(g, den)", g=(2, 3), den=(3,), positive="den")])
def safe_div_adjoint(z, g, den):
    # z is 0 where g is, whatever den: so is its slope in den there
    d[g] = safe_div(d[z], den)
    d[den] = -safe_div(d[z] * z, den)


@adjoint(scatter_add, examples=[example("scatter_add(np.ones((3, 2)), (slice(None), 0), g)",
                                        g=(1,))])
def scatter_add_adjoint(z, x, index, g):
    d[g] = gathered(d[z], index, g)


@adjoint(gathered,
         examples=[example("gathered(g, 1, np.ones(2))", g=(3, 2)),
                   example("gathered(g, [0, 2, 2], np.ones(3))", g=(4,)),
                   example("gathered(g, (slice(None), 1), 1.0)", g=(3, 2))])
def gathered_adjoint(z, g, index, small):
    d[g] = scatter_add(g, index, d[z])


@tangent(gathered)
def gathered_tangent(z, g, index, small):
    t[z] = gathered(t[g], index, small)


# T(x, y, g) = <g, x @ y>: matmul_adjoint_x is dT/dx, matmul_adjoint_y is dT/dy
@adjoint(matmul_adjoint_x)
def matmul_adjoint_x_adjoint(z, g, x, y):
    d[g] = np.matmul(d[z], y)
    d[y] = matmul_adjoint_y(g, d[z], y)


@adjoint(matmul_adjoint_y)
def matmul_adjoint_y_adjoint(z, g, x, y):
    d[g] = np.matmul(x, d[z])
    d[x] = matmul_adjoint_x(g, x, d[z])


@adjoint(dot_adjoint_x, examples=[example("dot_adjoint_x(g, 2.0, y)", g=(3,), y=(3,))])
def dot_adjoint_x_adjoint(z, g, x, y):
    d[g] = np.dot(d[z], y)
    d[y] = dot_adjoint_y(g, d[z], y)


@adjoint(dot_adjoint_y, examples=[example("dot_adjoint_y(g, np.ones((2, 3)), y)", g=(2,),
                                          y=(3,))])
def dot_adjoint_y_adjoint(z, g, x, y):
    d[g] = np.dot(x, d[z])
    d[x] = dot_adjoint_x(g, x, d[z])


@adjoint(mT)
def mT_adjoint(z, a):
    d[a] = mT(d[z])


@adjoint(reverse_cumsum, examples=[example("reverse_cumsum(g, 1)", g=(2, 3))])
def reverse_cumsum_adjoint(z, g, axis):
    d[g] = np.reshape(np.cumsum(d[z], axis), np.shape(g))


@adjoint(centered)
def centered_adjoint(z, x, axis):  # x minus its mean: a symmetric projection
    d[x] = centered(d[z], axis)


@adjoint(split_among_ties,
         examples=[example("split_among_ties(g, np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]),"
                           " np.array([3.0, 2.0]), 1, False)", g=(2,))])
def split_among_ties_adjoint(z, g, x, y, axis, keepdims):
    d[g] = repeat_back(d[z] * split_among_ties(1.0, x, y, axis, keepdims), g, axis, keepdims)


@adjoint(split_ties_kept)
def split_ties_kept_adjoint(z, g, x, y, axis):
    d[g] = unbroadcast(d[z] * split_ties_kept(1.0, x, y, axis), g)


@adjoint(cast_back)
def cast_back_adjoint(z, g, x, dtype):
    d[g] = cast_back(d[z], g, dtype)


# stored and conjugated are linear in their first argument (conj: as JAX takes it, the
# adjoint of conj(x) is conj of the result's); abs_slope's tangent is zero for a real x.
@adjoint(stored, examples=[example("stored(g, np.ones(3))", g=(3,))])
def stored_adjoint(z, g, like):  # (`like`: only its dtype is read, registry.DISCRETE)
    d[g] = stored(d[z], like)


@tangent(stored)
def stored_tangent(z, g, like):
    t[z] = stored(t[g], like)


@adjoint(conjugated, examples=[example("conjugated(x)", x=(3,))])
def conjugated_adjoint(z, x):
    d[x] = conjugated(d[z])


@tangent(conjugated)
def conjugated_tangent(z, x):
    t[z] = conjugated(t[x])


@adjoint(abs_slope, examples=[example("abs_slope(x)", x=(4,))])
def abs_slope_adjoint(z, x):
    d[x] = abs_slope_vjp(d[z], x)


@tangent(abs_slope)
def abs_slope_tangent(z, x):
    t[z] = abs_slope_jvp(t[x], x, z)


@adjoint(positive_log)
def positive_log_adjoint(z, x):
    d[x] = np.where(x > 0, safe_div(d[z], x), 0.0)


@adjoint(place_diagonal)
def place_diagonal_adjoint(z, g, x, offset=0, axis1=0, axis2=1):
    d[g] = unbroadcast(np.diagonal(d[z], offset, axis1, axis2), g)


@adjoint(undiag)
def undiag_adjoint(z, g, v, k):
    d[g] = undiag(d[z], g, k)


@adjoint(unstack, examples=[example("unstack(g, 1)[2]", g=(2, 3))])
def unstack_adjoint(z, g, axis=0):
    d[g] = np.stack(d[z], axis)


@adjoint(in_order_adjoint, examples=[example("in_order_adjoint(g, [1.0, 2.0])", g=(2,))])
def in_order_adjoint_adjoint(z, g, items):  # the identity (a dict's keys carry none)
    d[g] = in_order_adjoint(d[z], items)


@adjoint(take)
def take_adjoint(z, g, index):
    d[g] = take_back(d[z], g, index)


@adjoint(take_back, examples=[example("take_back(g, np.ones((3, 2)), (slice(None), 0))", g=(3,)),
                              example("take_back(g, np.ones(3), [1, 0, 1])", g=(3,)),
                              example("take_back(g, [1.0, 2.0], 1)[1]", g=(2,))])
def take_back_adjoint(z, g, like, index):
    d[g] = take(d[z], index)


@tangent(take_back)
def take_back_tangent(z, g, like, index):
    t[z] = take_back(t[g], like, index)


@adjoint(without)
def without_adjoint(z, g, index):  # zeros at index: a symmetric projection
    d[g] = without(d[z], index)


@adjoint(values_of, examples=[example("values_of({'a': x, 'b': x * 2}, ['a', 'b', 'a'])[2]",
                                      x=(2,))])
def values_of_adjoint(z, g, keys):
    d[g] = fields_at(keys, d[z])


@adjoint(fields_at, examples=[example("fields_at(['a', 'b'], [x, x * 2])['b']", x=(2,))])
def fields_at_adjoint(z, keys, parts):
    d[parts] = values_of(d[z], keys)


@tangent(fields_at)
def fields_at_tangent(z, keys, parts):
    t[z] = fields_at(keys, t[parts])


@adjoint(spread_to_items,
         examples=[example("np.stack(spread_to_items(g, [np.ones(3), np.ones((2, 3))])[1])",
                           g=(2, 3))])
def spread_to_items_adjoint(z, g, items):
    d[g] = items_summed(d[z], g)


@adjoint(items_summed,
         examples=[example("items_summed([a, b, 2.0], g)", a=(2, 1), b=(3,), g=(2, 3)),
                   example("items_summed(a, g)", a=(4, 3), g=(3,))])
def items_summed_adjoint(z, parts, g):
    d[parts] = spread_to_items(d[z], parts)


@tangent(items_summed)
def items_summed_tangent(z, parts, g):
    t[z] = items_summed(t[parts], g)


facts(broadcast_back, shape=1, view=True, writes_none=True)
facts(repeat_back, shape=1, writes_none=True)
facts(gathered, shape=2, writes_none=True)
facts(take_back, shape=1, writes_none=True)
facts(fields_at, writes_none=True)
facts(items_summed, shape=1, writes_none=True)
