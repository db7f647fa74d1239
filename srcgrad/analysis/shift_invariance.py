"""Shift invariance: reductions the result does not depend on, whose adjoint is exactly 0.

The max-shift that keeps exp from overflowing, `s = x - np.max(x, axis=1, keepdims=True)`,
cancels out of the log-softmax, softmax and log-sum-exp built on `s`: adding c to the max
subtracts c from `s`, multiplies `exp(s)` and its sum by exp(-c), subtracts c from their
log, and `s - np.log(np.sum(np.exp(s), ...))` or `np.exp(s) / np.sum(np.exp(s), ...)` is
what it was. The result is a function of `x` alone, so the max's adjoint is exactly zero
and activity analysis gives it none: no row sums for it, no split of its ties. (A
hand-written softmax gradient knows this; JAX's logsumexp says it with stop_gradient.)

The shifted value is followed through the statements that read it, each derived value
recording how a shift of the max by c moves it: to `v + k*c` (additive) or `v * exp(k*c)`
(multiplicative), for an integer k. Any other operation, a read inside a loop, a branch
or an `if` test, or a result with k != 0 keeps the adjoint. c is one number per element
of the max, constant along its reduced axes only, so a later reduction must run over
those axes; axes are compared counted from the end (-1, -2, ...), the way broadcasting
aligns them, which positive axes need the shapes for.
"""

from __future__ import annotations

from dataclasses import dataclass

import gast
import numpy as np

from ..ir import build
from ..rules.facts import facts_of
from . import activity

_ADD, _MUL = "add", "mul"
_ALL = "all"  # the max is one number: c is constant along every axis

# what a reduction keeps of a shift constant along its axes: a mean, max or min of v + c
# is that of v, plus c; the sum of v * f, that of v, times f
_KEEPS = {"total": {_MUL}, "average": {_ADD, _MUL}, "extremum": {_ADD, _MUL}}
_TURNS = {"add_to_mul": (_ADD, _MUL), "mul_to_add": (_MUL, _ADD)}  # exp(v + k c): exp(v) exp(k c)


@dataclass(frozen=True)
class _Shift:
    kind: str  # _ADD: the value moves to v + k*c; _MUL: to v * exp(k*c)
    k: int


class _Fails(Exception):
    """The shift may change the result (or this pass cannot tell)."""


def zero_adjoints(unit, shapes=None) -> set:
    """Names of active max/min reductions that the result provably does not depend on.

    `shapes` ({name: shape_inference.Value}, or None) gives the rank a positive axis needs.
    """
    top = [stmt for stmt in unit.body if isinstance(stmt, gast.Assign) and stmt in unit.ops]
    elsewhere = {node.id for stmt in unit.body if stmt not in unit.ops
                 for node in build.names(stmt)}
    found = set()
    for i, stmt in enumerate(top):
        name = stmt.targets[0].id
        if name in unit.active and facts_of(unit.ops[stmt].key).reduction == "extremum":
            try:
                axes = _reduced_axes(unit.bindings[stmt], shapes)
                _follow(unit, top[i + 1:], name, axes, shapes, elsewhere)
            except _Fails:
                continue
            found.add(name)
    return found


def _follow(unit, stmts, name, axes, shapes, elsewhere):
    shifts = {name: _Shift(_ADD, 1)}
    for stmt in stmts:
        if not any(n.id in shifts for n in build.names(stmt.value)):
            continue
        shift = _rule(unit.ops[stmt], unit.bindings[stmt], shifts, axes, shapes)
        if shift.k:
            shifts[stmt.targets[0].id] = shift
    if unit.result in shifts or elsewhere & shifts.keys():
        raise _Fails


def _rule(op, binding, shifts, axes, shapes) -> _Shift:
    """How the statement's value moves, from how its operands do."""
    key, found = op.key, facts_of(op.key)
    operands = {param: _operand(node, shifts) for param, node in binding.items()}
    moved = [(param, shift) for param, shift in operands.items() if shift is not None]
    if found.shift in ("add+", "add-", "mul+", "mul-"):  # x op y: y's shift with this sign
        kind, sign = found.shift[:3], 1 if found.shift[3] == "+" else -1
        if any(param not in ("x", "y") or shift.kind != kind for param, shift in moved):
            raise _Fails
        x, y = operands.get("x"), operands.get("y")
        return _Shift(kind, (x.k if x else 0) + sign * (y.k if y else 0))
    if [param for param, _ in moved] != ["x"]:
        raise _Fails
    shift = operands["x"]
    if key is np.negative and shift.kind == _ADD:
        return _Shift(_ADD, -shift.k)
    if key == "identity":
        return shift
    if found.shift in _TURNS and _TURNS[found.shift][0] == shift.kind:
        return _Shift(_TURNS[found.shift][1], shift.k)
    if shift.kind in _KEEPS.get(found.reduction, ()):
        if axes == _ALL:  # c is one number: any reduction keeps it
            return shift
        reduced = _reduced_axes(binding, shapes)
        if reduced != _ALL and reduced <= axes:
            return shift
    raise _Fails


def _operand(node, shifts):
    """The operand's shift (None: it does not move); an operand that holds a moved value
    in some other way (a tuple of them, say) fails."""
    if isinstance(node, gast.Name):
        return shifts.get(node.id)
    if any(n.id in shifts for n in build.names(node)):
        raise _Fails
    return None


def _reduced_axes(binding, shapes):
    """The axes a reduction runs over, counted from the end, or _ALL (axis=None); other
    axes only with keepdims=True, so that the result lines up with its operand."""
    axis, keepdims = binding.get("axis"), binding.get("keepdims")
    if not isinstance(keepdims, gast.Constant) or not isinstance(axis, (gast.Constant,
                                                                         gast.Tuple)):
        raise _Fails
    if isinstance(axis, gast.Constant) and axis.value is None:
        return _ALL
    if keepdims.value is not True:
        raise _Fails
    literal = [axis] if isinstance(axis, gast.Constant) else axis.elts
    if not all(isinstance(a, gast.Constant) and type(a.value) is int for a in literal):
        raise _Fails
    values = [a.value for a in literal]
    if any(v >= 0 for v in values):
        operand = binding.get("x")
        known = shapes.get(operand.id) if shapes and isinstance(operand, gast.Name) else None
        if known is None:
            raise _Fails
        values = [v - len(known.shape) if v >= 0 else v for v in values]
    return frozenset(values)


def run(body, ctx):
    """Step: the cancelled reductions (ctx.unit.cancelled) given no adjoint: activity again
    without them."""
    unit = ctx.unit
    unit.cancelled = zero_adjoints(unit, ctx.shapes)
    if unit.cancelled:
        unit.active = activity.analyze(unit, unit.cancelled)
    return body
