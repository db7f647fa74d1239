"""Parameters that carry no derivative by nature, beyond the common names of
registry.DISCRETE (axis, shape, dtype, ...): each function's own, by the name errors give it.

Any other parameter without a contribution `d[x]` (or a tangent `t[x]`) is refused when an
active value reaches it (analysis/activity.py), so a missing derivative is never a silent
zero. The generated code's helpers read most of their arguments only for a shape, a place
or an identity: their adjoints are linear in the adjoint they move, not in those.
"""

from __future__ import annotations

from .registry import RULES, discrete, display_name

BY_NATURE = {
    "numpy.full_like": ("a",),  # its shape and dtype only
    "numpy.rollaxis": ("start",),  # an axis
    "x += v (the type x keeps)": ("old",),  # only its type
    "scipy.special.multigammaln": ("d",),  # the dimension, an integer
    "an update in place seen through another name": ("old",),  # which value was replaced
    # which item was replaced, and the container (whether a view of it is refused)
    "an item updated in place seen through another name (hs[0] += e)": ("old", "within"),
    "srcgrad.runtime.broadcast_back": ("like",),
    "srcgrad.runtime.cast_back": ("x",),
    "srcgrad.runtime.concatenator_adjoints": ("items",),
    "srcgrad.runtime.default_adjoint": ("mapping",),
    "srcgrad.runtime.dot_adjoint_x": ("x",),
    "srcgrad.runtime.dot_adjoint_y": ("y",),
    "srcgrad.runtime.field_adjoint": ("record",),
    "srcgrad.runtime.fields_of": ("mapping", "others"),
    "srcgrad.runtime.first_items": ("a",),
    "srcgrad.runtime.full_adjoint": ("a", "v", "correlation"),
    "srcgrad.runtime.gathered": ("small",),
    "srcgrad.runtime.got_adjoint": ("mapping",),
    "srcgrad.runtime.hook_adjoint": ("value",),  # its structure only
    "srcgrad.runtime.hook_result": ("value",),
    "srcgrad.runtime.imag_adjoint": ("x",),
    "srcgrad.runtime.in_order_adjoint": ("items",),
    "srcgrad.runtime.item_adjoint": ("x",),
    "srcgrad.runtime.items_summed": ("g",),
    "srcgrad.runtime.last_items": ("a", "b"),
    "srcgrad.runtime.linspace_adjoints": ("start", "stop"),
    "srcgrad.runtime.matmul_adjoint_x": ("x",),
    "srcgrad.runtime.matmul_adjoint_y": ("y",),
    "srcgrad.runtime.meshgrid_adjoint": ("arrays",),
    "srcgrad.runtime.pad_adjoint": ("array",),
    "srcgrad.runtime.pad_constant_adjoint": ("array", "constant_values"),
    "srcgrad.runtime.picked_adjoint": ("items", "chosen"),
    "srcgrad.runtime.place_diagonal": ("x",),
    "srcgrad.runtime.placed_in_full": ("in1", "in2"),
    "srcgrad.runtime.not_differentiable": ("function", "argument", "why"),  # its message
    "srcgrad.runtime.refresh_adjoint_new": ("refs", "old", "new"),
    "srcgrad.runtime.refresh_adjoint_refs": ("refs", "old"),
    "srcgrad.runtime.repeat_back": ("small",),
    "srcgrad.runtime.repeat_to": ("x",),
    "srcgrad.runtime.rhs_outer": ("b",),
    "srcgrad.runtime.scatter_add": ("x",),
    "srcgrad.runtime.select_adjoint": ("choicelist", "default"),
    "srcgrad.runtime.solve_transposed": ("b",),
    "srcgrad.runtime.split_among_ties": ("x", "y"),  # where the ties are: piecewise constant
    "srcgrad.runtime.split_like": ("arrays",),
    "srcgrad.runtime.split_ties_kept": ("x", "y"),
    "srcgrad.runtime.spread_to_items": ("items",),
    "srcgrad.runtime.take_back": ("like",),
    "srcgrad.runtime.undelete": ("arr",),
    "srcgrad.runtime.undiag": ("v",),
    "srcgrad.runtime.unblock": ("arrays",),
    "srcgrad.runtime.unbroadcast": ("x",),
    "srcgrad.runtime.unbroadcast_each": ("arrays",),
    "srcgrad.runtime.unique_adjoint": ("ar",),
    "srcgrad.runtime.unpartition": ("a",),  # where the order puts each item: piecewise constant
    "srcgrad.runtime.unrepeat": ("x",),
    "srcgrad.runtime.unsort": ("x",),  # (same)
    "srcgrad.runtime.untake": ("x",),
    "srcgrad.runtime.untake_along_axis": ("x",),
    "srcgrad.runtime.untile": ("x",),
}


def declare_all():
    """Declare BY_NATURE on the rules (after every rule module registered its own)."""
    found = set()
    for key, rule in RULES.items():
        params = BY_NATURE.get(display_name(key))
        if params is not None:
            discrete(key, *params)
            found.add(display_name(key))
    missing = {n for n in set(BY_NATURE) - found if not n.startswith("scipy.")}  # (optional)
    if missing:
        raise ValueError(f"no rules for {sorted(missing)}")
