"""`has_aux=True`: the function returns `(loss, aux)`; the loss is differentiated, the
aux value is computed and handed back as it is (JAX's convention).

On the normalized body, each binding of the result splits in two, so that the aux value
never becomes an operand of the loss (it gets no adjoint, and nothing the loss reads
keeps it alive)::

    result = (t3, t4)        ->      result = t3
                                     aux = t4

A result that is not a pair written out (`return out`, `out` a tuple from a helper)
is taken apart by index: `result = out[0]`, `aux = out[1]` (the loss's adjoint then
reaches `out` as a pair whose aux half is zero).
"""

from __future__ import annotations

import gast

from ..ir import build


def run(body, ctx):
    """The manifest's step: with has_aux, the result split into the loss (ctx.unit.result)
    and the aux value (ctx.unit.aux)."""
    unit = ctx.unit
    if not unit.has_aux:
        return body
    unit.aux = unit.namer.fresh("aux")
    return _split(body, unit.result, unit.aux, unit.src, unit.namer)


def _split(stmts, result, aux, src, namer) -> list:
    out = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _split(getattr(stmt, field), result, aux, src, namer))
        if not (isinstance(stmt, gast.Assign) and build.assigned_name(stmt) == result):
            out.append(stmt)
            continue
        value = stmt.value
        if isinstance(value, gast.Tuple):
            if len(value.elts) != 2:
                raise src.error(stmt, f"with has_aux=True, {src.name} must return a pair "
                                f"(loss, aux); this returns {len(value.elts)} values",
                                "Return `loss, aux` (put several aux values in a tuple or "
                                "dict: `return loss, (a, b)`).")
            out += [build.assign(result, value.elts[0], stmt),
                    build.assign(aux, value.elts[1], stmt)]
        else:  # a name, a call of a helper returning a pair, ...
            pair = value.id if isinstance(value, gast.Name) else namer.fresh("pair")
            if not isinstance(value, gast.Name):
                out.append(build.assign(pair, value, stmt))
            out += [build.assign(result, _item(pair, 0), stmt),
                    build.assign(aux, _item(pair, 1), stmt)]
    return out


def _item(name, index):
    return gast.Subscript(value=build.load(name), slice=build.const(index), ctx=gast.Load())
