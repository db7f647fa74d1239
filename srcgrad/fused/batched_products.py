"""Loop batching, forward half: a loop's per-step product of a row with a loop-invariant
weight becomes one product before the loop, and a value the loop carries from step to
step is computed into row t + 1 of one array, so the backward half can read all steps'
values at once (see loop_batching.py for both, with examples)."""

from __future__ import annotations

from typing import NamedTuple

import gast

from ..analysis import effects, loop_facts
from ..ir import build
from ..rules.facts import named, of_operator, ufunc_name, unary_ufunc


def hoisted(loop, ctx, written, elsewhere) -> list:
    """[the product of all rows, the loop reading its rows, `del` it and them] or [loop].

    `written()`, `elsewhere()`: names written anywhere, names found outside the loop. A
    row of the product is a view: it must die with the loop, or it keeps the whole
    product alive."""
    index = loop.target.id
    count = ctx.length(loop.iter.args[0])
    local = loop_facts.bound(loop.body)
    rows = loop_facts.rows_read(loop.body, index, local)
    if (not rows or loop_facts.exits(loop.body, gast.Break, gast.Continue, gast.Return)
            or index in local or count is None or count < 1):
        return [loop]  # all iterations run, at least one: each row's name is bound after
    products = []
    for k, stmt in enumerate(loop.body):
        value = stmt.value if isinstance(stmt, gast.Assign) else None
        if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult)
                and isinstance(value.left, gast.Name) and value.left.id in rows
                and rows[value.left.id][1] < k and isinstance(value.right, gast.Name)
                and isinstance(stmt.targets[0], gast.Name)):
            continue
        array, weight, result = rows[value.left.id][0], value.right.id, stmt.targets[0].id
        a_shape, w_shape = ctx.shape(build.load(array)), ctx.shape(build.load(weight))
        if (a_shape is None or w_shape is None or len(a_shape) < 2 or len(w_shape) not in (1, 2)
                or count != a_shape[0] or weight in local
                or sum(n == result for n in loop_facts.binding_list(loop.body)) != 1
                or {weight, array, result} & written() or result in elsewhere()):
            continue  # a partial sweep would compute unused rows; a written W changes
        products.append((k, array, weight, result))
    if not products:
        return [loop]
    loop = build.clone(loop)  # the forward function keeps the sweep's own loop
    before, after = [], []
    for k, array, weight, result in products:
        steps = ctx.fresh(f"{result}_steps")
        before.append(build.assign(steps, gast.BinOp(left=build.load(array), op=gast.MatMult(),
                                                     right=build.load(weight))))
        loop.body[k].value = gast.Subscript(value=build.load(steps), slice=build.load(index),
                                            ctx=gast.Load())
        after += [steps, result]
    return before + [loop, build.delete(after)]


class Carried(NamedTuple):
    """`name`, carried by a counted loop and saved at `position` of `tape`'s entries, gets
    its new value from statement `index` of the loop (`value = op(...)`, then
    `name = value`): computed into row t + 1 of `buffer` (row 0: the value before the
    loop), so the tape's values are the rows `rows = rows_of(buffer, tape, position)`."""
    tape: str
    name: str
    position: int
    index: int
    buffer: str
    rows: str
    count: int
    shape: tuple
    static: bool = False  # known float64: `out=buffer[t + 1]`, and the rows are the buffer's
    value_position: int | None = None  # where the tape holds the new value (row t + 1) too


def is_float64(plan, loop, ctx) -> bool:
    """The carried value and every array its new value is computed from are certainly
    float64 (so is the result, of a ufunc of them and small numbers, `_fresh_into`)."""
    value = loop.body[plan.index].value
    operands = [value.left, value.right] if isinstance(value, gast.BinOp) else value.args
    return ctx.float64 is not None and all(
        ctx.certainly_float64(node) for node in [build.load(plan.name)] + operands
        if isinstance(node, gast.Name))


