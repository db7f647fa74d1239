"""Adjoint rules for smooth elementwise functions: exponentials, logarithms, powers and
roots, trigonometry, each with its tangent (forward-mode) rule (selection.py: the ones
that choose).

Where a derivative is infinite at the edge of a function's domain (sqrt, log,
arcsin, ...) the rule divides with `safe_div`, which keeps a zero adjoint zero:
the branch `np.where` did not take cannot turn the gradient into NaN.
"""

import math

import numpy as np

from ..runtime import safe_div, sinc_slope
from .facts import BINARY, FLOAT_UNARY, UNARY
from .registry import adjoint, example, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_UNIT = {"x": (-0.9, 0.9)}  # inside (-1, 1), for arcsin, arccos, arctanh

# --- exponentials and logarithms ----------------------------------------------------


@adjoint(np.exp, math.exp, facts=FLOAT_UNARY.but(smooth=True, shift="add_to_mul",
                                                  bound="nonnegative"),
         examples=[example("np.exp(x)", x=(3, 2)), example("math.exp(x)", x=())])
def exp(z, x):
    d[x] = d[z] * z


@adjoint(np.expm1, math.expm1, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.expm1(x)", x=(3, 2)), example("math.expm1(x)", x=())])
def expm1(z, x):
    d[x] = d[z] * (z + 1)


@adjoint(np.exp2, facts=FLOAT_UNARY.but(smooth=True, bound="nonnegative"),
         examples=[example("np.exp2(x)", x=(4,)), example("np.exp2(x)", x=())])
def exp2(z, x):
    d[x] = d[z] * z * np.log(2)


@adjoint(np.log, math.log, facts=FLOAT_UNARY.but(smooth=True, shift="mul_to_add"),
         examples=[example("np.log(x)", x=(4,), positive="x"),
                   example("math.log(x)", x=(), positive="x")])
def log(z, x):
    d[x] = safe_div(d[z], x)


@adjoint(np.log1p, math.log1p, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.log1p(x)", x=(2, 3), positive="x"),
                   example("math.log1p(x)", x=(), domain={"x": (-0.5, 1)})])
def log1p(z, x):
    d[x] = safe_div(d[z], 1 + x)


@adjoint(np.log2, math.log2, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.log2(x)", x=(4,), positive="x"),
                   example("math.log2(x)", x=(), positive="x")])
def log2(z, x):
    d[x] = safe_div(d[z], x * np.log(2))


@adjoint(np.log10, math.log10, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.log10(x)", x=(1, 4), positive="x"),
                   example("math.log10(x)", x=(), positive="x")])
def log10(z, x):
    d[x] = safe_div(d[z], x * np.log(10))


@adjoint(np.logaddexp, facts=BINARY.but(float_result=True), broadcast=True,
         examples=[example("np.logaddexp(x, y)", x=(3, 4), y=(4,)),
                   example("np.logaddexp(x, y)", x=(2, 1), y=())])
def logaddexp(z, x, y):
    # the slopes are sigmoid(x - y) and sigmoid(y - x), in the tanh form (stable, and
    # free of z: a sweep for the gradient alone need not compute the logaddexp); the
    # halving on d[z] first: one operation fewer on arrays when d[z] is a number
    d[x] = d[z] * 0.5 * (1 - np.tanh((y - x) * 0.5))
    d[y] = d[z] * 0.5 * (1 + np.tanh((y - x) * 0.5))


@tangent(np.logaddexp)
def logaddexp_tangent(z, x, y):
    t[z] = t[x] * np.exp(x - z) + t[y] * np.exp(y - z)


@adjoint(np.logaddexp2, facts=BINARY.but(float_result=True), broadcast=True,
         examples=[example("np.logaddexp2(x, y)", x=(3, 1), y=(1, 2))])
def logaddexp2(z, x, y):
    d[x] = d[z] * np.exp2(x - z)
    d[y] = d[z] * np.exp2(y - z)


# --- powers and roots ------------------------------------------------------------------


@adjoint(np.sqrt, math.sqrt, facts=FLOAT_UNARY.but(smooth=True, correctly_rounded=True,
                                                    bound="increasing"),
         examples=[example("np.sqrt(x)", x=(4,), positive="x"),
                   example("math.sqrt(x)", x=(), positive="x")])
def sqrt(z, x):
    d[x] = safe_div(d[z], 2 * z)


@adjoint(np.cbrt, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.cbrt(x)", x=(2, 3), positive="x"),
                   example("np.cbrt(x)", x=(3,), domain={"x": (-2, -0.5)})])
def cbrt(z, x):
    d[x] = safe_div(d[z], 3 * z * z)


