"""The `srcgrad` command: show, draw and check the gradient code of a function in a file.

    srcgrad show model.py:loss --wrt w,b
    srcgrad graph model.py:loss -o loss.svg
    srcgrad check model.py:loss --args "np.ones(3), 0.5"

Also runnable as `python -m srcgrad`. Exit status: 0 success, 1 a gradient check
failed, 2 an error (one line on stderr; --verbose prints all of it).
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import re
import sys
import textwrap
import traceback

import numpy as np

from .errors import SrcGradError

PROG = "srcgrad"

_EPILOG = """\
examples:
  srcgrad show model.py:loss                 forward and backward code for d loss / d (1st arg)
  srcgrad show model.py:loss --wrt w,b       ... with respect to the parameters w and b
  srcgrad show model.py:loss --diff          your function, then the code made from it
  srcgrad show model.py:loss --mode fwd      forward mode: each value, then its tangent
  srcgrad show model.py:loss --mode hvp      Hessian-vector products (fwd over the gradient)
  srcgrad graph model.py:loss -o loss.svg    the dataflow graph (.dot needs nothing;
                                             .svg/.png/.pdf need Graphviz)
  srcgrad check model.py:loss --args "np.ones(3), 0.5, np.eye(3), np.zeros(3)" --wrt 0,1

FILE.py:FUNC names a plain function defined in a Python file. The file is imported
as a module, with its directory put first on sys.path; code under
`if __name__ == "__main__":` does not run. --wrt takes parameter names or positions,
comma-separated (default: the first parameter, or the wrt of an @srcgrad.grad function).

exit status: 0 success, 1 a gradient check failed, 2 an error (one line on stderr;
--verbose prints the whole message or traceback).

check --args EXPR: a Python expression evaluated in FILE's namespace, with numpy
as np, giving the tuple of arguments, e.g. --args "np.ones(3), 2.0".
"""

_SHOW_EPILOG = """\
examples:
  srcgrad show model.py:loss --wrt w,b
  srcgrad show model.py:loss --diff | less
  srcgrad show model.py:loss --no-color > loss_grad.py