def carried_values(body, position, ctx, sharing, before=None) -> list:
    """[Carried] for the counted loop `body[position]`, where provably safe: every
    iteration runs to its end, the row's shape is the value's, and no array that may be
    a row is changed, returned or looked at by anything we do not know. `before`: the
    names `body[:position]` binds, if known."""
    loop = body[position]
    bound = loop_facts.binding_list(loop.body)
    count = ctx.length(loop.iter.args[0])
    if (loop_facts.exits(loop.body, gast.Break, gast.Continue, gast.Return) or count is None
            or count < 0 or loop.target.id in bound):
        return []
    if before is None:
        before = loop_facts.binding_list(body[:position])
    plans = []
    for a, stmt in enumerate(loop.body):
        tape, record = loop_facts.appended(stmt)
        if tape is None:
            continue
        for p, element in enumerate(record.elts):
            name = getattr(element, "id", None)
            found = _next_value(loop.body, a, name, bound) if name in before else None
            if found is None or any(plan.name == name for plan in plans):
                continue
            index, value = found
            known = ctx.shape(build.load(name))
            if (not known or ctx.shape(build.load(value)) != known
                    or not _fresh_into(loop.body[index].value, known, ctx)):
                continue
            if not sharing().unshared({name, value}, tape):
                continue
            entries = [e.id for e in record.elts if isinstance(e, gast.Name)]
            later = entries.index(value) if index < a and entries.count(value) == 1 else None
            plans.append(Carried(tape, name, p, index, ctx.fresh(f"{name}_steps"),
                                 ctx.fresh(f"{name}_rows"), count, tuple(known),
                                 value_position=later))
    return plans


def _next_value(stmts, saved_at, name, bound):
    """(index, value) of `value = ...` (bound once) where `name = value`, the loop's one
    binding of `name`, comes after `name` is saved at `saved_at`: each saved value is the
    one the iteration began with."""
    for c, stmt in enumerate(stmts):
        if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name
                and isinstance(stmt.value, gast.Name)):
            value = stmt.value.id
            if c <= saved_at or bound.count(name) != 1 or bound.count(value) != 1:
                return None
            for v, made in enumerate(stmts[:c]):
                if (isinstance(made, gast.Assign) and len(made.targets) == 1
                        and isinstance(made.targets[0], gast.Name)
                        and made.targets[0].id == value):
                    return v, value
            return None
    return None


def _fresh_into(value, known, ctx) -> bool:
    """`value` is `np.f(x)` (f a ufunc of one array of the row's shape) or `a op b` of
    arrays and small numbers, whose dtype `row_out` can check: with `out=` it computes
    the same numbers into the row."""
    if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name) and unary_ufunc(value.func.attr)
            and len(value.args) == 1 and not value.keywords
            and isinstance(value.args[0], gast.Name)):
        return value.func.value.id == ctx.numpy and ctx.shape(value.args[0]) == known
    if isinstance(value, gast.BinOp) and of_operator(value.op).correctly_rounded:
        return all(_array_or_small(side, ctx) for side in (value.left, value.right))
    return False


def _array_or_small(node, ctx) -> bool:
    """An array, or a number whose dtype never wins over a float array's (NumPy 1's
    value-based casting: an int, a float a float16 holds)."""
    if isinstance(node, gast.Name):
        return bool(ctx.shape(node))
    return (isinstance(node, gast.Constant) and type(node.value) in (int, float)
            and abs(node.value) <= 65504)


