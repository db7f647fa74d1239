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

from typing import NamedTuple

import gast

from ..ir import build
from ..analysis import dtypes, effects, loop_facts
from . import step_factors
from .buffer_reuse import _BINARY, _UNARY


def stack(body: list, shape, length, is_range, numpy, fresh, builtin, harmless,
          float64=None, kind_of=lambda name: None) -> list:
    """`body` (top-level statements of the fused function) with both rewrites.

    `shape(node)`: an expression's shape or None; `length(node)`: the int a name or
    constant is known to hold, or None; `is_range(name)`: the name is builtin `range`;
    `numpy()`: the code's name for NumPy; `fresh(base)`: a new name; `builtin(name)`: the
    code's name for a builtin (`len`); `harmless(name)`: the function called by that name
    changes none of its arguments; `float64(node)` (or None): the expression is certainly
    a float64 array or a number (dtypes.py), so a carried value's rows need no `row_out`
    and `rows_of` check; `kind_of(name)`: the name's dtypes kind (adjoints' included)."""
    counted = [s for s in body if isinstance(s, gast.For) and loop_facts.counted(s, is_range)]
    if not counted:
        return body
    found = []

    def written():  # walks the whole function: only once a loop qualifies
        if not found:
            found.append(loop_facts.written(body, harmless))
        return found[0]
    shared = []

    def sharing():  # the same: once a carried value qualifies
        if not shared:
            shared.append(_Sharing(body, harmless, numpy()))
        return shared[0]
    rows = {}  # tape name -> {name saved on it: the array it is a row of}
    carried = {}  # id(loop) -> [Carried]
    for position, loop in enumerate(body):
        if not any(loop is c for c in counted):
            continue
        for tape, saved in _saved_rows(loop, written).items():
            rows.setdefault(tape, {}).update(saved)
        for plan in _carried(body, position, shape, length, sharing, numpy, fresh):
            carried.setdefault(id(loop), []).append(plan)
            rows.setdefault(plan.tape, {})[plan.name] = plan.rows
    if rows:
        mentions = [n.id for n in build.names(body)
                    if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Del)]
        for tape in list(rows):  # made, filled by its loop, replayed: nothing else changes it
            if mentions.count(tape) != 3:
                del rows[tape]
    kept = {plan.rows: plan for plans in carried.values() for plan in plans
            if plan.tape in rows}
    shape = _knowing(shape, {plan.rows: (plan.count,) + plan.shape for plan in kept.values()})
    used = {array for stmt in body if isinstance(stmt, gast.For) and loop_facts.replayed(stmt) in rows
            for *_, array in _plan(stmt, rows[loop_facts.replayed(stmt)], shape)}
    for plan in [plan for name, plan in kept.items() if name not in used]:
        del kept[plan.rows], rows[plan.tape][plan.name]  # no product reads its rows
        if not rows[plan.tape]:
            del rows[plan.tape]
    out, deleted = [], set()
    for stmt in body:
        if any(stmt is loop for loop in counted):
            def elsewhere(loop=stmt):
                return loop_facts.all_names(*(other for other in body if other is not loop))
            plans = [p for p in carried.get(id(stmt), []) if p.rows in kept]
            if plans:
                static = {p.rows for p in plans if _static(p, stmt, float64)}
                kept = {rows: (plan._replace(static=True) if rows in static else plan)
                        for rows, plan in kept.items()}
                prefix, stmt = _into_rows(stmt, [kept[p.rows] for p in plans], numpy, builtin)
                out.extend(prefix)
            out.extend(_hoist(stmt, shape, length, written, elsewhere, numpy, fresh))
        elif isinstance(stmt, gast.For) and loop_facts.replayed(stmt) in rows:
            alive = {name: array for name, array in rows[loop_facts.replayed(stmt)].items()
                     if array not in deleted}  # read again right after the loop
            out.extend(_stack_adjoints(stmt, alive, shape, numpy, fresh, builtin, kept, kind_of))
        else:
            out.append(stmt)
        if isinstance(stmt, gast.Delete):
            deleted |= {n.id for n in stmt.targets if isinstance(n, gast.Name)}
    return out


# --- forward: products of rows -----------------------------------------------------------


