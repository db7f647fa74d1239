"""Load a function's source, parse it with gast, and point errors at the user's lines."""

from __future__ import annotations

import dis
import inspect
import itertools
import linecache
import os
import types
from dataclasses import dataclass

import gast

from ..errors import SrcGradError
from ..ir import build
from ..ir.build import written_out_from


@dataclass
class Source:
    """A parsed function plus what is needed to report errors at the user's line."""

    func: object
    filename: str
    first_line: int  # the file's line number of line 1 of the parsed text
    indent: int  # columns removed by dedenting
    lines: list[str]  # the dedented source lines of the function
    tree: gast.FunctionDef

    @property
    def name(self) -> str:
        return self.tree.name

    def user_line(self, node) -> int | None:
        lineno = getattr(node, "lineno", None)
        return None if lineno is None else self.user_line_number(lineno)

    def user_line_number(self, lineno: int) -> int:
        """The file's line number of line `lineno` of the parsed text."""
        return lineno + self.first_line - 1

    def line_text(self, lineno: int) -> str:
        """Line `lineno` of the parsed text, dedented; outside the function (the line of a
        helper written out in it, inline.py), that line of the file."""
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        line = linecache.getline(self.filename, self.user_line_number(lineno)).rstrip("\n")
        return line[self.indent:] if line[:self.indent].isspace() else line

    def error(self, node, summary: str, hint: str = "") -> SrcGradError:
        """A SrcGradError showing file:line, the source line and a caret under `node`."""
        return SrcGradError(self.describe(node, summary, hint))

    def describe(self, node, summary: str, hint: str = "") -> str:
        parts = [summary]
        lineno = getattr(node, "lineno", None)
        if lineno is not None:
            where = written_out_from(node) or self.name
            parts.append(f'  File "{self.filename}", line {self.user_line(node)}, in {where}')
            text = self.line_text(lineno)
            shown = text.strip()
            margin = len(text) - len(text.lstrip())
            parts.append("    " + shown)
            col = getattr(node, "col_offset", None)
            if col is not None and col >= margin:
                end = getattr(node, "end_col_offset", None)
                same_line = getattr(node, "end_lineno", lineno) == lineno
                width = (end - col) if (end and same_line and end > col) else 1
                width = min(width, len(shown) - (col - margin)) or 1
                parts.append("    " + " " * (col - margin) + "^" * width)
        if hint:
            parts.append(hint)
        return "\n".join(parts)


def _unwrap_callable(func):
    if isinstance(func, (staticmethod, classmethod)):
        func = func.__func__
    if inspect.ismethod(func):
        raise SrcGradError(
            f"{func.__qualname__} is a bound method; differentiate the plain function "
            f"(e.g. type(obj).{func.__name__}) and pass the object as a non-wrt argument"
        )
    if getattr(func, "__wrapped__", None) is not None and inspect.isfunction(func):
        raise SrcGradError(
            f"{func.__qualname__} is wrapped by a decorator (it has __wrapped__); srcgrad "
            "reads source code, so it would differentiate the undecorated function and miss "
            f"what the decorator does. Differentiate {func.__qualname__}.__wrapped__ if the "
            "decorator does not change the result, or move the decorator's work into the "
            "function")
    if not inspect.isfunction(func):
        raise SrcGradError(
            f"srcgrad can only differentiate Python functions written with `def`, not {func!r}"
        )
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        raise SrcGradError(f"{func.__qualname__} is async; differentiate a plain `def` function")
    return func


