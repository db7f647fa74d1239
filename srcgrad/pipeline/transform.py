"""The transformer: source -> fence -> normalize -> SSA -> resolve -> activity -> reverse
-> simplify -> codegen. `transform` builds the forward and backward functions of a function.
"""

from __future__ import annotations

import builtins
import copy
import dataclasses
import os
import weakref
from dataclasses import dataclass, field

import gast
import numpy as np

from ..analysis import activity, dtypes, effects, shift_invariance, shape_inference
from ..ad import calls, forward, reverse
from ..backend import codegen
from .. import runtime
from ..fused import (copy_propagation, contribution_order, reduce_sums, free_after_last_use,
                     buffer_reuse, seed_folding, sinking, loop_batching, tape_slimming)
from ..passes import accumulate, simplify, specialize
from ..frontend import aliasing, fence, inline, source
from ..ir import build
from ..runtime import containers
from ..errors import SrcGradError
from ..ir.naming import Namer, names_in
from ..frontend.resolve import Resolver, unchanged
from ..frontend.ssa import to_ssa

_RUNTIME = {**vars(runtime), "np": np}
_CONTAINERS = vars(containers)
DEBUG = bool(os.environ.get("SRCGRAD_DEBUG"))  # print the code between stages


@dataclass
class Unit:
    """Everything known about the function being transformed, shared by the passes."""

    src: source.Source
    namer: Namer
    params: list
    wrt: tuple
    body: list = field(default_factory=list)
    result: str = ""
    ops: dict = field(default_factory=dict)  # assignment statement -> Op
    bindings: dict = field(default_factory=dict)  # assignment statement -> rule parameters
    active: set = field(default_factory=set)
    cancelled: set = field(default_factory=set)  # active values the result does not depend on
    loops: dict = field(default_factory=dict)  # loop node -> ssa.LoopInfo
    touched: set = field(default_factory=set)  # names given adjoint contributions so far
    called: list = field(default_factory=list)  # Generated of the helpers it calls
    mode: str = "rev"  # "fwd" for forward mode: which rules a call needs

    @property
    def backedge_heads(self) -> set:
        return {stmt for info in self.loops.values() for stmt in info.backedges}
    helpers: dict = field(default_factory=dict)  # name in generated code -> object
    resolver: Resolver | None = None

    def adjoint(self, name: str) -> str:
        return self.namer.adjoint(name)

    def tangent(self, name: str) -> str:
        return self.namer.tangent(name)

    def helper_object(self, base: str, obj) -> str:
        """A name in the generated code for `obj` (e.g. a helper's forward function)."""
        for code_name, bound in self.helpers.items():
            if bound is obj:
                return code_name
        code_name = self.namer.fresh(base)
        self.helpers[code_name] = obj
        return code_name

    def helper(self, name: str, namespace=None) -> str:
        """The generated code's name for a helper (np, unbroadcast, ...), never shadowing
        one of the user's names."""
        space = namespace or _RUNTIME
        obj = space[name] if name in space else getattr(builtins, name)
        for code_name, bound in self.helpers.items():
            if bound is obj:
                return code_name
        user_sees = self.resolver.lookup(name) if name not in self.resolver.locals else None
        if name in self.namer.taken and user_sees is not obj:
            code_name = self.namer.fresh(name)
        else:
            code_name = name
            self.namer.taken.add(name)
        self.helpers[code_name] = obj
        return code_name


