"""A ufunc's output by position, in the fused gradient, as NumPy allows for the first
output: parsing the keyword costs 30 to 40 ns a call, on every operation the fused
passes computed into an array. The passes before read the keyword form (`out=`); this is
the last one::

    d_z = np.tanh(d_z, out=d_z)         ->  d_z = np.tanh(d_z, d_z)
"""

from __future__ import annotations

import gast
import numpy as np

from ..ir import build


def run(body: list, ctx) -> list:
    """`body` with the `out=` of each call of a NumPy ufunc of one output, given all its
    inputs by position, passed by position (and a comment after the heading's that
    says so); the statements changed are copies."""
    numpy = ctx.numpy
    def keyword_out(node):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                and isinstance(node.func.value, gast.Name) and node.func.value.id == numpy):
            return False
        ufunc = getattr(np, node.func.attr, None)
        return (isinstance(ufunc, np.ufunc) and ufunc.nout == 1 and len(node.args) == ufunc.nin
                and not any(isinstance(a, gast.Starred) for a in node.args)
                and any(k.arg == "out" and not isinstance(k.value, gast.Tuple)
                        for k in node.keywords))

    out = ctx.index.rewritten(body, _Outputs(keyword_out), keyword_out)
    if all(a is b for a, b in zip(out, body)):
        return out
    heading = next((k for k, stmt in enumerate(out) if not build.is_comment(stmt)), len(out))
    return out[:heading] + [build.comment(NOTE)] + out[heading:]


NOTE = "(a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)"


class _Outputs(build.Transformer):
    def __init__(self, keyword_out):
        self.keyword_out = keyword_out

    def visit_Call(self, node):
        self.generic_visit(node)
        if self.keyword_out(node):
            out = next(k for k in node.keywords if k.arg == "out")
            node.args = node.args + [out.value]
            node.keywords = [k for k in node.keywords if k is not out]
        return node
