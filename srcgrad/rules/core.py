"""Adjoint and tangent rules for Python's arithmetic operators, and the functions that
carry no gradient.

Read `d[x] = ...` as "the adjoint of x receives ...", `t[x]` as "the tangent of x",
and `z` as the result.
"""

import builtins
import math

import numpy as np

from ..runtime import positive_log, safe_div, unbroadcast
from .facts import ARITHMETIC, BINARY, FILL, LIKE, NEW, UNARY, VIEW, Facts, facts
from .registry import (adjoint, alias, attribute, example, literal, method, named,
                       nondifferentiable, tangent)

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


@adjoint("identity", facts=Facts(elementwise=True, nargs=1, shape=0, smooth=True, writes_none=True,
                     correctly_rounded=True),
         examples=[example("float(np.sum(x))", x=(3,)), example("+x", x=(3,)),
                   example("np.positive(x)", x=(2, 2)), example("np.copy(x)", x=(3,)),
                   example("x.copy()", x=(2, 1))])
def identity(z, x):
    d[x] = d[z]


@adjoint(np.add, facts=ARITHMETIC.but(shift="add+"), broadcast=True,
         examples=[example("x + y", x=(3, 4), y=(4,)), example("np.add(x, y)", x=(2, 1), y=(1, 3))])
def add(z, x, y):
    d[x] = d[z]
    d[y] = d[z]


@adjoint(np.subtract, facts=ARITHMETIC.but(shift="add-"), broadcast=True,
         examples=[example("x - y", x=(3, 1), y=(3, 4)),
                   example("np.subtract(x, y)", x=(), y=(3,))])
def subtract(z, x, y):
    d[x] = d[z]
    d[y] = -d[z]


@adjoint(np.multiply, facts=ARITHMETIC.but(shift="mul+"), broadcast=True,
         examples=[example("x * y", x=(3, 4), y=(4,)),
                   example("np.multiply(x, y)", x=(), y=(2, 3))])
def multiply(z, x, y):
    d[x] = d[z] * y
    d[y] = d[z] * x


@tangent(np.multiply)
def multiply_tangent(z, x, y):
    t[z] = t[x] * y + x * t[y]


@adjoint(np.true_divide, broadcast=True,
         facts=ARITHMETIC.but(float_result=True, integer_closed=False, shift="mul-"),
         examples=[example("x / y", x=(3, 4), y=(4,), positive="y"),
                   example("np.divide(x, y)", x=(2,), y=(), positive="y"),
                   example("x / y", x=(1, 3), y=(2, 1), positive="y")])
def divide(z, x, y):
    d[x] = safe_div(d[z], y)
    d[y] = -safe_div(d[z] * x, y * y)


# x ** 0 is 1 for every x: its slope is 0, at x = 0 too (never 0 * x ** -1). A number
# written as the exponent picks its code when it is generated; others, elementwise.
@adjoint(np.power, math.pow, facts=BINARY.but(smooth=True), broadcast=True,
         examples=[example("x ** y", x=(3, 2), y=(2,), positive="x"),
                   example("math.pow(x, 3.0) + math.pow(x, y)", x=(), y=(), positive="x"),
                   example("x ** 3", x=(4,)),
                   example("np.power(x, y)", x=(), y=(3,), positive="x"),
                   example("x ** 0.5", x=(3,), positive="x"),
                   example("x ** -2", x=(2, 2), positive="x"),
                   example("x ** 0 + x", x=(3,)),
                   example("np.power(x, 0.0) * x", x=()),
                   example("x ** (y * 0.0)", x=(3,), y=(3,), positive="x")])
def power(z, x, y):
    if literal(y):
        if y >= 1:
            d[x] = d[z] * y * x ** (y - 1)
        elif y != 0:  # inf at x = 0, where `**` of a Python float raises
            d[x] = d[z] * y * np.power(x, y - 1)
    else:
        d[x] = d[z] * y * x ** np.where(y == 0, 1, y - 1)
    d[y] = d[z] * z * positive_log(x)


@tangent(np.power, math.pow)
def power_tangent(z, x, y):
    if literal(y):
        if y >= 1:
            t[z] = t[x] * y * x ** (y - 1)
        elif y != 0:
            t[z] = t[x] * y * np.power(x, y - 1)
        else:
            t[z] = t[y] * z  # a number has no tangent: x ** 0 is constant
    else:
        t[z] = t[x] * y * x ** np.where(y == 0, 1, y - 1) + t[y] * z * positive_log(x)


@adjoint(np.negative, facts=UNARY.but(smooth=True, correctly_rounded=True),
         examples=[example("-x", x=(3,)), example("np.negative(x)", x=(2, 2))])
def negative(z, x):
    d[x] = -d[z]


# z = x - y * floor(x / y): the floor is piecewise constant.
@adjoint(np.remainder, facts=BINARY, broadcast=True,
         examples=[example("x % y", x=(3, 4), y=(4,), positive="y"),
                   example("np.mod(x, 0.7)", x=(5,)),
                   example("np.remainder(x, y)", x=(2, 1), y=(1, 3), positive="y")])
def remainder(z, x, y):
    d[x] = d[z]
    d[y] = -d[z] * np.floor(x / y)


# z = x - y * trunc(x / y) (C's fmod: the sign of x): the trunc is piecewise constant.
@adjoint(np.fmod, facts=BINARY, broadcast=True,
         examples=[example("np.fmod(x, 0.7)", x=(5,)),
                   example("np.fmod(x, y)", x=(2, 1), y=(1, 3), positive="y"),
                   example("np.fmod(x * 3.0, -y)", x=(4,), y=(), positive="y")])
