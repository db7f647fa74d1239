"""Helpers of the rules for NumPy's functions that move, join and split arrays (tril,
atleast_2d, meshgrid, block, delete, partition, real and imag ...)."""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError
from .adjoints import unbroadcast
from .array_kind import is_duck, size_of
from .containers import Parts, set_at, zero_tangent


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
        return Parts(cut(piece, part, level + 1)  # (added item by item, as a list's are)
                     for piece, part in zip(np.split(g, bounds[:-1], axis=axis), item))
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


def full_adjoint(g, a, v, mode, correlation=False):
    """The adjoint g of np.convolve(a, v, mode) (or np.correlate) placed in the full
    result's length, zeros around it: where the mode's slice sits in the full result."""
    n, m = size_of(a), size_of(v)
    if mode == "full":
        return g
    if mode == "same":
        offset = (m - 1) // 2 if correlation and n >= m else (
            n // 2 if correlation else (min(n, m) - 1) // 2)
    else:
        offset = min(n, m) - 1
    if is_duck(g):  # zeros of g's kind around it (no item assignment into NumPy's)
        dtype = np.result_type(g.dtype, 1.0)
        return np.concatenate([np.zeros_like(g, dtype=dtype, shape=(offset,)), g.astype(dtype),
                               np.zeros_like(g, dtype=dtype, shape=(n + m - 1 - offset - g.size,))])
    return set_at(np.zeros(n + m - 1, dtype=np.result_type(g, 1.0)),
                  slice(offset, offset + np.size(g)), g)


def _pad_widths(pad_width, ndim):
    return np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))


def pad_adjoint(g, array, pad_width, mode="constant"):
    """Adjoint of np.pad(array, pad_width, mode) for array: the centre of g, plus, for the
    modes that copy array's values (edge, reflect, symmetric, wrap), each copy's adjoint
    added back where it came from, one axis at a time."""
    widths = _pad_widths(pad_width, np.ndim(array))
    out = np.asarray(g)
    for axis, (before, after) in enumerate(widths):
        n = np.shape(array)[axis]
        moved = np.moveaxis(out, axis, 0)
        if mode == "constant":
            kept = moved[before:before + n]
        else:
            kept = np.zeros((n,) + np.shape(moved)[1:], dtype=np.result_type(g, 1.0))
            np.add.at(kept, np.pad(np.arange(n), (before, after), mode=mode), moved)
        out = np.moveaxis(kept, 0, axis)
    return out


def boundary_widths(in2, mode):
    """The pad widths of in1 that make scipy.signal.convolve2d's 'wrap' or 'symm' boundary
    (np.pad's 'wrap', 'symmetric') a 'valid' convolution of the padded in1: in2's size less
    one on each side ('full'), split with the larger part before ('same'), none ('valid')."""
    if mode == "full":
        return tuple((k - 1, k - 1) for k in np.shape(in2))
    if mode == "same":
        return tuple((k // 2, k - 1 - k // 2) for k in np.shape(in2))
    return tuple((0, 0) for _ in np.shape(in2))


def pad_constant_adjoint(g, array, pad_width, constant_values=0):
    """Adjoint of np.pad(array, pad_width, constant_values=c) for c: the sum of g over the
    cells each (axis, side) value fills (a later axis fills the corners, as NumPy does)."""
    ndim = np.ndim(array)
    codes = np.arange(2 * ndim).reshape(ndim, 2)
    labels = np.pad(np.full(np.shape(array), -1), _pad_widths(pad_width, ndim),
                    constant_values=codes)
    filled_cells = labels >= 0
    sums = np.bincount(labels[filled_cells], weights=np.asarray(g)[filled_cells],
                       minlength=2 * ndim).reshape(ndim, 2)
    return unbroadcast(sums, constant_values)


def linspace_adjoints(g, start, stop, num=50, endpoint=True, axis=0):
    """Adjoints of np.linspace(start, stop, num, endpoint, axis=axis) for start and stop:
    sample k is start (1 - k / div) + stop k / div."""
    div = (num - 1 if endpoint else num) or 1
    weights = np.arange(num) / div
    moved = np.moveaxis(np.asarray(g), axis, -1)
    to_stop = moved @ weights
    return [unbroadcast(np.sum(moved, axis=-1) - to_stop, start), unbroadcast(to_stop, stop)]


def placed_in_full(g, in1, in2, mode):
    """The adjoint g of an N-d convolution or correlation of in1 and in2 (scipy.signal) in
    the full result's shape, zeros around it: 'same' is centred on in2's middle, rounded
    down ((m - 1) // 2); 'valid' starts at min(n, m) - 1."""
    if mode == "full":
        return g
    shape1, shape2 = np.shape(in1), np.shape(in2)
    if mode == "same":
        offsets = [(m - 1) // 2 for m in shape2]
    else:
        offsets = [min(n, m) - 1 for n, m in zip(shape1, shape2)]
    return set_at(np.zeros(tuple(n + m - 1 for n, m in zip(shape1, shape2)),
                           dtype=np.result_type(g, 1.0)),
                  tuple(slice(o, o + k) for o, k in zip(offsets, np.shape(g))), g)


def unique_adjoint(g, ar):
    """Adjoint of the values of np.unique(ar): each to the first element holding it."""
    first = np.unique(np.ravel(ar), return_index=True)[1]
    out = np.zeros(np.size(ar), dtype=np.result_type(g, 1.0))
    out[first] = g
    return np.reshape(out, np.shape(ar))


def unique_tangent(t_ar, ar, z):
    """Tangent of np.unique(ar): the first element's holding each value; the indices and
    counts it may also return carry none."""
    values = np.ravel(t_ar)[np.unique(np.ravel(ar), return_index=True)[1]]
    if isinstance(z, tuple):
        return (values,) + tuple(np.zeros(np.shape(part)) for part in z[1:])
    return values


def piecewise_start(x, condlist, count):
    """What np.piecewise(x, condlist, funclist) starts from, funclist having `count` items:
    its zero result (x's shape and dtype) and the condition of each function, as NumPy reads
    them (one condition or a list of them; a function more than conditions: the last one
    holds where none does). Both constants: frontend/piecewise.py writes out the rest."""
    if not isinstance(x, (np.ndarray, np.generic)):
        raise SrcGradError(
            f"srcgrad writes np.piecewise out as masked assignments into x, which is a "
            f"{type(x).__name__} here.\nPass an array: `np.piecewise(np.asarray(x), ...)`.")
    if np.isscalar(condlist) or (not isinstance(condlist[0], (list, np.ndarray))
                                 and np.ndim(x) != 0):
        condlist = [condlist]  # a single condition
    conditions = np.asarray(condlist, dtype=bool)
    if len(conditions) == count - 1:
        otherwise = np.logical_not(np.any(conditions, axis=0, keepdims=True))
        conditions = np.concatenate([conditions, otherwise], axis=0)
    elif len(conditions) != count:
        raise ValueError(f"with {len(conditions)} condition(s), np.piecewise takes "
                         f"{len(conditions)} or {len(conditions) + 1} functions, not {count}")
    return np.zeros_like(x), conditions