def load(func) -> Source:
    """Parse `func`'s source into a gast FunctionDef with decorators stripped."""
    func = _unwrap_callable(func)
    name = func.__qualname__
    try:
        raw_lines, first_line = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or func.__code__.co_filename
    except Exception as exc:  # OSError, TypeError, tokenize errors of an edited file
        raise SrcGradError(
            f"cannot read the source of {name} ({exc}); srcgrad transforms source code, so "
            "define the function in a .py file (or a notebook cell), not with exec() or in the "
            "interactive prompt"
        ) from None
    indent = _indent_of(raw_lines) if raw_lines else 0
    # Strip the `def` line's indentation; lines indented less (inside a string) stay as they are.
    dedented = "".join(line[indent:] if line[:indent].isspace() else line for line in raw_lines)
    try:
        module = gast.parse(dedented)
    except SyntaxError as exc:
        raise SrcGradError(
            f"the source of {name} in {filename} no longer parses ({exc.msg}); "
            "has the file changed since it was imported? Re-import or restart."
        ) from None
    if func.__name__ == "<lambda>":
        return Source(func, filename, first_line, indent, dedented.splitlines(),
                      _lambda_as_def(func, module, filename))
    defs = [n for n in module.body if isinstance(n, gast.FunctionDef)]
    if not defs or defs[0].name != func.__name__:
        if module.body and isinstance(module.body[0], gast.AsyncFunctionDef):
            raise SrcGradError(f"{name} is async; differentiate a plain `def` function")
        raise SrcGradError(
            f"the source of {name} in {filename} does not match the function "
            "(has the file changed since it was imported? Re-import or restart)"
        )
    if not _same_code(func, dedented, filename):
        raise SrcGradError(
            f"the source of {name} in {filename} has changed since it was imported, so "
            "srcgrad cannot read the code that runs; re-import the module (or restart) and "
            "try again")
    tree = defs[0]
    tree.decorator_list = []  # line 1 of the parsed text is still `first_line` of the file
    if func.__code__.co_filename.startswith(GENERATED):
        _spread_saved(func, tree)
    else:
        _spread_zips(tree)
    src = Source(func, filename, first_line, indent, dedented.splitlines(), tree)
    for node in [n for n in gast.walk(tree) if isinstance(n, gast.FunctionDef)]:
        if any(isinstance(n, (gast.Yield, gast.YieldFrom)) for n in _own_nodes(node.body)):
            _generator_as_list(node, src)
    return src


GENERATED = "<srcgrad "  # the file name of generated code (backend/loading.py)


def _spread_saved(func, tree) -> None:
    """In generated gradient code (which second derivatives differentiate again), a helper's
    backward call `f_backward(d_h, *h_saved)` as `f_backward(d_h, h_saved[0], ...)`: the
    backward function's parameters give the count, and each value its own tangent."""
    closure = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    for call in (n for n in gast.walk(tree) if isinstance(n, gast.Call)):
        starred = [i for i, a in enumerate(call.args) if isinstance(a, gast.Starred)]
        if len(starred) != 1 or not isinstance(call.func, gast.Name):
            continue
        cell = closure.get(call.func.id)
        callee = cell.cell_contents if cell is not None else func.__globals__.get(call.func.id)
        if not (isinstance(callee, types.FunctionType)
                and callee.__code__.co_filename.startswith(GENERATED)):
            continue
        at = starred[0]
        code = callee.__code__
        if code.co_flags & inspect.CO_VARARGS or at != len(call.args) - 1:
            continue
        spread = call.args[at].value
        call.args[at:] = [gast.copy_location(gast.Subscript(
            value=build.clone(spread), slice=build.const(i), ctx=gast.Load()), spread)
            for i in range(code.co_argcount - at)]


