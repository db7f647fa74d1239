"""The public entry points: `grad`, `value_and_grad`, `vjp` (gradient), `jvp` and
`grad(grad(f))` (forward), `jacobian`, `hessian`, `hvp` (jacobians)."""

from .arguments import refuse_unknown
from .forward import JvpFunction, SecondGradient, jvp
from .gradient import MAX_VARIANTS, Derivative, GradientFunction, vjp
from .jacobians import Hessian, Hvp, Jacobian, hessian, hvp, jacobian

__all__ = ["Derivative", "GradientFunction", "Hessian", "Hvp", "Jacobian", "JvpFunction",
           "MAX_VARIANTS", "SecondGradient", "grad", "hessian", "hvp", "jacobian", "jvp",
           "value_and_grad", "vjp"]


def grad(func=None, wrt=0, has_aux=False, backend="numpy", **unknown):
    """The gradient of a scalar-valued function, by source transformation.

    `wrt` is an argument index, an argument name, or a tuple of them (the
    `requires_grad=True` arguments). A single one gives one gradient; a
    tuple gives a tuple in `wrt` order. Usable as `grad(f)`, `@grad` and
    `@grad(wrt=("w", "b"))`. The result has `.source` (the generated Python).
    `has_aux=True`: `func` returns `(loss, aux)`; a call returns `(gradients, aux)`.
    `backend`: "numpy" (the default), "jax" (the same code compiled by XLA: api/backends.py)
    or "auto" (JAX where it can run, else NumPy with a warning).
    """
    refuse_unknown("grad", unknown)
    if func is None:
        return lambda f: grad(f, wrt, has_aux, backend)
    if isinstance(func, GradientFunction) and not has_aux:
        return SecondGradient(func, wrt, with_value=False, backend=backend)
    return GradientFunction(func, wrt, with_value=False, has_aux=has_aux, backend=backend)


def value_and_grad(func=None, wrt=0, has_aux=False, backend="numpy", **unknown):
    """Like `grad`, but returns `(value, gradients)` from a single forward sweep
    (`has_aux=True`: `((loss, aux), gradients)`)."""
    refuse_unknown("value_and_grad", unknown)
    if func is None:
        return lambda f: value_and_grad(f, wrt, has_aux, backend)
    if isinstance(func, GradientFunction) and not has_aux:
        return SecondGradient(func, wrt, with_value=True, backend=backend)
    return GradientFunction(func, wrt, with_value=True, has_aux=has_aux, backend=backend)

