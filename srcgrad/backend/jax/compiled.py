"""The gradient of one specialized variant as one `jax.jit` function: the forward and
backward sweeps (the same gast the NumPy backend compiles) joined, their control flow
converted (control.py), compiled over the user's globals and closure with every NumPy,
`math` and runtime name read in its JAX form (namespace.py), then jitted once."""

from __future__ import annotations

import functools
import inspect
import textwrap
import threading
import types
import weakref

import gast
import jax

from ...errors import SrcGradError
from ...ir import build
from .. import codegen, loading
from . import control, flow
from .namespace import NoJaxForm, jax_value

FLOW = {"branch": flow.branch, "scan_range": flow.scan_range, "loop_range": flow.loop_range,
        "scan_reversed": flow.scan_reversed, "as_index": flow.as_index}


def gradient_function(forward, backward, seed, parameters, name, scan=True):
    """(the gast of the JAX gradient: forward sweep, seed 1.0, backward sweep, control
    flow converted, whether it returns `(value, gradients)`): it does whenever the forward
    sweep computes the value (the caller checks it is a number), else the gradients."""
    returned = forward.body[-1].value.elts[0]
    with_value = not (isinstance(returned, gast.Constant) and returned.value is None)
    body = build.clone(forward.body[1:-1])
    if with_value:
        body.append(build.assign("value", build.clone(returned)))
    body.append(build.assign(seed, build.const(1.0)))
    body.extend(build.clone(backward.body[1:]))
    if with_value:
        body[-1] = gast.Return(value=build.tuple_([build.load("value"), body[-1].value]))
    names = [a.id for a in parameters.posonlyargs + parameters.args + parameters.kwonlyargs]
    body = control.convert(body, names, scan=scan)
    heading = "the gradient on JAX: forward sweep, then backward sweep" + (
        "" if scan else " (loops unrolled by the trace)")
    return codegen.function(name, build.clone(parameters), [build.comment(heading)] + body), \
        with_value


def compile_gradient(function, func, code_names: dict, label: str, origin):
    """(the live function, its source): `function` compiled over `func`'s globals and
    closure, each value in its JAX form. NoJaxForm if a name has none."""
    read = {n.id for n in gast.walk(function) if isinstance(n, gast.Name)}
    helpers = {name: _jax_form(name, value) for name, value in code_names.items()
               if name in read}
    helpers.update(FLOW)
    namespace = {name: _quietly(name, value) for name, value in func.__globals__.items()
                 if not name.startswith("__")}
    namespace.update({k: v for k, v in func.__globals__.items() if k.startswith("__")})
    cells = tuple(types.CellType(_quietly(n, _content(c)))
                  for n, c in zip(func.__code__.co_freevars, func.__closure__ or ()))
    over_jax = types.FunctionType(func.__code__, namespace, func.__name__, func.__defaults__,
                                  cells)
    rendered = codegen.unparse([function])
    made, = loading.compile_functions([function], over_jax, helpers, label, origin, rendered)
    return loading.take_defaults(made, func), rendered[0]


def _quietly(name, value):
    """A global's JAX form; a runtime helper without one stays as it is (the code reads
    the helpers it calls through `code_names`, refused there)."""
    try:
        return _jax_form(name, value)
    except NoJaxForm:
        return value


_GENERATED_FORMS = weakref.WeakKeyDictionary()  # a generated function -> its JAX form


def _jax_form(name, value):
    """jax_value, and for a function srcgrad generated (the code of a function the
    user's calls, of a rule defined in Python) its JAX form, control flow converted."""
    if not (isinstance(value, types.FunctionType)
            and value.__code__.co_filename in loading.ORIGINS):
        return jax_value(name, value)
    form = _GENERATED_FORMS.get(value)
    if form is None:
        form = converted_over_jax(value, f"{value.__name__} on JAX") or over_jax(value)
        _GENERATED_FORMS[value] = form
    return form