def _hoist(loop, shape, length, written, elsewhere, numpy, fresh) -> list:
    """[the product of all rows, the loop reading its rows, `del` it and them] or [loop].

    `written()`, `elsewhere()`: names written anywhere, names found outside the loop. A
    row of the product is a view: it must die with the loop, or it keeps the whole
    product alive."""
    index = loop.target.id
    count = length(loop.iter.args[0])
    local = loop_facts.bound(loop.body)
    rows = _row_names(loop.body, index, local)
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
        a_shape, w_shape = shape(build.load(array)), shape(build.load(weight))
        if (a_shape is None or w_shape is None or len(a_shape) < 2 or len(w_shape) not in (1, 2)
                or count != a_shape[0] or weight in local
                or sum(n == result for n in loop_facts.stored(loop.body)) != 1
                or {weight, array, result} & written() or result in elsewhere()):
            continue  # a partial sweep would compute unused rows; a written W changes
        products.append((k, array, weight, result))
    if not products:
        return [loop]
    loop = build.clone(loop)  # the forward function keeps the sweep's own loop
    before, after = [], []
    for k, array, weight, result in products:
        steps = fresh(f"{result}_steps")
        before.append(build.assign(steps, gast.BinOp(left=build.load(array), op=gast.MatMult(),
                                                     right=build.load(weight))))
        loop.body[k].value = gast.Subscript(value=build.load(steps), slice=build.load(index),
                                            ctx=gast.Load())
        after += [steps, result]
    return before + [loop, build.delete(after)]


def _row_names(stmts, index, local) -> dict:
    """{name: (array, position)} for top-level `name = array[index]` whose array the loop
    never binds and whose name it binds once."""
    rows = {}
    for k, stmt in enumerate(stmts):
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Subscript)
                and isinstance(stmt.value.value, gast.Name)
                and isinstance(stmt.value.slice, gast.Name) and stmt.value.slice.id == index
                and stmt.value.value.id not in local):
            rows[stmt.targets[0].id] = (stmt.value.value.id, k)
    if rows:
        stored = loop_facts.stored(stmts)
        rows = {name: row for name, row in rows.items() if stored.count(name) == 1}
    return rows


# --- forward: a loop-carried value computed into rows of one array ----------------------


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


def _static(plan, loop, float64) -> bool:
    """The carried value and every array its new value is computed from are certainly
    float64 (so is the result, of a ufunc of them and small numbers, `_fresh_into`)."""
    value = loop.body[plan.index].value
    operands = [value.left, value.right] if isinstance(value, gast.BinOp) else value.args
    return float64 is not None and all(
        float64(node) for node in [build.load(plan.name)] + operands
        if isinstance(node, gast.Name))


def _carried(body, position, shape, length, sharing, numpy, fresh) -> list:
    """[Carried] for the counted loop `body[position]`, where provably safe: every
    iteration runs to its end, the row's shape is the value's, and no array that may be
    a row is changed, returned or looked at by anything we do not know."""
    loop = body[position]
    bound = loop_facts.stored(loop.body)
    count = length(loop.iter.args[0])
    if (loop_facts.exits(loop.body, gast.Break, gast.Continue, gast.Return) or count is None
            or count < 0 or loop.target.id in bound):
        return []
    before = loop_facts.stored(body[:position])
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
            known = shape(build.load(name))
            if (not known or shape(build.load(value)) != known
                    or not _fresh_into(loop.body[index].value, known, shape, numpy)):
                continue
            if not _unshared(sharing(), {name, value}, tape):
                continue
            entries = [e.id for e in record.elts if isinstance(e, gast.Name)]
            later = entries.index(value) if index < a and entries.count(value) == 1 else None
            plans.append(Carried(tape, name, p, index, fresh(f"{name}_steps"),
                                 fresh(f"{name}_rows"), count, tuple(known),
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


def _fresh_into(value, known, shape, numpy) -> bool:
    """`value` is `np.f(x)` (f a ufunc of one array of the row's shape) or `a op b` of
    arrays and small numbers, whose dtype `row_out` can check: with `out=` it computes
    the same numbers into the row."""
    if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name) and value.func.attr in _UNARY
            and len(value.args) == 1 and not value.keywords
            and isinstance(value.args[0], gast.Name)):
        return value.func.value.id == numpy() and shape(value.args[0]) == known
    if isinstance(value, gast.BinOp) and type(value.op) in _BINARY:
        return all(_array_or_small(side, shape) for side in (value.left, value.right))
    return False


