"""Statements written as the plain ones Python runs for them, before anything else reads
the body: a loop's `else:`, `try`, and `*t` spread where the length of `t` is known.

    for x in xs:                    broke = False
        if bad(x):                  for x in xs:
            break           ->          if bad(x):
    else:                                   broke = True
        fallback()                          break
                                    if not broke:
                                        fallback()

`try: B except E: H else: L finally: F` runs `B; L; F`: the handlers are left out. Where
the body raises what a handler would catch, the generated code raises it (at the line of
the body that raised) instead of handling it; it never computes a gradient of a path that
did not run. A `return`, `break` or `continue` inside a `try` that has a `finally` is
refused (the `finally` would have to run on the way out).

`f(*t)` and `(*t, n)` become `f(t[0], t[1])` and `(t[0], t[1], n)` where `t` is a display
(`f(*(a, b))`), a name bound once to one (`t = (a, b)`), or a parameter the code is made
for a call of (its length in the call's description); otherwise it is refused.
"""

from __future__ import annotations

import collections

import gast

from ..ir import build
from ..ir.naming import Namer
from .refusals import refusal

_JUMPS = (gast.Return, gast.Break, gast.Continue)


def desugared(body: list, namer: Namer, src, lengths=None) -> list:
    """`body` (statements of the source) with loop `else:` clauses and `try` statements
    written as plain statements, at every depth (not inside nested functions: their own
    normalization does it), and `*t` spread (`lengths`: {parameter: length} of the call
    the code is made for)."""
    body = _spread(body, src, lengths or {})
    return _plain(body, namer, src)


def _plain(body: list, namer: Namer, src) -> list:
    out = []
    for stmt in body:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _plain(getattr(stmt, field), namer, src))
        if isinstance(stmt, (gast.For, gast.While)) and stmt.orelse:
            out.extend(_loop_else(stmt, namer))
        elif isinstance(stmt, gast.Try):
            out.extend(_try(stmt, src))
        else:
            out.append(stmt)
    return out


def _loop_else(loop, namer) -> list:
    orelse, loop.orelse = loop.orelse, []
    if not any(isinstance(n, gast.Break) for s in loop.body for n in _own_nodes(s)):
        return [loop] + orelse  # no break of its own: the else always runs
    flag = namer.fresh("broke")
    loop.body = _flagged_breaks(loop.body, flag)
    test = gast.UnaryOp(op=gast.Not(), operand=build.load(flag))
    return [build.assign_to(build.store(flag), build.const(False), loop), loop,
            gast.copy_location(gast.If(test=gast.copy_location(test, loop), body=orelse,
                                       orelse=[]), loop)]


def _flagged_breaks(body, flag) -> list:
    """The loop's own `break`s (not an inner loop's) set `flag` first."""
    out = []
    for stmt in body:
        if isinstance(stmt, gast.Break):
            out += [build.assign_to(build.store(flag), build.const(True), stmt), stmt]
            continue
        if isinstance(stmt, gast.If):
            stmt.body = _flagged_breaks(stmt.body, flag)
            stmt.orelse = _flagged_breaks(stmt.orelse, flag)
        out.append(stmt)
    return out


def _try(stmt, src) -> list:
    if stmt.finalbody:
        for part in (stmt.body, stmt.orelse, *(h.body for h in stmt.handlers)):
            jump = next((n for s in part for n in _own_nodes(s) if isinstance(n, _JUMPS)),
                        None)
            if jump is not None:
                raise refusal("try_jump").error(src, jump)
    return stmt.body + stmt.orelse + stmt.finalbody


def _own_nodes(stmt):
    """The nodes of `stmt` outside nested functions; a loop's `break`/`continue` belong to
    it (only its `return`s leave the `try`)."""
    if isinstance(stmt, (gast.FunctionDef, gast.Lambda)):
        return
    yield stmt
    if isinstance(stmt, (gast.For, gast.While)):
        for inner in stmt.body + stmt.orelse:
            yield from (n for n in _own_nodes(inner) if isinstance(n, gast.Return))
        return
    for child in gast.iter_child_nodes(stmt):
        if isinstance(child, gast.stmt):
            yield from _own_nodes(child)


def _spread(body, src, lengths) -> list:
    """`*t` in calls and displays replaced by `t[0], t[1], ...` where the length is known."""
    bound = collections.Counter(n.id for s in body for n in build.names(s)
                                if type(n.ctx) is gast.Store)
    displays = {}
    for stmt in body:
        for node in build.nodes(stmt):
            if (isinstance(node, gast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], gast.Name)
                    and isinstance(node.value, (gast.Tuple, gast.List))
                    and not any(isinstance(e, gast.Starred) for e in node.value.elts)
                    and bound[node.targets[0].id] == 1):
                displays[node.targets[0].id] = len(node.value.elts)
    known = {**{k: n for k, n in lengths.items() if not bound[k]}, **displays}
    for stmt in body:
        for node in build.nodes(stmt):
            if isinstance(node, gast.Call):
                node.args = _spread_items(node.args, known, src)
            elif isinstance(node, (gast.Tuple, gast.List)) and type(node.ctx) is gast.Load:
                node.elts = _spread_items(node.elts, known, src)
    return body


def _spread_items(items, known, src) -> list:
    if not any(isinstance(item, gast.Starred) for item in items):
        return items
    out = []
    for item in items:
        if not isinstance(item, gast.Starred):
            out.append(item)
            continue
        value = item.value
        if isinstance(value, (gast.Tuple, gast.List)):
            out.extend(_spread_items(value.elts, known, src))
        elif isinstance(value, gast.Name) and value.id in known:
            out.extend(gast.copy_location(gast.Subscript(
                value=build.load(value.id), slice=build.const(i), ctx=gast.Load()), item)
                for i in range(known[value.id]))
        else:
            raise refusal("spread").error(src, item)
    return out
