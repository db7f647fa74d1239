"""Tapes after loop batching, in the fused gradient: an entry that no
replay reads any more is not saved, and a forward statement only it read goes too.

Stacking reads each step's row of `xs` from `xs` itself and a carried value's rows from
their buffer, so the replay reads `t7` and `h_1` no longer::

    for t in range(t6):                         for t in range(t6):
        t7 = xs[t]                                  t8 = t8_steps[t]
        t8 = t8_steps[t]                            ...
        ...                             ->          tape.append(h_2)
        tape.append((h_1, t7, h_2))             ...
    ...                                         for h_2 in reversed(tape):
    for h_1, t7, h_2 in reversed(tape):             ...

Only for a tape mentioned nowhere but where it is made, filled once per iteration of a
top-level loop, replayed by another, and measured (`len(tape)`) or read by
`rows_of(buffer, tape, k)`, whose k follows its entry. The loops are copies: the sweeps'
own loops stay as they were.
"""

from __future__ import annotations

import builtins

import gast

from .. import runtime
from ..analysis.loop_facts import appended
from ..ir import build


def run(body: list, ctx) -> list:
    """`body` with each tape's unread entries left out."""
    rows_of = ctx.existing_code_name(runtime.rows_of)  # None where the code calls it
    len_ = ctx.existing_code_name(builtins.len)  # nowhere
    body = list(body)
    replays, last_read = {}, {}  # tape -> where loops replay it; name -> where last read
    for j, stmt in enumerate(body):
        it = getattr(stmt, "iter", None)
        if isinstance(it, gast.Call) and it.args and isinstance(it.args[0], gast.Name) and (
                _replay_of(stmt, it.args[0].id)):
            replays.setdefault(it.args[0].id, []).append(j)
        last_read.update(dict.fromkeys(ctx.index.loaded(stmt), j))
    for i, loop in enumerate(body):
        filled = _filled(loop)
        if filled is None:
            continue
        k, tape, record = filled
        found = [(j, body[j]) for j in replays.get(tape, ()) if j > i]
        if len(found) != 1:
            continue
        j, replay = found[0]
        if len(replay.target.elts) != len(record.elts):
            continue
        # (read after the replay: as the body was, a rewrite only reads less)
        read = build.exposed_reads(replay.body)
        used = {p for p, n in enumerate(replay.target.elts)
                if n.id in read or last_read.get(n.id, -1) > j}
        if len(used) == len(record.elts):
            continue  # (most tapes: checked before walking the whole function)
        mentions, reads, measured = _uses(body, tape, rows_of, len_)
        if mentions != 3 + len(reads) + measured:
            continue
        used = sorted(used | {call.args[2].value for call in reads})
        if len(used) == len(record.elts):
            continue
        used = used or [len(record.elts) - 1]  # the replay still counts the steps
        dropped = {record.elts[p].id for p in range(len(record.elts)) if p not in used}
        bare = len(used) == 1 and not reads  # rows_of reads entries as tuples
        body[i] = _refilled(loop, k, record, used, bare)
        body[j] = _replaying(replay, used, bare)
        _renumbered(body, {id(call): used.index(call.args[2].value) for call in reads})
        body[i].body = _without_dead(body[i].body, dropped, body)
    return body


def _renumbered(body, entries) -> None:
    """`body` with the `rows_of` calls of ids in `entries` reading those entries, in copies
    of the statements that hold them (no statement changes in place: ir/index.py)."""
    if not entries:
        return
    for m, stmt in enumerate(body):
        nodes = build.nodes(stmt)
        if any(id(node) in entries for node in nodes):
            body[m] = build.clone(stmt)
            for node, copied in zip(nodes, build.nodes(body[m])):
                if id(node) in entries:
                    copied.args[2] = build.const(entries[id(node)])


def _filled(loop):
    """(position, tape, the tuple) of the one `tape.append((...))` at the top of a `for`
    body, the tuple's entries all names; else None."""
    if not isinstance(loop, gast.For):
        return None
    found = [(k, stmt) for k, stmt in enumerate(loop.body) if appended(stmt)[0] is not None]
    if len(found) != 1:
        return None
    k, stmt = found[0]
    tape, record = appended(stmt)
    if not all(isinstance(e, gast.Name) for e in record.elts):
        return None
    return k, tape, record


def _replay_of(loop, tape) -> bool:
    """`for (a, b, ...) in reversed(tape):` with names for targets."""
    it = getattr(loop, "iter", None)
    return (isinstance(loop, gast.For) and not loop.orelse and isinstance(it, gast.Call)
            and isinstance(it.func, gast.Name) and it.func.id == "reversed"
            and len(it.args) == 1 and isinstance(it.args[0], gast.Name)
            and it.args[0].id == tape and isinstance(loop.target, gast.Tuple)
            and all(isinstance(e, gast.Name) for e in loop.target.elts))


def _uses(body, tape, rows_of, len_):
    """(how often the tape's name appears, its `rows_of(buffer, tape, k)` calls with k a
    constant, how many `len(tape)` there are)."""
    mentions, reads, measured = 0, [], 0
    for node in build.nodes(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Name) and node.id == tape:
            mentions += 1
        elif (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
              and any(isinstance(a, gast.Name) and a.id == tape for a in node.args)
              and not node.keywords):
            if node.func.id == len_ and len(node.args) == 1:
                measured += 1
            elif (node.func.id == rows_of and len(node.args) == 3
                  and isinstance(node.args[1], gast.Name) and node.args[1].id == tape
                  and isinstance(node.args[2], gast.Constant)
                  and type(node.args[2].value) is int):
                reads.append(node)
    return mentions, reads, measured


def _refilled(loop, k, record, used, bare):
    loop = build.clone(loop)
    kept = [build.load(record.elts[p].id) for p in used]
    loop.body[k].value.args[0] = kept[0] if bare else build.tuple_(kept)
    return loop


def _replaying(replay, used, bare):
    replay = build.clone(replay)
    kept = [build.store(replay.target.elts[p].id) for p in used]
    replay.target = kept[0] if bare else gast.Tuple(elts=kept, ctx=gast.Store())
    return replay


def _without_dead(stmts, dropped, body):
    """The loop body without `name = array[index]` for a dropped entry nothing else reads."""
    loaded = [n.id for n in build.names(body) if isinstance(n.ctx, gast.Load)]
    return [stmt for stmt in stmts if not (
        isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in dropped
        and stmt.targets[0].id not in loaded and _row_read(stmt.value))]


def _row_read(value) -> bool:
    """`a[i]` of names: it reads a row, and changes nothing."""
    return (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)
            and isinstance(value.slice, gast.Name))
