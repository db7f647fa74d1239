"""Adjoint and tangent rules: the registry and the modules that fill it."""

from . import (containers, core, elementwise, linalg, reductions,  # noqa: F401  (register)
               runtime, shapes)
from .registry import (NONDIFFERENTIABLE, RULES, Example, Rule, adjoint,  # noqa: F401
                       display_name, tangent)
