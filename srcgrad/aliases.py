"""Refuse in-place updates of values that may share memory with another variable.

In Python, `w = v; w += e` and `b = a; b[0] = x` change `v` and `a` too (arrays are
shared, views share memory, arguments are the caller's). srcgrad computes every
value anew, so such an update would silently change only one name: a wrong value
and a wrong gradient. This pass follows which names may be shared (arguments,
copies `w = v`, views `v.T`, `v[1:]`, `v.reshape(...)`, results of calls that may
return their argument) and refuses updating them in place, pointing at the line.
"""

from __future__ import annotations

import gast

from .source import Source

# Functions and methods that may return a view of (or the same object as) their argument.
VIEWS = {"reshape", "ravel", "transpose", "swapaxes", "moveaxis", "squeeze", "expand_dims",
         "broadcast_to", "asarray", "asanyarray", "atleast_1d", "atleast_2d", "atleast_3d",
         "view", "diagonal", "flip", "fliplr", "flipud", "rot90", "real", "imag", "T"}
_FRESH_MODULES = {"np", "numpy", "math"}


def check(src: Source, fresh=frozenset()) -> None:
    """`fresh`: names of functions the code calls that always return a new value (the
    zero fills of srcgrad's own generated code)."""
    args = src.tree.args
    params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs
              + ([args.vararg] if args.vararg else [])]
    _Sharing(src, {p: "an argument (the caller's data)" for p in params}, fresh).block(
        src.tree.body)


class _Sharing:
    def __init__(self, src, shared, fresh):
        self.src = src
        self.shared = shared  # name -> why it may share memory
        self.fresh = fresh

    def block(self, body):
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt):
        if isinstance(stmt, gast.Assign):
            for target in stmt.targets:
                self.bind(target, stmt.value)
        elif isinstance(stmt, gast.AugAssign):
            self.update(stmt.target, stmt)
        elif isinstance(stmt, gast.Expr) and _is_append(stmt.value):
            self.update(stmt.value.func.value, stmt.value, "append to")
        elif isinstance(stmt, gast.If):
            before = dict(self.shared)
            self.block(stmt.body)
            after_body, self.shared = self.shared, before
            self.block(stmt.orelse)
            self.shared.update(after_body)  # shared on either path: shared after the if
        elif isinstance(stmt, (gast.For, gast.While)):
            if isinstance(stmt, gast.For):
                for name in _names(stmt.target):
                    self.shared[name] = "an element of the sequence the loop runs over"
            for inner in gast.walk(stmt):  # shared late in one iteration: shared at its start
                if isinstance(inner, gast.Assign) and _may_alias(inner.value, self.fresh):
                    for target in inner.targets:
                        for name in _names(target):
                            self.shared[name] = _why(inner.value)
            self.block(stmt.body)

    def bind(self, target, value):
        names = _names(target)
        if isinstance(target, gast.Subscript):
            self.update(target, target)
            return
        if _may_alias(value, self.fresh) or not isinstance(target, gast.Name):
            for name in names:
                self.shared[name] = _why(value)
            for root in _roots(value):  # the source of a copy or view is shared from now on
                self.shared.setdefault(root, f"shared with `{names[0]}`" if names else "shared")
        else:
            for name in names:
                self.shared.pop(name, None)

    def update(self, target, node, verb="update"):
        if isinstance(target, gast.Subscript):
            target = target.value
        if not isinstance(target, gast.Name) or target.id not in self.shared:
            return
        name, why = target.id, self.shared[target.id]
        if why.startswith("an argument"):
            summary = (f"srcgrad cannot {verb} `{name}` in place: `{name}` is an argument, "
                       "so this would change the caller's data")
        else:
            summary = (f"srcgrad cannot {verb} `{name}` in place: it may share memory with "
                       f"another variable ({why}), and srcgrad computes every value anew, "
                       "so the other would not change")
        raise self.src.error(
            node, summary,
            f"Write `{name} = {name} + ...` (a new value), or start from a copy "
            f"(`{name} = {name}.copy()`) before changing it.")


def _may_alias(value, fresh=frozenset()) -> bool:
    if isinstance(value, (gast.Name, gast.Attribute, gast.Subscript)):
        return True
    if isinstance(value, gast.IfExp):
        return _may_alias(value.body, fresh) or _may_alias(value.orelse, fresh)
    if isinstance(value, gast.Call):
        func = value.func
        name = func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", "")
        if name in VIEWS:
            return True
        if isinstance(func, gast.Name) and name in fresh:
            return False
        module = func.value.id if (isinstance(func, gast.Attribute)
                                   and isinstance(func.value, gast.Name)) else None
        return not (module in _FRESH_MODULES or isinstance(func, gast.Attribute))
    return False


def _roots(value) -> list[str]:
    """The variables a copy or view of `value` may share memory with."""
    while isinstance(value, (gast.Attribute, gast.Subscript)):
        value = value.value
    if isinstance(value, gast.Name):
        return [value.id]
    if isinstance(value, gast.Call):
        return [n.id for arg in value.args for n in gast.walk(arg) if isinstance(n, gast.Name)] + (
            _roots(value.func.value) if isinstance(value.func, gast.Attribute) else [])
    return []


def _why(value) -> str:
    roots = _roots(value)
    return f"made from `{roots[0]}`" if roots else "the result of a call that may return it"


def _names(target) -> list[str]:
    return [n.id for n in gast.walk(target) if isinstance(n, gast.Name)]


def _is_append(node) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "append" and isinstance(node.func.value, gast.Name))
