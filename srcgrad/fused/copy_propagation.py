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

An item of a tuple written out, `a = T[1]` after `T = (u, v)`, is a copy of `v` (a
helper returning several values binds them so): the tuple holds the object `v` was bound
to, which is `v`'s still when `v` is bound once.

`a = b` goes, in any block (a loop's body, a branch), when `a` is bound there only, read
only in the statements after it in that block, and `b` is not bound again before the
last of those reads: reads of `a` read `b`. A copy nothing reads goes too. At the top
level, if `a` must stay (a parameter or a returned gradient) and `b` is bound there
once, `b` is named `a` from its binding on.
"""

from __future__ import annotations

import gast

from ..ir import build


def run(body: list, ctx) -> list:
    """`body` without its copies (the parameters, the returned names and the seed stay).
    Changed statements are copies."""
    keep, index = ctx.keep | {ctx.seed}, ctx.index
    stores, reads = index.bindings(body), index.read_counts(body)
    tuples = {stmt.targets[0].id: [e.id for e in stmt.value.elts] for stmt in body
              if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Tuple)
              and build.name_binding(stmt) is not None
              and stores[stmt.targets[0].id] == 1
              and all(isinstance(e, gast.Name) and stores[e.id] == 1 for e in stmt.value.elts)}
    return _into_kept(_block(body, keep, stores, reads, index, tuples), keep,
                      set(ctx.unit.params), index)


def _copy(stmt, tuples=None, renamed=None):
    """(a, b, what the statement reads) of `a = b`, or of `a = T[k]` of a tuple `T` of
    `tuples` ({T: [its items' names]}) whose item k is b (T read under another name of
    `renamed`); else None."""
    if not (isinstance(stmt, gast.Assign) and build.name_binding(stmt) is not None):
        return None
    value = stmt.value
    if isinstance(value, gast.Name):
        return stmt.targets[0].id, value.id, value.id
    if (tuples and isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name)
            and _final(value.value.id, renamed) in tuples
            and isinstance(value.slice, gast.Constant) and type(value.slice.value) is int):
        items = tuples[_final(value.value.id, renamed)]
        if -len(items) <= value.slice.value < len(items):
            return stmt.targets[0].id, items[value.slice.value], value.value.id
    return None


def _block(block, keep, stores, reads, index, tuples) -> list:
    """`block` without the copies that can go (the counts follow the changes). Each
    statement's names are read once: linear in the block's size."""
    out = []
    for stmt in block:  # the inner blocks first: their copies are their own
        inner = {f: _block(getattr(stmt, f), keep, stores, reads, index, tuples)
                 for f in ("body", "orelse")
                 if isinstance(getattr(stmt, f, None), list)}
        if any(new != getattr(stmt, f) for f, new in inner.items()):
            stmt = build.shallow_copy(stmt, **inner)
        out.append(stmt)
    read_at, stored_at = {}, {}  # name -> {position: reads there}, name -> [positions]
    for k, stmt in enumerate(out):
        for n in index.names(stmt):
            if type(n.ctx) is gast.Load:
                at = read_at.setdefault(n.id, {})
                at[k] = at.get(k, 0) + 1
            else:
                stored_at.setdefault(n.id, []).append(k)
    renamed, dropped = {}, set()
    for k, stmt in enumerate(out):
        found = _copy(stmt, tuples, renamed)
        if found is None:
            continue
        a, b, source = found[0], _final(found[1], renamed), _final(found[2], renamed)
        if not _goes(out, k, a, b, keep, stores, reads, read_at, stored_at):
            continue
        renamed[a] = b
        dropped.add(k)
        moved = read_at.pop(a, {})
        at = read_at.setdefault(b, {})
        for position, count in moved.items():
            at[position] = at.get(position, 0) + count
        read_at[source][k] -= 1  # (the copy read b, or the tuple)
        reads[b] += reads.pop(a, 0)
        reads[source] -= 1
        stores[a] -= 1
    if not renamed:
        return out
    return [index.renamed(stmt, renamed) for k, stmt in enumerate(out) if k not in dropped]


def _goes(out, k, a, b, keep, stores, reads, read_at, stored_at) -> bool:
    """The copy `a = b` at `out[k]` can go: `a` is read only after it in this block, `b`
    keeps its value until the last of those reads."""
    if a in keep or a == b or stores[a] != 1:
        return False
    at = read_at.get(a, {})
    if sum(at.values()) != reads[a] or any(position <= k for position in at):
        return False  # read elsewhere: before it, in another block, or in a loop's test
    last = max(at, default=-1)
    for j in stored_at.get(b, ()):
        if k < j <= last and not (j == last and isinstance(out[j], gast.Assign) and all(
                isinstance(t, gast.Name) for t in out[j].targets)):
            return False  # (`b = f(a)` reads `a` before it binds `b`)
    return True


def _into_kept(body, keep, params, index) -> list:
    """`body` with `a = b` gone where `a` must stay and `b`, bound once at the top level
    before it, is named `a` from its binding on."""
    stores = index.bindings(body)
    top = {build.assigned_name(stmt): k for k, stmt in enumerate(body)
           if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1}
    renamed, dropped = {}, set()
    for k, stmt in enumerate(body):
        found = _copy(stmt)
        if found is None:
            continue
        a, b = found[0], _final(found[1], renamed)
        if (a in keep and a not in params and b not in keep and b not in params
                and stores[a] == 1 and stores[b] == 1 and top.get(b, k) < k):
            renamed[b] = a  # (a parameter bound again: its value may be read before)
            dropped.add(k)
    if not renamed:
        return body
    return [index.renamed(stmt, renamed) for k, stmt in enumerate(body) if k not in dropped]


def _final(name, renamed):
    while renamed and name in renamed:
        name = renamed[name]
    return name
