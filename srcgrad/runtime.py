"""Helpers the generated code calls: the parts of rules too long for one line."""

from __future__ import annotations

import numpy as np

from . import containers
from .errors import SrcGradError


def unbroadcast(g, x):
    """Sum the adjoint `g` back to the shape of `x` (the adjoint of broadcasting)."""
    shape = getattr(x, "shape", ())  # Python numbers have no shape: ()
    g_shape = getattr(g, "shape", ())
    if g_shape == shape:  # the common case: nothing was broadcast
        if type(g) is containers.Parts and len(g) != len(x):
            raise SrcGradError(
                "srcgrad cannot differentiate this `a + b` of lists or tuples: it read it as "
                "an addition of arrays.\nWrite the sum with a list or tuple on one side "
                "(`a + [b]`, `a + list(b)`): that is a concatenation.")
        return g
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


def spare(v, *others):
    """`v`, as the `out=` of an operation on it and `others` that gives an array of its
    shape (reuse.py), if the result's dtype and shape are v's: v is a float array, the
    others Python numbers or arrays and NumPy numbers of v's dtype that broadcast into
    it. Else None: a new array."""
    if type(v) is not np.ndarray or v.dtype.kind != "f":  # a kept-scalar adjoint: a number
        return None
    dtype, shape = v.dtype, v.shape
    for other in others:
        if type(other) is not float and type(other) is not int:
            if not isinstance(other, (np.ndarray, np.generic)) or other.dtype != dtype:
                return None
            if other.shape != shape and np.broadcast_shapes(shape, other.shape) != shape:
                return None
    return v


def row_out(steps, k, *arrays):
    """Row k of `steps`, as the `out=` of an operation on `arrays` (and small Python
    numbers) that gives an array of the row's shape (stacking.py), if the result's dtype
    is the row's: `steps` is a float array and the arrays are arrays of its dtype. Else
    None: a new array (and `rows_of` stacks the steps' values)."""
    dtype = steps.dtype
    if dtype.kind != "f":
        return None
    for x in arrays:
        if type(x) is not np.ndarray or x.dtype != dtype:
            return None
    return steps[k]


def rows_of(steps, tape, item):
    """The `item`-th values of the tape's entries as one array: `steps[:len(tape)]` when
    each is a row of `steps` (stacking.py: the forward loop computed each step's value
    into its row, `out=row_out(...)`); else, if a step's dtype kept it out, a new array of
    them stacked."""
    for entry in tape:
        if entry[item].base is not steps:
            return np.stack([entry[item] for entry in tape])
    return steps[:len(tape)]


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(a % ndim for a in axes)


def prod_of_others(x, axis):
    """For each element of x, the product of the others reduced with it over `axis`:
    d prod(x) / dx, exact where x has zeros."""
    x = np.asarray(x)
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
        return np.reshape(cumprod_adjoint(np.ravel(g), np.ravel(x), np.ravel(z), 0), np.shape(x))
    if np.all(x != 0):
        return reverse_cumsum(g * z, axis) / x
    # With zeros: d z_i / d x_j is the running product up to i with x_j left out.
    g, x = np.moveaxis(g, axis, -1), np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    out = np.empty(np.shape(x), dtype=np.result_type(g, x, 1.0))
    for j in range(x.shape[-1]):
        left_out = x.copy()
        left_out[..., j] = 1.0
        out[..., j] = np.sum((g * np.cumprod(left_out, axis=-1))[..., j:], axis=-1)
    return np.moveaxis(out, -1, axis)


def norm_adjoint(g, x, z, ord, axis, keepdims):
    """Adjoint of z = np.linalg.norm(x, ord, axis) for an explicit `ord`: vector p-norms
    (any p, inf, -inf) and matrix norms ('nuc', 2, -2, 1, -1, inf, -inf)."""
    x = np.asarray(x)
    if (axis is None and x.ndim == 2) or (isinstance(axis, (tuple, list)) and len(axis) == 2):
        return _matrix_norm_adjoint(g, x, ord, (0, 1) if axis is None else tuple(axis),
                                    keepdims)
    if axis is None:
        axis = 0
    g, z = repeat_to(g, x, axis, keepdims), repeat_to(z, x, axis, keepdims)
    if ord in (np.inf, -np.inf):
        hit = np.abs(x) == z
        return g * np.sign(x) * hit / np.sum(hit, axis=axis, keepdims=True)
    if ord == 0:  # the number of nonzero elements: piecewise constant
        return np.zeros(x.shape, dtype=np.result_type(x, g, 1.0))
    return g * np.sign(x) * safe_div(np.abs(x), z) ** (ord - 1)


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


