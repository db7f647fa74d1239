"""The fused gradient: both sweeps in one function, what a `grad` call runs, rewritten by
the passes of fused/ in the order of manifest.FUSED (no tuple of saved values between the
sweeps, arrays released after their last use and computed into, a loop's per-step
products batched)."""

from __future__ import annotations

import gast

from ..analysis.adjoint_shapes import AdjointShapes
from ..analysis.context import Context
from ..backend import codegen
from ..ir import build
from ..ir.index import Index
from . import manifest


def join_sweeps(forward, backward, seed) -> list:
    """The statements of the forward sweep (without its return), the seed 1.0, then those
    of the backward sweep: the gradient as one body."""
    return forward.body[1:-1] + [build.assign(seed, build.const(1.0))] + backward.body[1:]


def build_fused(ctx: Context, forward, backward, parameters):
    """The fused gradient's function: `forward` and `backward` (the sweeps) joined, then
    rewritten. Unless only the gradient is wanted, it returns `(value, gradients)`."""
    unit = ctx.unit
    # the statements are shared with `forward` and `backward`, not copied: the passes
    # change none of them (a pass that rewrites one works on a copy)
    body = join_sweeps(forward, backward, ctx.seed)
    if not ctx.grad_only:  # kept as the forward sweep left it (a loop's replay rebinds it)
        at, ctx.value = len(forward.body) - 2, unit.namer.fresh("value")
        body.insert(at, build.assign(ctx.value, unit.returned_value()))
        body[-1] = gast.Return(value=build.tuple_([build.load(ctx.value), body[-1].value]))
    ctx.primal = {adj: name for name, adj in unit.namer.adjoints().items()}
    ctx.code_shapes = AdjointShapes.of(unit, ctx.shapes)  # the code's names now, before
    ctx.numpy = unit.code_name("np")  # its name for NumPy is asked (as the passes were tuned)
    body = manifest.run(manifest.FUSED, body, ctx)
    ctx.index = Index()  # its answers freed now, not by the next collection (ctx is in cycles)
    return codegen.function(unit.namer.fresh(f"{unit.src.name}_grad"), parameters,
                            [build.comment("the gradient: forward sweep, then backward sweep")]
                            + body)