@dataclass
class Generated:
    """The product of a transformation: live functions and their readable source."""

    _forward: object  # see `forward`
    _backward: object
    _own_source: str | None
    wrt: tuple
    helpers: list = field(default_factory=list)  # Generated of the helpers it calls
    guards: list = field(default_factory=list)  # see resolve.Resolver.guards
    arguments: dict | None = None  # the argument shapes it is specialized on (see api)
    kinds: dict | None = None  # and what it assumes of their dtypes (dtypes.kind_of)
    has_value: bool = True  # False: the forward sweep returns None for the value (grad only)
    tangents: tuple = ()  # forward mode: the keyword parameters taking the wrt tangents
    make_gradient: object = None  # () -> one function computing the gradient, compiled on demand
    call: object = None  # grad only: (*args) -> gradients, both sweeps in one function
    fresh: tuple = ()  # per gradient `call` returns: always an array it made (see _made_here)
    _gradient: object = None
    # grad only: () -> (forward, backward, own source), which only a caller asking for
    # them (or for the source) waits for: a grad call runs `call` alone
    make_sweeps: object = None

    @property
    def forward(self):
        """(*args) -> (value, saved): the forward sweep."""
        if self._forward is None and self.make_sweeps is not None:
            self._made_sweeps()
        return self._forward

    @property
    def backward(self):
        """(seed, *saved) -> gradients: the backward sweep."""
        if self._backward is None and self.make_sweeps is not None:
            self._made_sweeps()
        return self._backward

    @property
    def own_source(self) -> str:
        """The generated code of this function alone (not of its helpers)."""
        if self._own_source is None and self.make_sweeps is not None:
            self._made_sweeps()
        return self._own_source

    def _made_sweeps(self):
        self._forward, self._backward, self._own_source = self.make_sweeps()
        self.make_sweeps = None

    @property
    def gradient(self):
        """The gradient as ONE function (forward sweep, seed 1.0, backward sweep), for
        forward mode to differentiate again (hvp, hessian, grad of grad)."""
        if self._gradient is None:
            self._gradient = self.make_gradient()
        return self._gradient

    def current(self) -> bool:
        """Still valid: no name a call was resolved through (here or in a helper) rebound."""
        if not unchanged(self.guards):
            return False
        return not self.helpers or all(h.current() for h in self.helpers)

    @property
    def source(self) -> str:
        """This function's generated code, then that of every helper it calls."""
        seen, texts = set(), []

        def visit(generated):
            if id(generated) not in seen:
                seen.add(id(generated))
                texts.append(generated.own_source)
                for helper in generated.helpers:
                    visit(helper)

        visit(self)
        return "\n\n".join(texts)


def analyze(func, wrt: tuple, mode="rev", inline_helpers=False) -> Unit:
    """The front half of the pipeline: parse, refuse, normalize, SSA, resolve, activity.
    `inline_helpers`: calls of the user's helpers are written out in place (inline.py)."""
    src = source.load(func)
    fence.check(src)
    signature = src.tree.args
    params = [a.id for a in signature.posonlyargs + signature.args
              + ([signature.vararg] if signature.vararg else []) + signature.kwonlyargs]
    taken = names_in(gast.Module(body=src.tree.body, type_ignores=[])) | set(params)
    unit = Unit(src, Namer(taken), params, wrt, mode=mode)
    body, result = _normalize(unit)
    resolver = Resolver(func, params)
    body = inline.helpers(body, func, params, unit.namer, resolver,
                          only_writers=not inline_helpers)
    resolver.locals |= build.stored(body)
    body = aliasing.follow(body, params, result, src, resolver, unit.namer)
    unit.body, unit.result, unit.loops = to_ssa(body, params, unit.namer, result)
    _debug("normalized", unit.body)
    locals_ = params + [n.id for n in build.names(unit.body) if isinstance(n.ctx, gast.Store)]
    unit.resolver = Resolver(func, locals_)
    unit.resolver.callees.update(resolver.callees)  # what helpers written out read: guards too
    unit.resolver.defaults.update(resolver.defaults)
    unit.ops = {stmt: unit.resolver.op(stmt.value, stmt.targets[0])
                for stmt in _assignments(unit.body)}
    for stmt in build.statements(unit.body):  # our own helpers, under names that shadow nothing
        value = getattr(stmt, "value", None)
        if getattr(value, "_srcgrad_internal", None):
            value.func = build.load(unit.helper(value._srcgrad_internal, _CONTAINERS))
    unit.bindings = reverse.bindings(unit)
    unit.active = activity.analyze(unit)
    return unit


