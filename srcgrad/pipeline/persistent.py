"""The opt-in persistent cache: the generated source of each fused variant on disk, so that
a new process's first call compiles it instead of running the passes again.

On with `SRCGRAD_CACHE_DIR=<dir>` or `srcgrad.cache_dir(<dir>)`. An entry is one file named
by the hash of what the variant was asked for (the function's code and file, its default
values, `wrt`, the argument shapes and kinds, the options, the versions of Python, NumPy and
srcgrad's own files). It holds the fused function's text, how to find each object that text
is compiled over, and a fingerprint of every function and name the code was resolved
through (helpers written out in place, NumPy functions, custom rules): each is looked up
again and compared before the entry is used. An entry that fails any check, or whose
checksum does not match (truncated, corrupt), is ignored and written anew. Files are
written to a temporary name and renamed, so a reader sees a whole entry or none.

Only what a call runs is stored: the fused function of a specialized variant. Its
`.source`, forward and backward sweeps are made by a full transformation when first asked.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import linecache
import os
import sys
import tempfile
import types
import weakref

import numpy as np

from ..backend import loading
from ..backend.codegen import LineMap
from ..frontend.resolve import defaults_guards
from ..rules.registry import RULES
from .generated import Generated

FORMAT = 1
_LIBRARIES = {"builtins", "numpy", "scipy", "srcgrad", "math"}  # their versions are checked
_DIR: list = [None]  # set by cache_dir(); None: SRCGRAD_CACHE_DIR decides
_SRCGRAD_FILES: list = []  # the fingerprint of srcgrad's own files, made once


class Unpersistable(Exception):
    """Something the variant depends on cannot be named in another process."""


def cache_dir(path=None):
    """Store and reuse generated code under `path` (a directory, made if missing); None
    turns it off unless SRCGRAD_CACHE_DIR is set. Returns the previous setting."""
    before = _DIR[0]
    _DIR[0] = None if path is None else os.fspath(path)
    return before


def directory() -> str | None:
    """Where entries live now, or None: the persistent cache is off."""
    return _DIR[0] or os.environ.get("SRCGRAD_CACHE_DIR") or None


def entry_path(func, request: tuple) -> str | None:
    """The file of the variant `request` of `func`, or None (off, or not nameable)."""
    where = directory()
    if where is None or not isinstance(func, types.FunctionType):
        return None
    try:
        scipy = getattr(sys.modules.get("scipy"), "__version__", None)
        key = _hash([FORMAT, sys.version, np.__version__, scipy, _srcgrad_fingerprint(),
                     fingerprint(func), _plain(request)])
    except Unpersistable:
        return None
    return os.path.join(where, key[:2], key + ".json")


def load(func, path: str, full) -> Generated | None:
    """The variant stored at `path` if it is whole and every object it depends on is
    still what it was, else None. `full()`: the transformation run when the sweeps or
    the source are asked for."""
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except OSError:
        return None
    try:
        checksum, _, payload = raw.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        entry = json.loads(payload)
        if entry.get("format") != FORMAT:
            return None
        guards = _checked_dependencies(func, entry["names"], entry["functions"])
        if guards is None:
            return None
        helpers = {name: _find(ref) for name, ref in entry["code_names"].items()}
    except (ValueError, KeyError, TypeError, LookupError, AttributeError, ImportError,
            Unpersistable):
        return None
    origin = _Origin(func.__code__.co_filename, entry["first_line"], entry["source_lines"])
    rendered = (entry["text"], LineMap(entry["text"], entry["origins"]))
    fused, = loading.compile_functions([_Named(entry["name"])], func, helpers,
                                       f"{func.__name__} from {os.path.basename(origin.filename)}",
                                       origin, rendered)
    loading.take_defaults(fused, func)
    whole: list = []

    def transformed():
        if not whole:
            whole.append(full())
        return whole[0]

    def sweeps():
        made = transformed()
        return made.forward, made.backward, made.own_source

    return Generated(None, None, None, tuple(entry["wrt"]), guards=guards,
                     make_gradient=lambda: transformed().gradient,
                     has_value=entry["has_value"], fused=fused, fresh=tuple(entry["fresh"]),
                     make_sweeps=sweeps, cold=True)


def store(func, path: str, made: Generated) -> bool:
    """Write `made` (just transformed from `func`) to `path` if all it depends on can be
    found again in another process; True if written."""
    stored = made.stored
    if made.fused is None or stored is None or made.helpers:
        return False
    try:
        names, functions = _dependencies(func, made.guards)
        (text, line_map), src = stored.rendered, stored.src
        entry = {
            "format": FORMAT, "name": stored.name, "text": text, "origins": line_map.origins,
            "code_names": {n: _reference(obj) for n, obj in stored.code_names.items()},
            "names": names, "functions": functions, "wrt": list(made.wrt),
            "has_value": made.has_value, "fresh": [bool(f) for f in made.fresh],
            "first_line": src.first_line, "source_lines": list(src.lines),
        }
        payload = json.dumps(entry, sort_keys=True).encode()
    except (Unpersistable, TypeError, ValueError):
        return False
    _write(path, hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    return True


def _write(path: str, data: bytes) -> None:
    """Atomically: a reader (another process too) sees the old file, the new, or none."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            _remove(temporary)
            raise
    except OSError:
        pass  # an unwritable cache directory only costs the next process the passes


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


