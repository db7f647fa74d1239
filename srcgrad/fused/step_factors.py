"""A step's adjoint that is a name times arithmetic of the tape's rows, computed into its
row of the stack (loop_batching.py), the rows' part for all steps at once before the replay.
Where loop batching made::

    d_t11_steps = np.empty((n_steps, 16, 32), dtype=d_b.dtype)
    for h_2 in reversed(tape):
        ...
        d_t11 = d_h_2 * (1 - h_2 * h_2)
        d_t11_steps[step] = d_t11

the step's factor of all steps is made first, and each step multiplies its row::

    h_2_rows = h_1_steps[1:n_steps + 1]
    d_t11_steps = np.multiply(h_2_rows, h_2_rows)
    d_t11_steps = np.subtract(1, d_t11_steps, out=d_t11_steps)
    for h_2 in reversed(tape):
        ...
        d_t11 = np.multiply(d_h_2, d_t11_steps[step], out=d_t11_steps[step])

Two operations over all steps instead of two per step, and no new array nor copy per
step. +, -, *, / are correctly rounded, so the numbers are those of the step-by-step code.
"""

from __future__ import annotations

import gast

from ..analysis import loop_facts
from ..ir import build
from ..rules.facts import named, of_operator, ufunc_name


def rows_at(loop, plans) -> dict:
    """{name the replay binds: (buffer, offset)} for the carried values whose rows are
    known (static): the replay's k-th entry of the value is row k + offset."""
    tape, local = loop_facts.replayed(loop), loop_facts.bound(loop.body)
    names = loop.target.elts if isinstance(loop.target, gast.Tuple) else []
    found = {}
    for plan in plans:
        if not (plan.static and plan.tape == tape):
            continue
        for position, offset in ((plan.position, 0), (plan.value_position, 1)):
            if position is not None and position < len(names):
                name = getattr(names[position], "id", None)
                if name is not None and name not in local:
                    found[name] = (plan.buffer, offset)
    return found


def slope_factor(stmts, k, adjoint, rows, planned, np_):
    """(j, A, E, A on the left) where the step's adjoint captured at statement k is bound
    once, at j before k, to `A * E` or `E * A`: A a name, E arithmetic of the tape's rows
    (`rows`, from `rows_at`; `_of_rows`); `planned`: the statements loop batching replaces.
    Then the steps' E are computed at once before the loop, into the stack,
    and statement j multiplies each row by A in place; only if nothing in the loop writes
    into an array (the adjoint is then a row of the stack: nothing may change it)."""
    if any(_may_write(stmt, np_) for j, stmt in enumerate(stmts) if j not in planned):
        return None
    stored = loop_facts.binding_list(stmts)
    name = adjoint
    for j in range(k - 1, -1, -1):
        stmt = stmts[j]
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and stmt.targets[0].id == name):
            continue
        value = stmt.value
        if stored.count(name) != 1:
            return None
        if isinstance(value, gast.Name):  # a copy: the array is the one it names
            name = value.id
            continue
        if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult)):
            return None
        for other, factor, left in ((value.left, value.right, True),
                                    (value.right, value.left, False)):
            if (isinstance(other, gast.Name) and other.id not in rows
                    and not isinstance(factor, gast.Name) and _of_rows(factor, rows)):
                return j, other, factor, left
        return None
    return None


def _may_write(stmt, np_) -> bool:
    """The statement may write into an array: an augmented assignment, a store into an
    item or attribute, an `out=`, a call of anything but NumPy or a pure method."""
    for n in build.nodes(stmt):
        if isinstance(n, gast.AugAssign) or (isinstance(n, gast.keyword) and n.arg == "out"):
            return True
        if isinstance(n, (gast.Subscript, gast.Attribute)) and isinstance(n.ctx, gast.Store):
            return True
        if isinstance(n, gast.Call) and not (
                isinstance(n.func, gast.Attribute) and (
                    (isinstance(n.func.value, gast.Name) and n.func.value.id == np_)
                    or n.func.attr in named("writes_none", "method"))):
            return True
    return False


def _of_rows(node, rows) -> bool:
    """+, -, *, / of rows of the tape (at least one) and numbers: each operation is
    correctly rounded, so all steps at once give the numbers each step would."""
    names = build.names(node)
    return bool(names) and all(n.id in rows for n in names) and _arithmetic(node)


def _arithmetic(node) -> bool:
    if isinstance(node, gast.Name):
        return True
    if isinstance(node, gast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, gast.UnaryOp):
        return isinstance(node.op, gast.USub) and _arithmetic(node.operand)
    return (isinstance(node, gast.BinOp) and of_operator(node.op).correctly_rounded
            and _arithmetic(node.left) and _arithmetic(node.right))


def rows_before(factor, rows, count, stack, np_, fresh):
    """([the rows' names], [`rows = buffer[offset:count + offset]` for each row `factor`
    reads, then the stack computed from them (`_chain`)])."""
    renamed, out = {}, []
    for name in dict.fromkeys(n.id for n in build.names(factor)):
        buffer, offset = rows[name]
        renamed[name] = fresh(f"{name}_rows")
        upper = build.load(count) if offset == 0 else gast.BinOp(
            left=build.load(count), op=gast.Add(), right=build.const(offset))
        out.append(build.assign(renamed[name], gast.Subscript(
            value=build.load(buffer), ctx=gast.Load(), slice=gast.Slice(
                lower=build.const(offset) if offset else None, upper=upper, step=None))))
    expression = build.clone(factor)
    for node in build.names(expression):
        node.id = renamed[node.id]
    return list(renamed.values()), out + _chain(stack, expression, np_)


def _chain(target, node, np_) -> list:
    """`target = node` as one NumPy operation after another, each after the first into
    `target`, where each operation has at most one operation among its operands; else
    `target = node` as it is."""
    ops, inner = [], node
    while isinstance(inner, (gast.BinOp, gast.UnaryOp)) and build.names(inner):
        operands = [inner.left, inner.right] if isinstance(inner, gast.BinOp) else [inner.operand]
        nested = [o for o in operands if isinstance(o, (gast.BinOp, gast.UnaryOp))
                  and build.names(o)]
        if len(nested) > 1:
            return [build.assign(target, node)]
        ops.append((inner, operands, nested[0] if nested else None))
        inner = nested[0] if nested else None
    out = []
    for k, (op, operands, nested) in enumerate(reversed(ops)):
        func = "negative" if isinstance(op, gast.UnaryOp) else ufunc_name(op.op)
        args = [build.load(target) if o is nested else o for o in operands]
        out.append(build.assign(target, build.call(build.attr(build.load(np_), func), *args,
                                                   **({"out": build.load(target)} if k else {}))))
    return out
