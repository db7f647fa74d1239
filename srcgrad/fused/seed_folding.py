"""Drop the products with the seed 1.0, in the fused gradient.

There the seed is the number 1.0 (`d_f = 1.0`), and adjoints that are copies of it
(`d_t5 = d_t7`) multiply forward values: for a float array `t4`, `d_t5 * t4` is `t4`,
made again for nothing (a pass over it and a new array)::

    d_t1 = d_t5 * t4                (gone)
    ...                      ->     ...
    d_x += d_t1 * np.cos(x)         d_x += t4 * np.cos(x)

Only where the other operand is provably an array of floats: a forward value (known to
be an array, not an adjoint of nominal shape) made by a function of floats, a true
division, or arithmetic with a float (`1.0 * n` of integers is a new float array). Both
names must be bound once and never updated in place, as the folded one then names the
other's array; a returned name is never folded (it must be the gradient's own array).
"""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import numpy_facts, of_operator



def run(body: list, ctx) -> list:
    """`body` without `d = one * t` (or `t * one`) where `one` is the seed 1.0 and `t` a
    float array, a forward value: later reads of `d` read `t`."""
    keep, numpy = ctx.keep | {ctx.seed}, ctx.numpy
    stores = build.bindings(body)
    ones, floats, renamed, out = set(), set(), {}, []
    for stmt in body:
        if renamed and any(n.id in renamed for n in build.names(stmt)):
            stmt = build.renamed(stmt, renamed)  # a copy: the sweeps' statement stays as it was
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if isinstance(target, gast.Name) and stores[target.id] == 1:
            value = stmt.value
            if _is_one(value, ones):
                ones.add(target.id)
            elif _floats(value, floats, numpy):
                floats.add(target.id)
            other = _times_one(value, ones)
            if (other is not None and other in floats and ctx.is_forward(other)
                    and ctx.is_array(other) and target.id not in keep):
                renamed[target.id] = other
                continue
        out.append(stmt)
    return _without_unread(out, ones, keep)


def _is_one(node, ones) -> bool:
    if isinstance(node, gast.Constant):
        return type(node.value) is float and node.value == 1.0
    return isinstance(node, gast.Name) and node.id in ones


def _times_one(node, ones):
    """`t` if `node` is `one * t` or `t * one` with `t` a name."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        for one, other in ((node.left, node.right), (node.right, node.left)):
            if _is_one(one, ones) and isinstance(other, gast.Name):
                return other.id
    return None


def _floats(node, floats, numpy) -> bool:
    """`node` is certainly of a float dtype (real arguments)."""
    if isinstance(node, gast.Constant):
        return type(node.value) is float
    if isinstance(node, gast.Name):
        return node.id in floats
    if isinstance(node, gast.BinOp) and of_operator(node.op).dtype in ("promote", "product"):
        return of_operator(node.op).float_result or any(
            _floats(side, floats, numpy) for side in (node.left, node.right))
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return _floats(node.operand, floats, numpy)
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and node.func.value.id == numpy
            and numpy_facts(node.func.attr).float_result and not node.keywords)


def _without_unread(body, ones, keep) -> list:
    """`body` without the copies of the seed nothing reads any more."""
    while True:
        read = build.loaded(body)
        dead = [stmt for stmt in body if isinstance(stmt, gast.Assign)
                and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in ones
                and stmt.targets[0].id not in read | keep]
        if not dead:
            return body
        body = [stmt for stmt in body if all(stmt is not d for d in dead)]
