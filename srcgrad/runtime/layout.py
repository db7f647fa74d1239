"""Helpers of the rules for NumPy's functions that move, join and split arrays (tril,
atleast_2d, meshgrid, block, delete, partition, real and imag ...)."""

from __future__ import annotations

import numpy as np

from .adjoints import unbroadcast
from .containers import zero_tangent


def reshaped(values, like):
    """`values` (an array, or a sequence of them) in the shapes of `like` (an array, or a
    sequence): the adjoint and tangent of np.atleast_1d/2d/3d, which only add axes."""
    one = not isinstance(like, (list, tuple))
    values = values if isinstance(values, (list, tuple)) else [values]
    out = [np.reshape(v, np.shape(x)) for v, x in zip(values, [like] if one else like)]
    return out[0] if one else out


def filled(tangents, arrays):
    """The tangents of a *args parameter with zeros for the arrays that have none (None)."""
    return [zero_tangent(x) if t is None else t for t, x in zip(tangents, arrays)]


def unbroadcast_each(g, arrays):
    """Adjoint of np.broadcast_arrays(*arrays): each result's adjoint summed back."""
    return [unbroadcast(part, x) for part, x in zip(g, arrays)]


def meshgrid_adjoint(g, arrays, indexing="xy"):
    """Adjoint of np.meshgrid(*arrays): each grid's adjoint summed over the axes its array
    does not vary along ('xy' swaps the first two)."""
    out = []
    for i, (part, x) in enumerate(zip(g, arrays)):
        axis = 1 - i if indexing == "xy" and len(arrays) > 1 and i < 2 else i
        others = tuple(k for k in range(np.ndim(part)) if k != axis)
        out.append(np.reshape(np.sum(part, axis=others), np.shape(x)))
    return out


def _extent(item, axis, level, depth, ndim):
    """The size along `axis` (negative) of the block np.block makes of `item`, a list at
    nesting `level` or an array; the lists at level L join along axis L - depth."""
    if not isinstance(item, list):
        return ((1,) * (ndim - np.ndim(item)) + np.shape(item))[axis]
    parts = [_extent(part, axis, level + 1, depth, ndim) for part in item]
    return sum(parts) if level - depth == axis else parts[0]


def _depth(item) -> int:
    return 1 + _depth(item[0]) if isinstance(item, list) else 0


def _leaves(item):
    return [leaf for part in item for leaf in _leaves(part)] if isinstance(item, list) else [item]


def unblock(g, arrays):
    """Adjoint of np.block(arrays): g cut into the nested lists' blocks."""
    depth = _depth(arrays)
    ndim = max([depth] + [np.ndim(leaf) for leaf in _leaves(arrays)])

    def cut(g, item, level):
        if not isinstance(item, list):
            return np.reshape(g, np.shape(item))
        axis = level - depth
        bounds = np.cumsum([_extent(part, axis, level + 1, depth, ndim) for part in item])
        return [cut(piece, part, level + 1)
                for piece, part in zip(np.split(g, bounds[:-1], axis=axis), item)]
    return cut(np.asarray(g), arrays, 0)


def rollaxis_permutation(ndim, axis, start=0):
    """The axes np.rollaxis(a, axis, start) puts in order (for np.transpose)."""
    axis, start = axis % ndim, start + ndim if start < 0 else start
    order = [k for k in range(ndim) if k != axis]
    order.insert(start - (start > axis), axis)
    return tuple(order)


def undelete(g, arr, obj, axis=None):
    """Adjoint of np.delete(arr, obj, axis): g in the places it kept, zeros elsewhere."""
    if axis is None:
        return np.reshape(undelete(g, np.ravel(arr), obj, 0), np.shape(arr))
    kept = np.delete(np.arange(np.shape(arr)[axis]), obj)
    out = np.zeros(np.shape(arr), dtype=np.result_type(g, 1.0))
    index = [slice(None)] * np.ndim(arr)
    index[axis] = kept
    out[tuple(index)] = g
    return out


def unpartition(g, a, kth, axis=-1):
    """Adjoint of np.partition(a, kth, axis): each element's adjoint from where it went."""
    order = np.argpartition(a, kth, axis=axis)
    if axis is None:
        out = np.zeros(np.size(a), dtype=np.result_type(g, 1.0))
        out[order] = g
        return np.reshape(out, np.shape(a))
    out = np.zeros(np.shape(a), dtype=np.result_type(g, 1.0))
    np.put_along_axis(out, order, g, axis=axis)
    return out


def imag_adjoint(g, x):
    """Adjoint of np.imag(x): none for a real x; -1j g for a complex one (the adjoint of a
    complex value being d/d(real part) - 1j d/d(imaginary part), as in JAX)."""
    return -1j * g if np.iscomplexobj(x) else np.zeros(np.shape(x), np.result_type(g, 1.0))


def select_adjoint(g, condlist, choicelist, default=0):
    """Adjoints of np.select(condlist, choicelist, default): each choice's where its condition
    is the first true one, the default's where none is; the last item is the default's."""
    taken = np.zeros(np.shape(g), dtype=bool)
    out = []
    for condition, choice in zip(condlist, choicelist):
        first = np.logical_and(condition, np.logical_not(taken))
        out.append(unbroadcast(np.where(first, g, 0.0), choice))
        taken = np.logical_or(taken, condition)
    return out + [unbroadcast(np.where(taken, 0.0, g), default)]