def _generator_as_list(tree, src) -> None:
    """A generator helper (autograd's `unpack_layers`) as the function returning the list
    of what it yields: `yield v` appends, `return` returns the list. Its callers iterate
    over it; a `while` (which could run forever) and a yield read as a value are refused."""
    own = list(_own_nodes(tree.body))
    for node in own:
        if isinstance(node, gast.While):
            raise src.error(node, f"srcgrad reads the generator {tree.name} as the "
                            "list it yields, and a `while` in it could run forever",
                            "Write it as a function that returns a list.")
        if isinstance(node, (gast.Yield, gast.YieldFrom)) and not node._srcgrad_statement:
            raise src.error(node, f"srcgrad reads the generator {tree.name} as the "
                            "list it yields, and cannot use the value of a `yield`",
                            "Write it as a function that returns a list.")
    taken = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
    acc = next(f"yielded{k}" for k in itertools.count() if f"yielded{k}" not in taken)

    def rewrite(block):
        for i, stmt in enumerate(block):
            if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Yield):
                item = stmt.value.value or build.const(None)
                block[i] = gast.copy_location(gast.Expr(value=build.call(
                    build.attr(build.load(acc), "append"), item)), stmt)
            elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.YieldFrom):
                item = next(f"item{k}" for k in itertools.count() if f"item{k}" not in taken)
                taken.add(item)
                block[i] = gast.copy_location(gast.For(
                    target=build.store(item), iter=stmt.value.value, body=[
                        gast.copy_location(gast.Expr(value=build.call(build.attr(
                            build.load(acc), "append"), build.load(item))), stmt)],
                    orelse=[], type_comment=None), stmt)
            elif isinstance(stmt, gast.Return):
                stmt.value = build.load(acc)
            elif not isinstance(stmt, (gast.FunctionDef, gast.ClassDef)):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(stmt, field, None)
                    if isinstance(inner, list):
                        rewrite(inner)
    rewrite(tree.body)
    start = gast.copy_location(build.assign(acc, gast.List(elts=[], ctx=gast.Load())),
                               tree.body[0])
    end = gast.copy_location(gast.Return(value=build.load(acc)), tree.body[-1])
    tree.body[:] = [start, *tree.body, end]


def _own_nodes(body):
    """The nodes of a function's body, not of the functions (or lambdas) defined in it;
    a `yield` that is a whole statement is marked `_srcgrad_statement`."""
    for stmt in body:
        stack = [stmt]
        while stack:
            node = stack.pop()
            if isinstance(node, (gast.FunctionDef, gast.Lambda, gast.ClassDef)):
                continue
            if isinstance(node, (gast.Yield, gast.YieldFrom)):
                node._srcgrad_statement = False
            if isinstance(node, gast.Expr) and isinstance(node.value, (gast.Yield,
                                                                       gast.YieldFrom)):
                node.value._srcgrad_statement = True
                yield node.value
                stack.extend(gast.iter_child_nodes(node.value))
                continue
            yield node
            stack.extend(gast.iter_child_nodes(node))


def _spread_zips(tree) -> None:
    """`for a, b in zip(*pairs):` (autograd's gmm.py) as `spread0, spread1 = pairs` then
    `for a, b in zip(spread0, spread1):`: the target gives the count (and a tuple of
    another length raises, as Python's unpacking of its items would)."""
    taken = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
    for node in list(gast.walk(tree)):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            for stmt in [s for s in block if isinstance(s, gast.For)]:
                call, target = stmt.iter, stmt.target
                if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name)
                        and call.func.id == "zip" and not call.keywords and len(call.args) == 1
                        and isinstance(call.args[0], gast.Starred)
                        and isinstance(target, (gast.Tuple, gast.List)) and not any(
                            isinstance(e, gast.Starred) for e in target.elts)):
                    continue
                names = [f"spread{k}" for k in itertools.islice(
                    (k for k in itertools.count() if f"spread{k}" not in taken),
                    len(target.elts))]
                taken.update(names)
                spread = call.args[0].value
                block.insert(block.index(stmt), build.assign_to(
                    gast.Tuple(elts=list(map(build.store, names)), ctx=gast.Store()),
                    spread, spread))
                call.args = [gast.copy_location(build.load(n), spread) for n in names]


def _indent_of(lines: list[str]) -> int:
    first = next((line for line in lines if line.strip()), "")
    return len(first) - len(first.lstrip())


