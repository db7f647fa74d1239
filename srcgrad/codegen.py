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
import re
import types

import gast

from . import build

_counter = itertools.count(1)


def render(functions: list) -> str:
    """Readable source for `functions`, with comment markers printed as comments."""
    module = gast.gast_to_ast(gast.Module(body=functions, type_ignores=[]))
    text = ast.unparse(ast.fix_missing_locations(module))
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if "srcgrad-comment:" in stripped and stripped[:1] in "'\"":
            value = ast.literal_eval(stripped)
            if isinstance(value, str) and value.startswith(build.COMMENT_PREFIX):
                indent = line[: len(line) - len(line.lstrip())]
                line = f"{indent}# {value[len(build.COMMENT_PREFIX):]}"
        lines.append(line)
    return re.sub(r"\n(def )", r"\n\n\1", "\n".join(lines)) + "\n"


def compile_functions(functions: list, func, helpers: dict, label: str) -> list:
    """Compile `functions` and bind them to `func`'s globals and closure cells."""
    code_globals = func.__globals__
    closure = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    free = sorted(set(helpers) | set(closure))
    names = [f.name for f in functions]
    factory = function("__srcgrad_factory__", arguments(free), list(functions) + [
        gast.Return(value=build.tuple_([build.load(n) for n in names]))])
    text = render([factory])
    filename = f"<srcgrad {label} #{next(_counter)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
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
    return out


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
