"""Run-time helpers for values that are updated in place or hold several arrays.

`h[t] = v` is computed as `h_1 = set_at(h, t, v)`: a new array, so the
backward sweep can still read every version of `h`.
"""

from __future__ import annotations

import numpy as np


def set_at(x, index, value):
    """A copy of `x` with `x[index] = value` (the forward of an element assignment)."""
    out = np.array(x, copy=True)
    out[index] = value
    return out


def without(g, index):
    """A copy of `g` with zeros at `index`: the part of an adjoint that was overwritten."""
    out = np.array(g, copy=True)
    out[index] = 0
    return out


def take(g, index):
    """`g[index]`, as a function the generated code can call."""
    return g[index]