def cast_back(g, x, dtype):
    """Adjoint of x.astype(dtype): g in x's dtype if dtype is a float type, else zeros."""
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
    if np.ndim(y) > 2:  # a sum over x's last axis and y's second-to-last
        return einsum_adjoint(g, dot_subscripts(x, y), 0, x, y)
    return matmul_adjoint_x(g, x, y)


def dot_adjoint_y(g, x, y):
    """Adjoint of y in np.dot(x, y)."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * x, y)
    if np.ndim(y) > 2:
        return einsum_adjoint(g, dot_subscripts(x, y), 1, x, y)
    return matmul_adjoint_y(g, x, y)


def _is_basic_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def scatter_add(x, index, g):
    """Adjoint of `x[index]`: zeros shaped like x with g added at index.

    Repeated integer indices accumulate (np.add.at semantics).
    """
    if isinstance(x, (dict, list, tuple)):  # params dicts, tuple results (np.linalg.slogdet)
        return containers.item_adjoint(x, index, g)
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    if _is_basic_index(index):
        out[index] += g
    else:
        np.add.at(out, index, g)
    return out


def concatenator_adjoints(g, concatenator, *items):
    """The adjoints of the items of z = concatenator[items] (np.r_ or np.c_; None for
    slices, which are constant ranges, and for a directive string). NumPy joins arrays of
    the items' element numbers the same way, so it says where each element of z came
    from, whatever the directive, item kinds and promotions."""
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
    return containers.Parts(np.moveaxis(g, axis, 0))


def split_like(g, arrays, axis):
    """Adjoint of np.concatenate (and hstack, vstack): g cut along `axis` into pieces
    shaped like `arrays`."""
    g = np.asarray(g)
    if axis is None:
        g, axis = np.ravel(g), 0
    others = max(np.size(g) // max(np.shape(g)[axis], 1), 1)
    bounds = np.cumsum([np.size(a) // others for a in arrays])[:-1]
    pieces = [np.reshape(p, np.shape(a)) for p, a in zip(np.split(g, bounds, axis), arrays)]
    return np.stack(pieces) if isinstance(arrays, np.ndarray) else pieces


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
    owner = np.repeat(np.arange(n), repeats)
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    np.add.at(np.moveaxis(out, axis, 0), owner, np.moveaxis(g, axis, 0))
    return out


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


# --- linear algebra ----------------------------------------------------------------


def mT(a):
    """The matrix transpose of a (of each matrix in a stack)."""
    return np.swapaxes(a, -1, -2)


def place_diagonal(g, x, offset=0, axis1=0, axis2=1):
    """Zeros shaped like x with g (or its broadcast) on the diagonal `np.diagonal` reads:
    the adjoint of np.diagonal and, with g[..., None], of np.trace."""
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    rows, cols = view.shape[-2:]
    k = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    i = np.arange(k)
    view[..., i - min(offset, 0), i + max(offset, 0)] = g
    return out


def undiag(g, v, k):
    """Adjoint of np.diag(v, k): the k-th diagonal of g if v is a vector (np.diag built a
    matrix), else g placed on v's k-th diagonal (np.diag read it)."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    return place_diagonal(g, v, k)


def solve_transposed(a, g, b):
    """The adjoint of b in z = solve(a, b): solve(a^T, g), b a vector or a matrix."""
    if np.ndim(b) == 1:
        return np.linalg.solve(mT(a), g[..., None])[..., 0]
    return np.linalg.solve(mT(a), g)


def rhs_outer(g_b, z, b):
    """g_b z^T per right-hand side: the adjoint of a in z = solve(a, b) is -rhs_outer(...)."""
    if np.ndim(b) == 1:
        return g_b[..., :, None] * z[..., None, :]
    return g_b @ mT(z)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_spec(subscripts, operands):
    """(input subscripts, output subscripts) with the implicit output and `...` spelled out."""
    spec = subscripts.replace(" ", "")
    left, arrow, output = spec.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum {subscripts!r} names {len(inputs)} operands, got {len(operands)}")
    if not arrow:
        letters = left.replace(".", "").replace(",", "")
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        output = ("..." if "..." in left else "") + "".join(once)
    if "..." in spec:
        free = [c for c in _LETTERS if c not in spec]
        dims = [np.ndim(op) - len(s.replace("...", "")) for s, op in zip(inputs, operands)]
        n = max([k for s, k in zip(inputs, dims) if "..." in s], default=0)
        ellipsis = "".join(free[:n])
        inputs = [s.replace("...", ellipsis[n - k:]) for s, k in zip(inputs, dims)]
        output = output.replace("...", ellipsis)
    return inputs, output