@adjoint(np.square, facts=UNARY.but(smooth=True, bound="nonnegative"),
         examples=[example("np.square(x)", x=(3,)), example("np.square(x)", x=())])
def square(z, x):
    d[x] = d[z] * 2 * x


@adjoint(np.reciprocal, facts=UNARY.but(smooth=True),
         examples=[example("np.reciprocal(x)", x=(3,), positive="x"),
                   example("np.reciprocal(x)", x=(2, 1), domain={"x": (-2, -0.5)})])
def reciprocal(z, x):
    d[x] = -safe_div(d[z], x * x)


# --- trigonometric and hyperbolic ----------------------------------------------------------


@adjoint(np.sin, math.sin, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.sin(x)", x=(4,)), example("math.sin(x)", x=())])
def sin(z, x):
    d[x] = d[z] * np.cos(x)


@adjoint(np.cos, math.cos, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.cos(x)", x=(4,)), example("math.cos(x)", x=())])
def cos(z, x):
    d[x] = -d[z] * np.sin(x)


@adjoint(np.tan, math.tan, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.tan(x)", x=(4,)), example("math.tan(x)", x=())])
def tan(z, x):
    d[x] = d[z] * (1 + z * z)


@adjoint(np.arcsin, math.asin, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.arcsin(x)", x=(2, 3), domain=_UNIT),
                   example("math.asin(x)", x=(), domain=_UNIT)])
def arcsin(z, x):
    d[x] = safe_div(d[z], np.sqrt(1 - x * x))


@adjoint(np.arccos, math.acos, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.arccos(x)", x=(4,), domain=_UNIT),
                   example("math.acos(x)", x=(), domain=_UNIT)])
def arccos(z, x):
    d[x] = -safe_div(d[z], np.sqrt(1 - x * x))


@adjoint(np.arctan, math.atan, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.arctan(x)", x=(4,)), example("math.atan(x)", x=())])
def arctan(z, x):
    d[x] = d[z] / (1 + x * x)


# np.arctan2(y, x) is the angle of the point (x, y).
@adjoint(np.arctan2, math.atan2, facts=BINARY.but(float_result=True), broadcast=True,
         examples=[example("np.arctan2(y, x)", y=(3, 4), x=(4,)),
                   example("np.arctan2(y, x)", y=(2, 1), x=(1, 3)),
                   example("math.atan2(y, x)", y=(), x=())])
def arctan2(z, y, x):
    d[y] = safe_div(d[z] * x, x * x + y * y)
    d[x] = -safe_div(d[z] * y, x * x + y * y)


@adjoint(np.sinh, math.sinh, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.sinh(x)", x=(3,)), example("math.sinh(x)", x=())])
def sinh(z, x):
    d[x] = d[z] * np.cosh(x)


@adjoint(np.cosh, math.cosh, facts=FLOAT_UNARY.but(smooth=True, bound="nonnegative"),
         examples=[example("np.cosh(x)", x=(3,)), example("math.cosh(x)", x=())])
def cosh(z, x):
    d[x] = d[z] * np.sinh(x)


@adjoint(np.tanh, math.tanh, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.tanh(x)", x=(2, 3)), example("math.tanh(x)", x=())])
def tanh(z, x):
    d[x] = d[z] * (1 - z * z)


@adjoint(np.arcsinh, math.asinh, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.arcsinh(x)", x=(4,)), example("math.asinh(x)", x=())])
def arcsinh(z, x):
    d[x] = d[z] / np.sqrt(x * x + 1)


@adjoint(np.arccosh, math.acosh, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.arccosh(x)", x=(4,), domain={"x": (1.2, 3)}),
                   example("math.acosh(x)", x=(), domain={"x": (1.2, 3)})])
def arccosh(z, x):
    d[x] = safe_div(d[z], np.sqrt(x * x - 1))


@adjoint(np.arctanh, math.atanh, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("np.arctanh(x)", x=(2, 2), domain=_UNIT),
                   example("math.atanh(x)", x=(), domain=_UNIT)])
def arctanh(z, x):
    d[x] = safe_div(d[z], 1 - x * x)


@adjoint(np.sinc, facts=FLOAT_UNARY,
         examples=[example("np.sinc(x)", x=(5,)), example("np.sinc(x)", x=())])
def sinc(z, x):
    d[x] = d[z] * sinc_slope(x, z)


@adjoint(np.hypot, math.hypot, facts=BINARY.but(float_result=True, bound="nonnegative"),
         broadcast=True,
         examples=[example("np.hypot(x, y)", x=(3, 4), y=(4,)),
                   example("math.hypot(x, y)", x=(), y=())])
def hypot(z, x, y):
    d[x] = safe_div(d[z] * x, z)
    d[y] = safe_div(d[z] * y, z)


