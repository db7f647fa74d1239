"""`srcgrad explain FILE.py:FUNC`: srcgrad.explain from the command line."""

from __future__ import annotations

import inspect
import sys

import numpy as np

from ..api.explain import explain
from .commands import CLIError, evaluate, load_function, parse_wrt

EXAMPLE_SIZE = 3


def example_arguments(func) -> tuple:
    """Arguments to explain `func` at when none are given: each parameter's default, else
    a float array of EXAMPLE_SIZE entries drawn from a seeded normal distribution."""
    rng = np.random.default_rng(0)
    values = []
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.KEYWORD_ONLY):
            continue
        values.append(param.default if param.default is not param.empty
                      else rng.normal(size=EXAMPLE_SIZE))
    return tuple(values)


def run_explain(args) -> int:
    func, default_wrt = load_function(args.target)
    module = sys.modules[func.__module__]
    if args.args is None:
        positional, keywords = example_arguments(func), {}
        try:
            func(*positional)
        except Exception as exc:
            raise CLIError(f"{func.__name__} fails on example arguments (float arrays of "
                           f"{EXAMPLE_SIZE} entries: {exc}); pass its arguments with --args "
                           '"EXPR", e.g. --args "np.ones((2, 3)), np.zeros(3)"') from None
    else:
        values = evaluate(args.args, "--args", module)
        positional = values if isinstance(values, tuple) else (values,)
        keywords = {} if args.kwargs is None else evaluate(args.kwargs, "--kwargs", module)
        if not isinstance(keywords, dict):
            raise CLIError(f"--kwargs {args.kwargs!r} must give a dict of argument names to "
                           f"values, not a {type(keywords).__name__}")
    wrt = None if args.wrt is None and default_wrt is None else parse_wrt(args.wrt, default_wrt)
    result = explain(func, *positional, wrt=wrt, eps=args.eps, rtol=args.rtol, atol=args.atol,
                     verbose=False, **keywords)
    print(result.report())
    return 0 if result.check.ok else 1
