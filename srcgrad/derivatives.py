"""Forward mode and higher derivatives: `jvp`, `jacobian`, `hessian`, `hvp`, and
`grad(grad(f))`.

`jvp` transforms a function into one that computes each value and then its
tangent. Second derivatives are forward over reverse: forward mode applied to
the generated gradient code itself, so `hvp` costs a small multiple of one
gradient and never forms the Hessian.
"""

from __future__ import annotations

import functools
import types

import numpy as np

from . import api
from .backend import codegen
from .ad import calls
from .frontend import source
from .api import GradientFunction, _check_input, _wrt_names
from .errors import SrcGradError
from .pipeline.transform import Generated, transform_jvp


def jvp(func=None, wrt=0):
    """Forward mode: `jvp(f, wrt)(*args, tangent=v)` returns `(f(*args), J v)`, the
    value and its directional derivative along `v`, from one sweep.

    `tangent` is shaped like the `wrt` argument (a tuple of them for a tuple `wrt`).
    `f` may also be a `grad(...)` function: that is a Hessian-vector product.
    """
    if func is None:
        return lambda f: JvpFunction(f, wrt)
    return JvpFunction(func, wrt)


class JvpFunction:
    """A callable that runs the generated forward-mode code of `__wrapped__`."""

    def __init__(self, func, wrt, value=True):
        if not callable(func):
            raise SrcGradError(f"jvp expects a function, got {func!r}")
        if isinstance(func, (JvpFunction, SecondGradient)):
            raise SrcGradError("forward mode over forward mode (third derivatives) is not "
                               "supported; differentiate a function or a grad(...) of one")
        if isinstance(func, GradientFunction) and func._with_value:
            raise SrcGradError("jvp of value_and_grad is not supported; pass grad(f) instead")
        functools.update_wrapper(self, func)
        self._positional, self._wrt, self._single = _wrt_names(func, wrt)
        plain = func.__wrapped__ if isinstance(func, GradientFunction) else func
        self._arguments = GradientFunction(plain, wrt, with_value=False)  # reads wrt values
        self._generated = None
        self._value = value  # False: the caller wants the tangent only (hvp)

    def _target(self):
        """The plain function forward mode transforms: f, or the one-function gradient."""
        func = self.__wrapped__
        if isinstance(func, GradientFunction):
            return func._compiled().gradient
        return func

    def _compiled(self) -> Generated:
        if self._generated is None or not self._generated.current():
            self._generated = compiled_jvp(self._target(), self._wrt, value=self._value)
        return self._generated

    def _for_call(self, args, kwargs) -> Generated:
        """The forward-mode code for this call: over a gradient, forward mode over the
        gradient code specialized on these arguments' shapes (what grad itself runs)."""
        inner = self.__wrapped__
        if not isinstance(inner, GradientFunction):
            return self._compiled()
        key, checked = api._key(args, kwargs, inner._wrt_index)
        variant = inner._variants.get(key)
        if variant is None or not variant.current():
            variant = inner._variant(key, checked, args, kwargs)
        return compiled_jvp(variant.gradient, self._wrt, value=self._value)

    @property
    def source(self) -> str:
        """The generated Python: each value, then its tangent."""
        return self._compiled().source

    def __call__(self, *args, tangent, **kwargs):
        generated = self._for_call(args, kwargs)
        tangents = (tangent,) if self._single else tuple(tangent)
        if len(tangents) != len(self._wrt):
            raise SrcGradError(f"jvp wrt {self._wrt} needs {len(self._wrt)} tangents, "
                               f"got {len(tangents)}")
        values = _wrt_values(self, args, kwargs)
        given = {}
        for name, value, t in zip(self._wrt, values, tangents):
            _check_input(self.__wrapped__, name, value)
            given[name] = _tangent_like(t, value, name)
        kwargs.update({code: given[name] for code, name in zip(generated.tangents, self._wrt)})
        try:
            value, value_dot = generated.forward(*args, **kwargs)
        except Exception as exc:
            codegen.annotate(exc)
            raise
        inner = self.__wrapped__
        if isinstance(inner, GradientFunction):  # shaped like grad's own result
            inputs = inner._wrt_values(args, kwargs)
            value, value_dot = (v if v is None else _as_gradient(inner, v, inputs)
                                for v in (value, value_dot))
        return value, value_dot

    def __repr__(self):
        return f"<srcgrad.jvp of {self.__wrapped__.__qualname__} wrt {self._wrt}>"


def _as_gradient(gradient, grads, inputs):
    """Generated gradient code's result as grad returns it: shaped and typed like the
    inputs, a tuple for a tuple wrt."""
    grads = (grads,) if len(inputs) == 1 else grads
    grads = api._distinct(tuple(api._like(g, x) for g, x in zip(grads, inputs)))
    return grads[0] if gradient._single else grads


