"""Adjoint rules for reductions (sum, mean, prod, max, var, ...) and running sums, each
with its tangent (forward-mode) rule: the same reduction of a weighted tangent.

A reduction over `axis` hands each element of `x` the adjoint of the value it
was reduced into: `repeat_to(d[z], x, axis, keepdims)` spreads it back.
"""

import numpy as np

from ..runtime import (centered, cumprod_adjoint, cumprod_jvp, mean_over_ties, prod_of_others,
                       repeat_to, reverse_cumsum, safe_div, split_among_ties, undiff)
from .facts import NEW, REDUCTION
from .registry import adjoint, array_operands, example, method, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


def _aliases(*keys):
    """The keys without repeats (np.max is np.amax in NumPy 1.x, not in 2.x)."""
    return tuple(dict.fromkeys(keys))


@adjoint(np.sum, method("sum"), facts=REDUCTION.but(reduction="total", smooth=True),
         examples=[example("np.sum(x)", x=(3, 4)), example("np.sum(x, axis=0)", x=(3, 4)),
                   example("np.sum(x, axis=1, keepdims=True)", x=(3, 4)),
                   example("np.sum(x, axis=(0, 2))", x=(2, 3, 4)),
                   example("x.sum(axis=-1)", x=(2, 3)),
                   example("x.sum(keepdims=True)", x=(2, 1)),
                   example("np.sum(x, where=x > 0)", x=(3, 4)),
                   example("np.sum(x, axis=0, where=m)", x=(3, 2),
                           ints={"m": [[True, False], [False, False], [True, True]]}),
                   example("x.sum(axis=1, keepdims=True, where=m)", x=(2, 3),
                           ints={"m": [True, False, True]}),
                   example("np.sum(x, axis=0, where=(True, False))", x=(3, 2)),
                   example("x.sum(axis=0, keepdims=True, where=(False, True))", x=(3, 2))])
def sum(z, x, axis=None, keepdims=False, where=True):
    if where is not True:  # the elements left out get none
        d[x] = np.where(where, repeat_to(d[z], x, axis, keepdims), 0.0)
    elif axis is None:
        d[x] = np.full_like(x, d[z])
    else:
        d[x] = repeat_to(d[z], x, axis, keepdims)


@tangent(np.sum)
def sum_tangent(z, x, axis=None, keepdims=False, where=True):
    if where is not True:
        t[z] = np.sum(t[x], axis=axis, keepdims=keepdims, where=where)
    elif keepdims:
        t[z] = np.sum(t[x], axis=axis, keepdims=True)
    elif axis is None:
        t[z] = np.sum(t[x])
    else:
        t[z] = np.sum(t[x], axis=axis)


@adjoint(np.mean, method("mean"),
         facts=REDUCTION.but(reduction="average", smooth=True, float_result=True),
         examples=[example("np.mean(x)", x=(3, 4)), example("np.mean(x, axis=1)", x=(3, 4)),
                   example("np.mean(x, axis=0, keepdims=True)", x=(3, 4)),
                   example("x.mean()", x=(5,)), example("x.mean(axis=(0, 1))", x=(2, 1, 3)),
                   example("np.mean(x, where=x > 0)", x=(3, 4)),
                   example("np.mean(x, axis=0, where=m)", x=(3, 2),
                           ints={"m": [[True, False], [False, True], [True, True]]}),
                   example("np.mean(x, axis=1, keepdims=True, where=(False, True, True))",
                           x=(2, 3))])
def mean(z, x, axis=None, keepdims=False, where=True):
    if where is not True:  # each mean over the elements it takes
        taken = np.sum(np.broadcast_to(where, np.shape(x)), axis=axis, keepdims=True)
        d[x] = np.where(where, repeat_to(d[z], x, axis, keepdims) / taken, 0.0)
    elif axis is None:
        d[x] = np.full_like(x, d[z] / max(np.size(x), 1))  # max: an empty x gets an empty adjoint
    else:
        n = np.size(x) / np.size(z)
        d[x] = repeat_to(d[z] / n, x, axis, keepdims)


@tangent(np.mean)
def mean_tangent(z, x, axis=None, keepdims=False, where=True):
    if where is not True:
        t[z] = np.mean(t[x], axis=axis, keepdims=keepdims, where=where)
    elif keepdims:
        t[z] = np.mean(t[x], axis=axis, keepdims=True)
    elif axis is None:
        t[z] = np.mean(t[x])
    else:
        t[z] = np.mean(t[x], axis=axis)


