"""Forward mode: `jvp`, and `grad(grad(f))` (forward mode over the gradient code).

`jvp` transforms a function into one that computes each value and then its
tangent. Second derivatives are forward over reverse: forward mode applied to
the generated gradient code itself, so `hvp` costs a small multiple of one
gradient and never forms the Hessian.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, overload

import numpy as np

from ..backend import loading
from ..errors import SrcGradError
from ..pipeline import Generated, compiled_jvp
from ..runtime.containers import field_values, is_dataclass_value, with_fields
from .arguments import (check_input, distinct, like_argument, passed_functions, unbound,
                        wrt_names)
from .backends import LiveJax, checked_backend, stand_ins
from .gradient import Derivative, GradientFunction
from .hints import Backend, Wrt
from .tracebacks import user_facing


@overload
def jvp(func: Callable[..., Any], wrt: Wrt = 0, tangents: None = None,
        backend: Backend = "numpy") -> JvpFunction: ...
@overload
def jvp(func: Callable[..., Any], wrt: tuple[Any, ...] | list[Any],
        tangents: tuple[Any, ...] | list[Any], backend: Backend = "numpy") -> tuple[Any, Any]: ...
@overload
def jvp(func: None = None, wrt: Wrt = 0, tangents: None = None, backend: Backend = "numpy"
        ) -> Callable[[Callable[..., Any]], JvpFunction]: ...


def jvp(func: Callable[..., Any] | None = None, wrt: Any = 0, tangents: Any = None,
        backend: Backend = "numpy") -> Any:
    """Forward mode: `jvp(f, wrt)(*args, tangent=v)` returns `(f(*args), J v)`, the
    value and its directional derivative along `v`, from one sweep.

    `tangent` is shaped like the `wrt` argument (a tuple of them for a tuple `wrt`).
    `f` may also be a `grad(...)` function: that is a Hessian-vector product.
    JAX's call shape works too: `jvp(f, primals, tangents)` (two tuples, one entry per
    argument) returns the same `(value, tangent)` at once. `backend="jax"` (or "auto")
    runs the forward-mode code jitted by JAX (api/backends.py).
    """
    if tangents is not None:
        return _jax_form(func, wrt, tangents, backend)
    if func is None:
        return lambda f: JvpFunction(f, wrt, backend=backend)
    return JvpFunction(func, wrt, backend=backend)


def _jax_form(func, primals, tangents, backend="numpy"):
    """`jvp(f, primals, tangents)`, as `jax.jvp` is called."""
    if not (isinstance(primals, (tuple, list)) and isinstance(tangents, (tuple, list))
            and len(primals) == len(tangents) and primals):
        raise SrcGradError("jvp(f, primals, tangents) takes two tuples of the same length, "
                           "one entry per argument of f (JAX's form), e.g. jvp(f, (x,), (v,))")
    if len(primals) == 1:
        return JvpFunction(func, 0, backend=backend)(*primals, tangent=tangents[0])
    return JvpFunction(func, tuple(range(len(primals))), backend=backend)(
        *primals, tangent=tuple(tangents))


class JvpFunction(Derivative):
    """A callable that runs the generated forward-mode code of `__wrapped__`."""

    def __init__(self, func, wrt, value=True, backend="numpy"):
        func, wrt, self._receiver = unbound(func, wrt)  # jvp(model.loss): model passed first
        if not callable(func):
            raise SrcGradError(f"jvp expects a function, got {func!r}")
        if isinstance(func, (JvpFunction, SecondGradient)):
            raise SrcGradError("forward mode over forward mode (third derivatives) is not "
                               "supported; differentiate a function or a grad(...) of one")
        if isinstance(func, GradientFunction) and func.with_value:
            raise SrcGradError("jvp of value_and_grad is not supported; pass grad(f) instead")
        functools.update_wrapper(self, func)
        self._positional, self._wrt, self._single = wrt_names(func, wrt)
        plain = func.__wrapped__ if isinstance(func, GradientFunction) else func
        self._arguments = GradientFunction(plain, wrt, with_value=False)  # reads wrt values
        self._generated = None
        self._value = value  # False: the caller wants the tangent only (hvp)
        backend = checked_backend(backend)
        self._jax = LiveJax(backend, func.__name__) if backend != "numpy" else None

    def _target(self):
        """The plain function forward mode transforms: f, or the one-function gradient."""
        func = self.__wrapped__
        if isinstance(func, GradientFunction):
            return func.general().gradient
        return func

    def general(self, kwargs=None, args=None) -> Generated:
        """The forward-mode code for any arguments (of a function with `**kw`, given a
        call's `kwargs`: for the keywords it passes there; for the functions a call
        passes, or else the defaults that are functions)."""
        keywords = self._arguments.keywords_of(kwargs)
        statics = passed_functions(self._arguments.__wrapped__, args, kwargs)
        if (keywords is not None or statics) and not isinstance(self.__wrapped__,
                                                                GradientFunction):
            return compiled_jvp(self._target(), self._wrt, value=self._value, keywords=keywords,
                                statics=statics)
        if self._generated is None or not self._generated.current():
            self._generated = compiled_jvp(self._target(), self._wrt, value=self._value)
        return self._generated

    def variant_for(self, args, kwargs) -> Generated:
        """The forward-mode code for this call: over a gradient, forward mode over the
        gradient code specialized on these arguments' shapes (what grad itself runs)."""
        inner = self.__wrapped__
        if not isinstance(inner, GradientFunction):
            return self.general(kwargs, args)
        variant = inner.variant_for(args, kwargs)
        return compiled_jvp(variant.gradient, self._wrt, value=self._value)

    @property
    def wrt(self) -> tuple:
        """The names of the arguments whose tangents it takes."""
        return self._wrt

    @property
    def single(self) -> bool:
        """One tangent, not a tuple of them (`wrt` was one index or name)."""
        return self._single

    def wrt_values(self, args, kwargs) -> list:
        """The values of the wrt arguments in this call."""
        return self._arguments.wrt_values(args, kwargs)

    @property
    @user_facing
    def source(self) -> str:
        """The generated Python: each value, then its tangent."""
        return self.general().source

    @user_facing
    def __call__(self, *args: Any, tangent: Any, **kwargs: Any) -> tuple[Any, Any]:
        args = self._receiver + args
        generated = self.variant_for(*stand_ins(args, kwargs))
        tangents = (tangent,) if self._single else tuple(tangent)
        if len(tangents) != len(self._wrt):
            raise SrcGradError(f"jvp wrt {self._wrt} needs {len(self._wrt)} tangents, "
                               f"got {len(tangents)}")
        values = self.wrt_values(args, kwargs)
        given = {}
        for name, value, t in zip(self._wrt, values, tangents):
            check_input(self.__wrapped__, name, value)
            given[name] = _tangent_like(t, value, name)
        try:
            try:
                value, value_dot = self._pushed(generated, given, args, kwargs)
            except ZeroDivisionError:
                # gradient code specialized on shapes divides and raises to powers with
                # plain `/` and `**` (passes/specialize.py), which raise on a 0.0 of
                # Python's; the general code gives inf or nan, as NumPy does (and as grad
                # itself falls back to)
                if generated is self.general(kwargs, args):
                    raise
                value, value_dot = _pushed(self.general(kwargs, args), self._wrt, given, args,
                                           kwargs)
        except Exception as exc:
            loading.annotate(exc)
            raise
        inner = self.__wrapped__
        if isinstance(inner, GradientFunction):  # shaped like grad's own result
            inputs = inner.wrt_values(args, kwargs)
            value, value_dot = (v if v is None else _as_gradient(inner, v, inputs)
                                for v in (value, value_dot))
        return value, value_dot

    def _pushed(self, generated, given, args, kwargs):
        if self._jax is None:
            return _pushed(generated, self._wrt, given, args, kwargs)
        tangents = {code: given[name] for code, name in zip(generated.tangents, self._wrt)}
        return self._jax.call(generated, "jvp", generated.forward, args,
                              {**kwargs, **tangents},
                              lambda: _pushed(generated, self._wrt, given, args, kwargs))

    def __repr__(self):
        return f"<srcgrad.jvp of {self.__wrapped__.__qualname__} wrt {self._wrt}>"


