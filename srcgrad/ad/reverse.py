"""Reverse mode: the adjoint sweep of a normalized, SSA-form function body.

For each active assignment, last first, the rule's template is instantiated
and its contributions become assignments: the first contribution to an
adjoint initializes it (`d_x = ...`), later ones accumulate
(`d_x = d_x + ...`), and rules marked `broadcast` sum the contribution back
to the operand's shape. An `if` is replayed on its saved condition: the
adjoint of exactly the branch taken runs.
"""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.registry import display_name
from ..runtime import containers
from . import calls, hooks
from .templates import bind, instantiate, is_contribution


def run(body, ctx) -> list:
    """Step: the backward sweep of ctx.unit (`body` is empty: the sweep starts here)."""
    return body + backward_body(ctx.unit)


def backward_body(unit) -> list:
    """Statements computing the adjoints of `unit.wrt` from the seed `d_<result>`."""
    initialized = {unit.result} if unit.result in unit.active else set()
    body = _block(unit.body, unit, initialized)
    for name in unit.wrt:
        if name not in initialized:
            body.append(_zeros(name, unit))
    return body


def _block(stmts, unit, initialized) -> list:
    out, line = [], None
    for stmt in reversed(stmts):
        if isinstance(stmt, (gast.For, gast.While)):
            out.extend(_loop(stmt, unit, initialized))
            line = None
            continue
        if stmt in unit.backedge_heads:
            _backedge(stmt, unit, initialized, out)
            continue
        if isinstance(stmt, gast.If):
            body_init, else_init = set(initialized), set(initialized)
            body = _block(stmt.body, unit, body_init)
            orelse = _block(stmt.orelse, unit, else_init)
            # Values made inside the `if` are never read before it: no zeros needed.
            inside = build.stored(stmt.body) | build.stored(stmt.orelse)
            _reconcile(body, orelse, body_init - inside, else_init - inside, initialized, unit)
            if body or orelse:
                out.append(build.if_(stmt.test.id, body or [gast.Pass()], orelse))
            line = None
            continue
        if unit.hooks and hooks.is_marker(stmt, unit):
            hooks.emit(stmt, unit, initialized, out)
            line = None
            continue
        target = build.assigned_name(stmt)
        if target not in unit.active or target not in initialized:
            continue
        op = unit.ops[stmt]
        if op.nondifferentiable:
            continue
        if op.is_user_call:
            emitted = []
            calls.adjoint(stmt, op, unit, lambda receiver, value, into: _contribute(
                receiver, value, False, unit, initialized, into), emitted)
            line = _comment_line(stmt, unit, line, out, emitted)
            out.extend(emitted)
            continue
        if op.rule.template is None:
            raise unit.src.error(getattr(stmt.value, "func", stmt.value),
                                 f"no adjoint rule for {display_name(op.key)} (called as "
                                 f"`{op.label}`): it has a forward-mode rule only",
                                 "Differentiate it with srcgrad.jvp, or give it an adjoint rule.")
        binding = unit.bindings[stmt]
        template = instantiate(op.rule, binding, target, unit)
        # With one array operand (the others literal numbers) nothing was broadcast.
        broadcast = op.rule.broadcast and sum(
            isinstance(v, gast.Name) for v in binding.values()) > 1
        emitted = _contributions(template, broadcast, unit, initialized)
        line = _comment_line(stmt, unit, line, out, emitted)
        if emitted:
            _note_cancelled(stmt, unit, out)
        out.extend(emitted)
    return out


def _comment_line(stmt, unit, line, out, emitted):
    """A `# line N: <source>` comment before the first adjoint of each user line; the
    adjoint statements remember that line (for notes on run-time errors)."""
    for node in emitted:
        if getattr(node, "lineno", None) is None and getattr(stmt, "lineno", None) is not None:
            gast.copy_location(node, stmt)
    user_line = unit.src.user_line(stmt)
    if emitted and user_line != line and user_line is not None:
        text = unit.src.line_text(stmt.lineno).strip()
        helper = build.written_out_from(stmt)
        out.append(build.comment(f"line {user_line}{f', in {helper}' if helper else ''}: {text}"))
        return user_line
    return line


def _note_cancelled(stmt, unit, out):
    """Say, under the line's comment, which operands get no adjoint (shift_invariance.py)."""
    notes = [f"{n.id} cancels out of the result: no adjoint for it"
             for n in build.names(stmt.value) if n.id in unit.cancelled]
    if notes and out and build.is_comment(out[-1]):
        out[-1] = build.comment("\n".join([build.comment_text(out[-1])] + notes))
    elif notes:
        out.append(build.comment("\n".join(notes)))


