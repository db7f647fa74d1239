"""Buffer reuse inside loops, where no `del` says what dies: a value bound once, by a
statement of a loop's body that makes a new array, and read once in the whole function,
by a later statement of the same body, dies there; an operation certainly giving a
float64 array (dtypes.py) may write into it, if it is one too, or into the intermediate
before it::

    for t in range(n):              for t in range(n):
        t9 = h_1 @ Wh                   t9 = h_1 @ Wh
        t10 = t8 + t9        ->         t10 = np.add(t8, t9, out=t9)
        t11 = t10 + b                   t11 = np.add(t10, b, out=t10)
"""

from __future__ import annotations

import copy
from collections import Counter

import gast

from ..analysis.effects import makes_new
from ..ir import build
from .buffer_reuse import Chain, operation


def run(body: list, ctx) -> list:
    """`body` with buffer_reuse's rewriting inside its loops (see the module docstring)."""
    if not any(isinstance(stmt, (gast.For, gast.While)) for stmt in body):
        return body
    reads, stores = Counter(), Counter()
    for n in build.names(body):
        if isinstance(n.ctx, gast.Load):
            reads[n.id] += 1
        elif isinstance(n.ctx, gast.Store):
            stores[n.id] += 1

    def dies_once(name):
        return reads[name] == 1 and stores[name] == 1 and name not in ctx.keep

    def block(stmts):
        made = set()  # names bound earlier in this body to a new float64 array
        out = []
        for stmt in stmts:
            if isinstance(stmt, (gast.For, gast.While)):
                out.append(_in_loop(stmt, block))
                continue
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
                out.append(stmt)
                continue
            name, fresh = stmt.targets[0].id, makes_new(stmt.value)
            dying = sorted({n.id for n in build.names(stmt.value)} & made)
            # (with nothing dying, a chain still writes into the arrays it makes itself)
            if (operation(stmt.value, ctx.numpy) is not None
                    and ctx.certainly_float64(stmt.value)):
                chain = Chain(stmt, dying, [], ctx, in_loop=True)
                if chain.rewrite() and not chain.made and not chain.checked:
                    out.extend(chain.before)
                    stmt = chain.stmt  # into an array that was new: a new one still
            if dies_once(name) and fresh and ctx.certainly_float64(build.load(name)):
                made.add(name)
            out.append(stmt)
        return out

    return [(_in_loop(stmt, block) if isinstance(stmt, (gast.For, gast.While)) else stmt)
            for stmt in body]


def _in_loop(loop, block):
    """A copy of `loop` with its body rewritten: the sweeps' own loop stays as it was
    (forward mode and `.source` read it); statements not rewritten are shared."""
    loop = copy.copy(loop)
    loop.body = block(loop.body)
    return loop
