"""Run-time helpers for values that are updated in place or hold several arrays.

`h[t] = v` is computed as `h_1 = set_at(h, t, v)`: a new array, so the
backward sweep can still read every version of `h`.
"""

from __future__ import annotations

import numpy as np


def set_at(x, index, value):
    """A copy of `x` with `x[index] = value` (the forward of an element assignment)."""
    if isinstance(x, dict):
        return {**x, index: value}
    out = np.array(x, copy=True)
    out[index] = value
    return out


def without(g, index):
    """A copy of `g` with zeros at `index`: the part of an adjoint that was overwritten."""
    if isinstance(g, dict):  # a dict's adjoint: its items but that one
        return Fields({key: value for key, value in g.items() if key != index})
    out = np.array(g, copy=True)
    out[index] = 0
    return out


def take(g, index):
    """`g[index]`, as a function the generated code can call (of a dict's adjoint, zero
    where no gradient reached the item)."""
    if isinstance(g, dict):
        return g.get(index, 0.0)
    return g[index]


class Parts(list):
    """The adjoint of a list or tuple: one adjoint per element, added elementwise."""

    def __add__(self, other):
        if isinstance(other, (list, tuple)):
            return Parts(a + b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __radd__ = __add__

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Parts(item) if isinstance(index, slice) else item


class Fields(dict):
    """The adjoint of a dict: adjoints by key; a missing key means zero."""

    def __add__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        out = Fields(self)
        for key, value in other.items():
            out[key] = out[key] + value if key in out else value
        return out

    __radd__ = __add__


def zeros_like(x):
    """A zero adjoint shaped like `x`, for arrays, numbers and containers of them."""
    if isinstance(x, dict):
        return Fields()
    if isinstance(x, (list, tuple)):
        return Parts(zeros_like(v) for v in x)
    if type(x) is float:
        return 0.0
    return np.zeros_like(x)


def zero_tangent(x):
    """A zero tangent shaped like `x`: dense, for arrays, numbers and containers of them."""
    if isinstance(x, dict):
        return {key: zero_tangent(value) for key, value in x.items()}
    if isinstance(x, (list, tuple)):
        return [zero_tangent(v) for v in x]
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return 0.0
    return np.zeros_like(x, dtype=np.result_type(x, 0.0))


def item_adjoint(x, key, g):
    """The adjoint of a container `x` from `x[key]`: `g` at key, zero elsewhere."""
    if isinstance(x, dict):
        return Fields({key: g})
    parts = Parts(zeros_like(v) for v in x)
    if isinstance(key, slice):
        for i, part in zip(range(*key.indices(len(x))), g):
            parts[i] = part
    else:
        parts[key] = g
    return parts


def appended(items, item):
    """`items + [item]`: the forward of `items.append(item)`, as a new list."""
    return list(items) + [item]
