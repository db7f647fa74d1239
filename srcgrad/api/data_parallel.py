"""Data-parallel steps of `optim.fit` on Dask data: each step's gradient is one Dask
graph of one task per row block (the NumPy gradient of the loss on that block, the fast
path) and one task that sums the blocks' results with row weights.

The gradient function reaches each worker once (scattered to a `distributed.Client`,
which unpickles it there and keeps its generated code for every later step; on the
local schedulers it is not copied at all), the parameters once per step. A loss that is
a mean over rows (plus terms of the parameters alone) is the weighted sum of its blocks'
losses, with weights rows/total; a sum over rows is the plain sum. Which one the loss is
is checked once, on one block, in the first step's graph: any other loss is refused.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SrcGradError
from ..ir.pytree import tree_flatten, tree_unflatten
from ..runtime.array_kind import is_lazy


def applies(data, client) -> bool:
    """`fit` takes data-parallel steps: a client is given, or the data are Dask arrays."""
    if client is not None:
        return True
    return isinstance(data, tuple) and any(is_lazy(a) for a in data)


class Plan:
    """The row blocks of the data, grouped into the batches of an epoch, and how a step
    computes the gradient of one batch."""

    def __init__(self, data, value_and_grad_fn, batch_size=None, client=None):
        import dask.array as da

        if not isinstance(data, tuple) or not data:
            raise SrcGradError("fit(..., client=) and Dask data need `data` as a tuple of "
                               "arrays split by rows, e.g. (X, y)")
        self.client = client
        workers = len(client.scheduler_info().get("workers", ())) if client is not None else 1
        arrays = [a if is_lazy(a) else _chunked(da, np.asarray(a), max(workers, 1))
                  for a in data]
        rows = arrays[0].chunks[0]
        if any(math.isnan(n) for n in rows):
            raise SrcGradError("fit: the data's row blocks have unknown sizes (a Dask array "
                               "after a boolean selection): call `X.compute_chunk_sizes()` "
                               "first")
        if len({a.shape[0] for a in arrays}) > 1:
            raise ValueError(f"fit: data arrays differ in length: {[a.shape[0] for a in arrays]}")
        if batch_size is not None:  # a batch is a block: the NumPy run's batches, unshuffled
            rows = batch_size
        # one row chunking for all the arrays, each block whole along the other axes
        arrays = [a.rechunk({0: rows, **{k: -1 for k in range(1, a.ndim)}}) for a in arrays]
        self.rows = arrays[0].chunks[0]
        self.data = data  # (persisted on a cluster: its futures keep the blocks there)
        self.blocks = list(zip(*(a.to_delayed().ravel() for a in arrays)))
        self.batches = _groups(self.rows, batch_size)
        self.function = (client.scatter([value_and_grad_fn], broadcast=True, hash=False)[0]
                         if client is not None else value_and_grad_fn)
        self._mean = None  # the loss is a mean over rows (True) or a sum (False)

    @property
    def steps_per_epoch(self) -> int:
        return len(self.batches)

    def epoch(self, shuffle, rng):
        """The batches (lists of block indices) of one epoch, in random order if `shuffle`."""
        order = rng.permutation(len(self.batches)) if shuffle else range(len(self.batches))
        return [self.batches[i] for i in order]

    def step(self, params, batch):
        """(loss, gradients) of `params` on the row blocks `batch`, computed as one graph
        (the first also checks, on one block, that the loss is a mean or sum over rows)."""
        import dask

        if self.client is not None:
            # (in a list: one future for the whole tree; a dict would be scattered by key)
            shipped, = self.client.scatter([params], broadcast=True, hash=False)
        else:
            shipped = dask.delayed(params, traverse=False)
        mean = self._mean
        if mean is None:
            index = next((i for i, n in enumerate(self.rows) if n >= 2), None)
            mean = (True if index is None else  # one row per block: mean and sum agree
                    dask.delayed(_is_mean, pure=True)(self.function, shipped, *self.blocks[index]))
        parts = [dask.delayed(_block_step, pure=True)(self.function, shipped, *self.blocks[i])
                 for i in batch]
        summed = dask.delayed(_summed, pure=True)(mean, *parts)
        if self.client is not None:
            self._mean, result = self.client.compute(summed).result()
        else:
            self._mean, result = dask.compute(summed)[0]
        return result


def _is_mean(function, params, *block) -> bool:
    """Whether the loss is a mean over rows (True) or a sum (False), from its value on a
    block and on the block's two halves; else a SrcGradError."""
    half, n = len(block[0]) // 2, len(block[0])
    whole = float(function(params, *block)[0])
    first = float(function(params, *(a[:half] for a in block))[0])
    second = float(function(params, *(a[half:] for a in block))[0])
    if not all(map(math.isfinite, (whole, first, second))):
        return True  # nothing to tell: fit stops at the non-finite loss
    tolerance = 1e-9 * (abs(whole) + abs(first) + abs(second)) + 1e-300
    if abs(whole - (half * first + (n - half) * second) / n) <= tolerance:
        return True
    if abs(whole - (first + second)) <= tolerance:
        return False
    raise SrcGradError(
        "fit with Dask data sums the gradients of row blocks: the loss must be a mean "
        "(or a sum) over the rows of the data, plus terms of the parameters alone. On "
        f"{n} rows the loss is {whole!r}, on their halves {first!r} and {second!r}: "
        "neither. Compute the data into NumPy arrays (dask.compute) to train on it "
        "as one batch.")


def _chunked(da, array, workers):
    """A NumPy data array as a Dask one, in row blocks spread over the workers."""
    rows = max(1, -(-len(array) // workers))
    return da.from_array(array, chunks=(rows,) + array.shape[1:])


def _groups(rows, batch_size) -> list:
    """Consecutive block indices, each group of at least `batch_size` rows (the last may
    have fewer); all the blocks in one group without a batch size."""
    if batch_size is None:
        return [list(range(len(rows)))]
    groups, current, count = [], [], 0
    for i, n in enumerate(rows):
        current.append(i)
        count += n
        if count >= batch_size:
            groups.append(current)
            current, count = [], 0
    if current:
        groups.append(current)
    return groups


def _block_step(function, params, *block):
    """(rows, loss, gradients) of one row block, on a worker."""
    value, grads = function(params, *block)
    return len(block[0]), float(value), grads


def _summed(mean, *parts):
    """(mean, (loss, gradients)) of a batch: its blocks' summed, with weights rows/total
    if the loss is a mean over rows."""
    total = sum(part[0] for part in parts)
    weights = [part[0] / total if mean else 1.0 for part in parts]
    value = sum(w * part[1] for w, part in zip(weights, parts))
    leaves, treedef = tree_flatten(parts[0][2])
    leaves = [weights[0] * g for g in leaves]
    for w, (_, _, grads) in zip(weights[1:], parts[1:]):
        leaves = [a + w * b for a, b in zip(leaves, tree_flatten(grads)[0])]
    return mean, (value, tree_unflatten(treedef, leaves))
