"""Specialize the backward sweep on the shapes `shape_inference` inferred for one call.

Where the shapes are known, general run-time helpers become the NumPy a person
would write. With `x` (16, 8), `W` (8, 32), `b` (32,) and `t = x @ W + b`::

    d_t1 = unbroadcast(d_t, t1)           ->  d_t1 = d_t
    d_b = unbroadcast(d_t, b)             ->  d_b = np.sum(d_t, axis=0)
    d_W = matmul_adjoint_y(d_t1, x, W)    ->  d_W = x.T @ d_t1
    d_x = matmul_adjoint_x(d_t1, x, W)    ->  d_x = d_t1 @ W.T
    d_s = np.full_like(s, d_loss)         ->  d_s = d_loss         (s a number)

An adjoint has the shape of its value. Every assignment to an adjoint is
checked against that; if one is found to disagree, the backward sweep cannot
be specialized (`NotSpecializable`) and the general code is used.
"""

from __future__ import annotations

import gast
import numpy as np

from .. import runtime
from ..analysis import dtypes
from ..analysis.adjoint_shapes import AdjointShapes, matmul_shapes
from ..analysis.shape_inference import Items
from ..ir import build
from ..rules.facts import facts_of, named


class NotSpecializable(Exception):
    """The inferred shapes contradict the generated code: keep it general."""


def run(body: list, ctx) -> list:
    """`body` (the backward sweep) with the helpers whose work the shapes (ctx.shapes)
    decide replaced by plain NumPy; the shapes of its own names go to ctx.sweep_shapes."""
    unit, forward_shapes = ctx.unit, ctx.shapes
    env = {name: value.shape for name, value in forward_shapes.items()}
    primal = {adj: name for name, adj in unit.namer.adjoints().items()}
    for adj, name in primal.items():
        if name in env:
            env[adj] = env[name]
    helpers = {code: obj for code, obj in unit.code_names.items()}
    numpy = next((code for code, obj in helpers.items() if obj is np), None)
    rewriter = _Rewriter(env, primal, helpers, numpy, unit)
    rewriter.plain_division = _mask_free(unit, forward_shapes) and not _zero_fills(body)
    rewriter.real = dtypes.all_real(unit, ctx.kinds)
    rewriter.float_target = _float_targets(unit, ctx.kinds, forward_shapes,
                                           AdjointShapes(dict(env), helpers).shape)
    body = rewriter.block(body)
    ctx.sweep_shapes = rewriter
    return body


def _float_targets(unit, kinds, shapes, shape):
    """A test `name -> bool`: the value named is a list, tuple or dict, or certainly a
    float64 array (dtypes.py, of the forward code), so a value written into it keeps its
    derivative (runtime.stored has nothing to zero)."""
    float64 = dtypes.float64_arrays(unit.body, kinds, unit.code_names, shape)

    def test(name):
        return isinstance(shapes.get(name), Items) or float64(build.load(name))
    return test


def _mask_free(unit, shapes) -> bool:
    """No adjoint of the function can be zeroed on its way (no loop, whose zero-initialised
    accumulators reach the rules; only smooth operations, whose adjoints never turn a
    nonzero adjoint into an exact zero, and items of a dict, list or tuple `shapes`
    knows, whose whole adjoint is the item's): then `safe_div`'s zero guard has nothing to
    guard on numbers, and plain `/` does the same."""
    if unit.loops:
        return False
    return all(facts_of(op.key).smooth or op.key == "getitem" and isinstance(
        shapes.get(getattr(op.args[0], "id", None)), Items) for op in unit.ops.values())


def _zero_fills(body) -> bool:
    """The backward sweep gives some adjoint a zero (an `if` path that does not reach it)."""
    for node in gast.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign):
            value = node.value
            if isinstance(value, gast.Constant) and value.value == 0:
                return True
            if isinstance(value, gast.Call):
                func = value.func
                name = func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", "")
                if name in named("zeros"):
                    return True
    return False


