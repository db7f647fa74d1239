"""Adjoint rules for arithmetic, elementwise functions, reductions and shapes.

Read `d[x] = ...` as "the adjoint of x receives ...", and `z` as the result.
"""

import builtins
import math

import numpy as np

from ..runtime import (dot_adjoint_x, dot_adjoint_y, matmul_adjoint_x, matmul_adjoint_y,
                       positive_log, repeat_to, scatter_add, unstack, winner)
from .registry import (adjoint, attribute, example, literal_sequence, method, named,
                       nondifferentiable)

d = None  # templates index it as d[x]; they are parsed, never run

# --- arithmetic ---------------------------------------------------------------


@adjoint("identity", builtins.float, np.positive,
         examples=[example("float(np.sum(x))", x=(3,)), example("+x", x=(3,)),
                   example("np.positive(x)", x=(2, 2))])
def identity(z, x):
    d[x] = d[z]


@adjoint(np.add, broadcast=True,
         examples=[example("x + y", x=(3, 4), y=(4,)), example("np.add(x, y)", x=(2, 1), y=(1, 3))])
def add(z, x, y):
    d[x] = d[z]
    d[y] = d[z]


@adjoint(np.subtract, broadcast=True,
         examples=[example("x - y", x=(3, 1), y=(3, 4)), example("np.subtract(x, y)", x=(), y=(3,))])
def subtract(z, x, y):
    d[x] = d[z]
    d[y] = -d[z]


@adjoint(np.multiply, broadcast=True,
         examples=[example("x * y", x=(3, 4), y=(4,)), example("np.multiply(x, y)", x=(), y=(2, 3))])
def multiply(z, x, y):
    d[x] = d[z] * y
    d[y] = d[z] * x


@adjoint(np.true_divide, broadcast=True,
         examples=[example("x / y", x=(3, 4), y=(4,), positive="y"),
                   example("np.divide(x, y)", x=(2,), y=(), positive="y")])
def divide(z, x, y):
    d[x] = d[z] / y
    d[y] = -d[z] * z / y


@adjoint(np.power, broadcast=True,
         examples=[example("x ** y", x=(3, 2), y=(2,), positive="x"),
                   example("x ** 3", x=(4,)), example("np.power(x, y)", x=(), y=(3,), positive="x")])
def power(z, x, y):
    d[x] = d[z] * y * x ** (y - 1)
    d[y] = d[z] * z * positive_log(x)


@adjoint(np.negative, examples=[example("-x", x=(3,)), example("np.negative(x)", x=(2, 2))])
def negative(z, x):
    d[x] = -d[z]


@adjoint(np.matmul, examples=[example("x @ y", x=(3, 4), y=(4, 2)),
                              example("np.matmul(x, y)", x=(4,), y=(4, 3)),
                              example("x @ y", x=(2, 3), y=(3,)),
                              example("x @ y", x=(2, 3, 4), y=(4, 2))])
def matmul(z, x, y):
    d[x] = matmul_adjoint_x(d[z], x, y)
    d[y] = matmul_adjoint_y(d[z], x, y)


@adjoint(np.dot, examples=[example("np.dot(x, y)", x=(3, 4), y=(4,)),
                           example("np.dot(x, y)", x=(4,), y=(4,)),
                           example("np.dot(x, y)", x=(), y=(2, 2))])
def dot(z, x, y):
    d[x] = dot_adjoint_x(d[z], x, y)
    d[y] = dot_adjoint_y(d[z], x, y)


# --- elementwise functions ------------------------------------------------------


@adjoint(np.exp, math.exp, examples=[example("np.exp(x)", x=(3, 2)), example("math.exp(x)", x=())])
def exp(z, x):
    d[x] = d[z] * z


@adjoint(np.log, math.log, examples=[example("np.log(x)", x=(4,), positive="x"),
                                     example("math.log(x)", x=(), positive="x")])
def log(z, x):
    d[x] = d[z] / x


@adjoint(np.sqrt, math.sqrt, examples=[example("np.sqrt(x)", x=(4,), positive="x"),
                                       example("math.sqrt(x)", x=(), positive="x")])
def sqrt(z, x):
    d[x] = d[z] / (2 * z)


@adjoint(np.sin, math.sin, examples=[example("np.sin(x)", x=(4,)), example("math.sin(x)", x=())])
def sin(z, x):
    d[x] = d[z] * np.cos(x)


@adjoint(np.cos, math.cos, examples=[example("np.cos(x)", x=(4,)), example("math.cos(x)", x=())])
def cos(z, x):
    d[x] = -d[z] * np.sin(x)


@adjoint(np.tan, math.tan, examples=[example("np.tan(x)", x=(4,)), example("math.tan(x)", x=())])
def tan(z, x):
    d[x] = d[z] * (1 + z * z)


@adjoint(np.tanh, math.tanh, examples=[example("np.tanh(x)", x=(2, 3)), example("math.tanh(x)", x=())])
def tanh(z, x):
    d[x] = d[z] * (1 - z * z)