def transform(func, wrt: tuple, arguments: dict | None = None, value=True,
              kinds: dict | None = None, fused=False) -> Generated:
    """Build the forward and backward functions of `func` for the arguments `wrt`.

    With `arguments` ({parameter: shapeinfo.describe(value)} of one call), the code is
    specialized on those shapes; it raises specialize.NotSpecializable if it cannot be.
    `value=False` (only with `arguments` of real numbers and arrays): the value is not
    wanted, and if the shapes prove it a number, the forward sweep computes only what
    the backward sweep reads and returns None for it. `kinds` ({parameter:
    dtypes.kind_of(value)}, with `arguments`): what the grad-only code may assume of the
    arguments' dtypes (the call's variant key holds them). `fused=True` (the same
    arguments) with `value=True`: the value is wanted too, and a call may still run one
    function, which returns `(value, gradients)`.
    """
    unit = analyze(func, wrt, inline_helpers=arguments is not None)
    src = unit.src
    seed = unit.adjoint(unit.result)
    returned = [unit.adjoint(n) for n in wrt]
    shapes = None if arguments is None else shape_inference.infer(unit, arguments)
    unit.cancelled = shift_invariance.zero_adjoints(unit, shapes)
    if unit.cancelled:
        unit.active = activity.analyze(unit, unit.cancelled)
    adjoint_body = reverse.backward_body(unit)
    if shapes is not None:
        adjoint_body = specialize.backward(adjoint_body, unit, shapes, returned)
    adjoint_body = simplify.simplify(adjoint_body, set(returned))
    reverse.prune_tapes(adjoint_body, unit)
    fuse = (fused or not value) and _value_is_a_number(unit, shapes)
    grad_only = fuse and not value
    if fuse:  # real arguments, known shapes: adjoint arrays may be updated in place
        adjoint_body = accumulate.accumulate(adjoint_body, set(unit.namer.adjoints().values()),
                                          specialize.shape_function(unit, shapes))
    saved = _saved(unit, adjoint_body, seed)
    unit.body = reverse.insert_tapes(unit.body, unit)  # tapes first: they are saved values too
    reverse.bind_on_every_path(unit.body, set(saved))
    has_value = not grad_only
    if has_value:
        heading, result = "forward sweep: the original computation", build.load(unit.result)
    else:
        heading, result = "forward sweep: what the backward sweep reads", build.const(None)
        unit.body = _needed(unit.body, unit, set(saved))

    name = src.name
    parameters = codegen.parameters(src.tree.args, func)  # the user's, defaults not evaluated
    forward = codegen.function(
        unit.namer.fresh(f"{name}_forward{_for_some(unit)}"), build.clone(parameters),
        [build.comment(heading)] + unit.body + [
            gast.Return(value=build.tuple_([result,
                                            build.tuple_([build.load(n) for n in saved])]))])
    backward = codegen.function(
        unit.namer.fresh(f"{name}_backward{_for_some(unit)}"), codegen.arguments([seed] + saved),
        [build.comment("backward sweep: adjoints in reverse order")] + adjoint_body + [
            gast.Return(value=build.load(returned[0]) if len(returned) == 1
                        else build.tuple_([build.load(n) for n in returned]))])
    label = f"{src.name} from {os.path.basename(src.filename)}"
    # Built and compiled on demand; holds neither `func` nor `unit` (the cache's value must
    # not keep its weak key alive).
    func_ref, helpers, origin = weakref.ref(func), unit.helpers, dataclasses.replace(src, func=None)

    def make_sweeps(fused=None):
        """(forward, backward, the source of both and of `fused`)"""
        user = func_ref()
        if user is None:
            raise SrcGradError(f"{origin.name} no longer exists")
        functions = [forward, backward] + ([fused] if fused else [])
        rendered = codegen.unparse(functions)
        _debug("generated", None, rendered[0])
        fwd, bwd, *_ = codegen.compile_functions(functions, user, helpers, label, origin,
                                                 rendered)
        return codegen.take_defaults(fwd, user), bwd, rendered[0]

    call = fused = None
    fresh = ()
    if fuse:  # a call runs the fused function alone: the sweeps wait until asked
        fused = _fused_call(unit, shapes, forward, backward, seed, returned, kinds or {},
                            build.clone(parameters), None if grad_only else unit.result)
        fresh = _made_here(fused.body, returned, unit.helper("np"))  # reads `out=`
        fused.body = reduce_sums.outputs(fused.body, unit.helper("np"))
        call, = codegen.compile_functions([fused], func, unit.helpers, label, src,
                                          codegen.unparse([fused]))
        codegen.take_defaults(call, func)
        sweeps = make_sweeps(fused) if DEBUG else (None, None, None)
    else:
        sweeps = make_sweeps()
    gradient_name = unit.namer.fresh(f"{name}_gradient")

    def make_gradient():
        user = func_ref()
        if user is None:
            raise SrcGradError(f"{origin.name} no longer exists")
        gradient = codegen.function(
            gradient_name, build.clone(parameters),
            copy.deepcopy(_both_sweeps(forward, backward, seed)))
        made = codegen.compile_functions(
            [gradient], user, helpers,
            f"{origin.name} gradient from {os.path.basename(origin.filename)}", origin)[0]
        return codegen.take_defaults(made, user)

    return Generated(*sweeps, wrt, unit.called, unit.resolver.guards(),
                     make_gradient=make_gradient, has_value=has_value, call=call, fresh=fresh,
                     make_sweeps=lambda: make_sweeps(fused))


