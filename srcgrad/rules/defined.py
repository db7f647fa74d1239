"""NumPy functions written in srcgrad as code over functions with rules (registry.define):
a call runs and differentiates the definition as it would a helper of the user's, so the
adjoint, tangent and second derivatives come from the rules it calls. Statistics that
ignore NaN, weighted averages, quantiles, polynomials, interpolation, select, cross and
kron; angle conversions by their slopes.

Each definition keeps NumPy's arguments and results for the options it accepts; a call
with others is refused where it is written.
"""

import numpy as np

from .forms import elementwise
from .registry import array_operands, define, example

# --- angles: linear, by their constant slopes ------------------------------------------------


@elementwise(np.deg2rad, np.radians, domain=(-200, 200))
def deg2rad(z, x):
    return np.pi / 180


@elementwise(np.rad2deg, np.degrees, domain=(-4, 4))
def rad2deg(z, x):
    return 180 / np.pi


# --- statistics that skip NaN: the NaN entries get no gradient ----------------------------------

def _with_nan(expr):
    """`expr` ({} for x) with x's entries [0, 1] and [2, 3] NaN (their gradient must be 0)."""
    return expr.format("np.where(np.isin(np.arange(12).reshape(3, 4), (1, 11)), np.nan, x)")


@define(np.nansum, examples=[example(_with_nan("np.nansum({})"), x=(3, 4)),
                             example(_with_nan("np.nansum({}, axis=1, keepdims=True)"), x=(3, 4))])
def nansum(a, axis=None, dtype=None, out=None, keepdims=False):
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=keepdims)


@define(np.nanmean, examples=[example(_with_nan("np.nanmean({})"), x=(3, 4)),
                              example(_with_nan("np.nanmean({}, axis=0)"), x=(3, 4))])
def nanmean(a, axis=None, dtype=None, out=None, keepdims=False):
    count = np.sum(np.logical_not(np.isnan(a)), axis=axis, keepdims=keepdims)
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=keepdims) / count


@define(np.nanvar, examples=[example(_with_nan("np.nanvar({})"), x=(3, 4)),
                             example(_with_nan("np.nanvar({}, axis=1, ddof=1)"), x=(3, 4))])
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    deviation = np.where(np.isnan(a), 0.0, a - np.nanmean(a, axis=axis, keepdims=True))
    count = np.sum(np.logical_not(np.isnan(a)), axis=axis, keepdims=keepdims)
    return np.sum(deviation * deviation, axis=axis, keepdims=keepdims) / (count - ddof)


# At zero spread the gradient is 0, as np.std's (the square root's slope is infinite there).
@define(np.nanstd, examples=[example(_with_nan("np.nanstd({})"), x=(3, 4)),
                             example(_with_nan("np.nanstd({}, axis=0, keepdims=True)"), x=(3, 4))])
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    variance = np.nanvar(a, axis=axis, ddof=ddof, keepdims=keepdims)
    spread = variance > 0
    return np.where(spread, np.sqrt(np.where(spread, variance, 1.0)), 0.0)


# An all-NaN slice gives NaN (with no gradient), as NumPy's (which also warns).
@define(np.nanmax, examples=[example(_with_nan("np.nanmax({})"), x=(3, 4)),
                             example(_with_nan("np.nanmax({}, axis=1)"), x=(3, 4))])
def nanmax(a, axis=None, out=None, keepdims=False):
    missing = np.isnan(a)
    largest = np.max(np.where(missing, -np.inf, a), axis=axis, keepdims=keepdims)
    return np.where(np.all(missing, axis=axis, keepdims=keepdims), np.nan, largest)


@define(np.nanmin, examples=[example(_with_nan("np.nanmin({})"), x=(3, 4)),
                             example(_with_nan("np.nanmin({}, axis=0, keepdims=True)"), x=(3, 4))])
def nanmin(a, axis=None, out=None, keepdims=False):
    missing = np.isnan(a)
    smallest = np.min(np.where(missing, np.inf, a), axis=axis, keepdims=keepdims)
    return np.where(np.all(missing, axis=axis, keepdims=keepdims), np.nan, smallest)


