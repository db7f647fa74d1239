"""Calls to the user's own helpers written out in place, in the code a call runs.

Each helper is otherwise transformed on its own and called as a forward/backward pair
(calls.py), which `.source` shows; but then the caller's passes stop at the call: no
shapes reach through it, nothing is computed into the helper's arrays, its
`unbroadcast`s stay. In the code specialized for one call's shapes, a helper is written
out in the caller instead, its names made the caller's::

    h = dense(X, W1, b1)            W = W1
                                    b = b1
                            ->      x = X
                                    t1 = x @ W
                                    dense_1 = t1 + b
                                    h = dense_1

and the passes after see one function. The statements keep the call's line, so the
comments and errors of the generated code point at `h = dense(X, W1, b1)`.

A parameter given a constant (`act=False`, a default) is read as that constant, so the
helper's `if act:` is decided where it is written out.

Only what is certainly the same is written out: a plain function of the same module
(the same globals, no closure) with no rule of its own (custom_adjoint,
nondifferentiable) that srcgrad can differentiate on its own (so it has no
nested function, lambda or comprehension whose names a renaming could reach), called
with its parameters by position or keyword (no `*args`), defaults that are numbers,
strings, bools or None, no recursion, and none of the names it reads from its module
bound in the caller. Any other call stays a call.
"""

from __future__ import annotations

import dataclasses
import inspect

import gast

from . import build, fence
from .alias_analysis import writes_arguments
from .errors import SrcGradError
from .naming import names_in
from .normalize import Nested, normalize
from .resolve import is_helper
from .source import load

MAX_DEPTH = 8  # helpers written out inside helpers, at most
_CONSTANTS = (bool, int, float, str, type(None))


def helpers(body: list, func, params, namer, resolver, only_writers=False) -> list:
    """`body` (the normalized statements of `func`, whose parameters are `params`) with
    the calls of helpers written out; `namer` names the helpers' variables, `resolver`
    (resolve.Resolver of `func`) looks the called names up and keeps them as guards.
    `only_writers`: only helpers that may change an argument in place (the general code
    calls the others as forward/backward pairs)."""
    bound = set(params) | {n.id for n in build.names(body) if isinstance(n.ctx, gast.Store)}
    return _Inliner(func, namer, resolver, bound, only_writers).block(body, (func,))


