"""From generated source to live functions, and errors raised in them traced back.

The source is registered with `linecache` so tracebacks show the generated lines, and
compiled inside a factory whose parameters are the helpers and the user's closure
variables. The resulting functions are rebuilt over the user's own globals dict and
closure cells, so globals and closure values are read fresh on every call and nothing
is added to the user's module. An error raised inside them gets a note with the user's
line (`annotate`).
"""

from __future__ import annotations

import itertools
import linecache
import types
import weakref
from dataclasses import dataclass

import gast

from ..errors import SrcGradError
from ..ir import build
from .codegen import LineMap, arguments, function, unparse


_counter = itertools.count(1)


@dataclass
class Origin:
    """Where the lines of one generated file came from, for run-time error notes."""

    lines: LineMap  # generated line -> line of the user's parsed source
    filename: str  # the user's file
    first_line: int  # its line number of line 1 of the parsed source
    source_lines: list  # the parsed source (never the function itself: that would keep it alive)

    def user_line(self, line: int):
        """(the file's line number, its text) of what generated line `line` computes, or
        None; a helper's line written out in the function (inline.py) is read from the
        file."""
        user = self.lines.get(line)
        if user is None:
            return None
        number = user + self.first_line - 1
        text = (self.source_lines[user - 1] if 0 < user <= len(self.source_lines)
                else linecache.getline(self.filename, number) if number > 0 else "")
        return (number, text.strip()) if text.strip() else None


ORIGINS: dict = {}  # generated filename -> Origin


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
        text, line_map = unparse([factory])
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
    return text, line_map.shifted(1)


def _forget(filename: str) -> None:
    linecache.cache.pop(filename, None)
    ORIGINS.pop(filename, None)


def annotate(exc: BaseException) -> None:
    """Say where an error raised inside generated code comes from: a SrcGradError (the
    run-time checks of runtime/containers.py) gets the user's file and line in its message, any
    other error a note with the generated line and the user's."""
    if isinstance(exc, SrcGradError) and not getattr(exc, "_srcgrad_located", False):
        where = _user_line(exc)
        if where is not None and exc.args:
            summary, _, hint = str(exc.args[0]).partition("\n")
            filename, line, text = where
            exc.args = ("\n".join([summary, f'  File "{filename}", line {line}',
                                    f"    {text}"] + ([hint] if hint else [])),)
            exc._srcgrad_located = True
        return
    note = explain(exc)
    if note and hasattr(exc, "add_note"):  # Python >= 3.11
        exc.add_note(note)


def _user_line(exc):
    """(file, line, text) of the user's line the innermost generated frame of `exc`'s
    traceback computes, or None."""
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in ORIGINS:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return None
    origin = ORIGINS[found[0]]
    user = origin.user_line(found[1])
    return None if user is None else (origin.filename, *user)


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
    user = origin.user_line(line)
    if user is not None:
        note += f"\n  which computes line {user[0]} of {origin.filename}: {user[1]}"
    return note + "\n  print(grad(f).source) shows the whole generated code"


def _cell_value(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None


def take_defaults(made, func):
    """Give the generated function `made` (whose own parameters are those of the user's
    `func`, then keyword-only ones without defaults) `func`'s default values."""
    made.__defaults__ = func.__defaults__
    made.__kwdefaults__ = dict(func.__kwdefaults__) if func.__kwdefaults__ else None
    return made


def first_user_line(filename: str, line: int):
    """(file, line number, text) of the user's line that line `line` of generated file
    `filename` computes, through generated code made from generated code (derivatives of
    higher order), or None."""
    seen = set()
    while filename in ORIGINS and filename not in seen:
        seen.add(filename)
        user = ORIGINS[filename].user_line(line)
        if user is None:
            return None
        filename, (line, text) = ORIGINS[filename].filename, user
        if filename not in ORIGINS:
            return filename, line, text
    return None