def einsum_adjoint(g, subscripts, k, *operands, optimize=False):
    """Adjoint of the k-th operand of np.einsum(subscripts, *operands).

    It is an einsum of the result's adjoint with the other operands, the k-th
    operand's subscripts as output. Letters only that operand has were summed
    away (the adjoint is constant along them); repeated letters (a diagonal)
    put the adjoint on that diagonal; broadcast size-1 axes are summed.
    """
    inputs, output = _einsum_spec(subscripts, operands)
    mine, x = inputs[k], operands[k]
    others = [s for i, s in enumerate(inputs) if i != k]
    known = set(output).union(*others)
    unique = "".join(dict.fromkeys(mine))
    kept = "".join(c for c in unique if c in known)
    value = np.einsum(",".join([output] + others) + "->" + kept, g,
                      *[op for i, op in enumerate(operands) if i != k], optimize=optimize)
    size = dict(zip(mine, np.shape(x)))
    value = np.reshape(value, [value.shape[kept.index(c)] if c in kept else 1 for c in unique])
    summed = tuple(i for i, c in enumerate(unique) if size[c] == 1 and value.shape[i] != 1)
    if summed:
        value = np.sum(value, axis=summed, keepdims=True)
    value = np.broadcast_to(value, [size[c] for c in unique])
    if len(unique) == len(mine):
        return value
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    grids = np.ix_(*[np.arange(size[c]) for c in unique])
    out[tuple(grids[unique.index(c)] for c in mine)] = value
    return out


def einsum_adjoint_by_operands(g, subscripts, k, operands, tangents):
    """The part of einsum_adjoint's tangent that comes from its operands: einsum_adjoint
    is linear in each operand other than the k-th, so one term per operand with a
    tangent (None: it has none)."""
    total = 0.0
    for i, dot in enumerate(tangents):
        if i != k and dot is not None:
            replaced = [dot if j == i else op for j, op in enumerate(operands)]
            total = total + einsum_adjoint(g, subscripts, k, *replaced)
    return total


# Sublist axis numbers 0-25 and 26-51 as NumPy spells them: 'A'-'Z', then 'a'-'z' (so an
# implicit output, sorted, keeps their order).
_SUBLIST_LETTERS = _LETTERS[26:] + _LETTERS[:26]


def einsum_form(args):
    """(subscripts, operands, positions) of np.einsum's arguments in either of its forms:
    `(subscripts, *operands)`, or each operand followed by its sublist of axis numbers
    (and Ellipsis), then, optionally, the output's sublist. `positions`: where each
    operand is in `args`."""
    if isinstance(args[0], str):
        return args[0], list(args[1:]), list(range(1, len(args)))
    positions = list(range(0, len(args) - 1, 2))
    spec = ",".join(_sublist_letters(args[i + 1]) for i in positions)
    if len(args) % 2:
        spec += "->" + _sublist_letters(args[-1])
    return spec, [args[i] for i in positions], positions


def _sublist_letters(sublist):
    return "".join("..." if axis is Ellipsis else _SUBLIST_LETTERS[axis] for axis in sublist)


class OnDemand:
    """The adjoints of a call's arguments, one per argument, each computed when it is
    read: the backward sweep reads only those of the arguments that carry a gradient.
    Two of them add item by item (the tangent of the helper that made them)."""

    def __init__(self, item, count):
        self._item, self._count = item, count

    def __len__(self):
        return self._count

    def __getitem__(self, i):
        if not -self._count <= i < self._count:
            raise IndexError(i)
        return self._item(i % self._count)

    def __add__(self, other):
        if not isinstance(other, OnDemand):
            return NotImplemented
        return OnDemand(lambda i: _plus(self[i], other[i]), self._count)


def _plus(a, b):
    return b if a is None else a if b is None else a + b


def einsum_adjoints(g, *args, optimize=False):
    """The adjoints of the arguments of z = np.einsum(*args), in either form, `g` being
    z's: einsum_adjoint for each operand, None for subscripts and sublists."""
    subscripts, operands, positions = einsum_form(args)
    where = {position: k for k, position in enumerate(positions)}

    def item(i):
        if i not in where:
            return None
        return einsum_adjoint(g, subscripts, where[i], *operands, optimize=optimize)
    return OnDemand(item, len(args))


def einsum_adjoints_by_operands(g, args, tangents, optimize=False):
    """The part of einsum_adjoints's tangent that comes from the operands (`tangents`, one
    per argument, None where there is none): einsum_adjoint is linear in each operand
    but its own."""
    subscripts, operands, positions = einsum_form(args)
    where = {position: k for k, position in enumerate(positions)}
    pushed = [tangents[position] for position in positions]

    def item(i):
        if i not in where:
            return None
        return einsum_adjoint_by_operands(g, subscripts, where[i], operands, pushed)
    return OnDemand(item, len(args))


