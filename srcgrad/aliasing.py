"""The aliasing model: which names may reach the same value, and what an update in place
does to them.

Python names are references. After `hs = [h]`, `a = h` or `v = h[1:]`, an update of `h`
in place (`h[1] = ...`, `h += ...`, `h.append(...)`, a helper that writes its argument)
is seen through `hs[0]`, `a` and `v` too. srcgrad computes every value anew: `h[1] = y`
is `h_1 = set_at(h, 1, y)`, a new array, so the other references would still show the
old one: a wrong value and a silently wrong gradient. This pass makes the translation
exact, or refuses.

The model, on the normalized function (one operation per statement, before SSA):

- Abstract objects: the caller's arguments (`arg x`), anything inside or viewing them
  (`in x`), module-level values (`global g`), and one object per statement that makes a
  value (`site k`, standing for every value that statement makes).
- For each name at each statement, the objects it may refer to (flow-sensitive: `if`s
  join, loops iterate to a fixed point); for each object, the objects it may hold as
  items (lists, tuples, dicts, records) and those it may share memory with (views:
  `h[1:]`, `h.T`, `h.reshape(...)`, and calls that may return their argument).
- An update in place of `n` changes the objects `n` may refer to. Every other name read
  later (live) that may reach one of them, itself, as an item at any depth, or through
  shared memory, is given the new value right after the update::

      hs = [h]                      hs = [h]
      h[1] = y            ->        h_1 = set_at(h, 1, y)
      s = np.sum(hs[0])             hs_1 = refresh(hs, h, h_1)
                                    t1 = hs_1[0]

  `refresh` (containers.py) replaces, by identity at run time, each reference to the old
  value with the new one, so the choice the analysis cannot make (may `a` be `h`? is `x`
  an array or a float, which `x += 1` rebinds?) is made exactly when the code runs; it
  has an adjoint rule like any operation. A view it cannot follow (memory shared, not
  the same object) stops the call with a SrcGradError at the user's line.
- Refused at the user's line, naming the value: an update that certainly changes the
  caller's data (an argument, an item or view of one, a module's value); `x += v` that
  would (an argument that is an array) stops at run time instead, as a float argument
  is rebound, not changed. A helper that changes its argument is written out in place
  (inline.py), where the update is the caller's own; one that cannot be is refused.
"""

from __future__ import annotations

import builtins
import weakref
from dataclasses import dataclass, field

import gast
import numpy as np

from . import build
from .containers import zero_tangent, zeros_like
from .errors import SrcGradError
from .naming import Namer, names_in
from .normalize import APPENDED, AUGMENTED, SET_AT, in_place, normalize
from .resolve import Resolver, is_helper
from .source import load
from .ssa import original, previous

# NumPy functions and array methods whose result may be their argument itself or a view
# of it; other NumPy functions return a new array.
VIEWS = frozenset({
    "reshape", "ravel", "transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze",
    "expand_dims", "broadcast_to", "broadcast_arrays", "asarray", "asanyarray",
    "ascontiguousarray", "asfortranarray", "asarray_chkfinite", "require", "atleast_1d",
    "atleast_2d", "atleast_3d", "view", "diagonal", "diag", "flip", "fliplr", "flipud",
    "rot90", "real", "imag", "split", "array_split", "hsplit", "vsplit", "dsplit", "unstack",
    "matrix_transpose", "permute_dims", "trim_zeros", "as_strided", "sliding_window_view",
    "nan_to_num", "array", "meshgrid", "ix_", "iter", "next"})
_NEW_ATTRIBUTES = frozenset({"shape", "ndim", "size", "dtype", "itemsize", "nbytes",
                             "strides"})  # attributes that share nothing with their value
# Array, list and dict methods whose result holds nothing of their value (a new array,
# a number); other methods may return the value, an item or a view of it.
_NEW_METHODS = frozenset({
    "sum", "mean", "prod", "std", "var", "max", "min", "argmax", "argmin", "argsort",
    "cumsum", "cumprod", "dot", "astype", "clip", "round", "conj", "conjugate", "any", "all",
    "tolist", "item", "flatten", "nonzero", "ptp", "trace", "searchsorted", "count", "index",
    "repeat", "take", "compress", "choose", "__len__", "keys"})
_NEW_BUILTINS = frozenset({"len", "range", "float", "int", "bool", "str", "abs", "round",
                           "isinstance", "hasattr", "print", "repr", "format", "hash", "id",
                           "callable", "divmod", "pow", "sum", "any", "all", "type"})
_INTERNAL_WRITES = {"set_at": SET_AT, "appended": APPENDED}


