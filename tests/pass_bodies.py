"""A pass's context for a body written by hand: the pass-level tests run one pass on it."""

import gast
import numpy as np

from srcgrad import runtime
from srcgrad.analysis.adjoint_shapes import AdjointShapes
from srcgrad.analysis.context import Context
from srcgrad.analysis.shape_inference import Value
from srcgrad.frontend.resolve import Resolver
from srcgrad.frontend.unit import Unit
from srcgrad.ir import build
from srcgrad.ir.naming import Namer


def _resolved_here():
    """A function of this module: names in a test's body resolve against its globals."""


def fused_context(text, shapes=None, default=(5,), params=("x",), returned=("r",),
                  seed="seed", forward=None, ints=None, float64=None, code_names=None):
    """(the statements of `text`, a Context for them as a fused gradient's): each name has
    the shape `shapes` gives it, else `default`; `forward`: the names that are values of
    the forward sweep (None: all), the others adjoints; `ints`: names bound to known ints;
    `float64`: the names certainly float64 arrays (None: nothing known); `code_names`:
    objects the code calls by name, besides np and runtime.spare."""
    body = gast.parse(text).body
    names = {n.id for n in build.names(body)}
    sizes = {name: default for name in names} | dict(shapes or {})
    known = {name: Value(tuple(shape)) for name, shape in sizes.items() if shape is not None}
    known |= {name: Value((), integer=True, const=value) for name, value in (ints or {}).items()}
    unit = Unit(None, Namer(names), list(params), ())
    unit.resolver = Resolver(_resolved_here, build.stored(body) | set(params))
    unit.code_names.update({"np": np, "spare": runtime.spare, **(code_names or {})})
    ctx = Context(unit, seed, tuple(returned), shapes=known, numpy="np")
    ctx.code_shapes = AdjointShapes({n: s for n, s in sizes.items() if s is not None},
                                    dict(unit.code_names))
    ctx.primal = {} if forward is None else {n: n for n in names if n not in forward}
    if float64 is not None:
        ctx.float64 = _float64_test(set(float64))
    return body, ctx


def _float64_test(names):
    def test(node):
        return all(n.id in names for n in build.names(node)) and bool(build.names(node))
    test.kinds = {name: "f64" for name in names}
    return test


def unparsed(body) -> str:
    """The text of statements."""
    return build.source_text(gast.Module(body=body, type_ignores=[]))
