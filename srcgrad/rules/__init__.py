"""Adjoint and tangent rules: the registry and the modules that fill it."""

from . import (core, elementwise, helper_tangents, items, linalg,  # noqa: F401  (register)
               reductions, selection, shapes)
from .registry import (NONDIFFERENTIABLE, RULES, Example, Rule, adjoint,  # noqa: F401
                       display_name, tangent)
