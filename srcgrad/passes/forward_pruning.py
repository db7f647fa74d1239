"""Drop what the forward sweep of a grad-only call computes for nothing.

When only the gradient is wanted (and the shapes prove the value a number), the forward
sweep returns None for the value: an assignment by a differentiable rule of NumPy whose
name the backward sweep never reads, directly or through another, is not computed::

    t1 = w * x                      t1 = w * x
    yhat = t1 + b                   yhat = t1 + b
    err = yhat - y           ->     err = yhat - y
    t3 = err ** 2                   (gone: the backward sweep reads err only)
    loss = np.mean(t3)
"""

from __future__ import annotations

import gast

from ..ir import build


def run(body, ctx) -> list:
    """The top-level statements of the forward sweep that the saved names (ctx.saved)
    depend on, or that may have effects: assignments by a differentiable rule of NumPy
    (not a call of the user's, not a random draw) whose names nothing reads are dropped."""
    unit, live = ctx.unit, set(ctx.saved)
    out = []
    for stmt in reversed(body):
        op = unit.ops.get(stmt) if isinstance(stmt, gast.Assign) else None
        if (op is not None and isinstance(stmt.targets[0], gast.Name)
                and stmt.targets[0].id not in live and op.rule is not None
                and not op.is_user_call and not op.nondifferentiable):
            continue
        live |= build.loaded(stmt)
        out.append(stmt)
    out.reverse()
    return out