def _array_or_small(node, shape) -> bool:
    """An array, or a number whose dtype never wins over a float array's (NumPy 1's
    value-based casting: an int, a float a float16 holds)."""
    if isinstance(node, gast.Name):
        return bool(shape(node))
    return (isinstance(node, gast.Constant) and type(node.value) in (int, float)
            and abs(node.value) <= 65504)


def _unshared(sharing, names, tape) -> bool:
    """No array that may be one of `names`' (a row, once rewritten) or a view of it is
    changed, returned, passed to a function we know nothing of or read by a nested
    function: the names bound to them (copies `a = b`, views, the replayed tape's
    entries), closed over every binding that is no new array."""
    if sharing.opaque:
        return False
    alias, todo = set(), list(names)
    while todo:  # every name a binding ties to one already found
        name = todo.pop()
        if name in alias:
            continue
        alias.add(name)
        for link, replayed in sharing.links_of.get(name, ()):
            if replayed == tape:  # the replay's entries, not the tape they come from
                link = link - {tape}
            if name in link:
                todo.extend(link - alias)
    return alias.isdisjoint(sharing.exposed)


class _Sharing:
    """What `_unshared` asks of a function, worked out once for all its candidates."""

    def __init__(self, body, harmless, np_):
        nodes = build.nodes(gast.Module(body=body, type_ignores=[]))
        self.opaque = any(isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda,
                                         gast.Global, gast.Nonlocal, gast.Yield, gast.YieldFrom,
                                         gast.NamedExpr, gast.With, gast.ClassDef))
                          for n in nodes)
        self.links_of = {}  # name -> [(the names one binding ties together, its tape or None)]
        for n in nodes:
            if isinstance(n, gast.Assign) and not _new_array(n.value):
                self._link(loop_facts.all_names(*n.targets) | _operands(n.value, np_), None)
            elif isinstance(n, gast.For):
                self._link(loop_facts.all_names(n.target) | _operands(n.iter, np_), loop_facts.replayed(n))
        # changed, returned, or the object of a method that may change it
        self.exposed = set(loop_facts.mutated(body, harmless, nodes=nodes))
        for n in nodes:
            if isinstance(n, gast.Return) and n.value is not None:
                self.exposed |= loop_facts.all_names(n.value)
            if (isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
                    and n.func.attr not in effects.PURE_METHODS):
                self.exposed |= _operands(n.func.value, np_)

    def _link(self, link, replayed):
        for name in link:
            self.links_of.setdefault(name, []).append((link, replayed))


def _operands(node, np_) -> set:
    """The names whose arrays the value of `node` may hold or view: not the functions
    called (NumPy's included), not what only a shape or dtype is read of."""
    if isinstance(node, gast.Attribute) and node.attr in ("shape", "ndim", "size", "dtype"):
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
    return _fresh(value) and not any(isinstance(n, _CONTAINERS) for n in build.nodes(value))


_CONTAINERS = (gast.List, gast.Tuple, gast.Set, gast.Dict, gast.ListComp, gast.SetComp,
               gast.DictComp, gast.GeneratorExp, gast.Starred, gast.IfExp)


