"""Adjoint rules: the registry and the modules that fill it."""

from . import core  # noqa: F401  (registers the rules)
from .registry import NONDIFFERENTIABLE, RULES, Example, Rule, display_name  # noqa: F401
