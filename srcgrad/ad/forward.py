"""Forward mode: the tangent sweep of a normalized, SSA-form function body.

Each active assignment is followed by its tangent, from the rule's tangent
template; `if`s and loops keep their shape, so the branch taken and the trip
count are the primal's own. For `h = np.tanh(W @ x)` with respect to `W`::

    t1 = W @ x
    t1_dot = W_dot @ x
    h = np.tanh(t1)
    h_dot = t1_dot * (1 - h * h)

No tape is needed: every tangent is computed right after its value.
"""

from __future__ import annotations

import gast

from ..analysis import activity
from ..ir import build
from ..runtime import containers
from . import calls
from .templates import instantiate_tangent


def run(body, ctx) -> list:
    """Step: `body` (the function's statements) with each active one followed by its
    tangent."""
    return _block(body, ctx.unit)


def result_tangent(body, ctx):
    """Step: the tangent of the function's value (ctx.result_tangent), and what the jvp
    function returns, which simplify keeps (ctx.live_out)."""
    unit = ctx.unit
    if unit.result in unit.active:
        ctx.result_tangent = build.load(unit.tangent(unit.result))
    else:  # the value does not depend on the wrt arguments
        ctx.result_tangent = build.call(build.load(unit.code_name("zero_tangent")),
                                        build.load(unit.result))
    value = {unit.result} if ctx.value_wanted else set()
    ctx.live_out = frozenset(build.loaded(ctx.result_tangent) | value)
    ctx.identities = frozenset(build.stored(unit.body))
    return body


def _block(stmts, unit) -> list:
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            stmt.body = _block(stmt.body, unit) or [gast.Pass()]
            stmt.orelse = _block(stmt.orelse, unit)
            out.append(stmt)
        elif isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _block(stmt.body, unit)
            flag = getattr(stmt, "_srcgrad_break", None)
            if flag:  # normalize turned `break` into this flag; leave the loop on it
                stmt.body.append(gast.If(test=build.load(flag), body=[gast.Break()], orelse=[]))
            out.append(stmt)
        elif isinstance(stmt, gast.Assign) and build.assigned_name(stmt) in unit.active:
            out.extend(_assignment(stmt, unit))
        else:
            out.append(stmt)
    return out


def _assignment(stmt, unit) -> list:
    target = build.assigned_name(stmt)
    op = unit.ops[stmt]
    binding = unit.bindings[stmt]
    operands = [n for n in binding.values()
                if tangent_of(list(n) if isinstance(n, tuple) else n, unit) is not None]
    if op.nondifferentiable or not operands:  # e.g. one branch assigns a constant
        return [stmt, zeros(target, unit)]
    if op.is_user_call:
        return calls.tangent(stmt, op, unit, lambda node: tangent_of(node, unit))
    rule = op.rule
    if rule.tangent is None:
        raise activity.missing_rule(unit, stmt, op)
    emitted = instantiate_tangent(rule, binding, target, unit, lambda n: tangent_of(n, unit))
    for node in (n for stmt in emitted for n in gast.walk(stmt)):
        if (rule.broadcast and isinstance(node, gast.Assign)
                and getattr(node.targets[0], "_srcgrad_tangent", False)
                and not _full_shape(node.value, binding, target, unit)):
            # `x_dot` alone, for `x + y` with a larger y: spread to z's shape
            node.value = build.call(build.load(unit.code_name("broadcast_like")), node.value,
                                    build.load(target))
    for node in emitted:
        gast.copy_location(node, stmt)
    return [stmt] + emitted


def _full_shape(value, binding, target, unit) -> bool:
    """Does `value` have the result's shape for sure? It does when it reads the result,
    or every array operand (or its tangent): broadcasting then spreads it to z's shape."""
    read = {n.id for n in gast.walk(value) if isinstance(n, gast.Name)}
    operands = [n.id for n in binding.values() if isinstance(n, gast.Name)]
    return target in read or all(
        n in read or unit.tangent(n) in read for n in operands if len(operands) > 1)


def tangent_of(node, unit):
    """The tangent of an operand (a name, or a list of them), or None if it has none."""
    if isinstance(node, (list, gast.List, gast.Tuple)):
        elts = node if isinstance(node, list) else node.elts
        parts = [tangent_of(e, unit) for e in elts]
        if all(p is None for p in parts):
            return None
        parts = [p if p is not None else _zeros_of(e, unit) for p, e in zip(parts, elts)]
        return gast.List(elts=parts, ctx=gast.Load())
    if isinstance(node, gast.Name) and node.id in unit.active:
        return build.load(unit.tangent(node.id))
    return None


def zeros(name, unit) -> gast.Assign:
    return build.assign(unit.tangent(name), _zeros_of(build.load(name), unit))


def _zeros_of(node, unit):
    helper = build.load(unit.code_name("zero_tangent", vars(containers)))
    return build.call(helper, node)