def einsum_pushed(tangents, *args, optimize=False):
    """The tangent of np.einsum(*args), in either form: one einsum per operand with a
    tangent (`tangents`, one per argument, None where there is none), the operand
    replaced by it."""
    _, _, positions = einsum_form(args)
    total = 0.0
    for i in positions:
        if tangents[i] is not None:
            total = total + np.einsum(*args[:i], tangents[i], *args[i + 1:], optimize=optimize)
    return total


def _contraction(x_letters, y_letters, contracted):
    return f"{x_letters},{y_letters}->" + "".join(
        c for c in x_letters + y_letters if c not in contracted)


def tensordot_subscripts(x, y, axes):
    """np.tensordot(x, y, axes) as einsum subscripts."""
    nx, ny = np.ndim(x), np.ndim(y)
    if np.ndim(axes) == 0:
        ax_x, ax_y = list(range(nx - axes, nx)), list(range(axes))
    else:
        ax_x, ax_y = ([a] if np.ndim(a) == 0 else list(a) for a in axes)
        ax_x, ax_y = [a % nx for a in ax_x], [a % ny for a in ax_y]
    x_letters = _LETTERS[:nx]
    y_letters = list(_LETTERS[nx:nx + ny])
    for a, b in zip(ax_x, ax_y):
        y_letters[b] = x_letters[a]
    return _contraction(x_letters, "".join(y_letters), {x_letters[a] for a in ax_x})


def dot_subscripts(x, y):
    """np.dot(x, y) of an N-d y as einsum subscripts: x's last axis and y's second-to-last
    are contracted; the result has x's other axes, then y's."""
    return tensordot_subscripts(x, y, ([-1], [-2]))


def inner_subscripts(x, y):
    """np.inner(x, y) as einsum subscripts: the last axes are contracted."""
    nx, ny = np.ndim(x), np.ndim(y)
    if nx == 0 or ny == 0:
        return f"{_LETTERS[:nx]},{_LETTERS[nx:nx + ny]}->{_LETTERS[:nx + ny]}"
    x_letters = _LETTERS[:nx]
    y_letters = _LETTERS[nx:nx + ny - 1] + x_letters[-1]
    return _contraction(x_letters, y_letters, {x_letters[-1]})


# --- tangents (forward mode) of the rules in srcgrad/rules/ ----------------------------


def mean_over_ties(t, x, z, axis, keepdims):
    """Tangent of z = max(x, axis) (or min): the mean of t over the elements equal to z."""
    hit = x == repeat_to(z, x, axis, keepdims)
    return np.sum(t * hit / np.sum(hit, axis=axis, keepdims=True), axis=axis, keepdims=keepdims)


def cumprod_jvp(t, x, z, axis):
    """Tangent of z = np.cumprod(x, axis); exact where x has zeros."""
    if axis is None:
        return cumprod_jvp(np.ravel(t), np.ravel(x), np.ravel(z), 0)
    if np.all(x != 0):
        return z * np.cumsum(t / x, axis)
    # With zeros: d z_i = sum over j <= i of t_j times the running product up to i without x_j.
    t, x = np.moveaxis(t, axis, -1), np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    out = np.zeros(np.broadcast_shapes(np.shape(t), np.shape(x)), dtype=np.result_type(t, x, 1.0))
    for j in range(x.shape[-1]):
        left_out = x.copy()
        left_out[..., j] = 1.0
        out[..., j:] += t[..., j:j + 1] * np.cumprod(left_out, axis=-1)[..., j:]
    return np.moveaxis(out, -1, axis)


def within_bounds(x, low, high):
    """True where low <= x <= high (bounds included; a bound of None always passes)."""
    inside = True if low is None else low <= x
    return inside & (True if high is None else x <= high)


def norm_jvp(t, x, z, ord, axis, keepdims):
    """Tangent of z = np.linalg.norm(x, ord, axis), vector p-norms: as norm_adjoint weighs."""
    weight = norm_adjoint(np.ones_like(z), x, z, ord, axis, keepdims)
    return np.sum(t * weight, axis=axis, keepdims=keepdims)


def solve_product(a, m, z, b):
    """solve(a, m @ z), z vectors if b is one: -solve_product(a, t_a, z, b) is z's tangent."""
    if np.ndim(b) == 1:
        return np.linalg.solve(a, np.matmul(m, z[..., None]))[..., 0]
    return np.linalg.solve(a, m @ z)