# Ties share the gradient, as in np.max and np.min.
@define(np.ptp, examples=[example("np.ptp(x)", x=(3, 4)), example("np.ptp(x, axis=1)", x=(3, 4)),
                          example("np.ptp(x, 0, keepdims=True)", x=(2, 3))])
def ptp(a, axis=None, out=None, keepdims=False):
    return np.max(a, axis=axis, keepdims=keepdims) - np.min(a, axis=axis, keepdims=keepdims)


# Weights along `axis` (1-d, as long as that axis) or of a's shape; gradient to both.
@define(np.average, examples=[
    example("np.average(x)", x=(3, 4)), example("np.average(x, axis=1)", x=(3, 4)),
    example("np.average(x, weights=w)", x=(3, 2), w=(3, 2), positive="w"),
    example("np.average(x, 0, w)", x=(3, 2), w=(3,), positive="w"),
    example("np.average(x, axis=-1, weights=w, keepdims=True)", x=(2, 3), w=(3,), positive="w"),
    example("np.stack(np.average(x, 1, w, returned=True))", x=(2, 3), w=(2, 3), positive="w"),
    example("np.stack(np.average(x, 0, returned=True))", x=(2, 3))])
def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        value = np.mean(a, axis=axis, keepdims=keepdims)
        total = np.broadcast_to(np.size(a) / np.size(value), np.shape(value)).astype(float)
    else:
        if np.ndim(weights) != np.ndim(a):  # 1-d weights along axis
            weights = np.reshape(weights, np.shape(weights)
                                 + (1,) * (np.ndim(a) - 1 - axis % np.ndim(a)))
        weights = np.broadcast_to(weights, np.shape(a))
        total = np.sum(weights, axis=axis, keepdims=keepdims)
        value = np.sum(a * weights, axis=axis, keepdims=keepdims) / total
    if returned:
        return value, np.broadcast_to(total, np.shape(value))
    return value


# --- quantiles: a sorted slice read at the virtual index h, interpolated linearly ---------------

# (alpha, beta) of Hyndman and Fan's continuous methods (types 4 to 9); the discontinuous
# ones NumPy offers round the `linear` method's index.
_CONTINUOUS = {"linear": (1.0, 1.0), "interpolated_inverted_cdf": (0.0, 1.0),
               "hazen": (0.5, 0.5), "weibull": (0.0, 0.0), "median_unbiased": (1 / 3, 1 / 3),
               "normal_unbiased": (3 / 8, 3 / 8)}


# The gradient goes to the one or two sorted values read (ties: the one the sort put
# there), and to q through the interpolation between them.
@define(np.quantile, examples=[
    example("np.quantile(x, 0.3)", x=(7,)), example("np.quantile(x, 0.6, axis=1)", x=(2, 5)),
    example("np.quantile(x, q, axis=0)", x=(5, 3), q=(2,), domain={"q": (0.1, 0.9)}),
    example("np.quantile(x, q)", x=(2, 3), q=(), domain={"q": (0.1, 0.9)}),
    example("np.quantile(x, 0.4, axis=0, keepdims=True)", x=(6, 2)),
    example("np.quantile(x, 0.35, keepdims=True)", x=(2, 3)),
    example("np.quantile(x, (0.2, 0.7), method='hazen')", x=(6,)),
    example("np.quantile(x, 0.3, 1, method='lower')", x=(2, 6)),
    example("np.quantile(x, 0.3, method='midpoint')", x=(6,)),
    example("np.quantile(x, 0.45, method='nearest')", x=(5,))])
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False):
    if axis is None:
        ordered = np.sort(np.ravel(a))
        along = 0
    else:
        ordered = np.sort(a, axis=axis)
        along = axis % np.ndim(a)
    n = np.shape(ordered)[along]
    q = np.asarray(q) if isinstance(q, (tuple, list)) else q + 0.0  # (a duck q stays one)
    if method == "lower":
        index = np.floor((n - 1) * q)
    elif method == "higher":
        index = np.ceil((n - 1) * q)
    elif method == "nearest":
        index = np.round((n - 1) * q)
    elif method == "midpoint":
        index = (np.floor((n - 1) * q) + np.ceil((n - 1) * q)) / 2
    else:
        alpha, beta = _CONTINUOUS[method]
        index = np.clip(n * q + alpha + q * (1 - alpha - beta) - 1, 0, n - 1)
    below = np.clip(np.floor(index), 0, max(n - 2, 0)).astype(int)
    above = np.minimum(below + 1, n - 1)
    fraction = index - below
    low = np.moveaxis(np.take(ordered, below, axis=along),
                      tuple(range(along, along + np.ndim(q))), tuple(range(np.ndim(q))))
    high = np.moveaxis(np.take(ordered, above, axis=along),
                       tuple(range(along, along + np.ndim(q))), tuple(range(np.ndim(q))))
    fraction = np.reshape(fraction, np.shape(fraction) + (1,) * (np.ndim(low) - np.ndim(q)))
    value = low + fraction * (high - low)
    if keepdims:
        if axis is None:
            return np.reshape(value, np.shape(q) + (1,) * np.ndim(a))
        return np.expand_dims(value, np.ndim(q) + along)
    return value


