"""Adjoints of indexing, joining, splitting and reordering: values go back to where they
came from."""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError
from .array_kind import is_duck, is_lazy, on_kind_of, size_of
from .containers import Parts, item_adjoint


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def scatter_add(x, index, g):
    """Adjoint of `x[index]`: zeros shaped like x with g added at index.

    Repeated integer indices accumulate (np.add.at semantics).
    """
    if isinstance(x, (dict, list, tuple)):  # params dicts, tuple results (np.linalg.slogdet)
        return item_adjoint(x, index, g)
    if is_duck(x) or is_duck(g):
        return _duck_scatter_add(x, index, g)
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    if _is_basic_index(index):
        out[index] += g
    else:
        np.add.at(out, index, g)
    return out


def _duck_scatter_add(x, index, g):
    """`scatter_add` made by the duck array's library (a buffer of the same kind: on the
    same device, in the same graph), never converted to NumPy."""
    like = g if is_duck(g) else x
    dtype = np.result_type(*(v.dtype if hasattr(v, "dtype") else v for v in (x, g)), 1.0)
    out = np.zeros_like(like, dtype=dtype, shape=tuple(x.shape) if hasattr(x, "shape") else ())
    if _is_basic_index(index):  # no element twice: an assignment
        parts = index if isinstance(index, tuple) else (index,)
        if any(p is None for p in parts):  # (Dask's assignment mishandles new axes)
            index = tuple(p for p in parts if p is not None)
            g = np.reshape(g, out[index].shape)
        out[index] = g
    elif not is_lazy(out):
        np.add.at(out, index, g)
    else:  # (Dask implements no ufunc.at): one integer array along one axis
        parts = index if isinstance(index, tuple) else (index,)
        axis = next((i for i, p in enumerate(parts) if not isinstance(p, slice)), 0)
        along = parts[axis] if is_duck(parts[axis]) else np.asarray(parts[axis])
        if along.dtype.kind not in "iu" or not all(
                isinstance(p, slice) and p == slice(None) for i, p in enumerate(parts) if i != axis):
            raise SrcGradError(
                f"srcgrad cannot add the gradient of this indexing back into a lazy "
                f"{type(out).__name__}: its index is not one integer array along one axis "
                "(Dask has no ufunc.at)\nIndex with slices, or with one integer array, or "
                "compute the data into NumPy arrays first (dask.compute).")
        return _summed_into(out.shape, axis, along, g, dtype)
    return out


def _summed_into(shape, axis, index, g, dtype):
    """Zeros of `shape` with `g` added at the integer array `index` along `axis` (repeats
    add up), g shaped like `np.take(zeros, index, axis)`: a one-hot matrix of the duck
    array's kind (lazy for Dask: no ufunc.at, no item assignment) times g."""
    ref = g if is_duck(g) else index
    index = on_kind_of(index if is_duck(index) else np.asarray(index), ref)
    k = index.ndim
    moved = np.moveaxis(on_kind_of(g, ref), tuple(range(axis, axis + k)), tuple(range(k)))
    flat = np.reshape(index, (-1,)) % shape[axis]
    rows = np.reshape(moved, (flat.shape[0],) + moved.shape[k:]).astype(dtype)
    one_hot = (flat[:, None] == np.arange(shape[axis], like=ref)[None, :]).astype(dtype)
    return np.moveaxis(np.tensordot(one_hot, rows, axes=(0, 0)), 0, axis)


def concatenator_adjoints(g, concatenator, *items):
    """The adjoints of the items of z = concatenator[items] (np.r_ or np.c_; None for
    slices, which are constant ranges, and for a directive string). NumPy joins arrays of
    the items' element numbers the same way, so it says where each element of z came
    from, whatever the directive, item kinds and promotions."""
    numbers, sizes, start = element_numbers(items)
    placed = np.ravel(concatenator[tuple(numbers)])
    g = np.ravel(g)
    kept = placed >= 0
    flat = np.empty(start, dtype=np.result_type(g, 1.0))
    flat[placed[kept]] = g[kept]
    parts, start = [], 0
    for item, size in zip(items, sizes):
        if size is None:
            parts.append(None)
            continue
        parts.append(flat[start:start + size].reshape(np.shape(item)))
        start += size
    return parts


