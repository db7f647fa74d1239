"""A choice between two numbers, scaled, chooses between the scaled numbers, in the fused
gradient.

The adjoint of `np.where(m, a, b)` under a mean is a choice of numbers
(`np.where(t2, 0.001, 0.0)`), and the rules after it scale it by numbers, an array each
time; the scaled numbers are computed while the code is generated instead::

    d_t4 = np.where(t2, 0.001, 0.0)
    d_t3 = d_t4 * 0.5                   ->      d_r = np.where(t2, 0.001, 0.0) * r
    d_r = d_t3 * 2 * r

Each element is `0.001 * 0.5`, then that times 2, as before: the same IEEE operations
on the same numbers, done once. Only for a choice bound once at the top level and read
once, later, as `choice * k`, `k * choice` or `choice / k` with a number `k`, whose
results are finite, and a condition that is an array (a choice of numbers by a number
would be one, not an array).
"""

from __future__ import annotations

import math

import gast
import numpy as np

from ..ir import build
from ..rules.facts import python_operator


def run(body: list, ctx) -> list:
    """`body` with each number choice that is scaled by a number where it is read once
    replaced by the choice of the scaled numbers."""
    keep = ctx.keep | {ctx.seed}
    while True:
        stores, reads = ctx.index.bindings(body), ctx.index.read_counts(body)
        changed = False
        for k, stmt in enumerate(body):
            choice = number_choice(stmt.value, ctx) if binds_name(stmt) else None
            if (choice is None or stmt.targets[0].id in keep
                    or stores[stmt.targets[0].id] != 1 or reads.get(stmt.targets[0].id) != 1
                    or not (isinstance(choice.args[0], gast.Name)
                            and ctx.is_array(choice.args[0].id))
                    or stores[choice.args[0].id] > 1):
                continue
            name = stmt.targets[0].id
            reader = next((j for j in range(k + 1, len(body))
                           if name in ctx.index.loaded(body[j])), None)
            if reader is None:
                continue
            folder = _Scaled(name, choice)
            new = folder.visit(build.clone(body[reader]))
            if not folder.done:
                continue
            body = body[:k] + body[k + 1:reader] + [new] + body[reader + 1:]
            changed = True
            break
        if not changed:
            return body


def binds_name(stmt) -> bool:
    """`stmt` is `name = value`."""
    return isinstance(stmt, gast.Assign) and build.name_binding(stmt) is not None


def number_choice(node, ctx):
    """`node` if it is a call `np.where(m, a, b)` of numbers `a`, `b`, else None."""
    if not isinstance(node, gast.Call):
        return None
    func = node.func
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and func.value.id == ctx.numpy and ctx.unit.code_names.get(ctx.numpy) is np
            and getattr(np, func.attr, None) is np.where and len(node.args) == 3
            and not node.keywords):
        return None
    return node if all(number(a) is not None for a in node.args[1:]) else None


def number(node):
    """The value of a number constant, negated or not, else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = build.number(node.operand)
        return None if inner is None else -inner
    return build.number(node)


class _Scaled(build.Transformer):
    """The one read of `name` in `choice * k` (or `k * choice`, `choice / k`), done."""

    def __init__(self, name, choice):
        self.name, self.choice, self.done = name, choice, False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if self.done or not isinstance(node.op, (gast.Mult, gast.Div)):
            return node
        left, right = node.left, node.right
        if _named(left, self.name) and number(right) is not None:
            scale, first = number(right), True
        elif isinstance(node.op, gast.Mult) and _named(right, self.name) and (
                number(left) is not None):
            scale, first = number(left), False
        else:
            return node
        function = python_operator(node.op)
        values = []
        for arg in self.choice.args[1:]:
            try:
                value = function(number(arg), scale) if first else function(scale, number(arg))
            except ArithmeticError:
                return node
            if isinstance(value, float) and not math.isfinite(value):
                return node
            values.append(value)
        self.done = True
        return gast.copy_location(gast.Call(
            func=build.clone(self.choice.func),
            args=[build.clone(self.choice.args[0])] + [build.const(v) for v in values],
            keywords=[]), node)


def _named(node, name) -> bool:
    return isinstance(node, gast.Name) and node.id == name