@define(np.percentile, examples=[
    example("np.percentile(x, 30)", x=(7,)), example("np.percentile(x, 60, axis=1)", x=(2, 5)),
    example("np.percentile(x, q, axis=0)", x=(5, 3), q=(2,), domain={"q": (10, 90)})])
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False):
    return np.quantile(a, q / 100, axis=axis, method=method, keepdims=keepdims)


# NaN in a slice gives NaN, as NumPy's median.
@define(np.median, examples=[example("np.median(x)", x=(7,)), example("np.median(x)", x=(2, 3)),
                             example("np.median(x, axis=1)", x=(3, 4)),
                             example("np.median(x, 0, keepdims=True)", x=(5, 2))])
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    value = np.quantile(a, 0.5, axis=axis, keepdims=keepdims)
    return np.where(np.any(np.isnan(a), axis=axis, keepdims=keepdims), np.nan, value)


# --- polynomials, interpolation, selection, products of vectors ---------------------------------


# Horner's rule: linear in p, a polynomial in x.
@define(np.polyval, examples=[example("np.polyval(p, x)", p=(4,), x=(3,)),
                              example("np.polyval(p, x)", p=(2,), x=(2, 2)),
                              example("np.polyval(p, x)", p=(3,), x=())])
def polyval(p, x):
    value = np.zeros_like(x * p[0])
    for k in range(len(p)):
        value = value * x + p[k]
    return value


# z = (1 - t) fp[j] + t fp[j + 1] with t = (x - xp[j]) / (xp[j + 1] - xp[j]), j the interval
# holding x (at a knot, the one to its right); outside [xp[0], xp[-1]]: left or right, or
# the end value. Gradient to x, xp, fp, left and right.
@define(np.interp, examples=[
    example("np.interp(x, np.array([-1.0, 0.0, 0.5, 1.25]), fp)", x=(5,), fp=(4,),
            domain={"x": (-1.4, 1.6)}),
    example("np.interp(x, xp + np.arange(4.0), fp, left=l, right=r)", x=(6,), xp=(4,), fp=(4,),
            l=(), r=(), domain={"x": (-1, 4.5), "xp": (-0.3, 0.3)}),
    example("np.interp(x, np.arange(3.0), fp)", x=(2, 2), fp=(3,), domain={"x": (0.1, 1.9)})])
def interp(x, xp, fp, left=None, right=None, period=None):
    # xp and fp of x's kind: indexing NumPy's with a duck array's j would convert it
    xp = xp + np.zeros_like(x, dtype=float, shape=np.shape(xp))
    fp = fp + np.zeros_like(x, dtype=float, shape=np.shape(fp))
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    start, end = xp[j], xp[j + 1]
    t = (x - start) / (end - start)
    value = fp[j] + t * (fp[j + 1] - fp[j])
    value = np.where(x < xp[0], fp[0] if left is None else left, value)
    value = np.where(x > xp[-1], fp[-1] if right is None else right, value)
    return np.where(x == xp[-1], fp[-1], value)


