"""Names that only copy another, gone, in the fused gradient.

The sweeps name every value: a helper written out in place binds its parameters
(`x = X`) and its result (`h = dense_1`), and the adjoint of a copy is a copy
(`d_dense_1 = d_t1`). In Python `a = b` makes a second name for one object, so reading
`b` where the code reads `a` is the same program, and the passes after see one array
under one name (buffer_reuse.py can then compute into `t1`, which it could not while its
array was also `dense_1`)::

    x = X                               t9 = X @ W1
    t9 = x @ W1                 ->      t1 = t9 + b1
    dense_1 = t9 + b1                   h = np.tanh(t1)
    t1 = dense_1
    h = np.tanh(t1)

`a = b` at the top level goes when both names are bound there once (or `b` is a
parameter the function never rebinds): reads of `a` read `b`; or, if `a` must stay
(a parameter or a returned gradient), `b` is named `a` from its binding on.
"""

from __future__ import annotations

import gast

from ..ir import build


def run(body: list, ctx) -> list:
    """`body` without its copies (the parameters, the returned names and the seed stay).
    Changed statements are copies."""
    keep, params = ctx.keep | {ctx.seed}, set(ctx.unit.params)
    stores = build.bindings(body)
    top = {build.assigned_name(stmt): k for k, stmt in enumerate(body)
           if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1}
    renamed, dropped = {}, set()
    for k, stmt in enumerate(body):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name)):
            continue
        a, b = stmt.targets[0].id, _final(stmt.value.id, renamed)
        once = stores[a] == 1 and (stores[b] == 1 and top.get(b, k) < k
                                   or stores[b] == 0 and b in params)
        if not once or a == b:
            continue
        if a not in keep:
            renamed[a] = b
        elif b not in keep and b not in params and a not in params:
            renamed[b] = a  # (a parameter bound again: its value may be read before)
        else:
            continue
        dropped.add(k)
    if not renamed:
        return body
    return [build.renamed(stmt, renamed) for k, stmt in enumerate(body) if k not in dropped]


def _final(name, renamed):
    while name in renamed:
        name = renamed[name]
    return name
