"""A sum of a product over one axis as one call, in the fused gradient: no array for
the product. With `A` and `B` float64 arrays of one shape (512, 64)::

    t1 = A * B                  ->      t2 = np.einsum('ab,ab->a', A, B)
    t2 = np.sum(t1, axis=1)
    del t1

einsum adds the products as it makes them: 2 to 5 times faster than the product and
`np.add.reduce` here (NumPy 2's `np.vecdot` is faster still on the last axis, but the
same code on NumPy 1.x and 2.x keeps the generated text one).

Row dot products are what similarity losses and norms compute (`np.sum(a * a, axis=1)`).
Only where the product is read by the sum alone, its operands are names of float64
arrays (ctx.certainly_float64) of the product's own shape (no broadcasting), and the sum
is over one axis given as a constant, without `keepdims`; the call takes the product's
place (its operands may be released after it). The sum's terms are added in
another order than `np.sum`'s, so the last bits may differ, as between any two ways of
summing.
"""

from __future__ import annotations

from collections import Counter

import gast

from ..ir import build

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def run(body: list, ctx) -> list:
    """`body` with each such product and sum as one `np.einsum` call."""
    reads = Counter(n.id for n in build.names(gast.Module(body=body, type_ignores=[]))
                    if isinstance(n.ctx, gast.Load))
    bound = Counter(build.assigned_name(s) for s in build.statements(body)
                    if isinstance(s, gast.Assign))
    products = {}
    for stmt in body:
        name = build.assigned_name(stmt) if isinstance(stmt, gast.Assign) else None
        if name is not None and bound[name] == 1 and reads[name] == 1 and name not in ctx.keep:
            operands = _product(stmt.value, ctx)
            if operands is not None:
                products[name] = (stmt, operands)
    if not products:
        return body
    gone, new, dropped = set(), {}, set()
    for stmt in body:
        if not isinstance(stmt, gast.Assign):
            continue
        summed = _row_sum(stmt.value, ctx.numpy)
        if (summed is None or summed[0] not in products
                or bound[build.assigned_name(stmt)] != 1):
            continue
        name, axis = summed
        x, y = products[name][1]
        ndim = len(ctx.shape(x))
        axis = axis + ndim if axis < 0 else axis
        if not 0 <= axis < ndim or ndim > len(_LETTERS):
            continue
        # in the product's place, where its operands are alive (a `del` may follow it);
        # a new statement: the sweeps' own stay as they were
        new[id(products[name][0])] = gast.copy_location(gast.Assign(
            targets=[build.store(build.assigned_name(stmt))],
            value=_dot(ctx.numpy, x, y, axis, ndim), type_comment=None), stmt)
        gone.add(name)
        dropped.add(id(stmt))
    return _without(body, gone, dropped, new) if gone else body


def _product(node, ctx):
    """(x, y) of `x * y`, names of float64 arrays of the product's shape, else None."""
    if not (isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult)
            and isinstance(node.left, gast.Name) and isinstance(node.right, gast.Name)):
        return None
    shape = ctx.shape(node)
    if not shape or any(ctx.shape(side) != shape or not ctx.certainly_float64(side)
                        for side in (node.left, node.right)):
        return None
    return node.left, node.right


def _row_sum(node, numpy):
    """(the name summed, the axis) of `np.sum(t, axis=k)` or `t.sum(axis=k)`, else None."""
    if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "sum" and len(node.keywords) == 1
            and node.keywords[0].arg == "axis"):
        return None
    axis = node.keywords[0].value
    if isinstance(axis, gast.UnaryOp) and isinstance(axis.op, gast.USub):
        axis = gast.Constant(value=-axis.operand.value, kind=None) if isinstance(
            axis.operand, gast.Constant) else None
    if not (isinstance(axis, gast.Constant) and type(axis.value) is int):
        return None
    owner, args = node.func.value, node.args
    if isinstance(owner, gast.Name) and owner.id == numpy and len(args) == 1:
        owner, args = args[0], []
    if not isinstance(owner, gast.Name) or args:
        return None
    return owner.id, axis.value


def _dot(numpy, x, y, axis, ndim):
    letters = _LETTERS[:ndim]
    spec = f"{letters},{letters}->{letters[:axis] + letters[axis + 1:]}"
    return build.call(build.attr(build.load(numpy), "einsum"), build.const(spec),
                      build.load(x.id), build.load(y.id))


def _without(body, gone, dropped, new):
    """`body` with the new sums in the products' places, without the old sums, and the
    products' names out of the `del`s."""
    out = []
    for stmt in body:
        if id(stmt) in dropped:
            continue
        stmt = new.get(id(stmt), stmt)
        if isinstance(stmt, gast.Delete):
            targets = [t for t in stmt.targets
                       if not (isinstance(t, gast.Name) and t.id in gone)]
            if not targets:
                continue
            if len(targets) != len(stmt.targets):
                stmt = gast.Delete(targets=targets)
        out.append(stmt)
    return out
