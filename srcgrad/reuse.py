"""Compute into an array about to die, in the one function a `grad` call runs.

After `release`, a statement followed by `del v` is the last to read `v`. If `v` is a
large array the function made itself and never shared (see inplace.py), an arithmetic
operation on it whose result has v's shape can write into v instead of a new array::

    t4 = np.exp(t3)                 t4 = np.exp(t3, out=spare(t3))
    del t3                   ->     del t3
    d_t4 = d_t5 * t1                d_t4 = np.multiply(d_t5, t1, out=spare(t1, d_t5))
    del d_t5, t1                    del d_t5, t1

One array fewer is alive at a time, and the memory is cache-warm. The statement before
the final `return` is the last to read every name it reads but the returned ones. `spare` (runtime.py)
gives `v` only if the result's dtype would be v's (specialized code knows shapes, not
dtypes), else None: a new array, as before. `v` must be read once in the statement (a
later read would see the result), and the other operand must be a name or a constant
(it is read twice).
"""

from __future__ import annotations

import copy

import gast
import numpy as np

from . import build
from .inplace import _disown, _fresh

MIN_SIZE = 1 << 14  # elements: below this the memory is small and the check costs more

_BINARY = {gast.Add: "add", gast.Sub: "subtract", gast.Mult: "multiply", gast.Div: "divide"}
_UNARY = {"exp", "sin", "cos", "tanh", "log", "sqrt", "negative", "square", "log1p",
          "expm1", "sinh", "cosh", "tan", "reciprocal"}


def reuse(body: list, shape, keep: set, numpy: str, spare: str) -> list:
    """`body` (top-level statements of the fused function, with release's `del`s) with
    operations on a dying array computed into it. `shape(node)`: its shape or None;
    `keep`: names never reused (parameters, returned); `numpy()`, `spare()`: the code's
    names for NumPy and runtime.spare (asked for only if used)."""
    owned = _owned(body, keep)
    names = {}

    def numpy_name():
        if "np" not in names:
            names["np"], names["spare"] = numpy(), spare()
        return names["np"], names["spare"]
    for i, stmt in enumerate(body[:-1]):
        after = body[i + 1]
        shared = True  # the statement is also the sweeps' own (forward mode copies those)
        if not isinstance(stmt, (gast.Assign, gast.AugAssign)):
            continue
        if isinstance(after, gast.Delete):
            dying = [t.id for t in after.targets if isinstance(t, gast.Name) and t.id in owned]
        elif isinstance(after, gast.Return) and i + 2 == len(body):  # release frees none here
            dying = sorted({n.id for n in build.names(stmt.value) if n.id in owned})
        else:
            continue
        for name in dying:
            reads = [n for n in build.names(stmt.value) if n.id == name]
            if len(reads) != 1 or _target_names(stmt) & {name}:
                continue
            size = shape(reads[0])
            if size is None or int(np.prod(size, dtype=np.int64)) < MIN_SIZE:
                continue
            if shared:  # rewrite a copy: the sweeps' statement stays as it was
                stmt = body[i] = gast.copy_location(
                    type(stmt)(**{f: copy.deepcopy(getattr(stmt, f)) for f in stmt._fields}), stmt)
                shared = False
            stmt.value = _into(stmt.value, name, size, shape, *numpy_name())
    return body


def _into(node, name, size, shape, numpy, spare):
    """`node` with the operation that reads `name` directly computed into it."""
    if isinstance(node, gast.BinOp) and type(node.op) in _BINARY:
        sides = [node.left, node.right]
        for k, side in enumerate(sides):
            other = sides[1 - k]
            if (isinstance(side, gast.Name) and side.id == name
                    and isinstance(other, (gast.Name, gast.Constant)) and shape(node) == size):
                out = build.call(build.load(spare), build.load(name),
                                 *([build.load(other.id)] if isinstance(other, gast.Name) else []))
                return build.call(build.attr(build.load(numpy), _BINARY[type(node.op)]),
                                  node.left, node.right, out=out)
        node.left = _into(node.left, name, size, shape, numpy, spare)
        node.right = _into(node.right, name, size, shape, numpy, spare)
        return node
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        if isinstance(node.operand, gast.Name) and node.operand.id == name:
            return build.call(build.attr(build.load(numpy), "negative"), node.operand,
                              out=build.call(build.load(spare), build.load(name)))
        node.operand = _into(node.operand, name, size, shape, numpy, spare)
        return node
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.value.id == numpy
            and node.func.attr in _UNARY and len(node.args) == 1 and not node.keywords):
        arg = node.args[0]
        if isinstance(arg, gast.Name) and arg.id == name and shape(node) == size:
            node.keywords = [gast.keyword(arg="out", value=build.call(build.load(spare),
                                                                       build.load(name)))]
            return node
        node.args[0] = _into(arg, name, size, shape, numpy, spare)
    return node


def _target_names(stmt) -> set:
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    return {n.id for n in build.names(targets)}


def _owned(body, keep) -> set:
    """Names bound once, at the top level, to a new array (an arithmetic result, a fresh
    NumPy call), and never shared: every read is an operand of arithmetic or an argument
    of a function that returns a new array (inplace._disown)."""
    counts, fresh = {}, set()
    for stmt in body:
        if isinstance(stmt, gast.Assign):
            for name in _target_names(stmt):
                counts[name] = counts.get(name, 0) + 1
            target = stmt.targets[0]
            if isinstance(target, gast.Name) and _fresh(stmt.value):
                fresh.add(target.id)
        elif not isinstance(stmt, (gast.AugAssign, gast.Delete, gast.Expr)):
            for node in build.names(stmt):  # nested blocks: names bound there are not reused
                if isinstance(node.ctx, gast.Store):
                    counts[node.id] = counts.get(node.id, 0) + 2
    owned = {n for n in fresh if counts.get(n) == 1 and n not in keep}
    for stmt in body:
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            _disown(stmt.value, owned)
            if isinstance(stmt, gast.Assign) and not isinstance(stmt.targets[0], gast.Name):
                _disown(stmt.targets[0], owned)
        elif not isinstance(stmt, gast.Delete):
            _disown(stmt, owned)
    return owned