def _content(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None


class Retraced(Exception):
    """A call straight to a jitted gradient (the entry of api/backends.py) that JAX
    would trace anew: arguments of other shapes or dtypes than those of every call so
    far, for the general path to key."""


TRACING = threading.local()  # TRACING.allowed: a call through JaxGradient.__call__


def _guarded(made):
    """`made`, refusing to be traced but through `JaxGradient.__call__`: the entry relies
    on JAX's own dispatch, which calls the compiled code only for arguments it was traced
    for; and it then pays for no flag."""
    @functools.wraps(made)
    def traced(*args):
        if not getattr(TRACING, "allowed", False):
            raise Retraced
        return made(*args)
    return traced


class JaxGradient:
    """One variant's gradient on JAX: `source`, `__call__(*args)` running the jitted
    function (traced on the first call of each set of static arguments), and `jitted`
    itself, which raises Retraced where it would be traced."""

    def __init__(self, made, source, with_value, static):
        self.source, self.with_value, self.static = source, with_value, static
        self.function = made
        self.jitted = jax.jit(_guarded(made), static_argnums=static)

    def __call__(self, *args):
        before = getattr(TRACING, "allowed", False)
        TRACING.allowed = True
        try:
            return self.jitted(*args)
        finally:
            TRACING.allowed = before


def build_gradient(parts, func, code_names, label, origin, static):
    """A JaxGradient of the sweeps `parts` (forward, backward, seed, parameters, name),
    tried with loops as scans first, then unrolled if their trace fails (see `traced`)."""
    forward, backward, seed, parameters, name = parts
    made = []
    for scan in (True, False):
        fn, has_value = gradient_function(forward, backward, seed, parameters,
                                          f"{name}_jax", scan)
        try:
            live, text = compile_gradient(fn, func, code_names, label, origin)
        except NoJaxForm as exc:
            raise SrcGradError(f"{func.__name__} cannot run on the JAX backend: {exc}; "
                               f"use backend='numpy' (or 'auto')") from None
        made.append(JaxGradient(live, text, has_value, static))
    return made


def refusal(func, exc) -> SrcGradError:
    """The SrcGradError for a gradient whose trace failed with `exc`: the user's line it
    computes and why."""
    where = loading.explain(exc) or ""
    if isinstance(exc, NoJaxForm):
        return SrcGradError(f"{func.__name__} cannot run on the JAX backend: {exc}\n{where}\n"
                            "Or use backend='numpy' (backend='auto' falls back with a "
                            "warning).")
    reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return SrcGradError(
        f"{func.__name__} cannot run on the JAX backend: {reason}\n{where}\n"
        "A branch or loop whose condition is a computed value XLA cannot express this "
        "way (a `while` on a computed value, a value turned into a Python number) is "
        "refused; use backend='numpy', or backend='auto' to fall back with a warning.")


def over_jax(made):
    """The live generated function `made` (loading.compile_functions) read over JAX: its
    globals and cells (helpers, the user's closure) in their JAX forms. Its control flow
    stays Python: branches on traced values fail in the trace (see `refusal`)."""
    names = made.__code__.co_freevars
    cells = tuple(types.CellType(_jax_form(n, _content(c))) for n, c in
                  zip(names, made.__closure__ or ()))
    namespace = {name: _quietly(name, value) for name, value in made.__globals__.items()
                 if not name.startswith("__")}
    namespace.update({k: v for k, v in made.__globals__.items() if k.startswith("__")})
    rebound = types.FunctionType(made.__code__, namespace, made.__name__, made.__defaults__,
                                 cells)
    rebound.__kwdefaults__ = made.__kwdefaults__
    return rebound


def converted_over_jax(made, label, scan=True):
    """The live generated function `made` (a jvp's, a vjp's sweep) with its control flow
    converted as the gradient's is (control.py), read over JAX like `over_jax`; None
    where its source is not at hand (then `over_jax(made)`: Python control flow). Its
    statements keep the user's lines, for the refusal of a trace that still fails."""
    try:
        text = inspect.getsource(made)
        function = gast.parse(textwrap.dedent(text)).body[0]
    except (OSError, TypeError, SyntaxError):
        return None
    origin = loading.ORIGINS.get(made.__code__.co_filename)
    _at_user_lines(function, made.__code__.co_firstlineno - 1, origin)
    parameters = function.args
    names = [a.id for a in parameters.posonlyargs + parameters.args + parameters.kwonlyargs]
    function.body = control.convert(function.body, names, scan=scan)
    source = None if origin is None else types.SimpleNamespace(
        filename=origin.filename, first_line=origin.first_line, lines=origin.source_lines)
    live, = loading.compile_functions([function], over_jax(made), dict(FLOW), label, source)
    live.__defaults__, live.__kwdefaults__ = made.__defaults__, made.__kwdefaults__
    return live


def _at_user_lines(function, offset, origin):
    """Each statement's `lineno`: the user's line its generated line computes, or none."""
    for node in gast.walk(function):
        if isinstance(node, gast.stmt) and hasattr(node, "lineno"):
            user = None if origin is None else origin.lines.get(node.lineno + offset)
            if user is None:
                del node.lineno
            else:
                node.lineno = user
