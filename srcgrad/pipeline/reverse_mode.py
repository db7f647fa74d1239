"""Reverse mode: the forward and backward sweeps of a function (manifest.SWEEPS and
FORWARD_SWEEP), and for a call whose arguments are real numbers and arrays of known
shapes, the fused gradient (both sweeps in one function) that a `grad` call runs."""

from __future__ import annotations

import copy
import dataclasses
import os
import weakref

import gast

from ..ad import calls, checkpoints
from ..analysis import dtypes, shape_inference
from ..analysis.context import Context
from ..backend import codegen, loading
from ..backend.codegen import debug_print
from ..errors import SrcGradError
from ..frontend.unit import HelperCompilers
from ..ir import build
from ..passes import portable_code
from ..runtime.array_kind import NUMPY
from . import manifest
from .portable import NUMPY_ONLY_HELPERS, is_portable
from .front_half import analyze
from .fused_gradient import build_fused, join_sweeps
from .generated import FusedText, Generated


def transform(func, wrt: tuple, arguments: dict | None = None, value=True,
              kinds: dict | None = None, fused=False,
              compilers: HelperCompilers | None = None, skip=frozenset(),
              has_aux=False, checkpoint=None, array_kind=NUMPY, inline=False,
              keywords=None, statics=()) -> Generated:
    """Build the forward and backward functions of `func` for the arguments `wrt`.

    With `arguments` ({parameter: shape_inference.describe(value)} of one call), the code is
    specialized on those shapes; it raises specialize.NotSpecializable if it cannot be.
    `value=False` (only with `arguments` of real numbers and arrays): the value is not
    wanted, and if the shapes prove it a number, the forward sweep computes only what
    the backward sweep reads and returns None for it. `kinds` ({parameter:
    dtypes.kind_of(value)}, with `arguments`): what the grad-only code may assume of the
    arguments' dtypes (the call's variant key holds them). `fused=True` (the same
    arguments) with `value=True`: the value is wanted too, and a call may still run one
    function, which returns `(value, gradients)`. `skip`: steps of the manifest left out.
    `has_aux`: `func` returns `(loss, aux)`; the value is that pair, the loss differentiated.
    `checkpoint` (None: none): every counted loop is checkpointed, keeping this many states
    (0: the default number; ad/checkpoints.py). `inline`: the user's helpers are written out
    in place in the general code too (the code reverse mode differentiates again: no calls
    of a helper's sweeps to follow).
    `array_kind` other than NUMPY: portable code (pipeline/portable.py), whose tests
    refuse lazy values (passes/portable_code.py). `keywords`: the names a call passes to
    the function's `**kw`, `statics` the functions it passes (front_half.analyze).
    """
    unit = analyze(func, wrt, inline_helpers=inline or arguments is not None,
                   compilers=compilers, has_aux=has_aux, checkpoint=checkpoint,
                   arguments=arguments, keywords=keywords, statics=statics)
    value = value or has_aux
    src = unit.src
    ctx = Context(unit, unit.adjoint(unit.result), tuple(unit.adjoint(n) for n in wrt),
                  kinds=kinds or {}, value_wanted=value, skip=skip)
    ctx.live_out = frozenset(ctx.returned)
    if arguments is not None:
        ctx.shapes = shape_inference.infer(unit, arguments)
    # (cancelled adjoints, shift_invariance's, never make the value inactive)
    blocks = blocks_because(unit)
    ctx.fused = (fused or not value) and dtypes.result_is_real_number(
        unit, ctx.shapes) and blocks is None
    adjoint_body = manifest.run(manifest.SWEEPS, [], ctx)
    unit.body = manifest.run(manifest.FORWARD_SWEEP, unit.body, ctx)
    seed, returned, saved = ctx.seed, ctx.returned, list(ctx.saved)
    if ctx.grad_only:
        heading, result = "forward sweep: what the backward sweep reads", build.const(None)
    else:
        heading, result = "forward sweep: the original computation", unit.returned_value()
    because = (blocks or general_because(unit, ctx.shapes)) if arguments is not None else None
    # `source_for` says why a call does not run one fused function
    headings = [build.comment(heading)] + ([build.comment(because)] if because else [])

    name = src.name
    if unit.functions:  # a checkpointed loop's step and record functions: the sweeps call them
        made = loading.compile_functions(unit.functions, func, unit.code_names, name, src)
        unit.code_names.update((f.name, m) for f, m in zip(unit.functions, made))
    parameters = codegen.parameters(src.tree.args, func)  # the user's, defaults not evaluated
    forward = codegen.function(
        unit.namer.fresh(f"{name}_forward{for_some(unit)}"), build.clone(parameters),
        headings + unit.body + [
            gast.Return(value=build.tuple_([result,
                                            build.tuple_([build.load(n) for n in saved])]))])
    backward = codegen.function(
        unit.namer.fresh(f"{name}_backward{for_some(unit)}"), codegen.arguments([seed] + saved),
        [build.comment("backward sweep: adjoints in reverse order")] + adjoint_body + [
            gast.Return(value=build.load(returned[0]) if len(returned) == 1
                        else build.tuple_([build.load(n) for n in returned]))])
    portable = is_portable(array_kind)
    label = f"{src.name} from {os.path.basename(src.filename)}"
    # Built and compiled on demand; holds neither `func` nor `unit` (the cache's value must
    # not keep its weak key alive).
    func_ref, helpers, unit_functions = weakref.ref(func), unit.code_names, unit.functions
    origin = dataclasses.replace(src, func=None)

    def make_sweeps(fused=None):
        """(forward, backward, the source of both and of the fused gradient `fused`)"""
        user = func_ref()
        if user is None:
            raise SrcGradError(f"{origin.name} no longer exists")
        functions = [forward, backward] + unit_functions + ([fused] if fused else [])
        rendered = codegen.unparse(functions)
        debug_print("generated", None, rendered[0])
        fwd, bwd, *_ = loading.compile_functions(functions, user, helpers, label, origin,
                                                 rendered)
        return loading.take_defaults(fwd, user), bwd, rendered[0]

    fused_code = fused = stored = None
    if ctx.fused:  # a call runs the fused gradient alone: the sweeps wait until asked
        fused_code = build_fused(ctx, forward, backward, build.clone(parameters))
    if portable:  # (after build_fused: the fused gradient shares the forward's statements)
        functions = [f for f in (fused_code, forward, backward) if f is not None]
        portable_code.refuse_numpy_only(unit, functions, NUMPY_ONLY_HELPERS, array_kind)
        concrete = unit.code_name("concrete")
        for function in functions[:-1]:
            portable_code.guard_tests(function, concrete)
    if ctx.fused:
        rendered = codegen.unparse([fused_code])
        fused, = loading.compile_functions([fused_code], func, unit.code_names, label, src,
                                           rendered)
        stored = FusedText(rendered, fused_code.name, dict(unit.code_names), origin)
        loading.take_defaults(fused, func)
        sweeps = make_sweeps(fused_code) if codegen.DEBUG else (None, None, None)
    else:
        sweeps = make_sweeps()
    gradient_name = unit.namer.fresh(f"{name}_gradient")

    def make_gradient():
        user = func_ref()
        if user is None:
            raise SrcGradError(f"{origin.name} no longer exists")
        if unit_functions:
            raise SrcGradError(
                f"second derivatives of {origin.name} go through its checkpointed loop, whose "
                "replay forward mode cannot differentiate\nDifferentiate twice without "
                "checkpointing: take the loop out of `srcgrad.checkpoint()` (or drop "
                "`checkpoint=`) for hessian, hvp and grad of grad.")
        gradient = codegen.function(
            gradient_name, build.clone(parameters),
            copy.deepcopy(join_sweeps(forward, backward, seed)))
        made = loading.compile_functions(
            [gradient], user, helpers,
            f"{origin.name} gradient from {os.path.basename(origin.filename)}", origin)[0]
        return loading.take_defaults(made, user)

    return Generated(*sweeps, wrt, unit.called, unit.resolver.guards(),
                     make_gradient=make_gradient, has_value=not ctx.grad_only, fused=fused,
                     fresh=ctx.fresh_returns, make_sweeps=lambda: make_sweeps(fused_code),
                     parts=(forward, backward, seed, parameters, name),
                     compiling=(helpers, label, origin), stored=stored)