class _Named:
    """Stands for an already rendered function in `compile_functions` (only its name is
    read)."""

    def __init__(self, name):
        self.name = name


class _Origin:
    """Where the stored text's lines come from (for run-time error notes)."""

    def __init__(self, filename, first_line, lines):
        self.filename, self.first_line, self.lines = filename, first_line, lines


# ---- what a variant depends on -------------------------------------------------------

def _dependencies(func, guards) -> tuple:
    """([name, fingerprint] of each name looked up in `func`'s closure or globals,
    [reference, fingerprint] of each function whose default values were read: the
    helpers written out in place)."""
    names, functions = [], []
    for space, name, obj in guards:
        if space is None:
            continue
        if isinstance(space, weakref.ref):
            helper = space()
            if helper is None:
                raise Unpersistable(name)
            if helper is not func:
                functions.append([_reference(helper, func), fingerprint(helper)])
        else:
            names.append([name, fingerprint(obj)])
    return names, functions


def _checked_dependencies(func, names, functions) -> list | None:
    """The guards of the loaded variant (as `Resolver.guards` makes them) if every name
    and helper still fingerprints as stored, else None."""
    closure = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
    guards, seen = [], {func}
    for name, stored in names:
        if name in closure:
            space = closure[name]
            obj = space.cell_contents
        elif name in func.__globals__:
            space = func.__globals__
            obj = space[name]
        else:
            return None
        if _plain(fingerprint(obj)) != stored:
            return None
        guards.append((space, name, obj))
    for ref, stored in functions:
        helper = _find(ref, func)
        if _plain(fingerprint(helper)) != stored:
            return None
        seen.add(helper)
    for helper in seen:
        guards.extend(defaults_guards(helper))
    return guards


