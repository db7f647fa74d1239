"""Adjoint rules: the registry and the modules that fill it."""

from . import (containers, core, elementwise, linalg, reductions,  # noqa: F401  (register)
               shapes)
from .registry import NONDIFFERENTIABLE, RULES, Example, Rule, display_name  # noqa: F401
