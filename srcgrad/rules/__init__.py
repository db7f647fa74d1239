"""Adjoint and tangent rules: the registry and the modules that fill it."""

from . import (core, decompositions, defined, elementwise, helper_tangents,  # noqa: F401
               items, layout, linalg, reductions, selection, shapes)  # (each registers rules)
try:  # SciPy is optional: its rules register when it imports
    import scipy  # noqa: F401
except ImportError:
    pass
else:
    from . import (scipy_linalg, signal, special, special_integrals, stats,  # noqa: F401
                   stats_tails)
from .derive import derive_missing
from .registry import (NONDIFFERENTIABLE, RULES, Example, Rule, adjoint,  # noqa: F401
                       display_name, tangent)

derive_missing()  # the tangents of elementwise rules that have none written out