def element_numbers(items):
    """(the items of np.r_ / np.c_ with each array's or number's elements numbered in
    order, -1 for a slice's and a directive string kept; each item's element count, None
    for those; the count of all): what concatenator_adjoints joins in their place."""
    numbers, sizes, start = [], [], 0
    for item in items:
        if isinstance(item, (slice, str)):
            numbers.append(item if isinstance(item, str) else -np.ones(len(np.r_[item]), int))
            sizes.append(None)
            continue
        size = int(np.size(item))
        numbers.append(start if np.ndim(item) == 0 and not isinstance(item, np.ndarray)
                       else np.arange(start, start + size).reshape(np.shape(item)))
        sizes.append(size)
        start += size
    return numbers, sizes, start


def concatenator_pushed(tangents, concatenator, *items):
    """The tangent of concatenator[items] (np.r_ or np.c_): the items' tangents (one per
    item, None where it has none) joined the same way, zeros for the others."""
    return concatenator[tuple(_zero_item(item) if t is None else t
                              for t, item in zip(tangents, items))]


def _zero_item(item):
    """Zeros that take the place of `item` in np.r_ or np.c_ (a directive stays)."""
    if isinstance(item, str):
        return item
    if isinstance(item, slice):
        return np.zeros(len(np.r_[item]))
    return np.zeros(np.shape(item)) if isinstance(item, np.ndarray) or np.ndim(item) else 0.0


def unstack(g, axis=0):
    """Adjoint of np.stack: the slices of g along `axis`, one per stacked array."""
    return Parts(np.moveaxis(g, axis, 0))