def _into_rows(loop, plans, numpy, builtin):
    """([make the buffers, row 0 = the values before the loop], the loop computing each
    new value into its row)."""
    loop = build.clone(loop)  # the forward function keeps the sweep's own loop
    np_, row_out, index = numpy(), builtin("row_out"), loop.target.id
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
            func, operands = build.attr(build.load(np_), _BINARY[type(value.op)]), [
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


def _knowing(shape, known: dict):
    """`shape`, also knowing the shapes of the names in `known`."""
    if not known:
        return shape
    return lambda node: (known[node.id] if isinstance(node, gast.Name) and node.id in known
                         else shape(node))


# --- backward: adjoints accumulated over the steps ---------------------------------------


def _saved_rows(loop, written) -> dict:
    """{tape: {name: array}} for names the loop saves on its tape in iteration `t` that are
    row `t` of an array never written: the k-th tape entry holds row k."""
    index = loop.target.id
    local = loop_facts.bound(loop.body)
    rows = _row_names(loop.body, index, local)
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


def _stack_adjoints(loop, rows, shape, numpy, fresh, builtin, carried, kind_of) -> list:
    """[the stacks, the loop copying each step's adjoint into them, one product per
    accumulated adjoint, `del` the stacks] or [loop]."""
    plan = _plan(loop, rows, shape)
    if not plan:
        return [loop]
    loop = build.clone(loop)  # the backward function keeps the sweep's own loop
    np_, count, step = numpy(), fresh("n_steps"), fresh("step")
    before = []
    before.append(build.assign(count, build.call(build.load(builtin("len")),
                                                 loop.iter.args[0])))
    for array in dict.fromkeys(array for *_, array in plan if array in carried):
        plan_ = carried[array]  # the tape's values, rows of the forward loop's buffer
        before.append(build.assign(array, gast.Subscript(
            value=build.load(plan_.buffer), ctx=gast.Load(),
            slice=gast.Slice(lower=None, upper=build.load(count), step=None))
            if plan_.static else build.call(
                build.load(builtin("rows_of")), build.load(plan_.buffer), loop.iter.args[0],
                build.const(plan_.position))))
    stacks, captures, after, defined, views = {}, {}, [], {}, []
    planned = {k for k, *_ in plan}
    shared = _same_array(loop.body, planned)
    rows_at = step_factors.rows_at(loop, carried.values())
    for k, accumulator, kind, adjoint, array in plan:
        key = shared(k, adjoint)
        if key not in stacks:
            adjoint_shape = shape(build.load(adjoint))
            stacks[key] = name = fresh(f"{adjoint}_steps")
            row = gast.Subscript(value=build.load(name), slice=build.load(step), ctx=gast.Load())
            found = step_factors.slope_factor(loop.body, k, adjoint, rows_at, planned, np_) if (
                kind_of(accumulator) == dtypes.F64) else None
            # one stack per statement: a second stack of the same step's array (two keys,
            # when _same_array cannot tell them one) takes a copy, as before
            if (found is not None and found[0] not in defined
                    and kind_of(found[1].id) in (dtypes.F64, dtypes.NUMBER)):
                j, other, factor, left = found  # adjoint = other * factor: into its row
                made, computed = step_factors.rows_before(factor, rows_at, count, name, np_, fresh)
                before += [build.comment(f"what {adjoint} multiplies in each step, all at once")]
                before += computed
                views += made
                operands = [other, row] if left else [row, other]
                defined[j] = build.assign_to(loop.body[j].targets[0], build.call(
                    build.attr(build.load(np_), "multiply"), *operands, out=build.clone(row)),
                    loop.body[j])
                captures[k] = None
            else:
                dims = gast.Tuple(elts=[build.load(count)]
                                  + [build.const(n) for n in adjoint_shape], ctx=gast.Load())
                before.append(build.assign(name, build.call(
                    build.attr(build.load(np_), "empty"), dims,
                    dtype=build.attr(build.load(accumulator), "dtype"))))
                captures[k] = build.assign_to(
                    gast.Subscript(value=build.load(name), slice=build.load(step),
                                   ctx=gast.Store()), build.load(adjoint), loop.body[k])
        stacked = build.load(stacks[key])
        if kind == "sum":
            total = build.call(build.attr(stacked, "sum"), axis=build.const((0, 1)))
        else:
            (rows_, width), depth = shape(build.load(adjoint)), shape(build.load(array))[-1]
            steps = build.load(array) if array in carried else gast.Subscript(
                value=build.load(array), ctx=gast.Load(),
                slice=gast.Slice(lower=None, upper=build.load(count), step=None))
            total = gast.BinOp(left=build.attr(_flat(steps, count, rows_, depth), "T"),
                               op=gast.MatMult(), right=_flat(stacked, count, rows_, width))
        after.append(gast.AugAssign(target=build.store(accumulator), op=gast.Add(), value=total))
    loop.body = ([gast.AugAssign(target=build.store(step), op=gast.Sub(), value=build.const(1))]
                 + [captures[k] if k in captures else defined.get(k, stmt)
                    for k, stmt in enumerate(loop.body)
                    if (k in captures and captures[k] is not None) or k not in planned])
    before.append(build.assign(step, build.load(count)))
    used = [array for array in dict.fromkeys(array for *_, array in plan) if array in carried]
    return before + [loop] + after + [build.delete(
        list(stacks.values()) + views
        + [n for array in used for n in (array, carried[array].buffer)])]


def _plan(loop, rows, shape) -> list:
    """[(position, accumulator, "sum" or "product", step's adjoint, row array)] of the
    accumulations the backward loop's one product per adjoint replaces."""
    if loop_facts.exits(loop.body, gast.Break, gast.Continue, gast.Return):
        return []
    saved = {n.id for n in build.names(loop.target)}
    local = loop_facts.bound(loop.body)
    rows = {name: array for name, array in rows.items() if name in saved and name not in local}
    uses = {}
    for node in gast.walk(loop):
        if isinstance(node, gast.Name):
            uses[node.id] = uses.get(node.id, 0) + 1
    plan = []
    for k, stmt in enumerate(loop.body):
        found = _accumulation(stmt, rows, shape)
        if found is not None and uses[found[0]] == 1 and found[0] not in local:
            plan.append((k,) + found)
    return plan


def _accumulation(stmt, rows, shape):
    """(accumulator, kind, step's adjoint, row array) of `acc += row.T @ g` (row saved as
    a row of an array, both matrices) or `acc += g.sum(axis=0)`, else None."""
    if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)
            and isinstance(stmt.target, gast.Name)):
        return None
    value, accumulator = stmt.value, stmt.target.id
    known = shape(build.load(accumulator))
    if not known:  # a number, or not known: no `.dtype` to make the stack with
        return None
    if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and value.func.attr == "sum" and isinstance(value.func.value, gast.Name)
            and not value.args and len(value.keywords) == 1 and value.keywords[0].arg == "axis"
            and isinstance(value.keywords[0].value, gast.Constant)
            and type(value.keywords[0].value.value) is int and value.keywords[0].value.value == 0):
        adjoint = value.func.value.id
        if shape(build.load(adjoint)):
            return accumulator, "sum", adjoint, None
        return None
    if (isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult)
            and isinstance(value.left, gast.Attribute) and value.left.attr == "T"
            and isinstance(value.left.value, gast.Name) and value.left.value.id in rows
            and isinstance(value.right, gast.Name)):
        row, adjoint = value.left.value.id, value.right.id
        array = rows[row]
        row_shape, adjoint_shape = shape(build.load(row)), shape(build.load(adjoint))
        array_shape = shape(build.load(array))
        if (row_shape is not None and adjoint_shape is not None and array_shape is not None
                and len(row_shape) == len(adjoint_shape) == 2
                and row_shape[0] == adjoint_shape[0] and array_shape[1:] == row_shape):
            return accumulator, "product", adjoint, array
    return None


