"""Do a loop's per-step products once, over all steps stacked, in the one function a
`grad` call runs.

Forward sweep: in a loop over every row of `xs`, the product of row `t` with a
loop-invariant `Wx` is row `t` of one product made before the loop::

    for t in range(t6):              t8_steps = xs @ Wx
        t7 = xs[t]           ->      for t in range(t6):
        t8 = t7 @ Wx                     t7 = xs[t]
                                         t8 = t8_steps[t]
                                     del t8_steps

Backward sweep: an adjoint accumulated over the replayed steps from a row of `xs` and
a step's adjoint (`d_Wx += t7.T @ d_t8`, `d_b += d_t11.sum(axis=0)`) becomes one
product after the loop; each step copies its adjoint into a stack made before it::

    n_steps = len(tape)
    d_t11_steps = np.empty((n_steps, 16, 32), dtype=d_Wx.dtype)
    step = n_steps
    for h_1, t7, h_2 in reversed(tape):
        step -= 1
        ...
        d_t11_steps[step] = d_t11
    d_Wx += xs[:n_steps].reshape(n_steps * 16, 8).T @ d_t11_steps.reshape(n_steps * 16, 32)
    d_b += d_t11_steps.sum(axis=(0, 1))

A value the forward loop carries from step to step (`h_1`, saved on the tape, then
`h_1 = h_2`) whose new value is one operation is computed into row t + 1 of one array,
so the tape's `h_1`s are its rows and `d_Wh += h_1.T @ d_t9` is one product too::

    h_1_steps = np.empty((51, 16, 32), dtype=h_1.dtype)
    h_1_steps[0] = h_1
    h_1 = h_1_steps[0]
    for t in range(t6):
        ...
        h_2 = np.tanh(t11, out=row_out(h_1_steps, t + 1, t11))
    ...
    h_1_rows = rows_of(h_1_steps, tape, 0)
    ...
    d_Wh += h_1_rows.reshape(n_steps * 16, 32).T @ d_t11_steps.reshape(n_steps * 16, 32)

`row_out` gives the row only if the result's dtype is the row's (else a new array, and
`rows_of` stacks the tape's values instead); no array that may be a row is changed,
returned or given to a function we know nothing of.

A step's row of `xs` is read from `xs` itself (no copy): only when the forward loop is
`for t in range(n)` that saves `t7 = xs[t]` on its tape in every iteration, and `xs` is
never written. The rewritten loops are copies: the sweeps' own statements stay plain
(forward mode differentiates those).
"""

from __future__ import annotations

import builtins
from collections import Counter

import gast

from ..analysis import loop_facts
from ..ir import build
from .batched_products import Sharing, carried_values, hoisted, into_rows, is_float64
from .stacked_adjoints import accumulations, stacked


def run(body: list, ctx) -> list:
    """`body` (top-level statements of the fused gradient) with both rewrites. Where the
    values are certainly float64 (ctx.float64), a carried value's rows need no `row_out`
    and `rows_of` check."""
    def is_range(name):
        return ctx.names_builtin(name, builtins.range)
    counted = [s for s in body if isinstance(s, gast.For) and loop_facts.counted(s, is_range)]
    if not counted:
        return body
    found = []

    def written():  # walks the whole function: only once a loop qualifies
        if not found:
            found.append(loop_facts.written(body, ctx.writes_none))
        return found[0]
    shared = []

    def sharing():  # the same: once a carried value qualifies
        if not shared:
            shared.append(Sharing(body, ctx.writes_none, ctx.numpy))
        return shared[0]
    rows = {}  # tape name -> {name saved on it: the array it is a row of}
    carried = {}  # id(loop) -> [Carried]
    loops = {id(loop) for loop in counted}
    before = set()  # the names bound before the statement (each statement walked once)
    for position, loop in enumerate(body):
        if id(loop) in loops:
            for tape, saved in _saved_rows(loop, written).items():
                rows.setdefault(tape, {}).update(saved)
            for plan in carried_values(body, position, ctx, sharing, before):
                carried.setdefault(id(loop), []).append(plan)
                rows.setdefault(plan.tape, {})[plan.name] = plan.rows
        before.update(loop_facts.binding_list([loop]))
    if rows:
        mentions = Counter(n.id for n in build.names(body)
                           if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Del))
        for tape in list(rows):  # made, filled by its loop, replayed: nothing else changes it
            if mentions[tape] != 3:
                del rows[tape]
    kept = {plan.rows: plan for plans in carried.values() for plan in plans
            if plan.tape in rows}
    ctx = ctx.knowing_shapes({plan.rows: (plan.count,) + plan.shape for plan in kept.values()})
    used = {array for stmt in body
            if isinstance(stmt, gast.For) and loop_facts.replayed(stmt) in rows
            for *_, array in accumulations(stmt, rows[loop_facts.replayed(stmt)], ctx)}
    for plan in [plan for name, plan in kept.items() if name not in used]:
        del kept[plan.rows], rows[plan.tape][plan.name]  # no product reads its rows
        if not rows[plan.tape]:
            del rows[plan.tape]
    out, deleted, everywhere = [], set(), []
    for stmt in body:
        if id(stmt) in loops:
            def elsewhere(loop=stmt):
                if not everywhere:  # the names of each statement, counted once
                    everywhere.append(Counter(n.id for n in build.names(body)))
                return _Outside(everywhere[0], Counter(n.id for n in build.names(loop)))
            plans = [p for p in carried.get(id(stmt), []) if p.rows in kept]
            if plans:
                static = {p.rows for p in plans if is_float64(p, stmt, ctx)}
                kept = {rows: (plan._replace(static=True) if rows in static else plan)
                        for rows, plan in kept.items()}
                prefix, stmt = into_rows(stmt, [kept[p.rows] for p in plans], ctx)
                out.extend(prefix)
            out.extend(hoisted(stmt, ctx, written, elsewhere))
        elif isinstance(stmt, gast.For) and loop_facts.replayed(stmt) in rows:
            alive = {name: array for name, array in rows[loop_facts.replayed(stmt)].items()
                     if array not in deleted}  # read again right after the loop
            out.extend(stacked(stmt, alive, ctx, kept))
        else:
            out.append(stmt)
        if isinstance(stmt, gast.Delete):
            deleted |= {n.id for n in stmt.targets if isinstance(n, gast.Name)}
    return out



class _Outside:
    """`name in` it: the name occurs outside the loop (all its occurrences, less the
    loop's own), asked without making the set of every name."""

    def __init__(self, everywhere, own):
        self.everywhere, self.own = everywhere, own

    def __contains__(self, name) -> bool:
        return self.everywhere[name] > self.own[name]


# --- backward: adjoints accumulated over the steps ---------------------------------------


def _saved_rows(loop, written) -> dict:
    """{tape: {name: array}} for names the loop saves on its tape in iteration `t` that are
    row `t` of an array never written: the k-th tape entry holds row k."""
    index = loop.target.id
    local = loop_facts.bound(loop.body)
    rows = loop_facts.rows_read(loop.body, index, local)
    if not rows or loop_facts.exits(loop.body, gast.Continue, gast.Return) or index in local:
        return {}
    found = {}
    for k, stmt in enumerate(loop.body):
        tape, record = loop_facts.appended(stmt)
        if tape is not None:
            found[tape] = {n.id: rows[n.id][0] for n in record.elts
                           if isinstance(n, gast.Name) and n.id in rows and rows[n.id][1] < k
                           and rows[n.id][0] not in written()}
            if not found[tape]:
                del found[tape]
    return found
