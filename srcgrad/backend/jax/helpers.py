"""JAX forms of the runtime helpers whose NumPy code writes into an array it made or
branches on values: the same results as functions of their arguments. Index arithmetic
on shapes and static arguments stays NumPy (known while tracing: constants of the
compiled code); only values go through jax.numpy."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ...errors import SrcGradError
from ...runtime import containers, indexing
from .flow import as_index


def _zeros(shape, *values):
    return jnp.zeros(shape, jnp.result_type(*values, 1.0))


def _flat(helper, g, x, *rest):
    """`helper` over the flattened arrays (axis=None), its result in x's shape."""
    return jnp.reshape(helper(jnp.ravel(g), jnp.ravel(x), *rest, 0), jnp.shape(x))


def _left_out_products(x):
    """[..., j, i]: the running product of x up to i with x[..., j] taken as 1 (the
    derivative of cumprod(x)[i] by x[j] for j <= i, exact where x has zeros)."""
    n = x.shape[-1]
    return jnp.cumprod(jnp.where(np.eye(n, dtype=bool), 1, x[..., None, :]), axis=-1)


def cumprod_adjoint(g, x, z, axis):
    """runtime.adjoints.cumprod_adjoint: reverse_cumsum(g z) / x where x has no zero,
    else the sum of g times the products with each element left out."""
    if axis is None:
        return _flat(lambda g, x, z, a: cumprod_adjoint(g, x, z, a), g, x, jnp.ravel(z))
    g, x, z = jnp.asarray(g), jnp.asarray(x), jnp.asarray(z)
    dtype = jnp.result_type(g, x, 1.0)

    def quick(g, x, z):
        summed = jnp.flip(jnp.cumsum(jnp.flip(g * z, axis), axis), axis)
        return (summed / x).astype(dtype)

    def exact(g, x, z):
        g, x = jnp.moveaxis(g, axis, -1), jnp.moveaxis(x.astype(dtype), axis, -1)
        after = np.triu(np.ones((x.shape[-1],) * 2, dtype=bool))  # [j, i]: i >= j
        terms = jnp.where(after, g[..., None, :] * _left_out_products(x), 0)
        return jnp.moveaxis(jnp.sum(terms, axis=-1).astype(dtype), -1, axis)
    return lax.cond(jnp.all(x != 0), quick, exact, g, x, z)


def cumprod_jvp(t, x, z, axis):
    """runtime.tangents.cumprod_jvp: z cumsum(t / x) where x has no zero, else the sum
    over j <= i of t[j] times the products with x[j] left out."""
    if axis is None:
        return cumprod_jvp(jnp.ravel(t), jnp.ravel(x), jnp.ravel(z), 0)
    t, x, z = jnp.asarray(t), jnp.asarray(x), jnp.asarray(z)
    dtype = jnp.result_type(t, x, 1.0)
    shape = jnp.broadcast_shapes(t.shape, x.shape)
    t, x = jnp.broadcast_to(t, shape), jnp.broadcast_to(x, shape)

    def quick(t, x, z):
        return (z * jnp.cumsum(t / x, axis)).astype(dtype)

    def exact(t, x, z):
        t, x = jnp.moveaxis(t, axis, -1), jnp.moveaxis(x.astype(dtype), axis, -1)
        after = np.triu(np.ones((x.shape[-1],) * 2, dtype=bool))  # [j, i]: i >= j
        terms = jnp.where(after, t[..., :, None] * _left_out_products(x), 0)
        return jnp.moveaxis(jnp.sum(terms, axis=-2).astype(dtype), -1, axis)
    return lax.cond(jnp.all(x != 0), quick, exact, t, x, z)


def unsort(g, x, axis):
    """runtime.indexing.unsort: g[k] back at the place the k-th smallest came from."""
    x = as_index(x)  # (a list: `np.sort([a, b])`)
    if axis is None:
        return _flat(unsort, g, x)
    order = jnp.argsort(x, axis=axis, stable=True)
    back = jnp.take_along_axis(jnp.asarray(g), jnp.argsort(order, axis=axis), axis=axis)
    return back.astype(jnp.result_type(x, g, 1.0))


