"""Check srcgrad's gradient of a function against central finite differences.

    srcgrad.check_grad(loss, w, b, x, y, wrt=("w", "b"))  # prints, e.g.:

    check_grad loss: central differences in float64, eps=1e-06, rtol=1e-05, atol=1e-07
    argument | shape | max abs err | max rel err | ok
    ---------+-------+-------------+-------------+----
    w        | (3,)  | 2.1e-10     | 4.4e-10     | yes
    b        | ()    | 8.3e-11     | 1.2e-10     | yes
    gradient OK

Both gradients are computed in float64: the wrt arguments are converted to
float64 (integers too) before either is taken. Each element costs two calls of
the function, so keep the arguments small.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable
from dataclasses import dataclass, field

import numpy as np

from .api import grad
from .api.arguments import wrt_names
from .api.hints import Wrt
from .errors import SrcGradError


@dataclass
class ArgumentCheck:
    """The comparison for one wrt argument."""

    name: str
    shape: tuple
    max_abs_err: float
    max_rel_err: float
    ok: bool
    analytic: np.ndarray = field(repr=False)  # srcgrad's gradient, float64
    numeric: np.ndarray = field(repr=False)  # central differences, float64


@dataclass
class CheckResult:
    """What `check_grad` found: one `ArgumentCheck` per wrt argument, in wrt order.

    `bool(result)` is `result.ok`, so `assert check_grad(...)` works.
    """

    function: str
    arguments: list
    eps: float
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.arguments)

    def __bool__(self) -> bool:
        return self.ok

    def __getitem__(self, name: str) -> ArgumentCheck:
        for argument in self.arguments:
            if argument.name == name:
                return argument
        raise KeyError(name)

    def table(self) -> str:
        """The result as a plain-text table."""
        head = ("argument", "shape", "max abs err", "max rel err", "ok")
        rows = [(a.name, str(a.shape), f"{a.max_abs_err:.2g}", f"{a.max_rel_err:.2g}",
                 "yes" if a.ok else "NO") for a in self.arguments]
        widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]

        def line(cells):
            return " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

        title = (f"check_grad {self.function}: central differences in float64, "
                 f"eps={self.eps:g}, rtol={self.rtol:g}, atol={self.atol:g}")
        rule = "-+-".join("-" * w for w in widths)
        verdict = "gradient OK" if self.ok else (
            "gradient MISMATCH for " + ", ".join(a.name for a in self.arguments if not a.ok))
        return "\n".join([title, line(head), rule] + [line(r) for r in rows] + [verdict])

    def __str__(self) -> str:
        return self.table()

    __repr__ = __str__  # the prompt and notebooks show the table, once


def check_grad(f: Callable[..., Any], *args: Any, wrt: Wrt = 0, eps: float = 1e-6,
               rtol: float = 1e-5, atol: float = 1e-7, verbose: bool = False,
               **kwargs: Any) -> CheckResult:
    """Compare `srcgrad.grad(f, wrt)` at `args` with central finite differences.

    `wrt` takes the forms `srcgrad.grad` takes (index, name, or a tuple of them).
    An element passes when |analytic - numeric| <= atol + rtol * |numeric|; the
    reported relative error is |analytic - numeric| / max(|analytic|, |numeric|).
    The result prints (and shows, in a notebook or the prompt) as a table (argument |
    shape | max abs err | max rel err | ok); `verbose=True` prints it here too.
    """

    positional, names, _ = wrt_names(f, wrt)
    signature = inspect.signature(f)
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise SrcGradError(f"check_grad cannot call {f.__name__}{signature} with these "
                           f"arguments: {exc}") from None
    args, kwargs = list(args), dict(kwargs)
    slots = []  # (name, where, key): where the value of each wrt argument lives
    for name in names:
        index = positional.get(name)
        if index is not None and index < len(args):
            slots.append((name, args, index))
        elif name in kwargs:
            slots.append((name, kwargs, name))
        else:
            raise SrcGradError(f"check_grad needs a value for the wrt argument '{name}' of "
                               f"{f.__name__}: pass it positionally or by keyword")
    for name, where, key in slots:
        where[key] = _as_float64(f, name, where[key])

    analytic = grad(f, wrt=names)(*args, **kwargs)
    checks = []
    for (name, where, key), g in zip(slots, analytic):
        numeric = _central_differences(f, args, kwargs, where, key, eps)
        g = np.asarray(g, dtype=np.float64)
        checks.append(_compare(name, where[key], g, numeric, rtol, atol))
    result = CheckResult(getattr(f, "__qualname__", repr(f)), checks, eps, rtol, atol)
    if verbose:
        print(result.table())
    return result


def _as_float64(f, name, value):
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray)
                                               and value.dtype.kind not in "fiu"):
        kind = "a boolean" if np.asarray(value).dtype.kind == "b" else f"{np.asarray(value).dtype}"
        raise SrcGradError(f"check_grad cannot differentiate {f.__name__} with respect to "
                           f"'{name}': it is {kind}, not a real number")
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    if isinstance(value, (np.floating, np.integer)):
        return np.float64(value)
    if isinstance(value, (int, float)):
        return float(value)
    raise SrcGradError(f"check_grad cannot differentiate {f.__name__} with respect to '{name}': "
                       f"it is a {type(value).__name__}; pass a float or a float array")


def _central_differences(f, args, kwargs, where, key, eps) -> np.ndarray:
    original = where[key]
    x = np.array(original, dtype=np.float64)
    g = np.zeros_like(x)
    try:
        for idx in np.ndindex(x.shape):
            for sign in (1.0, -1.0):
                shifted = x.copy()
                shifted[idx] += sign * eps
                where[key] = _like(shifted, original)
                g[idx] += sign * _scalar(f, f(*args, **kwargs))
    finally:
        where[key] = original
    return g / (2 * eps)


def _like(shifted, original):
    if isinstance(original, np.ndarray):
        return shifted
    if isinstance(original, np.floating):
        return np.float64(shifted)
    return float(shifted)


def _scalar(f, value) -> float:
    if np.ndim(value) != 0 or np.asarray(value).dtype.kind not in "fiu":
        raise SrcGradError(f"check_grad needs {f.__name__} to return a real scalar, "
                           f"got {type(value).__name__} of shape {np.shape(value)}")
    return float(value)


def _compare(name, value, analytic, numeric, rtol, atol) -> ArgumentCheck:
    shape = np.shape(value)
    if analytic.shape != numeric.shape:
        analytic = np.broadcast_to(analytic, numeric.shape)
    diff = np.abs(analytic - numeric)
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, diff / np.where(scale > 0, scale, 1.0), 0.0)
    finite = np.isfinite(analytic) & np.isfinite(numeric)
    ok = bool(np.all(finite & (diff <= atol + rtol * np.abs(numeric))))
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float(rel.max()) if rel.size else 0.0
    if not np.all(finite):  # a NaN or an infinity on either side never passes
        max_abs = max_rel = math.nan
    return ArgumentCheck(name, shape, max_abs, max_rel, ok, analytic, numeric)
