"""The subcommands: load the user's function from a file, then show its gradient code,
draw its graph or check its gradient."""

from __future__ import annotations

import importlib.util
import inspect
import os
import re
import sys
import traceback

import numpy as np

from .. import api
from ..api import GradientFunction
from ..check import check_grad
from ..graph import graph
from .output import annotated, highlight, one_line, use_color, write


class CLIError(Exception):
    """A user-facing error of the command: missing file or function, bad arguments."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail  # printed with --verbose


def load_function(target: str):
    """(function, default wrt or None) for `FILE.py:FUNC` or `package.module:FUNC`."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise CLIError(f"expected FILE.py:FUNC or package.module:FUNC (a file or module and "
                       f"a function in it), got {target!r}")
    if os.path.isfile(path):
        module = import_path(path)
    elif not path.endswith(".py") and all(part.isidentifier() for part in path.split(".")):
        module = import_module(path)
    else:
        raise CLIError(f"no such file: {path}")
    missing = object()
    obj = getattr(module, name, missing)
    if obj is missing:
        found = [n for n, v in vars(module).items()
                 if inspect.isfunction(v) and v.__module__ == module.__name__]
        listing = f"; functions defined there: {', '.join(found)}" if found else ""
        raise CLIError(f"{path} has no function {name!r}{listing}")
    if isinstance(obj, GradientFunction):  # @srcgrad.grad(wrt=...) def f: use f and its wrt
        return obj.__wrapped__, (obj.wrt if len(obj.wrt) > 1 else obj.wrt[0])
    if not inspect.isfunction(obj):
        raise CLIError(f"{name} in {path} is not a function defined with `def` "
                       f"(it is of type {type(obj).__name__})")
    return obj, None


def import_module(dotted: str):
    """Import `package.module` as Python would from the current directory."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError as exc:
        if exc.name and dotted.startswith(exc.name):
            raise CLIError(f"no such file or module: {dotted}") from None
        raise CLIError(f"importing {dotted} failed: {one_line(exc)}",
                       traceback.format_exc()) from None
    except (Exception, SystemExit) as exc:
        raise CLIError(f"importing {dotted} failed: {one_line(exc)}",
                       traceback.format_exc()) from None


def import_path(path: str):
    """Import the Python file at `path` as a module, its directory first on sys.path."""
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else (
        "_srcgrad_cli_" + re.sub(r"\W", "_", stem))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CLIError(f"cannot import {path}: not a Python source file (.py)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        sys.modules.pop(name, None)
        raise CLIError(f"importing {path} failed: {one_line(exc)}",
                       traceback.format_exc()) from None
    return module


def parse_wrt(text: str | None, default):
    """`--wrt w,b` -> ("w", "b"); `--wrt 0` -> 0; None -> the default (first parameter)."""
    if text is None:
        return 0 if default is None else default
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise CLIError(f"--wrt {text!r}: expected names or positions separated by commas")
    values = [int(item) if re.fullmatch(r"-?\d+", item) else item for item in items]
    return values[0] if len(values) == 1 else tuple(values)


def evaluate(expression: str, option: str, module):
    """Evaluate `expression` in the module's namespace, with numpy as np."""
    namespace = dict(vars(module))
    namespace.setdefault("np", np)
    try:
        return eval(expression, namespace)  # the user's own expression, run like their file
    except Exception as exc:
        raise CLIError(f"{option} {expression!r} failed: {one_line(exc)}",
                       traceback.format_exc()) from None


def run_show(args) -> int:
    func, default_wrt = load_function(args.target)
    make = {"rev": api.grad, "fwd": api.jvp, "hvp": api.hvp}[args.mode]
    backend = getattr(args, "backend", "numpy")
    if backend != "numpy" and args.mode != "rev":
        raise CLIError(f"--backend {backend} shows the gradient code (--mode rev) only")
    generated = make(func, wrt=parse_wrt(args.wrt, default_wrt),
                     **({"backend": backend} if backend != "numpy" else {}))
    if args.mode == "hvp":
        generated = generated.pushforward
    code = generated.source
    color = use_color(args.color)
    if not args.diff:
        write(highlight(code) if color else code)
        return 0
    write(annotated(func, generated, color))
    return 0


def run_graph(args) -> int:
    func, default_wrt = load_function(args.target)
    g = graph(func, wrt=parse_wrt(args.wrt, default_wrt), adjoint=args.adjoint)
    if args.output == "-":
        write(g.to_dot())
        return 0
    g.render(args.output)
    branches = sum(1 for c in g.clusters if c.kind == "if")
    print(f"wrote {args.output}: {len(g.nodes)} nodes, {len(g.edges)} edges"
          + (f", {branches} if/else" if branches else ""))
    return 0


def run_check(args) -> int:
    func, default_wrt = load_function(args.target)
    module = sys.modules[func.__module__]
    values = evaluate(args.args, "--args", module)
    positional = values if isinstance(values, tuple) else (values,)
    keywords = {}
    if args.kwargs is not None:
        keywords = evaluate(args.kwargs, "--kwargs", module)
        if not isinstance(keywords, dict) or not all(isinstance(k, str) for k in keywords):
            raise CLIError(f"--kwargs {args.kwargs!r} must give a dict of argument names "
                           f"to values, not a {type(keywords).__name__}")
    result = check_grad(func, *positional, wrt=parse_wrt(args.wrt, default_wrt),
                        eps=args.eps, rtol=args.rtol, atol=args.atol, verbose=False,
                        **keywords)
    print(result.table())
    return 0 if result.ok else 1
