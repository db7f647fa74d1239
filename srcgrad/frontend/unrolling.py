"""Loops over a list or tuple argument of known length, written out one item at a time.

When the code is specialized on a call's arguments, a `params` list of `(W, b)` pairs
has a known length; a loop over it is then as many copies of its body, each reading
its own item, so that every item is a value of known shape (the fused, specialized code
follows it) rather than an item of a sequence walked at run time::

    for W, b in params:                 W, b = params[0]
        h = np.tanh(h @ W + b)   ->     h = np.tanh(h @ W + b)
                                        W, b = params[1]
                                        h = np.tanh(h @ W + b)

Only loops whose iterable is a parameter never rebound nor used but by reading (directly,
through `enumerate`, `zip`, a constant slice or `range(len(...))`), whose body has no
`break`, `continue`, `return`, `yield`, nested function or `else`, and whose copies stay
small. The same statements run in the same order: Python's loop does the same.
"""

from __future__ import annotations

import builtins

import gast

from ..ir import build
from .resolve import Resolver

MAX_ITEMS = 16  # longer sequences keep their loop (code size)
MAX_STATEMENTS = 400  # statements written out per loop at most


def run(body, ctx):
    """The manifest's step: loops of the function's source over list or tuple arguments of
    known length written out (`ctx.arguments`: the descriptions of the call's arguments,
    shape_inference.describe; None: the general code, nothing is)."""
    described = getattr(ctx, "arguments", None)
    if not described:
        return body
    tree = ctx.unit.src.tree
    lengths = {name: len(d[1]) for name, d in described.items()
               if isinstance(d, tuple) and len(d) == 2 and d[0] in ("list", "tuple")}
    lengths = {name: n for name, n in lengths.items() if name in _read_only(tree, name)}
    if lengths:
        resolver = Resolver(ctx.unit.src.func, build.local_names(tree))
        tree.body = _Unroll(lengths, resolver).block(tree.body)
    return body


def _read_only(tree, name) -> set:
    """{name} if the function only reads `name` by subscripting, iterating, `len`,
    `enumerate` or `zip` (never binds, deletes, passes or calls a method of it), else {}."""
    parents, inside = {}, [n for s in tree.body for n in gast.walk(s)]
    for node in inside:
        for child in gast.iter_child_nodes(node):
            parents[child] = node
    for node in inside:
        if isinstance(node, gast.Name) and node.id == name:
            if type(node.ctx) is not gast.Load:
                return set()
            parent = parents.get(node)
            if (isinstance(parent, gast.Subscript) and parent.value is node
                    and type(parent.ctx) is gast.Load):
                continue
            if isinstance(parent, gast.For) and parent.iter is node:
                continue
            if (isinstance(parent, gast.Call) and node in parent.args
                    and isinstance(parent.func, gast.Name)
                    and parent.func.id in ("len", "enumerate", "zip")):
                continue
            return set()
        if isinstance(node, (gast.FunctionDef, gast.Lambda, gast.Global, gast.Nonlocal)):
            if any(isinstance(n, gast.Name) and n.id == name for n in gast.walk(node)):
                return set()
    return {name}


class _Unroll:
    def __init__(self, lengths, resolver):
        self.lengths, self.resolver = lengths, resolver

    def builtin(self, name_node) -> str | None:
        """The name of the builtin `enumerate`, `zip`, `range` or `len` a name is, or None
        (a local, or a global of that name)."""
        name = name_node.id
        if name in ("enumerate", "zip", "range", "len") and name not in self.resolver.locals:
            if self.resolver.lookup(name) is getattr(builtins, name):
                return name
        return None

    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            for field in ("body", "orelse", "finalbody"):
                if isinstance(getattr(stmt, field, None), list) and not isinstance(
                        stmt, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)):
                    setattr(stmt, field, self.block(getattr(stmt, field)))
            if isinstance(stmt, gast.Try):
                for handler in stmt.handlers:
                    handler.body = self.block(handler.body)
            items = self.items(stmt) if isinstance(stmt, gast.For) else None
            if items is None:
                out.append(stmt)
                continue
            for item in items:
                out.append(gast.copy_location(
                    gast.Assign(targets=[build.clone(stmt.target)], value=item), stmt))
                out.extend(build.clone(s) for s in stmt.body)
        return out

    def items(self, loop):
        """The expressions of the items the loop walks, or None (it stays a loop)."""
        if loop.orelse or any(isinstance(n, (gast.Break, gast.Continue, gast.Return,
                                             gast.Yield, gast.YieldFrom, gast.FunctionDef,
                                             gast.Lambda, gast.Global, gast.Nonlocal))
                               for s in loop.body for n in gast.walk(s)):
            return None
        items = self.walked(loop.iter)
        if items is None or len(items) > MAX_ITEMS:
            return None
        size = sum(1 for s in loop.body for n in gast.walk(s) if isinstance(n, gast.stmt))
        if size * len(items) > MAX_STATEMENTS:
            return None
        return items

    def walked(self, node):
        """[expression of each item] of an iterable over known arguments, or None."""
        if isinstance(node, gast.Name) and node.id in self.lengths:
            return [_item(node.id, k) for k in range(self.lengths[node.id])]
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and (
                node.value.id in self.lengths and isinstance(node.slice, gast.Slice)):
            bounds = [None if part is None else _integer(part)
                      for part in (node.slice.lower, node.slice.upper, node.slice.step)]
            given = [node.slice.lower, node.slice.upper, node.slice.step]
            if any(b is None and g is not None for b, g in zip(bounds, given)) or bounds[2] == 0:
                return None
            picked = range(self.lengths[node.value.id])[slice(*bounds)]
            return [_item(node.value.id, k) for k in picked]
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                and not node.keywords):
            return None
        name, args = self.builtin(node.func), node.args
        if name == "enumerate" and len(args) == 1:
            inner = self.walked(args[0])
            return None if inner is None else [
                build.tuple_([build.const(k), item]) for k, item in enumerate(inner)]
        if name == "zip" and args:
            walks = [self.walked(a) for a in args]
            if any(w is None for w in walks):
                return None
            return [build.tuple_(list(items)) for items in zip(*walks)]
        if (name == "range" and len(args) == 1 and isinstance(args[0], gast.Call)
                and isinstance(args[0].func, gast.Name) and self.builtin(args[0].func) == "len"
                and len(args[0].args) == 1 and not args[0].keywords):
            inner = self.walked(args[0].args[0])
            return None if inner is None else [build.const(k) for k in range(len(inner))]
        return None


def _integer(node):
    """The int a constant (or its negation) is, else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = _integer(node.operand)
        return None if value is None else -value
    value = build.number(node)
    return value if type(value) is int else None


def _item(name, k):
    return gast.Subscript(value=build.load(name), slice=build.const(k), ctx=gast.Load())