# Each element gets the product of the others (exact where x has zeros).
@adjoint(np.prod, method("prod"), facts=REDUCTION.but(reduction="product"),
         examples=[example("np.prod(x)", x=(2, 3)), example("np.prod(x, axis=1)", x=(3, 4)),
                   example("x.prod(axis=0, keepdims=True)", x=(3, 1)),
                   example("np.prod(x, axis=(0, 2))", x=(2, 2, 3)),
                   example("np.prod(x, keepdims=True)", x=(2, 2))])
def prod(z, x, axis=None, keepdims=False):
    if axis is None:
        d[x] = d[z] * prod_of_others(x, None)
    else:
        d[x] = repeat_to(d[z], x, axis, keepdims) * prod_of_others(x, axis)


@tangent(np.prod)
def prod_tangent(z, x, axis=None, keepdims=False):
    t[z] = np.sum(t[x] * prod_of_others(x, axis), axis=axis, keepdims=keepdims)


# The adjoint goes to the elements equal to the maximum, split equally among ties.
@adjoint(*_aliases(np.max, np.amax), method("max"), facts=REDUCTION.but(reduction="extremum"),
         examples=[example("np.max(x)", x=(3, 4)), example("np.amax(x, axis=0)", x=(3, 4)),
                   example("np.max(x, axis=1, keepdims=True)", x=(2, 5)),
                   example("x.max(axis=(0, 2))", x=(2, 3, 2)), example("x.max()", x=(1,)),
                   example("np.max(x, initial=0.3)", x=(3, 4)),
                   example("np.max(x, axis=1, initial=-0.2)", x=(3, 4)),
                   example("x.max(axis=0, initial=5.0)", x=(2, 3)),
                   example("np.max(x, axis=0, initial=y)", x=(2, 3), y=()),
                   example("np.max(x, axis=1, keepdims=True, initial=0.2)", x=(2, 3))])
def amax(z, x, axis=None, keepdims=False, initial=None):
    if initial is None:
        d[x] = split_among_ties(d[z], x, z, axis, keepdims)
    else:  # the maximum of np.maximum(x, initial): x's elements above initial compete
        d[x] = split_among_ties(d[z], np.maximum(x, initial), z, axis, keepdims) * (x > initial)
        d[initial] = np.sum(np.where(np.any(x > initial, axis=axis, keepdims=keepdims), 0.0,
                                     d[z]))


# Ties share the tangent as they share the adjoint: its mean over them.
@tangent(np.max)
def amax_tangent(z, x, axis=None, keepdims=False, initial=None):
    if initial is None:
        t[z] = mean_over_ties(t[x], x, z, axis, keepdims)
    else:
        t[z] = mean_over_ties(t[x] * (x > initial), np.maximum(x, initial), z, axis,
                              keepdims) + np.where(np.any(x > initial, axis=axis,
                                                          keepdims=keepdims), 0.0, t[initial])


@adjoint(*_aliases(np.min, np.amin), method("min"), facts=REDUCTION.but(reduction="extremum"),
         examples=[example("np.min(x)", x=(4,)), example("np.amin(x, axis=-1)", x=(3, 4)),
                   example("x.min(axis=0, keepdims=True)", x=(3, 2)),
                   example("x.min(0)", x=(1, 3)),
                   example("np.min(x, initial=0.3)", x=(3, 4)),
                   example("x.min(axis=1, keepdims=True, initial=-5.0)", x=(2, 3)),
                   example("np.min(x, initial=y)", x=(3,), y=())])
def amin(z, x, axis=None, keepdims=False, initial=None):
    if initial is None:
        d[x] = split_among_ties(d[z], x, z, axis, keepdims)
    else:
        d[x] = split_among_ties(d[z], np.minimum(x, initial), z, axis, keepdims) * (x < initial)
        d[initial] = np.sum(np.where(np.any(x < initial, axis=axis, keepdims=keepdims), 0.0,
                                     d[z]))


@tangent(np.min)
def amin_tangent(z, x, axis=None, keepdims=False, initial=None):
    if initial is None:
        t[z] = mean_over_ties(t[x], x, z, axis, keepdims)
    else:
        t[z] = mean_over_ties(t[x] * (x < initial), np.minimum(x, initial), z, axis,
                              keepdims) + np.where(np.any(x < initial, axis=axis,
                                                          keepdims=keepdims), 0.0, t[initial])


