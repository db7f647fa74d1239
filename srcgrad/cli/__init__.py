"""The `srcgrad` command: show, draw and check the gradient code of a function in a file.

    srcgrad show model.py:loss --wrt w,b
    srcgrad graph model.py:loss -o loss.svg
    srcgrad check model.py:loss --args "np.ones(3), 0.5"
    srcgrad explain model.py:loss --args "np.ones(3), 0.5"

Also runnable as `python -m srcgrad`. Exit status: 0 success, 1 a gradient check
failed, 2 an error (on stderr, with the file, line and hint; --verbose adds the
traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
import traceback

from .. import __version__
from ..errors import SrcGradError
from .commands import CLIError, run_check, run_graph, run_show
from .explain_command import run_explain
from .output import one_line

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
  srcgrad explain model.py:loss --args "np.ones(3), 0.5"
                                             value, gradient code, finite differences,
                                             unreached inputs, where the gradient is 0/inf

FILE.py:FUNC names a plain function defined in a Python file. The file is imported
as a module, with its directory put first on sys.path; code under
`if __name__ == "__main__":` does not run. --wrt takes parameter names or positions,
comma-separated (default: the first parameter, or the wrt of an @srcgrad.grad function).

exit status: 0 success, 1 a gradient check failed, 2 an error (on stderr: what and
where, the line, what to write instead; --verbose adds the Python traceback).

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


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error."""

    def error(self, message):
        raise _UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


# --- loading the user's function ---------------------------------------------------


# --- the subcommands ---------------------------------------------------------------


# --- output ------------------------------------------------------------------------


# --- the parser and main -------------------------------------------------------------


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=79)


def build_parser() -> argparse.ArgumentParser:

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
    _add_check_options(check, args_required=True)
    check.set_defaults(run=run_check)

    explained = commands.add_parser(
        "explain", parents=[common], formatter_class=fmt,
        help="value, gradient code, finite differences, and where the gradient is 0 or inf",
        description=_wrap(
            "Explain the gradient of FUNC at the given arguments (srcgrad.explain): the value, "
            "the generated code with each block under your line, a finite-difference check "
            "per argument, the inputs that never reach the result, and the lines that make "
            "the gradient zero or not finite. Without --args, each parameter takes its "
            "default or a float array of 3 entries. --wrt defaults to every float argument. "
            "Exit status 1 when the finite-difference check fails."))
    _add_check_options(explained, args_required=False)
    explained.set_defaults(run=run_explain)
    return parser


def _add_check_options(command, args_required: bool) -> None:
    """The arguments and the finite-difference check's options (check, explain)."""
    command.add_argument("--args", required=args_required, metavar="EXPR",
                         help='the arguments, as a Python expression, e.g. "np.ones(3), 2.0"')
    command.add_argument("--kwargs", metavar="EXPR",
                         help='keyword arguments, as a dict expression, e.g. "dict(lam=0.1)"')
    command.add_argument("--eps", type=float, default=1e-6, help="step (default 1e-6)")
    command.add_argument("--rtol", type=float, default=1e-5,
                         help="relative tolerance (default 1e-5)")
    command.add_argument("--atol", type=float, default=1e-7,
                         help="absolute tolerance (default 1e-7)")


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
        return _fail(str(exc), traceback.format_exc(), verbose, whole=True)
    except BrokenPipeError:  # `srcgrad show ... | head`: stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user's code raised: name it, and where (its notes)
        notes = "".join(f"\n{note}" for note in getattr(exc, "__notes__", ()))
        return _fail(one_line(exc) + notes, traceback.format_exc(), verbose, whole=True)


def _fail(message: str, detail: str, verbose: bool, prefix=f"{PROG}: error: ",
          whole=False) -> int:
    """Print the error on stderr: its first line, or with `whole` all of it (where it is,
    the line and what to write instead); --verbose adds `detail` (the traceback)."""
    lines = message.strip().splitlines() or ["unknown error"]
    if whole:
        text = prefix + "\n".join(lines)
        if verbose and detail:
            text = detail.rstrip() + "\n" + text
    elif verbose and detail:
        text = prefix + detail.strip()
    else:
        more = " (--verbose for details)" if (len(lines) > 1 or detail) and not verbose else ""
        text = prefix + lines[0] + more
    print(text, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
