"""Adjoint rules for the elementwise functions that choose: absolute value, maximum and
minimum, where, clip, and casts, each with its tangent (forward-mode) rule. At a kink
the rule picks a side (a tie of maximum gives each side half)."""

import builtins
import math

import numpy as np

from ..runtime import abs_slope, cast_back, winner, within_bounds
from .facts import BINARY, SELECT, UNARY, VIEW, Facts
from .registry import adjoint, alias, example, method, named, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


@adjoint(np.abs, builtins.abs, facts=UNARY.but(bound="nonnegative"),
         examples=[example("np.abs(x)", x=(5,)), example("abs(x)", x=(2, 2)),
                   example("np.absolute(x)", x=(3,)), example("np.fabs(x)", x=(2, 3)),
                   example("math.fabs(x)", x=())])
def absolute(z, x):
    d[x] = d[z] * abs_slope(x)  # np.sign(x) where x is known real (passes/specialize.py)


@tangent(np.abs, builtins.abs)  # d|x| = Re(conj(x) dx) / |x|: real of a complex x too
def absolute_tangent(z, x):
    t[z] = np.real(t[x] * abs_slope(x))


alias(np.abs, np.fabs, math.fabs,  # of ints: floats
      facts=UNARY.but(float_result=True, bound="nonnegative"))


# At a tie x == y each side gets half.
@adjoint(np.maximum, np.fmax, facts=BINARY.but(bound="larger"), broadcast=True,
         examples=[example("np.maximum(x, y)", x=(3, 4), y=(4,)),
                   example("np.fmax(x, y)", x=(2, 1), y=(1, 3)), example("max(x, y)", x=(), y=())])
def maximum(z, x, y):
    d[x] = d[z] * winner(x, y)
    d[y] = d[z] * winner(y, x)


@adjoint(np.minimum, np.fmin, facts=BINARY, broadcast=True,
         examples=[example("np.minimum(x, y)", x=(3, 4), y=(3, 1)),
                   example("np.fmin(x, y)", x=(3,), y=()), example("min(x, y)", x=(), y=())])
def minimum(z, x, y):
    d[x] = d[z] * winner(y, x)
    d[y] = d[z] * winner(x, y)


# Only the branch taken at each element receives the adjoint.
@adjoint(np.where, facts=SELECT, broadcast=True,
         examples=[example("np.where(x > 0, x, y)", x=(3, 4), y=(4,)),
                   example("np.where(x > y, x * y, 0.5)", x=(2, 3), y=(2, 1)),
                   example("np.where(c, x, y)", x=(1, 3), y=(2, 1), ints={"c": [[True], [False]]})])
def where(z, condition, x, y):
    d[x] = np.where(condition, d[z], 0.0)
    d[y] = np.where(condition, 0.0, d[z])


# The adjoint passes where a_min <= x <= a_max (bounds included); a bound gets the
# adjoint where it replaced x.
@adjoint(np.clip, facts=SELECT, broadcast=True,
         examples=[example("np.clip(x, -0.5, 0.7)", x=(3, 4)),
                   example("np.clip(x, None, 0.2)", x=(5,)),
                   example("np.clip(x, -0.2, None)", x=(4, 3)),
                   example("np.clip(x, None, None)", x=(3,)),  # NumPy 2: x unchanged
                   example("np.clip(x, a_min=lo, a_max=hi)", x=(3, 4), lo=(4,), hi=(3, 1),
                           domain={"lo": (-1.5, -0.5), "hi": (0.5, 1.5)})])
def clip(z, x, a_min=None, a_max=None):
    if a_min is None and a_max is None:
        d[x] = d[z]
    elif a_min is None:
        d[x] = d[z] * (x <= a_max)
    elif a_max is None:
        d[x] = d[z] * (a_min <= x)
    else:
        d[x] = d[z] * ((a_min <= x) & (x <= a_max))
    d[a_min] = d[z] * (x < a_min)
    d[a_max] = d[z] * (x > a_max)


@tangent(np.clip)
def clip_tangent(z, x, a_min=None, a_max=None):
    t[z] = t[x] * within_bounds(x, a_min, a_max) + t[a_min] * (x < a_min) + t[a_max] * (x > a_max)


@adjoint(method("clip"), facts=SELECT, broadcast=True,
         examples=[example("x.clip(-0.5, 0.5)", x=(2, 3)), example("x.clip(min=0.1)", x=(4,)),
                   example("x.clip(max=0.3)", x=(2, 3)), example("x.clip()", x=(3,))])
def clip_method(z, x, min=None, max=None):
    if min is None and max is None:
        d[x] = d[z]
    elif min is None:
        d[x] = d[z] * (x <= max)
    elif max is None:
        d[x] = d[z] * (min <= x)
    else:
        d[x] = d[z] * ((min <= x) & (x <= max))
    d[min] = d[z] * (x < min)
    d[max] = d[z] * (x > max)


@tangent(method("clip"))
def clip_method_tangent(z, x, min=None, max=None):
    t[z] = t[x] * within_bounds(x, min, max) + t[min] * (x < min) + t[max] * (x > max)


# To a float type the adjoint passes (cast back to x's type); to an integer type it is zero.
@adjoint(method("astype"), facts=VIEW.but(shape=0, chooses_dtype=True),
         examples=[example("x.astype(float)", x=(3,)),
                   example("x.astype(np.float64) * 1.0", x=(2,)),
                   example("x.astype(int) * x", x=(4,))])
def astype(z, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    d[x] = cast_back(d[z], x, dtype)


# The tangent takes z's float type; to an integer type it is zero.
@tangent(method("astype"))
def astype_tangent(z, x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    t[z] = cast_back(t[x], z, dtype)


_OPERAND = Facts(view=True, shape="number", writes_none=True)  # max(a, b) is a or b itself
alias(np.maximum, builtins.max, facts=_OPERAND)
alias(np.minimum, builtins.min, facts=_OPERAND)
named(builtins.abs, "abs")
named(builtins.max, "max")
named(builtins.min, "min")
