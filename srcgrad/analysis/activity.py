"""Activity analysis: which values depend on a wrt argument AND reach the result.

Only those get adjoints, the way only tensors with `requires_grad` get a
`.grad`. The body is in SSA form (each name assigned once on every path), so
one forward pass finds the varied names and one backward pass the useful ones.
"""

from __future__ import annotations

import functools

import gast
import numpy as np

from ..frontend.refusals import refusal
from ..frontend.resolve import Op
from ..ir import build
from ..rules.registry import close_matches, display_name


def differentiable_operands(op: Op, binding: dict) -> list:
    """Operand nodes of `op` that its rule sends an adjoint to."""
    if op.nondifferentiable:
        return []
    if op.rule is None:  # no rule (or a helper): every name it reads counts
        return [n for arg in list(op.args) + list(op.kwargs.values()) for n in build.names(arg)]
    found = []
    for param in op.rule.differentiable:
        bound = binding.get(param)
        for node in bound if isinstance(bound, tuple) else [bound]:
            found.extend(build.names(node))
    return found


def run(body, ctx):
    """The manifest's step: which values get adjoints (ctx.unit.active)."""
    ctx.unit.active = analyze(ctx.unit)
    return body


def analyze(unit, stopped=frozenset()) -> set[str]:
    """The names that need an adjoint; raises where a needed rule is missing. `stopped`:
    names whose adjoint is known to be zero (shift_invariance.py), as if they were constants."""
    assignments = list(_assignments(unit.body))
    # each statement's operands, walked once (the fixed points below pass over them again)
    sent = [frozenset(n.id for n in differentiable_operands(unit.ops[stmt],
                                                            unit.bindings[stmt]))
            for stmt, _ in assignments]
    read = [sent_to | {n.id for n in _underived_operands(unit.ops[stmt], unit.bindings[stmt],
                                                         unit)}
            for sent_to, (stmt, _) in zip(sent, assignments)]
    varied = set(unit.wrt)
    changed = True
    while changed:  # loops feed values back to earlier statements: iterate to a fixed point
        changed = False
        for (stmt, target), operands in zip(assignments, read):
            if target not in varied and not varied.isdisjoint(operands):
                varied.add(target)
                changed = True
    useful = {unit.result}
    changed = True
    while changed:
        changed = False
        for (stmt, target), operands in zip(reversed(assignments), reversed(sent)):
            if target not in useful or target not in varied:
                continue
            op = unit.ops[stmt]
            if op.rule is None and not op.nondifferentiable and not op.is_user_call:
                raise missing_rule(unit, stmt, op)
            operands = operands - stopped
            if not operands <= useful:
                useful |= operands
                changed = True
    refused = varied - stopped
    for stmt, target in assignments:
        if target in useful and target in varied:
            _refuse_underived(unit, stmt, refused)
    return varied & useful


def _underived_operands(op, binding, unit) -> list:
    """Operand names bound to parameters the rule has no derivative in (not discrete by
    nature): they make the result varied, so that reaching the result is refused below."""
    if op.rule is None or op.nondifferentiable or op.is_user_call:
        return []
    found = []
    for param in op.rule.underived(forward=unit.mode == "fwd"):
        bound = binding.get(param)
        for node in bound if isinstance(bound, tuple) else [] if bound is None else [bound]:
            found.extend(build.names(node))
    return found


