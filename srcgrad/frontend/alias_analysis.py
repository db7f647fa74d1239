"""The may-alias analysis aliasing.py follows updates with: which objects each name may
refer to before each update in place, and what each object may hold or share memory with.

Abstract objects: the caller's arguments (`arg x`), anything inside or viewing them
(`in x`), module-level values (`global g`), and one object per expression that makes a
value (`site k`: every value that expression makes). Names are followed flow-sensitively
over the normalized statements (an `if` joins its branches, a loop iterates to a fixed
point); what objects hold (items of lists, tuples, dicts, records) and share (views) is
one table for the whole function (flow-insensitive), grown until nothing more is learnt.
Objects that may be containers are told apart from arrays and numbers, so `x * 0.5` holds
nothing, while `a + b` of two lists holds their items.
"""

from __future__ import annotations

import numbers
import types
import weakref
from dataclasses import dataclass, field

import gast
import numpy as np

from ..errors import SrcGradError
from ..ir import build
from ..ir.naming import Namer, names_in
from ..rules.facts import facts_of, named
from .normalize import APPENDED, AUGMENTED, SET_AT, in_place, normalize
from .resolve import Resolver, is_helper
from .source import load

_INTERNAL_WRITES = {"set_at": SET_AT, "appended": APPENDED}
CALLERS = ("arg", "in", "global")  # objects that are the caller's data


@dataclass
class State:
    """What each name may refer to, and which names are certainly bound, at a point."""

    env: dict = field(default_factory=dict)  # name -> frozenset of objects
    bound: frozenset = frozenset()

    def joined(self, other: "State") -> "State":
        env = dict(self.env)
        for name, objects in other.env.items():
            env[name] = env.get(name, frozenset()) | objects
        return State(env, self.bound & other.bound)

    def bind(self, name, objects):
        self.env = {**self.env, name: frozenset(objects)}
        self.bound = self.bound | {name}


