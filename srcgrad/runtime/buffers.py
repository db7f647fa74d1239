"""Arrays the fused gradient computes into (fused/buffer_reuse.py, fused/loop_batching.py),
with the run-time checks that make that safe."""

from __future__ import annotations

import numpy as np


def spare(v, *others):
    """`v`, as the `out=` of an operation on it and `others` that gives an array of its
    shape (buffer_reuse.py), if the result's dtype and shape are v's: v is a float array, the
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
    numbers) that gives an array of the row's shape (loop_batching.py), if the result's dtype
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
    each is a row of `steps` (loop_batching.py: the forward loop computed each step's value
    into its row, `out=row_out(...)`); else, if a step's dtype kept it out, a new array of
    them stacked."""
    for entry in tape:
        if entry[item].base is not steps:
            return np.stack([entry[item] for entry in tape])
    return steps[:len(tape)]
