"""NumPy called the cheap way, in the fused gradient: the same operations
with the same arguments, so the same results, with less Python around each.

Sums of float64 arrays call the reduction itself. `g.sum(axis=0)` and
`np.sum(g, axis=0)` go through Python wrappers of NumPy's (`_methods._sum`,
`_wrapreduction`) before the C reduction they call, `np.add.reduce` (0.1 to 0.5 µs a
call)::

    d_b = d_z.sum()                     ->  d_b = np.add.reduce(d_z, axis=None)
    d_b2 = d_t7.sum(axis=0)             ->  d_b2 = np.add.reduce(d_t7, axis=0)
    t6 = np.sum(t5, axis=1, keepdims=True)  ->  t6 = np.add.reduce(t5, axis=1, keepdims=True)

Only where dtypes.py knows the array to be a float64 ndarray: a subclass (np.matrix, a
masked array) sums its own way; and in a function only if every sum in it is such a sum,
so that one function does not sum two ways. `ufunc.reduce` sums over axis 0 unless told,
so the axis is always written.

A ufunc's output goes by position, as NumPy allows for the first output: parsing the
keyword costs 30 to 40 ns a call, on every operation the fused passes computed into an
array. The passes before read the keyword form (`out=`); this is the last one::

    d_z = np.tanh(d_z, out=d_z)         ->  d_z = np.tanh(d_z, d_z)
"""

from __future__ import annotations

import gast

from ..ir import build

_KEYWORDS = {"axis", "keepdims"}  # what `sum` and `reduce` both take, alike


def run(body: list, ctx) -> list:
    """`body` with each `a.sum(...)` or `np.sum(a, ...)` of an expression `a` that is a float64
    array (ctx.float64) as `np.add.reduce(a, ...)`, if all its sums are such; the
    statements changed are copies (the sweeps' own statements stay as they were)."""
    is_float64_array, numpy = ctx.float64, ctx.numpy
    def summed(node):
        """The expression `node` sums, if it is one of those sums."""
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                and node.func.attr == "sum" and all(k.arg in _KEYWORDS for k in node.keywords)):
            return None
        owner, args = node.func.value, node.args
        if isinstance(owner, gast.Name) and owner.id == numpy and len(args) == 1:
            owner, args = args[0], []  # np.sum(a, ...)
        if not args and is_float64_array(owner):  # a name, or arithmetic of float64 ones
            return owner
        return None

    sums = [node for stmt in body for node in ctx.index.nodes(stmt) if isinstance(node, gast.Call)
            and isinstance(node.func, gast.Attribute) and node.func.attr == "sum"]
    if not all(summed(node) is not None for node in sums):
        return body  # one way of summing in a function: those left as they are
    return ctx.index.rewritten(body, _Sums(summed, numpy), lambda n: summed(n) is not None)


class _Sums(build.Transformer):
    def __init__(self, summed, numpy):
        self.summed, self.numpy = summed, numpy

    def visit_Call(self, node):
        self.generic_visit(node)
        array = self.summed(node)
        if array is None:
            return node
        keywords = {k.arg: k.value for k in node.keywords}
        keywords.setdefault("axis", build.const(None))
        reduce = build.attr(build.attr(build.load(self.numpy), "add"), "reduce")
        return gast.copy_location(build.call(reduce, array, **keywords), node)
