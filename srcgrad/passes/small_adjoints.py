"""Keep a spread adjoint small where every use broadcasts it anyway.

The adjoint of `s = np.sum(t)` is an array of `t`'s shape filled with `d_s`; that of
`r = np.sum(u, axis=1)` is `d_r` repeated along the summed axis. When each use of such
an adjoint is an elementwise operation with an operand of the full shape (or with
numbers or other small values, whose result is used the same way), the small value
alone gives the same result, and saves an array and a pass over it. With `t` and
`error` of shape (100,), `u` and `v` of shape (16, 10)::

    d_t = np.full_like(t, d_loss / 100)     ->  d_t = d_loss / 100
    d_error = d_t * 2 * error                   d_error = d_t * 2 * error
    d_u = repeat_to(d_r, u, 1, False)       ->  d_u = d_r[:, None]
    d_v = d_u * v                               d_v = d_u * v

Any other use (a reduction, a call, a broadcast that does not reach the full shape,
the returned gradient) keeps the array. Runs on the shape-specialized backward sweep,
whose adjoints are known to have the shapes of their values.
"""

from __future__ import annotations

import gast

from ..analysis.shape_inference import broadcast_shapes
from ..ir import build

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div)
OTHER, BAD = "other", "bad"  # else a kind is a tuple: the shape of the small value


def run(body: list, ctx) -> list:
    """`body` with the spreads that may stay small replaced by the small value (the
    returned adjoints stay arrays). It reads the shapes of the specialized sweep's names
    (ctx.sweep_shapes): without specialize, it leaves `body` as it is."""
    shapes, returned = ctx.sweep_shapes, set(ctx.returned)
    if shapes is None:
        return body
    counts = _assignment_counts(body)
    candidates = [stmt for stmt in body  # top level only: outside loops and branches
                  if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                  and counts.get(stmt.targets[0].id) == 1
                  and _small(stmt.value, {}, shapes) is not None]
    analysis = _Analysis(body, counts, shapes)
    accepted, small = {}, {}
    for stmt in candidates:
        roots = {**accepted, stmt.targets[0].id: stmt}
        found = analysis.small_values(roots, returned)
        if found is not None:
            accepted, small = roots, found
    for stmt in accepted.values():  # each spread of what the analysis found small
        stmt.value, _ = _small(stmt.value, small, shapes)  # (`d_a = d_b`: d_a too)
    return body


def _small(call, small, shapes):
    """(the small value a spreading call may be replaced by, its shape), or None.
    `small`: the names already standing for small values, with their shapes."""
    if not isinstance(call, gast.Call) or call.keywords:
        return None
    kind, args = shapes.spread(call), call.args
    if kind == "full_like" and len(args) == 2:
        if shapes.shape(args[1]) == () and shapes.shape(args[0]) not in (None, ()):
            return args[1], ()
        return None
    if kind != "repeat_to" or len(args) != 4 or not isinstance(args[0], gast.Name):
        return None
    g, x, axis, keepdims = args
    if small.get(g.id) == ():  # spreading a number: the number
        return g, ()
    x_shape, g_shape = shapes.shape(x), shapes.shape(g)
    if not (x_shape and g_shape is not None and isinstance(axis, gast.Constant)
            and isinstance(keepdims, gast.Constant) and g.id not in small):
        return None
    axes = _normalized_axes(axis.value, len(x_shape))
    if axes is None:
        return None
    kept = tuple(1 if i in axes else n for i, n in enumerate(x_shape))
    if g_shape == ():
        return g, ()
    if g_shape == kept:
        return g, kept
    if keepdims.value is False and g_shape == tuple(n for i, n in enumerate(x_shape)
                                                    if i not in axes):
        index = [build.const(None) if i in axes else gast.Slice(None, None, None)
                 for i in range(max(axes) + 1)]
        return gast.Subscript(value=g, slice=build.tuple_(index) if len(index) > 1
                              else index[0], ctx=gast.Load()), kept
    return None


