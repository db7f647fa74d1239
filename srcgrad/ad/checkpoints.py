"""Checkpointed loops (`with srcgrad.checkpoint():`, `grad(f, checkpoint=True)`): the
forward sweep keeps the loop's state at the steps of a binomial schedule instead of a
tape record per step, and the backward sweep's replay recomputes the records
(runtime/checkpoints.py). The loop's body becomes two functions beside the sweeps::

    def f_step(t, h_1, W, U, xs):       # one step: the next state
        ...
        return (h_1,)

    def f_record(t, h_1, W, U, xs):     # one step: what the tape would hold
        ...
        return (h_1, t4, h_2)

    tape = Checkpoints(range(t2), None)       # forward sweep
    for t in range(t2):
        tape.keep(h_1)
        ...
    for h_1, t4, h_2 in tape.replay(f_step, f_record, W, U, xs):   # backward sweep
        ...

Checkpointed are the counted loops a `checkpoint()` block holds, or with
`grad(f, checkpoint=...)` every loop not inside another; a loop nested in a
checkpointed one is recomputed with it. A loop that can leave early (`break`, `return`)
has no fixed number of steps: one in a block is refused, others keep their tape.
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from ..ir import build
from ..runtime.checkpoints import Checkpoints


@dataclass
class Plan:
    """How one loop is checkpointed."""

    snapshots: int  # states kept at most (0: the default of runtime/checkpoints.py)
    step: str  # the generated name of its step function
    record: str  # and of its record function
    reads: list  # the function's values its body reads from outside it


def checkpointed(unit, saving_only=True) -> dict:
    """{loop: snapshots} of the loops to checkpoint (0: the default number); those that
    fill a tape (the reverse pass decided which do) unless not `saving_only`."""
    found = {}

    def visit(stmts, in_loop):
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                visit(stmt.body, in_loop)
                visit(stmt.orelse, in_loop)
            elif isinstance(stmt, (gast.For, gast.While)):
                asked = getattr(stmt, "_srcgrad_checkpoint", None)
                if asked is None and not in_loop and unit.checkpoint is not None:
                    asked = unit.checkpoint
                early = getattr(stmt, "_srcgrad_break", None) or isinstance(stmt, gast.While)
                if asked is not None and early and getattr(
                        stmt, "_srcgrad_checkpoint", None) is not None:
                    raise unit.src.error(stmt, "a checkpointed loop must run all its steps: "
                                         "this one can leave early (`break` or `return`)",
                                         "Compute a mask instead of leaving the loop, or take "
                                         "the loop out of the checkpoint() block.")
                if asked is not None and not early and (unit.loops[stmt].tape or not saving_only):
                    found[stmt] = asked
                    continue  # its inner loops are recomputed with it
                visit(stmt.body, True)
    visit(unit.body, False)
    return found


def replays(body, ctx):
    """Step: each checkpointed loop's replay in the backward sweep `body` reads its
    records from the kept states (`tape.replay(step, record, *reads)`), not a tape."""
    unit = ctx.unit
    loops = checkpointed(unit)
    if not loops:
        return body
    bound = set(unit.params) | build.stored(unit.body)
    by_tape = {}
    for loop, snapshots in loops.items():
        info = unit.loops[loop]
        heads = [head for head, _ in info.carried]
        inner = build.stored(loop.body) | {loop.target.id}
        reads = [n for n in dict.fromkeys(n.id for n in build.names(loop.body))
                 if n in bound and n not in inner and n not in heads]
        name = unit.src.name
        info.checkpoint = Plan(snapshots, unit.namer.fresh(f"{name}_step"),
                               unit.namer.fresh(f"{name}_record"), reads)
        by_tape[info.tape] = info.checkpoint
    for stmt in build.statements(body):
        replay = stmt.iter if isinstance(stmt, gast.For) else None
        if (isinstance(replay, gast.Call) and isinstance(replay.func, gast.Name)
                and replay.func.id == "reversed" and len(replay.args) == 1
                and isinstance(replay.args[0], gast.Name) and replay.args[0].id in by_tape):
            plan = by_tape[replay.args[0].id]
            stmt.iter = build.call(build.attr(replay.args[0], "replay"),
                                   build.load(plan.step), build.load(plan.record),
                                   *[build.load(n) for n in plan.reads])
    return body


def kept_states(body, ctx):
    """Step: each checkpointed loop of the forward sweep `body` keeps its state at the
    schedule's steps instead of filling a tape, and its body becomes the step and record
    functions (ctx.unit.functions)."""
    unit = ctx.unit
    for stmts in list(_blocks(body)):
        found = [(index, loop) for index, loop in enumerate(stmts) if isinstance(loop, gast.For)
                 and getattr(unit.loops.get(loop), "checkpoint", None) is not None]
        for index, loop in reversed(found):  # (each inserts before its loop)
            _checkpoint(stmts, index, loop, unit.loops[loop].checkpoint, unit)
    return body


def _blocks(body):
    """Every statement list of `body` outside loops (checkpointed loops are not nested)."""
    yield body
    for stmt in body:
        if isinstance(stmt, gast.If):
            yield from _blocks(stmt.body)
            yield from _blocks(stmt.orelse)
        elif isinstance(stmt, (gast.For, gast.While)):
            yield from _blocks(stmt.body)


def _checkpoint(stmts, index, loop, plan, unit):
    info = unit.loops[loop]
    tape = info.tape
    appended = next(i for i, s in enumerate(loop.body) if _appends_to(s, tape))
    del loop.body[appended]
    heads = [head for head, _ in info.carried]
    params = [loop.target.id] + heads + plan.reads
    line = unit.src.user_line(loop)
    record_names = getattr(info, "tape_names", [])
    record = build.tuple_([build.load(n) for n in record_names]) if record_names else (
        build.const(None))
    unit.functions.append(_function(
        plan.step, params, build.clone(loop.body),
        build.tuple_([build.load(h) for h in heads]),
        f"one step of the loop at line {line}: the state it hands to the next"))
    unit.functions.append(_function(
        plan.record, params, build.clone(loop.body[:appended]), record,
        f"one step of the loop at line {line}: what the backward sweep reads of it"))
    loop.body.insert(0, gast.Expr(value=build.call(build.attr(build.load(tape), "keep"),
                                                   *[build.load(h) for h in heads])))
    start = next(i for i in range(index - 1, -1, -1) if build.assigned_name(stmts[i]) == tape)
    checkpoints = unit.code_name("Checkpoints", {"Checkpoints": Checkpoints})
    stmts[start] = build.assign(tape, build.call(
        build.load(checkpoints), build.clone(loop.iter), build.const(plan.snapshots or None)))
    stmts.insert(start, build.comment(
        f"line {line}: the loop is checkpointed: its state is kept at a few steps only "
        "(binomial schedule), the backward sweep recomputes the rest"))


def _appends_to(stmt, tape) -> bool:
    call = stmt.value if isinstance(stmt, gast.Expr) else None
    return (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
            and call.func.attr == "append" and isinstance(call.func.value, gast.Name)
            and call.func.value.id == tape)


def _function(name, params, body, returned, heading):
    args = gast.arguments(args=[build.store(p) for p in params], posonlyargs=[], vararg=None,
                          kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    return gast.FunctionDef(name=name, args=args, body=[build.comment(heading)] + body + [
        gast.Return(value=returned)], decorator_list=[], returns=None, type_comment=None,
        type_params=[])
