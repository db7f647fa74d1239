"""Free each array after its last use, in the fused gradient.

The forward and backward sweeps fused into one function keep every temporary alive
until it returns; `del` after the last statement that reads an array lets NumPy reuse
its memory (cache-warm) for the next one::

    t3 = t2 * x                     t3 = t2 * x
    t4 = np.exp(t3)                 t4 = np.exp(t3)
    d_t1 = d_t5 * t4        ->      del t3
    ...                             d_t1 = d_t5 * t4
                                    ...

Only names bound by a statement of the function's own block (so bound on every path
after it) and known to be arrays are released, after the statement of that block (an
`if`, a loop, as a whole) that reads them last; parameters and the returned names stay.
"""

from __future__ import annotations

import gast

from ..ir import build


def run(body: list, ctx) -> list:
    """`body` with `del` statements after the last use of each releasable name: an array
    (numbers are not worth a statement), not a kept name."""
    keep, is_array = ctx.keep, ctx.is_array
    bound, last = set(), {}
    for i, stmt in enumerate(body):
        for name in ctx.index.ids(stmt):
            last[name] = i
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
            bound |= {n.id for n in build.names(targets)}
    after = {}
    for name, i in last.items():
        if name in bound and name not in keep and is_array(name):
            after.setdefault(i, []).append(name)
    end = len(body) - 1 if body and isinstance(body[-1], gast.Return) else len(body)
    out = []
    for i, stmt in enumerate(body):
        out.append(stmt)
        if i in after and i < end - 1:  # the return frees what the last statement read
            out.append(build.delete(sorted(after[i])))
    return out
