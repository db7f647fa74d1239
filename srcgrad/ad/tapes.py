"""The tapes of loops: what the forward sweep saves for the backward sweep's replay.

The backward sweep replays a loop's iterations in reverse over its tape (ad/reverse.py);
the forward sweep fills it. With `h_2` read by the replay::

    for t in range(n):                      tape = []
        h_2 = np.tanh(h_1)          ->      for t in range(n):
        h_1 = h_2                               h_2 = np.tanh(h_1)
                                                tape.append((h_2,))
                                                h_1 = h_2

`saved_values` says which forward values the backward sweep reads (the tapes among
them), `prune_tapes` keeps on a tape only what the final replay reads, and
`bind_on_every_path` binds a saved name on every path of an `if`.
"""

from __future__ import annotations

import gast

from ..ir import build


def prune_tapes(body, ctx):
    """Step: each loop's tape keeps only what its replay in `body` (the backward sweep,
    simplified) still reads."""
    _prune(body, ctx.unit)
    return body


def saved_values(body, ctx):
    """Step: the forward values `body` (the final backward sweep) reads (ctx.saved)."""
    ctx.saved = tuple(_saved(ctx.unit, body, ctx.seed))
    return body


def insert_tapes(body, ctx):
    """Step: the forward sweep `body` fills the tapes its loops' replays read."""
    return _inserted(body, ctx.unit)


def bind_on_every_path(body, ctx):
    """Step: each saved value is bound on every path of the forward sweep `body`."""
    _bound_on_every_path(body, set(ctx.saved))
    return body


def _prune(adjoint_body: list, unit) -> None:
    """Keep on each loop's tape only what its replay still reads once the backward sweep
    is simplified (a value read only for a shape check that went away is not saved)."""
    by_tape = {info.tape: info for info in unit.loops.values() if info.tape}
    for stmt in adjoint_body:
        if isinstance(stmt, gast.If):
            _prune(stmt.body, unit)
            _prune(stmt.orelse, unit)
        elif isinstance(stmt, (gast.For, gast.While)):
            _prune(stmt.body, unit)
            replay = stmt.iter if isinstance(stmt, gast.For) else None
            if not (isinstance(replay, gast.Call) and replay.args
                    and isinstance(replay.args[0], gast.Name) and replay.args[0].id in by_tape):
                continue
            info = by_tape[replay.args[0].id]
            needed = build.exposed_reads(stmt.body)
            kept = [n for n in info.tape_names if n in needed]
            if kept != info.tape_names:
                info.tape_names = kept
                stmt.target = (gast.Tuple(elts=[build.store(n) for n in kept], ctx=gast.Store())
                               if kept else build.store(unit.namer.fresh("_")))




def _inserted(body: list, unit) -> list:
    """Make the forward sweep save each loop iteration's values on the loop's tape
    (`tape = []` before the loop, `tape.append((...))` at the end of every iteration),
    and check the `break` flag after the back edge."""
    out = []
    for stmt in body:
        if isinstance(stmt, gast.If):
            stmt.body = _inserted(stmt.body, unit)
            stmt.orelse = _inserted(stmt.orelse, unit)
        elif isinstance(stmt, (gast.For, gast.While)):
            info = unit.loops[stmt]
            stmt.body = _inserted(stmt.body, unit)
            if info.tape:
                names = getattr(info, "tape_names", [])
                _bound_on_every_path(stmt.body, set(names))
                record = (build.tuple_([build.load(n) for n in names]) if names
                          else build.const(None))
                append = gast.Expr(value=build.call(
                    build.attr(build.load(info.tape), "append"), record))
                at = min((stmt.body.index(e) for e in info.backedges if e in stmt.body),
                         default=len(stmt.body))
                stmt.body.insert(at, append)
                out.append(build.assign(info.tape, gast.List(elts=[], ctx=gast.Load())))
            flag = getattr(stmt, "_srcgrad_break", None)
            if flag:
                stmt.body.append(gast.If(test=build.load(flag), body=[gast.Break()], orelse=[]))
        out.append(stmt)
    return out

def _bound_on_every_path(body: list, saved: set) -> set:
    """Give saved names computed on one path of an `if` a `None` on the other paths.

    The forward sweep returns every saved value, so each must be bound whichever
    branch ran; the backward sweep only reads those of the branch taken.
    Returns the names `body` binds on every path.
    """
    bound = set()
    for stmt in body:
        if isinstance(stmt, gast.If):
            in_body = _bound_on_every_path(stmt.body, saved)
            in_else = _bound_on_every_path(stmt.orelse, saved)
            for names, branch in ((in_else - in_body, stmt.body), (in_body - in_else, stmt.orelse)):
                branch.extend(build.assign(n, build.const(None)) for n in sorted(names & saved))
            bound |= in_body | in_else
        elif isinstance(stmt, gast.Assign):
            bound |= build.stored([stmt])
    return bound


def _saved(unit, adjoint_body, seed) -> list:
    """Forward values the backward sweep reads, in the order the forward sweep makes them."""
    read = build.exposed_reads(adjoint_body)
    tapes = [info.tape for info in unit.loops.values() if info.tape]
    order = list(unit.params) + [n.id for s in build.statements(unit.body)
                                 if isinstance(s, gast.Assign)
                                 for n in build.names(s.targets[0])] + tapes
    return [n for n in dict.fromkeys(order) if n in read and n != seed]