class Analysis:
    """Run over a normalized body: `before[id(update)]` is the State before each update
    in place; `holds`, `shares` and `containers` describe the objects."""

    def __init__(self, params, resolver):
        self.params, self.resolver = params, resolver
        self.holds: dict = {}  # object -> objects it may hold as items
        self.shares: dict = {}  # object -> objects it may share memory with (views)
        self.containers: set = set()  # objects that may be lists, tuples, dicts, records
        self.arrays: set = set()  # objects that are certainly arrays (or NumPy numbers)
        self.before: dict = {}  # id(update statement) -> State before it
        self.sites: dict = {}  # id(node) -> its object
        self.result = frozenset()  # what the function's value may be
        self.changed = False

    def run(self, body, result=None):
        start = State()
        for name in self.params:
            start.bind(name, {("arg", name)})
            self.add(self.holds, ("arg", name), {("in", name)})
            self.add(self.holds, ("in", name), {("in", name)})
            self.add(self.shares, ("in", name), {("arg", name)})
        while True:  # the heap only grows: repeat until nothing more is learnt
            self.changed = False
            end = self.block(body, start)
            if not self.changed:
                self.result = end.env.get(result, frozenset())
                return

    # -- the heap ---------------------------------------------------------------------

    def add(self, table, obj, objects):
        known = table.setdefault(obj, set())
        if not objects <= known:
            known |= objects
            self.changed = True

    def container(self, obj):
        if obj not in self.containers:
            self.containers.add(obj)
            self.changed = True

    def may_hold(self, objects) -> bool:
        """May one of `objects` be a container (and so hold items)?"""
        return any(obj in self.containers or obj[0] in CALLERS for obj in objects)

    def site(self, node):
        return self.sites.setdefault(id(node), ("site", len(self.sites), node))

    def reach(self, objects) -> set:
        """`objects` and every object they may hold, at any depth."""
        found, todo = set(objects), list(objects)
        while todo:
            for item in self.holds.get(todo.pop(), ()):
                if item not in found:
                    found.add(item)
                    todo.append(item)
        return found

    def bases(self, obj) -> set:
        """`obj` and every object whose memory it may share, through views of views."""
        found, todo = {obj}, [obj]
        while todo:
            for other in self.shares.get(todo.pop(), ()):
                if other not in found:
                    found.add(other)
                    todo.append(other)
        return found

    def overlap(self, a, b) -> bool:
        return a == b or bool(self.bases(a) & self.bases(b))

    def held(self, objects) -> set:
        found = set()
        for obj in objects:
            found |= self.holds.get(obj, set())
        return found

    # -- statements -------------------------------------------------------------------

    def block(self, stmts, state) -> State:
        for stmt in stmts:
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt, state) -> State:
        if in_place(stmt):
            self.before[id(stmt)] = state
        if isinstance(stmt, gast.Assign):
            objects = self.value(stmt.value, stmt, state)
            state = State(state.env, state.bound)
            for target in stmt.targets:
                if isinstance(target, gast.Name):
                    state.bind(target.id, objects)
                else:  # unpacking: each name may be any item
                    items = self.reach(objects)
                    for name in build.stored(target):
                        state.bind(name, items)
            return state
        if isinstance(stmt, gast.Expr):
            self.value(stmt.value, stmt, state)
            return state
        if isinstance(stmt, gast.If):
            return self.block(stmt.body, state).joined(self.block(stmt.orelse, state))
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, state)
        return state

    def loop(self, loop, state) -> State:
        entry = state
        while True:
            inner = State(entry.env, entry.bound)
            if isinstance(loop, gast.For):
                iterated = self.value(loop.iter, loop, entry)
                row = self.site(loop.target)  # an item, or (of an array) a view of a row
                self.add(self.shares, row, iterated)
                items = self.reach(iterated) | {row}
                for name in build.stored(loop.target):
                    inner.bind(name, items)
            end = self.block(loop.body, inner)
            joined = state.joined(end)
            joined = State(joined.env, state.bound)  # the loop may run no iteration
            if joined.env == entry.env:
                return joined
            entry = joined

    # -- values -----------------------------------------------------------------------

    def value(self, node, stmt, state) -> set:
        """The objects the expression `node` (of the statement `stmt`) may evaluate to."""
        site = self.site(node)
        if isinstance(node, gast.Name):
            if node.id in state.env:
                return set(state.env[node.id])
            if node.id in self.resolver.locals or not self.data(node):
                return set()
            return {("global", node.id)}
        if isinstance(node, gast.Constant):
            return set()
        if isinstance(node, (gast.Tuple, gast.List)):
            self.container(site)
            self.add(self.holds, site, self.items(node.elts, stmt, state))
            return {site}
        if isinstance(node, gast.BinOp):
            return self.binary(node, site, stmt, state)
        if isinstance(node, (gast.UnaryOp, gast.Compare, gast.JoinedStr)):
            return {site}
        if isinstance(node, gast.Subscript):
            return self.part_of(site, self.value(node.value, stmt, state))
        if isinstance(node, gast.Attribute):
            base = _base(node)
            if not (isinstance(base, gast.Name) and base.id in state.env):
                return {("global", _dotted(node))} if self.data(node) else set()
            if node.attr in named("metadata", "attribute"):
                return {site}
            return self.part_of(site, self.value(node.value, stmt, state))
        if isinstance(node, gast.Call):
            return self.call(node, site, stmt, state)
        inside = self.items(build.names(node), stmt, state)  # `a or b`, a set literal
        return {site} | (inside if isinstance(node, gast.BoolOp) else set())

    def data(self, node) -> bool:
        """May the module's value `node` (a name or a dotted path) be data an update can
        change? Not a module, a class, a function, a number or np.r_ (`a.astype(np.float64)`
        is no view of np.float64); unknown: yes."""
        path = []
        while isinstance(node, gast.Attribute):
            path.append(node.attr)
            node = node.value
        missing = object()
        obj = self.resolver.lookup(node.id) if isinstance(node, gast.Name) else missing
        for attr in reversed(path):
            obj = getattr(obj, attr, missing)
        if type(obj) is object:  # not found (the resolver's marker, or ours)
            return True
        return not (isinstance(obj, (types.ModuleType, type, numbers.Number, str, bytes))
                    or callable(obj) or facts_of(obj).subscripted)

    def binary(self, node, site, stmt, state) -> set:
        left = self.value(node.left, stmt, state)
        right = self.value(node.right, stmt, state)
        # `a + b` of two lists or tuples, `items * 3`: a new container of their items
        joins = (isinstance(node.op, gast.Add) and self.may_hold(left) and self.may_hold(right)
                 or isinstance(node.op, gast.Mult) and self.may_hold(left | right)
                 and not any(_is_float(side) for side in (node.left, node.right))
                 and not any(side and self.arrays >= side for side in (left, right)))
        # (`[h] * 2` repeats by an int: a constant is no object, and no array either)
        if not joins and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div)) and (
                self.arrays >= left and left or self.arrays >= right and right):
            self.arrays.add(site)  # arithmetic with an array is an array
        if joins:  # `a + b` of lists or tuples holds their items
            self.container(site)
            self.add(self.holds, site, self.held(left | right))
        if in_place(stmt) == AUGMENTED and isinstance(node.left, gast.Name):
            if joins:  # `items += more`: a list takes the items in place
                for obj in left:
                    self.add(self.holds, obj, self.held(right))
            return left | {site}  # the same object, if it is mutable
        return {site}

    def items(self, nodes, stmt, state) -> set:
        found = set()
        for node in nodes:
            found |= self.value(node, stmt, state)
        return found

    def part_of(self, site, objects) -> set:
        """An item of `objects` (of a container) or a view of them (of an array)."""
        self.add(self.shares, site, set(objects))
        if self.may_hold(objects):  # a slice of a list is a list of its items
            self.container(site)
            self.add(self.holds, site, self.held(objects))
        return {site} | self.held(objects)

    def call(self, node, site, stmt, state) -> set:
        args = self.items(node.args, stmt, state) | self.items(
            [k.value for k in node.keywords], stmt, state)
        internal = getattr(node, "_srcgrad_internal", None)
        if internal in _INTERNAL_WRITES:  # set_at(h, i, v), appended(hs, v): h, now holding v
            target = self.value(node.args[0], stmt, state)
            if self.may_hold(target):
                stored = self.value(node.args[-1], stmt, state)
                for obj in target:
                    self.add(self.holds, obj, stored)
            return target
        if internal in ("dict_of", "merged", "concatenated"):  # a new container
            self.container(site)
            self.add(self.holds, site, self.held(args))
            if internal == "concatenated" and in_place(stmt) == AUGMENTED:
                target = self.value(node.args[0], stmt, state)  # `items += more`: extended
                for obj in target:
                    self.add(self.holds, obj, self.held(args))
                return target | {site}
            return {site}
        if internal in ("largest", "smallest"):  # one of the items
            return self.held(args)
        if internal == "kept_as":  # the new value, or a new array like the old one
            return self.value(node.args[0], stmt, state) | {site}
        if internal == "in_order":  # the items themselves, or a list of their items
            self.container(site)
            self.add(self.holds, site, self.held(args))
            return {site} | args
        if internal in ("sort_order", "caller_unchanged", "piecewise_start"):
            return {site}
        receiver = None
        func = node.func
        if isinstance(func, gast.Attribute) and isinstance(_base(func), gast.Name) and (
                _base(func).id in state.env):  # a method of a local value
            receiver = self.value(func.value, stmt, state)
        kind = self.kind(node, receiver)
        if kind == "new":
            if receiver is None and _numpy_made(self.resolver.dotted(node.func)):
                self.arrays.add(site)
            return {site}
        if kind == "copy":  # list.copy(), dict.copy(): a new container of the same items
            if self.may_hold(receiver):
                self.container(site)
                self.add(self.holds, site, self.held(receiver))
            return {site}
        given = args | (receiver or set())
        everything = self.reach(given)
        self.add(self.shares, site, everything)
        if self.may_hold(everything) or kind == "unknown":
            self.container(site)
            self.add(self.holds, site, everything)
        if kind == "view" and receiver is None and facts_of(
                self.resolver.dotted(node.func)).views_listed:
            part = self.sites.setdefault(("part", id(node)), ("site", len(self.sites), node))
            self.add(self.shares, part, everything)  # np.split(h, 2): a list of views of h
            self.container(site)
            self.add(self.holds, site, {part})
            return {site} | given
        if kind == "view":  # it, a view of it, or (of a container) an item
            return {site} | given | self.held(receiver or set())
        return {site} | everything  # it may return an argument, or an item of one

    def kind(self, call, receiver) -> str:
        """"new" (a value that holds and views nothing it was given), "copy" (a shallow
        copy of the receiver), "view" (its argument or receiver, a view of it or an item
        of it), or "unknown" (any of its arguments' values, or what they hold)."""
        func = call.func
        if receiver is not None:
            if func.attr == "copy":
                return "copy"
            return "new" if func.attr in named("makes_new", "method") else "view"
        obj = self.resolver.dotted(func)
        found = facts_of(obj)
        if obj is np.array and len(call.args) < 3 and all(
                k.arg != "copy" or (isinstance(k.value, gast.Constant) and k.value.value is True)
                for k in call.keywords):
            return "new"  # np.array(x) copies unless told not to (copy=False, or None)
        if found.view:
            return "view"
        if found.makes_new or isinstance(obj, np.ufunc):
            return "new"
        if (getattr(obj, "__module__", None) or "") == "math":
            return "new"  # numbers
        # a NumPy function no fact describes may return its argument or a view of it
        # (np.real_if_close, np.frombuffer): "unknown" follows an update through it
        if is_helper(obj) and returns_new(obj):
            return "new"
        return "unknown"


