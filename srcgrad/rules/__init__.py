"""Adjoint and tangent rules: the registry and the modules that fill it."""

from . import (core, elementwise, helper_tangents, items, linalg,  # noqa: F401  (register)
               reductions, selection, shapes)
from .derive import derive_missing
from .registry import (NONDIFFERENTIABLE, RULES, Example, Rule, adjoint,  # noqa: F401
                       display_name, tangent)

derive_missing()  # the tangents of elementwise rules that have none written out