def blocks_because(unit) -> str | None:
    """Why code with srcgrad's blocks is not fused: the fused passes would rewrite a hook's
    statements (which the user may read, e.g. by logging an array) and a checkpointed
    loop's replay like any other code."""
    if unit.hooks:
        line = unit.src.user_line(next(iter(unit.hooks.values())).node)
        return (f"(general code, not one fused function: the gradient hook at line {line} "
                "runs the user's code in the backward sweep)")
    loops = checkpoints.checkpointed(unit, saving_only=False)
    if loops:
        line = unit.src.user_line(next(iter(loops)))
        return (f"(general code, not one fused function: the loop at line {line} is "
                "checkpointed)")
    return None


def general_because(unit, shapes) -> str | None:
    """Why a call whose argument shapes are known runs the general forward and backward
    sweeps, not one fused function: the first value the result depends on whose shape is
    not known while the code is generated (None if the result's shape is known)."""
    if shapes is None or unit.result in shapes:
        return None
    for stmt in build.statements(unit.body):
        name = build.assigned_name(stmt) if isinstance(stmt, gast.Assign) else None
        if (name is not None and name in unit.active and name not in shapes
                and getattr(stmt, "lineno", None) is not None):
            line, text = unit.src.user_line(stmt), unit.src.line_text(stmt.lineno).strip()
            return (f"(general code, not one fused function: the shape of a value at line "
                    f"{line}, `{text}`, is not known while the code is generated)")
    return None


def for_some(unit) -> str:
    """`_W_b` for the code of a helper transformed for some of its parameters only (its
    caller passes values with gradients as W and b alone), so that two versions of one
    helper are told apart in `.source`; '' for all of them, or the function `grad` was
    asked for."""
    if len(calls.transform_stack()) < 2 or set(unit.wrt) >= set(unit.params):
        return ""
    return "_" + "_".join(unit.wrt)