def untake(g, x, indices, axis):
    """runtime.indexing.untake: g added back at the positions np.take read."""
    indices = as_index(indices)
    out = _zeros(jnp.shape(x), x, g)
    if axis is None:
        return jnp.ravel(out).at[indices].add(g).reshape(jnp.shape(x))
    axis = axis % jnp.ndim(x)
    k = np.ndim(indices)
    moved = jnp.moveaxis(jnp.asarray(g), tuple(range(axis, axis + k)), tuple(range(k)))
    return jnp.moveaxis(jnp.moveaxis(out, axis, 0).at[indices].add(moved), 0, axis)


def untake_along_axis(g, x, indices, axis):
    """runtime.indexing.untake_along_axis: g added back where np.take_along_axis read."""
    out = _zeros(jnp.shape(x), x, g)
    g = jnp.asarray(g)
    if axis is None:
        return jnp.ravel(out).at[indices].add(g).reshape(jnp.shape(x))
    index = list(np.ix_(*[np.arange(n) for n in g.shape]))
    index[axis] = jnp.broadcast_to(indices, g.shape)
    return out.at[tuple(index)].add(g)


def unrepeat(g, x, repeats, axis):
    """runtime.indexing.unrepeat: each element gets the sum of its copies (the repeats
    must be known while tracing: they set the result's shape)."""
    if axis is None:
        return jnp.reshape(unrepeat(g, jnp.ravel(x), repeats, 0), jnp.shape(x))
    owner = np.repeat(np.arange(jnp.shape(x)[axis]), np.asarray(repeats))
    out = jnp.moveaxis(_zeros(jnp.shape(x), x, g), axis, 0)
    return jnp.moveaxis(out.at[owner].add(jnp.moveaxis(jnp.asarray(g), axis, 0)), 0, axis)


def concatenator_adjoints(g, concatenator, *items):
    """runtime.indexing.concatenator_adjoints: where each element of z came from is worked
    out by NumPy's own np.r_ / np.c_ on the items' element numbers (shapes only)."""
    concatenator = {id(jnp.r_): np.r_, id(jnp.c_): np.c_}.get(id(concatenator), concatenator)
    numbers, sizes, start = indexing.element_numbers(items)
    placed = np.ravel(concatenator[tuple(numbers)])
    kept = np.flatnonzero(placed >= 0)
    flat = _zeros((start,), g).at[placed[kept]].set(jnp.ravel(g)[kept])
    parts, start = [], 0
    for item, size in zip(items, sizes):
        parts.append(None if size is None else
                     flat[start:start + size].reshape(np.shape(item)))
        start += size or 0
    return parts


def place_diagonal(g, x, offset=0, axis1=0, axis2=1):
    """runtime.linalg.place_diagonal: zeros shaped like x, g on the diagonal."""
    view = jnp.moveaxis(_zeros(jnp.shape(x), x, g), (axis1, axis2), (-2, -1))
    rows, cols = view.shape[-2:]
    i = np.arange(max(0, min(rows + min(offset, 0), cols - max(offset, 0))))
    view = view.at[..., i - min(offset, 0), i + max(offset, 0)].set(g)
    return jnp.moveaxis(view, (-2, -1), (axis1, axis2))


def lu_permutation(piv):
    """runtime.linalg.lu_permutation: LAPACK's row swaps applied in turn."""
    if np.ndim(piv) != 1:
        raise SrcGradError("srcgrad differentiates scipy.linalg.lu_factor of one matrix, not "
                           "of a batch; factor each matrix in a loop")
    order = jnp.arange(jnp.shape(piv)[0])
    for i in range(jnp.shape(piv)[0]):
        p = piv[i]
        order = order.at[i].set(order[p]).at[p].set(order[i])
    return order