class Sharing:
    """What `unshared` asks of a function, worked out once for all its candidates: the
    names each binding ties together, joined into groups (union-find), so that a question
    costs the groups it meets, not a walk of every binding (one per loop: quadratic)."""

    def __init__(self, body, harmless, np_):
        nodes = build.nodes(gast.Module(body=body, type_ignores=[]))
        self.opaque = any(isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda,
                                         gast.Global, gast.Nonlocal, gast.Yield, gast.YieldFrom,
                                         gast.NamedExpr, gast.With, gast.ClassDef))
                          for n in nodes)
        self._parent = {}
        replays = []  # (tape, the other names a loop replaying it ties to it)
        for n in nodes:
            if isinstance(n, gast.Assign) and not _new_array(n.value):
                self._join(build.name_ids(*n.targets) | _operands(n.value, np_))
            elif isinstance(n, gast.For):
                link, tape = build.name_ids(n.target) | _operands(n.iter, np_), \
                    loop_facts.replayed(n)
                if tape in link:  # a question about `tape` leaves it out of this binding
                    link = link - {tape}
                    if link:
                        replays.append((tape, next(iter(link))))
                self._join(link)
        # changed, returned, or the object of a method that may change it
        self.exposed = set(loop_facts.mutated(body, harmless, nodes=nodes))
        for n in nodes:
            if isinstance(n, gast.Return) and n.value is not None:
                self.exposed |= build.name_ids(n.value)
            if (isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
                    and n.func.attr not in named("writes_none", "method")):
                self.exposed |= _operands(n.func.value, np_)
        self._exposed_groups = {self._group(n) for n in self.exposed}
        self._replays = {}  # group -> [(a group a replay ties to it, the replayed tape)]
        for tape, member in replays:
            a, b = self._group(tape), self._group(member)
            self._replays.setdefault(a, []).append((b, tape))
            self._replays.setdefault(b, []).append((a, tape))

    def unshared(self, names, tape) -> bool:
        """No array that may be one of `names`' (a row, once rewritten) or a view of it is
        changed, returned, passed to a function we know nothing of or read by a nested
        function: the names bound to them (copies `a = b`, views, the replayed tape's
        entries, not `tape` itself), closed over every binding that is no new array."""
        if self.opaque:
            return False
        todo, seen = [self._group(name) for name in names], set()
        while todo:
            group = todo.pop()
            if group in seen:
                continue
            if group in self._exposed_groups:
                return False
            seen.add(group)
            todo.extend(other for other, by in self._replays.get(group, ()) if by != tape)
        return True

    def _group(self, name):
        parent = self._parent
        root = name
        while parent.get(root, root) != root:
            root = parent[root]
        while name != root:  # path compression
            parent[name], name = root, parent[name]
        return root

    def _join(self, link):
        if not link:
            return
        names = iter(link)
        first = self._group(next(names))
        for name in names:
            other = self._group(name)
            if other != first:
                self._parent[other] = first


def _operands(node, np_) -> set:
    """The names whose arrays the value of `node` may hold or view: not the functions
    called (NumPy's included), not what only a shape or dtype is read of."""
    if isinstance(node, gast.Attribute) and node.attr in named("metadata", "attribute"):
        return set()
    if isinstance(node, gast.Call):
        func = node.func
        called = set() if isinstance(func, gast.Name) or (
            isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.value.id == np_) else _operands(func, np_)
        return called.union(*[_operands(n, np_) for n in node.args + node.keywords])
    if isinstance(node, gast.Name):
        return {node.id}
    return set().union(*[_operands(n, np_) for n in gast.iter_child_nodes(node)])


def _new_array(value) -> bool:
    """Arithmetic or a pure function of NumPy: a new array, never one of its operands
    (no containers, which would hold them)."""
    return effects.new_and_pure(value) and not any(isinstance(n, _CONTAINERS)
                                                   for n in build.nodes(value))


_CONTAINERS = (gast.List, gast.Tuple, gast.Set, gast.Dict, gast.ListComp, gast.SetComp,
               gast.DictComp, gast.GeneratorExp, gast.Starred, gast.IfExp)


def into_rows(loop, plans, ctx):
    """([make the buffers, row 0 = the values before the loop], the loop computing each
    new value into its row)."""
    loop = build.clone(loop)  # the forward function keeps the sweep's own loop
    np_, row_out, index = ctx.numpy, ctx.code_name("row_out"), loop.target.id
    prefix = []
    for plan in plans:
        dims = gast.Tuple(elts=[build.const(n) for n in (plan.count + 1,) + plan.shape],
                          ctx=gast.Load())
        first = gast.Subscript(value=build.load(plan.buffer), slice=build.const(0),
                               ctx=gast.Load())
        dtype = {} if plan.static else {"dtype": build.attr(build.load(plan.name), "dtype")}
        prefix += [
            build.assign(plan.buffer, build.call(build.attr(build.load(np_), "empty"), dims,
                                                 **dtype)),
            build.assign_to(gast.Subscript(value=build.load(plan.buffer), slice=build.const(0),
                                           ctx=gast.Store()), build.load(plan.name), loop),
            build.assign(plan.name, first)]
        stmt = loop.body[plan.index]
        row = gast.BinOp(left=build.load(index), op=gast.Add(), right=build.const(1))
        value = stmt.value
        if isinstance(value, gast.BinOp):
            func, operands = build.attr(build.load(np_), ufunc_name(value.op)), [
                value.left, value.right]
        else:
            func, operands = value.func, value.args
        if plan.static:
            out = gast.Subscript(value=build.load(plan.buffer), slice=row, ctx=gast.Load())
        else:
            out = build.call(build.load(row_out), build.load(plan.buffer), row,
                             *[o for o in operands if isinstance(o, gast.Name)])
        stmt.value = build.call(func, *operands, out=out)
    return prefix, loop