def follow(body, params, result, src, resolver, namer) -> list:
    """`body` (normalized, before SSA; `result` names its value) with every update in place
    followed through the other names that may reach the value (see the module docstring);
    raises SrcGradError where that cannot be done."""
    if not any(in_place(s) for s in build.statements(body)):
        return body
    analysis = _Analysis(params, resolver)
    analysis.run(body)
    live = {}
    _live(body, {result}, live)
    return _Follower(analysis, live, src, namer).function(body)


@dataclass
class _State:
    """What each name may refer to, and which names are certainly bound, at a point."""

    env: dict = field(default_factory=dict)  # name -> frozenset of objects
    bound: frozenset = frozenset()

    def joined(self, other: "_State") -> "_State":
        env = dict(self.env)
        for name, objects in other.env.items():
            env[name] = env.get(name, frozenset()) | objects
        return _State(env, self.bound & other.bound)

    def bind(self, name, objects):
        self.env = {**self.env, name: frozenset(objects)}
        self.bound = self.bound | {name}


class _Analysis:
    """The objects each name may refer to before each update in place, and what objects
    hold and share (the heap, flow-insensitive)."""

    def __init__(self, params, resolver):
        self.params, self.resolver = params, resolver
        self.holds: dict = {}  # object -> objects it may hold as items
        self.shares: dict = {}  # object -> objects it may share memory with (views)
        self.before: dict = {}  # id(update statement) -> _State before it
        self.sites: dict = {}  # id(node) -> its object
        self.changed = False

    def run(self, body):
        start = _State()
        for name in self.params:
            start.bind(name, {("arg", name)})
            self.add(self.holds, ("arg", name), {("in", name)})
            self.add(self.holds, ("in", name), {("in", name)})
            self.add(self.shares, ("in", name), {("arg", name)})
        while True:  # the heap only grows: repeat until nothing more is learnt
            self.changed = False
            self.block(body, start)
            if not self.changed:
                return

    # -- the heap ---------------------------------------------------------------------

    def add(self, table, obj, objects):
        known = table.setdefault(obj, set())
        if not objects <= known:
            known |= objects
            self.changed = True

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

    # -- statements -------------------------------------------------------------------

    def block(self, stmts, state) -> _State:
        for stmt in stmts:
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt, state) -> _State:
        if in_place(stmt):
            self.before[id(stmt)] = state
        if isinstance(stmt, gast.Assign):
            objects = self.value(stmt.value, stmt, state)
            state = _State(state.env, state.bound)
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

    def loop(self, loop, state) -> _State:
        entry = state
        while True:
            inner = _State(entry.env, entry.bound)
            if isinstance(loop, gast.For):
                items = self.reach(self.value(loop.iter, loop, entry)) | {self.site(loop.target)}
                for name in build.stored(loop.target):
                    inner.bind(name, items)
            end = self.block(loop.body, inner)
            joined = state.joined(end)
            joined = _State(joined.env, state.bound)  # the loop may run no iteration
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
            return {("global", node.id)} if not self.resolver_local(node.id) else set()
        if isinstance(node, gast.Constant):
            return set()
        if isinstance(node, (gast.Tuple, gast.List)):
            self.add(self.holds, site, self.items(node.elts, stmt, state))
            return {site}
        if isinstance(node, gast.BinOp):
            operands = self.items([node.left, node.right], stmt, state)
            if in_place(stmt) == AUGMENTED and isinstance(node.left, gast.Name):
                # `x += v`: the same object if it is mutable (a list takes v's items)
                for obj in operands & set(state.env.get(node.left.id, ())):
                    self.add(self.holds, obj, self.held(self.items([node.right], stmt, state)))
                self.add(self.holds, site, self.held(operands))
                return set(state.env.get(node.left.id, ())) | {site}
            self.add(self.holds, site, self.held(operands))  # `a + b` of lists
            return {site}
        if isinstance(node, (gast.UnaryOp, gast.Compare, gast.JoinedStr)):
            return {site}
        if isinstance(node, gast.Subscript):
            return self.part_of(site, self.value(node.value, stmt, state))
        if isinstance(node, gast.Attribute):
            base = _base(node)
            if not (isinstance(base, gast.Name) and base.id in state.env):
                return {("global", _dotted(node))}
            if node.attr in _NEW_ATTRIBUTES:
                return {site}
            return self.part_of(site, self.value(node.value, stmt, state))
        if isinstance(node, gast.Call):
            return self.call(node, site, stmt, state)
        # a dict or set literal, `a or b`, ...: it may be or hold any value it names
        named = self.items(build.names(node), stmt, state)
        self.add(self.holds, site, named)
        return {site} | (named if isinstance(node, gast.BoolOp) else set())

    def resolver_local(self, name) -> bool:
        return name in self.resolver.locals

    def items(self, nodes, stmt, state) -> set:
        found = set()
        for node in nodes:
            found |= self.value(node, stmt, state)
        return found

    def held(self, objects) -> set:
        found = set()
        for obj in objects:
            found |= self.holds.get(obj, set())
        return found

    def part_of(self, site, objects) -> set:
        """An item of `objects` (of a container) or a view of them (of an array)."""
        self.add(self.shares, site, set(objects))
        self.add(self.holds, site, self.held(objects))
        return {site} | self.held(objects)

    def call(self, node, site, stmt, state) -> set:
        args = self.items(node.args, stmt, state) | self.items(
            [k.value for k in node.keywords], stmt, state)
        internal = getattr(node, "_srcgrad_internal", None)
        if internal in _INTERNAL_WRITES:  # set_at(h, i, v), appended(hs, v): h, now holding v
            target = self.value(node.args[0], stmt, state)
            stored = self.value(node.args[-1], stmt, state)
            for obj in target:
                self.add(self.holds, obj, stored)
            return target
        if internal in ("dict_of", "merged"):  # a new dict of the values (items) given
            given = self.value(node.args[-1], stmt, state) if internal == "dict_of" else args
            self.add(self.holds, site, self.held(given))
            return {site}
        if internal in ("largest", "smallest"):  # one of the items
            return self.held(args)
        if internal == "sort_order":
            return {site}
        kind = self.kind(node, state)
        if kind == "new":
            return {site}
        everything = self.reach(args)
        self.add(self.holds, site, everything)
        self.add(self.shares, site, everything)
        if kind == "view":
            return {site} | args
        return {site} | everything  # it may return an argument, or an item of one

    def kind(self, call, state) -> str:
        """"new" (a value that holds and views nothing it was given), "view" (it may be
        its argument or a view of it), or "unknown" (any of its arguments' values)."""
        func = call.func
        if isinstance(func, gast.Attribute) and isinstance(_base(func), gast.Name) and (
                _base(func).id in state.env):  # a method of a local value
            return "new" if func.attr in _NEW_METHODS else "view"
        obj = self.resolver.dotted(func)
        if isinstance(obj, np.ufunc):
            return "new"
        name = getattr(obj, "__name__", "")
        module = getattr(obj, "__module__", None) or ""
        if module.startswith("numpy") or module == "math":
            return "view" if name in VIEWS else "new"
        if obj is getattr(builtins, name, None) and name in _NEW_BUILTINS:
            return "new"
        if any(obj is fill for fill in (zeros_like, zero_tangent)):
            return "new"
        return "unknown"


