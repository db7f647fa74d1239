"""Forward mode: a function that computes each value, then its tangent."""

from __future__ import annotations

import os

import gast

from ..ad import forward
from ..backend import codegen, loading
from ..backend.codegen import debug_print
from ..frontend.unit import RUNTIME, HelperCompilers
from ..ir import build
from ..passes import simplify
from .front_half import analyze
from .generated import Generated
from .reverse_mode import for_some


def transform_jvp(func, wrt: tuple, value=True,
                  compilers: HelperCompilers | None = None) -> Generated:
    """Build the forward-mode function of `func` for the arguments `wrt`:
    `f_jvp(*args, x_dot=..., ...)` returns `(value, tangent of value)`; with `value=False`
    `(None, tangent)`, and what only the value needs is never computed (an hvp)."""
    unit = analyze(func, wrt, mode="fwd", compilers=compilers)
    src = unit.src
    body = forward.tangent_body(unit)
    result = unit.result
    if result in unit.active:
        result_dot = build.load(unit.tangent(result))
    else:  # the value does not depend on the wrt arguments
        result_dot = build.call(build.load(unit.helper("zero_tangent", RUNTIME)),
                                build.load(result))
    live_out = {n.id for n in gast.walk(result_dot) if isinstance(n, gast.Name)}
    body = simplify.simplify(body, live_out | ({result} if value else set()),
                             build.stored(unit.body))
    tangents = tuple(unit.tangent(n) for n in wrt)
    args = codegen.parameters(src.tree.args, func)
    args.kwonlyargs = args.kwonlyargs + [build.store(n) for n in tangents]
    args.kw_defaults = args.kw_defaults + [None] * len(tangents)
    jvp = codegen.function(
        unit.namer.fresh(f"{src.name}_jvp{for_some(unit)}"), args,
        [build.comment("forward mode: each value, then its tangent")] + body + [
            gast.Return(value=build.tuple_([build.load(result) if value else build.const(None),
                                            result_dot]))])
    text = codegen.render([jvp])
    debug_print("generated", None, text)
    made, = loading.compile_functions([jvp], func, unit.helpers,
                                      f"{src.name} jvp from {os.path.basename(src.filename)}", src)
    loading.take_defaults(made, func)
    return Generated(made, None, text, wrt, unit.called, unit.resolver.guards(), tangents=tangents)
