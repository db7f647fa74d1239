"""The adjoint of a dict, list or tuple of known items, kept item by item.

The adjoint of `W = params[0]` is, in general, a container of zeros for every item
but the one read (`scatter_add(params, 0, d_W)`: a zero array per other item), and
the adjoints of two reads are added container by container. Where the shapes know the
container's items (a `params` argument, a tuple a helper returns), the backward sweep
keeps, while it runs, only the items' adjoints, and builds the container once, where
it is read: for the returned gradient, a plain list or dict that holds what reached
each item (0.0 for an item no adjoint reached: the gradient is then made like the
argument, zeros there)::

    d_t2 = scatter_add(t2, 1, d_b2)                     (gone)
    d_t2 = d_t2 + scatter_add(t2, 0, d_W2)              (gone)
    d_params = scatter_add(params, 1, d_t2)      ->     (gone)
    d_t1 = scatter_add(t1, 1, d_b1)                     (gone)
    d_t1 = d_t1 + scatter_add(t1, 0, d_W1)              (gone)
    d_params = d_params + scatter_add(params, 0, d_t1)  d_params = [[d_W1, d_b1], [d_W2, d_b2]]

An item reached twice holds the sum (`d_W1 + d_W1_1`). A container adjoint read any
other way (by a rule, in a loop or a branch) is built there as the run-time helpers
would have made it (`Parts`, `Fields`, `zeros_like` of an item no adjoint reached).
Only top-level statements are followed; an item adjoint whose name is bound again
later is first copied to a name of its own (its value at the read is the one kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import gast

from .. import runtime
from ..analysis.shape_inference import Items
from ..ir import build


@dataclass(frozen=True)
class _Partial:
    """A container adjoint known item by item: {key: gast expression or _Partial}."""

    source: str  # the forward container's name (its items' zeros are read from it)
    known: Items  # what the shapes know of it
    items: tuple  # ((key, node or _Partial), ...), in the order the adjoints reached them

    def get(self, key):
        return next((node for k, node in self.items if k == key), None)


def run(body: list, ctx) -> list:
    """`body` (the specialized backward sweep) with the adjoints of containers of known
    items kept item by item until read (see the module docstring)."""
    shapes = ctx.shapes or {}
    names = {name: obj for name, obj in ctx.unit.code_names.items()
             if obj in (runtime.scatter_add, runtime.zeros_like)}
    if not any(isinstance(v, Items) for v in shapes.values()) or not names:
        return body
    return _Sweep(body, ctx, shapes, names).run()


class _Sweep:
    def __init__(self, body, ctx, shapes, names):
        self.body, self.ctx, self.shapes, self.names = body, ctx, shapes, names
        self.counts = build.bindings(body)
        self.partial: dict = {}  # adjoint name -> _Partial
        self.out: list = []

    def run(self) -> list:
        for stmt in self.body:
            if build.is_comment(stmt):
                self.out.append(stmt)
                continue
            made = self.partial_of(stmt) if isinstance(stmt, gast.Assign) else None
            if made is not None:
                self.partial[stmt.targets[0].id] = made
                continue
            unpacked = self.unpacked(stmt) if isinstance(stmt, gast.Assign) else None
            if unpacked is not None:  # `d_a, d_b = d_pair`: each its item's adjoint
                self.out += unpacked
                continue
            touched = build.loaded(stmt) | build.stored(stmt)
            for name in [n for n in self.partial if n in touched]:
                self.out.append(self.materialize(name, returned=False))
            self.out.append(stmt)
        wanted = [n for n in self.partial if n in set(self.ctx.live_out) | set(self.ctx.returned)]
        while wanted and self.out and build.is_comment(self.out[-1]):
            self.out.pop()  # the lines whose statements went
        self.out += [self.materialize(name, returned=True) for name in wanted]
        return self.out

    # --- recognizing -------------------------------------------------------------------

    def partial_of(self, stmt):
        """The _Partial `stmt` binds its target to, if its value is a sum of item
        adjoints and container adjoints kept by item; else None."""
        target = stmt.targets[0]
        if len(stmt.targets) != 1 or not isinstance(target, gast.Name):
            return None
        terms = _terms(stmt.value)
        if terms is None:
            return None
        found = []
        for term in terms:
            part = self.term(term)
            if part is None:
                return None
            found.append(part)
        merged = found[0]
        for part in found[1:]:
            merged = self.merge(merged, part)
            if merged is None:
                return None
        return merged

    def term(self, node):
        """The _Partial one term stands for: `scatter_add(c, key, g)`, `zeros_like(c)`
        or a name kept by item; else None."""
        if isinstance(node, gast.Name):
            return self.partial.get(node.id)
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                and not node.keywords and node.func.id in self.names):
            return None
        helper, args = self.names[node.func.id], node.args
        if not args or not isinstance(args[0], gast.Name):
            return None
        source = args[0].id
        known = self.shapes.get(source)
        if not isinstance(known, Items) or self.counts.get(source):
            return None  # (a forward value: the backward sweep never binds it)
        if helper is runtime.zeros_like and len(args) == 1:
            return _Partial(source, known, ())
        if helper is not runtime.scatter_add or len(args) != 3:
            return None
        key = _key(args[1], known)
        if key is None:
            return None
        item = self.item(args[2])
        return None if item is None else _Partial(source, known, ((key, item),))

    def item(self, node):
        """What an item's adjoint is kept as: a _Partial, or a name (copied to one of its
        own if it is bound again later, or not a name)."""
        if isinstance(node, gast.Name) and node.id in self.partial:
            return self.partial[node.id]
        if isinstance(node, gast.Constant) or (isinstance(node, gast.Name)
                                               and self.counts.get(node.id, 0) <= 1):
            return node
        name = self.ctx.fresh("d_item")
        self.out.append(build.assign(name, node))
        return build.load(name)

    def merge(self, a, b):
        """The sum of two container adjoints kept by item, or None."""
        if a.known != b.known:
            return None
        items = dict(a.items)
        for key, node in b.items:
            if key not in items:
                items[key] = node
            elif isinstance(node, _Partial) and isinstance(items[key], _Partial):
                merged = self.merge(items[key], node)
                if merged is None:
                    return None
                items[key] = merged
            elif isinstance(node, _Partial) or isinstance(items[key], _Partial):
                return None
            else:
                items[key] = gast.BinOp(left=items[key], op=gast.Add(), right=node)
        return _Partial(a.source, a.known, tuple(items.items()))

    # --- building the container ----------------------------------------------------------

    def unpacked(self, stmt):
        """`a = item0`, `b = item1`... for `a, b = d` of a kept `d` whose every item an
        adjoint reached (no zeros to make); else None."""
        target, value = stmt.targets[0], stmt.value
        part = self.partial.get(value.id) if isinstance(value, gast.Name) else None
        if (part is None or len(stmt.targets) != 1
                or not isinstance(target, (gast.Tuple, gast.List))
                or not all(isinstance(e, gast.Name) for e in target.elts)
                or len(target.elts) != len(part.known.items) or part.known.kind == "dict"):
            return None
        items = [part.get(key) for key, _ in part.known.items]
        if any(node is None or isinstance(node, _Partial) for node in items):
            return None
        return [gast.copy_location(build.assign(e.id, build.clone(node)), stmt)
                for e, node in zip(target.elts, items)]

    def materialize(self, name, returned) -> gast.Assign:
        part = self.partial.pop(name)
        return build.assign(name, self.container(part, build.load(part.source), returned))

    def container(self, part, source, returned):
        """The container adjoint as an expression: plain for the returned gradient, else
        the run-time helpers' types. `source`: an expression of the forward container."""
        elements = []
        for key, _ in part.known.items:
            node = part.get(key)
            item_source = gast.Subscript(value=build.clone(source), slice=build.const(key),
                                         ctx=gast.Load())
            if isinstance(node, _Partial):
                elements.append((key, self.container(node, item_source, returned)))
            elif node is not None:
                elements.append((key, build.clone(node)))
            elif part.known.kind != "dict":  # a dict's missing key is its zero
                elements.append((key, build.const(0.0) if returned else build.call(
                    build.load(self.ctx.code_name("zeros_like")), item_source)))
        if part.known.kind == "dict":
            value = gast.Dict(keys=[build.const(k) for k, _ in elements],
                              values=[v for _, v in elements])
            return value if returned else build.call(build.load(self.ctx.code_name("Fields")),
                                                     value)
        value = gast.List(elts=[v for _, v in elements], ctx=gast.Load())
        return value if returned else build.call(build.load(self.ctx.code_name("Parts")), value)


def _terms(node):
    """The operands of a sum `a + b + ...` (one for anything else), or None."""
    if isinstance(node, gast.BinOp):
        if not isinstance(node.op, gast.Add):
            return None
        left, right = _terms(node.left), _terms(node.right)
        return None if left is None or right is None else left + right
    return [node]


def _key(node, known):
    """The key of `known` a constant index names (a negative index counted from the end
    of a list or tuple), or None."""
    if not isinstance(node, gast.Constant):
        return None
    key, keys = node.value, [k for k, _ in known.items]
    if known.kind != "dict":
        if type(key) is not int or not -len(keys) <= key < len(keys):
            return None
        key %= len(keys)
    return key if key in keys and type(key) in (int, str) else None
