"""The shape of an expression of generated code (a sweep, or the fused gradient) made of
forward values, adjoints and the helpers the code calls, from the shapes shape_inference
found for the forward values: an adjoint has its value's shape (specialize checks it)::

    d_t1 @ W.T                  (16, 32) @ (32, 8) -> (16, 8)
    unbroadcast(d_t, b)         b's shape: (32,)
    d_loss / 100                ()  (d_loss is a number)

Only what is certain: anything else is None. The code's names for NumPy and the runtime
helpers are read as they were when the AdjointShapes was made.
"""

from __future__ import annotations

import gast
import numpy as np

from .. import runtime
from ..ir import build
from ..rules.facts import facts_of, method, numpy_facts, of_operator
from .shape_inference import broadcast_shapes, matmul_shape, reduced_shape



class AdjointShapes:
    """`shape(node)`, given `env` ({name: shape}) and `code_names` ({the code's name: the
    object it is bound to}, a snapshot)."""

    def __init__(self, env: dict, code_names: dict):
        self.env, self.code_names = env, code_names

    @classmethod
    def of(cls, unit, forward_shapes: dict) -> "AdjointShapes":
        """The shapes of the forward values and of their adjoints."""
        env = {name: value.shape for name, value in forward_shapes.items()}
        primal = {adj: name for name, adj in unit.namer.adjoints().items()}
        env.update({adj: env[name] for adj, name in primal.items() if name in env})
        return cls(env, dict(unit.code_names))

    def shape(self, node):
        """The shape of an expression of the backward sweep, or None if not certain."""
        if isinstance(node, gast.Name):
            return self.env.get(node.id)
        if isinstance(node, gast.Constant):
            value = node.value
            return () if isinstance(value, (int, float)) else None
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.shape(node.operand)
        if isinstance(node, gast.BinOp):
            left, right = self.shape(node.left), self.shape(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, gast.MatMult):
                found = matmul_shape(left, right)
                return found.shape if found is not None else None
            return _broadcast(left, right)  # (not self.broadcast: each side asked once)
        if isinstance(node, gast.Compare) and len(node.ops) == 1:
            return self.broadcast(node.left, node.comparators[0])
        if isinstance(node, gast.Attribute) and node.attr == "T":
            inner = self.shape(node.value)
            return tuple(reversed(inner)) if inner is not None else None
        if isinstance(node, gast.Call):
            return self.call_shape(node)
        return None

    def broadcast(self, *nodes):
        """The shape NumPy broadcasts the expressions `nodes` to, or None."""
        return _broadcast(*[self.shape(n) for n in nodes])

    def call_shape(self, node):
        func, args = node.func, node.args
        keywords = {k.arg: k.value for k in node.keywords}
        if self.is_numpy(func):
            if func.attr == "size" and len(args) == 1:
                return ()
            if func.attr == "outer" and len(args) == 2:
                x, y = self.shape(args[0]), self.shape(args[1])
                if x is not None and y is not None and len(x) == len(y) == 1:
                    return x + y
            return self.by_facts(numpy_facts(func.attr), args, keywords)
        if isinstance(func, gast.Attribute):  # a method, `g.sum(axis=0)`: g is its operand
            return self.by_facts(facts_of(method(func.attr)), [func.value] + args, keywords)
        helper = self.code_names.get(func.id) if isinstance(func, gast.Name) else None
        return None if helper is None else self.by_facts(facts_of(helper), args, keywords)

    def by_facts(self, found, args, keywords):
        """The shape of a call of a function with the facts `found`, or None."""
        rule, operands = found.shape, found.nargs
        if isinstance(rule, int):  # the shape of one argument
            if not keywords and len(args) > rule and operands in (None, len(args)):
                return self.shape(args[rule])
        elif rule == "broadcast" and not keywords and operands in (None, len(args)):
            return self.broadcast(*args)
        elif rule == "matmul" and not keywords and len(args) == 2:
            x, y = self.shape(args[0]), self.shape(args[1])
            found = matmul_shape(x, y) if x is not None and y is not None else None
            return found.shape if found is not None else None
        elif rule == "reduce" and len(args) == 1 and set(keywords) <= {"axis"} and all(
                isinstance(v, gast.Constant) for v in keywords.values()):
            inner = self.shape(args[0])
            axis = keywords["axis"].value if "axis" in keywords else None
            return reduced_shape(inner, axis, False) if inner is not None else None
        elif rule == "number" and args and all(self.shape(a) == () for a in args):
            return ()
        return None

    def facts_of_call(self, call):
        """The facts of the NumPy function or runtime helper a call calls, or None."""
        func = call.func
        if self.is_numpy(func):
            return numpy_facts(func.attr)
        helper = self.code_names.get(func.id) if isinstance(func, gast.Name) else None
        return None if helper is None else facts_of(helper)

    def is_numpy(self, func, name=None) -> bool:
        return (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and self.code_names.get(func.value.id) is np
                and (name is None or func.attr == name))

    def spread(self, call):
        """Which call spreads an adjoint over a shape (see small_adjoints.py), if any."""
        if self.is_numpy(call.func, "full_like"):
            return "full_like"
        func = call.func
        if isinstance(func, gast.Name) and self.code_names.get(func.id) is runtime.repeat_to:
            return "repeat_to"
        return None


def matmul_shapes(x, y) -> bool:
    """Vectors and matrices whose product is defined."""
    return (x is not None and y is not None and len(x) in (1, 2) and len(y) in (1, 2)
            and x[-1] == y[0])


def number_names(body, counts=None) -> set:
    """Names bound once, at the top level, to arithmetic on constants and such names: the
    seed 1.0 and what flows from it (specialized shapes call them arrays, nominally).
    `counts`: build.bindings(body), if known."""
    counts = build.bindings(body) if counts is None else counts
    numbers = set()
    for stmt in body:
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and counts[stmt.targets[0].id] == 1 and arithmetic_of(stmt.value, numbers)):
            numbers.add(stmt.targets[0].id)
    return numbers


def arithmetic_of(node, numbers) -> bool:
    """`node` is arithmetic (+, -, *, /) of constants and the names in `numbers`."""
    if isinstance(node, gast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, gast.Name):
        return node.id in numbers
    if isinstance(node, gast.BinOp) and of_operator(node.op).correctly_rounded:  # + - * /
        return arithmetic_of(node.left, numbers) and arithmetic_of(node.right, numbers)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return arithmetic_of(node.operand, numbers)
    return False


def code_shapes(body, ctx):
    """Step: the shapes of the code's expressions from here on, with the names the code
    has now (ctx.code_shapes)."""
    ctx.code_shapes = AdjointShapes.of(ctx.unit, ctx.shapes)
    return body


def numbers(body, ctx):
    """Step: the names the fused gradient binds to numbers (ctx.numbers): the seed 1.0 and
    what flows from it, which specialized shapes call arrays (nominally)."""
    ctx.numbers = frozenset(number_names(body, ctx.index.bindings(body)))
    return body


def _broadcast(*shapes):
    """The shape NumPy broadcasts `shapes` to, or None (one unknown, or they do not)."""
    if any(s is None for s in shapes):
        return None
    try:
        return broadcast_shapes(*shapes)
    except ValueError:
        return None