def _pushed(generated, wrt, given, args, kwargs):
    """(value, tangent) of the generated forward-mode code, the tangents `given` by name."""
    tangents = {code: given[name] for code, name in zip(generated.tangents, wrt)}
    return generated.forward(*args, **kwargs, **tangents)


def _as_gradient(gradient, grads, inputs):
    """Generated gradient code's result as grad returns it: shaped and typed like the
    inputs, a tuple for a tuple wrt."""
    grads = (grads,) if len(inputs) == 1 else grads
    grads = distinct(tuple(like_argument(g, x) for g, x in zip(grads, inputs)))
    return grads[0] if gradient.single else grads


def _tangent_like(t, x, name):
    """The tangent `t` checked against its argument `x`: same structure and shapes, floats."""
    if isinstance(x, dict):
        if not isinstance(t, dict) or set(t) != set(x):
            raise SrcGradError(f"the tangent of '{name}' must be a dict with keys {sorted(x)}")
        return {k: _tangent_like(t[k], x[k], f"{name}[{k!r}]") for k in x}
    if isinstance(x, (list, tuple)):
        if not isinstance(t, (list, tuple)) or len(t) != len(x):
            raise SrcGradError(f"the tangent of '{name}' must be a sequence of {len(x)}")
        if hasattr(x, "_fields"):  # a namedtuple
            return type(x)(*(_tangent_like(a, b, name) for a, b in zip(t, x)))
        return type(x)(_tangent_like(a, b, f"{name}[{i}]") for i, (a, b) in enumerate(zip(t, x)))
    if is_dataclass_value(x):
        if type(t) is not type(x):
            raise SrcGradError(f"the tangent of '{name}' must be a {type(x).__name__}, like "
                               f"'{name}'")
        given = field_values(t)
        return with_fields(x, {field: _tangent_like(given[field], leaf, f"{name}.{field}")
                               for field, leaf in field_values(x).items()})
    if np.shape(t) != np.shape(x):
        raise SrcGradError(f"the tangent of '{name}' has shape {np.shape(t)}, but '{name}' "
                           f"has shape {np.shape(x)}")
    if isinstance(x, np.ndarray):
        return np.asarray(t, dtype=x.dtype)
    return float(t) if not isinstance(x, np.floating) else type(x)(t)




























