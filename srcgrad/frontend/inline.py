"""Calls to the user's own helpers written out in place, in the code a call runs.

Each helper is otherwise transformed on its own and called as a forward/backward pair
(calls.py), which `.source` shows; but then the caller's passes stop at the call: no
shapes reach through it, nothing is computed into the helper's arrays, its
`unbroadcast`s stay. In the code specialized for one call's shapes, a helper is written
out in the caller instead, its names made the caller's::

    h = dense(X, W1, b1)    ->      t1 = X @ W1
                                    dense_1 = t1 + b1
                                    h = dense_1

and the passes after see one function. A parameter the helper never binds again is read
as what the call gives it: the caller's name (no `x = X` copies), or a constant
(`act=False`, a default), so the helper's `if act:` is decided where it is written out.
The statements keep the helper's own lines (of its file, which is the caller's), so the
comments and errors of the generated code point into the helper: `# line 12, in dense:`.

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

from ..errors import SrcGradError
from ..ir import build
from ..ir.naming import names_in
from . import fence
from .alias_analysis import writes_arguments
from .normalize import Nested, normalize
from .refusals import refusal
from .resolve import is_helper
from .source import load
from .static_functions import passed_at

MAX_DEPTH = 8  # helpers written out inside helpers, at most
_CONSTANTS = (bool, int, float, str, type(None))


def run(body, ctx):
    """The manifest's step: helpers that may write an argument written out, and with
    ctx.inline_helpers (code specialized on shapes) every helper that can be."""
    unit = ctx.unit
    body = helpers(body, unit.src, unit.params, unit.namer, unit.resolver,
                   unit.compilers.reverse if unit.compilers else None,
                   only_writers=not ctx.inline_helpers)
    unit.resolver.locals |= build.stored(body)
    return body


def helpers(body: list, src, params, namer, resolver, compile_helper,
            only_writers=False) -> list:
    """`body` (the normalized statements of the function of `src`, whose parameters are
    `params`) with
    the calls of helpers written out; `namer` names the helpers' variables, `resolver`
    (resolve.Resolver of `func`) looks the called names up and keeps them as guards;
    `compile_helper(helper, wrt)` transforms a helper on its own (or raises
    SrcGradError). `only_writers`: only helpers that may change an argument in place (the
    general code calls the others as forward/backward pairs)."""
    bound = set(params) | {n.id for n in build.names(body) if isinstance(n.ctx, gast.Store)}
    inliner = _Inliner(src, namer, resolver, bound, compile_helper, only_writers)
    inliner.body = body  # (the names it binds to functions: static_functions.passed_at)
    return inliner.block(body, (src.func,))


class _Inliner:
    def __init__(self, src, namer, resolver, bound, compile_helper, only_writers):
        self.src, self.func, self.namer, self.resolver = src, src.func, namer, resolver
        self.bound, self.compile_helper, self.only_writers = bound, compile_helper, only_writers

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
        kwarg = is_helper(callee) and _kwarg(callee)
        if self.only_writers and not writer and not kwarg:
            return None  # (a helper's **kw exists only where it is written out)
        arguments = self.arguments(callee, call, stack, writer or kwarg)
        if arguments is None:
            return None
        keywords = arguments.pop(kwarg, None) if kwarg else None
        try:
            src = load(callee)
            if writer:  # not transformed on its own (its update is the caller's): check here
                fence.check(src)
        except SrcGradError:
            return None
        if any(isinstance(n, gast.With) for n in build.nodes(src.tree)):
            return None  # srcgrad's blocks (blocks.py) belong to the helper's own sweeps
        local = build.local_names(src.tree)
        free = names_in(src.tree) - local
        if free & self.bound:
            return None  # a name it reads from its module is one of the caller's here
        self.resolver.dotted(call.func)  # a guard: rebinding the name rebuilds the code
        self.namer.taken |= free
        renamed = {name: self.namer.fresh(name) for name in sorted(local)}
        tree = _Renamed(renamed).visit(build.clone(src.tree))
        if kwarg:
            _bind_keywords(tree, renamed[kwarg], keywords)
        body, result = normalize(dataclasses.replace(src, tree=tree), self.namer,
                                 procedure=True)
        self.bound |= set(renamed.values()) | {
            n.id for n in build.names(body) if isinstance(n.ctx, gast.Store)}
        stores = build.bindings(body)
        # a nested function or lambda of the helper reads its parameters where it is
        # called, out of reach of the substitution: then every parameter is bound
        nested = any(isinstance(n, (gast.FunctionDef, gast.Lambda))
                     for s in src.tree.body for n in build.nodes(s))
        known = {} if nested else {
            renamed[name]: value for name, value in arguments.items()
            if isinstance(value, (gast.Constant, gast.Name)) and not stores[renamed[name]]}
        if known:  # `act=False`: the helper's `if act:` is decided here
            body = _decided(_Arguments(known).visit(gast.Module(body=body, type_ignores=[])).body)
        bind = [build.assign(renamed[name], build.clone(value))
                for name, value in arguments.items() if renamed[name] not in known]
        for node in (n for s in bind for n in build.nodes(s)):
            _locate(node, call)
        body = self.block(body, stack + (callee,))
        self.locate(body, src, call)
        value = build.clone(known[result]) if result in known else None  # `return v`
        return _returned(stmt, bind + body, result, value)

    def nested(self, stmt, call, nested, stack):
        """The statements of a function defined in the function (normalize.Nested): its
        parameters and variables renamed, the enclosing function's names read as they are
        where it is called (Python's closures read them then too). They keep their own
        lines: the nested function is written in the source being written out."""
        name = nested.node.name
        src = nested.src
        if any(frame is nested for frame in stack) or len(stack) > MAX_DEPTH:
            chain = " -> ".join(f.node.name for f in stack if isinstance(f, Nested))
            raise refusal("recursion").error(src, call, f": `{name}` calls itself ({chain} -> "
                                             f"{name}), and srcgrad writes a nested function "
                                             "out where it is called")
        arguments = _bound(nested, call, src)
        # its `nonlocal` names are the enclosing function's: they keep their names
        local = build.local_names(nested.node) - {
            name for stmt in nested.node.body if isinstance(stmt, gast.Nonlocal)
            for name in stmt.names}
        renamed = {local_name: self.namer.fresh(local_name) for local_name in sorted(local)}
        tree = _Renamed(renamed).visit(build.clone(nested.node))
        if tree.args.kwarg:
            _bind_keywords(tree, tree.args.kwarg.id, arguments.pop(nested.node.args.kwarg.id))
        body, result = normalize(dataclasses.replace(src, tree=tree), self.namer,
                                 procedure=True, scope=nested.scope, nested=True)
        self.bound |= set(renamed.values()) | build.stored(body)
        stmts = [build.assign(renamed[param], build.clone(value), call)
                 for param, value in arguments.items()]
        stmts += self.block(body, stack + (nested,))
        return _returned(stmt, stmts, result)

    def locate(self, body, src, call):
        """The helper's statements `body` at its own lines (of the file, as line numbers of
        the caller's parsed text: the caller's file is the helper's), marked as written
        out; from another file (a notebook's other cell), at the call's place."""
        same_file = src.filename == self.src.filename
        lines, columns = src.first_line - self.src.first_line, src.indent - self.src.indent
        for node in (n for s in body for n in build.nodes(s)):
            if "lineno" not in node._attributes or build.written_out_from(node):
                continue  # (a helper's helper: at its own lines already)
            if not same_file or getattr(node, "lineno", None) is None:
                _locate(node, call)
                continue
            node.lineno += lines
            node.end_lineno = node.lineno if node.end_lineno is None else node.end_lineno + lines
            if node.col_offset is not None:
                node.col_offset += columns
            if node.end_col_offset is not None:
                node.end_col_offset += columns
            build.mark_written_out(node, src.name)

    def arguments(self, callee, call, stack, writer=False):
        """{parameter: operand or constant} of a call that can be written out (a `**kw`
        parameter: {keyword: operand} of the call's other keywords), else None. `writer`:
        it is written out even where it could be transformed on its own."""
        if not (is_helper(callee) and callee.__closure__ is None
                and callee.__globals__ is self.func.__globals__ and callee not in stack
                and not any(isinstance(a, gast.Starred) for a in call.args)
                and all(k.arg is not None for k in call.keywords)):
            return None
        signature = inspect.signature(callee)
        if any(p.kind is p.VAR_POSITIONAL for p in signature.parameters.values()):
            return None
        try:
            bound = signature.bind(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError:
            return None  # the call raises; as a call, it says so
        arguments = {}
        for name, parameter in signature.parameters.items():
            if name in bound.arguments or parameter.kind is parameter.VAR_KEYWORD:
                arguments[name] = bound.arguments.get(name, {})
            elif type(parameter.default) in _CONSTANTS:
                arguments[name] = build.const(parameter.default)
            else:
                return None
        if writer:
            return arguments
        statics = passed_at(arguments, self.resolver, self.body)
        return arguments if self.differentiable(callee, tuple(signature.parameters),
                                                statics) else None

    def differentiable(self, callee, params, statics=()) -> bool:
        """srcgrad differentiates `callee` on its own, given the functions the call passes
        (else the call, transformed as a helper, raises the error that points into it, or
        works where only some operands carry a gradient)."""
        try:
            if statics:
                self.compile_helper(callee, params, statics=statics)
            else:
                self.compile_helper(callee, params)
        except SrcGradError:
            return False
        return True


def _kwarg(func):
    """The name of `func`'s `**kw` parameter, else None."""
    return next((p.name for p in inspect.signature(func).parameters.values()
                 if p.kind is p.VAR_KEYWORD), None)


def _bind_keywords(tree, name, keywords: dict):
    """The function `tree` (written out) starting with `name = {'k': v, ...}`: its `**name`
    bound to the call's other keywords, a dict of known keys (keyword_dicts.py spells its
    uses out). At the `def` line: the operands are the caller's, read where it calls."""
    values = [build.clone(value) for value in keywords.values()]
    literal = gast.Dict(keys=[build.const(key) for key in keywords], values=values)
    stmt = gast.Assign(targets=[build.store(name)], value=literal, type_comment=None)
    for node in build.nodes(stmt):
        if "lineno" in node._attributes:
            gast.copy_location(node, tree)
            node.end_lineno, node.end_col_offset = tree.lineno, None
    tree.body.insert(0, stmt)


def _returned(stmt, stmts, result, value=None) -> list:
    """The written-out statements, then the call's target bound to the result, or to
    `value` where the result is a parameter read as the caller's operand (for a call whose
    value is unread, nothing: not even `result = None`)."""
    if isinstance(stmt, gast.Expr):
        return [s for s in stmts if not (isinstance(s, gast.Assign) and isinstance(
            s.value, gast.Constant) and build.assigned_name(s) == result)]
    value = build.load(result) if value is None else value
    return stmts + [build.assign_to(stmt.targets[0], value, stmt)]


def _bound(nested, call, src) -> dict:
    """{parameter: operand} of a call of a nested function (defaults as normalize.py
    evaluated them where the function was defined)."""
    args = nested.node.args
    positional = [a.id for a in args.posonlyargs + args.args]
    keyword_only = [a.id for a in args.kwonlyargs]
    bound = dict(zip(positional, call.args))
    extra = {}  # the other keywords, for its **kw
    problem = None
    if len(call.args) > len(positional):
        problem = f"takes {len(positional)} positional arguments, {len(call.args)} given"
    for keyword in call.keywords:
        if keyword.arg is None:
            problem = "passes `**` a dict whose keys srcgrad does not know"
        elif keyword.arg in bound or (keyword.arg not in positional + keyword_only
                                      and not args.kwarg):
            problem = f"got an unexpected or repeated argument '{keyword.arg}'"
        elif keyword.arg not in positional + keyword_only:
            extra[keyword.arg] = keyword.value
            continue
        bound[keyword.arg] = keyword.value
    for param in positional + keyword_only:
        if param not in bound:
            if param not in nested.defaults:
                problem = f"missing the argument '{param}'"
                continue
            bound[param] = nested.defaults[param]
    if problem is not None:
        raise src.error(call, f"this call of `{nested.node.name}` does not match its "
                        f"parameters: it {problem}", "Pass each parameter once, by name.")
    if args.kwarg:
        bound[args.kwarg.id] = extra
    return bound


class _Renamed(gast.NodeTransformer):
    def __init__(self, renamed):
        self.renamed = renamed

    def visit_Name(self, node):
        node.id = self.renamed.get(node.id, node.id)
        return node


def _locate(node, call):
    for attr in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        setattr(node, attr, getattr(call, attr, None))


class _Arguments(gast.NodeTransformer):
    """Reads of parameters never bound again as what the call gives them: a constant, or
    the caller's name (no `W = W1` copies)."""

    def __init__(self, known):
        self.known = known

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.known:
            return gast.copy_location(build.clone(self.known[node.id]), node)
        return node

    def visit_Compare(self, node):
        """`axis is not None` of a call giving axis=1, a test normalize moved into an
        assignment (`cond = ...`) out of _decided's reach: its value (left as written,
        `1 is not None` is a SyntaxWarning, and an error under -W error)."""
        self.generic_visit(node)
        try:
            value = build.static_value(node)
        except (build.NotStatic, TypeError):  # (`"a" < 1` raises where the user's code does)
            return node
        return gast.copy_location(gast.Constant(value=value, kind=None), node)


def _decided(stmts) -> list:
    """`stmts` with each `if` on a constant replaced by the branch it takes."""
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            try:  # `if axis is None` of a call giving axis=0
                taken = stmt.body if build.static_value(stmt.test) else stmt.orelse
            except build.NotStatic:
                pass
            else:
                out.extend(_decided(taken))
                continue
        if isinstance(getattr(stmt, "orelse", None), list):
            stmt.orelse = _decided(stmt.orelse)
        if isinstance(getattr(stmt, "body", None), list):
            stmt.body = _decided(stmt.body) or [gast.Pass()]
        out.append(stmt)
    return out
