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
from .shape_inference import matmul_shape, reduced_shape

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div)
_SAME_SHAPE = {"sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "abs",
               "sign", "square", "negative", "exp2", "expm1", "log1p", "reciprocal"}


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
        return cls(env, dict(unit.helpers))

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
            return self.broadcast(node.left, node.right)
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
        shapes = [self.shape(n) for n in nodes]
        if any(s is None for s in shapes):
            return None
        try:
            return np.broadcast_shapes(*shapes)
        except ValueError:
            return None

    def call_shape(self, node):
        func, args = node.func, node.args
        if self.is_numpy(func):
            if func.attr in _SAME_SHAPE and len(args) == 1 and not node.keywords:
                return self.shape(args[0])
            if func.attr in ("full_like", "zeros_like", "ones_like") and not node.keywords:
                return self.shape(args[0])
            if func.attr == "sum" and len(args) == 1:
                keywords = {k.arg: k.value for k in node.keywords}
                if set(keywords) <= {"axis"} and all(isinstance(v, gast.Constant)
                                                     for v in keywords.values()):
                    inner = self.shape(args[0])
                    axis = keywords["axis"].value if "axis" in keywords else None
                    return reduced_shape(inner, axis, False) if inner is not None else None
            if func.attr == "size" and len(args) == 1:
                return ()
            if func.attr == "where" and len(args) == 3 and not node.keywords:
                return self.broadcast(*args)
            if func.attr == "dot" and len(args) == 2:
                x, y = self.shape(args[0]), self.shape(args[1])
                return () if x is not None and x == y and len(x) == 1 else None
            if func.attr == "outer" and len(args) == 2:
                x, y = self.shape(args[0]), self.shape(args[1])
                if x is not None and y is not None and len(x) == len(y) == 1:
                    return x + y
            return None
        if (isinstance(func, gast.Attribute) and func.attr == "sum" and not args
                and all(k.arg == "axis" and isinstance(k.value, gast.Constant)
                        for k in node.keywords)):  # g.sum(), g.sum(axis=0) made above
            inner = self.shape(func.value)
            axis = node.keywords[0].value.value if node.keywords else None
            return reduced_shape(inner, axis, False) if inner is not None else None
        helper = self.code_names.get(func.id) if isinstance(func, gast.Name) else None
        if helper is None:
            return None
        by_operand = {runtime.unbroadcast: 1, runtime.repeat_to: 1, runtime.matmul_adjoint_x: 1,
                      runtime.matmul_adjoint_y: 2, runtime.split_among_ties: 1,
                      runtime.split_ties_kept: 1}
        if helper in by_operand and len(args) > by_operand[helper]:
            return self.shape(args[by_operand[helper]])
        if helper is max and args and all(self.shape(a) == () for a in args):
            return ()
        if getattr(helper, "__name__", None) == "zeros_like" and len(args) == 1:
            return self.shape(args[0])
        if helper is runtime.safe_div and len(args) == 2:
            return self.shape(gast.BinOp(left=args[0], op=gast.Div(), right=args[1]))
        return None
    def is_numpy(self, func, name=None) -> bool:
        return (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and self.code_names.get(func.value.id) is np and (name is None or func.attr == name))

    def spread(self, call):
        """Which call spreads an adjoint over a shape (see scalarseed), if any."""
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


def number_names(body) -> set:
    """Names bound once, at the top level, to arithmetic on constants and such names: the
    seed 1.0 and what flows from it (specialized shapes call them arrays, nominally)."""
    counts = build.bindings(body)
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
    if isinstance(node, gast.BinOp) and type(node.op) in _ARITHMETIC:
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
    ctx.numbers = frozenset(number_names(body))
    return body