def _duck_split_like(g, arrays, axis):
    """split_like by slicing (Dask has no np.split), never converting g."""
    if axis is None:
        g, axis = np.reshape(g, (-1,)), 0
    axis %= g.ndim
    others = max(g.size // max(g.shape[axis], 1), 1)
    pieces, start = [], 0
    for a in arrays:
        n = size_of(a) // others
        pieces.append(np.reshape(g[(slice(None),) * axis + (slice(start, start + n),)],
                                 np.shape(a)))
        start += n
    return np.stack(pieces) if is_duck(arrays) or isinstance(arrays, np.ndarray) else pieces


def split_like(g, arrays, axis):
    """Adjoint of np.concatenate (and hstack, vstack): g cut along `axis` into pieces
    shaped like `arrays`."""
    if is_duck(g) or is_duck(arrays):
        return _duck_split_like(g, arrays, axis)
    g = np.asarray(g)
    if axis is None:
        g, axis = np.ravel(g), 0
    others = max(np.size(g) // max(np.shape(g)[axis], 1), 1)
    bounds = np.cumsum([np.size(a) // others for a in arrays])[:-1]
    pieces = [np.reshape(p, np.shape(a)) for p, a in zip(np.split(g, bounds, axis), arrays)]
    # Parts: a list of adjoints that another list's adjoint adds to item by item
    return np.stack(pieces) if isinstance(arrays, np.ndarray) else Parts(pieces)


def hstack_axis(g):
    """The axis np.hstack joined along: 0 for 1-d results, else 1."""
    return 0 if np.ndim(g) == 1 else 1


def inverse_permutation(axes):
    """The axes that undo np.transpose(x, axes); `axes` as np.transpose or x.transpose
    take them (a tuple, or the axes one by one)."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = axes[0]
    return tuple(np.argsort([a % len(axes) for a in axes]))


def untile(g, x, reps):
    """Adjoint of np.tile(x, reps): the sum of g's tiles."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    shape = np.shape(x)
    n = max(len(reps), len(shape))
    reps, full = (1,) * (n - len(reps)) + reps, (1,) * (n - len(shape)) + shape
    pairs = [d for pair in zip(reps, full) for d in pair]
    summed = np.sum(np.reshape(g, pairs), axis=tuple(range(0, 2 * n, 2)))
    return np.reshape(summed, shape)


def unrepeat(g, x, repeats, axis):
    """Adjoint of np.repeat(x, repeats, axis): each element gets the sum of its copies."""
    if axis is None:
        return np.reshape(unrepeat(g, np.ravel(x), repeats, 0), np.shape(x))
    n = np.shape(x)[axis]
    if is_duck(g) or is_duck(repeats):
        return _duck_unrepeat(g, x, repeats, axis, n)
    owner = np.repeat(np.arange(n), repeats)
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    np.add.at(np.moveaxis(out, axis, 0), owner, np.moveaxis(g, axis, 0))
    return out


def _duck_unrepeat(g, x, repeats, axis, n):
    """unrepeat without np.add.at (duck arrays do not implement ufunc.at): the copies of
    an element are consecutive, so a one-hot matrix of owners adds them."""
    ref = g if is_duck(g) else repeats
    dtype = np.result_type(getattr(x, "dtype", x), g.dtype, 1.0)
    moved = np.moveaxis(on_kind_of(g, ref), axis, 0).astype(dtype)
    if np.ndim(repeats) == 0 and not is_duck(repeats):
        summed = np.sum(np.reshape(moved, (n, int(repeats)) + moved.shape[1:]), axis=1)
    else:
        rows = np.arange(n, like=ref)
        owner = np.repeat(rows, repeats) if is_duck(repeats) else on_kind_of(
            np.repeat(np.arange(n), repeats), ref)
        summed = np.tensordot((rows[:, None] == owner[None, :]).astype(dtype), moved, axes=1)
    return np.moveaxis(summed, 0, axis)


def undiff(g, n, axis):
    """Adjoint of np.diff(x, n, axis): -diff of g padded with a zero at both ends, n times."""
    for _ in range(n):
        pad = [(0, 0)] * np.ndim(g)
        pad[axis] = (1, 1)
        g = -np.diff(np.pad(g, pad), axis=axis)
    return g


def unsort(g, x, axis):
    """Adjoint of np.sort(x, axis): each element of g goes back to where it came from."""
    if axis is None:
        return np.reshape(unsort(g, np.ravel(x), 0), np.shape(x))
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    np.put_along_axis(out, np.argsort(x, axis=axis, kind="stable"), g, axis=axis)
    return out


def untake(g, x, indices, axis):
    """Adjoint of np.take(x, indices, axis): g added back at the taken positions."""
    if is_duck(g) or is_duck(indices):
        dtype = np.result_type(getattr(x, "dtype", x), g.dtype, 1.0)
        if axis is None:
            return np.reshape(_summed_into((size_of(x),), 0, indices, g, dtype), np.shape(x))
        return _summed_into(np.shape(x), axis % np.ndim(x), indices, g, dtype)
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    if axis is None:
        np.add.at(np.ravel(out), indices, g)  # ravel of a fresh array is a view
        return out
    axis = axis % np.ndim(x)
    k = np.ndim(indices)
    np.add.at(np.moveaxis(out, axis, 0), indices, np.moveaxis(g, tuple(range(axis, axis + k)),
                                                               tuple(range(k))))
    return out


def untake_along_axis(g, x, indices, axis):
    """Adjoint of np.take_along_axis(x, indices, axis): g added back where it was taken."""
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    if axis is None:
        np.add.at(np.ravel(out), indices, g)
        return out
    g = np.asarray(g)
    index = list(np.ix_(*[np.arange(n) for n in g.shape]))
    index[axis] = np.broadcast_to(indices, g.shape)
    np.add.at(out, tuple(index), g)
    return out