def _base(node):
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node


def _dotted(node) -> str:
    if isinstance(node, gast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return getattr(node, "id", "?")


# -- liveness -------------------------------------------------------------------------------


def _live(stmts, live, record, extra=frozenset()) -> set:
    """The names `stmts` may read before binding them, given `live` after them; records
    `record[id(update)]`: the names live after each update in place."""
    live = set(live)
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.If):
            live = (build.loaded(stmt.test) | _live(stmt.body, live, record)
                    | _live(stmt.orelse, live, record))
        elif isinstance(stmt, (gast.For, gast.While)):
            head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
            target = build.stored(stmt.target) if isinstance(stmt, gast.For) else set()
            at_head = live | build.loaded(head)
            while True:
                inside = _live(stmt.body, at_head, record) - target
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


# -- following each update ------------------------------------------------------------------


_CALLERS = ("arg", "in", "global")  # objects that are the caller's data


class _Follower:
    """Inserts, after each update in place, the `refresh` of the other live names that
    may reach the value (and before an update that may change the caller's data, a check
    at run time); raises where the update certainly changes the caller's data."""

    def __init__(self, analysis, live, src, namer):
        self.analysis, self.live, self.src, self.namer = analysis, live, src, namer
        self.unbound = set()  # names read through a loop's back edge: None until bound

    def function(self, body) -> list:
        body = self.block(body)
        return [build.assign(name, build.const(None)) for name in sorted(self.unbound)] + body

    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            for name in ("body", "orelse"):
                if isinstance(getattr(stmt, name, None), list):
                    setattr(stmt, name, self.block(getattr(stmt, name)))
            how = in_place(stmt)
            out.extend(self.followed(stmt, how) if how else [stmt])
        return out

    def followed(self, stmt, how) -> list:
        name = stmt.targets[0].id
        state = self.analysis.before[id(stmt)]
        written = state.env.get(name, frozenset())
        callers = self.callers(written)
        before = []
        if callers and how != AUGMENTED:
            raise self.refusal(stmt, name, how, callers[0])
        if callers:  # `x += v`: a float is rebound, an array argument would change
            check = build.call(build.load("caller_unchanged"), build.load(name),
                               *[original(value) for _, value in callers])
            check._srcgrad_internal = "caller_unchanged"
            before.append(gast.copy_location(gast.Expr(value=check), stmt))
        refs = [m for m in sorted(self.live.get(id(stmt), ())) if m != name
                and m in state.env and self.reaches(state.env[m], written)]
        self.unbound |= {m for m in refs if m not in state.bound}
        return before + [stmt] + self.refreshed(stmt, name, refs)

    def callers(self, objects) -> list:
        """(kind, name) of the caller's values (arguments, module values) `objects` may be
        or be an item of, then those they may share memory with (a view)."""
        direct = {obj[:2] for obj in objects if obj[0] in _CALLERS}
        viewed = {base[:2] for obj in objects for base in self.analysis.bases(obj)
                  if base[0] in _CALLERS}
        return sorted(direct) + sorted(viewed - direct)

    def reaches(self, objects, written) -> bool:
        """May a name referring to `objects` see a change of `written`: one of them, an
        item of one at any depth, or sharing memory with one?"""
        return any(self.analysis.overlap(r, w)
                   for r in self.analysis.reach(objects) for w in written)

    def refreshed(self, stmt, name, refs) -> list:
        if not refs:
            return []
        values = build.load(refs[0]) if len(refs) == 1 else build.tuple_(map(build.load, refs))
        region = [build.clone(stmt.value.args[1])] if in_place(stmt) == SET_AT else []
        call = build.call(build.load("refresh"), values, previous(name), build.load(name),
                          *region)
        call._srcgrad_internal = "refresh"
        gast.copy_location(call, stmt.value)
        if len(refs) == 1:
            return [build.assign(refs[0], call, stmt)]
        pack = self.namer.temp()
        return [build.assign(pack, call, stmt)] + [
            build.assign(m, gast.Subscript(value=build.load(pack), slice=build.const(i),
                                           ctx=gast.Load()), stmt)
            for i, m in enumerate(refs)]

    def refusal(self, stmt, name, how, caller):
        kind, value = caller
        what = {"arg": f"the argument `{value}`", "in": f"part of the argument `{value}`",
                "global": f"the module's value `{value}`"}[kind]
        if caller not in {obj[:2] for obj in self.analysis.before[id(stmt)].env[name]}:
            what = f"a view of {what}"
        verb = "appending to" if how == APPENDED else "assigning into"
        is_it = "is" if (kind, value) == ("arg", name) else "may be"
        return self.src.error(
            stmt.value,
            f"{verb} `{name}` would change the caller's data: `{name}` {is_it} {what}, "
            "and srcgrad does not change its inputs",
            f"Work on a copy: `{name} = {name}.copy()` first (`list({name})` for a list), "
            "or build a new value.")


