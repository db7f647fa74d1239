"""Loop exits as branches and flags: `continue`, `break` and `return` inside loops.

`continue` and `break` become branches (the statements after an `if` that exits go
into its other branch) plus a `stop` flag the loop checks at the end of each
iteration; `return v` inside a loop becomes `result = v; returned = True; break`.
Afterwards every path through a loop body reaches its end, which is what the SSA
pass and the tapes of the reverse pass rely on.
"""

from __future__ import annotations

import gast

from ..ir import build
from ..ir.naming import Namer


class LoopReturns:
    """`return v` inside a loop becomes `result = v; returned = True; break`; every
    enclosing loop then breaks too, and after the outermost loop `if returned: return
    result` leaves the function (the rest moves into the `else`, as for early returns)."""

    def __init__(self, namer: Namer):
        self.namer = namer
        self.result = self.flag = None

    def function(self, body) -> list:
        body = self.block(body, in_loop=False)
        if self.flag:
            body.insert(0, build.assign_to(build.store(self.flag), build.const(False), body[0]))
        return body

    def block(self, body, in_loop) -> list:
        out = []
        for stmt in body:
            if isinstance(stmt, gast.Return) and in_loop:
                self.flag = self.flag or self.namer.fresh("returned")
                self.result = self.result or self.namer.fresh("result")
                value = stmt.value if stmt.value is not None else build.const(None)
                out += [build.assign_to(build.store(self.result), value, stmt),
                        build.assign_to(build.store(self.flag), build.const(True), stmt),
                        gast.copy_location(gast.Break(), stmt)]
                continue
            if isinstance(stmt, gast.If):
                stmt.body = self.block(stmt.body, in_loop)
                stmt.orelse = self.block(stmt.orelse, in_loop)
            elif isinstance(stmt, (gast.For, gast.While)):
                returns = any(isinstance(n, gast.Return) for s in stmt.body for n in gast.walk(s))
                stmt.body = self.block(stmt.body, in_loop=True)
                out.append(stmt)
                if returns:
                    leave = gast.Break() if in_loop else gast.Return(value=build.load(self.result))
                    out.append(gast.copy_location(gast.If(
                        test=build.load(self.flag), body=[gast.copy_location(leave, stmt)],
                        orelse=[]), stmt))
                continue
            out.append(stmt)
        return out


def _exits(body) -> bool:
    """Does every path through `body` end in break/continue/raise?"""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, (gast.Break, gast.Continue, gast.Raise)):
        return True
    if isinstance(last, gast.If):
        return _exits(last.body) and _exits(last.orelse)
    return False


class LoopExits:
    """Turn `continue` and `break` into branches: the statements after an `if` that
    exits go into its other branch, `continue` disappears, `break` sets a flag the
    loop checks at the end of the iteration."""

    def __init__(self, src, namer):
        self.src, self.namer, self.flag = src, namer, None

    def block(self, body, tail) -> list:
        out = []
        for i, stmt in enumerate(body):
            rest = body[i + 1:]
            if isinstance(stmt, (gast.Break, gast.Continue)):
                if not tail:
                    kind = type(stmt).__name__.lower()
                    raise self.src.error(stmt, f"srcgrad cannot place this `{kind}`",
                                         "Put it in an `if` at the top level of the loop body.")
                if isinstance(stmt, gast.Break):
                    self.flag = self.flag or self.namer.fresh("stop")
                    out.append(build.assign(self.flag, build.const(True), stmt))
                return out
            if isinstance(stmt, gast.If):
                body_exits, else_exits = _exits(stmt.body), _exits(stmt.orelse)
                if rest and (body_exits or else_exits):
                    if body_exits and else_exits:
                        raise self.src.error(rest[0], "unreachable code in the loop", "Delete it.")
                    if body_exits:
                        stmt.orelse = stmt.orelse + rest
                    else:
                        stmt.body = stmt.body + rest
                    rest = []
                is_last = not rest
                stmt.body = self.block(stmt.body, tail and is_last)
                stmt.orelse = self.block(stmt.orelse, tail and is_last)
                out.append(stmt)
                if is_last:
                    return out
                continue
            out.append(stmt)
        return out
