"""Functions passed as arguments (`def loss(p, x, act=np.tanh)`, `apply(f, x)` with `f`
a parameter): static, like a shape. The code is specialized on the function the call
passes (the variant's key holds it: shape_inference.describe), so each use of the
parameter is written as a name of the generated code bound to that very function, and
resolved, written out or transformed like any function the source names::

    def loss(p, x, act=np.tanh):        (called with act=relu)
        return np.sum(act(x @ p))   ->  return np.sum(relu(x @ p))

A parameter the function rebinds keeps its name (it is refused where it is called).
"""

from __future__ import annotations

import collections
import functools
import types

import gast
import numpy as np

from ..ir import build


def run(body, ctx):
    """The manifest's step: loads of function-valued parameters of the call the code is
    specialized on (`ctx.arguments`) written as the generated code's names for them."""
    passed = functions_of(getattr(ctx, "arguments", None))
    if not passed:
        return body
    unit = ctx.unit
    tree = unit.src.tree
    rebound = build.stored(tree.body)
    names, partials = {}, {}
    for param, func in passed.items():
        if param in unit.params and param not in rebound:
            names[param] = _named(unit, func, param)
            if isinstance(func, functools.partial):  # its function, and what it fixes
                partials[names[param]] = (
                    _named(unit, func.func, param),
                    [_named(unit, v, f"{param}_arg") for v in func.args],
                    {k: _named(unit, v, k) for k, v in func.keywords.items()})
    if names:
        tree.body = [_Named(names, partials).visit(stmt) for stmt in tree.body]
    return body


def _named(unit, obj, base) -> str:
    """The generated code's name for `obj`, which the resolver knows."""
    name = unit.code_name_for(_base(obj, base), obj)
    unit.resolver.named[name] = obj
    return name


# a Python function, a builtin, a NumPy ufunc or function (NumPy 2's dispatcher type), a
# functools.partial: by exact type (an isinstance of these costs a microsecond a call)
FUNCTION_TYPES = frozenset({types.FunctionType, types.BuiltinFunctionType, np.ufunc,
                            functools.partial, type(np.sum)})


def is_function(value) -> bool:
    """A function passed as an argument: the code is specialized on which one."""
    return type(value) in FUNCTION_TYPES


def passed_at(binding: dict, resolver, body) -> tuple:
    """((parameter, function), ...) of a call of a helper whose operands (`binding`:
    {parameter: operand node}) name functions, directly or by a name of `body` bound once
    to a path (`t1 = np.sin`, as normalize.py writes `apply(np.sin, x)`): the helper is
    made for those."""
    paths = None
    out = []
    for param, node in binding.items():
        if not isinstance(node, gast.Name):
            continue
        if node.id in resolver.locals:
            paths = _paths(body) if paths is None else paths
            found = resolver.dotted(paths[node.id]) if node.id in paths else None
        else:
            found = resolver.lookup(node.id)
        if is_function(found):
            out.append((param, found))
    return tuple(out)


def _paths(body) -> dict:
    """{name: path} of the names `body` binds once, to a dotted path (`t1 = np.sin`)."""
    counts = collections.Counter(n.id for n in build.names(body) if type(n.ctx) is gast.Store)
    return {stmt.targets[0].id: stmt.value for stmt in build.statements(body)
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
            and isinstance(stmt.value, gast.Attribute) and counts[stmt.targets[0].id] == 1}


def functions_of(arguments) -> dict:
    """{parameter: function} of the call's argument descriptions."""
    return {name: d[1] for name, d in (arguments or {}).items()
            if type(d) is tuple and len(d) == 2 and d[0] == "function"}


def _base(func, param) -> str:
    name = getattr(func, "__name__", "")
    return name if isinstance(name, str) and name.isidentifier() and name != "<lambda>" \
        else param


class _Named(gast.NodeTransformer):
    """Loads of the parameters renamed, a call of a functools.partial written as the call
    of its function (`act(z)` -> `leaky(z, alpha=alpha)`); a nested function or lambda
    whose own parameter shadows one keeps it there."""

    def __init__(self, names, partials):
        self.names, self.partials = names, partials

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, gast.Name) and func.id in self.partials:
            inner, args, keywords = self.partials[func.id]
            node.func = gast.copy_location(build.load(inner), func)
            node.args = [build.load(a) for a in args] + node.args
            given = {k.arg for k in node.keywords}
            node.keywords = [gast.keyword(arg=k, value=build.load(v))
                             for k, v in keywords.items() if k not in given] + node.keywords
        return node

    def visit_Name(self, node):
        if type(node.ctx) is gast.Load and node.id in self.names:
            return gast.copy_location(build.load(self.names[node.id]), node)
        return node

    def _scoped(self, node):
        own = {a.id for a in build.names(node.args) if type(a.ctx) is gast.Param}
        if not own & set(self.names):
            return self.generic_visit(node)
        inner = _Named({k: v for k, v in self.names.items() if k not in own}, self.partials)
        for field in ("defaults", "kw_defaults"):  # evaluated outside, in our scope
            setattr(node.args, field, [self.visit(d) if d is not None else None
                                       for d in getattr(node.args, field)])
        node.body = ([inner.visit(s) for s in node.body] if isinstance(node.body, list)
                     else inner.visit(node.body))
        return node

    visit_FunctionDef = visit_Lambda = _scoped
