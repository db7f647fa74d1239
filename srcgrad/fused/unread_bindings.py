"""Constants and copies nothing reads, gone from the fused gradient: last, once no
statement moves any more.

The seed `d_loss = 1.0` stands between the two sweeps while the passes move statements
(it keeps the backward sweep's first statements after the forward sweep), but number and
seed folding leave it unread; so do copies the loop rewrites left behind::

    t4 = np.add(t3, b, t3)              t4 = np.add(t3, b, t3)
    d_loss = 1.0                ->      # line 5: return np.sum(t4 * t4)
    # line 5: return np.sum(t4 * t4)    d_t4 = 2.0 * t4
    d_t4 = 2.0 * t4

Only bindings of a constant, a name or a tuple of them (they compute nothing that could
raise), to a name read nowhere in the function and not kept (a parameter, a returned
name).
"""

from __future__ import annotations

import gast

from ..ir import build


def run(body: list, ctx) -> list:
    """`body` without `a = constant` and `a = b` where nothing reads `a`."""
    while True:
        read = ctx.index.loaded_in(body)
        dead = {build.assigned_name(stmt) for stmt in build.statements(body)
                if _constant_or_copy(stmt)} - read - ctx.keep
        if not dead:
            return body
        body = _without(body, dead)


def _constant_or_copy(stmt) -> bool:
    """`a = constant`, `a = b` or `a = (b, c)` (a helper's results, their items read)."""
    value = stmt.value if isinstance(stmt, gast.Assign) else None
    return (value is not None and build.name_binding(stmt) is not None and (
        isinstance(value, (gast.Constant, gast.Name)) or isinstance(value, gast.Tuple)
        and all(isinstance(e, (gast.Constant, gast.Name)) for e in value.elts)))


def _without(block, dead) -> list:
    """`block` without the bindings of `dead` names (copies where a statement changes)."""
    out = []
    for stmt in block:
        if _constant_or_copy(stmt) and stmt.targets[0].id in dead:
            continue
        if isinstance(stmt, gast.Delete) and any(t.id in dead for t in stmt.targets):
            stmt = build.delete([t.id for t in stmt.targets if t.id not in dead])
            if not stmt.targets:
                continue
        inner = {f: _without(getattr(stmt, f), dead) for f in ("body", "orelse")
                 if isinstance(getattr(stmt, f, None), list)}
        if any(new != getattr(stmt, f) for f, new in inner.items()):
            stmt = build.shallow_copy(stmt, **inner)
        out.append(stmt)
    return out
