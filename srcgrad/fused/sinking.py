"""Make each array just before it is first read, in the fused gradient.

The backward sweep makes an adjoint where the rule of its operation is, often long
before anything reads it; meanwhile it holds memory. Moved down to its first reader,
fewer large arrays are alive at once, and an operand read for the last time there can
take its result (buffer_reuse.py)::

    d_x = 2 * d_t6 * x              d_t3 = t1 * t4
    d_t3 = t1 * t4                  d_x = 2 * d_t6 * x
    d_t2 = d_t3 * x          ->     d_x += d_t3 * t2
    d_x += d_t3 * t2                d_t2 = d_t3 * x
    d_x -= d_t2                     d_x -= d_t2

Only an assignment of arithmetic and NumPy functions (no effects) moves, and only past
such statements that write nothing it reads. It must not keep an array alive longer,
except one operand of its own shape, which it can then compute into.
"""

from __future__ import annotations

import bisect

import gast

from ..analysis import effects
from ..analysis.shape_inference import size as size_of
from ..ir import build


def run(body: list, ctx) -> list:
    """`body` with each pure assignment moved to just before the statement that first
    reads its name (the kept names' arrays live on anyway; the seed's assignment parts
    the sweeps, which stay apart)."""
    keep, numpy, seed, is_array = ctx.keep, ctx.numpy, ctx.seed, ctx.is_array
    body, names, index = list(body), ctx.index.ids, ctx.index

    def pure(value):
        return index.known(value, ("pure", numpy), lambda v: effects.pure(v, numpy, index.nodes))
    last = {}  # name -> the last statement that reads or writes it
    mentions = {}  # name -> the statements that mention it
    for stmt in body:
        last.update(dict.fromkeys(names(stmt), stmt))
        for n in names(stmt):
            mentions.setdefault(n, []).append(stmt)
    writes = [_writes(stmt, seed, pure) for stmt in body]
    # nothing moves past a barrier, so a move never changes where the barriers are
    barriers = [k for k, written in enumerate(writes) if written is False]
    written_by = {id(stmt): w for stmt, w in zip(body, writes)}
    pos = {id(stmt): k for k, stmt in enumerate(body)}
    for i in range(len(body) - 1, -1, -1):
        stmt = body[i]
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and pure(stmt.value) and is_array(stmt.targets[0].id)):
            continue
        name, reads = stmt.targets[0].id, names(stmt.value)
        j = min((pos[id(s)] for s in mentions.get(name, ()) if pos[id(s)] > i), default=None)
        barrier = barriers[bisect.bisect_right(barriers, i)] \
            if barriers and barriers[-1] > i else len(body)
        if j is None or j > barrier or any(
                written_by[id(body[m])] & reads for m in range(i + 1, j)):
            continue
        while build.is_comment(body[j - 1]) and j - 1 > i:  # under the comment of its reader
            j -= 1
        window = {id(s) for s in body[i:j]}
        longer = sorted(n for n in reads if id(last.get(n)) in window
                        and n not in keep and is_array(n))
        if j - 1 == i or not _fits(stmt, longer, ctx.shape):
            continue
        body[i:j] = body[i + 1:j] + [stmt]
        for m in range(i, j):
            pos[id(body[m])] = m
        for n in longer:
            last[n] = stmt
    return body


def _fits(stmt, longer, shape) -> bool:
    """No array lives longer for `stmt`'s move but, at most, one of its shape."""
    size = shape(stmt.value)
    return not longer or (len(longer) == 1 and size is not None
                          and shape(gast.Name(id=longer[0], ctx=gast.Load(), annotation=None,
                                              type_comment=None)) == size
                          and size_of(size) > 1)


def _writes(stmt, seed, pure):
    """The names `stmt` writes if a pure statement may move past it (a comment, a pure
    assignment to names, not the seed's), else False."""
    if build.is_comment(stmt):
        return set()
    if isinstance(stmt, gast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, gast.AugAssign):
        targets = [stmt.target]
    else:
        return False
    if (not all(isinstance(t, gast.Name) for t in targets)
            or not pure(stmt.value)
            or build.assigned_name(stmt) == seed):
        return False
    return {t.id for t in targets}



