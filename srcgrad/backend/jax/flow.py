"""What converted control flow calls (control.py): `branch`, `scan_range`,
`scan_reversed`. Each decides while the code is traced: a condition or trip count known
then (a shape, a Python number passed as a static argument) runs as Python does."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax


def _traced(value) -> bool:
    return isinstance(value, jax.core.Tracer)


def branch(pred, then, otherwise, *operands, select=False):
    """The values `then(*operands)` or `otherwise(*operands)` bind, as `pred` says: one of
    them if `pred` is known while tracing; else `lax.cond` (only the branch taken runs),
    or with `select` (short branches), both computed and each value picked with
    `jnp.where`. A value one branch leaves unbound (None) is the other's: the code reads
    it only where that branch was taken."""
    if not _traced(pred):
        return then(*operands) if pred else otherwise(*operands)
    pred = jnp.asarray(pred, dtype=bool)
    if pred.ndim:
        raise TypeError("the truth value of an array with more than one element is "
                        "ambiguous (an `if` on an array)")
    if not select:
        lazy = _cond(pred, then, otherwise, operands)
        if lazy is not None:
            return lazy
    a, b = then(*operands), otherwise(*operands)
    return tuple(_pick(pred, x, y) for x, y in zip(a, b))


def _cond(pred, then, otherwise, operands):
    """lax.cond of the two branches if they bind values of the same shapes (dtypes
    promoted), else None."""
    shapes_a = jax.eval_shape(then, *operands)
    shapes_b = jax.eval_shape(otherwise, *operands)
    if any(x is None or y is None for x, y in zip(shapes_a, shapes_b)):
        return None
    flat_a, tree_a = jax.tree.flatten(shapes_a)
    flat_b, tree_b = jax.tree.flatten(shapes_b)
    if tree_a != tree_b or any(x.shape != y.shape for x, y in zip(flat_a, flat_b)):
        return None
    dtypes = [jnp.result_type(x.dtype, y.dtype) for x, y in zip(flat_a, flat_b)]

    def cast(fn):
        def run(*ops):
            flat, _ = jax.tree.flatten(fn(*ops))
            return jax.tree.unflatten(tree_a, [jnp.asarray(v, d) for v, d in zip(flat, dtypes)])
        return run

    return lax.cond(pred, cast(then), cast(otherwise), *operands)


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