class _Inliner:
    def __init__(self, func, namer, resolver, bound, only_writers):
        self.func, self.namer, self.resolver, self.bound = func, namer, resolver, bound
        self.only_writers = only_writers

    def block(self, stmts, stack) -> list:
        out = []
        for stmt in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(stmt, field, None), list):
                    setattr(stmt, field, self.block(getattr(stmt, field), stack))
            written = (self.written_out(stmt, stack)
                       if isinstance(stmt, (gast.Assign, gast.Expr)) else None)
            out.extend([stmt] if written is None else written)
        return out

    def written_out(self, stmt, stack):
        """The statements of the helper `stmt` calls, or None to keep the call."""
        call = stmt.value
        nested = getattr(call, "_srcgrad_nested", None)
        if nested is not None:
            return self.nested(stmt, call, nested, stack)
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Name)
                and call.func.id not in self.bound and len(stack) <= MAX_DEPTH):
            return None
        callee = self.resolver.lookup(call.func.id)
        writer = is_helper(callee) and writes_arguments(callee)
        if self.only_writers and not writer:
            return None
        arguments = self.arguments(callee, call, stack, writer)
        if arguments is None:
            return None
        try:
            src = load(callee)
            if writer:  # not transformed on its own (its update is the caller's): check here
                fence.check(src)
        except SrcGradError:
            return None
        local = _local_names(src.tree)
        free = names_in(src.tree) - local
        if free & self.bound:
            return None  # a name it reads from its module is one of the caller's here
        self.resolver.dotted(call.func)  # a guard: rebinding the name rebuilds the code
        self.namer.taken |= free
        renamed = {name: self.namer.fresh(name) for name in sorted(local)}
        tree = _Renamed(renamed).visit(build.clone(src.tree))
        body, result = normalize(dataclasses.replace(src, tree=tree), self.namer,
                                 procedure=True)
        self.bound |= set(renamed.values()) | {
            n.id for n in build.names(body) if isinstance(n.ctx, gast.Store)}
        stores = build.bindings(body)
        known = {renamed[name]: value.value for name, value in arguments.items()
                 if isinstance(value, gast.Constant) and not stores[renamed[name]]}
        if known:  # `act=False`: the helper's `if act:` is decided here
            body = _decided(_Constants(known).visit(gast.Module(body=body, type_ignores=[])).body)
        stmts = [build.assign(renamed[name], build.clone(value))
                 for name, value in arguments.items() if renamed[name] not in known]
        stmts += self.block(body, stack + (callee,))
        _relocate(stmts, call)
        return _returned(stmt, stmts, result)

    def nested(self, stmt, call, nested, stack):
        """The statements of a function defined in the function (normalize.Nested): its
        parameters and variables renamed, the enclosing function's names read as they are
        where it is called (Python's closures read them then too)."""
        name = nested.node.name
        src = nested.src
        if any(frame is nested for frame in stack) or len(stack) > MAX_DEPTH:
            chain = " -> ".join(f.node.name for f in stack if isinstance(f, Nested))
            raise src.error(call, f"`{name}` calls itself ({chain} -> {name}): srcgrad writes "
                            "a nested function out where it is called, so it cannot unroll "
                            "recursion", "Rewrite the recursion as a loop.")
        arguments = _bound(nested, call, src)
        local = _local_names(nested.node)
        renamed = {local_name: self.namer.fresh(local_name) for local_name in sorted(local)}
        tree = _Renamed(renamed).visit(build.clone(nested.node))
        body, result = normalize(dataclasses.replace(src, tree=tree), self.namer,
                                 procedure=True, scope=nested.scope)
        self.bound |= set(renamed.values()) | build.stored(body)
        stmts = [build.assign(renamed[param], build.clone(value), call)
                 for param, value in arguments.items()]
        stmts += self.block(body, stack + (nested,))
        if src.func is not self.func:  # lines of another function's source: the call's
            _relocate(stmts, call)
        return _returned(stmt, stmts, result)

    def arguments(self, callee, call, stack, writer=False):
        """{parameter: operand or constant} of a call that can be written out, else None."""
        if not (is_helper(callee) and callee.__closure__ is None
                and callee.__globals__ is self.func.__globals__ and callee not in stack
                and not any(isinstance(a, gast.Starred) for a in call.args)
                and all(k.arg is not None for k in call.keywords)):
            return None
        signature = inspect.signature(callee)
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               for p in signature.parameters.values()):
            return None
        try:
            bound = signature.bind(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError:
            return None  # the call raises; as a call, it says so
        arguments = {}
        for name, parameter in signature.parameters.items():
            if name in bound.arguments:
                arguments[name] = bound.arguments[name]
            elif type(parameter.default) in _CONSTANTS:
                arguments[name] = build.const(parameter.default)
            else:
                return None
        if writer:
            return arguments
        return arguments if _differentiable(callee, tuple(signature.parameters)) else None


def _returned(stmt, stmts, result) -> list:
    """The written-out statements, then the call's target bound to the result (for a call
    whose value is unread, nothing: not even `result = None`)."""
    if isinstance(stmt, gast.Expr):
        return [s for s in stmts if not (isinstance(s, gast.Assign) and isinstance(
            s.value, gast.Constant) and build.assigned_name(s) == result)]
    return stmts + [build.assign_to(stmt.targets[0], build.load(result), stmt)]


def _relocate(stmts, call):
    """Give every node of `stmts` the call's place (comments and errors point at it)."""
    for node in (n for s in stmts for n in build.nodes(s)):
        if "lineno" in node._attributes:
            for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                setattr(node, attr, getattr(call, attr, None))


def _bound(nested, call, src) -> dict:
    """{parameter: operand} of a call of a nested function (defaults as normalize.py
    evaluated them where the function was defined)."""
    args = nested.node.args
    positional = [a.id for a in args.posonlyargs + args.args]
    keyword_only = [a.id for a in args.kwonlyargs]
    bound = dict(zip(positional, call.args))
    problem = None
    if len(call.args) > len(positional):
        problem = f"takes {len(positional)} positional arguments, {len(call.args)} given"
    for keyword in call.keywords:
        if keyword.arg in bound or keyword.arg not in positional + keyword_only:
            problem = f"got an unexpected or repeated argument '{keyword.arg}'"
        bound[keyword.arg] = keyword.value
    for param in positional + keyword_only:
        if param not in bound:
            if param not in nested.defaults:
                problem = f"missing the argument '{param}'"
                continue
            bound[param] = nested.defaults[param]
    if problem is not None:
        raise src.error(call, f"this call of `{nested.node.name}` does not match its "
                        f"parameters: it {problem}", "Pass each parameter once.")
    return bound


def _differentiable(callee, params) -> bool:
    """srcgrad differentiates `callee` on its own (else the call, transformed as a helper,
    raises the error that points into it, or works where only some operands carry a
    gradient)."""
    from .api import compiled

    try:
        compiled(callee, params)
    except SrcGradError:
        return False
    return True


def _local_names(func) -> set:
    args = func.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    return {a.id for a in params} | {
        n.id for n in build.nodes(func) if isinstance(n, gast.Name) and isinstance(
            n.ctx, (gast.Store, gast.Del))}


class _Renamed(gast.NodeTransformer):
    def __init__(self, renamed):
        self.renamed = renamed

    def visit_Name(self, node):
        node.id = self.renamed.get(node.id, node.id)
        return node


class _Constants(gast.NodeTransformer):
    """Reads of parameters given constants (and never bound again) as the constants."""

    def __init__(self, known):
        self.known = known

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.known:
            return gast.copy_location(build.const(self.known[node.id]), node)
        return node


def _decided(stmts) -> list:
    """`stmts` with each `if` on a constant replaced by the branch it takes."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If) and isinstance(stmt.test, gast.Constant):
            out.extend(_decided(stmt.body if stmt.test.value else stmt.orelse))
            continue
        if isinstance(getattr(stmt, "orelse", None), list):
            stmt.orelse = _decided(stmt.orelse)
        if isinstance(getattr(stmt, "body", None), list):
            stmt.body = _decided(stmt.body) or [gast.Pass()]
        out.append(stmt)
    return out