class _Rewriter(AdjointShapes, build.Transformer):
    plain_division = False  # `safe_div` of two numbers may be plain `/` (see _mask_free)
    real = False  # no value is complex: abs_slope(x) is np.sign(x)
    float_target = staticmethod(lambda name: False)  # see _float_targets

    def __init__(self, env, primal, code_names, numpy, unit):
        AdjointShapes.__init__(self, env, code_names)
        self.primal, self.numpy, self.unit = primal, numpy, unit

    # --- statements ----------------------------------------------------------------------

    def block(self, stmts) -> list:
        for stmt in stmts:
            if isinstance(stmt, gast.If):
                stmt.body = self.block(stmt.body)
                stmt.orelse = self.block(stmt.orelse)
            elif isinstance(stmt, (gast.For, gast.While)):
                stmt.body = self.block(stmt.body)
            elif isinstance(stmt, gast.Assign):
                stmt.value = self.visit(stmt.value)
                self.bind(stmt.targets[0], self.shape(stmt.value))
        return stmts

    def bind(self, target, shape):
        if not isinstance(target, gast.Name):
            for node in gast.walk(target):
                if isinstance(node, gast.Name) and node.id not in self.primal:
                    self.env.pop(node.id, None)
            return
        name = target.id
        if name in self.primal:
            expected = self.env.get(name)
            if expected is not None and shape is not None and shape != expected:
                raise NotSpecializable(f"{name} would have shape {shape}, not {expected}")
        elif shape is None:
            self.env.pop(name, None)
        else:
            self.env[name] = shape

    # --- expressions ---------------------------------------------------------------------

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        helper = self.code_names.get(func.id) if isinstance(func, gast.Name) else None
        args = node.args
        if node.keywords or helper is None:
            if self.is_numpy(func, "size") and len(args) == 1 and not node.keywords:
                shape = self.shape(args[0])
                if shape is not None:  # the number of elements is known
                    return build.const(int(np.prod(shape, dtype=np.int64)))
            if self.is_numpy(func, "shape") and len(args) == 1 and not node.keywords:
                shape = self.shape(args[0])
                if shape is not None:  # np.reshape(d_W2, np.shape(t16)): (32,)
                    return build.const(tuple(shape))
            if self.is_numpy(func, "full_like") and len(args) == 2 and not node.keywords:
                if self.shape(args[0]) == () and self.shape(args[1]) == ():
                    return args[1]
            if (self.is_numpy(func, "power") and len(args) == 2 and not node.keywords
                    and self.shape(args[0]) is not None and self.shape(args[1]) == ()):
                # x ** c: the same, quicker for a number, which may raise ZeroDivisionError
                # where np.power gives inf: the call then runs the general code (api/gradient.py)
                return gast.BinOp(left=args[0], op=gast.Pow(), right=args[1])
            return node
        if helper is max and args and all(isinstance(a, gast.Constant)
                                          and type(a.value) is int for a in args):
            return build.const(max(a.value for a in args))
        if helper is runtime.unbroadcast and len(args) == 2:
            return self.unbroadcast(node, *args)
        if helper is runtime.abs_slope and len(args) == 1 and self.real:
            return self.np_call("sign", args[0])
        if helper is runtime.conjugated and len(args) == 1 and self.real:
            return args[0]
        if (helper is runtime.stored and len(args) == 2 and isinstance(args[1], gast.Name)
                and self.float_target(args[1].id)):
            return args[0]
        if (helper is runtime.safe_div and len(args) == 2 and self.plain_division
                and self.shape(args[0]) == () and self.shape(args[1]) == ()):
            return gast.BinOp(left=args[0], op=gast.Div(), right=args[1])
        if helper is runtime.scatter_add and len(args) == 3:
            return self.scatter_everywhere(node, *args)
        if helper is runtime.split_among_ties and len(args) == 5:
            return self.split_kept(node, *args)
        if helper in (runtime.matmul_adjoint_x, runtime.dot_adjoint_x) and len(args) == 3:
            return self.matmul_x(node, *args)
        if helper in (runtime.matmul_adjoint_y, runtime.dot_adjoint_y) and len(args) == 3:
            return self.matmul_y(node, *args)
        return node

    def unbroadcast(self, node, g, x):
        g_shape, x_shape = self.shape(g), self.shape(x)
        if g_shape is None or x_shape is None:
            return node
        if g_shape == x_shape:
            return g
        extra = len(g_shape) - len(x_shape)
        if extra > 0 and g_shape[extra:] == x_shape:
            axis = build.const(0) if extra == 1 else build.const(tuple(range(extra)))
            if not x_shape:
                return self.total(g)
            return build.call(build.attr(g, "sum"), axis=axis)
        if extra == 0 and all(n in (1, m) for n, m in zip(x_shape, g_shape)):
            axes = tuple(i for i, (n, m) in enumerate(zip(x_shape, g_shape)) if n != m)
            axis = build.const(axes[0] if len(axes) == 1 else axes)  # summed, kept: x's shape
            if isinstance(g, gast.UnaryOp) and isinstance(g.op, gast.USub):  # sum, then negate
                return gast.UnaryOp(op=gast.USub(), operand=build.call(
                    build.attr(g.operand, "sum"), axis=axis, keepdims=build.const(True)))
            return build.call(build.attr(g, "sum"), axis=axis, keepdims=build.const(True))
        return node

    def scatter_everywhere(self, node, x, index, g):
        """scatter_add(x, index, g) -> np.reshape(g, x's shape) when the index takes every
        element of x once, in order (`pred[:, 0]` of a column): no zeros to add into."""
        x_shape, g_shape = self.shape(x), self.shape(g)
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if x_shape is None or g_shape is None or int(np.prod(g_shape)) != int(np.prod(x_shape)):
            return node
        axes = iter(x_shape)
        for part in parts:
            if isinstance(part, gast.Constant) and part.value is None:
                continue  # a new axis of length 1
            length = next(axes, None)
            if length is None or not (self.whole_slice(part) or (
                    isinstance(part, gast.Constant) and type(part.value) is int
                    and length == 1 and part.value in (0, -1))):
                return node
        return self.np_call("reshape", g, build.const(tuple(x_shape)))

    def whole_slice(self, node) -> bool:
        """`node` is `slice(None, None, None)`, the builtin's."""
        resolver = self.unit.resolver
        return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                and node.func.id == "slice" and not node.keywords
                and "slice" not in resolver.locals and resolver.lookup("slice") is slice
                and all(isinstance(a, gast.Constant) and a.value is None for a in node.args))

    def split_kept(self, node, g, x, z, axis, keepdims):
        """split_among_ties(g, x, z, axis, True) -> split_ties_kept(g, x, z, axis) when g and
        z are known to have x's shape with the reduced axes kept: no `repeat_to`."""
        if not (isinstance(axis, gast.Constant) and isinstance(keepdims, gast.Constant)
                and keepdims.value is True):
            return node
        x_shape, g_shape, z_shape = self.shape(x), self.shape(g), self.shape(z)
        if x_shape is None or axis.value is None or g_shape is None:
            return node
        axes = axis.value if isinstance(axis.value, tuple) else (axis.value,)
        if not all(type(a) is int and -len(x_shape) <= a < len(x_shape) for a in axes):
            return node
        axes = {a % len(x_shape) for a in axes}
        kept = tuple(1 if i in axes else n for i, n in enumerate(x_shape))
        if g_shape != kept or z_shape != kept:
            return node
        return build.call(build.load(self.unit.code_name("split_ties_kept")), g, x, z, axis)

    def total(self, g):
        """The sum of all elements of the array `g`: `np.dot(a, b)` for `a * b` of two
        vectors, else `g.sum()` (NumPy's method skips the dispatch of `np.sum`)."""
        if isinstance(g, gast.BinOp) and isinstance(g.op, gast.Mult):
            left, right = self.shape(g.left), self.shape(g.right)
            if left is not None and left == right and len(left) == 1:
                return self.np_call("dot", g.left, g.right)
        return build.call(build.attr(g, "sum"))

    def matmul_x(self, node, g, x, y):
        """Adjoint of x in x @ y: g @ y.T, for vectors and matrices."""
        x_shape, y_shape = self.shape(x), self.shape(y)
        if matmul_shapes(x_shape, y_shape):
            if len(y_shape) == 2:
                return _product(g, _transpose_of(y, y_shape),
                                y_shape[1] if len(x_shape) == 2 else None)
            if len(x_shape) == 2:  # matrix @ vector
                return self.np_call("outer", g, y)
            return gast.BinOp(left=g, op=gast.Mult(), right=y)  # vector @ vector
        return node

    def matmul_y(self, node, g, x, y):
        """Adjoint of y in x @ y: x.T @ g, for vectors and matrices (g @ x for a matrix
        times a vector: the same numbers, without making the transposed view)."""
        x_shape, y_shape = self.shape(x), self.shape(y)
        if matmul_shapes(x_shape, y_shape):
            if len(x_shape) == 2 and len(y_shape) == 1:
                return gast.BinOp(left=g, op=gast.MatMult(), right=x)
            if len(x_shape) == 2:
                return _product(_transpose_of(x, x_shape), g, x_shape[0])
            if len(y_shape) == 2:  # vector @ matrix
                return self.np_call("outer", x, g)
            return gast.BinOp(left=g, op=gast.Mult(), right=x)
        return node

    def np_call(self, name, *args, **keywords):
        numpy = self.numpy or self.unit.code_name("np")
        self.numpy = numpy
        return build.call(build.attr(build.load(numpy), name), *args, **keywords)




def _product(a, b, inner):
    """`a @ b` of matrices, or `a * b` when they share an axis of length 1 (`inner`): an
    outer product, each element the one product the matmul would compute."""
    return gast.BinOp(left=a, op=gast.Mult() if inner == 1 else gast.MatMult(), right=b)


def _transpose_of(node, shape):
    return build.attr(node, "T") if len(shape) == 2 else node
