"""Helpers the adjoint rules call: the parts of a rule too long for one line (sums back
to an operand's shape, ties of a maximum, safe division, ...)."""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError
from .array_kind import is_duck, stacked
from .containers import Parts


def unbroadcast(g, x):
    """Sum the adjoint `g` back to the shape of `x` (the adjoint of broadcasting)."""
    shape = getattr(x, "shape", ())  # Python numbers have no shape: ()
    g_shape = getattr(g, "shape", ())
    if g_shape == shape:  # the common case: nothing was broadcast
        if type(g) is Parts and len(g) != len(x):
            raise SrcGradError(
                "srcgrad cannot differentiate this `a + b` of lists or tuples: it read it as "
                "an addition of arrays.\nWrite the sum with a list or tuple on one side "
                "(`a + [b]`, `a + list(b)`): that is a concatenation.")
        return g
    g, x = stacked(g), stacked(x)  # (parts that are duck arrays: np.shape would convert)
    shape, g_shape = np.shape(x), np.shape(g)  # lists and other array-likes
    if not shape:
        return np.sum(g)
    extra = len(g_shape) - len(shape)
    if extra < 0:
        return np.broadcast_to(g, shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g_shape[extra + i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return np.reshape(g, shape)


def broadcast_like(t, z):
    """The tangent `t` of an operand spread to the shape of the result `z`."""
    if isinstance(t, list) and isinstance(z, list):  # adjoints of containers (Parts), added
        return t
    if np.shape(t) == np.shape(z):
        return t
    return np.broadcast_to(t, np.shape(z)).copy()


def repeat_to(g, x, axis, keepdims):
    """Spread the adjoint of a reduction over `axis` back over the reduced axes of `x`."""
    if not keepdims and axis is not None and np.ndim(g):  # a number spreads as it is
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def safe_div(g, den):
    """g / den, but 0 wherever g is 0.

    A zero adjoint stays zero where the local derivative is infinite or NaN,
    so the branch `np.where` did not take (sqrt or log of a negative number)
    cannot leak NaN into the gradient.
    """
    if isinstance(g, float) and isinstance(den, float):  # numbers (np.float64 included)
        if g == 0:
            return 0.0
        return g / den if den != 0 else np.float64(g) / den  # inf, as NumPy gives
    if (type(g) is np.ndarray and type(den) is np.ndarray and g.shape == den.shape
            and g.dtype is den.dtype and g.dtype.kind == "f"):  # the common case, quickly
        out = np.zeros(g.shape, g.dtype)
        np.divide(g, den, out=out, where=g != 0)
        return out
    if is_duck(g) or is_duck(den):  # with the arrays' own library, never converted
        return g / np.where(g == 0, 1, den)
    g, den = np.asarray(g), np.asarray(den)
    out = np.zeros(np.broadcast_shapes(g.shape, den.shape), dtype=np.result_type(g, den, 1.0))
    np.divide(g, den, out=out, where=g != 0)
    return out if out.ndim else out[()]


def centered(x, axis):
    """x minus its mean over `axis` (kept for broadcasting): the slope of the variance."""
    return x - np.mean(x, axis=axis, keepdims=True)


def split_among_ties(g, x, z, axis, keepdims):
    """Adjoint of z = max(x, axis) (or min): g goes to the elements of x equal to z,
    split equally among ties."""
    hit = x == repeat_to(z, x, axis, keepdims)
    return repeat_to(g, x, axis, keepdims) * hit / np.sum(hit, axis=axis, keepdims=True)


def split_ties_kept(g, x, z, axis):
    """`split_among_ties` where `g` and `z` keep the reduced axes (keepdims=True), as
    specialized code knows from the shapes: no broadcasting of them to x's shape; the
    share of each tie (g / count) is computed on the small array."""
    hit = x == z
    if hit.sum() == z.size and not np.isnan(z).any():  # one maximum per group: no share
        return hit * g  # (a group whose maximum is not NaN holds it at least once)
    return hit * (g / hit.sum(axis=axis, keepdims=True))


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(a % ndim for a in axes)


def prod_of_others(x, axis):
    """For each element of x, the product of the others reduced with it over `axis`:
    d prod(x) / dx, exact where x has zeros."""
    x = x if is_duck(x) else np.asarray(x)
    axes = _axes(axis, x.ndim)
    last = tuple(range(x.ndim - len(axes), x.ndim))
    moved = np.moveaxis(x, axes, last)
    flat = np.reshape(moved, moved.shape[:x.ndim - len(axes)] + (-1,))
    ones = np.ones_like(flat[..., :1])
    before = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis(np.reshape(before * after, moved.shape), last, axes)


def reverse_cumsum(g, axis):
    """Sums from the end: the adjoint of np.cumsum along `axis`."""
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_adjoint(g, x, z, axis):
    """Adjoint of z = np.cumprod(x, axis); exact where x has zeros."""
    if axis is None:
        return np.reshape(_cumprod_adjoint(np.ravel(g), np.ravel(x), np.ravel(z), 0),
                          np.shape(x))
    return _cumprod_adjoint(g, x, z, axis)


def _cumprod_adjoint(g, x, z, axis):
    if np.all(x != 0):
        return reverse_cumsum(g * z, axis) / x
    # With zeros: d z_i / d x_j is the running product up to i with x_j left out.
    g, x = np.moveaxis(g, axis, -1), np.moveaxis(x, axis, -1)
    n = np.shape(x)[-1]
    columns = []
    for j in range(n):
        left_out = np.where(np.arange(n) == j, 1.0, x)
        columns.append(np.sum((g * np.cumprod(left_out, axis=-1))[..., j:], axis=-1))
    return np.moveaxis(np.stack(columns, axis=-1), -1, axis)


def norm_adjoint(g, x, z, ord, axis, keepdims):
    """Adjoint of z = np.linalg.norm(x, ord, axis) for an explicit `ord`: vector p-norms
    (any p, inf, -inf) and matrix norms ('nuc', 2, -2, 1, -1, inf, -inf)."""
    x = np.asarray(x)
    if np.ndim(x) == 2 if axis is None else np.size(axis) == 2:
        if np.iscomplexobj(x):
            raise SrcGradError(f"np.linalg.norm(x, {ord!r}) of a complex matrix: srcgrad has "
                               "no derivative of it. Write it from the matrix's real and "
                               "imaginary parts (np.real, np.imag).")
        return _matrix_norm_adjoint(g, x, ord, (0, 1) if axis is None else tuple(axis),
                                    keepdims)
    if axis is None:
        axis = 0
    g, z = repeat_to(g, x, axis, keepdims), repeat_to(z, x, axis, keepdims)
    if ord in (np.inf, -np.inf):
        hit = np.abs(x) == z
        return g * abs_slope(x) * hit / np.sum(hit, axis=axis, keepdims=True)
    if ord == 0:  # the number of nonzero elements: piecewise constant
        return np.zeros(x.shape, dtype=np.result_type(x, g, 1.0))
    return g * abs_slope(x) * safe_div(np.abs(x), z) ** (ord - 1)


def _matrix_norm_adjoint(g, x, ord, axes, keepdims):
    """norm_adjoint of a matrix norm over the two `axes` of x: each matrix, moved to the
    last two axes, gets its adjoint there, shared equally among ties (of the largest
    singular value, column sum or row sum the norm picks)."""
    a = np.moveaxis(x, axes, (-2, -1))
    g = np.asarray(g)
    if keepdims:
        g = np.squeeze(g, axis=axes)
    g = np.broadcast_to(g, a.shape[:-2])[..., None, None]
    if ord in ("nuc", 2, -2):  # sums, maximum or minimum of the singular values
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        share = np.ones_like(s) if ord == "nuc" else _ties(s, ord > 0)
        slope = (u * share[..., None, :]) @ vh
    elif ord in (1, -1):  # the largest (smallest) column sum of |a|
        slope = np.sign(a) * _ties(np.sum(np.abs(a), axis=-2), ord > 0)[..., None, :]
    elif ord in (np.inf, -np.inf):  # the largest (smallest) row sum of |a|
        slope = np.sign(a) * _ties(np.sum(np.abs(a), axis=-1), ord > 0)[..., :, None]
    else:
        raise ValueError(f"Invalid norm order {ord!r} for matrices.")  # as NumPy says
    return np.moveaxis(g * slope, (-2, -1), axes)


def _ties(values, largest):
    """Weights on the last axis of `values`: 1 / count at its maximum (or minimum), 0
    elsewhere."""
    best = np.max(values, axis=-1, keepdims=True) if largest else np.min(
        values, axis=-1, keepdims=True)
    hit = values == best
    return hit / np.sum(hit, axis=-1, keepdims=True)


def abs_slope(x):
    """The slope of |x| an adjoint is multiplied by: sign(x) of a real x; conj(x) / |x| of
    a complex one (0 at 0), as an adjoint of a complex value is d/d(real) - 1j d/d(imag)
    (NumPy 1.x's sign of a complex number is the sign of its real part)."""
    if not np.iscomplexobj(x):
        return np.sign(x)
    size = np.abs(x)
    return np.conj(x) / np.where(size == 0, 1, size)


def abs_slope_jvp(t, x, s):
    """Tangent of s = abs_slope(x): 0 for a real x (a sign); for a complex one, with
    d|x| = Re(s t), ds = (conj(t) - s Re(s t)) / |x| (0 at 0)."""
    if not np.iscomplexobj(x) and not np.iscomplexobj(t):
        return np.zeros(np.shape(x), dtype=np.result_type(x, t, np.float16))
    size = np.abs(x)
    return (np.conj(t) - s * np.real(s * t)) / np.where(size == 0, 1, size) * (size != 0)


def abs_slope_vjp(g, x):
    """Adjoint of s = abs_slope(x): 0 for a real x (a sign, piecewise constant). A complex
    x is refused (second derivatives of |x| of complex values are out of scope)."""
    if np.iscomplexobj(x) or np.iscomplexobj(g):
        raise SrcGradError("a second derivative through abs of a complex value: srcgrad has "
                           "none. Write |z| from np.real(z) and np.imag(z).")
    return np.zeros(np.shape(x), dtype=np.result_type(x, g, np.float16))


def conjugated(x):
    """np.conj(x) of a complex x, x itself of a real one (no copy): what an adjoint rule
    multiplies by where the derivative of a real function of x reads x (|x|^2 = x conj(x))."""
    return np.conj(x) if np.iscomplexobj(x) else x


def stored(g, like):
    """The adjoint of a value written into `like` (`like[i] = v`): g, or zeros if `like`
    is an integer or bool array, which truncates what it is given (piecewise constant: no
    derivative), as cast_back of an astype to an integer type."""
    if np.dtype(getattr(like, "dtype", np.float64)).kind in "iub":
        return np.zeros(np.shape(g), dtype=np.result_type(g, np.float16))
    return g


def cast_back(g, x, dtype):
    """Adjoint of x.astype(dtype): g in x's dtype if dtype is a float type, else zeros."""
    if is_duck(x) or is_duck(g):
        kind = np.result_type(x.dtype if hasattr(x, "dtype") else x, np.float16)
        if np.issubdtype(np.dtype(dtype), np.inexact):
            return (g if is_duck(g) else np.zeros_like(x, dtype=kind) + g).astype(kind)
        return np.zeros_like(x, dtype=kind)
    if np.issubdtype(np.dtype(dtype), np.inexact):
        return np.asarray(g).astype(np.result_type(x, np.float16))
    return np.zeros(np.shape(x), dtype=np.result_type(x, np.float16))


def sinc_slope(x, z):
    """d sinc(x) / dx = (cos(pi x) - sinc(x)) / x, and 0 at x = 0."""
    nonzero = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 0.0, (np.cos(np.pi * x) - z) / nonzero)


def winner(x, y):
    """1 where x beats y, 0.5 at ties, 0 elsewhere: the gradient share of max(x, y)."""
    return (x > y) + 0.5 * (x == y)


def positive_log(x):
    """log(x) where x > 0, else 0: d(x**y)/dy where the power is real (0 where x == 0)."""
    return np.log(np.where(x > 0, x, 1.0))
