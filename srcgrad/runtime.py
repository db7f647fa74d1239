"""Helpers the generated code calls: the parts of rules too long for one line."""

from __future__ import annotations

import numpy as np


def unbroadcast(g, x):
    """Sum the adjoint `g` back to the shape of `x` (the adjoint of broadcasting)."""
    shape = np.shape(x)
    g_shape = np.shape(g)
    if g_shape == shape:
        return g
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


def repeat_to(g, x, axis, keepdims):
    """Spread the adjoint of a reduction over `axis` back over the reduced axes of `x`."""
    if not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, np.shape(x))


def winner(x, y):
    """1 where x beats y, 0.5 at ties, 0 elsewhere: the gradient share of max(x, y)."""
    return (x > y) + 0.5 * (x == y)


def positive_log(x):
    """log(x) where x > 0, else 0: d(x**y)/dy where the power is real (0 where x == 0)."""
    return np.log(np.where(x > 0, x, 1.0))


def _swap_last(a):
    return np.swapaxes(a, -1, -2)


def matmul_adjoint_x(g, x, y):
    """Adjoint of x in z = x @ y, for vectors, matrices and stacks of matrices."""
    if np.ndim(y) == 1:
        return unbroadcast(np.multiply.outer(g, y) if np.ndim(x) > 1 else g * y, x)
    if np.ndim(x) == 1:
        return unbroadcast(np.matmul(y, g[..., None])[..., 0] if np.ndim(y) > 2 else y @ g, x)
    return unbroadcast(np.matmul(g, _swap_last(y)), x)


def matmul_adjoint_y(g, x, y):
    """Adjoint of y in z = x @ y, for vectors, matrices and stacks of matrices."""
    if np.ndim(x) == 1:
        if np.ndim(y) == 1:
            return g * x
        return unbroadcast(np.multiply.outer(x, g) if np.ndim(y) == 2
                           else x[:, None] * g[..., None, :], y)
    if np.ndim(y) == 1:
        return unbroadcast(np.matmul(_swap_last(x), g[..., None])[..., 0], y)
    return unbroadcast(np.matmul(_swap_last(x), g), y)


def dot_adjoint_x(g, x, y):
    """Adjoint of x in np.dot(x, y)."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * y, x)
    if np.ndim(y) > 2:
        raise NotImplementedError("srcgrad: np.dot with a 3-d or larger second argument")
    return matmul_adjoint_x(g, x, y)


def dot_adjoint_y(g, x, y):
    """Adjoint of y in np.dot(x, y)."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * x, y)
    if np.ndim(y) > 2:
        raise NotImplementedError("srcgrad: np.dot with a 3-d or larger second argument")
    return matmul_adjoint_y(g, x, y)


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def scatter_add(x, index, g):
    """Adjoint of `x[index]`: zeros shaped like x with g added at index.

    Repeated integer indices accumulate (np.add.at semantics).
    """
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    if _is_basic_index(index):
        out[index] += g
    else:
        np.add.at(out, index, g)
    return out


def unstack(g, axis=0):
    """Adjoint of np.stack: the slices of g along `axis`, one per stacked array."""
    return list(np.moveaxis(g, axis, 0))
