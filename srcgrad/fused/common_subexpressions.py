"""The same expression of the same values computed once, in the fused gradient.

The user's lines may compute one thing twice (`np.exp(-x ** 2) + np.log1p(x ** 2)`),
and so may the rules' templates, across the two sweeps (`2 * x` in two adjoints). A
top-level `a = E` whose expression an earlier top-level `b = E` computed already goes,
and the statements after it read `b`::

    t2 = x ** 2                     t2 = x ** 2
    t3 = -t2                 ->     t3 = -t2
    t6 = x ** 2                     d_t6 = 1.0 / (1 + t2)
    d_t6 = 1.0 / (1 + t6)

Only for an expression that gives equal values whenever its operands are equal and
shares nothing with them (arithmetic, comparisons, NumPy's elementwise functions,
reductions and products, written alike), of names bound once and never written in
place (the arrays then hold the same numbers at both statements); `a` and `b` are bound
once, neither is kept (a parameter, a returned gradient), and both are values of the
forward sweep or both adjoints (an adjoint's shape may be nominal).
"""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import facts_of, method, numpy_facts


def run(body: list, ctx) -> list:
    """`body` with each top-level `a = E` that repeats an earlier `b = E` gone, and `a`
    read as `b` after it."""
    keep, index = ctx.keep | {ctx.seed}, ctx.index
    stores = index.bindings(body)
    written = written_in_place(body, ctx)
    seen, renamed, out = {}, {}, []
    for stmt in body:
        if renamed:
            stmt = index.renamed(stmt, renamed)  # a copy: the sweeps' statement stays
        target = stmt.targets[0] if isinstance(stmt, gast.Assign) else None
        if (isinstance(target, gast.Name) and len(stmt.targets) == 1
                and stores[target.id] == 1 and target.id not in keep | written
                and _pure(stmt.value, ctx)
                and all(stores[n] <= 1 and n not in written for n in index.loaded(stmt.value))):
            key = (ctx.is_forward(target.id), index.known(stmt.value, "dump", gast.dump))
            first = seen.get(key)
            if first is not None:
                renamed[target.id] = first
                continue
            seen[key] = target.id
        out.append(stmt)
    return out


def _pure(node, ctx) -> bool:
    """`node` computes a new value of its operands alone, the same for the same operands."""
    if isinstance(node, gast.BinOp):
        return _operand(node.left) and _operand(node.right)
    if isinstance(node, gast.UnaryOp):
        return _operand(node.operand)
    if isinstance(node, gast.Compare):
        return _operand(node.left) and all(_operand(c) for c in node.comparators)
    if isinstance(node, gast.Call):
        found = call_facts(node.func, ctx)
        return (found is not None and found.makes_new and found.writes_none
                and (found.elementwise or found.shape in ("reduce", "matmul"))
                and all(_operand(a) for a in node.args)
                and all(k.arg != "out" and _operand(k.value) for k in node.keywords))
    return False


def _operand(node) -> bool:
    return isinstance(node, (gast.Name, gast.Constant)) or (
        isinstance(node, gast.UnaryOp) and isinstance(node.operand, gast.Constant))


def call_facts(func, ctx):
    """The facts of a call's function when the code names it plainly: `np.exp`, a runtime
    helper, or a method of a local (None otherwise)."""
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
        if func.value.id == ctx.numpy:
            return numpy_facts(func.attr)
        return facts_of(method(func.attr))
    if isinstance(func, gast.Name) and func.id in ctx.unit.code_names:
        return facts_of(ctx.unit.code_names[func.id])
    return None


def written_in_place(body, ctx) -> set:
    """Names whose array a statement may change: stored into by index or attribute,
    given as `out=`, or passed to a call not known to change none of its arguments."""
    found, nodes = set(), ctx.index.nodes
    for node in (n for stmt in body for n in nodes(stmt)):
        if isinstance(node, (gast.Subscript, gast.Attribute)) and type(node.ctx) is not gast.Load:
            found |= build.loaded(node.value) | build.stored(node.value)
        elif isinstance(node, gast.Call):
            quiet = call_facts(node.func, ctx) or (  # a method of a value: `(-g).sum()`
                facts_of(method(node.func.attr)) if isinstance(node.func, gast.Attribute)
                else None)
            if quiet is None or not quiet.writes_none:
                found |= {n.id for n in build.names(node) if type(n.ctx) is gast.Load}
            found |= {n.id for k in node.keywords if k.arg == "out" for n in build.names(k)}
    return found