# Vectors of 3 (or 2: the z component of the product) along the axes given.
@define(np.cross, examples=[example("np.cross(x, y)", x=(3,), y=(3,)),
                            example("np.cross(x, y)", x=(4, 3), y=(3,)),
                            example("np.cross(x, y)", x=(2,), y=(2,)),
                            example("np.cross(x, y, axisa=0, axisb=0, axisc=0)", x=(3, 2),
                                    y=(3, 2)),
                            example("np.cross(x, y, axis=0)", x=(2, 2), y=(2, 2)),
                            example("np.cross(x, y)", x=(2, 3), y=(2, 2))])
def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa, axisb, axisc = axis, axis, axis
    a = np.moveaxis(a, axisa, -1)
    b = np.moveaxis(b, axisb, -1)
    if np.shape(a)[-1] == 2 and np.shape(b)[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1 = a[..., 0], a[..., 1]
    b0, b1 = b[..., 0], b[..., 1]
    a2 = a[..., 2] if np.shape(a)[-1] == 3 else np.zeros_like(a0)
    b2 = b[..., 2] if np.shape(b)[-1] == 3 else np.zeros_like(b0)
    value = np.stack(np.broadcast_arrays(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0),
                     axis=-1)
    return np.moveaxis(value, -1, axisc)


# The outer product with each axis of a interleaved with the matching one of b.
@define(np.kron, examples=[example("np.kron(x, y)", x=(2, 3), y=(2, 2)),
                           example("np.kron(x, y)", x=(3,), y=(2,)),
                           example("np.kron(x, y)", x=(2,), y=(2, 3)),
                           example("np.kron(x, y)", x=(), y=(2,))])
def kron(a, b):
    ndim = max(np.ndim(a), np.ndim(b))
    a = np.reshape(a, (1,) * (ndim - np.ndim(a)) + np.shape(a))
    b = np.reshape(b, (1,) * (ndim - np.ndim(b)) + np.shape(b))
    outer = np.reshape(a, tuple(s for n in np.shape(a) for s in (n, 1))) * np.reshape(
        b, tuple(s for n in np.shape(b) for s in (1, n)))
    return np.reshape(outer, tuple(m * n for m, n in zip(np.shape(a), np.shape(b))))


# np.vdot: the dot product of the flattened arrays, the first conjugated.
@define(np.vdot, examples=[example("np.vdot(x, y)", x=(3,), y=(3,)),
                           example("np.vdot(x, y)", x=(2, 3), y=(6,)),
                           example("np.vdot(x, x * y)", x=(2, 2), y=(2, 2))])
def vdot(a, b):
    return np.dot(np.conj(np.ravel(a)), np.ravel(b))


# Each element from the choice its index names (a nested np.where); an index out of range
# raises as NumPy's (mode="raise"), or is clipped or wrapped.
@define(np.choose, examples=[
    example("np.choose(np.array([0, 1, 0]), (x, y))", x=(3,), y=(3,)),
    example("np.choose(c, (x, y, x * y))", x=(2, 3), y=(3,), ints={"c": [[0, 1, 2], [2, 1, 0]]}),
    example("np.choose(c, (x, y), mode='clip')", x=(3,), y=(), ints={"c": [-1, 0, 4]}),
    example("np.choose(c, (x, y), mode='wrap')", x=(3,), y=(3,), ints={"c": [3, -1, 0]})])
def choose(a, choices, out=None, mode="raise"):
    n = len(choices)
    if mode == "clip":
        a = np.clip(a, 0, n - 1)
    elif mode == "wrap":
        a = np.mod(a, n)
    elif np.any((a < 0) | (a >= n)):
        raise ValueError("invalid entry in choice array")
    value = np.where(a == n - 1, choices[n - 1], choices[n - 1])  # (every shape broadcast)
    for k in range(n - 2, -1, -1):
        value = np.where(a == k, choices[k], value)
    return value


# (np.polyval(p, [0.5, 1.0]): the list is read as an array, registry.array_operands)
array_operands(np.percentile, np.quantile, params=("a", "q"))
array_operands(np.polyval, params=("p", "x"))
array_operands(np.interp, params=("x", "xp", "fp"))
array_operands(np.kron, params=("a", "b"))
