"""The transposes of the linear helpers generated gradient code calls: what reverse mode
over that code (third and higher derivatives) needs. Each maps an adjoint shaped like a
helper's result back to the shape of the helper's adjoint argument."""

from __future__ import annotations

import numpy as np

from .adjoints import unbroadcast
from .array_kind import is_duck, stacked
from .containers import Fields, take, zeros_like
from .indexing import scatter_add


def broadcast_back(g, like):
    """`g`, shaped like the result of `unbroadcast(like, x)`, spread back to the shape of
    `like` (the transpose of unbroadcast)."""
    g, like = stacked(g), stacked(like)
    shape = np.shape(like)
    if np.shape(g) == shape:
        return g
    try:
        return np.broadcast_to(g, shape)
    except ValueError:  # unbroadcast spread a smaller `like` to x's shape: sum it back
        return unbroadcast(g, like)


def repeat_back(g, small, axis, keepdims):
    """`g`, shaped like `repeat_to(small, x, axis, keepdims)`, summed back to the shape of
    `small` (the transpose of repeat_to)."""
    if not keepdims and axis is not None and np.ndim(small):
        return np.reshape(unbroadcast(g, np.expand_dims(small, axis)), np.shape(small))
    return unbroadcast(g, small)


def gathered(g, index, small):
    """`g[index]` summed to the shape of `small`: the transpose of `scatter_add(x, index,
    small)` (a repeated index reads its slot again)."""
    if isinstance(g, dict):
        part = g.get(index, 0.0)
    elif isinstance(g, (list, tuple)):
        part = g[index]
    else:
        part = (g if is_duck(g) else np.asarray(g))[index]
    return unbroadcast(part, small)


def take_back(g, like, index):
    """`g`, shaped like `take(like, index)`, put back at `index` in zeros shaped like
    `like` (the transpose of take: a place of the selection that an integer index
    overwrote again gets none)."""
    if isinstance(like, (dict, list, tuple)):
        return scatter_add(like, index, g)
    return scatter_add(like, index, g * take(np.ones(np.shape(like)), index))


def fields_at(keys, parts):
    """The adjoint of a dict from the adjoints `parts` of `values_of(g, keys)` (the
    transpose of values_of: a key given again later gets the later part)."""
    return Fields(zip(keys, parts))


def items_summed(parts, g):
    """The transpose of `spread_to_items(g, items)`: the parts (one per item, or the rows
    of an array) spread back to the shape of `g` and added."""
    if isinstance(parts, np.ndarray):
        return broadcast_back(np.sum(parts, axis=0), g)
    total = zeros_like(g)
    for part in parts:
        total = total + broadcast_back(part, g)
    return total
