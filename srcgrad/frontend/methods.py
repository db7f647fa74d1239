"""Calls of other methods of `self` inside a method: `self.predict(w, x)` in `loss` is
read as the class's function, `Regression.predict(self, w, x)`, a helper like any other.

The class is the one that defines the method being transformed (from its qualified
name). A subclass may override the method called; so before the call, generated code
checks that the object's own class still finds the same function (runtime/methods.py),
and refuses, naming both, where it does not: never a gradient of the wrong method.
"""

from __future__ import annotations

import inspect
import types

import gast

from ..ir import build


def receiver_call(src, func, local_names):
    """(class path as a node, method name, receiver name, whether it is a staticmethod) if
    `func` (a call's function node) is `self.<method>` with `self` the first parameter of
    a method of a module-level class and <method> a plain function or a staticmethod of
    that class; else None."""
    tree = src.tree
    if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
            and isinstance(tree, gast.FunctionDef) and tree.args.args
            and func.value.id == tree.args.args[0].id):
        return None
    path = getattr(src.func, "__qualname__", "").split(".")
    if len(path) < 2 or "<locals>" in path or path[0] in local_names:
        return None
    owner = src.func.__globals__.get(path[0])
    for part in path[1:-1]:
        owner = getattr(owner, part, None)
    if not isinstance(owner, type) or getattr(owner, path[-1], None) is not src.func:
        return None
    try:
        method = inspect.getattr_static(owner, func.attr)
    except AttributeError:
        return None
    static = isinstance(method, staticmethod)  # self.sq(v): Model.sq(v), no self
    if not isinstance(method.__func__ if static else method, types.FunctionType):
        return None  # a classmethod, property or attribute: as before
    node = build.load(path[0])
    for part in path[1:-1]:
        node = gast.Attribute(value=node, attr=part, ctx=gast.Load())
    return node, func.attr, func.value.id, static