def _refuse_underived(unit, stmt, varied):
    """Refuse, at the user's line, an active value passed where the rule has no derivative
    (a silent zero otherwise): `scipy.stats.t.cdf(x, df)` with `df` depending on a wrt
    argument."""
    op = unit.ops[stmt]
    if op.rule is None or op.nondifferentiable or op.is_user_call:
        return
    binding = unit.bindings[stmt]
    for param in op.rule.underived(forward=unit.mode == "fwd"):
        bound = binding.get(param)
        nodes = bound if isinstance(bound, tuple) else [] if bound is None else [bound]
        if any(n.id in varied for node in nodes for n in build.names(node)):
            name = display_name(op.key)
            raise unit.src.error(
                getattr(stmt.value, "func", stmt.value),
                f"no derivative of {name} with respect to its argument `{param}` (called as "
                f"`{op.label}`), and `{param}` depends on the arguments being differentiated",
                f"Pass `{param}` as a constant (computed without those arguments, e.g. "
                f"through srcgrad.stop_gradient), or write {name} in NumPy operations that "
                "srcgrad can differentiate.")


def _assignments(body):
    return ((stmt, stmt.targets[0].id) for stmt in build.statements(body)
            if isinstance(stmt, gast.Assign))


def missing_rule(unit, stmt, op):
    """The error for an operation with no rule (of the unit's mode) at the user's line."""
    node = getattr(stmt.value, "func", stmt.value)
    key = op.key
    if getattr(node, "lineno", None) is None and isinstance(key, tuple) and key[0] == "unknown":
        # the callee is a temporary: the result of another call (`srcgrad.grad(f)(x)`)
        return unit.src.error(stmt.value if hasattr(stmt.value, "lineno") else stmt,
                              "srcgrad cannot resolve the function called here: it is what "
                              "another call returned",
                              "Name the function at module level first (`g = make(...)`, then "
                              "`g(x)` inside).")
    if isinstance(key, tuple) and key[0] == "construct":
        return unit.src.error(stmt.value, f"srcgrad cannot differentiate through {key[1]} here",
                              "Combine arrays with np.stack / np.concatenate instead.")
    if isinstance(key, tuple) and key[0] == "unknown":
        matches = close_matches(key)
        hint = "Call NumPy functions by their module path (np.sin(x))"
        if matches:
            hint += f"; close matches that have rules: {', '.join(matches)}"
        return unit.src.error(node, f"cannot resolve `{op.label}` to a function srcgrad knows",
                              hint + ".")
    if type(op.callee).__module__.startswith("srcgrad.") and hasattr(op.callee, "__wrapped__"):
        return refusal("grad_inside").error(
            unit.src, node, f": `{op.label}` is srcgrad's {type(op.callee).__name__} of "
            f"`{op.callee.__wrapped__.__name__}`, and srcgrad does not differentiate through "
            "generated derivative code yet")
    if isinstance(op.callee, functools.partial):
        return refusal("partial_passed").error(unit.src, node, f" (`{op.label}` is "
                                               f"{op.callee!r})")
    name = display_name(key)
    hint = "Rewrite it with functions that have rules"
    if isinstance(key, tuple) and key[0] == "method" and not _array_method(key[1]):
        owner = unit.src.func.__qualname__.rpartition(".")[0].rpartition(".")[2] or "Class"
        return unit.src.error(node, f"cannot resolve the method `{op.label}` of a local value: "
                              "srcgrad reads another method of `self` only in the methods "
                              "of a class defined at module level",
                              f"Define the class at module level, or call the function "
                              f"itself: {owner}.{key[1]}(self, ...).")
    matches = close_matches(key)
    if matches:
        hint += f"; close matches that do: {', '.join(matches)}"
    if unit.mode == "fwd":
        return unit.src.error(node, f"no forward-mode (tangent) rule for {name} (called as "
                              f"`{op.label}`)", "Forward mode (jvp, hessian, hvp, grad of grad) "
                              "needs one: use reverse mode (grad, vjp, jacobian(mode='rev')) "
                              "here, or register one with @srcgrad.rules.tangent.")
    return unit.src.error(node, f"no adjoint rule for {name} (called as `{op.label}`)",
                          hint + ", or give it a rule with @srcgrad.custom_adjoint.")


def _array_method(name) -> bool:
    """NumPy arrays, lists or dicts have a method `name`."""
    return any(hasattr(kind, name) for kind in (np.ndarray, list, dict))