def _numpy_made(obj) -> bool:
    """A NumPy function (a ufunc too): what it makes is an array or a NumPy number."""
    return isinstance(obj, np.ufunc) or (getattr(obj, "__module__", None) or "").startswith(
        "numpy")


def _is_float(node) -> bool:
    return isinstance(node, gast.Constant) and isinstance(node.value, float)


def _base(node):
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node


def _dotted(node) -> str:
    if isinstance(node, gast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return getattr(node, "id", "?")


# -- liveness -------------------------------------------------------------------------------


def live_after_updates(stmts, live, record) -> set:
    """The names `stmts` may read before binding them, given `live` after them; records
    `record[id(update)]`: the names live after each update in place."""
    live = set(live)
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.If):
            live = (build.loaded(stmt.test) | live_after_updates(stmt.body, live, record)
                    | live_after_updates(stmt.orelse, live, record))
        elif isinstance(stmt, (gast.For, gast.While)):
            head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
            target = build.stored(stmt.target) if isinstance(stmt, gast.For) else set()
            at_head = live | build.loaded(head)
            while True:
                inside = live_after_updates(stmt.body, at_head, record) - target
                new = live | build.loaded(head) | inside
                if new == at_head:
                    break
                at_head = new
            live = at_head
        else:
            if in_place(stmt):
                record[id(stmt)] = set(live)
            live = (live - build.stored(stmt)) | build.loaded(stmt)
    return live


