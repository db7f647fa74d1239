"""`del`s gone from a fused gradient whose arrays are all small: last but the notes.

free_after_last_use.py frees each array after its last use, and buffer_reuse.py reads
those frees to compute into dying arrays. Once that is done, a `del` is worth its line
only where it gives memory back: in a function whose arrays are all known to hold fewer
than buffer_reuse.MIN_SIZE elements (128 KiB of float64), none is kept::

    yhat = np.add(t1, b, t1)            yhat = np.add(t1, b, t1)
    del t1                      ->      error = np.subtract(yhat, y, yhat)
    error = np.subtract(yhat, y, yhat)

The rule is the function's, not each array's: where one array freed is large or of a
size not known here, every `del` stays (a small view of a large array would hold it).
"""

from __future__ import annotations

import gast
import numpy as np

from ..analysis.shape_inference import size
from ..ir import build
from . import buffer_reuse


def run(body: list, ctx) -> list:
    """`body` without its `del` statements if every name they free is a small array."""
    freed = {t.id for s in build.statements(body) if isinstance(s, gast.Delete)
             for t in s.targets}
    if not freed or not all(_small(name, ctx) for name in freed):
        return body
    return _without_dels(body)


def _small(name, ctx) -> bool:
    shape = ctx.shape(build.load(name))
    return (shape is not None and all(type(n) is int for n in shape)
            and size(shape) < buffer_reuse.MIN_SIZE)


def _without_dels(block) -> list:
    out = []
    for stmt in block:
        if isinstance(stmt, gast.Delete):
            continue
        inner = {f: _without_dels(getattr(stmt, f)) for f in ("body", "orelse")
                 if isinstance(getattr(stmt, f, None), list)}
        if any(new != getattr(stmt, f) for f, new in inner.items()):
            stmt = build.shallow_copy(stmt, **inner)
        out.append(stmt)
    return out
