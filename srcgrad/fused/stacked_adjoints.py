"""Loop batching, backward half: an adjoint accumulated over a loop's replayed steps from a
row of an array and a step's adjoint becomes one product after the loop; each step
copies its adjoint into a stack made before it (or computes into its row: step_factors.py)::

    for h_1, t7 in reversed(tape):              n_steps = len(tape)
        ...                                     d_t8_steps = np.empty((n_steps, 16, 32))
        d_Wx += t7.T @ d_t8            ->       step = n_steps
        d_b += d_t8.sum(axis=0)                 for h_1, t7 in reversed(tape):
                                                    step -= 1
                                                    ...
                                                    d_t8_steps[step] = d_t8
                                                d_Wx += xs[:n_steps].reshape(...).T @ ...
                                                d_b += d_t8_steps.sum(axis=(0, 1))

See loop_batching.py for when a row of the tape is a row of an array.
"""

from __future__ import annotations

import gast

from ..analysis import dtypes, effects, loop_facts
from ..ir import build
from . import step_factors


def stacked(loop, rows, ctx, carried) -> list:
    """[the stacks, the loop copying each step's adjoint into them, one product per
    accumulated adjoint, `del` the stacks] or [loop]."""
    plan = accumulations(loop, rows, ctx)
    if not plan:
        return [loop]
    loop = build.clone(loop)  # the backward function keeps the sweep's own loop
    np_, count, step = ctx.numpy, ctx.fresh("n_steps"), ctx.fresh("step")
    before = []
    before.append(build.assign(count, build.call(build.load(ctx.code_name("len")),
                                                 loop.iter.args[0])))
    for array in dict.fromkeys(array for *_, array in plan if array in carried):
        plan_ = carried[array]  # the tape's values, rows of the forward loop's buffer
        before.append(build.assign(array, gast.Subscript(
            value=build.load(plan_.buffer), ctx=gast.Load(),
            slice=gast.Slice(lower=None, upper=build.load(count), step=None))
            if plan_.static else build.call(
                build.load(ctx.code_name("rows_of")), build.load(plan_.buffer), loop.iter.args[0],
                build.const(plan_.position))))
    stacks, captures, after, defined, views = {}, {}, [], {}, []
    planned = {k for k, *_ in plan}
    shared = _same_array(loop.body, planned)
    rows_at = step_factors.rows_at(loop, carried.values())
    for k, accumulator, kind, adjoint, array in plan:
        key = shared(k, adjoint)
        if key not in stacks:
            adjoint_shape = ctx.shape(build.load(adjoint))
            stacks[key] = name = ctx.fresh(f"{adjoint}_steps")
            row = gast.Subscript(value=build.load(name), slice=build.load(step), ctx=gast.Load())
            found = step_factors.slope_factor(loop.body, k, adjoint, rows_at, planned, np_) if (
                ctx.kind_of(accumulator) == dtypes.F64) else None
            # one stack per statement: a second stack of the same step's array (two keys,
            # when _same_array cannot tell them one) takes a copy, as before
            if (found is not None and found[0] not in defined
                    and ctx.kind_of(found[1].id) in (dtypes.F64, dtypes.NUMBER)):
                j, other, factor, left = found  # adjoint = other * factor: into its row
                made, computed = step_factors.rows_before(factor, rows_at, count, name, np_,
                                                          ctx.fresh)
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
            (rows_, width), depth = ctx.shape(build.load(adjoint)), ctx.shape(build.load(array))[-1]
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


def accumulations(loop, rows, ctx) -> list:
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
        found = _accumulation(stmt, rows, ctx)
        if found is not None and uses[found[0]] == 1 and found[0] not in local:
            plan.append((k,) + found)
    return plan


def _accumulation(stmt, rows, ctx):
    """(accumulator, kind, step's adjoint, row array) of `acc += row.T @ g` (row saved as
    a row of an array, both matrices) or `acc += g.sum(axis=0)`, else None."""
    if not (isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add)
            and isinstance(stmt.target, gast.Name)):
        return None
    value, accumulator = stmt.value, stmt.target.id
    known = ctx.shape(build.load(accumulator))
    if not known:  # a number, or not known: no `.dtype` to make the stack with
        return None
    if (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and value.func.attr == "sum" and isinstance(value.func.value, gast.Name)
            and not value.args and len(value.keywords) == 1 and value.keywords[0].arg == "axis"
            and isinstance(value.keywords[0].value, gast.Constant)
            and type(value.keywords[0].value.value) is int and value.keywords[0].value.value == 0):
        adjoint = value.func.value.id
        if ctx.shape(build.load(adjoint)):
            return accumulator, "sum", adjoint, None
        return None
    if (isinstance(value, gast.BinOp) and isinstance(value.op, gast.MatMult)
            and isinstance(value.left, gast.Attribute) and value.left.attr == "T"
            and isinstance(value.left.value, gast.Name) and value.left.value.id in rows
            and isinstance(value.right, gast.Name)):
        row, adjoint = value.left.value.id, value.right.id
        array = rows[row]
        row_shape, adjoint_shape = ctx.shape(build.load(row)), ctx.shape(build.load(adjoint))
        array_shape = ctx.shape(build.load(array))
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
    stored = loop_facts.binding_list(stmts)
    once = {n for n in stored if stored.count(n) == 1}
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target, value = stmt.targets[0].id, stmt.value
            if target not in once:
                continue
            if isinstance(value, gast.Name) and value.id in origin:
                origin[target] = (origin[value.id][0], k)
            elif effects.new_and_pure(value):
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


def _flat(node, count, rows, width):
    """`node.reshape(count * rows, width)`: the steps' rows one below the other."""
    return build.call(build.attr(node, "reshape"),
                      gast.BinOp(left=build.load(count), op=gast.Mult(), right=build.const(rows)),
                      build.const(width))
