"""The fused gradient: both sweeps in one function, what a `grad` call runs, rewritten by
the passes of fused/ (no tuple of saved values between the sweeps, arrays released after
their last use and computed into, a loop's per-step products batched)."""

from __future__ import annotations

import builtins

import gast

from .. import runtime
from ..analysis import dtypes
from ..analysis.adjoint_shapes import AdjointShapes
from ..backend import codegen
from ..fused import (buffer_reuse, contribution_order, copy_propagation, free_after_last_use,
                     loop_batching, loop_buffer_reuse, number_folding, reduce_sums,
                     seed_folding, sinking, tape_slimming)
from ..ir import build
from ..runtime import containers


def join_sweeps(forward, backward, seed) -> list:
    """The statements of the forward sweep (without its return), the seed 1.0, then those
    of the backward sweep: the gradient as one body."""
    return forward.body[1:-1] + [build.assign(seed, build.const(1.0))] + backward.body[1:]


def build_fused(unit, shapes, forward, backward, seed, returned, kinds, parameters,
                value=None):
    """What a `grad` call runs: both sweeps in one function, with no tuple of saved values
    between them, each array released after its last use (release.py). With `value`
    (the name of the function's value), it returns `(value, gradients)`."""
    # the statements are shared with `forward` and `backward`, not copied: nothing changes
    # them once built (release only inserts statements; make_gradient copies)
    body = join_sweeps(forward, backward, seed)
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
    shape = AdjointShapes.of(unit, shapes).shape
    numpy = unit.helper("np")
    body = copy_propagation.propagate(body, keep | {seed}, set(unit.params))
    body = number_folding.numbers(body, keep | {seed})
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
        body = loop_buffer_reuse.in_loops(body, shape, keep, lambda: unit.helper("np"), float64)
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