def fmod(z, x, y):
    d[x] = d[z]
    d[y] = -d[z] * np.trunc(x / y)


# Constant arrays filled with a value: the value carries the derivative.
@adjoint(np.full_like, facts=LIKE.but(nargs=2),
         examples=[example("np.full_like(x, y)", x=(2, 3), y=()),
                   example("np.full_like(x, y)", x=(2, 3), y=(3,)),
                   example("np.full_like(x, y, dtype=np.float64)", x=(3,), y=())])
def full_like(z, a, fill_value, dtype=None):
    d[fill_value] = unbroadcast(d[z], fill_value)


@tangent(np.full_like)
def full_like_tangent(z, a, fill_value, dtype=None):
    t[z] = np.full_like(a, t[fill_value], dtype=dtype)


@adjoint(np.full, facts=FILL,
         examples=[example("np.full((2, 3), y)", y=()), example("np.full(4, y)", y=(4,)),
                   example("np.full((3, 2), y, dtype=float)", y=(2,))])
def full(z, shape, fill_value, dtype=None):
    d[fill_value] = unbroadcast(d[z], fill_value)


@tangent(np.full)
def full_tangent(z, shape, fill_value, dtype=None):
    t[z] = np.full(shape, t[fill_value], dtype=dtype)


alias("identity", np.positive, np.copy, facts=UNARY.but(smooth=True))
# (a list's or dict's copy holds the same items: not new, as an array's copy is)
alias("identity", method("copy"), facts=UNARY.but(smooth=True, makes_new=False))
alias("identity", builtins.float, facts=NEW.but(nargs=1, smooth=True))


# `x.item()` of a one-element array: its number (an index is refused: write x[i]).
@adjoint(method("item"), facts=NEW.but(nargs=1, smooth=True),
         examples=[example("x.item()", x=(1,)), example("x.item() * x", x=(1, 1)),
                   example("np.sum(x) * np.sum(x ** 2).item()", x=(3,))])
def item(z, x):
    d[x] = np.reshape(d[z], np.shape(x))


@tangent(method("item"))
def item_tangent(z, x):
    t[z] = np.reshape(t[x], ())
named("identity", "assignment")
named(builtins.float, "float")

# Results that carry no gradient: comparisons, rounding, integer division (piecewise
# constant, so its derivative is zero wherever it exists), shapes, indices and
# constructors of constant arrays.
nondifferentiable(
    np.sign, np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.floor_divide,
    np.argmax, np.argmin, np.argsort, np.nonzero, np.flatnonzero, np.argwhere, np.searchsorted,
    np.digitize, np.count_nonzero,
    np.shape, np.ndim, np.size, np.isfinite, np.isnan, np.isinf, np.isclose, np.allclose,
    np.array_equal, np.signbit, np.heaviside, np.iscomplexobj, np.isrealobj,
    np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones,
    np.empty, np.eye, np.identity, np.arange, np.logspace, np.tri,
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.any, np.all,
    np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert, np.left_shift, np.right_shift,
    builtins.len, builtins.int, builtins.bool, builtins.round, builtins.print, builtins.isinstance,
    math.floor, math.ceil, math.trunc, math.isfinite, math.isnan, math.isinf,
    method("argmax"), method("argmin"), method("argsort"), method("nonzero"), method("any"),
    method("all"), method("round"),
    attribute("shape"), attribute("ndim"), attribute("size"), attribute("dtype"),
)
facts(np.sign, np.floor, np.ceil, np.round, np.around, np.trunc, np.fix, facts=UNARY)
facts(np.rint, facts=UNARY.but(float_result=True))  # of ints: floats
facts(np.floor_divide, facts=BINARY)
facts(np.ones, np.empty, facts=FILL)
facts(np.zeros, facts=FILL.but(zeros=True))
facts(np.ones_like, np.empty_like, facts=LIKE)
facts(np.zeros_like, facts=LIKE.but(zeros=True))
facts("nondifferentiable", smooth=True)  # (resolve's key of what carries no gradient)

# --- what Python's builtins and the methods of arrays, lists and dicts do ----------------

facts(builtins.len, builtins.range, builtins.int, builtins.bool, builtins.str, builtins.round,
      builtins.isinstance, builtins.hasattr, builtins.print, builtins.repr, builtins.format,
      builtins.hash, builtins.id, builtins.callable, builtins.divmod, builtins.pow,
      builtins.any, builtins.all, builtins.type, facts=NEW)  # nothing of theirs
facts(builtins.sum, view=True, writes_none=True)  # sum([], start) is start itself
facts(builtins.reversed, writes_none=True)
facts(*map(method, ["argmax", "argmin", "argsort", "any", "all", "round", "tolist",
                    "nonzero", "ptp", "searchsorted", "count", "index", "compress",
                    "choose", "__len__", "keys"]), facts=NEW)
facts(method("view"), facts=VIEW.but(chooses_dtype=True))
facts(*map(attribute, ["shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"]),
      metadata=True, writes_none=True)
facts(*map(method, ["append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
                    "update", "popitem", "setdefault", "add", "discard", "difference_update",
                    "intersection_update", "symmetric_difference_update", "fill", "put",
                    "itemset", "resize", "partition", "byteswap", "setfield",
                    "__setitem__", "__delitem__", "__iadd__", "__isub__", "__imul__",
                    "__itruediv__"]), writes_object=True)  # change their list, dict or array
facts(method("setflags"), writes_none=True)  # (flags; no value changes)
facts(np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.random.shuffle,
      np.put_along_axis, np.ufunc.at, writes_first=True)