def fingerprint(obj, _within=()) -> list:
    """What identifies `obj` across processes: a function by its code, file, default
    values and closure (and any custom rule given to it), a module by name, another
    object by where it is defined or its value. Raises Unpersistable when nothing stable
    identifies it."""
    if isinstance(obj, types.FunctionType):
        if obj in _within:
            return ["recursive", obj.__qualname__]
        out = ["function", obj.__module__, obj.__qualname__, _code_fingerprint(obj.__code__),
               _file_fingerprint(obj.__code__.co_filename), _value(obj.__defaults__),
               _value(obj.__kwdefaults__)]
        for cell in obj.__closure__ or ():
            try:
                contents = cell.cell_contents
            except ValueError:
                out.append("empty cell")
                continue
            out.append(fingerprint(contents, _within + (obj,)))
    elif isinstance(obj, types.ModuleType):
        out = ["module", obj.__name__]
    elif getattr(obj, "__module__", None) and getattr(obj, "__name__", None):
        out = ["object", type(obj).__name__, obj.__module__,
               getattr(obj, "__qualname__", obj.__name__)]
        module = sys.modules.get(obj.__module__)
        if (isinstance(obj, type) and getattr(module, "__file__", None)
                and obj.__module__.partition(".")[0] not in _LIBRARIES):
            out.append(_file_fingerprint(module.__file__))  # a class of the user's
    else:
        out = ["value", _value(obj)]
    try:
        rule = RULES.get(obj)
    except TypeError:  # unhashable
        rule = None
    template = getattr(rule, "template", None)
    if isinstance(template, types.FunctionType) and not template.__module__.startswith(
            "srcgrad."):
        out.append(fingerprint(template, _within))  # a custom_adjoint of the user's
    return _plain(out)


def _code_fingerprint(code) -> str:
    parts = [code.co_name, code.co_firstlineno, code.co_code.hex(), code.co_names,
             code.co_varnames, code.co_freevars]
    for const in code.co_consts:
        parts.append(_code_fingerprint(const) if isinstance(const, types.CodeType)
                     else _value(const))
    return _hash(parts)


def _file_fingerprint(filename: str) -> str:
    """The hash of the file's text, read each time (a file edited within the clock's
    resolution keeps its time and may keep its size): editing any line of it makes the
    entries of its functions stale."""
    try:
        with open(filename, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        lines = linecache.getlines(filename)  # a notebook cell, an exec'd string
        if not lines:
            raise Unpersistable(filename) from None
        return _hash(lines)


def _value(value) -> str:
    """A repr that means the same in another process, else Unpersistable."""
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(_value(v) for v in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{_value(k)}: {_value(v)}" for k, v in value.items())) + "}"
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return repr(value)
    if isinstance(value, (np.generic, np.dtype)):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, np.ndarray):
        return f"ndarray:{value.dtype}:{value.shape}:{hashlib.sha256(value.tobytes()).hexdigest()}"
    raise Unpersistable(type(value).__name__)


def _reference(obj, func=None) -> list:
    """How another process finds `obj`: a module by name, else the module and qualified
    name it is defined under (checked to give `obj` back)."""
    if isinstance(obj, types.ModuleType):
        return ["module", obj.__name__]
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(obj, np.ufunc):
        module = "numpy"
    if isinstance(module, str) and isinstance(qualname, str) and "<" not in qualname:
        ref = ["attribute", module, qualname]
        try:
            if _find(ref) is obj:
                return ref
        except (ImportError, AttributeError):
            pass
    if func is not None and func.__globals__.get(getattr(obj, "__name__", None)) is obj:
        return ["global", obj.__name__]
    raise Unpersistable(repr(obj))


def _find(ref, func=None):
    kind = ref[0]
    if kind == "module":
        return importlib.import_module(ref[1])
    if kind == "global":
        return func.__globals__[ref[1]]
    obj = sys.modules.get(ref[1]) or importlib.import_module(ref[1])
    for part in ref[2].split("."):
        obj = getattr(obj, part)
    return obj


def _srcgrad_fingerprint() -> str:
    """The size and time of every file of srcgrad: a changed checkout is another version."""
    if not _SRCGRAD_FILES:
        seen, folders = [], [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        while folders:
            with os.scandir(folders.pop()) as found:
                for item in found:
                    if item.is_dir():
                        folders.append(item.path)
                    elif item.name.endswith(".py"):
                        stat = item.stat()
                        seen.append((item.path, stat.st_size, stat.st_mtime_ns))
        _SRCGRAD_FILES.append(_hash(sorted(seen)))
    return _SRCGRAD_FILES[0]


def _plain(value):
    """`value` as JSON gives it back (tuples as lists), or Unpersistable."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        raise Unpersistable(repr(value)) from None


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(_plain(value), sort_keys=True).encode()).hexdigest()
