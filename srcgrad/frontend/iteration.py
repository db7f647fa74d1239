"""Iteration as indexing: how a `for` loop walks what it iterates, and how comprehensions
and the builtins that iterate (`map`, `zip`, `enumerate`, `reversed`, `sorted`,
`functools.reduce`) become such loops, so that every element the function reads is an
indexing operation whose adjoint srcgrad knows.

Before::

    for i, (x, y) in enumerate(zip(xs, ys)):
        ...
    total = sum(np.sum(w ** 2) for w in ws)

After (normalize.py then makes one operation per statement)::

    t1 = len(xs)
    t2 = len(ys)
    n = min(t1, t2)
    for k in range(n):
        i = k
        x = xs[k]
        y = ys[k]
        ...
    items = []
    for k_1 in range(len(ws)):
        w_1 = ws[k_1]
        items.append(np.sum(w_1 ** 2))
    total = sum(items)

A comprehension's variables get names of their own (they never leak into the function,
as in Python 3). Everything here builds plain statements and expressions; normalize.py
lowers them like the user's own.
"""

from __future__ import annotations

import builtins
import functools
from dataclasses import dataclass
from typing import Callable

import gast

from ..ir import build

ITERATING = {builtins.map: "map", builtins.zip: "zip", builtins.enumerate: "enumerate",
             builtins.reversed: "reversed", builtins.filter: "filter"}


@dataclass
class Walk:
    """How to visit a sequence by index: its length, and its element at an index."""

    length: gast.expr
    item: Callable[[gast.expr], gast.expr]