def _wrt_values(fn, args, kwargs) -> list:
    """The values of the wrt arguments in this call."""
    return getattr(fn, "_arguments", fn)._wrt_values(args, kwargs)


def _tangent_like(t, x, name):
    """The tangent `t` checked against its argument `x`: same structure and shapes, floats."""
    if isinstance(x, dict):
        if not isinstance(t, dict) or set(t) != set(x):
            raise SrcGradError(f"the tangent of '{name}' must be a dict with keys {sorted(x)}")
        return {k: _tangent_like(t[k], x[k], f"{name}[{k!r}]") for k in x}
    if isinstance(x, (list, tuple)):
        if not isinstance(t, (list, tuple)) or len(t) != len(x):
            raise SrcGradError(f"the tangent of '{name}' must be a sequence of {len(x)}")
        return type(x)(_tangent_like(a, b, f"{name}[{i}]") for i, (a, b) in enumerate(zip(t, x))) \
            if not hasattr(x, "_fields") else type(x)(*(_tangent_like(a, b, name) for a, b in zip(t, x)))
    if np.shape(t) != np.shape(x):
        raise SrcGradError(f"the tangent of '{name}' has shape {np.shape(t)}, but '{name}' "
                           f"has shape {np.shape(x)}")
    if isinstance(x, np.ndarray):
        return np.asarray(t, dtype=x.dtype)
    return float(t) if not isinstance(x, np.floating) else type(x)(t)


def compiled_jvp(func, wrt: tuple, rebuild=False, value=True) -> Generated:
    """The cached forward-mode function of `func` for the arguments `wrt` (see
    pipeline.transform_jvp for `value`)."""
    if not isinstance(func, types.FunctionType):
        source.load(func)
    key = ("jvp", wrt, value)
    with api._LOCK:
        per_func = api._CACHE.setdefault(func, {})
        if rebuild or key not in per_func or not per_func[key].current():
            stack = calls.transform_stack()
            stack.append(func)
            try:
                per_func[key] = transform_jvp(func, wrt, value)
            finally:
                stack.pop()
        return per_func[key]


# --- Jacobians -----------------------------------------------------------------------------


def jacobian(func, wrt=0, mode="rev"):
    """`jacobian(f, wrt, mode)(*args)`: the Jacobian of `f` at `args`, shaped
    `value.shape + arg.shape` (a tuple of them for a tuple `wrt`).

    mode="rev" runs one forward sweep and one backward sweep per output element
    (best for few outputs); mode="fwd" one forward-mode sweep per input element
    (best for few inputs). Both give the same numbers.
    """
    return Jacobian(func, wrt, mode)


class Jacobian:
    """The Jacobian of `__wrapped__`, column by column (fwd) or row by row (rev)."""

    def __init__(self, func, wrt, mode):
        if mode not in ("rev", "fwd"):
            raise SrcGradError(f"mode must be 'rev' or 'fwd', not {mode!r}")
        if mode == "rev" and isinstance(func, (GradientFunction, JvpFunction, SecondGradient)):
            raise SrcGradError("reverse mode over generated derivative code is not supported; "
                               "use jacobian(..., mode='fwd') (or srcgrad.hessian)")
        functools.update_wrapper(self, func)
        self.mode, self._wrt = mode, wrt
        self._single = not isinstance(wrt, (tuple, list))
        self._pushforward = jvp(func, wrt) if mode == "fwd" else None
        self._pullback = GradientFunction(func, wrt, with_value=True) if mode == "rev" else None

    @property
    def source(self) -> str:
        """The generated code each column (fwd) or row (rev) runs."""
        return (self._pushforward or self._pullback).source

    def __call__(self, *args, **kwargs):
        if self.mode == "fwd":
            blocks = _forward_jacobian(self._pushforward, args, kwargs)
        else:
            blocks = _reverse_jacobian(self.__wrapped__, self._wrt, self._pullback, args, kwargs)
        return blocks[0] if self._single else tuple(blocks)


def _array_input(value, name):
    if isinstance(value, (dict, list, tuple)):
        raise SrcGradError(f"jacobian needs '{name}' to be a float or a float array, "
                           f"not a {type(value).__name__}; use jvp or vjp for containers")
    return value


def _basis(x):
    """Unit tangents shaped like `x`, one per element, in C order."""
    x = np.asarray(x, dtype=np.result_type(x, 0.0))
    for k in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype)
        e[k] = 1.0
        yield e.reshape(x.shape) if x.ndim else float(e[0])


