"""Turn generated gast functions into readable source and live Python functions.

The source is unparsed from the AST (comment markers become `# ...` lines),
registered with `linecache` so tracebacks show the generated lines, and
compiled inside a factory whose parameters are the helpers and the user's
closure variables. The resulting functions are rebuilt over the user's own
globals dict and closure cells, so globals and closure values are read fresh
on every call and nothing is added to the user's module.
"""

from __future__ import annotations

import ast
import itertools
import linecache
import types
import weakref
from dataclasses import dataclass

import gast

from . import build

_counter = itertools.count(1)


@dataclass
class Origin:
    """Where the lines of one generated file came from, for run-time error notes."""

    lines: dict  # generated line -> line of the user's parsed source
    filename: str  # the user's file
    first_line: int  # its line number of line 1 of the parsed source
    source_lines: list  # the parsed source (never the function itself: that would keep it alive)


ORIGINS: dict = {}  # generated filename -> Origin


def render(functions: list) -> str:
    """Readable source for `functions`, with comment markers printed as comments."""
    return _unparse(functions)[0]


def _unparse(functions: list):
    """(source text, {generated line: original line}) for `functions`."""
    module = _NegativeLiterals().visit(
        gast.gast_to_ast(gast.Module(body=functions, type_ignores=[])))
    origin = _fill_empty_bodies(module)
    text = ast.unparse(module)  # needs no locations
    try:
        produced = [n.lineno for n in ast.walk(ast.parse(text)) if isinstance(n, ast.stmt)]
    except SyntaxError:  # a pass's intermediate state (e.g. an empty body) shown for debugging
        produced = []
    line_map = dict(zip(produced, origin)) if len(produced) == len(origin) else {}
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if "srcgrad-comment:" in stripped and stripped[:1] in "'\"":
            value = ast.literal_eval(stripped)
            if isinstance(value, str) and value.startswith(build.COMMENT_PREFIX):
                indent = line[: len(line) - len(line.lstrip())]
                line = f"{indent}# {value[len(build.COMMENT_PREFIX):]}"
        lines.append(line)
    # a blank line between functions; line numbers shift, so the map follows
    out, shift, shifted = [], 0, {}
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("def ") and number > 1 and line.startswith(" " * _indent(line)):
            if _indent(line) == _indent(lines[0]):
                out.append("")
                shift += 1
        out.append(line)
        if line_map.get(number) is not None:
            shifted[number + shift] = line_map[number]
    return "\n".join(out) + "\n", shifted


class _NegativeLiterals(ast.NodeTransformer):
    """`-0.7` as a constant becomes unary minus on 0.7, so the unparser parenthesizes it
    where precedence needs it: `(-0.7) ** 2`, never `-0.7 ** 2`."""

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                value < 0 or (value == 0 and str(value).startswith("-"))):
            return ast.copy_location(
                ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value)), node)
        return node


def _fill_empty_bodies(module) -> list:
    """`pass` where a pass left a block empty (an `if` whose branch lost every statement);
    returns the user's line of each statement (None for ours), in `ast.walk` order."""
    origin = []
    for node in ast.walk(module):
        if isinstance(node, ast.stmt):
            line = getattr(node, "lineno", None)
            origin.append(line)
            if line is None:
                node.lineno = 0  # read by ast.unparse (type comments); the only location it needs
            block = getattr(node, "body", None)
            if isinstance(block, list) and not block:
                block.append(ast.Pass())
    return origin


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def unparse(functions: list) -> tuple:
    """(readable source of `functions`, {its line: line of the user's parsed source})."""
    return _unparse(functions)


def compile_functions(functions: list, func, helpers: dict, label: str, src=None,
                      rendered=None) -> list:
    """Compile `functions` and bind them to `func`'s globals and closure cells.

    `rendered` is `unparse(functions)` if the caller has it already: the factory that
    binds the helpers is then written around that text instead of unparsing again.
    """
    code_globals = func.__globals__
    closure = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    free = sorted(set(helpers) | set(closure))
    names = [f.name for f in functions]
    if rendered is not None:
        text, line_map = _factory_around(rendered, free, names)
    else:
        factory = function("__srcgrad_factory__", arguments(free), list(functions) + [
            gast.Return(value=build.tuple_([build.load(n) for n in names]))])
        text, line_map = _unparse([factory])
    filename = f"<srcgrad {label} #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    if src is not None:
        ORIGINS[filename] = Origin(line_map, src.filename, src.first_line, src.lines)
    namespace = dict(code_globals)  # default values are evaluated here, once
    exec(compile(text, filename, "exec"), namespace)
    values = [helpers[n] if n in helpers else _cell_value(closure[n]) for n in free]
    made = namespace["__srcgrad_factory__"](*values)
    cells = {n: types.CellType(helpers[n]) for n in helpers}
    cells.update(closure)
    out = []
    for fn in made:
        rebuilt = types.FunctionType(fn.__code__, code_globals, fn.__name__, fn.__defaults__,
                                     tuple(cells[n] for n in fn.__code__.co_freevars))
        rebuilt.__kwdefaults__ = fn.__kwdefaults__
        out.append(rebuilt)
    weakref.finalize(out[0], _forget, filename)  # the text lives as long as the code
    return out


def _factory_around(rendered, free, names):
    """The text of `__srcgrad_factory__(*free)`, which defines the rendered functions and
    returns them, and its line map (one line of header: every line moves down by one)."""
    text, line_map = rendered
    body = "".join(f"    {line}" if line.strip() else "\n" for line in text.splitlines(True))
    returned = ", ".join(names) + ("," if len(names) == 1 else "")
    text = (f"def __srcgrad_factory__({', '.join(free)}):\n{body}"
            f"    return ({returned})\n")
    return text, {line + 1: origin for line, origin in line_map.items()}


def _forget(filename: str) -> None:
    linecache.cache.pop(filename, None)
    ORIGINS.pop(filename, None)


def explain(exc: BaseException) -> str | None:
    """A note for an error raised inside generated code: the generated line and the
    user's line it computes."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in ORIGINS:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return None
    filename, line = found
    origin = ORIGINS[filename]
    generated = linecache.getline(filename, line).strip()
    note = f"srcgrad: raised by the generated line `{generated}` ({filename}, line {line})"
    user = origin.lines.get(line)
    if user is not None and 0 < user <= len(origin.source_lines):
        note += (f"\n  which computes line {user + origin.first_line - 1} of "
                 f"{origin.filename}: {origin.source_lines[user - 1].strip()}")
    return note + "\n  print(grad(f).source) shows the whole generated code"


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None


def function(name: str, args: gast.arguments, body: list) -> gast.FunctionDef:
    return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def arguments(names: list[str]) -> gast.arguments:
    return gast.arguments(args=[build.store(n) for n in names], posonlyargs=[], vararg=None,
                          kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
