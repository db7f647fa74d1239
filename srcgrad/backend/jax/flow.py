"""What converted control flow calls (control.py): `branch`, `scan_range`, `loop_range`,
`scan_reversed`, and `as_index` around an index that may be a list. Each decides while the code is traced: a condition or trip count known
then (a shape, a Python number passed as a static argument) runs as Python does."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.lax import linalg as lax_linalg


def as_index(index):
    """An index of generated code as jax.numpy takes it: a list (alone or in a tuple) as
    the array NumPy reads it as (integers, or a mask of bools), a NumPy constant where its
    items are known while tracing."""
    if type(index) is tuple:
        return tuple(map(as_index, index))
    if type(index) is not list:
        return index
    try:
        return np.asarray(index)
    except jax.errors.TracerArrayConversionError:
        return jnp.asarray(index)


def _traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def branch(pred, then, otherwise, *operands):
    """The values `then(*operands)` or `otherwise(*operands)` bind, as `pred` says: one of
    them if `pred` is known while tracing; else both computed and each value picked with
    `jnp.where` where both branches are cheap and safe to run whatever `pred` is (see
    `selectable`), `lax.cond` (only the branch taken runs) otherwise. A value one branch
    leaves unbound (None) is the other's: the code reads it only where that branch was
    taken."""
    if not _traced(pred):
        return then(*operands) if pred else otherwise(*operands)
    pred = jnp.asarray(pred, dtype=bool)
    if pred.ndim:
        raise TypeError("the truth value of an array with more than one element is "
                        "ambiguous (an `if` on an array)")
    if not selectable(then, otherwise, operands):
        lazy = _cond(pred, then, otherwise, operands)
        if lazy is not None:
            return lazy
    a, b = then(*operands), otherwise(*operands)
    return tuple(_pick(pred, x, y) for x, y in zip(a, b))


# Work (elements computed, multiply-adds of a product) up to which both branches of an
# `if` are computed and selected: less than what a conditional's dispatch costs on a CPU
CHEAP = 4096
# Primitives whose result is NaN, infinite or clamped for some operands: a branch the
# `if` guards against them (x > 0 before log(x)) runs as lax.cond, so it computes them
# only where the program does. (A select would drop their values, but computing them
# where the program never does is not srcgrad's to do.)
PARTIAL = frozenset({
    lax.div_p, lax.rem_p, lax.log_p, lax.log1p_p, lax.sqrt_p, lax.rsqrt_p, lax.pow_p,
    lax.acos_p, lax.asin_p, lax.atanh_p, lax.acosh_p, lax.lgamma_p, lax.digamma_p,
    lax.igamma_p, lax.igammac_p, lax.polygamma_p, lax.erf_inv_p, lax.gather_p,
    lax.dynamic_slice_p, lax.dynamic_update_slice_p, lax.scatter_p, lax.scatter_add_p,
    lax.scatter_mul_p, lax.scatter_min_p, lax.scatter_max_p, lax.integer_pow_p,
    lax.nextafter_p, lax_linalg.cholesky_p, lax_linalg.lu_p, lax_linalg.triangular_solve_p,
    lax_linalg.eig_p, lax_linalg.eigh_p, lax_linalg.svd_p, lax_linalg.qr_p,
})
# Primitives whose cost is not their output's size: never selected
COSTLY = frozenset({lax.while_p, lax.scan_p, lax.cond_p, lax.fft_p, lax.sort_p, lax.cumsum_p,
                    lax.cumprod_p, lax.cumlogsumexp_p, lax.cummax_p, lax.cummin_p,
                    lax.top_k_p})


def selectable(then, otherwise, operands) -> bool:
    """Both branches safe to compute whatever the condition (no primitive that is NaN,
    infinite or clamped for some operands, but a division by a nonzero constant and an
    integer power of at most 2) and cheap (at most CHEAP elements of work together, no
    loop or nested branch): read from their jaxprs, traced on `operands`."""
    work = 0
    for fn in (then, otherwise):
        closed = jax.make_jaxpr(lambda *ops, fn=fn: _bound_values(fn(*ops)))(*operands)
        found = _work(closed.jaxpr)
        if found is None:
            return False
        work += found
    return work <= CHEAP


def _bound_values(values):
    return [v for v in values if v is not None]


def _work(jaxpr):
    """The elements of work of `jaxpr`, or None if it holds a partial or costly primitive."""
    total = 0
    for eqn in jaxpr.eqns:
        name = eqn.primitive.name
        inner = [p for p in eqn.params.values() if hasattr(p, "jaxpr")]
        if inner:  # a jit, custom_jvp or remat call: its equations
            found = [_work(getattr(p.jaxpr, "jaxpr", p.jaxpr)) for p in inner]
            if None in found:
                return None
            total += sum(found)
            continue
        if eqn.primitive in COSTLY or (eqn.primitive in PARTIAL and not _safe_partial(eqn)):
            return None
        if any(isinstance(p, tuple) and any(hasattr(x, "jaxpr") for x in p)
               for p in eqn.params.values()):
            return None  # branches or solves inside (a linear solve's jaxprs): not cheap
        size = max([math.prod(v.aval.shape) for v in eqn.outvars if hasattr(v.aval, "shape")],
                   default=1)
        if name == "dot_general":
            (contracted, _), _ = eqn.params["dimension_numbers"]
            shape = eqn.invars[0].aval.shape
            size *= math.prod(shape[d] for d in contracted)
        total += size
    return total


def _safe_partial(eqn) -> bool:
    """A partial primitive that is total on these operands: a division by a nonzero
    literal, a square."""
    if eqn.primitive.name == "div":
        divisor = getattr(eqn.invars[1], "val", None)  # a literal's value (a Var has none)
        return divisor is not None and bool(np.all(np.asarray(divisor) != 0))
    if eqn.primitive.name == "integer_pow":
        return 0 <= eqn.params["y"] <= 2
    return False


def _cond(pred, then, otherwise, operands):
    """lax.cond of the two branches if each value they bind has the same structure and
    shapes in both (dtypes promoted; a value one branch leaves unbound is zeros there),
    else None."""
    kinds = []  # per value: its shapes and dtypes, or None if neither branch binds it
    for x, y in zip(jax.eval_shape(then, *operands), jax.eval_shape(otherwise, *operands)):
        if x is None or y is None:
            kinds.append(y if x is None else x)
            continue
        flat_x, tree_x = jax.tree.flatten(x)
        flat_y, tree_y = jax.tree.flatten(y)
        if tree_x != tree_y or any(a.shape != b.shape for a, b in zip(flat_x, flat_y)):
            return None
        kinds.append(jax.tree.unflatten(tree_x, [
            jax.ShapeDtypeStruct(a.shape, jnp.result_type(a.dtype, b.dtype))
            for a, b in zip(flat_x, flat_y)]))
    bound = [i for i, kind in enumerate(kinds) if kind is not None]

    def cast(fn):
        def run(*ops):
            values = fn(*ops)
            return tuple(jax.tree.map(lambda k: jnp.zeros(k.shape, k.dtype), kinds[i])
                         if values[i] is None else
                         jax.tree.map(lambda v, k: jnp.asarray(v, k.dtype), values[i], kinds[i])
                         for i in bound)
        return run

    picked = iter(lax.cond(pred, cast(then), cast(otherwise), *operands))
    return tuple(next(picked) if kind is not None else None for kind in kinds)


def _pick(pred, x, y):
    if x is None:
        return y
    if y is None:
        return x
    return jax.tree.map(lambda a, b: jnp.where(pred, a, b), x, y)


def scan_range(step, carry, *bounds):
    """`for i in range(*bounds)` as one `lax.scan` of `step(carry, i) -> (carry, item)`:
    (the last carry, the items stacked: the tape). The bounds must be known while
    tracing (shapes, static arguments)."""
    steps = range(*bounds)
    index = jnp.arange(steps.start, steps.stop, steps.step) if len(steps) else jnp.zeros(
        (0,), int)
    carry = _stable(step, carry, index[0] if len(steps) else jnp.zeros((), int))
    return lax.scan(step, carry, index)


def loop_range(step, carry, tapes, *bounds):
    """`for i in range(*bounds)` of `step(carry, i) -> (carry, items)`: (the last carry,
    each tape of `tapes` (lists before the loop) with its items appended, stacked)."""
    carry, stacked = scan_range(step, carry, *bounds)
    return carry, tuple(_onto(tape, items, len(range(*bounds)))
                        for tape, items in zip(tapes, stacked))


def _onto(tape, items, length):
    if not (isinstance(tape, list) and not tape):
        raise TypeError("a list grown by a loop from items it held before: kept unrolled")
    return Stacked(items, length)


@jax.tree_util.register_pytree_node_class
class Stacked:
    """A list of items of one structure held as their leaves stacked (what a scan
    outputs): indexed (by a traced index too) and measured as the list is."""

    def __init__(self, items, length):
        self.items, self.length = items, length

    def __len__(self):
        return self.length

    def __getitem__(self, k):
        return jax.tree.map(lambda a: a[k], self.items)

    def __iter__(self):
        return (self[k] for k in range(self.length))

    def tree_flatten(self):
        return (self.items,), self.length

    @classmethod
    def tree_unflatten(cls, length, children):
        return cls(children[0], length)


def scan_reversed(step, carry, tape):
    """`for item in reversed(tape)` (tape: what scan_range stacked) as one `lax.scan`."""
    first = jax.tree.map(lambda a: a[0], tape)
    carry = _stable(step, carry, first)
    carry, _ = lax.scan(step, carry, tape, reverse=True)
    return carry


def _stable(step, carry, item):
    """`carry` as arrays of the dtypes one step leaves them (a sum started at 0.0 becomes
    float32 when float32 values are added): a scan's carry keeps its type."""
    carry = jax.tree.map(jnp.asarray, carry)
    for _ in range(3):
        after, _ = jax.eval_shape(step, carry, item)
        before = jax.tree.leaves(carry)
        leaves = jax.tree.leaves(after)
        if all(a.dtype == b.dtype and a.shape == b.shape and not getattr(a, "weak_type", False)
               for a, b in zip(before, leaves)):
            break
        carry = jax.tree.map(
            lambda a, b: jnp.broadcast_to(a, b.shape).astype(jnp.result_type(a.dtype, b.dtype)),
            carry, after)
    return carry
