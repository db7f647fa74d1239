"""The public entry points: `grad`, `value_and_grad`, `vjp` (gradient), `jvp` and
`grad(grad(f))` (forward), `jacobian`, `hessian`, `hvp` (jacobians)."""

from __future__ import annotations

from typing import Any, Callable, overload

from .arguments import refuse_unknown
from .forward import JvpFunction, SecondGradient, jvp
from .gradient import MAX_VARIANTS, Derivative, GradientFunction, vjp
from .hints import P, Wrt
from .jacobians import Hessian, Hvp, Jacobian, hessian, hvp, jacobian

__all__ = ["Derivative", "GradientFunction", "Hessian", "Hvp", "Jacobian", "JvpFunction",
           "MAX_VARIANTS", "SecondGradient", "grad", "hessian", "hvp", "jacobian", "jvp",
           "value_and_grad", "vjp"]


@overload
def grad(func: GradientFunction[P], wrt: Wrt = 0, has_aux: bool = False,
         checkpoint: bool | int = False) -> SecondGradient: ...
@overload
def grad(func: Callable[P, Any], wrt: Wrt = 0, has_aux: bool = False,
         checkpoint: bool | int = False) -> GradientFunction[P]: ...
@overload
def grad(func: None = None, wrt: Wrt = 0, has_aux: bool = False,
         checkpoint: bool | int = False) -> Callable[[Callable[P, Any]], GradientFunction[P]]: ...


def grad(func: Callable[..., Any] | None = None, wrt: Wrt = 0, has_aux: bool = False,
         checkpoint: bool | int = False, **unknown: Any) -> Any:
    """The gradient of a scalar-valued function, by source transformation.

    `wrt` is an argument index, an argument name, or a tuple of them (the
    `requires_grad=True` arguments). A single one gives one gradient; a
    tuple gives a tuple in `wrt` order. Usable as `grad(f)`, `@grad` and
    `@grad(wrt=("w", "b"))`. The result has `.source` (the generated Python).
    `has_aux=True`: `func` returns `(loss, aux)`; a call returns `(gradients, aux)`.
    `checkpoint=True` (or how many states to keep): every counted loop of `func` keeps
    its state at a few steps only and the backward sweep recomputes the rest (binomial
    checkpointing; `with srcgrad.checkpoint():` does it for one loop).
    """
    refuse_unknown("grad", unknown)
    if func is None:
        return lambda f: grad(f, wrt, has_aux, checkpoint)
    if isinstance(func, GradientFunction) and not has_aux:
        return SecondGradient(func, wrt, with_value=False)
    return GradientFunction(func, wrt, with_value=False, has_aux=has_aux, checkpoint=checkpoint)


@overload
def value_and_grad(func: GradientFunction[P], wrt: Wrt = 0, has_aux: bool = False,
                   checkpoint: bool | int = False) -> SecondGradient: ...
@overload
def value_and_grad(func: Callable[P, Any], wrt: Wrt = 0, has_aux: bool = False,
                   checkpoint: bool | int = False) -> GradientFunction[P]: ...
@overload
def value_and_grad(func: None = None, wrt: Wrt = 0, has_aux: bool = False,
                   checkpoint: bool | int = False
                   ) -> Callable[[Callable[P, Any]], GradientFunction[P]]: ...


def value_and_grad(func: Callable[..., Any] | None = None, wrt: Wrt = 0, has_aux: bool = False,
                   checkpoint: bool | int = False, **unknown: Any) -> Any:
    """Like `grad`, but returns `(value, gradients)` from a single forward sweep
    (`has_aux=True`: `((loss, aux), gradients)`)."""
    refuse_unknown("value_and_grad", unknown)
    if func is None:
        return lambda f: value_and_grad(f, wrt, has_aux, checkpoint)
    if isinstance(func, GradientFunction) and not has_aux:
        return SecondGradient(func, wrt, with_value=True)
    return GradientFunction(func, wrt, with_value=True, has_aux=has_aux, checkpoint=checkpoint)