def _loop(loop, unit, initialized) -> list:
    """The adjoint of a loop: its body's adjoint, run over the tape in reverse.

    Adjoints of values from outside the loop accumulate over the iterations,
    so they start from zero before it; adjoints of the body's own values start
    afresh in every iteration.
    """
    info = unit.loops[loop]
    local = _bound_in(loop)
    before = []
    for head, _ in info.carried:  # nothing after the loop used the final value
        if head in unit.active and head not in initialized:
            before.append(_zeros(head, unit))
            initialized.add(head)
    outer_touched, unit.touched = unit.touched, set()
    inner = set(initialized) | (unit.active - local)
    body = _block(loop.body, unit, inner)
    for head, _ in info.carried:
        if head in unit.active and head not in inner:  # the body never read this iteration's entry
            body.append(_zeros(head, unit))
    touched, unit.touched = unit.touched, outer_touched | unit.touched
    if not body:
        return []
    for name in sorted(touched - local - initialized):
        before.append(_zeros(name, unit))
        initialized.add(name)
    order = [head for head, _ in info.carried] + _definition_order(loop, unit)
    needed = build.exposed_reads(body)
    info.tape = unit.namer.fresh("tape")
    info.tape_names = [n for n in dict.fromkeys(order) if n in needed]
    target = (build.tuple_([build.store(n) for n in info.tape_names]) if info.tape_names
              else build.store(unit.namer.fresh("_")))
    if isinstance(target, gast.Tuple):
        target.ctx = gast.Store()
    replay = build.call(build.load("reversed"), build.load(info.tape))
    return before + [build.comment("replay the loop's iterations in reverse"),
                     gast.For(target=target, iter=replay, body=body, orelse=[],
                              type_comment=None)]


def _backedge(stmt, unit, initialized, out):
    """`h_1 = h_2` ends an iteration: h_2 receives h_1's adjoint, and h_1's adjoint
    restarts for the value h_1 had when this iteration began."""
    head, source = stmt.targets[0].id, stmt.value
    if head not in unit.active or head not in initialized:
        return
    _contribute(source, build.load(unit.adjoint(head)), False, unit, initialized, out)
    initialized.discard(head)


def _bound_in(loop) -> set:
    names = {n.id for stmt in loop.body for n in gast.walk(stmt)
             if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    if isinstance(loop, gast.For):
        names.add(loop.target.id)
    return names


def _definition_order(loop, unit) -> list:
    """Names the loop body binds, in order; inner loops' tapes count (they are made anew
    in every iteration of this loop)."""
    names = [loop.target.id] if isinstance(loop, gast.For) else []
    for stmt in loop.body:
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                names.append(node.id)
            elif isinstance(node, (gast.For, gast.While)) and unit.loops[node].tape:
                names.append(unit.loops[node].tape)
    return names




def _contributions(stmts, broadcast, unit, initialized) -> list:
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):  # a rule's run-time case split
            body_init, else_init = set(initialized), set(initialized)
            body = _contributions(stmt.body, broadcast, unit, body_init)
            orelse = _contributions(stmt.orelse, broadcast, unit, else_init)
            _reconcile(body, orelse, body_init, else_init, initialized, unit)
            out.append(gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse))
        elif is_contribution(stmt):
            _contribute(stmt.targets[0].slice, stmt.value, broadcast, unit, initialized, out)
        else:
            out.append(stmt)
    return out


def _is_active(node, unit) -> bool:
    if isinstance(node, (gast.List, gast.Tuple)):
        return any(_is_active(e, unit) for e in node.elts)
    return isinstance(node, gast.Name) and node.id in unit.active


def _contribute(operand, value, broadcast, unit, initialized, out):
    """`d_operand = value`, or `d_operand = d_operand + value` if it already has one.

    A list/tuple literal operand (`np.stack([a, b])`) receives a sequence:
    its i-th element's contribution is `parts[i]`.
    """
    if not _is_active(operand, unit):
        return
    if isinstance(operand, (gast.List, gast.Tuple)):
        names = [e.id for e in operand.elts if isinstance(e, gast.Name)]
        if (not broadcast and len(names) == len(operand.elts) == len(set(names))
                and all(n in unit.active and n not in initialized for n in names)):
            # every element gets its first adjoint: unpack straight into them
            target = gast.Tuple(elts=[build.store(unit.adjoint(n)) for n in names],
                                ctx=gast.Store())
            out.append(gast.Assign(targets=[target], value=value, type_comment=None))
            initialized.update(names)
            unit.touched.update(names)
            return
        parts = unit.namer.fresh("d_parts")
        out.append(build.assign(parts, value))
        for i, element in enumerate(operand.elts):
            part = gast.Subscript(value=build.load(parts), slice=build.const(i), ctx=gast.Load())
            _contribute(element, part, broadcast, unit, initialized, out)
        return
    name = operand.id
    if broadcast:
        value = build.call(build.load(unit.code_name("unbroadcast")), value, build.load(name))
    adjoint = unit.adjoint(name)
    unit.touched.add(name)
    if name in initialized:
        value = gast.BinOp(left=build.load(adjoint), op=gast.Add(), right=value)
    initialized.add(name)
    out.append(build.assign(adjoint, value))


def _reconcile(body, orelse, body_init, else_init, initialized, unit):
    """Adjoints first set on one path start from zero on the other."""
    for name in sorted(body_init - else_init):
        orelse.append(_zeros(name, unit))
    for name in sorted(else_init - body_init):
        body.append(_zeros(name, unit))
    initialized |= body_init | else_init


def _zeros(name, unit):
    zeros_like = build.load(unit.code_name("zeros_like", vars(containers)))
    return build.assign(unit.adjoint(name), build.call(zeros_like, build.load(name)))



def bind_operands(body, ctx):
    """The manifest's step: each rule's parameters bound to the operands of its call
    (ctx.unit.bindings), keyed by statement."""
    unit = ctx.unit
    unit.bindings = {}
    for stmt, op in unit.ops.items():
        if op.is_user_call:
            unit.bindings[stmt] = calls.bind(op, unit.src, stmt.value)
        else:
            unit.bindings[stmt] = (bind(op.rule, op, unit.src, stmt.value)
                                   if op.rule is not None else {})
    return body