# -- helpers that change their arguments ----------------------------------------------------

_WRITERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # func -> (code, bool)


def writes_arguments(func, _within=()) -> bool:
    """May `func`, a helper of the user's, change one of its arguments in place (by an
    update of its own, or by calling a helper that does)? Such a helper is written out in
    the caller (inline.py), where the update is followed like the caller's own."""
    known = _WRITERS.get(func)
    if known is not None and known[0] is func.__code__:
        return known[1]
    found = func not in _within and _writes(func, _within + (func,))
    _WRITERS[func] = (func.__code__, found)
    return found


def _writes(func, within) -> bool:
    try:
        src = load(func)
        args = src.tree.args
        params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs
                  + ([args.vararg] if args.vararg else [])]
        body, _ = normalize(src, Namer(names_in(src.tree) | set(params)), procedure=True)
    except SrcGradError:
        return False  # transformed on its own, it is refused with the reason
    resolver = Resolver(func, set(params) | build.stored(body))
    analysis = _Analysis(params, resolver)
    analysis.run(body)
    for stmt in build.statements(body):
        state = analysis.before.get(id(stmt))
        if state is not None and any(
                kind in ("arg", "in") for obj in state.env.get(stmt.targets[0].id, ())
                for kind, *_ in analysis.bases(obj)):
            return True
        call = getattr(stmt, "value", None)
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Name):
            callee = resolver.lookup(call.func.id) if call.func.id not in resolver.locals else None
            if is_helper(callee) and writes_arguments(callee, within):
                return True
    return False
