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

from . import build
from .template import bind, instantiate, is_contribution


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
        if isinstance(stmt, gast.If):
            body_init, else_init = set(initialized), set(initialized)
            body = _block(stmt.body, unit, body_init)
            orelse = _block(stmt.orelse, unit, else_init)
            _reconcile(body, orelse, body_init, else_init, initialized, unit)
            if body or orelse:
                out.append(build.if_(stmt.test.id, body or [gast.Pass()], orelse))
            line = None
            continue
        target = build.assigned_name(stmt)
        if target not in unit.active or target not in initialized:
            continue
        op = unit.ops[stmt]
        if op.nondifferentiable:
            continue
        binding = unit.bindings[stmt]
        template = instantiate(op.rule, binding, target, unit)
        # With one array operand (the others literal numbers) nothing was broadcast.
        broadcast = op.rule.broadcast and sum(
            isinstance(v, gast.Name) for v in binding.values()) > 1
        emitted = _contributions(template, broadcast, unit, initialized)
        if emitted:
            user_line = unit.src.user_line(stmt)
            if user_line != line and user_line is not None:
                text = unit.src.lines[stmt.lineno - 1].strip()
                out.append(build.comment(f"line {user_line}: {text}"))
                line = user_line
            out.extend(emitted)
    return out


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
        parts = unit.namer.fresh("d_parts")
        out.append(build.assign(parts, value))
        for i, element in enumerate(operand.elts):
            part = gast.Subscript(value=build.load(parts), slice=build.const(i), ctx=gast.Load())
            _contribute(element, part, broadcast, unit, initialized, out)
        return
    name = operand.id
    if broadcast:
        value = build.call(build.load(unit.helper("unbroadcast")), value, build.load(name))
    adjoint = unit.adjoint(name)
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
    np_name = unit.helper("np")
    zeros_like = build.attr(build.load(np_name), "zeros_like")
    return build.assign(unit.adjoint(name), build.call(zeros_like, build.load(name)))


def bind_on_every_path(body: list, saved: set) -> set:
    """Give saved names computed on one path of an `if` a `None` on the other paths.

    The forward sweep returns every saved value, so each must be bound whichever
    branch ran; the backward sweep only reads those of the branch taken.
    Returns the names `body` binds on every path.
    """
    bound = set()
    for stmt in body:
        if isinstance(stmt, gast.If):
            in_body = bind_on_every_path(stmt.body, saved)
            in_else = bind_on_every_path(stmt.orelse, saved)
            for names, branch in ((in_else - in_body, stmt.body), (in_body - in_else, stmt.orelse)):
                branch.extend(build.assign(n, build.const(None)) for n in sorted(names & saved))
            bound |= in_body | in_else
        else:
            name = build.assigned_name(stmt)
            if name is not None:
                bound.add(name)
    return bound


def bindings(unit) -> dict:
    """The operand binding of every rule-backed assignment, keyed by statement."""
    table = {}
    for stmt, op in unit.ops.items():
        table[stmt] = bind(op.rule, op, unit.src, stmt.value) if op.rule is not None else {}
    return table
