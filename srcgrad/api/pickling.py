"""Pickling the public objects (`grad`, `value_and_grad`, `jvp`, `hessian`...): each is
pickled as the call that made it, never with the code it generated (compiled functions,
weak references and the per-object class of `GradientFunction._own_class` do not
pickle). Unpickled, it transforms again on its first call, from the source of the
user's function. That source travels with the pickle: a worker process that cannot read
the user's file (a script, a notebook cell, a module shipped by value by cloudpickle,
which names the file of every function it ships "<dynamic-code>") gets its lines put in
`linecache`, and those functions their file's name again, so `inspect.getsource` finds
them."""

from __future__ import annotations

import inspect
import linecache
import sys
import weakref


# object -> (args, kwargs) of the call that made it (not an attribute: functools.
# update_wrapper copies the wrapped object's attributes over the wrapper's)
_MADE_WITH: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class Rebuilt:
    """Pickles as `type(self)(*args, **kwargs)` of the call that made it."""

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        _MADE_WITH[self] = (args, kwargs)
        return self

    def __reduce__(self):
        args, kwargs = _MADE_WITH[self]
        return rebuild, (public_class(type(self)), args, kwargs, sources_of(args, kwargs))


def public_class(cls):
    """The first class of `cls`'s MRO that pickle can find by its module and name."""
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        found = module
        for part in klass.__qualname__.split("."):
            found = getattr(found, part, None)
        if found is klass:
            return klass
    raise TypeError(f"cannot pickle {cls.__qualname__}")  # pragma: no cover


def sources_of(args, kwargs) -> dict:
    """{(qualified name, first line): (file name, its lines)} of the functions among `args`
    and `kwargs` (a bound method's function, a partial's, the function of another public
    object) and of the functions they call through their globals and closures."""
    found = {}
    for value in (*args, *kwargs.values()):
        func = _function(value)
        for reached in _reachable(func) if func is not None else ():
            code = reached.__code__
            module = getattr(inspect.getmodule(reached), "__dict__", None)
            lines = linecache.getlines(code.co_filename, module)
            if lines:
                found[(reached.__qualname__, code.co_firstlineno)] = (code.co_filename, lines)
    return found


def _reachable(func, limit=200):
    """`func` and the plain functions it reaches by name (globals, closures), each once."""
    seen, stack = {}, [func]
    while stack and len(seen) < limit:
        f = stack.pop()
        if id(f) in seen:
            continue
        seen[id(f)] = f
        names, codes = set(), [f.__code__]
        while codes:  # the names of nested functions and comprehensions too
            code = codes.pop()
            names.update(code.co_names)
            codes.extend(c for c in code.co_consts if inspect.iscode(c))
        found = [f.__globals__.get(name) for name in names]
        found += [cell.cell_contents for cell in f.__closure__ or () if _filled(cell)]
        stack.extend(v for v in found if inspect.isfunction(v))
    return list(seen.values())


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _function(value, depth=0):
    if depth > 8:
        return None
    if inspect.ismethod(value):
        value = value.__func__
    inner = getattr(value, "func", None)  # functools.partial
    if inner is not None and not inspect.isfunction(value):
        return _function(inner, depth + 1)
    wrapped = getattr(value, "__wrapped__", None)  # one of the public objects
    if wrapped is not None and not inspect.isfunction(value):
        return _function(wrapped, depth + 1)
    return value if inspect.isfunction(value) else None


def rebuild(cls, args, kwargs, sources):
    """The object `cls(*args, **kwargs)`, the sources it was made from readable here."""
    for value in (*args, *kwargs.values()):
        func = _function(value)
        for reached in _reachable(func) if func is not None else ():
            code = reached.__code__
            shipped = sources.get((reached.__qualname__, code.co_firstlineno))
            if shipped is None or linecache.getlines(code.co_filename):
                continue  # this process reads the function's file
            filename, lines = shipped
            if not linecache.getlines(filename):
                # (an mtime of None: checkcache keeps the entry, as for a module's loader)
                linecache.cache[filename] = (sum(map(len, lines)), None, list(lines), filename)
            if code.co_filename != filename:  # cloudpickle's "<dynamic-code>"
                reached.__code__ = code.replace(co_filename=filename)
    return cls(*args, **kwargs)
