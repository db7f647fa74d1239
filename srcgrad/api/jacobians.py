"""Jacobians and second derivatives: `jacobian` (row by row in reverse mode, column by
column in forward mode), `hessian` and `hvp` (forward mode over the generated gradient
code, so an hvp never forms the Hessian)."""

from __future__ import annotations

import functools
from typing import Any, Callable, Literal

import numpy as np

from ..errors import SrcGradError
from ..runtime.containers import is_dataclass_value
from .arguments import unbound, wrt_names
from .forward import JvpFunction, jvp
from .gradient import Derivative, GradientFunction, vjp
from .hints import Backend, Wrt
from .tracebacks import user_facing


def jacobian(func: Callable[..., Any], wrt: Wrt = 0,
             mode: Literal["rev", "fwd"] = "rev") -> Jacobian:
    """`jacobian(f, wrt, mode)(*args)`: the Jacobian of `f` at `args`, shaped
    `value.shape + arg.shape` (a tuple of them for a tuple `wrt`).

    mode="rev" runs one forward sweep and one backward sweep per output element
    (best for few outputs); mode="fwd" one forward-mode sweep per input element
    (best for few inputs). Both give the same numbers.
    """
    return Jacobian(func, wrt, mode)


class Jacobian(Derivative):
    """The Jacobian of `__wrapped__`, column by column (fwd) or row by row (rev)."""

    def __init__(self, func, wrt, mode, backend="numpy"):
        func, wrt, self._receiver = unbound(func, wrt)  # a bound method: its object first
        if mode not in ("rev", "fwd"):
            raise SrcGradError(f"mode must be 'rev' or 'fwd', not {mode!r}")
        if mode == "rev" and isinstance(func, JvpFunction):
            raise SrcGradError("reverse mode over forward-mode code is not supported; "
                               "use jacobian(..., mode='fwd') (or srcgrad.hessian)")
        functools.update_wrapper(self, func)
        self.mode, self._wrt = mode, wrt
        self._single = not isinstance(wrt, (tuple, list))
        self._pushforward = jvp(func, wrt, backend=backend) if mode == "fwd" else None
        self._pullback = GradientFunction(func, wrt, with_value=True) if mode == "rev" else None

    @property
    @user_facing
    def source(self) -> str:
        """The generated code each column (fwd) or row (rev) runs."""
        return (self._pushforward or self._pullback).source

    @user_facing
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args = self._receiver + args
        if self.mode == "fwd":
            blocks = _forward_jacobian(self._pushforward, args, kwargs)
        else:
            blocks = _reverse_jacobian(self.__wrapped__, self._wrt, self._pullback, args, kwargs)
        return blocks[0] if self._single else tuple(blocks)


def _array_input(value, name):
    if isinstance(value, (dict, list, tuple)) or is_dataclass_value(value):
        raise SrcGradError(f"jacobian needs '{name}' to be a float or a float array, "
                           f"not a {type(value).__name__}; use jvp or vjp for containers (hvp for "
                           "second order)")
    return value


def _basis(x):
    """Unit tangents shaped like `x`, one per element, in C order."""
    x = np.asarray(x, dtype=np.result_type(x, 0.0))
    for k in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype)
        e[k] = 1.0
        yield e.reshape(x.shape) if x.ndim else float(e[0])


def _forward_jacobian(pushforward, args, kwargs) -> list:
    values = pushforward.wrt_values(args, kwargs)
    for name, value in zip(pushforward.wrt, values):
        _array_input(value, name)
    blocks = []
    for i, x in enumerate(values):
        columns, value = [], None
        for e in _basis(x):
            tangents = [e if j == i else np.zeros_like(v, dtype=float) if np.ndim(v) else 0.0
                        for j, v in enumerate(values)]
            value, column = pushforward(*args, tangent=tangents[0] if pushforward.single
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
    inputs = gradient.wrt_values(args, kwargs)
    for name, x in zip(gradient.wrt, inputs):
        _array_input(x, name)
    value, pullback = vjp(func, *args, wrt=wrt, **kwargs)
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


def hessian(func: Callable[..., Any], wrt: Wrt = 0, backend: Backend = "numpy") -> Hessian:
    """`hessian(f, wrt)(*args)`: the second derivatives of a scalar `f`, by forward mode
    over the generated gradient code; shaped `x.shape + x.shape` (for a tuple `wrt`, a
    tuple of tuples of blocks: H[i][j] is d/dx_j of the gradient for x_i). `backend`:
    see `grad` (each column's forward sweep is one jitted function on JAX)."""
    return Hessian(func, wrt, backend)


class Hessian(Derivative):
    def __init__(self, func, wrt, backend="numpy"):
        func, wrt, self._receiver = unbound(func, wrt)  # a bound method: its object first
        functools.update_wrapper(self, func)
        _, names, self._single = wrt_names(func, wrt)
        self._rows = [Jacobian(GradientFunction(func, name, with_value=False), names, "fwd",
                               backend) for name in names]

    @property
    @user_facing
    def source(self) -> str:
        return "\n\n".join(row.source for row in self._rows)

    @user_facing
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args = self._receiver + args
        blocks = tuple(row(*args, **kwargs) for row in self._rows)
        return blocks[0][0] if self._single else blocks


def hvp(func: Callable[..., Any], wrt: Wrt = 0, backend: Backend = "numpy") -> Hvp:
    """`hvp(f, wrt)(*args, tangent=v)`: the Hessian of a scalar `f` times `v`, by forward
    mode over the generated gradient code, without forming the Hessian (one call costs a
    small multiple of one gradient). `backend`: see `grad`."""
    return Hvp(func, wrt, backend)


class Hvp(Derivative):
    def __init__(self, func, wrt, backend="numpy"):
        func, wrt, self._receiver = unbound(func, wrt)  # a bound method: its object first
        functools.update_wrapper(self, func)
        self.pushforward = JvpFunction(GradientFunction(func, wrt, with_value=False), wrt,
                                        value=False, backend=backend)

    @property
    @user_facing
    def source(self) -> str:
        return self.pushforward.source

    @user_facing
    def __call__(self, *args: Any, tangent: Any, **kwargs: Any) -> Any:
        return self.pushforward(*self._receiver, *args, tangent=tangent, **kwargs)[1]
