"""The passes, in order: one list per body they rewrite, and for each step what must run
before it and why. Every step is `run(body, ctx) -> body` (ctx: analysis.context.Context);
a *facts* step only writes facts into the context and returns `body` as it is.

    FRONT          the function's own statements, from its source  (pipeline/front_half.py)
    SWEEPS         the backward sweep, from nothing        (pipeline/reverse_mode.py)
    FORWARD_SWEEP  the forward sweep, from the front half  (pipeline/reverse_mode.py)
    FUSED          both sweeps joined: the fused gradient  (pipeline/fused_gradient.py)
    JVP            the tangent sweep of forward mode       (pipeline/forward_mode.py)

A step not marked `essential` can be left out (ctx.skip; `cache.skipping` for tests and
for finding which pass does what): the code is then slower or reads worse, never wrong.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Callable

from ..ad import checkpoints, forward, hooks, reverse, tapes
from ..analysis import activity, adjoint_shapes, dtypes, effects, shift_invariance
from ..analysis.context import Context
from ..backend.codegen import debug_print
from ..frontend import (aliasing, auxiliary, blocks, fence, inline, normalize, resolve, ssa,
                        static_functions, unrolling)
from ..fused import (buffer_reuse, common_subexpressions, complementary_choices,
                     contribution_order, copy_propagation, del_pruning, free_after_last_use,
                     loop_batching, loop_buffer_reuse, number_folding, number_notes,
                     positional_out, positive_divisions, product_sums, reduce_sums,
                     seed_folding, selected_numbers, sinking, tape_slimming, unread_bindings)
from ..passes import (accumulate, fallback_notes, forward_pruning, item_adjoints, simplify,
                      small_adjoints, specialize)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[list, Context], list]
    requires: tuple = ()  # steps that must come earlier (when they run at all)
    why: str = ""  # why here: what it needs of the steps before, or gives those after
    facts: bool = False  # it only writes facts into the context
    essential: bool = False  # without it the code is wrong or incomplete: never skipped
    when: Callable[[Context], bool] | None = None  # it runs only if this holds


def _known_shapes(ctx):
    return ctx.shapes is not None


def _fused(ctx):
    return ctx.fused


def _grad_only(ctx):
    return ctx.grad_only


def _known_dtypes(ctx):
    return bool(ctx.kinds)


def _float64_known(ctx):
    return ctx.float64 is not None


def _loops_rewritten(ctx):
    return ctx.float64 is not None and bool({"loop_batching", "tape_slimming"} & ctx.changed)


FRONT = (
    Step("blocks", blocks.run, essential=True,
         why="srcgrad's own `with` blocks (checkpoint, adjoint_of) out of the source, before "
             "the fence refuses every other `with`"),
    Step("fence", fence.run, ("blocks",), essential=True,
         why="first: what cannot be differentiated is refused at the user's own line"),
    Step("static_functions", static_functions.run, ("fence",), essential=True,
         why="a function passed as an argument named as the function it is, before "
             "anything resolves, writes out or maps over it"),
    Step("unrolling", unrolling.run, ("fence",),
         why="loops over sequences of known length written out, before they are lowered"),
    Step("normalize", normalize.run, ("fence",), essential=True,
         why="one operation per statement, one result: each statement meets one rule"),
    Step("auxiliary", auxiliary.run, ("normalize",), essential=True,
         why="has_aux: the loss and the aux value apart, before any name aliases them"),
    Step("inline", inline.run, ("normalize",), essential=True,
         why="a helper that writes an argument must be seen in the caller (aliasing)"),
    Step("aliasing", aliasing.run, ("inline",), essential=True,
         why="every write in place is in this body now: each aliasing name follows it"),
    Step("ssa", ssa.run, ("aliasing",), essential=True,
         why="one binding per name: the sweeps can keep each value"),
    Step("resolve", resolve.run, ("ssa",), essential=True,
         why="each operation to its rule, once no name changes any more"),
    Step("bind_operands", reverse.bind_operands, ("resolve",), facts=True, essential=True,
         why="the rules' parameters, of the operands each call passes"),
    Step("activity", activity.run, ("bind_operands",), facts=True, essential=True,
         why="which values get adjoints: reads every operation's rule and operands"),
)

SWEEPS = (
    Step("shift_invariance", shift_invariance.run, facts=True,
         why="a reduction the result cannot depend on gets no adjoint: activity without it"),
    Step("reverse", reverse.run, ("shift_invariance",), essential=True,
         why="the backward sweep, from the rules' templates"),
    Step("specialize", specialize.run, ("reverse",), when=_known_shapes,
         why="rewrites the general helpers reverse emitted (unbroadcast, matmul adjoints)"),
    Step("item_adjoints", item_adjoints.run, ("specialize",), when=_known_shapes,
         why="the containers' items are known: their adjoints are kept item by item"),
    Step("small_adjoints", small_adjoints.run, ("specialize",),
         why="reads the shapes specialize knows of the sweep's own names"),
    Step("simplify", simplify.run, ("specialize", "small_adjoints"),
         why="folds what they leave (`x * 1`, unread values)"),
    Step("fallback_notes", fallback_notes.run, ("specialize", "simplify"), when=_known_shapes,
         why="the general helpers simplify left: a loop says why they stay"),
    Step("prune_tapes", tapes.prune_tapes, ("simplify",),
         why="a tape keeps what the simplified replay still reads"),
    Step("replays", checkpoints.replays, ("prune_tapes",), essential=True,
         why="a checkpointed loop's replay recomputes its records from kept states (the "
             "records are final once the tapes are pruned)"),
    Step("code_shapes", adjoint_shapes.code_shapes, ("simplify",), facts=True,
         when=_known_shapes, why="the shapes accumulate reads, of the final names"),
    Step("accumulate", accumulate.run, ("simplify", "code_shapes"), when=_fused,
         why="`d = d + e` is final once simplified"),
    Step("saved_values", tapes.saved_values, ("accumulate",), facts=True, essential=True,
         why="what the final backward sweep reads of the forward sweep"),
)

FORWARD_SWEEP = (
    Step("insert_tapes", tapes.insert_tapes, essential=True,
         why="the loops fill the tapes the replays read (prune_tapes made them final)"),
    Step("bind_on_every_path", tapes.bind_on_every_path, ("insert_tapes",), essential=True,
         why="every saved value, the tapes included, is bound whichever branch ran"),
    Step("kept_states", checkpoints.kept_states, ("bind_on_every_path",), essential=True,
         why="a checkpointed loop keeps states, not records: its body, tapes of inner loops "
             "included, becomes the step and record functions"),
    Step("hook_markers", hooks.hook_markers, essential=True,
         why="where a gradient hook stands computes nothing in the forward sweep"),
    Step("forward_pruning", forward_pruning.run, ("kept_states",), when=_grad_only,
         why="the value unwanted: only what the backward sweep reads is computed"),
)

FUSED = (
    Step("copy_propagation", copy_propagation.run,
         why="first: the passes after see one array under one name"),
    Step("number_folding", number_folding.run, ("copy_propagation",),
         why="with the seed's copies gone, reads of numbers become constants"),
    Step("positive_divisions", positive_divisions.run, ("copy_propagation",),
         why="one name per array: a divisor's bound is read through its bindings"),
    Step("selected_numbers", selected_numbers.run, ("number_folding",),
         why="the seed's numbers are constants in the choices now"),
    Step("complementary_choices", complementary_choices.run, ("selected_numbers",),
         why="the contributions' choices hold their scaled numbers now"),
    Step("seed_folding", seed_folding.run, ("number_folding",),
         why="`1.0 * t` is then a product with a constant"),
    Step("common_subexpressions", common_subexpressions.run, ("seed_folding",),
         why="the numbers folded, the seed's products gone: equal expressions read alike"),
    Step("numbers", adjoint_shapes.numbers, ("seed_folding",), facts=True, essential=True,
         why="the names left bound to numbers are no arrays, whatever their shape says"),
    Step("sinking", sinking.run, ("numbers",),
         why="moves statements next to their reader, so more arrays die early"),
    Step("contribution_order", contribution_order.run, ("sinking",),
         why="reorders the sums sinking placed so that they start in a dying array"),
    Step("free_after_last_use", free_after_last_use.run, ("sinking", "contribution_order"),
         why="`del` after the last reader, once no statement moves any more"),
    Step("float64", dtypes.float64, ("free_after_last_use",), facts=True, when=_known_dtypes,
         why="which arrays are float64, of the body as it is now"),
    Step("product_sums", product_sums.run, ("float64",), when=_float64_known,
         why="a product read by its sum alone, as one call: the sum sees float64 names"),
    Step("buffer_reuse", buffer_reuse.run, ("free_after_last_use", "float64"),
         why="reads the `del`s: an array about to die takes the result"),
    Step("loop_batching", loop_batching.run, ("buffer_reuse",),
         why="reads the loops as the sweeps made them (buffer_reuse leaves them)"),
    Step("tape_slimming", tape_slimming.run, ("loop_batching",),
         why="the replays read rows of arrays now, not the tape's entries"),
    Step("float64_again", dtypes.float64_again, ("loop_batching", "tape_slimming"),
         facts=True, when=_loops_rewritten, why="the loop rewrites bound new names"),
    Step("loop_buffer_reuse", loop_buffer_reuse.run, ("float64_again",),
         when=_float64_known, why="the loops are final; float64 arrays are computed into"),
    Step("reduce_sums", reduce_sums.run, ("float64_again",), when=_float64_known,
         why="sums of float64 arrays call the reduction itself"),
    Step("fresh_returns", effects.fresh_returns, ("buffer_reuse", "loop_buffer_reuse"),
         facts=True, essential=True, why="reads `out=`: which gradients are new arrays"),
    Step("positional_out", positional_out.run, ("fresh_returns",),
         why="the passes before read the keyword `out=`"),
    Step("del_pruning", del_pruning.run, ("buffer_reuse", "loop_buffer_reuse"),
         why="buffer_reuse read the `del`s: only those that free much memory stay"),
    Step("unread_bindings", unread_bindings.run, ("positional_out",),
         why="the seed kept the sweeps apart while statements moved"),
    Step("number_notes", number_notes.run, ("number_folding", "unread_bindings"),
         why="last: a note ends the line of the statement before it"),
)

JVP = (
    Step("forward", forward.run, essential=True,
         why="each value, then its tangent, from the rules' tangent templates"),
    Step("result_tangent", forward.result_tangent, ("forward",), facts=True, essential=True,
         why="what the jvp function returns: simplify keeps it"),
    Step("simplify", simplify.run, ("result_tangent",),
         why="drops the tangents nothing reads"),
)

LISTS = {"FRONT": FRONT, "SWEEPS": SWEEPS, "FORWARD_SWEEP": FORWARD_SWEEP, "FUSED": FUSED,
         "JVP": JVP}
NAMES = frozenset(step.name for steps in LISTS.values() for step in steps)


def run(steps, body: list, ctx: Context) -> list:
    """`body` through `steps`, in order; the steps that changed its top-level statements
    are recorded in ctx.changed."""
    for step in steps:
        if (step.name in ctx.skip and not step.essential) or (
                step.when is not None and not step.when(ctx)):
            continue
        before = list(body)
        body = step.run(body, ctx)
        if len(body) != len(before) or any(map(operator.is_not, body, before)):
            ctx.changed.add(step.name)
        debug_print(step.name, body)
    return body
