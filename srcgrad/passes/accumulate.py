"""Accumulate adjoints in place where the backward sweep owns the array.

An adjoint array the sweep made itself (an arithmetic result, a fresh fill) that no
other name shares can take the next contribution in place, without a new array::

    d_x = 2 * d_t6 * x              d_x = 2 * d_t6 * x
    d_x = d_x + d_t3 * t2     ->    d_x += d_t3 * t2
    d_x = d_x - d_t2                d_x -= d_t2

A copy (`d_t5 = d_x`), a view (`d_x.T`, `d_x[i]`), a helper that may return its
argument, or a tape entry shares the array: from there on it is not owned. Used on
specialized code only, where each adjoint's shape is known (so the contribution
broadcasts into it) and the arguments are real.
"""

from __future__ import annotations

import gast
import numpy as np

from ..analysis import effects
from ..analysis.effects import makes_new
from ..ir import build

def run(body: list, ctx) -> list:
    """`body` with `d = d + e` / `d = d - e` as `d += e` / `d -= e` where the adjoint `d`
    is owned, an array of known shape that `e` broadcasts into."""
    _block(body, set(), _Updatable(ctx))
    return body


class _Updatable:
    """`(name, term)`: may the adjoint `name` take `+= term` in place, shapes permitting?"""

    def __init__(self, ctx):
        self.adjoints, self.shape = set(ctx.unit.namer.adjoints().values()), ctx.shape

    def __call__(self, name, term) -> bool:
        if name not in self.adjoints:
            return False
        mine, theirs = self.shape(build.load(name)), self.shape(term)
        if not mine or theirs is None:
            return False
        try:
            return np.broadcast_shapes(mine, theirs) == mine
        except ValueError:
            return False


def _block(body, owned, arrays) -> set:
    for i, stmt in enumerate(body):
        if isinstance(stmt, gast.If):
            a = _block(stmt.body, set(owned), arrays)
            b = _block(stmt.orelse, set(owned), arrays)
            owned &= a & b
        elif isinstance(stmt, (gast.For, gast.While)):
            effects.disown(stmt.iter if isinstance(stmt, gast.For) else stmt.test, owned)
            entry = set(owned)
            while True:  # what is owned at the end of an iteration and on entry
                end = _block(_copy_free(stmt.body), set(entry), arrays)
                if entry <= end:
                    break
                entry &= end
            _block(stmt.body, set(entry), arrays)
            owned &= entry
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            name, value = stmt.targets[0].id, stmt.value
            op = _update(name, value)
            if op is not None and name in owned and arrays(name, value.right):
                effects.disown(value.right, owned)
                body[i] = gast.copy_location(
                    gast.AugAssign(target=stmt.targets[0], op=op(), value=value.right), stmt)
                continue
            fresh = makes_new(value)
            effects.disown(value, owned)
            owned.discard(name)
            if fresh:
                owned.add(name)
        else:
            effects.disown(stmt, owned)
    return owned


def _copy_free(body):
    """The loop body as the analysis sees it, without rewriting it (a dry run)."""
    return build.clone(body)


def _update(name, value):
    if (isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Sub))
            and isinstance(value.left, gast.Name) and value.left.id == name
            and name not in {n.id for n in build.names(value.right)}):
        return type(value.op)
    return None
