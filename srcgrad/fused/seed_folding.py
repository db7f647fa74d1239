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

What is left of a product with ±1.0 and a float is written plainly: `-1.0 * e` is `-e`
(the same IEEE result), and `1.0 * c` of a float number `c` is `c` (a number has no
array to share; the name it binds is never updated in place)::

    d_t21 = -1.0 * e        ->      d_t21 = -e
    d_f = 1.0 * c                   d_f = c
"""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import numpy_facts, of_operator



def run(body: list, ctx) -> list:
    """`body` without `d = one * t` (or `t * one`) where `one` is the seed 1.0 and `t` a
    float array, a forward value: later reads of `d` read `t`."""
    keep, numpy, index = ctx.keep | {ctx.seed}, ctx.numpy, ctx.index
    stores = index.bindings(body)
    ones, floats, renamed, out = set(), set(), {}, []
    for stmt in body:
        if renamed:
            stmt = index.renamed(stmt, renamed)  # a copy: the sweeps' statement stays as it was
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
    out = _without_unread(out, ones, keep, index)
    floats = _float_names(out, numpy)
    augmented = {s.target.id for s in build.statements(out)
                 if isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name)}

    def plain(node):
        """`node` as written plainly (see the module docstring), or None."""
        found = _sign_times(node.value) if isinstance(node, gast.Assign) else None
        if found is None or found[1] not in floats:
            return None
        sign, name = found
        if sign < 0:
            return gast.UnaryOp(op=gast.USub(), operand=build.load(name))
        known = (ctx.shapes or {}).get(name)
        number = known is not None and known.shape == () and not known.integer
        targets = build.stored(node.targets)
        return build.load(name) if number and not targets & augmented else None

    return index.rewritten(out, _Plain(plain), lambda n: plain(n) is not None)


class _Plain(build.Transformer):
    def __init__(self, plain):
        self.plain = plain

    def visit_Assign(self, node):
        value = self.plain(node)
        if value is not None:
            node.value = gast.copy_location(value, node.value)
        return node


def _sign_times(node):
    """(±1, the name) of `±1.0 * name` or `name * ±1.0`, else None."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        for one, other in ((node.left, node.right), (node.right, node.left)):
            sign = -1 if isinstance(one, gast.UnaryOp) and isinstance(one.op, gast.USub) else 1
            one = one.operand if sign < 0 else one
            if (isinstance(one, gast.Constant) and type(one.value) is float
                    and abs(one.value) == 1.0 and isinstance(other, gast.Name)):
                return (sign if one.value > 0 else -sign), other.id
    return None


def _float_names(body, numpy) -> set:
    """The names every binding of which is certainly of a float dtype (real arguments)."""
    floats = {build.assigned_name(s) for s in build.statements(body)
              if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)}
    while True:
        wrong = {name for s in build.statements(body) for name in _binds(s)
                 if name in floats and not (isinstance(s, gast.Assign)
                                            and len(s.targets) == 1
                                            and isinstance(s.targets[0], gast.Name)
                                            and _floats(s.value, floats, numpy))}
        if not wrong:
            return floats
        floats -= wrong


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


def _without_unread(body, ones, keep, index) -> list:
    """`body` without the copies of the seed nothing reads any more."""
    while True:
        read = index.loaded_in(body)
        dead = [stmt for stmt in body if isinstance(stmt, gast.Assign)
                and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in ones
                and stmt.targets[0].id not in read | keep]
        if not dead:
            return body
        body = [stmt for stmt in body if all(stmt is not d for d in dead)]


def _binds(stmt) -> set:
    """The names `stmt` itself binds (not the statements of its blocks)."""
    if isinstance(stmt, gast.Assign):
        return build.stored(stmt.targets)
    if isinstance(stmt, (gast.AugAssign, gast.For)):
        return build.stored(stmt.target)
    return set()
