"""`explain(f, *args, wrt=...)`: everything about one gradient, in one call.

It prints, and returns as an `Explanation`: the value; the generated gradient code (each
block under a `# line N:` comment naming the user's line it comes from); a check of each
gradient against central finite differences; the inputs that never reach the result (by
srcgrad's activity analysis, so their gradient is zero whatever the values); and where the
gradient is zero or not finite, with the user's line that made it so.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..check import CheckResult, check_grad
from ..errors import SrcGradError
from ..pipeline import analyze
from .arguments import wrt_names
from .gradient import GradientFunction
from .sweep_probe import Finding, watched_backward
from .tracebacks import user_facing


@dataclass
class GradientSummary:
    """One wrt argument's gradient: its value and how many entries are zero or not finite."""

    name: str
    gradient: Any
    zero: int
    not_finite: int
    size: int


@dataclass
class Explanation:
    """What `explain` found. `str()` (and the notebook's display) gives the report."""

    function: str
    value: Any
    wrt: tuple
    source: str  # the generated code the gradient call runs, for these arguments
    gradients: list  # GradientSummary per wrt argument, in wrt order
    check: CheckResult  # finite differences, per wrt argument
    unreached: list  # wrt arguments that never reach the result
    findings: list = field(default_factory=list)  # Finding: where adjoints turned zero/not finite

    @property
    def zero(self) -> list:
        return [f for f in self.findings if f.kind == "zero"]

    @property
    def not_finite(self) -> list:
        return [f for f in self.findings if f.kind == "not finite"]

    def report(self) -> str:
        rule = "-" * 72
        out = [f"explain {self.function} (wrt {', '.join(self.wrt)})", rule,
               f"value: {_short(self.value)}", "", "gradients:"]
        for g in self.gradients:
            notes = [f"{n} of {g.size} entries {kind}" for n, kind in
                     ((g.zero, "zero"), (g.not_finite, "not finite")) if n]
            out.append(f"  {g.name}: {_short(g.gradient)}"
                       + (f"   ({'; '.join(notes)})" if notes else ""))
        out += ["", "finite-difference check:", textwrap.indent(self.check.table(), "  ")]
        out += ["", "inputs that never reach the result (their gradient is always 0):",
                "  " + (", ".join(self.unreached) if self.unreached else "none")]
        out += ["", "where the gradient turns zero or not finite (backward sweep order):"]
        out += [textwrap.indent(f.describe(), "  ") for f in self.findings] or ["  nowhere"]
        out += ["", "generated gradient code (each block under the line it comes from):", rule,
                self.source.rstrip(), rule]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.report()

    __repr__ = __str__


def _short(value) -> str:
    if isinstance(value, (float, np.floating)) or (
            isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "f"):
        return f"{float(value):.10g}"
    text = np.array2string(np.asarray(value), precision=6, threshold=20, edgeitems=3) \
        if isinstance(value, (np.ndarray, np.generic, float)) else repr(value)
    return text if "\n" not in text else "\n    " + text.replace("\n", "\n    ")


def _last_function(source: str) -> str:
    """The last function of generated code: the one a gradient call runs (the sweeps the
    fused gradient was made from come before it)."""
    last = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
            and not _is_step(node, source)][-1]
    start = min([last.lineno] + [d.lineno for d in last.decorator_list])
    return "\n".join(source.splitlines()[start - 1:last.end_lineno])


def _is_step(node, source) -> bool:
    """A checkpointed loop's step or record function (ad/checkpoints.py): not the code a
    gradient call runs, though it comes last."""
    return "# one step of the loop at line" in source.splitlines()[node.lineno]


def _float_arguments(func, args, kwargs) -> tuple:
    """The names of the arguments given as real numbers or real arrays: explain's default wrt."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    return tuple(name for name, value in bound.arguments.items()
                 if isinstance(value, (float, np.floating, np.ndarray))
                 and np.asarray(value).dtype.kind == "f")


def _unwrapped(func, args, kwargs, wrt) -> tuple:
    """(function, args, kwargs, wrt) of a bound method or a partial: the function, its
    object or the partial's arguments given first (integer wrt shifted past them)."""
    if inspect.ismethod(func) and inspect.isfunction(func.__func__):
        bound, func = (func.__self__,), func.__func__
    elif isinstance(func, functools.partial) and inspect.isfunction(func.func):
        bound, kwargs, func = func.args, {**func.keywords, **kwargs}, func.func
    else:
        return func, args, kwargs, wrt
    shift = (lambda w: w + len(bound) if isinstance(w, int) and not isinstance(w, bool)
             else w)
    wrt = tuple(map(shift, wrt)) if isinstance(wrt, tuple) else shift(wrt)
    return func, (*bound, *args), kwargs, wrt


def _in_float64(func, args, kwargs, names) -> tuple:
    """(args, kwargs) with the wrt arguments in float64, as check_grad takes them."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    for name in names:
        value = bound.arguments.get(name)
        if isinstance(value, np.ndarray):
            bound.arguments[name] = value.astype(np.float64)
        elif isinstance(value, (int, float, np.integer, np.floating)) \
                and not isinstance(value, (bool, np.bool_)):
            bound.arguments[name] = float(value)
    return bound.args, bound.kwargs


@user_facing
def explain(func: Callable[..., Any], *args: Any, wrt: Any = None, eps: float = 1e-6,
            rtol: float = 1e-5, atol: float = 1e-7, verbose: bool = True,
            **kwargs: Any) -> Explanation:
    """Explain the gradient of `func` at `args`: print the report (unless `verbose=False`)
    and return it as an `Explanation`.

    `wrt` takes the forms `grad` takes; by default, every argument given as a float or a
    float array. `eps`, `rtol`, `atol` are the finite-difference check's (see check_grad).
    """
    func, args, kwargs, wrt = _unwrapped(func, args, kwargs, wrt)
    if wrt is None:
        wrt = _float_arguments(func, args, kwargs)
        if not wrt:
            raise SrcGradError(f"explain: no argument of {func.__name__} is a float or a float "
                               "array; say which to differentiate with wrt=...")
    _, names, _ = wrt_names(func, wrt)
    with np.errstate(all="ignore"):  # the report says where values turn infinite or NaN
        check = check_grad(func, *args, wrt=names, eps=eps, rtol=rtol, atol=atol, **kwargs)
        args, kwargs = _in_float64(func, args, kwargs, names)
        gradient = GradientFunction(func, names, with_value=True)
        value, gradients = gradient(*args, **kwargs)
        general = gradient.general()
        forward_value, saved = general.forward(*args, **kwargs)
        seed = np.ones_like(forward_value) if isinstance(forward_value, np.ndarray) else 1.0
        _, findings = watched_backward(general.backward, seed, saved)
    source = _last_function(gradient.source_for(*args, **kwargs))
    unit = analyze(func, names)
    unreached = [name for name in names if name not in unit.active]
    summaries = []
    for name, g in zip(names, gradients):
        array = np.asarray(g, dtype=float)
        summaries.append(GradientSummary(name, g, int(np.sum(array == 0)),
                                         int(np.sum(~np.isfinite(array))), array.size))
    result = Explanation(getattr(func, "__qualname__", func.__name__), value, names, source,
                         summaries, check, unreached, findings)
    if verbose:
        print(result.report())
    return result

