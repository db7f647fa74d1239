"""The aliasing model: an update in place is followed through every other name that may
reach the value, or refused.

Python names are references. After `hs = [h]`, `a = h` or `v = h[1:]`, an update of `h`
in place (`h[i] = ...`, `h += ...`, `hs.append(...)`, `hs[0] += ...`, a helper that
writes its argument) is seen through `hs[0]`, `a` and `v` too. srcgrad computes every
value anew: `h[1] = y` is `h_1 = set_at(h, 1, y)`, a new array, so the other references
would still show the old one: a wrong value and a silently wrong gradient. This pass,
on the normalized function (before SSA), makes the translation exact or refuses:

- alias_analysis.py says, before each update, which objects each name may refer to, and
  what objects may hold (items at any depth) or share (memory, through views).
- Every other name read later (live) that may reach the updated value is given the new
  value right after the update::

      hs = [h]                      hs = [h]
      h[1] = y            ->        h_1 = set_at(h, 1, y)
      s = np.sum(hs[0])             hs_1 = refresh(hs, h, h_1)
                                    t1 = hs_1[0]

  `refresh` (runtime/containers.py) replaces, by identity at run time, each reference to the old
  value with the new one, so what the analysis cannot decide (may `a` be `h`? is `x` an
  array or a float, which `x += 1` rebinds?) is decided exactly when the code runs; it
  has an adjoint rule like any operation. `x += v` with other references keeps x's type,
  dtype and shape as an update in place would (`kept_as`).
- A view of the updated array (memory shared, not the same object), read later, stops
  the call with a SrcGradError at the user's line: srcgrad does not follow views.
- An update that certainly changes the caller's data (an argument, an item or view of
  one, a module's value) is refused at the user's line; `x += v` that would (an array
  argument) stops at run time instead, since a float argument is rebound, not changed.
  A helper that changes its argument is written out in place (inline.py), where the
  update is the caller's own.
"""

from __future__ import annotations

import gast

from ..ir import build
from .alias_analysis import CALLERS, Analysis, live_after_updates
from .normalize import APPENDED, AUGMENTED, in_place
from .ssa import original, previous


def run(body, ctx):
    """The manifest's step: updates in place followed through the names that may alias."""
    unit = ctx.unit
    return follow(body, unit.params, unit.result, unit.src, unit.resolver, unit.namer)


def follow(body, params, result, src, resolver, namer) -> list:
    """`body` (normalized, before SSA; `result` names its value) with every update in place
    followed through the other names that may reach the value (see the module docstring);
    raises SrcGradError where that cannot be done."""
    if not any(in_place(s) for s in build.statements(body)):
        return body
    analysis = Analysis(params, resolver)
    analysis.run(body)
    live = {}
    live_after_updates(body, {result}, live)
    return _Follower(analysis, live, src, namer).function(body)


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
        # `x = x + v` updates x; `t2 = t1 + v` of `hs[0] += v` updates the item t1
        old = _updated(stmt) if how == AUGMENTED else name
        state = self.analysis.before[id(stmt)]
        written = state.env.get(old, frozenset())
        callers = self.callers(written)
        before = []
        if callers and how != AUGMENTED:
            raise self.refusal(stmt, name, how, callers[0])
        if callers:  # `x += v`: a float is rebound, an array argument would change
            check = build.call(build.load("caller_unchanged"), build.load(old),
                               *[original(value) for _, value in callers])
            check._srcgrad_internal = "caller_unchanged"
            before.append(gast.copy_location(gast.Expr(value=check), stmt))
        # `hs[0] += e`: the item itself is changed (if mutable) for all who hold it, `hs`
        # too (`hs = [h, h]`); of an array `h`, views of it are left to the set_at that
        # puts it back; of a list, the item may be a view (`hs = list(h)`): swap_item
        # refuses it at run time
        item_of = getattr(stmt, "_srcgrad_item_of", None)
        reaches = self.reaches
        if item_of and not self.analysis.may_hold(state.env.get(item_of, frozenset())):
            reaches = self.holds_object
        refs = [m for m in sorted(self.live.get(id(stmt), ())) if m not in {name, old}
                and m in state.env and reaches(state.env[m], written)]
        if not refs:
            return before + [stmt]
        self.unbound |= {m for m in refs if m not in state.bound}
        updates = [stmt]
        if how == AUGMENTED:  # as in place: the old value's type, dtype and shape
            value = self.namer.temp()
            kept = build.call(build.load("kept_as"), build.load(value), build.load(old))
            kept._srcgrad_internal = "kept_as"
            updates = [build.assign(value, stmt.value, stmt),
                       build.assign(name, gast.copy_location(kept, stmt.value), stmt)]
        old_value = previous(name) if old == name else build.load(old)
        helper = "swap_item" if item_of else "refresh"
        within = [build.load(item_of)] if item_of else []
        return before + updates + self.refreshed(stmt, name, old_value, refs, helper, within)

    def callers(self, objects) -> list:
        """(kind, name) of the caller's values (arguments, module values) `objects` may be
        or be an item of, then those they may share memory with (a view)."""
        direct = {obj[:2] for obj in objects if obj[0] in CALLERS}
        viewed = {base[:2] for obj in objects for base in self.analysis.bases(obj)
                  if base[0] in CALLERS}
        return sorted(direct) + sorted(viewed - direct)

    def reaches(self, objects, written) -> bool:
        """May a name referring to `objects` see a change of `written`: one of them, an
        item of one at any depth, or sharing memory with one?"""
        return any(self.analysis.overlap(r, w)
                   for r in self.analysis.reach(objects) for w in written)

    def holds_object(self, objects, written) -> bool:
        """May a name referring to `objects` hold one of `written` itself (or in an item at
        any depth)? Views do not count."""
        return bool(self.analysis.reach(objects) & set(written))

    def refreshed(self, stmt, name, old_value, refs, helper, within) -> list:
        values = build.load(refs[0]) if len(refs) == 1 else build.tuple_(map(build.load, refs))
        call = build.call(build.load(helper), values, old_value, build.load(name), *within)
        call._srcgrad_internal = helper
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


def _updated(stmt) -> str:
    """The name an augmented assignment updates: `x` of `x = x + v` (or of `x =
    concatenated(x, [v])`), the item `t1` of `t2 = t1 + v` made from `h[i] += v`."""
    value = stmt.value
    return (value.left if isinstance(value, gast.BinOp) else value.args[0]).id