@adjoint(np.var, method("var"), facts=REDUCTION.but(reduction="spread", float_result=True,
                                                     bound="nonnegative"),
         examples=[example("np.var(x)", x=(3, 4)), example("np.var(x, axis=0, ddof=1)", x=(4, 3)),
                   example("x.var(axis=1, keepdims=True)", x=(2, 5)),
                   example("np.var(x, axis=(0, 1))", x=(2, 3, 2)),
                   example("np.var(x, ddof=1, keepdims=True)", x=(2, 3))])
def var(z, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    if axis is None:
        d[x] = d[z] * 2 * (x - np.mean(x)) / (np.size(x) - ddof)
    else:
        n = np.size(x) / np.size(z)
        d[x] = repeat_to(d[z], x, axis, keepdims) * 2 * centered(x, axis) / (n - ddof)


@tangent(np.var)
def var_tangent(z, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = np.size(x) / np.size(z)
    t[z] = np.sum(t[x] * centered(x, axis), axis=axis, keepdims=keepdims) * 2 / (n - ddof)


# Where x is constant along `axis` (std 0, not differentiable) the adjoint is 0.
@adjoint(np.std, method("std"), facts=REDUCTION.but(reduction="spread", float_result=True,
                                                     bound="nonnegative"),
         examples=[example("np.std(x)", x=(3, 4)), example("np.std(x, axis=1, ddof=1)", x=(3, 4)),
                   example("x.std(axis=0, keepdims=True)", x=(5, 2)), example("x.std()", x=(6,)),
                   example("np.std(x, keepdims=True)", x=(3, 2)),
                   example("np.std(x, ddof=1)", x=(3, 4))])
def std(z, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    if axis is None:
        d[x] = safe_div(d[z] * (x - np.mean(x)), z * (np.size(x) - ddof))
    else:
        n = np.size(x) / np.size(z)
        d[x] = safe_div(repeat_to(d[z], x, axis, keepdims) * centered(x, axis),
                        repeat_to(z, x, axis, keepdims) * (n - ddof))


@tangent(np.std)
def std_tangent(z, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    n = np.size(x) / np.size(z)
    t[z] = safe_div(np.sum(t[x] * centered(x, axis), axis=axis, keepdims=keepdims), z * (n - ddof))


# --- running sums and products, differences ----------------------------------------------


@adjoint(np.cumsum, method("cumsum"), facts=NEW.but(linear=True),
         examples=[example("np.cumsum(x)", x=(5,)), example("np.cumsum(x, axis=0)", x=(3, 4)),
                   example("np.cumsum(x)", x=(2, 3)), example("x.cumsum(axis=-1)", x=(2, 3))])
def cumsum(z, x, axis=None, dtype=None):
    if axis is None:
        d[x] = np.reshape(reverse_cumsum(d[z], 0), np.shape(x))
    else:
        d[x] = reverse_cumsum(d[z], axis)


@tangent(np.cumsum)
def cumsum_tangent(z, x, axis=None, dtype=None):
    t[z] = np.cumsum(t[x], axis)


@adjoint(np.cumprod, method("cumprod"), facts=NEW,
         examples=[example("np.cumprod(x)", x=(5,)), example("np.cumprod(x, axis=1)", x=(3, 4)),
                   example("np.cumprod(x)", x=(2, 2)), example("x.cumprod(axis=0)", x=(3, 2))])
def cumprod(z, x, axis=None, dtype=None):
    d[x] = cumprod_adjoint(d[z], x, z, axis)


@tangent(np.cumprod)
def cumprod_tangent(z, x, axis=None, dtype=None):
    t[z] = cumprod_jvp(t[x], x, z, axis)


@adjoint(np.diff, facts=NEW.but(linear=True, makes_new=False),  # np.diff(x, n=0) is x
         examples=[example("np.diff(x)", x=(5,)), example("np.diff(x, axis=0)", x=(3, 4)),
                   example("np.diff(x, n=2, axis=1)", x=(2, 5))])
def diff(z, x, n=1, axis=-1):
    d[x] = undiff(d[z], n, axis)




# (np.max([a, b], initial=c) compares the list with initial: read it as an array)
array_operands(*_aliases(np.max, np.amax), *_aliases(np.min, np.amin), params=("x",))