def _made_here(body, returned, numpy) -> tuple:
    """For each name in `returned`: it is bound once, at the top level of `body`, to an
    operation that makes a new array or number (never a view, an argument or another
    name), and else only updated in place: an array of it is the function's own,
    writeable and shared with nothing."""
    top, made = {id(stmt) for stmt in body}, {name: [] for name in returned}
    for stmt in build.statements(body):
        if isinstance(stmt, gast.AugAssign):
            continue  # in place: the same array
        targets = (stmt.targets if isinstance(stmt, gast.Assign) else
                   [stmt.target] if isinstance(stmt, gast.For) else [])
        for n in build.names(targets):
            if n.id in made and isinstance(n.ctx, gast.Store):
                simple = (isinstance(stmt, gast.Assign) and len(targets) == 1
                          and targets[0] is n and id(stmt) in top)
                made[n.id].append(stmt.value if simple else None)
    return tuple(len(made[name]) == 1 and made[name][0] is not None
                 and effects.makes_new(made[name][0], numpy) for name in returned)


def _both_sweeps(forward, backward, seed) -> list:
    """The statements of the forward sweep (without its return), the seed 1.0, then those
    of the backward sweep: the gradient as one body."""
    return forward.body[1:-1] + [build.assign(seed, build.const(1.0))] + backward.body[1:]