class SecondGradient(Derivative):
    """`grad(grad(f, wrt=i), wrt=j)`: d/dx_j of df/dx_i, for a scalar x_i.

    By the symmetry of second derivatives this is forward mode over the gradient
    for x_j, along the unit tangent of x_i: one sweep, whatever the size of x_j.
    """

    def __init__(self, inner: GradientFunction, wrt, with_value: bool, backend="numpy"):
        if inner.with_value or not inner.single:
            raise SrcGradError("grad of a gradient needs grad(f) with a single wrt argument "
                               "(a scalar function); use srcgrad.hessian for several")
        if inner.prebound:
            raise SrcGradError(
                "grad of the gradient of a bound method or a functools.partial: write it for "
                "the function itself, with the object (or the fixed values) as arguments: "
                "grad(grad(Model.loss, wrt='params'), wrt='params')(model, params, ...)")
        functools.update_wrapper(self, inner)
        self._inner = inner
        self._with_value = with_value
        f = inner.__wrapped__
        _, outer, self._single = wrt_names(f, wrt)
        self._outer = outer[0] if self._single else outer
        self._along = inner.wrt[0]
        target = GradientFunction(f, outer[0] if self._single else outer, with_value=False)
        self._pushforward = JvpFunction(target, self._along, value=with_value, backend=backend)

    @property
    @user_facing
    def source(self) -> str:
        return self._pushforward.source

    def reverse_code(self):
        """The same second derivative as reverse over the gradient code (what a third
        one differentiates again: reverse mode has rules for the gradient code's helpers)."""
        if self._with_value:
            raise SrcGradError("grad of value_and_grad(grad(f)) is not supported: its result "
                               "is a pair; differentiate grad(grad(f)) instead")
        return GradientFunction(self._inner, self._outer, with_value=False).reverse_code()

    @user_facing
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        x, = self._inner.wrt_values(args, kwargs)
        if np.ndim(x) != 0 or isinstance(x, (dict, list, tuple)):
            raise SrcGradError(
                f"grad of grad needs '{self._along}' to be a scalar: the inner gradient must "
                f"be a scalar for the outer grad; use srcgrad.hessian or srcgrad.hvp instead")
        first, second = self._pushforward(*args, tangent=1.0, **kwargs)
        return (first, second) if self._with_value else second

    def __repr__(self):
        return f"<srcgrad.grad of {self._inner!r}>"
