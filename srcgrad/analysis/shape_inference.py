"""Shapes of the forward values, inferred from the shapes of the arguments of one call.

With `w` a float and `x` of shape (100,)::

    t1 = w * x          # (100,)
    yhat = t1 + b       # (100,) if b is a float
    loss = np.mean(t1)  # ()

Only what is certain is inferred: a value whose shape could depend on data, on
an argument whose shape is not in the key, or on an operation not listed here
is unknown (None), and code that depends on it stays general. Loop-carried
values keep a shape only if every iteration ends with the shape it began with.

A dict, list or tuple (a `params` dict argument, a tuple a helper returns) is known by
its items: `params["W1"]` has the shape of the array at that key.
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass

import gast
import numpy as np

from ..frontend.static_functions import is_function
from ..ir import build
from ..runtime.array_kind import is_duck, shape_of
from ..rules.facts import attribute, facts_of, method, python_operator

_NO_CONST = object()
_ORDERINGS = (gast.Lt, gast.LtE, gast.Gt, gast.GtE, gast.Eq, gast.NotEq)


@dataclass(frozen=True)
class Value:
    """What is known of a value: its shape, whether it is an integer, maybe its value."""

    shape: tuple
    integer: bool = False
    const: object = _NO_CONST  # a Python value known while the code is generated


@dataclass(frozen=True)
class Items:
    """What is known of a dict, list or tuple: a Value (or Items, or None) per key."""

    kind: str  # "dict", "list" or "tuple"
    items: tuple  # ((key, Value | Items | None), ...)
    shape = None  # no array: consumers of shapes see an unknown shape
    integer = False
    const = _NO_CONST

    def get(self, key):
        return next((known for k, known in self.items if k == key and type(k) is type(key)),
                    None)


def describe(value, leaf=None, _within=()):
    """The part of a call's argument that specialized code may depend on (hashable): the
    shape of an array or a float, "int" for a Python int, for a dict, list or tuple
    (exactly those types) its kind and the description of each item, else None (nothing
    known). `leaf(value)`: how an array or number is described (default: as here)."""
    kind = type(value)
    if kind in _CONTAINERS:
        if (kind is dict and not all(type(k) in (str, int) for k in value)
                or id(value) in _within):  # (a list that holds itself)
            return None
        pairs = value.items() if kind is dict else enumerate(value)
        within = _within + (id(value),)
        return (_CONTAINERS[kind], tuple((k, describe(v, leaf, within)) for k, v in pairs))
    if leaf is not None:
        return leaf(value)
    if kind is np.ndarray:
        return value.shape
    if kind is float or isinstance(value, np.floating):
        return ()
    if kind is int:
        return "int"
    if is_duck(value):  # its shape if known (not a Dask array of unknown chunk sizes)
        return shape_of(value)
    if is_function(value):  # static: the code calls this very function
        return ("function", value)
    return None


_CONTAINERS = {dict: "dict", list: "list", tuple: "tuple"}


def from_description(desc):
    if desc == "int":
        return Value((), integer=True)
    if isinstance(desc, tuple) and len(desc) == 2 and desc[0] in _CONTAINERS.values():
        return Items(desc[0], tuple((k, from_description(d)) for k, d in desc[1]))
    if isinstance(desc, tuple) and desc[:1] == ("function",):
        return None
    if isinstance(desc, tuple):
        return Value(desc)
    return None


def infer(unit, arguments: dict) -> dict:
    """{name: Value} for the names of `unit.body` whose shape is certain.

    `arguments` maps parameter names to `describe` results of the call's arguments.
    """
    env = {}
    for name in unit.params:
        value = from_description(arguments.get(name))
        if value is not None:
            env[name] = value
    inference = _Inference(unit)
    inference.block(unit.body, env)
    return {name: known for name, known in env.items()
            if not (isinstance(known, Items) and name in inference.changeable)}


class _Inference:
    def __init__(self, unit):
        self.unit = unit
        self.changeable = _changeable(unit.body)  # containers whose items may change

    def block(self, stmts, env):
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                self.assign(stmt, env)
            elif isinstance(stmt, gast.If):
                body_env, else_env = dict(env), dict(env)
                self.block(stmt.body, body_env)
                self.block(stmt.orelse, else_env)
                env.clear()
                env.update(_join_envs(body_env, else_env, build.stored(stmt.body),
                                      build.stored(stmt.orelse)))
            elif isinstance(stmt, (gast.For, gast.While)):
                self.loop(stmt, env)

    def loop(self, loop, env):
        info = self.unit.loops[loop]
        heads = [head for head, _ in info.carried]
        for _ in range(len(heads) + 2):  # each round can only forget a head's shape
            inner = dict(env)
            if isinstance(loop, gast.For):
                self.loop_target(loop, inner)
            self.block(loop.body, inner)
            changed = False
            for head in heads:
                if head in env and inner.get(head) != env[head]:
                    del env[head]
                    changed = True
            if not changed:
                break
        target = {loop.target.id} if isinstance(loop, gast.For) else set()
        for name in build.stored(loop.body) | target:
            if name not in heads:
                env.pop(name, None)
                if name in inner and not changed:
                    env[name] = inner[name]

    def loop_target(self, loop, env):
        it = loop.iter
        if (isinstance(it, gast.Call) and isinstance(it.func, gast.Name)
                and self.unit.resolver.lookup(it.func.id) is builtins.range
                and it.func.id not in self.unit.resolver.locals):
            env[loop.target.id] = Value((), integer=True)
        else:
            env.pop(loop.target.id, None)

    def assign(self, stmt, env):
        target = stmt.targets[0]
        if not isinstance(target, gast.Name):
            for name in build.stored(stmt):
                env.pop(name, None)
            return
        op = self.unit.ops.get(stmt)
        try:
            value = self.value(stmt, op, env) if op is not None else None
        except Exception:  # an operation we cannot fold: its shape stays unknown
            value = None
        if target.id in env and env[target.id] != value:  # merged in a branch: assigned twice
            value = None
        if value is None:
            env.pop(target.id, None)
        else:
            env[target.id] = value

    def value(self, stmt, op, env):
        node = stmt.value
        if isinstance(node, gast.Constant):
            return _constant(node.value)
        if isinstance(node, gast.Compare):
            return self.comparison(node, env)
        args = [self.operand(a, env) for a in op.args]
        key = op.key
        if key == "identity" and len(args) == 1:
            return args[0]
        found = facts_of(key)
        if found.shape == "fill" and len(args) == 1 and not op.kwargs and args[0] is not None:
            shape = args[0].const
            shape = (shape,) if type(shape) is int else shape
            if isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape):
                return Value(shape)
            return None
        if (key is np.reshape or key == method("reshape")) and args and args[0] is not None:
            return self.reshaped(op, args)
        if any(a is not None and isinstance(a.const, tuple) for a in args):
            return _tuple_op(key, args)
        if found.shape == 0 and found.nargs == 1 and len(args) == 1 and not op.kwargs:
            return _strip(args[0])
        if found.shape == "number" and len(args) == 1 and not op.kwargs:
            return Value(()) if args[0] is not None and args[0].shape == () else None
        if (found.shape == "broadcast" and found.nargs == len(args) == 2 and not op.kwargs
                and None not in args):
            shape = broadcast_shapes(args[0].shape, args[1].shape)
            integer = found.integer_closed and args[0].integer and args[1].integer
            if integer and all(a.const is not _NO_CONST for a in args):
                return _constant(python_operator(key)(args[0].const, args[1].const))
            return Value(shape, integer=integer)
        if (found.shape == "broadcast" and found.nargs == len(args) == 3 and not op.kwargs
                and None not in args):  # where, clip
            return Value(broadcast_shapes(*(a.shape for a in args)))
        if found.shape == "reduce":
            return self.reduction(stmt, args, env)
        if found.shape == "matmul" and len(args) == 2 and None not in args:
            return matmul_shape(args[0].shape, args[1].shape)
        if key == attribute("shape") and args[0] is not None:
            return _constant(tuple(args[0].shape))
        if key == attribute("T") and args[0] is not None:
            return Value(tuple(reversed(args[0].shape)))
        if key == "getitem":
            container = getattr(op.args[0], "id", None)
            if isinstance(args[0], Items) and container not in self.changeable:
                # params["W1"], pair[0]: the item's own; layers[:-1]: those items
                index = op.args[1]
                if isinstance(index, gast.Constant):
                    return args[0].get(_from_start(args[0], index.value))
                known = getattr(args[1], "const", _NO_CONST)
                if type(known) is int:  # params[i] of a known i, params[-1]
                    return args[0].get(_from_start(args[0], known))
                return _sliced_items(args[0], self.static_index(index))
            if args[1] is None and isinstance(args[0], Value) and args[0].const is _NO_CONST:
                return _indexed(args[0].shape, self.static_index(op.args[1]))  # x[:, 0]
            return _getitem(args[0], args[1])
        if key == "pack" and isinstance(op.args[0], (gast.Tuple, gast.List)):
            return Items("tuple" if isinstance(op.args[0], gast.Tuple) else "list",
                         tuple(enumerate(self.operand(e, env) for e in op.args[0].elts)))
        return None

    def static_index(self, node):
        """The index a constant, `slice(...)` of constants, or a tuple of them names (the
        Python object; _NO_CONST if not such an index)."""
        if isinstance(node, gast.Constant) and (node.value is None or type(node.value) is int):
            return node.value
        if isinstance(node, gast.Tuple):
            parts = [self.static_index(e) for e in node.elts]
            return _NO_CONST if _NO_CONST in parts else tuple(parts)
        if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                and node.func.id == "slice" and node.func.id not in self.unit.resolver.locals
                and self.unit.resolver.lookup("slice") is builtins.slice and not node.keywords
                and all(isinstance(a, gast.Constant) and (a.value is None or type(a.value) is int)
                        for a in node.args)):
            return slice(*(a.value for a in node.args))
        return _NO_CONST

    def reshaped(self, op, args):
        """x.reshape((4, 32)), x.reshape(4, -1), np.reshape(x, (4, 32)) of a known x."""
        if op.kwargs or isinstance(args[0], Items) or len(args) < 2 or None in args:
            return None
        parts = [a.const for a in args[1:]]
        target = parts[0] if len(parts) == 1 else tuple(parts)
        target = (target,) if type(target) is int else target
        if not (isinstance(target, tuple) and all(type(n) is int for n in target)):
            return None
        size = int(np.prod(args[0].shape, dtype=np.int64))
        known = int(np.prod([n for n in target if n != -1], dtype=np.int64))
        if target.count(-1) > 1 or any(n < -1 for n in target):
            return None
        if -1 in target:
            if known == 0 or size % known:
                return None
            target = tuple(size // known if n == -1 else n for n in target)
        return Value(target) if int(np.prod(target, dtype=np.int64)) == size else None

    def comparison(self, node, env):
        """`a < b` of arrays or numbers: their broadcast shape (of booleans)."""
        if len(node.ops) != 1 or not isinstance(node.ops[0], _ORDERINGS):
            return None
        left, right = self.operand(node.left, env), self.operand(node.comparators[0], env)
        if any(v is None or isinstance(v, Items) or isinstance(v.const, tuple)
               for v in (left, right)):
            return None
        return Value(broadcast_shapes(left.shape, right.shape))

    def operand(self, node, env):
        if isinstance(node, gast.Name):
            return env.get(node.id)
        if isinstance(node, gast.Constant):
            return _constant(node.value)
        if isinstance(node, gast.Tuple):  # np.zeros((n, m))
            parts = [self.operand(e, env) for e in node.elts]
            if all(p is not None and p.integer and type(p.const) is int for p in parts):
                return _constant(tuple(p.const for p in parts))
        return None

    def reduction(self, stmt, args, env):
        if args[0] is None:
            return None
        binding = self.unit.bindings.get(stmt) or {}
        if "x" not in binding:
            return None
        axis, keepdims = binding.get("axis"), binding.get("keepdims")
        axis = self.operand(axis, env) if axis is not None else _constant(None)
        keepdims = self.operand(keepdims, env) if keepdims is not None else _constant(False)
        if axis is None or keepdims is None or _NO_CONST in (axis.const, keepdims.const):
            return None
        shape = reduced_shape(args[0].shape, axis.const, keepdims.const)
        return Value(shape) if shape is not None else None


def size(shape) -> int:
    """`int(np.prod(shape, dtype=np.int64))`: the number of elements of that shape."""
    if all(type(n) is int for n in shape):
        return math.prod(shape)
    return int(np.prod(shape, dtype=np.int64))


def broadcast_shapes(*shapes) -> tuple:
    """`np.broadcast_shapes(*shapes)` (ValueError where they do not broadcast), without
    its arrays for shapes of plain ints (the passes ask it of every operation)."""
    if not all(type(n) is int and n >= 0 for shape in shapes for n in shape):
        return np.broadcast_shapes(*shapes)
    result = [1] * max(map(len, shapes), default=0)
    for shape in shapes:
        offset = len(result) - len(shape)
        for k, n in enumerate(shape, offset):
            if n != result[k] and n != 1:
                if result[k] != 1:
                    raise ValueError(f"shapes {shapes} do not broadcast")
                result[k] = n
    return tuple(result)


def reduced_shape(shape, axis, keepdims):
    """The shape of a reduction of `shape` over `axis`, or None if NumPy would refuse it."""
    ndim = len(shape)
    axes = tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    if not all(type(a) is int and -ndim <= a < ndim for a in axes) or type(keepdims) is not bool:
        return None
    axes = {a % ndim for a in axes}
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _tuple_op(key, args):
    """Python tuples (shapes): indexing and concatenation of known tuples only."""
    if None in args or any(a.const is _NO_CONST for a in args):
        return None
    if key == "getitem":
        return _getitem(args[0], args[1])
    if key is np.add and all(isinstance(a.const, tuple) for a in args):
        return _constant(args[0].const + args[1].const)
    return None


def _indexed(shape, index):
    """The shape of `x[index]` for x of `shape` and a basic index of ints, slices and None
    (None if the index is not one, or NumPy would refuse it)."""
    if index is _NO_CONST or (isinstance(index, tuple) and _NO_CONST in index):
        return None
    parts = index if isinstance(index, tuple) else (index,)
    if not all(p is None or type(p) in (int, slice) for p in parts):
        return None
    # indexing a view of one number, strides 0: no memory of the shape's size
    view = np.lib.stride_tricks.as_strided(np.zeros(1), shape=shape, strides=(0,) * len(shape))
    return Value(view[index].shape)


def _from_start(items, key):
    """A list's or tuple's negative index as the index from the start it names."""
    if type(key) is int and key < 0 and items.kind != "dict":
        return key + len(items.items)
    return key


def _sliced_items(items, index):
    """`layers[:-1]` of a list or tuple known by items: those items, numbered anew."""
    if type(index) is not slice or items.kind == "dict":
        return None
    kept = [known for _, known in items.items][index]
    return Items(items.kind, tuple(enumerate(kept)))


def _strip(value):
    """The shape alone (of an array: a function of a list stacks it, its shape unknown)."""
    return None if value is None or isinstance(value, Items) else Value(value.shape)


def _constant(value):
    if isinstance(value, bool) or value is None:
        return Value((), const=value)
    if isinstance(value, int):
        return Value((), integer=True, const=value)
    if isinstance(value, float):
        return Value(())
    if isinstance(value, tuple) and all(type(v) is int for v in value):
        return Value((len(value),), integer=True, const=value)
    return None



def matmul_shape(x, y):
    if len(x) not in (1, 2) or len(y) not in (1, 2) or x[-1] != y[0]:
        return None
    return Value(x[:-1] + y[1:])


def _getitem(array, index):
    if array is None or index is None or not index.integer or index.shape != ():
        return None
    if isinstance(array.const, tuple) and type(index.const) is int:
        return _constant(array.const[index.const])
    if array.const is not _NO_CONST:
        return None
    if not array.shape:
        return None
    if index.const is not _NO_CONST and not -array.shape[0] <= index.const < array.shape[0]:
        return None
    return Value(array.shape[1:])


def _changeable(body) -> set:
    """Names that may hold a dict, list or tuple whose items change after it is made:
    read otherwise than indexed (`lst.reverse()`, an argument of a call, an item of
    another container) or copied, by itself or by a copy of it."""
    read_otherwise, copies = set(), []
    for stmt in build.statements(body):
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Name):
            copies.append((stmt.targets[0], stmt.value.id))
            continue
        indexed = {id(n.value) for n in build.nodes(stmt) if isinstance(n, gast.Subscript)}
        for node in (n for part in build.head(stmt) for n in build.nodes(part)):
            if (isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)
                    and id(node) not in indexed):
                read_otherwise.add(node.id)
    groups = {}  # a name -> the names that are one object with it
    for target, source in copies:
        names = {source} | {n.id for n in build.names(target)}
        group = set().union(names, *(groups.get(n, ()) for n in names))
        for n in group:
            groups[n] = group
    return set().union(read_otherwise, *(groups.get(n, ()) for n in read_otherwise))


def _join_envs(a, b, bound_a=frozenset(), bound_b=frozenset()) -> dict:
    """After an `if`: what both paths agree on; a name bound on one path only keeps its
    value (`bound_a`, `bound_b`: the names each path binds; one it binds to a value of
    unknown shape is unknown after the `if`, whatever the other path knows of it)."""
    out = {}
    for name in set(a) | set(b):
        if name in a and name in b:
            if a[name] == b[name]:
                out[name] = a[name]
        elif not (name in a and name in bound_b or name in b and name in bound_a):
            out[name] = a.get(name, b.get(name))
    return out