def _fused_call(unit, shapes, forward, backward, seed, returned, kinds, parameters,
                value=None):
    """What a `grad` call runs: both sweeps in one function, with no tuple of saved values
    between them, each array released after its last use (release.py). With `value`
    (the name of the function's value), it returns `(value, gradients)`."""
    # the statements are shared with `forward` and `backward`, not copied: nothing changes
    # them once built (release only inserts statements; make_gradient copies)
    body = _both_sweeps(forward, backward, seed)
    if value is not None:  # kept as the forward sweep left it (a loop's replay rebinds it)
        at, kept = len(forward.body) - 2, unit.namer.fresh("value")
        body.insert(at, build.assign(kept, build.load(value)))
        body[-1] = gast.Return(value=build.tuple_([build.load(kept), body[-1].value]))
        value = kept
    primal = {adj: name for name, adj in unit.namer.adjoints().items()}

    def is_array(name):
        known = shapes.get(primal.get(name, name))
        return (known is not None and known.shape not in (None, ())  # (None: a dict, list)
                and not known.integer)  # not shapes
    keep = set(unit.params) | set(returned) | ({value} if value else set())
    shape = specialize.shape_function(unit, shapes)
    numpy = unit.helper("np")
    body = copy_propagation.propagate(body, keep | {seed}, set(unit.params))
    body = seed_folding.numbers(body, keep | {seed})
    body = seed_folding.fold(body, keep | {seed}, lambda name: name not in primal and is_array(name),
                         numpy)
    numbers = buffer_reuse.numbers(body)
    shape, array = buffer_reuse.knowing_numbers(shape, numbers), lambda n: n not in numbers and is_array(n)
    body = sinking.sink(body, shape, array, keep, numpy, seed)
    body = contribution_order.defer(body, shape, array, lambda name: name not in primal, keep, numpy)
    body = free_after_last_use.release(body, array, keep)
    tape_names = {info.tape for info in unit.loops.values() if info.tape}
    found = float64 = None
    if kinds:
        found = dtypes.float64_arrays(body, kinds, unit.helpers, shape, tape_names)
        float64 = _certain(found, primal, numbers)
    body = buffer_reuse.reuse(body, shape, keep, lambda: unit.helper("np"),
                       lambda: unit.helper("spare"), unit.namer.fresh, float64)

    def length(node):
        known = shapes.get(node.id) if isinstance(node, gast.Name) else None
        value = node.value if isinstance(node, gast.Constant) else getattr(known, "const", None)
        return value if type(value) is int else None

    def is_range(name):
        return name not in unit.resolver.locals and unit.resolver.lookup(name) is builtins.range

    def harmless(name):  # writes none of its arguments
        obj = unit.helpers.get(name)
        if obj is None and name not in unit.resolver.locals:
            obj = unit.resolver.lookup(name)
        return any(obj is known for known in _HARMLESS)
    before = [id(stmt) for stmt in body]
    body = loop_batching.stack(body, shape, length, is_range, lambda: unit.helper("np"),
                          unit.namer.fresh, unit.helper, harmless, float64,
                          lambda name: found.kinds.get(name) if found else None)
    body = tape_slimming.slim(body, _code_name(unit, runtime.rows_of), _code_name(unit, builtins.len))
    if float64 is not None and any(isinstance(s, (gast.For, gast.While)) for s in body):
        # after stacking, which reads the loops as they were (and may bind new names)
        if [id(stmt) for stmt in body] != before:
            found = dtypes.float64_arrays(body, kinds, unit.helpers, shape, tape_names, found)
            float64 = _certain(found, primal, numbers)
        body = buffer_reuse.in_loops(body, shape, keep, lambda: unit.helper("np"), float64)
    if found is not None:
        body = reduce_sums.sums(body, found, numpy)
    return codegen.function(unit.namer.fresh(f"{unit.src.name}_grad"),
                            parameters,
                            [build.comment("the gradient: forward sweep, then backward sweep")]
                            + body)


def _code_name(unit, obj):
    """The generated code's name for a helper it calls, or None."""
    return next((name for name, bound in unit.helpers.items() if bound is obj), None)


def _certain(float64, primal, numbers):
    """`float64`, for expressions of forward values and numbers only: an adjoint's shape
    here is its value's, but scalarseed.py may have kept it smaller (`d_t9[:, None]`),
    which only runtime.spare's check at run time sees."""
    def test(node):
        return float64(node) and all(n.id not in primal or n.id in numbers
                                     for n in build.names(node))
    return test


_HARMLESS = (containers.zeros_like, runtime.scatter_add, runtime.unbroadcast,
             runtime.matmul_adjoint_x, runtime.matmul_adjoint_y, builtins.len, builtins.range,
             builtins.reversed)  # functions that change none of their arguments


