"""Accumulate adjoints in place where the backward sweep owns the array.

An adjoint array the sweep made itself (an arithmetic result, a fresh fill) that no
other name shares can take the next contribution in place, without a new array::

    d_x = 2 * d_t6 * x              d_x = 2 * d_t6 * x
    d_x = d_x + d_t3 * t2     ->    d_x += d_t3 * t2
    d_x = d_x - d_t2                d_x -= d_t2

A contribution to some elements, `scatter_add(x, index, g)` of a basic index (ints and
slices), goes to those elements alone::

    d_w = d_w + scatter_add(w, slice(128, 160, None), d_b1)     ->    d_w[128:160] += d_b1

A copy (`d_t5 = d_x`), a view (`d_x.T`, `d_x[i]`), a helper that may return its
argument, or a tape entry shares the array: from there on it is not owned. Used on
specialized code only, where each adjoint's shape is known (so the contribution
broadcasts into it) and the arguments are real.
"""

from __future__ import annotations

import gast

from .. import runtime
from ..analysis import effects
from ..analysis.effects import makes_new
from ..analysis.shape_inference import broadcast_shapes
from ..ir import build

def run(body: list, ctx) -> list:
    """`body` with `d = d + e` / `d = d - e` as `d += e` / `d -= e` where the adjoint `d`
    is owned, an array of known shape that `e` broadcasts into."""
    _block(body, set(), _Updatable(ctx))
    return body


class _Updatable:
    """`(name, term)`: may the adjoint `name` take `+= term` in place, shapes permitting?"""

    def __init__(self, ctx):
        self.adjoints, self.shape = set(ctx.unit.namer.adjoints().values()), ctx.shape
        self.scatters = {name for name, obj in ctx.unit.code_names.items()
                         if obj is runtime.scatter_add}

    def into_elements(self, name, term):
        """`(index, g)` if `term` is `scatter_add(x, index, g)` of a basic index, with x of
        the adjoint's shape: `name[index] += g` is the same update; else None."""
        if not (isinstance(term, gast.Call) and isinstance(term.func, gast.Name)
                and term.func.id in self.scatters and len(term.args) == 3
                and not term.keywords):
            return None
        x, index, g = term.args
        mine = self.shape(build.load(name))
        if not mine or self.shape(x) != mine:
            return None
        written = _basic_index(index)
        return None if written is None else (written, g)

    def __call__(self, name, term) -> bool:
        if name not in self.adjoints:
            return False
        mine, theirs = self.shape(build.load(name)), self.shape(term)
        if not mine or theirs is None:
            return False
        try:
            return broadcast_shapes(mine, theirs) == mine
        except ValueError:
            return False


def _block(body, owned, arrays) -> set:
    for i, stmt in enumerate(body):
        if isinstance(stmt, gast.If):
            a = _block(stmt.body, set(owned), arrays)
            b = _block(stmt.orelse, set(owned), arrays)
            owned &= a & b
        elif isinstance(stmt, (gast.For, gast.While)):
            effects.disown(stmt.iter if isinstance(stmt, gast.For) else stmt.test, owned)
            entry = set(owned)
            while True:  # what is owned at the end of an iteration and on entry
                end = _block(_copy_free(stmt.body), set(entry), arrays)
                if entry <= end:
                    break
                entry &= end
            _block(stmt.body, set(entry), arrays)
            owned &= entry
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            name, value = stmt.targets[0].id, stmt.value
            op = _update(name, value)
            into = arrays.into_elements(name, value.right) if op is gast.Add else None
            if into is not None and name in owned:
                index, g = into
                effects.disown(g, owned)
                body[i] = gast.copy_location(gast.AugAssign(
                    target=gast.Subscript(value=build.store(name), slice=index,
                                          ctx=gast.Store()),
                    op=gast.Add(), value=g), stmt)
                continue
            if op is not None and name in owned and arrays(name, value.right):
                effects.disown(value.right, owned)
                body[i] = gast.copy_location(
                    gast.AugAssign(target=stmt.targets[0], op=op(), value=value.right), stmt)
                continue
            fresh = makes_new(value)
            effects.disown(value, owned)
            owned.discard(name)
            if fresh:
                owned.add(name)
        else:
            effects.disown(stmt, owned)
    return owned


def _copy_free(body):
    """The loop body as the analysis sees it, without rewriting it (a dry run)."""
    return build.clone(body)


def _update(name, value):
    if (isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Sub))
            and isinstance(value.left, gast.Name) and value.left.id == name
            and name not in {n.id for n in build.names(value.right)}):
        return type(value.op)
    return None


def _basic_index(node):
    """The index as written in brackets (`128:160`, `:, 0`) if `node` (an index as an
    expression: `slice(128, 160, None)`) is ints and slices of constants; else None."""
    if isinstance(node, gast.Constant):
        return node if type(node.value) is int else None
    if isinstance(node, gast.Tuple):
        parts = [_basic_index(e) for e in node.elts]
        return None if None in parts else gast.Tuple(elts=parts, ctx=gast.Load())
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "slice" and len(node.args) == 3 and not node.keywords
            and all(isinstance(a, gast.Constant) and (a.value is None or type(a.value) is int)
                    for a in node.args)):
        lower, upper, step = (None if a.value is None else build.const(a.value)
                              for a in node.args)
        return gast.Slice(lower=lower, upper=upper, step=step)
    return None