def _forward_jacobian(pushforward, args, kwargs) -> list:
    values = _wrt_values(pushforward, args, kwargs)
    for name, value in zip(pushforward._wrt, values):
        _array_input(value, name)
    blocks = []
    for i, x in enumerate(values):
        columns, value = [], None
        for e in _basis(x):
            tangents = [e if j == i else np.zeros_like(v, dtype=float) if np.ndim(v) else 0.0
                        for j, v in enumerate(values)]
            value, column = pushforward(*args, tangent=tangents[0] if pushforward._single
                                        else tuple(tangents), **kwargs)
            columns.append(_output_array(column, pushforward))
        out_shape = np.shape(value) if value is not None else ()
        if not columns:
            blocks.append(np.zeros(out_shape + np.shape(x)))
            continue
        stacked = np.stack(columns, axis=-1)
        blocks.append(stacked.reshape(out_shape + np.shape(x)))
    return blocks


def _output_array(value, fn):
    if isinstance(value, (dict, list, tuple)):
        raise SrcGradError(f"jacobian needs {fn.__name__} to return a float or a float array, "
                           f"not a {type(value).__name__}")
    return np.asarray(value, dtype=float)


def _reverse_jacobian(func, wrt, gradient, args, kwargs) -> list:
    inputs = _wrt_values(gradient, args, kwargs)
    for name, x in zip(gradient._wrt, inputs):
        _array_input(x, name)
    value, pullback = api.vjp(func, *args, wrt=wrt, **kwargs)
    _output_array(value, func)
    single = not isinstance(wrt, (tuple, list))
    out_shape = np.shape(value)
    rows = []
    for seed in _basis(value):
        grads = pullback(seed if np.ndim(value) else 1.0)
        rows.append((grads,) if single else tuple(grads))
    blocks = []
    for i, x in enumerate(inputs):
        if rows:
            block = np.stack([np.asarray(r[i], dtype=float) for r in rows])
        else:
            block = np.zeros((0,) + np.shape(x))
        blocks.append(block.reshape(out_shape + np.shape(x)))
    return blocks


def hessian(func, wrt=0):
    """`hessian(f, wrt)(*args)`: the second derivatives of a scalar `f`, by forward mode
    over the generated gradient code; shaped `x.shape + x.shape` (for a tuple `wrt`, a
    tuple of tuples of blocks: H[i][j] is d/dx_j of the gradient for x_i)."""
    return Hessian(func, wrt)


class Hessian:
    def __init__(self, func, wrt):
        functools.update_wrapper(self, func)
        _, names, self._single = _wrt_names(func, wrt)
        self._rows = [Jacobian(GradientFunction(func, name, with_value=False), names, "fwd")
                      for name in names]

    @property
    def source(self) -> str:
        return "\n\n".join(row.source for row in self._rows)

    def __call__(self, *args, **kwargs):
        blocks = tuple(row(*args, **kwargs) for row in self._rows)
        return blocks[0][0] if self._single else blocks


def hvp(func, wrt=0):
    """`hvp(f, wrt)(*args, tangent=v)`: the Hessian of a scalar `f` times `v`, by forward
    mode over the generated gradient code, without forming the Hessian (one call costs a
    small multiple of one gradient)."""
    return Hvp(func, wrt)


class Hvp:
    def __init__(self, func, wrt):
        functools.update_wrapper(self, func)
        self._pushforward = JvpFunction(GradientFunction(func, wrt, with_value=False), wrt,
                                        value=False)

    @property
    def source(self) -> str:
        return self._pushforward.source

    def __call__(self, *args, tangent, **kwargs):
        return self._pushforward(*args, tangent=tangent, **kwargs)[1]


class SecondGradient:
    """`grad(grad(f, wrt=i), wrt=j)`: d/dx_j of df/dx_i, for a scalar x_i.

    By the symmetry of second derivatives this is forward mode over the gradient
    for x_j, along the unit tangent of x_i: one sweep, whatever the size of x_j.
    """

    def __init__(self, inner: GradientFunction, wrt, with_value: bool):
        if inner._with_value or not inner._single:
            raise SrcGradError("grad of a gradient needs grad(f) with a single wrt argument "
                               "(a scalar function); use srcgrad.hessian for several")
        functools.update_wrapper(self, inner)
        self._inner = inner
        self._with_value = with_value
        f = inner.__wrapped__
        _, outer, self._single = _wrt_names(f, wrt)
        self._along = inner._wrt[0]
        target = GradientFunction(f, outer[0] if self._single else outer, with_value=False)
        self._pushforward = JvpFunction(target, self._along, value=with_value)

    @property
    def source(self) -> str:
        return self._pushforward.source

    def __call__(self, *args, **kwargs):
        x, = _wrt_values(self._inner, args, kwargs)
        if np.ndim(x) != 0 or isinstance(x, (dict, list, tuple)):
            raise SrcGradError(
                f"grad of grad needs '{self._along}' to be a scalar: the inner gradient must "
                f"be a scalar for the outer grad; use srcgrad.hessian or srcgrad.hvp instead")
        first, second = self._pushforward(*args, tangent=1.0, **kwargs)
        return (first, second) if self._with_value else second

    def __repr__(self):
        return f"<srcgrad.grad of {self._inner!r}>"