def undelete(g, arr, obj, axis=None):
    """runtime.layout.undelete: g in the places np.delete kept (`obj` known while tracing)."""
    if axis is None:
        return jnp.reshape(undelete(g, jnp.ravel(arr), obj, 0), jnp.shape(arr))
    index = [slice(None)] * jnp.ndim(arr)
    index[axis] = np.delete(np.arange(jnp.shape(arr)[axis]), np.asarray(obj))
    return _zeros(jnp.shape(arr), g).at[tuple(index)].set(g)


def pad_adjoint(g, array, pad_width, mode="constant"):
    """runtime.layout.pad_adjoint: the centre of g, plus each copied value's adjoint added
    back where it came from (the copies' sources: np.pad of the positions)."""
    ndim = jnp.ndim(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    out = jnp.asarray(g)
    for axis, (before, after) in enumerate(widths):
        n = jnp.shape(array)[axis]
        moved = jnp.moveaxis(out, axis, 0)
        if mode == "constant":
            kept = moved[before:before + n]
        else:
            source = np.pad(np.arange(n), (before, after), mode=mode)
            kept = _zeros((n,) + moved.shape[1:], g).at[source].add(moved)
        out = jnp.moveaxis(kept, 0, axis)
    return out


def pad_constant_adjoint(g, array, pad_width, constant_values=0):
    """runtime.layout.pad_constant_adjoint: the sum of g over the cells each (axis, side)
    value fills, the cells labelled by NumPy's own np.pad."""
    ndim = jnp.ndim(array)
    codes = np.arange(2 * ndim).reshape(ndim, 2)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim, 2))
    labels = np.pad(np.full(jnp.shape(array), -1), widths, constant_values=codes)
    cells = np.nonzero(labels >= 0)
    sums = _zeros((2 * ndim,), g).at[labels[cells]].add(jnp.asarray(g)[cells])
    return summed_to(sums.reshape(ndim, 2), np.shape(constant_values))


def summed_to(g, shape):
    """`g` summed over the axes broadcasting added or stretched to make it from `shape`."""
    g = jnp.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def changes_in_place(value) -> bool:
    """runtime.containers.changes_in_place: a JAX array is never changed in place."""
    return not isinstance(value, jax.Array) and containers.changes_in_place(value)


def kept_as(new, old):
    """runtime.containers.kept_as: `new` in `old`'s shape and dtype (a cast NumPy would
    refuse, as from floats into an integer array, raises as NumPy does)."""
    if not isinstance(old, (np.ndarray, jax.Array)):
        return new
    given = jnp.result_type(new)
    if not np.can_cast(given, old.dtype, casting="same_kind"):
        raise TypeError(f"Cannot cast {given} to {old.dtype} with casting rule 'same_kind'")
    return jnp.broadcast_to(jnp.asarray(new).astype(old.dtype), old.shape)


def row_out(steps, k, *arrays):
    """runtime.buffers.row_out: no row is computed into on JAX."""
    return None


def rows_of(steps, tape, item):
    """runtime.buffers.rows_of: the tape's `item`-th values stacked."""
    return jnp.stack([entry[item] for entry in tape])


def unpartition(g, a, kth, axis=-1):
    """runtime.layout.unpartition: each element's adjoint from where the partition (JAX's,
    as the forward sweep ran it) put it."""
    if axis is None:
        order = jnp.argpartition(jnp.ravel(a), kth)
        out = _zeros(jnp.size(a), g).at[order].set(jnp.ravel(g))
        return jnp.reshape(out, jnp.shape(a))
    order = jnp.argpartition(a, kth, axis=axis)
    return jnp.put_along_axis(_zeros(jnp.shape(a), g), order, g, axis=axis, inplace=False)


def solve_lower(low, b, trans=False):
    """runtime.linalg.solve_lower: a triangular solve for 2-d `low`, else a general one."""
    if jnp.ndim(low) == 2 and jnp.ndim(b) in (1, 2):
        return jax.scipy.linalg.solve_triangular(low, b, trans=1 if trans else 0, lower=True)
    return jnp.linalg.solve(jnp.swapaxes(low, -1, -2) if trans else low, b)
