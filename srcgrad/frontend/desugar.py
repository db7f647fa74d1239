"""Statements written as the plain ones Python runs for them, before anything else reads
the body: a loop's `else:` and `try`.

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
"""

from __future__ import annotations

import gast

from ..ir import build
from ..ir.naming import Namer
from .refusals import refusal

_JUMPS = (gast.Return, gast.Break, gast.Continue)


def desugared(body: list, namer: Namer, src) -> list:
    """`body` (statements of the source) with loop `else:` clauses and `try` statements
    written as plain statements, at every depth (not inside nested functions: their own
    normalization does it)."""
    out = []
    for stmt in body:
        for field in ("body", "orelse", "finalbody"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, desugared(getattr(stmt, field), namer, src))
        if isinstance(stmt, (gast.For, gast.While)) and stmt.orelse:
            out.extend(_loop_else(stmt, namer))
        elif isinstance(stmt, gast.Try):
            out.extend(_try(stmt, src))
        else:
            out.append(stmt)
    return out


def _loop_else(loop, namer) -> list:
    flag = namer.fresh("broke")
    orelse, loop.orelse = loop.orelse, []
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
