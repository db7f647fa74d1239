"""Forward mode: a function that computes each value, then its tangent (manifest.JVP)."""

from __future__ import annotations

import os

import gast

from ..analysis.context import Context
from ..backend import codegen, loading
from ..backend.codegen import debug_print
from ..frontend.unit import HelperCompilers
from ..ir import build
from . import manifest
from .front_half import analyze
from .generated import Generated
from .reverse_mode import for_some


def transform_jvp(func, wrt: tuple, value=True, compilers: HelperCompilers | None = None,
                  skip=frozenset(), keywords=None, statics=()) -> Generated:
    """Build the forward-mode function of `func` for the arguments `wrt`:
    `f_jvp(*args, x_dot=..., ...)` returns `(value, tangent of value)`; with `value=False`
    `(None, tangent)`, and what only the value needs is never computed (an hvp). `skip`:
    steps of the manifest left out; `keywords`: the names a call passes to the function's
    `**kw`, `statics` the functions it passes (front_half.analyze)."""
    unit = analyze(func, wrt, mode="fwd", compilers=compilers, keywords=keywords,
                   statics=statics)
    src = unit.src
    ctx = Context(unit, seed="", returned=(), value_wanted=value, skip=skip)
    body = manifest.run(manifest.JVP, unit.body, ctx)
    result, result_dot = unit.result, ctx.result_tangent
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
    made, = loading.compile_functions([jvp], func, unit.code_names,
                                      f"{src.name} jvp from {os.path.basename(src.filename)}", src)
    loading.take_defaults(made, func)
    return Generated(made, None, text, wrt, unit.called, unit.resolver.guards(), tangents=tangents)
