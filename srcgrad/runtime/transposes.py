"""The transposes of the linear helpers generated gradient code calls: what reverse mode
over that code (third and higher derivatives) needs. Each maps an adjoint shaped like a
helper's result back to the shape of the helper's adjoint argument."""

from __future__ import annotations

import numpy as np

from .adjoints import unbroadcast


def broadcast_back(g, like):
    """`g`, shaped like the result of `unbroadcast(like, x)`, spread back to the shape of
    `like` (the transpose of unbroadcast)."""
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
        part = np.asarray(g)[index]
    return unbroadcast(part, small)