def _normalized_axes(axis, ndim):
    if axis is None:
        return set(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    if not all(type(a) is int and -ndim <= a < ndim for a in axes):
        return None
    return {a % ndim for a in axes}


class _Analysis:
    def __init__(self, body, counts, shapes):
        self.counts, self.shapes = counts, shapes
        # each statement with the names it mentions (a loop's or an `if`'s: in its head)
        self.statements = [(stmt, {n.id for n in build.names(build.head(stmt))})
                           for stmt in build.statements(body)]

    def small_values(self, roots, returned):
        """{name: shape of its small value} for the names in `roots` (name -> its
        statement) and those computed from them, if every use of them gives the value it
        would give with the full arrays; else None."""
        small: dict = {}
        while True:
            before = dict(small)
            for stmt, mentioned in self.statements:
                if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                    name = stmt.targets[0].id
                    if name not in roots and mentioned.isdisjoint(small):
                        continue  # the value it would have anyway
                    if name in roots:
                        found = _small(stmt.value, small, self.shapes)
                        kind = found[1] if found else BAD
                    else:
                        kind = self.kind(stmt.value, small)
                    if kind == BAD:
                        return None
                    if isinstance(kind, tuple):
                        if small.get(name, kind) != kind or (kind and self.counts[name] > 1):
                            return None  # an array that might be updated in place
                        small[name] = kind
                elif not mentioned.isdisjoint(small):
                    return None
            if small == before:
                return None if small.keys() & returned else small

    def kind(self, node, small):
        """A tuple: a small value of that shape standing for the expression's array;
        OTHER: the value it would have anyway; BAD: a use that needs the array."""
        if isinstance(node, gast.Name):
            return small.get(node.id, OTHER)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.kind(node.operand, small)
        if isinstance(node, gast.BinOp) and isinstance(node.op, _ELEMENTWISE):
            return self.elementwise(node, [node.left, node.right], small)
        if isinstance(node, gast.Call) and not node.keywords and self.elementwise_call(node):
            return self.elementwise(node, node.args, small)  # np.where(m, d_t, 0.0)
        if (isinstance(node, gast.Call) and self.shapes.spread(node) == "repeat_to" and node.args
                and isinstance(node.args[0], gast.Name) and small.get(node.args[0].id) == ()
                and not _mentions(node.args[1:], small)):
            return OTHER  # it spreads the number itself
        return BAD if _mentions(node, small) else OTHER

    def elementwise(self, node, operands, small):
        """The kind of an elementwise operation of `operands` (see `kind`)."""
        kinds = [self.kind(operand, small) for operand in operands]
        if BAD in kinds:
            return BAD
        if all(k == OTHER for k in kinds):
            return OTHER
        shapes = [k if k != OTHER else self.shapes.shape(operand)
                  for k, operand in zip(kinds, operands)]
        full = self.shapes.shape(node)
        if full is None or None in shapes:
            return BAD
        try:
            result = broadcast_shapes(*shapes)
            if broadcast_shapes(result, full) != full:
                return BAD
        except ValueError:
            return BAD
        return OTHER if result == full else result

    def elementwise_call(self, call) -> bool:
        """A call of an elementwise function whose every argument is an operand (np.where,
        safe_div, np.multiply without `out=`)."""
        found = self.shapes.facts_of_call(call)
        return (found is not None and found.elementwise and found.shape == "broadcast"
                and found.nargs == len(call.args) and found.writes_none)


def _mentions(node, names) -> bool:
    return bool(names) and any(n.id in names for n in build.names(node))


def _assignment_counts(body) -> dict:
    counts: dict = {}
    for stmt in build.statements(body):
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            targets = [stmt.target] if isinstance(stmt, gast.For) else []
        else:
            targets = [stmt]
        for target in targets:
            for n in build.names(target):
                if isinstance(n.ctx, gast.Store):
                    counts[n.id] = counts.get(n.id, 0) + 1
    return counts
