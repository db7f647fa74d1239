"""The blocks a differentiated function may hold: `with srcgrad.checkpoint():` around a
loop and `with srcgrad.adjoint_of(h) as d_h:` (a gradient hook). srcgrad reads them from
the source (frontend/blocks.py); run plainly, they are context managers that change
nothing."""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError
from .containers import Fields, Parts


class checkpoint:  # noqa: N801 (used as `with srcgrad.checkpoint():`, like a function)
    """`with srcgrad.checkpoint():` around a counted loop (`for t in range(n):`) inside a
    differentiated function: its gradient keeps the loop's state at a few steps only and
    recomputes the rest in the backward sweep (binomial checkpointing). `snapshots`: how
    many states are kept at most (default: the fewest with which no step is advanced more
    than twice, the forward sweep included, about sqrt(2 n)). Run plainly, the loop runs
    as written."""

    def __init__(self, snapshots: int | None = None):
        self.snapshots = snapshots

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class adjoint_of:  # noqa: N801 (used as `with srcgrad.adjoint_of(h) as d_h:`)
    """`with srcgrad.adjoint_of(h) as d_h:` inside a differentiated function: a gradient
    hook. Its block runs in the backward sweep once `h`'s adjoint is complete, with `d_h`
    that adjoint; what `d_h` holds at its end replaces it. Run plainly, the block runs
    once on a `d_h` of zeros shaped like `h`, and what it computes is dropped."""

    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return hook_zero(self.value)

    def __exit__(self, *exc):
        return False


def adjoint_hook(value, hook, *reads) -> None:
    """Where a gradient hook stands in the forward code (frontend/blocks.py): it computes
    nothing; the backward sweep runs the hook's block there (ad/hooks.py)."""
    return None


def hook_zero(value):
    """The `as` name's value at the start of a gradient hook on `value` when no adjoint
    reached it: zero, structured like `value` (see hook_adjoint)."""
    return hook_adjoint(None, value)


def hook_adjoint(adjoint, value):
    """The `as` name's value at the start of a gradient hook: a copy of `value`'s adjoint
    (None: zero), structured like `value` (a dict with all its keys, a list or tuple of
    all its items), since the block may write into it and read any key."""
    if isinstance(value, dict):
        adjoint = adjoint or {}
        return {key: hook_adjoint(adjoint.get(key), v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        parts = [hook_adjoint(None if adjoint is None else a, v)
                 for a, v in zip(adjoint or [None] * len(value), value)]
        return type(value)(*parts) if hasattr(value, "_fields") else type(value)(parts)
    if adjoint is None:
        return np.zeros_like(value, dtype=np.result_type(value, 0.0))[()]
    return np.copy(adjoint)[()]


def hook_result(new, value):
    """What a gradient hook's block left in its `as` name, as the adjoint of `value`: it
    must have `value`'s shape (a broadcast adjoint would silently change the math), and
    for a dict, list or tuple its keys or length, each part shaped like its own."""
    if isinstance(value, dict):
        if not isinstance(new, dict) or set(new) != set(value):
            raise SrcGradError(f"a gradient hook left {_kind(new)} for a dict of keys "
                               f"{sorted(value, key=str)}\nGive the `as` name a dict with the "
                               "same keys, each shaped like its value.")
        return Fields({key: hook_result(new[key], v) for key, v in value.items()})
    if isinstance(value, (list, tuple)):
        if not isinstance(new, (list, tuple)) or len(new) != len(value):
            raise SrcGradError(f"a gradient hook left {_kind(new)} for a {type(value).__name__} "
                               f"of {len(value)} items\nGive the `as` name a list or tuple of "
                               "as many items, each shaped like its own.")
        return Parts(hook_result(a, v) for a, v in zip(new, value))
    if isinstance(new, (dict, list, tuple)) or np.shape(new) != np.shape(value):
        raise SrcGradError(f"a gradient hook left an adjoint of shape {np.shape(new)} for a "
                           f"value of shape {np.shape(value)}\nGive the `as` name an array "
                           "shaped like the value it hooks.")
    return new


def _kind(new) -> str:
    if isinstance(new, dict):
        return f"a dict of keys {sorted(new, key=str)}"
    if isinstance(new, (list, tuple)):
        return f"a {type(new).__name__} of {len(new)} items"
    return f"an adjoint of shape {np.shape(new)}"