# -- what a helper of the user's does with its arguments ----------------------------------

_SUMMARIES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # func -> (code, summary)


@dataclass(frozen=True)
class Summary:
    writes: bool  # it may change an argument in place (or calls a helper that does)
    new: bool  # its value holds and views nothing of its arguments


_IN_PROGRESS: set = set()


def summary(func) -> Summary:
    """What `func`, a helper of the user's, may do with its arguments, by the same
    analysis (a helper that cannot be read or normalized: the worst)."""
    known = _SUMMARIES.get(func)
    if known is not None and known[0] is func.__code__:
        return known[1]
    if func in _IN_PROGRESS:  # recursion: assume the worst (refused later, by calls.py)
        return Summary(True, False)
    _IN_PROGRESS.add(func)
    try:
        found = _summarized(func)
    finally:
        _IN_PROGRESS.discard(func)
    _SUMMARIES[func] = (func.__code__, found)
    return found


def writes_arguments(func) -> bool:
    """May `func` change one of its arguments in place? Such a helper is written out in
    the caller (inline.py), where the update is followed like the caller's own."""
    return summary(func).writes


def returns_new(func) -> bool:
    """Does `func`'s value hold and view nothing of its arguments (a new value)?"""
    return summary(func).new


def _summarized(func) -> Summary:
    try:
        src = load(func)
        args = src.tree.args
        params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs
                  + ([args.vararg] if args.vararg else []) + ([args.kwarg] if args.kwarg else [])]
        body, result = normalize(src, Namer(names_in(src.tree) | set(params)),
                                 procedure=True)
    except SrcGradError:
        return Summary(False, False)  # transformed on its own, it is refused with the reason
    resolver = Resolver(func, set(params) | build.stored(body))
    analysis = Analysis(params, resolver)
    analysis.run(body, result)
    writes = False
    for stmt in build.statements(body):
        state = analysis.before.get(id(stmt))
        if state is not None and any(
                kind in ("arg", "in") for obj in state.env.get(stmt.targets[0].id, ())
                for kind, *_ in analysis.bases(obj)):
            writes = True
        call = getattr(stmt, "value", None)
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Name) and (
                call.func.id not in resolver.locals):
            callee = resolver.lookup(call.func.id)
            if is_helper(callee) and summary(callee).writes:
                writes = True
    reached = analysis.reach(analysis.result)
    new = not any(base[0] in CALLERS for obj in reached for base in analysis.bases(obj))
    return Summary(writes, new)
