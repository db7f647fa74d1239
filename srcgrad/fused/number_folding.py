"""Numbers computed while the code is generated, in the fused gradient.

There the seed is the number 1.0 (`d_f = 1.0`), and what flows from it (a mean's
`d_t4 = d_f / 1000`, its copies and negations) is Python arithmetic on constants: each
name bound once, at the top level, to such arithmetic is read as its number, computed
with the same IEEE operations the call would run, so the call reads `0.001`::

    d_f = 1.0                       d_f = 1.0
    d_t4 = d_f / 1000        ->     d_z = np.multiply(0.0005, t2)
    d_t2 = d_t4
    d_z = np.multiply(d_t2 * 0.5, t2)

`safe_div(g, den)` keeps a zero `g` zero where `den` is 0; a numerator now a nonzero
number is never zero, and the division is plain: `safe_div(0.001, 1 + t4)` is
`0.001 / (1 + t4)` (a Python 0.0 for `den` then raises ZeroDivisionError, and the call
runs the general code, as for any plain division of specialized code).
"""

from __future__ import annotations

import math

import gast

from .. import runtime
from ..ir import build
from ..rules.facts import of_operator, python_operator


def run(body: list, ctx) -> list:
    """`body` with each name bound once, at its top level, to arithmetic (+, -, *, /) of
    Python numbers read as that number, and the arithmetic of two numbers done; the
    bindings nothing reads then are dropped, but for the kept names and the seed."""
    keep = ctx.keep | {ctx.seed}
    index = ctx.index
    stores, known, out = index.bindings(body), {}, []
    divisions = {name for name, obj in ctx.unit.code_names.items() if obj is runtime.safe_div}
    for stmt in body:
        if known and not known.keys().isdisjoint(index.loaded(stmt)) or divisions and not (
                index.ids(stmt).isdisjoint(divisions)):
            stmt = _Numbers(known, divisions).visit(build.clone(stmt))
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
            if (isinstance(target, gast.Name) and stores[target.id] == 1
                    and build.number(value) is not None):
                known[target.id] = value
                if target.id not in keep:
                    continue
        out.append(stmt)
    return out


class _Numbers(build.Transformer):
    """Known names read as their numbers; arithmetic of numbers done (when it is finite
    and raises nothing: `1.0 / 0` is left to raise where the call runs it)."""

    def __init__(self, known, divisions=frozenset()):
        self.known, self.divisions = known, divisions

    def visit_Name(self, node):
        if type(node.ctx) is gast.Load and node.id in self.known:
            return gast.copy_location(build.clone(self.known[node.id]), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        func, args = node.func, node.args
        if (isinstance(func, gast.Name) and func.id in self.divisions and len(args) == 2
                and not node.keywords and _nonzero_number(args[0])):
            return gast.copy_location(gast.BinOp(left=args[0], op=gast.Div(), right=args[1]),
                                      node)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return self._done(node, node.op, node.left, node.right)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        return self._done(node, node.op, node.operand)

    @staticmethod
    def _done(node, op, *operands):
        # + - * /, and the signs: what the call would compute, to the last bit (and the
        # exact result, which number_notes.py may show beside it)
        function = python_operator(op) if of_operator(op).correctly_rounded else None
        numbers = [build.number(x) for x in operands]
        if function is None or any(x is None for x in numbers):
            return node
        try:
            value = function(*numbers)
        except ArithmeticError:
            return node
        if isinstance(value, float) and not math.isfinite(value):
            return node
        exact = [build.exact(x) for x in operands]
        try:
            exact_value = None if None in exact else function(*exact)
        except ArithmeticError:
            exact_value = None
        return gast.copy_location(build.folded(value, exact_value), node)


def _nonzero_number(node) -> bool:
    """`node` is a Python number other than zero (or its negation)."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        node = node.operand
    value = build.number(node)
    return value is not None and value != 0 and math.isfinite(value)