def _lambda_as_def(func, module, filename) -> gast.FunctionDef:
    """`act = lambda z: np.tanh(z)` read as `def act(z): return np.tanh(z)`."""
    code = func.__code__
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    found = [node for node in gast.walk(module) if isinstance(node, gast.Lambda)
             and [a.id for a in node.args.posonlyargs + node.args.args
                  + node.args.kwonlyargs] == params]
    if len(found) != 1:
        raise SrcGradError(
            f"cannot tell which lambda on line {code.co_firstlineno} of {filename} to "
            "differentiate; define it with `def` instead")
    lam = found[0]
    name = "lambda_"
    for node in gast.walk(module):
        if isinstance(node, gast.Assign) and node.value is lam and isinstance(
                node.targets[0], gast.Name):
            name = node.targets[0].id
    body = [gast.copy_location(gast.Return(value=lam.body), lam.body)]
    fn = gast.FunctionDef(name=name, args=lam.args, body=body, decorator_list=[], returns=None,
                          type_comment=None, type_params=[])
    return gast.copy_location(fn, lam)


# Instructions that differ between a function compiled in place and its text compiled on
# its own (closures, calls through globals), none of which changes what it computes.
_SETUP = {"RESUME", "CACHE", "NOP", "EXTENDED_ARG", "PUSH_NULL", "PRECALL", "COPY_FREE_VARS",
          "MAKE_CELL", "KW_NAMES"}


def _fingerprint(code) -> list:
    out = []
    for ins in dis.get_instructions(code):
        if ins.opname in _SETUP:
            continue
        op = ins.opname
        if op.startswith(("LOAD_GLOBAL", "LOAD_DEREF", "LOAD_NAME", "LOAD_CLOSURE",
                          "LOAD_FAST", "LOAD_CLASSDEREF")):
            op, arg = "LOAD", ins.argval
        elif op in ("LOAD_ATTR", "LOAD_METHOD"):
            op, arg = "ATTR", ins.argval
        elif op.startswith("CALL"):
            op, arg = "CALL", None
        elif op in ("LOAD_CONST", "RETURN_CONST"):
            arg = ins.argval.co_name if inspect.iscode(ins.argval) else repr(ins.argval)
        elif isinstance(ins.argval, str):
            arg = ins.argval
        else:
            arg = None
        out.append((op, arg))
    return out


def _same_code(func, text: str, filename: str) -> bool:
    """Does `text` (read from the file now) compile to the code `func` runs?"""
    try:
        module = compile(text, filename, "exec", dont_inherit=True)
        codes = [c for c in module.co_consts
                 if inspect.iscode(c) and c.co_name == func.__code__.co_name]
        if not codes or _fingerprint(codes[0]) == _fingerprint(func.__code__):
            return True
    except Exception:  # cannot tell (e.g. syntax only valid in its original context)
        return True
    # The code differs; that can also come from compiling differently (pytest rewrites
    # asserts). The .pyc written at import records the file's size and time then.
    unchanged = _unchanged_since_import(func, filename)
    if "@pytest_ar" in func.__globals__:  # pytest rewrote this module's asserts
        return unchanged is not False
    return unchanged is True  # nothing vouches for the file: refuse, never guess


def _unchanged_since_import(func, filename: str):
    """True/False from the module's .pyc header (PEP 552), None if it cannot tell."""
    cached = func.__globals__.get("__cached__")
    try:
        with open(cached, "rb") as pyc:
            header = pyc.read(16)
        stat = os.stat(filename)
    except (OSError, TypeError):
        return None
    if len(header) < 16 or int.from_bytes(header[4:8], "little") != 0:  # hash-based pyc
        return None
    mtime, size = (int.from_bytes(header[8:12], "little"), int.from_bytes(header[12:16], "little"))
    return mtime == int(stat.st_mtime) & 0xFFFFFFFF and size == stat.st_size & 0xFFFFFFFF
