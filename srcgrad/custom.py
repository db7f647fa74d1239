"""Steering the gradient: `stop_gradient`, and adjoint rules for your own functions.

A custom rule uses the same notation as the built-in rules and lands in the same
registry, so it reads like the math and appears in `.source` as written::

    from srcgrad import custom_adjoint, d

    def logsumexp(x):                       # or a C extension, a scipy call...
        m = np.max(x)
        return m + np.log(np.sum(np.exp(x - m)))

    @custom_adjoint(logsumexp)
    def logsumexp_adjoint(z, x):            # z is the result, x the argument
        d[x] = d[z] * np.exp(x - z)         # the softmax: stable, one line
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, TypeVar

from .errors import SrcGradError
from .pipeline import forget_all
from .rules.registry import RULES, Rule, nondifferentiable


T = TypeVar("T")
Template = TypeVar("Template", bound=Callable[..., Any])


def stop_gradient(x: T) -> T:
    """`x` unchanged, but no gradient flows through it (PyTorch's `detach()`/`no_grad`)."""
    return x


nondifferentiable(stop_gradient)


class _AdjointOf:
    """`d[x]` in a rule template: the adjoint of x. Templates are read, never run."""

    def __getitem__(self, name):
        raise RuntimeError("d[...] only has meaning inside a rule passed to custom_adjoint")

    __setitem__ = __getitem__


d = _AdjointOf()


def custom_adjoint(func: Callable[..., Any], *,
                   broadcast: bool = False) -> Callable[[Template], Template]:
    """Register the decorated template as the adjoint rule of `func`.

    The template's first parameter is the result, the others are `func`'s
    parameters (defaults included); `d[param] = expression` gives that
    parameter's adjoint. Registering again for the same function replaces the
    rule (handy in notebooks). Gradients built after this call use the rule.
    """
    if not callable(func):
        raise SrcGradError(f"custom_adjoint needs the function it differentiates, got {func!r}")

    def register(template):
        params = list(inspect.signature(template).parameters)
        try:
            wanted = list(inspect.signature(func).parameters)
        except (TypeError, ValueError):
            wanted = None
        if wanted is not None and params[1:] != wanted:
            raise SrcGradError(
                f"the rule {template.__name__}{tuple(params)} must take the result, then the "
                f"parameters of {getattr(func, '__name__', func)}: (z, {', '.join(wanted)})")
        rule = Rule(template.__name__, template, broadcast, [], user=True)
        unknown = rule.differentiable - set(params)
        if unknown:
            raise SrcGradError(f"{template.__name__} gives d[...] to {sorted(unknown)}, "
                               "which are not its parameters")
        RULES[func] = rule
        forget_all()  # gradients built before may have transformed `func` instead
        return template
    return register