def transform_jvp(func, wrt: tuple, value=True) -> Generated:
    """Build the forward-mode function of `func` for the arguments `wrt`:
    `f_jvp(*args, x_dot=..., ...)` returns `(value, tangent of value)`; with `value=False`
    `(None, tangent)`, and what only the value needs is never computed (an hvp)."""
    unit = analyze(func, wrt, mode="fwd")
    src = unit.src
    body = forward.tangent_body(unit)
    result = unit.result
    if result in unit.active:
        result_dot = build.load(unit.tangent(result))
    else:  # the value does not depend on the wrt arguments
        result_dot = build.call(build.load(unit.helper("zero_tangent", _CONTAINERS)),
                                build.load(result))
    live_out = {n.id for n in gast.walk(result_dot) if isinstance(n, gast.Name)}
    body = simplify.simplify(body, live_out | ({result} if value else set()),
                             build.stored(unit.body))
    tangents = tuple(unit.tangent(n) for n in wrt)
    args = codegen.parameters(src.tree.args, func)
    args.kwonlyargs = args.kwonlyargs + [build.store(n) for n in tangents]
    args.kw_defaults = args.kw_defaults + [None] * len(tangents)
    jvp = codegen.function(
        unit.namer.fresh(f"{src.name}_jvp{_for_some(unit)}"), args,
        [build.comment("forward mode: each value, then its tangent")] + body + [
            gast.Return(value=build.tuple_([build.load(result) if value else build.const(None),
                                            result_dot]))])
    text = codegen.render([jvp])
    _debug("generated", None, text)
    made, = codegen.compile_functions([jvp], func, unit.helpers,
                                      f"{src.name} jvp from {os.path.basename(src.filename)}", src)
    codegen.take_defaults(made, func)
    return Generated(made, None, text, wrt, unit.called, unit.resolver.guards(), tangents=tangents)


def _for_some(unit) -> str:
    """`_W_b` for the code of a helper transformed for some of its parameters only (its
    caller passes values with gradients as W and b alone), so that two versions of one
    helper are told apart in `.source`; '' for all of them, or the function `grad` was
    asked for."""
    if len(calls.transform_stack()) < 2 or set(unit.wrt) >= set(unit.params):
        return ""
    return "_" + "_".join(unit.wrt)


def _value_is_a_number(unit, shapes) -> bool:
    """The shapes prove the function's value a real number (so `grad` need not check it):
    it is a differentiable value of shape (), and nothing in the function makes complex
    numbers or chooses a dtype."""
    if shapes is None or unit.result not in unit.active:
        return False
    known = shapes.get(unit.result)
    if known is None or known.shape != () or known.integer:
        return False
    for node in build.nodes(gast.Module(body=unit.body, type_ignores=[])):
        if isinstance(node, gast.Constant) and isinstance(node.value, complex):
            return False
        if isinstance(node, gast.keyword) and node.arg == "dtype":
            return False
        if isinstance(node, gast.Attribute) and node.attr in ("astype", "view", "real", "imag"):
            return False
    return True


def _needed(body, unit, live) -> list:
    """The top-level statements of the forward sweep that `live` names depend on, or that
    may have effects: assignments by a differentiable rule of NumPy (not a call of the
    user's, not a random draw) whose names nothing reads are dropped."""
    out = []
    for stmt in reversed(body):
        op = unit.ops.get(stmt) if isinstance(stmt, gast.Assign) else None
        if (op is not None and isinstance(stmt.targets[0], gast.Name)
                and stmt.targets[0].id not in live and op.rule is not None
                and not op.is_user_call and not op.nondifferentiable):
            continue
        live |= build.loaded(stmt)
        out.append(stmt)
    out.reverse()
    return out


def _normalize(unit):
    from ..frontend.normalize import normalize
    return normalize(unit.src, unit.namer)


def _assignments(body):
    return (stmt for stmt in build.statements(body) if isinstance(stmt, gast.Assign))


def _saved(unit, adjoint_body, seed) -> list:
    """Forward values the backward sweep reads, in the order the forward sweep makes them."""
    read = reverse.exposed_reads(adjoint_body)
    tapes = [info.tape for info in unit.loops.values() if info.tape]
    order = list(unit.params) + [n.id for s in _assignments(unit.body)
                                 for n in build.names(s.targets[0])] + tapes
    return [n for n in dict.fromkeys(order) if n in read and n != seed]


def _debug(stage, body, text=None):
    if DEBUG:
        if text is None:
            fn = codegen.function("stage", codegen.arguments([]), body)
            text = codegen.render([fn])
        print(f"--- srcgrad: {stage} ---\n{text}")


__all__ = ["transform", "Generated", "SrcGradError"]