class Iteration:
    """Plans walks and lowers comprehensions for one function. `known(node)` is the
    object a non-local name or dotted path names (or None); `namer` makes fresh names."""

    def __init__(self, namer, known):
        self.namer, self.known = namer, known

    # -- for loops ------------------------------------------------------------------------

    def is_range(self, iterable) -> bool:
        return isinstance(iterable, gast.Call) and self.known(iterable.func) is builtins.range

    def loop(self, loop, rebound) -> list:
        """`for target in iterable: body` as statements that walk it by index (the loop
        over `range(...)` stays as it is). `rebound`: names the body binds; a sequence
        the body rebinds is read as it was when the loop began."""
        before = []
        walk = self.walk(loop.iter, rebound, before)
        index = self.namer.fresh("i")
        count = self.bound(walk.length, before, "n")
        head = [build.assign_to(_stored(loop.target), walk.item(build.load(index)), loop)]
        new = gast.For(target=build.store(index),
                       iter=gast.copy_location(build.call(build.load("range"), count), loop.iter),
                       body=head + list(loop.body), orelse=[], type_comment=None)
        return before + [gast.copy_location(new, loop)]

    def walk(self, iterable, rebound, before) -> Walk:
        kind = self.kind(iterable)
        args = iterable.args if kind else []
        if kind == "zip":
            walks = [self.walk(a, rebound, before) for a in args]
            lengths = [self.bound(w.length, before, "n") for w in walks]
            length = lengths[0] if len(lengths) == 1 else build.call(build.load("min"), *lengths)
            return Walk(length, lambda i: build.tuple_([w.item(i) for w in walks]))
        if kind == "enumerate":
            inner = self.walk(args[0], rebound, before)
            start = args[1] if len(args) > 1 else next(
                (k.value for k in iterable.keywords if k.arg == "start"), None)
            start = None if start is None else self.bound(start, before, "start")
            return Walk(inner.length, lambda i: build.tuple_([
                i if start is None else gast.BinOp(left=i, op=gast.Add(), right=start),
                inner.item(i)]))
        if kind == "reversed":
            inner = self.walk(args[0], rebound, before)
            length = self.bound(inner.length, before, "n")
            last = gast.BinOp(left=length, op=gast.Sub(), right=build.const(1))
            return Walk(length, lambda i: inner.item(gast.BinOp(left=last, op=gast.Sub(),
                                                                right=i)))
        if kind == "map":
            walks = [self.walk(a, rebound, before) for a in args[1:]]
            lengths = [self.bound(w.length, before, "n") for w in walks]
            length = lengths[0] if len(lengths) == 1 else build.call(build.load("min"), *lengths)
            return Walk(length, lambda i: gast.copy_location(build.call(
                build.clone(args[0]), *[w.item(i) for w in walks]), iterable))
        if kind in ("items", "values", "keys"):  # by key: each value is read as d[key]
            mapping = self.captured(iterable.func.value, rebound, before)
            keys = self.bound(build.call(build.load("list"), build.call(
                build.attr(build.clone(mapping), "keys"))), before, "keys")
            length = build.call(build.load("len"), build.clone(keys))

            def item(i):
                key = gast.Subscript(value=build.clone(keys), slice=i, ctx=gast.Load())
                value = gast.Subscript(value=build.clone(mapping), slice=build.clone(key),
                                       ctx=gast.Load())
                return {"items": build.tuple_([key, value]), "values": value, "keys": key}[kind]
            return Walk(length, item)
        sequence = self.in_order(self.listed(iterable, rebound, before), before)
        return Walk(build.call(build.load("len"), build.clone(sequence)),
                    lambda i: gast.Subscript(value=build.clone(sequence), slice=i,
                                             ctx=gast.Load()))

    def kind(self, iterable) -> str | None:
        if not isinstance(iterable, gast.Call):
            return None
        func = self.known(iterable.func)
        if func in ITERATING and ITERATING[func] != "filter" and not (
                ITERATING[func] == "reversed" and len(iterable.args) != 1):
            return ITERATING[func]
        if (isinstance(iterable.func, gast.Attribute) and not iterable.args
                and not iterable.keywords and iterable.func.attr in ("items", "values", "keys")
                and func is None):
            return iterable.func.attr
        return None

    def listed(self, iterable, rebound, before):
        """`iterable` as something that can be indexed: `filter(...)` and a generator
        expression become a list first."""
        if isinstance(iterable, gast.GeneratorExp):
            return iterable  # normalize lowers it to a list
        if isinstance(iterable, gast.Call) and self.known(iterable.func) is builtins.filter:
            return self.as_list(iterable)
        return iterable

    def in_order(self, iterable, before):
        """A name for what `iterable` walks, as something to index (a dict's keys:
        containers.in_order), bound before the loop, as it is when the loop begins."""
        if isinstance(iterable, gast.GeneratorExp) or (isinstance(iterable, gast.Call) and (
                self.known(iterable.func) is builtins.range)):
            return self.bound(iterable, before, "seq", force=True)
        call = build.call(build.load("in_order"), iterable)
        call._srcgrad_internal = "in_order"
        return self.bound(gast.copy_location(call, iterable), before, "seq")

    def captured(self, node, rebound, before):
        """A name for `node` as it is now (a copy if the loop rebinds it)."""
        if isinstance(node, gast.Name) and node.id not in rebound:
            return node
        return self.bound(node, before, "seq", force=True)

    def bound(self, node, before, base, force=False):
        """A name (or constant) for `node`, bound before the loop."""
        if build.is_atom(node) and not (force and isinstance(node, gast.Name)):
            return node
        name = self.namer.fresh(base)
        before.append(build.assign(name, node, node))
        return build.load(name)

    # -- comprehensions and the builtins that make lists --------------------------------------

    def as_list(self, node):
        """`map(...)`, `zip(...)`, `enumerate(...)`, `reversed(...)`, `filter(...)` used as
        a value: the list comprehension that makes its items."""
        func, args = self.known(node.func), node.args
        kind = ITERATING.get(func)
        item = build.store("item")
        if kind == "filter":
            test = (build.load("item") if _is_none(args[0])
                    else build.call(build.clone(args[0]), build.load("item")))
            return _list_comp(build.load("item"), item, args[1], [test], node)
        return _list_comp(build.load("item"), item, node, [], node)

    def comprehension(self, node):
        """(statements, name of the value) for a comprehension or generator expression:
        a loop (one per `for`, an `if` per filter) that appends to a new list or sets
        items of a new dict."""
        renamed = {}
        for generator in node.generators:
            for name in build.stored(generator.target):
                renamed.setdefault(name, self.namer.fresh(name))
        rename = functools.partial(_renamed, renamed)
        result = self.namer.fresh("items" if not isinstance(node, gast.DictComp) else "entries")
        if isinstance(node, gast.DictComp):
            start = gast.Dict(keys=[], values=[])
            innermost = [build.assign_to(gast.Subscript(
                value=build.load(result), slice=rename(node.key), ctx=gast.Store()),
                rename(node.value), node)]
        else:
            start = gast.List(elts=[], ctx=gast.Load())
            innermost = [gast.copy_location(gast.Expr(value=build.call(
                build.attr(build.load(result), "append"), rename(node.elt))), node)]
        body = innermost
        for position, generator in reversed(list(enumerate(node.generators))):
            if generator.is_async:
                raise ValueError("async comprehension")  # fence refuses it first
            for test in reversed(generator.ifs):
                body = [gast.copy_location(gast.If(test=rename(test), body=body, orelse=[]),
                                           test)]
            iterable = generator.iter if position == 0 else rename(generator.iter)
            body = [gast.copy_location(gast.For(
                target=rename(generator.target), iter=iterable, body=body, orelse=[],
                type_comment=None), node)]
        statements = [build.assign(result, start, node)] + body
        if isinstance(node, gast.SetComp):
            statements.append(build.assign(result, build.call(build.load("set"),
                                                              build.load(result)), node))
        return statements, result

    def reduction(self, node):
        """(statements, name of the value) for `functools.reduce(f, items[, start])`: a
        loop that folds the items from the left."""
        func, items = node.args[0], node.args[1]
        result = self.namer.fresh("acc")
        sequence = self.namer.fresh("seq")
        statements = [build.assign(sequence, items, node)]
        if len(node.args) > 2:
            statements.append(build.assign(result, node.args[2], node))
            rest = build.load(sequence)
        else:
            statements.append(build.assign(result, gast.Subscript(
                value=build.load(sequence), slice=build.const(0), ctx=gast.Load()), node))
            rest = gast.Subscript(value=build.load(sequence), slice=gast.Slice(
                lower=build.const(1), upper=None, step=None), ctx=gast.Load())
        item = self.namer.fresh("item")
        statements.append(gast.copy_location(gast.For(
            target=build.store(item), iter=rest, body=[build.assign(
                result, build.call(build.clone(func), build.load(result), build.load(item)),
                node)], orelse=[], type_comment=None), node))
        return statements, result


def _list_comp(elt, target, iterable, ifs, like):
    return gast.copy_location(gast.ListComp(elt=elt, generators=[gast.comprehension(
        target=target, iter=iterable, ifs=ifs, is_async=0)]), like)


def _renamed(mapping, node):
    node = build.clone(node)
    for name in build.names(node):
        name.id = mapping.get(name.id, name.id)
    return node


def _stored(target):
    """A loop target as an assignment target (contexts set to Store)."""
    target = build.clone(target)
    for node in gast.walk(target):
        if hasattr(node, "ctx") and isinstance(node, (gast.Name, gast.Tuple, gast.List)):
            node.ctx = gast.Store()
    return target


def _is_none(node) -> bool:
    return isinstance(node, gast.Constant) and node.value is None