@adjoint(np.square, examples=[example("np.square(x)", x=(3,))])
def square(z, x):
    d[x] = d[z] * 2 * x


@adjoint(np.abs, builtins.abs, examples=[example("np.abs(x)", x=(5,)), example("abs(x)", x=(2, 2)),
                                         example("np.absolute(x)", x=(3,))])
def absolute(z, x):
    d[x] = d[z] * np.sign(x)


@adjoint(np.maximum, broadcast=True,
         examples=[example("np.maximum(x, y)", x=(3, 4), y=(4,))])
def maximum(z, x, y):
    d[x] = d[z] * winner(x, y)
    d[y] = d[z] * winner(y, x)


@adjoint(np.minimum, broadcast=True,
         examples=[example("np.minimum(x, y)", x=(3, 4), y=(3, 1))])
def minimum(z, x, y):
    d[x] = d[z] * winner(y, x)
    d[y] = d[z] * winner(x, y)


# --- reductions ------------------------------------------------------------------


@adjoint(np.sum, method("sum"),
         examples=[example("np.sum(x)", x=(3, 4)), example("np.sum(x, axis=0)", x=(3, 4)),
                   example("np.sum(x, axis=1, keepdims=True)", x=(3, 4)),
                   example("np.sum(x, axis=(0, 2))", x=(2, 3, 4)), example("x.sum(axis=-1)", x=(2, 3))])
def sum(z, x, axis=None, keepdims=False):
    if axis is None:
        d[x] = np.full_like(x, d[z])
    else:
        d[x] = repeat_to(d[z], x, axis, keepdims)


@adjoint(np.mean, method("mean"),
         examples=[example("np.mean(x)", x=(3, 4)), example("np.mean(x, axis=1)", x=(3, 4)),
                   example("np.mean(x, axis=0, keepdims=True)", x=(3, 4)), example("x.mean()", x=(5,))])
def mean(z, x, axis=None, keepdims=False):
    if axis is None:
        d[x] = np.full_like(x, d[z] / np.size(x))
    else:
        d[x] = repeat_to(d[z] / (np.size(x) / np.size(z)), x, axis, keepdims)


# --- shapes ------------------------------------------------------------------------


@adjoint(np.reshape, examples=[example("np.reshape(x, (6,))", x=(2, 3)),
                               example("np.reshape(x, (3, -1))", x=(6,))])
def reshape(z, x, newshape):
    d[x] = np.reshape(d[z], np.shape(x))


@adjoint(method("reshape"), examples=[example("x.reshape(3, 2)", x=(6,)),
                                      example("x.reshape((2, 3))", x=(3, 2))])
def reshape_method(z, x, *shape):
    d[x] = np.reshape(d[z], np.shape(x))


@adjoint(attribute("T"), examples=[example("x.T", x=(2, 3)), example("x.T", x=(2, 3, 4))])
def transpose_attribute(z, x):
    d[x] = np.transpose(d[z])


@adjoint(np.stack, examples=[example("np.stack([x, y])", x=(3,), y=(3,)),
                             example("np.stack((x, y, x), axis=1)", x=(2, 3), y=(2, 3))])
def stack(z, arrays, axis=0):
    d[arrays] = unstack(d[z], axis)


@adjoint(np.array, np.asarray,
         examples=[example("np.array([x, y, x * y])", x=(), y=()), example("np.asarray(x)", x=(3,)),
                   example("np.array([[x, y], [y, x]])", x=(), y=())])
def array(z, object, dtype=None):
    if literal_sequence(object):
        d[object] = unstack(d[z])
    else:
        d[object] = d[z]


# --- indexing ----------------------------------------------------------------------


@adjoint("getitem", examples=[example("x[1]", x=(3, 4)), example("x[:, 1:3]", x=(3, 4)),
                              example("x[::-2, None]", x=(5,)), example("x[-1, ..., 0]", x=(2, 3, 2)),
                              example("x[i]", x=(4,), ints={"i": [0, 2, 2]})])
def getitem(z, x, index):
    d[x] = scatter_add(x, index, d[z])


named("identity", "assignment")
named("getitem", "indexing")
named(builtins.float, "float")
named(builtins.abs, "abs")
nondifferentiable(
    np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc, np.argmax, np.argmin, np.argsort,
    np.shape, np.ndim, np.size, np.isfinite, np.isnan, np.isinf, np.zeros_like, np.ones_like,
    np.empty_like, np.zeros, np.ones, np.full, np.empty, np.eye, np.arange, np.linspace,
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal,
    np.logical_and, np.logical_or, np.logical_not, np.any, np.all,
    builtins.len, builtins.int, builtins.bool, builtins.round, builtins.print, builtins.isinstance,
    math.floor, math.ceil, math.isfinite, math.isnan,
    method("argmax"), method("argmin"), method("any"), method("all"),
    attribute("shape"), attribute("ndim"), attribute("size"), attribute("dtype"),
)
