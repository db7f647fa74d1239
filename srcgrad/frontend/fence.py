"""Refuse unsupported constructs up front, with the user's file:line and a caret."""

from __future__ import annotations

import types

import gast
import numpy as np

from ..ir import build
from ..rules.facts import named
from .refusals import refusal
from .resolve import Resolver
from .source import Source

_INTROSPECTION = {"eval", "exec", "locals", "vars", "globals", "compile", "__import__"}


def run(body, ctx):
    """The manifest's step: the function refused before anything rewrites it."""
    check(ctx.unit.src)
    return body


def check(src: Source) -> None:
    """Raise SrcGradError at the first construct srcgrad cannot differentiate."""
    fn = src.tree
    args = fn.args
    local = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs} | (
        {args.vararg.id} if args.vararg else set()) | (
        {args.kwarg.id} if args.kwarg else set()) | build.stored(fn.body)
    local |= {n.id for n in build.names(fn) if type(n.ctx) is gast.Param}  # nested defs'
    for stmt in fn.body:
        for node in build.nodes(stmt):
            refused = refusal(type(node))
            if isinstance(node, gast.Starred) and type(node.ctx) is gast.Load:
                refused = None  # `f(*t)`, `(*t, n)`: spread where t's length is known (desugar.py)
            if refused:
                raise refused.error(src, node)
            if isinstance(node, (gast.Assign, gast.AugAssign)):
                targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                starred = next((n for t in targets
                                for n in gast.walk(t) if isinstance(n, gast.Starred)), None)
                if starred is not None:
                    raise refusal(gast.Starred).error(src, starred)
                _check_targets(src, node)
                _check_module_writes(src, node, local)
            if isinstance(node, gast.Call):
                _check_writes(src, node, local)
            if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                    and node.func.id in _INTROSPECTION):
                raise refusal("introspection").error(src, node, f" (here `{node.func.id}()`)")


def _check_module_writes(src, node, local):
    """Refuse an item assignment into a value the function does not bind (a module's)."""
    targets = node.targets if isinstance(node, gast.Assign) else [node.target]
    for target in targets:
        for leaf in target.elts if isinstance(target, (gast.Tuple, gast.List)) else [target]:
            root = _root(leaf) if isinstance(leaf, gast.Subscript) else None
            if _module_value(src, root, local):
                raise refusal("module_write").error(src, leaf, f" (`{root}` is not the "
                                                    "function's)")


def _check_writes(src, call, local):
    """Refuse a call that changes a value of the function in place."""
    out = next((k for k in call.keywords if k.arg == "out"), None)
    if out is not None:
        raise refusal("out").error(src, out.value)
    func = call.func
    if not isinstance(func, gast.Attribute):
        return
    if func.attr == "append" and _module_value(src, _root(func.value), local):
        raise refusal("module_write").error(src, call, f" (`{_root(func.value)}` is not the "
                                            "function's)")
    # srcgrad computes every value anew and would not follow the change (its gradient
    # would be silently wrong); `append` it follows (normalize.py)
    changed = None
    if accumulated_at(call, Resolver(src.func, local).dotted) is not None:
        return  # np.add.at(y, i, v): y[...] += its values at i (normalize.py)
    if func.attr in named("writes_object", "method") and func.attr != "append":
        changed = _root(func.value)  # h.put(...), y.sort()
    if changed not in local and func.attr in named("writes_first") and call.args:
        changed = _root(call.args[0])  # np.put(h, ...), np.copyto(y, x): not a method
    if changed in local:
        raise src.error(
            call, f"srcgrad cannot differentiate `.{func.attr}(...)`, which changes "
            f"`{changed}` in place: srcgrad computes every value anew and would not see the "
            "change", "Make a new value instead: `y = np.sort(y)`, `y = y[::-1]`, "
            "`ys = ys + [v]`, `y = np.where(mask, v, y)`.")


def _module_value(src, name, local) -> bool:
    """`name` is a value the module (or a closure) holds, not a module: `LOG`, not `np`."""
    if name is None or name in local:
        return False
    return not isinstance(Resolver(src.func, local).lookup(name), types.ModuleType)


def _root(node):
    """The variable an expression such as `a.b[0].T` starts from, or None."""
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _target_leaves(target) -> list:
    """The leaves of `a, (b, c)` (normalize unpacks nested names), not a starred one."""
    return [leaf for elt in target.elts for leaf in (
        _target_leaves(elt) if isinstance(elt, (gast.Tuple, gast.List)) else [elt])]


def _check_targets(src, node):
    targets = node.targets if isinstance(node, gast.Assign) else [node.target]
    for target in targets:
        leaves = _target_leaves(target) if isinstance(target, (gast.Tuple, gast.List)) else [
            target]
        for leaf in leaves:
            element = (isinstance(leaf, gast.Subscript) and isinstance(leaf.value, gast.Name)
                       and leaf is target)
            if not isinstance(leaf, gast.Name) and not element:
                raise refusal("attribute_target").error(src, leaf)
        if len(targets) > 1:
            raise refusal("chained_assignment").error(src, node)


def accumulated_at(call, known):
    """For `np.add.at(y, i, v)` or `np.subtract.at(y, i, v)` (y a name, no keywords): the
    operator (gast.Add, gast.Sub) that adds v at i, repeated indices accumulating; else
    None. `known`: the object a dotted path of names refers to (Resolver.dotted)."""
    func = getattr(call, "func", None)
    if not (isinstance(call, gast.Call) and isinstance(func, gast.Attribute)
            and func.attr == "at" and len(call.args) == 3 and not call.keywords
            and isinstance(call.args[0], gast.Name)):
        return None
    ufunc = known(func.value)
    return gast.Add if ufunc is np.add else gast.Sub if ufunc is np.subtract else None