def _same_array(stmts, removed):
    """`key(k, name)`: the name of the stack that statement k's `name` goes into; two
    statements share one when `name` is the same fresh array of this step at both (bound
    once, by arithmetic, or a copy `a = b` of such), unchanged in between."""
    origin = {}  # name -> (the fresh array: its name, where it is bound)
    stored = loop_facts.stored(stmts)
    once = {n for n in stored if stored.count(n) == 1}
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target, value = stmt.targets[0].id, stmt.value
            if target not in once:
                continue
            if isinstance(value, gast.Name) and value.id in origin:
                origin[target] = (origin[value.id][0], k)
            elif _fresh(value):
                origin[target] = (target, k)
    first = {}  # fresh array -> (statement capturing it, stack key)

    def key(k, name):
        source, bound_at = origin.get(name, (None, k))
        if bound_at >= k:  # bound later in the body: the step before's array
            source = None
        if source is not None and source in first:
            start, found = first[source]
            between = [s for j, s in enumerate(stmts[start + 1:k], start + 1) if j not in removed]
            if all(_leaves_fresh_arrays(s, set(stored)) for s in between):
                return found
        found = (k, name)
        if source is not None and source not in first:
            first[source] = (k, found)
        return found
    return key


def _leaves_fresh_arrays(stmt, bound_in_loop) -> bool:
    """The statement changes no array made in this step: it binds a name to a pure
    expression, or updates in place a name bound before the loop (not one of them)."""
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant):
        return True  # a comment
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
        return effects.writes_nothing(stmt.value)
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return stmt.target.id not in bound_in_loop and effects.writes_nothing(stmt.value)
    return False


def _fresh(value) -> bool:
    """A new array, made by a call or arithmetic that writes into no array."""
    return effects.makes_new(value) and effects.writes_nothing(value)


def _flat(node, count, rows, width):
    """`node.reshape(count * rows, width)`: the steps' rows one below the other."""
    return build.call(build.attr(node, "reshape"),
                      gast.BinOp(left=build.load(count), op=gast.Mult(), right=build.const(rows)),
                      build.const(width))
