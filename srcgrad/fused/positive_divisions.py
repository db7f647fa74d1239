"""Divisions by a value known positive are plain, in the fused gradient.

`safe_div(g, den)` keeps a zero `g` zero where `den` is 0: the infinite slope of `sqrt`
or `log` at 0 must not turn a zero adjoint into NaN. Where `den` is known to be positive
while the code is generated, that never happens, and `g / den` gives the same numbers
without the mask: batch norm's scale `t20 = np.sqrt(var + 1e-05)` is at least 0.00316,
so its adjoints' `safe_div(d_y, t20)` and `safe_div(d_t20, 2 * t20)` are plain divisions.

A lower bound is known for a name bound once and never changed in place, from its
expression: a nonnegative number, a square (`x * x`, `x ** 2`), a function whose facts give a bound (`bound`:
`np.var`, `np.exp`, `np.abs` are nonnegative; `np.sqrt` of a bound is a bound;
`np.maximum` takes the larger), the sum or product of bounded nonnegative operands
(IEEE rounding is monotone: the rounded sum of the bounds bounds the rounded sum), a
quotient by a positive number, a sum, mean or max of nonnegative values. The bounds hold
for operands that are not NaN: a NaN input makes the gradient NaN either way.
"""

from __future__ import annotations

import math

import gast
import numpy as np

from .. import runtime
from ..ir import build
from .common_subexpressions import call_facts, written_in_place

_REDUCTION_KEYWORDS = {"axis", "keepdims"}


def run(body: list, ctx) -> list:
    """`body` with `safe_div(g, den)` written `g / den` wherever `den` has a positive
    lower bound."""
    divisions = {name for name, obj in ctx.unit.code_names.items() if obj is runtime.safe_div}
    if not divisions:
        return body
    dividing = [not ctx.index.ids(stmt).isdisjoint(divisions) for stmt in body]
    if not any(dividing):
        return body
    rewrite = _Plain(divisions, _Bounds(body, ctx))
    # a copy of each statement rewritten: the sweeps' statement stays
    return [rewrite.visit(build.clone(stmt)) if divides else stmt
            for stmt, divides in zip(body, dividing)]


class _Plain(build.Transformer):
    def __init__(self, divisions, bounds):
        self.divisions, self.bounds = divisions, bounds

    def visit_Call(self, node):
        self.generic_visit(node)
        func, args = node.func, node.args
        if (isinstance(func, gast.Name) and func.id in self.divisions and len(args) == 2
                and not node.keywords and (self.bounds.of(args[1]) or 0.0) > 0.0):
            return gast.copy_location(gast.BinOp(left=args[0], op=gast.Div(), right=args[1]),
                                      node)
        return node


class _Bounds:
    """Lower bounds of the names of a body (None: none known), worked out when asked."""

    def __init__(self, body, ctx):
        self.ctx = ctx
        stores, written = ctx.index.bindings(body), written_in_place(body, ctx)
        self.expressions = {}
        for stmt in build.statements(body):
            if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], gast.Name)):
                name = stmt.targets[0].id
                if stores[name] == 1 and name not in written:
                    self.expressions[name] = stmt.value
        self.known = {}

    def of(self, node):
        """A float that `node`'s values are at least, or None."""
        if isinstance(node, gast.Name):
            if node.id not in self.known:
                self.known[node.id] = None  # (a cycle reads None)
                expression = self.expressions.get(node.id)
                self.known[node.id] = None if expression is None else self.of(expression)
            return self.known[node.id]
        number = build.number(node)
        if number is not None:
            return float(number) if number >= 0 and math.isfinite(number) else None
        if isinstance(node, gast.BinOp):
            return self._operation(node.op, node.left, node.right)
        if isinstance(node, gast.Call):
            return self._call(node)
        return None

    def _operation(self, op, left, right):
        a, b = self.of(left), self.of(right)
        if isinstance(op, gast.Add) and a is not None and b is not None:
            return a + b
        if isinstance(op, gast.Mult) and a is not None and b is not None:
            return a * b
        if (isinstance(op, gast.Mult) and isinstance(left, gast.Name)
                and isinstance(right, gast.Name) and left.id == right.id):
            return 0.0  # a square
        divisor = build.number(right)
        if (isinstance(op, gast.Div) and a is not None and divisor is not None
                and divisor > 0 and math.isfinite(divisor)):
            return a / divisor
        if isinstance(op, gast.Pow):
            exponent = build.number(right)
            if (exponent is not None and float(exponent).is_integer()
                    and int(exponent) % 2 == 0):
                return 0.0
        return None

    def _function(self, func):
        """The function a call names: `np.sqrt`, or a name of the code's."""
        if isinstance(func, gast.Attribute) and _numpy(func, self.ctx):
            return getattr(np, func.attr, None)
        if isinstance(func, gast.Name):
            return self.ctx.unit.code_names.get(func.id)
        return None

    def _call(self, node):
        facts = call_facts(node.func, self.ctx)
        if facts is None or any(k.arg not in _REDUCTION_KEYWORDS for k in node.keywords):
            return None
        args = node.args
        if facts.bound == "nonnegative":
            return 0.0
        if facts.bound == "increasing" and len(args) == 1 and not node.keywords:
            operand, function = self.of(args[0]), self._function(node.func)
            return None if operand is None or function is None else float(function(operand))
        if facts.bound == "larger" and len(args) == 2 and not node.keywords:
            known = [b for b in map(self.of, args) if b is not None]
            return max(known) if known else None
        if isinstance(node.func, gast.Attribute) and not _numpy(node.func, self.ctx):
            args = [node.func.value] + args  # a method: x.sum(axis=0)
        if facts.reduction in ("total", "average", "extremum") and len(args) == 1:
            operand = self.of(args[0])
            if operand is None:
                return None
            return operand if facts.reduction == "extremum" else 0.0
        return None


def _numpy(func, ctx) -> bool:
    """`func` is `np.<name>`."""
    return isinstance(func.value, gast.Name) and func.value.id == ctx.numpy
