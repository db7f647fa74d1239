"""Which adjoints of the fused gradient certainly have their value's shape.

An adjoint's shape in the generated code is nominally its value's, but small_adjoints
may have kept one smaller (`d_t9 = d_s / 100` for an array `t9`, broadcast where it is
used), so a pass that writes into an adjoint asks at run time (runtime.spare). An
adjoint bound only at the top level, each time by an expression whose shape follows from
forward values and adjoints known exact (`d_h = d_y @ W.T`, `d_t = d_h * (1 - h * h)`),
has its nominal shape for certain, and needs no such check::

    d_t9 = -0.01 / t9           exact: t9's shape
    d_t8 = d_t9 * t4            exact, from d_t9
    d_s = -0.01                 a number: exact if its value is one too
    d_u = d_r[:, None]          kept small: not exact, nor what is computed from it
"""

from __future__ import annotations

import gast

from ..ir import build
from .adjoint_shapes import AdjointShapes


def exact(body: list, ctx) -> frozenset:
    """The adjoints (names of ctx.primal) of `body` whose every binding certainly gives
    their nominal shape (ctx.code_shapes)."""
    shapes = ctx.code_shapes
    if shapes is None:
        return frozenset()
    primal, bindings, bad = ctx.primal, {}, set()
    for stmt in body:
        binding = build.name_binding(stmt)
        if binding is not None:
            bindings.setdefault(binding[0], []).append(binding[1])
        elif not isinstance(stmt, (gast.Expr, gast.Delete, gast.Return)):
            bad |= {n.id for n in build.names(stmt) if isinstance(n.ctx, gast.Store)}
        else:
            continue
        if isinstance(stmt, gast.Assign):  # a tuple target, a subscript: its names
            bad |= {n.id for t in stmt.targets if not isinstance(t, gast.Name)
                    for n in build.names(t) if isinstance(n.ctx, gast.Store)}
    candidates = {name for name in bindings if name in primal and name not in bad
                  and shapes.env.get(name) is not None}
    while candidates:  # each round only removes: a name whose binding is no longer certain
        env = {name: shape for name, shape in shapes.env.items()
               if name not in primal or name in candidates}
        known = AdjointShapes(env, shapes.code_names)
        dropped = {name for name in candidates
                   if any(known.shape(value) != shapes.env[name] for value in bindings[name])}
        if not dropped:
            break
        candidates -= dropped
    return frozenset(candidates)
