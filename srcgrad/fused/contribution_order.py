"""Start an adjoint with a contribution that can reuse memory, in the one function a
`grad` call runs.

An adjoint's first contribution often needs a new array (`2 * d_t6 * x`: nothing in
it dies), while the next one has an operand read for the last time, whose array it can
take (buffer_reuse.py). Summed the other way round, the adjoint starts in that array and the
first contribution comes last, when arrays have died and can lend it their memory::

    d_x = 2 * d_t6 * x              d_x = d_t3 * t2
    d_x += d_t3 * t2         ->     d_t2 = d_t3 * x
    d_t2 = d_t3 * x                 d_x -= d_t2
    d_x -= d_t2                     d_x += 2 * d_t6 * x

The sum is the same up to rounding (the gradient is made the argument's dtype at the
end anyway). Only for a pure first contribution whose operands outlive the move
(parameters, numbers, arrays read again later) and nothing between writes, and a next
one `+=` of a new array (arithmetic: `d_x` must not name another array) provably of
`d_x`'s shape (an operand of that shape that is no adjoint, whose shapes are nominal)
with an array operand that dies there.
"""

from __future__ import annotations

from collections import Counter

import gast

from ..analysis.effects import makes_new, pure
from ..ir import build


def run(body: list, ctx) -> list:
    """`body` with `d = e1; d += e2; ...(d -= ...)` as `d = e2; ...; d += e1`."""
    body = list(body)
    assigned = Counter(build.assigned_name(s) for s in body if isinstance(s, gast.Assign))
    stores = ctx.index.bindings(body)
    where = _Where(body, ctx.index)
    i, started = 0, set()  # started: made here, never moved again
    while i < len(body):
        if id(body[i]) not in started and _deferred(body, i, assigned, stores, ctx, started,
                                                    where):
            continue  # body[i] is the next statement now
        i += 1
    return body


class _Where:
    """Each statement's position and each name's last mention, kept as statements move
    (a question of what comes after a statement is then no walk to the end)."""

    def __init__(self, body, index):
        self.body, self.names, self.index = body, index.ids, index
        self.pos = {id(stmt): k for k, stmt in enumerate(body)}
        self.last = {}
        for stmt in body:
            self.last.update(dict.fromkeys(self.names(stmt), id(stmt)))

    def last_at(self, name) -> int:
        """The position of the last statement that mentions `name` (-1: none)."""
        return self.pos.get(self.last.get(name), -1)

    def read_after(self, names, k) -> bool:
        """Every one of `names` is mentioned after position k."""
        return all(self.last_at(n) > k for n in names)

    def moved(self, i, k, gone, replaced, new, added):
        """body[i] (`gone`) went, `replaced` became `new`, `added` came in at k."""
        for m in range(i, k + 1):
            self.pos[id(self.body[m])] = m
        self.pos.pop(id(gone), None)
        self.pos.pop(id(replaced), None)
        for n in self.names(new):
            if self.last.get(n) == id(replaced):
                self.last[n] = id(new)
        for n in self.names(added):
            if self.last_at(n) < k:
                self.last[n] = id(added)


def _deferred(body, i, assigned, stores, ctx, started, where) -> bool:
    """Whether `body[i]`, an adjoint's first contribution, moved after its updates."""
    first, name = body[i], build.assigned_name(body[i])
    if (name is None or not isinstance(first.targets[0], gast.Name)
            or assigned[name] != 1 or not pure(first.value, ctx.numpy, where.index.nodes)):
        return False
    j = _next(body, i)
    if j is None or not _adds_new_array(body, j, name, ctx, where):
        return False
    k = j  # the last of the updates in place that follow
    for m in range(j + 1, where.last_at(name) + 1):
        if name in where.names(body[m]):
            if not _is_update(body[m], name):
                break
            k = m
    operands = where.names(first.value)
    if any(stores[n] and n in where.index.stored(s) for s in body[i + 1:k + 1]
           for n in operands):
        return False
    arrays = {n for n in operands if n not in ctx.keep and ctx.is_array(n)}
    if not where.read_after(arrays, k):
        return False  # it would keep an array alive longer
    update = body[j]
    added = gast.copy_location(
        gast.AugAssign(target=build.store(name), op=gast.Add(), value=first.value), first)
    body.insert(k + 1, added)
    body[j] = build.assign(name, update.value, update)
    started.add(id(body[j]))
    del body[i]
    where.moved(i, k, first, update, body[j - 1], added)
    return True


def _next(body, i):
    """The index of the statement after `body[i]`, comments aside."""
    j = i + 1
    while j < len(body) and build.is_comment(body[j]):
        j += 1
    return j if j < len(body) else None


def _is_update(stmt, name) -> bool:
    return (isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name)
            and stmt.target.id == name and isinstance(stmt.op, (gast.Add, gast.Sub))
            and all(n.id != name for n in build.names(stmt.value)))


def _adds_new_array(body, j, name, ctx, where) -> bool:
    """`body[j]` is `name += e`, `e` a new array of name's shape, with an operand that dies."""
    stmt = body[j]
    if not (_is_update(stmt, name) and isinstance(stmt.op, gast.Add)
            and makes_new(stmt.value) and not isinstance(stmt.value, gast.Call)):
        return False
    size = ctx.shape(build.load(name))
    operands = where.names(stmt.value)
    if size is None or not any(ctx.is_forward(n) and ctx.shape(build.load(n)) == size
                               for n in operands):
        return False
    arrays = {n for n in operands if ctx.is_array(n) and n not in ctx.keep}
    return not where.read_after(arrays, j)