Output is syntax-highlighted (with pygments) when it goes to a terminal; piped
or redirected output, --no-color and the NO_COLOR environment variable give
plain text. --diff prints your function with its line numbers in the file, then
the generated code with the number of the line each statement comes from in
the left column (the backward sweep's `# line N:` comments name them too).
"""

_GRAPH_EPILOG = """\
examples:
  srcgrad graph model.py:loss --wrt w,b -o loss.svg
  srcgrad graph model.py:loss -o loss.dot && dot -Tpng loss.dot -o loss.png
  srcgrad graph model.py:loss --adjoint | dot -Tsvg > loss.svg

Parameters with respect to which the gradient is taken are light blue, other
inputs grey, operations are boxes named by their rule (*, np.sum, .T) over the
name they assign, dimmed where no gradient flows; each branch of an `if` is a
cluster. --adjoint adds dashed red edges where adjoints flow back.
.svg/.png/.pdf need the graphviz Python package (pip install graphviz) and the
dot program (apt-get install graphviz, or brew install graphviz); .dot does not.
"""

_CHECK_EPILOG = """\
examples:
  srcgrad check model.py:loss --args "np.ones(3), 2.0"
  srcgrad check model.py:loss --args "W0, np.zeros(4)" --wrt 0,1 --rtol 1e-4
  srcgrad check model.py:loss --args "np.ones(3)," --kwargs "dict(scale=2.0)"

--args is a Python expression evaluated in FILE's namespace (its globals), with
numpy available as np. A tuple is spread over the parameters; any other value
is the only argument (write "(t,)" to pass a tuple itself). The wrt arguments
are converted to float64. Each of their elements costs two calls of FUNC.
Exits 1 when the gradient disagrees with central finite differences.
"""


class CLIError(Exception):
    """A user-facing error of the command: missing file or function, bad arguments."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail  # printed with --verbose


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


# --- loading the user's function ---------------------------------------------------


def load_function(target: str):
    """(function, default wrt or None) for `FILE.py:FUNC`."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise CLIError(f"expected FILE.py:FUNC (a file and a function in it), got {target!r}")
    if not os.path.isfile(path):
        raise CLIError(f"no such file: {path}")
    module = import_path(path)
    missing = object()
    obj = getattr(module, name, missing)
    if obj is missing:
        found = [n for n, v in vars(module).items()
                 if inspect.isfunction(v) and v.__module__ == module.__name__]
        listing = f"; functions defined there: {', '.join(found)}" if found else ""
        raise CLIError(f"{path} has no function {name!r}{listing}")
    from .api import GradientFunction
    if isinstance(obj, GradientFunction):  # @srcgrad.grad(wrt=...) def f: use f and its wrt
        return obj.__wrapped__, (obj.wrt if len(obj.wrt) > 1 else obj.wrt[0])
    if not inspect.isfunction(obj):
        raise CLIError(f"{name} in {path} is not a function defined with `def` "
                       f"(it is of type {type(obj).__name__})")
    return obj, None


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
        raise CLIError(f"importing {path} failed: {_one_line(exc)}",
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
        raise CLIError(f"{option} {expression!r} failed: {_one_line(exc)}",
                       traceback.format_exc()) from None


# --- the subcommands ---------------------------------------------------------------


def run_show(args) -> int:
    func, default_wrt = load_function(args.target)
    from . import api
    make = {"rev": api.grad, "fwd": api.jvp, "hvp": api.hvp}[args.mode]
    generated = make(func, wrt=parse_wrt(args.wrt, default_wrt))
    if args.mode == "hvp":
        generated = generated.pushforward
    code = generated.source
    color = _use_color(args.color)
    if not args.diff:
        _write(_highlight(code) if color else code)
        return 0
    _write(_annotated(func, generated, color))
    return 0


def run_graph(args) -> int:
    func, default_wrt = load_function(args.target)
    from .graph import graph
    g = graph(func, wrt=parse_wrt(args.wrt, default_wrt), adjoint=args.adjoint)
    if args.output == "-":
        _write(g.to_dot())
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
    from .check import check_grad
    result = check_grad(func, *positional, wrt=parse_wrt(args.wrt, default_wrt),
                        eps=args.eps, rtol=args.rtol, atol=args.atol, verbose=False,
                        **keywords)
    print(result.table())
    return 0 if result.ok else 1


# --- output ------------------------------------------------------------------------


def _use_color(choice) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _highlight(code: str) -> str:
    """`code` with terminal colours, or unchanged where pygments is not installed."""
    try:
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return code
    return highlight(code, PythonLexer(stripnl=False, ensurenl=True), TerminalFormatter())


def _annotated(func, generated, color) -> str:
    """The user's function with its file line numbers, then the generated code with,
    in the left column, the user's line each statement comes from."""
    from .pipeline import analyze
    raw, first = inspect.getsourcelines(func)
    filename = os.path.relpath(inspect.getsourcefile(func) or func.__code__.co_filename)
    user = "".join(raw)
    last = first + len(raw) - 1
    width = max(4, len(str(last)))
    out = [f"# ---- your function: {filename}, lines {first}-{last} ----\n"]
    user_lines = (_highlight(user) if color else user).splitlines()
    out += [f"{first + i:>{width}}  {line}\n" for i, line in enumerate(user_lines)]
    wrt = ", ".join(generated.wrt)
    out.append(f"\n# ---- generated by srcgrad, derivatives with respect to {wrt}; "
               f"left: the line in {os.path.basename(filename)} ----\n")
    code = generated.source
    numbers = _origins(code, analyze(func, generated.wrt))
    code_lines = (_highlight(code) if color else code).splitlines()
    for number, line in zip(numbers, code_lines):
        gutter = f"{number:>{width}}" if number else " " * width
        out.append(f"{gutter}  {line}".rstrip() + "\n")
    return "".join(out)


_LINE_COMMENT = re.compile(r"^(\s*)# line (\d+):")


def _origins(code: str, unit) -> list:
    """For each line of the generated code, the user's line it comes from, or None.

    Forward sweep: each line is matched, in order, to the statement of the analyzed
    function that prints the same. Backward sweep: the statements under a
    `# line N:` comment, at its indentation, come from line N.
    """
    import gast

    from .ir.build import source_text

    expected = []  # (text, user line) of the forward statements, in order

    def collect(body):
        for stmt in body:
            if isinstance(stmt, gast.If):
                expected.append((f"if {source_text(stmt.test)}:",
                                 unit.src.user_line(stmt)))
                collect(stmt.body)
                collect(stmt.orelse)
            elif isinstance(stmt, (gast.For, gast.While)):
                head = source_text(stmt).splitlines()[0]
                expected.append((head, unit.src.user_line(stmt)))
                collect(stmt.body)
            else:
                expected.append((source_text(stmt), unit.src.user_line(stmt)))

    collect(unit.body)
    numbers, cursor, current = [], 0, None  # current: (indent, line) of a `# line N:` group
    for line in code.splitlines():
        text, indent = line.strip(), len(line) - len(line.lstrip())
        found = None
        comment = _LINE_COMMENT.match(line)
        if comment:
            current = (len(comment.group(1)), int(comment.group(2)))
            found = current[1]
        elif (current is not None and text and indent == current[0] and not text.endswith(":")
              and not text.startswith("return")):
            found = current[1]
        elif text:
            current = None if current is None or indent <= current[0] else current
            for i in range(cursor, len(expected)):
                if expected[i][0] == text:
                    found, cursor = expected[i][1], i + 1
                    break
        numbers.append(found)
    return numbers


def _write(text: str):
    sys.stdout.write(text)
    sys.stdout.flush()


def _one_line(exc) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


# --- the parser and main -------------------------------------------------------------


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=79)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog=PROG, formatter_class=fmt, epilog=_EPILOG, description=_wrap(
        "srcgrad: automatic differentiation by source transformation. Show, "
        "draw and check the derivative code of a function in a Python file."))
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="on error, print the whole message or traceback")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("target", metavar="FILE.py:FUNC",
                        help="a Python file and the name of a function defined in it")
    common.add_argument("--wrt", metavar="NAMES",
                        help="parameters to differentiate with respect to: names or positions, "
                             "comma-separated (default: the first)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="on error, print the whole message or traceback")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    show = commands.add_parser(
        "show", parents=[common], formatter_class=fmt, epilog=_SHOW_EPILOG,
        help="print the generated forward and backward code",
        description=_wrap(
            "Print the code srcgrad generates for the gradient of FUNC: a forward function "
            "(the original computation, returning what the backward needs) and a backward "
            "function (adjoints in reverse order)."))
    show.add_argument("--mode", choices=("rev", "fwd", "hvp"), default="rev",
                      help="rev: reverse mode, the gradient (default); fwd: forward mode, "
                           "values and their tangents (jvp); hvp: forward mode over the "
                           "gradient (Hessian-vector products)")
    show.add_argument("--diff", action="store_true",
                      help="print your function with its line numbers first, and mark each "
                           "generated line with the line it comes from")
    colors = show.add_mutually_exclusive_group()
    colors.add_argument("--color", dest="color", action="store_const", const=True, default=None,
                        help="highlight even when the output is not a terminal")
    colors.add_argument("--no-color", dest="color", action="store_const", const=False,
                        help="never highlight")
    show.set_defaults(run=run_show)

    graph = commands.add_parser(
        "graph", parents=[common], formatter_class=fmt, epilog=_GRAPH_EPILOG,
        help="draw the dataflow graph (DOT, SVG, PNG, PDF)",
        description=_wrap(
            "Draw the dataflow of FUNC as srcgrad sees it: parameters, one box per "
            "operation, the result, and a cluster per branch of each `if`."))
    graph.add_argument("-o", "--output", default="-", metavar="PATH",
                       help="file to write: .dot/.gv (text), .svg, .png or .pdf "
                            "(default: DOT text on stdout)")
    graph.add_argument("--adjoint", action="store_true",
                       help="also draw the adjoint edges (dashed, in reverse)")
    graph.set_defaults(run=run_graph)

    check = commands.add_parser(
        "check", parents=[common], formatter_class=fmt, epilog=_CHECK_EPILOG,
        help="compare the gradient with finite differences",
        description=_wrap(
            "Compare srcgrad's gradient of FUNC at the given arguments with central finite "
            "differences in float64, and print a table of the errors."))
    check.add_argument("--args", required=True, metavar="EXPR",
                       help='the arguments, as a Python expression, e.g. "np.ones(3), 2.0"')
    check.add_argument("--kwargs", metavar="EXPR",
                       help='keyword arguments, as a dict expression, e.g. "dict(lam=0.1)"')
    check.add_argument("--eps", type=float, default=1e-6, help="step (default 1e-6)")
    check.add_argument("--rtol", type=float, default=1e-5,
                       help="relative tolerance (default 1e-5)")
    check.add_argument("--atol", type=float, default=1e-7,
                       help="absolute tolerance (default 1e-7)")
    check.set_defaults(run=run_check)
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    verbose = any(a in ("-v", "--verbose") for a in argv)
    try:
        args = build_parser().parse_args(argv)
        verbose = args.verbose
        return args.run(args)
    except _UsageError as exc:
        return _fail(str(exc), "", verbose, prefix="")
    except CLIError as exc:
        return _fail(str(exc), exc.detail, verbose)
    except SrcGradError as exc:  # its message: summary, file:line, source, caret, hint
        message = str(exc)
        return _fail(message, message if "\n" in message.strip() else "", verbose)
    except BrokenPipeError:  # `srcgrad show ... | head`: stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user's code raised: name it, in one line
        return _fail(_one_line(exc), traceback.format_exc(), verbose)


def _fail(message: str, detail: str, verbose: bool, prefix=f"{PROG}: error: ") -> int:
    lines = message.strip().splitlines() or ["unknown error"]
    if verbose and detail:
        text = prefix + detail.strip()
    else:
        more = " (--verbose for details)" if (len(lines) > 1 or detail) and not verbose else ""
        text = prefix + lines[0] + more
    print(text, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
