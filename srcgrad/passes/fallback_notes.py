"""Say why a loop of a specialized backward sweep still calls general helpers.

specialize.py writes plain NumPy where the shapes are known; in a loop whose values'
shapes are not, `unbroadcast` and the matmul adjoints stay, deciding at run time. The
loop says why, naming what the shapes depend on that the variant does not know (it
knows the shapes of its arguments only)::

    for v_1, x_1, t3 in reversed(tape):         for v_1, x_1, t3 in reversed(tape):
        d_x_1 = unbroadcast(d_x_2, x_1)   ->        # unbroadcast stays in this loop: the
                                                    # shapes depend on DT (a global)
                                                    d_x_1 = unbroadcast(d_x_2, x_1)
"""

from __future__ import annotations

import gast
import numpy as np

from .. import runtime
from ..ir import build

GENERAL = (runtime.unbroadcast, runtime.matmul_adjoint_x, runtime.matmul_adjoint_y,
           runtime.dot_adjoint_x, runtime.dot_adjoint_y, runtime.split_among_ties)


def run(body: list, ctx) -> list:
    """`body` with a comment at the top of each loop that calls a general helper."""
    unit = ctx.unit
    general = {code for code, obj in unit.code_names.items() if obj in GENERAL}
    if not general:
        return body
    primal = {adj: name for name, adj in unit.namer.adjoints().items()}
    why = _Causes(unit, ctx.shapes)
    for stmt in build.statements(body):
        if not isinstance(stmt, (gast.For, gast.While)):
            continue
        calls = [n for s in stmt.body for n in build.nodes(s) if isinstance(n, gast.Call)
                 and isinstance(n.func, gast.Name) and n.func.id in general]
        if calls:
            names = {primal.get(n.id, n.id) for c in calls for a in c.args
                     for n in build.names(a)}
            helpers = ", ".join(sorted({c.func.id for c in calls}))
            stmt.body = [build.comment(_said(helpers, why.roots(names)))] + stmt.body
    return body


def _said(helpers, roots) -> str:
    if not roots:
        return (f"{helpers} stays in this loop: the shapes are not known while the code\n"
                "is generated (they may change from one step to the next)")
    return (f"{helpers} stays in this loop: the shapes depend on {', '.join(roots)}\n"
            "(only the shapes of the arguments are known while the code is generated)")


class _Causes:
    """What the shapes of the function's values depend on that the variant does not know:
    the globals (or closure variables) they are computed from."""

    def __init__(self, unit, shapes):
        self.unit, self.shapes, self.operands = unit, shapes or {}, {}
        for stmt in build.statements(unit.body):
            if isinstance(stmt, gast.Assign):
                for name in build.stored(stmt.targets):
                    self.operands.setdefault(name, set()).update(build.loaded(stmt.value))

    def roots(self, names) -> list:
        seen, found, stack = set(), set(), list(names)
        while stack:
            name = stack.pop()
            if name in seen or self.shapes.get(name) is not None:
                continue
            seen.add(name)
            if name in self.operands:
                stack.extend(self.operands[name])
            elif name not in self.unit.params and isinstance(
                    self.unit.resolver.lookup(name), (float, int, np.ndarray, np.generic)):
                found.add(f"{name} (a global)")
        return sorted(found)
