"""Adjoint and tangent rules: the registry and the modules that fill it."""

from . import (core, decompositions, defined, elementwise,  # noqa: F401  (each registers rules)
               helper_tangents, helper_adjoints,  # (the helpers' tangent rules and examples first)
               items, layout, linalg, reductions, selection, shapes)
try:  # SciPy is optional: its rules register when it imports
    import scipy  # noqa: F401
except ImportError:
    pass
else:
    from . import (scipy_linalg, signal, special, special_integrals, stats,  # noqa: F401
                   stats_tails)
from .derive import derive_missing
from .discrete import declare_all
from .registry import (NONDIFFERENTIABLE, RULES, Example, Rule, adjoint,  # noqa: F401
                       display_name, tangent)

derive_missing()  # the tangents of elementwise rules that have none written out
declare_all()  # parameters without a derivative by nature, the rest refused when active
