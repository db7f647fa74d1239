"""Normalize a function body: one operation per statement and a single result.

Before::

    yhat = w * x + b
    if np.mean(yhat) > 0:
        return np.mean(yhat ** 2)
    return 0.0

After (`loss` is the result name)::

    t1 = w * x
    yhat = t1 + b
    t2 = np.mean(yhat)
    cond = t2 > 0
    if cond:
        t3 = yhat ** 2
        loss = np.mean(t3)
    else:
        loss = 0.0

Operands of every operation are names or constants, conditional expressions
become `if` statements, and every `return` becomes an assignment of the
result name, so later passes see straight-line blocks and branches only.
"""

from __future__ import annotations

import builtins
import copy
import functools
from dataclasses import dataclass, field
from keyword import iskeyword

import gast

from ..ir import build
from ..ir.naming import Namer
from ..rules.registry import array_operand_positions
from .desugar import desugared
from .fence import accumulated_at
from .iteration import ITERATING, Iteration
from .loop_exits import LoopExits, LoopReturns
from .methods import receiver_call
from .refusals import refusal
from .resolve import index_expression
from . import frozen, keyword_dicts, piecewise
from .source import Source

# Expressions kept whole: they produce booleans or strings, never gradients.
_OPAQUE = (gast.BoolOp, gast.JoinedStr, gast.Set)
_COMPREHENSIONS = (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)


def run(body, ctx):
    """The manifest's step: the statements of the source (`body` is empty: the front
    half starts here), normalized; the result's name in ctx.unit.result."""
    unit = ctx.unit
    kwarg = unit.src.tree.args.kwarg
    keywords = {kwarg.id: _keys_told(ctx.arguments, kwarg.id)} if kwarg else None
    lengths = {name: len(d[1]) for name, d in (ctx.arguments or {}).items()
               if type(d) is tuple and len(d) == 2 and d[0] in ("list", "tuple")}
    normalized, unit.result = normalize(unit.src, unit.namer, keywords=keywords,
                                        lengths=lengths)
    return body + normalized


def _keys_told(arguments, name):
    """The keys of the function's `**name` a call tells (the code specialized on it:
    `arguments` describes the dict), else None."""
    described = (arguments or {}).get(name)
    if isinstance(described, tuple) and len(described) == 2 and described[0] == "dict":
        keys = [key for key, _ in described[1]]
        # (`f(x, **{'a-b': 1.0})` passes a key no keyword can spell)
        if all(isinstance(k, str) and k.isidentifier() and not iskeyword(k) for k in keys):
            return keys
    return None


@dataclass
class Nested:
    """A function defined inside the function (a `def` or a lambda): written out where it
    is called (inline.py), reading the enclosing function's variables as they are then."""

    node: gast.FunctionDef
    src: Source  # the source it is written in (file, lines)
    scope: "Scope"  # the nested functions its calls can see
    defaults: dict = field(default_factory=dict)  # parameter -> atom of the value at `def`


@dataclass
class Scope:
    """What the function's own statements define for the calls in it: nested functions
    and `functools.partial` objects, by name."""

    functions: dict = field(default_factory=dict)  # name -> Nested
    partials: dict = field(default_factory=dict)  # name -> (function node, args, keywords)


def normalize(src: Source, namer: Namer, procedure=False, scope=None,
              keywords=None, nested=False, lengths=None) -> tuple[list, str]:
    """Return (statements, result name) for the function in `src`. `procedure`: it may
    end without `return` (a helper called for what it changes), returning None. `scope`:
    the nested functions it can see (for the body of one, written out in place; `nested`:
    it is one, whose `nonlocal` names are the enclosing function's).
    `keywords`: {name: its keys or None} of the function's `**name` (keyword_dicts.py);
    `lengths`: {parameter: length} of the lists and tuples of the call it is made for."""
    body = desugared(list(src.tree.body), namer, src, lengths)
    if procedure and not _always_returns(body):
        body.append(gast.Return(value=build.const(None)))
    body = LoopReturns(namer).function(body)
    body = _returns_last(src, body)
    _check_tail(src, body)
    result = _result_name(src, body, namer)
    if not _always_returns(body):
        raise src.error(src.tree, f"{src.name} can finish without `return`; srcgrad "
                        "differentiates the value a function returns",
                        "Return a value on every path (e.g. add `return 0.0` at the end).")
    norm = _Normalizer(src, namer, result, build.local_names(src.tree), scope or Scope())
    norm.nested = nested
    body = keyword_dicts.rewritten(frozen.rewritten(body, norm.known, namer, src), src,
                                   keywords)
    return norm.block(body), result


def _always_returns(body) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return isinstance(last, gast.Raise)


def _returns_last(src, body):
    """Move statements after an `if` that returns into its other branch.

    `if c: return a` / `rest` becomes `if c: return a` / `else: rest`, so every
    return ends a path through the function.
    """
    out = []
    for i, stmt in enumerate(body):
        rest = body[i + 1:]
        if isinstance(stmt, gast.Return) and rest:
            raise src.error(rest[0], "unreachable code after `return`", "Delete it.")
        if isinstance(stmt, gast.If):
            body_returns, else_returns = _always_returns(stmt.body), _always_returns(stmt.orelse)
            if rest and body_returns and else_returns:
                raise src.error(rest[0], "unreachable code after `return`", "Delete it.")
            if rest and (body_returns or else_returns):
                if body_returns:
                    stmt.orelse = stmt.orelse + rest
                else:
                    stmt.body = stmt.body + rest
                rest = None
            stmt.body = _returns_last(src, stmt.body)
            stmt.orelse = _returns_last(src, stmt.orelse)
            if rest is None:
                out.append(stmt)
                return out
        out.append(stmt)
    return out


def _check_tail(src, body, tail=True):
    """Every `return` must end a path through the function."""
    for i, stmt in enumerate(body):
        last = tail and i == len(body) - 1
        if isinstance(stmt, gast.Return) and not last:
            raise src.error(stmt, "this `return` does not end the function on every path",
                            "Assign the value to a variable and return it at the end.")
        if isinstance(stmt, gast.If):
            _check_tail(src, stmt.body, last)
            _check_tail(src, stmt.orelse, last)


def _result_name(src, body, namer) -> str:
    last = body[-1] if body else None
    returns = _own_returns(body)
    if (len(returns) == 1 and returns[0] is last
            and isinstance(last.value, gast.Name)):
        return last.value.id
    if not returns:
        raise src.error(src.tree, f"{src.name} has no `return`; srcgrad differentiates the value "
                        "a function returns", "Return the value to differentiate.")
    return namer.fresh(src.name if src.name.isidentifier() else "out")


def _dict_view(node, known, views) -> bool:
    """`d.values()` (one of `views`) of a local value (a dict). (`list(d.keys())` stays:
    iteration.py walks a dict by it.)"""
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr in views and not node.args
            and not node.keywords and known(node.func) is None)


def _own_statements(body):
    """The statements of `body` at any depth of `if` and loops, not those of the functions
    defined in it."""
    for stmt in body:
        yield stmt
        if not isinstance(stmt, gast.FunctionDef):
            yield from _own_statements(getattr(stmt, "body", []) + getattr(stmt, "orelse", []))


def _own_returns(body) -> list:
    """The `return` statements of `body`, not those of the functions defined in it."""
    found, todo = [], list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Return):
            found.append(node)
        elif not isinstance(node, (gast.FunctionDef, gast.Lambda)):
            todo.extend(gast.iter_child_nodes(node))
    return found


class _Normalizer:
    def __init__(self, src: Source, namer: Namer, result: str, local_names: set, scope):
        self.src = src
        self.local_names = local_names
        self.namer = namer
        self.result = result
        self.scope = Scope(dict(scope.functions), dict(scope.partials))
        self.ambiguous = set()  # names of functions defined differently by an if's branches
        self.listed = set()  # local names given a list or tuple display somewhere
        self.iteration = Iteration(namer, self.known)

    def known(self, node):
        """The object a non-local name or dotted path of them names where the function is
        defined (its globals, closure, builtins), or None (a local, or unknown)."""
        if isinstance(node, gast.Attribute):
            base = self.known(node.value)
            return None if base is None else getattr(base, node.attr, None)
        if not isinstance(node, gast.Name) or node.id in self.local_names or (
                node.id in self.scope.functions or node.id in self.scope.partials):
            return None
        func = self.src.func
        closure = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))
        if node.id in closure:
            try:
                return closure[node.id].cell_contents
            except ValueError:
                return None
        if node.id in func.__globals__:
            return func.__globals__[node.id]
        return getattr(builtins, node.id, None)

    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            self.statement(stmt, out)
        return out

    def statement(self, stmt, out):
        if isinstance(stmt, gast.Assign):
            self.assign(stmt, out)
        elif isinstance(stmt, gast.AugAssign):
            if isinstance(stmt.target, gast.Subscript):
                self.augment_element(stmt, out)
            else:  # in place if the value is mutable (an array, a list): aliasing.py
                current = build.load(stmt.target.id)
                value = gast.copy_location(
                    gast.BinOp(left=current, op=stmt.op, right=stmt.value), stmt)
                out.append(writes(build.assign(stmt.target.id, self.expr(value, out), stmt),
                                  AUGMENTED))
        elif isinstance(stmt, gast.AnnAssign):
            if stmt.value is not None:
                out.append(build.assign(stmt.target.id, self.expr(stmt.value, out), stmt))
        elif isinstance(stmt, gast.If):
            cond = self.condition(stmt.test, out)
            before = dict(self.scope.functions), dict(self.scope.partials)
            body = self.block(stmt.body)
            defined = self.scope.functions, self.scope.partials
            self.scope.functions, self.scope.partials = before  # what `else` sees
            orelse = self.block(stmt.orelse)
            for found, now in zip(defined, (self.scope.functions, self.scope.partials)):
                for name in set(found) | set(now):
                    if found.get(name) is not now.get(name):
                        # which function it names is decided at run time: a later call of
                        # it is refused (call), never made to one of them
                        now.pop(name, None)
                        self.ambiguous.add(name)
            out.append(build.if_(cond, body, orelse, stmt))
        elif isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else build.const(None)
            if not (isinstance(value, gast.Name) and value.id == self.result):
                out.append(build.assign(self.result, self.expr(value, out), stmt))
            else:  # a nested function returned (a factory) is refused there
                self.expr(value, out)
        elif isinstance(stmt, gast.Expr) and (
                op := accumulated_at(stmt.value, self.known)) is not None:
            self.add_at(stmt, op, out)
        elif isinstance(stmt, gast.Expr) and _is_append(stmt.value):
            self.append(stmt.value, out)
        elif isinstance(stmt, gast.Expr):
            if not isinstance(stmt.value, gast.Constant):  # docstrings and bare constants
                out.append(gast.copy_location(gast.Expr(value=self.expr(stmt.value, out)), stmt))
        elif isinstance(stmt, (gast.Raise, gast.Assert)):
            out.append(stmt)  # kept whole: they run in the forward sweep only
        elif isinstance(stmt, gast.Nonlocal):
            if not self.nested:  # the differentiated function's own: a closure's cell
                raise refusal("nonlocal").error(self.src, stmt)
            # (a nested function written out in place: its names are the caller's)
        elif isinstance(stmt, gast.FunctionDef):
            self.define(stmt.name, stmt, out)
        elif isinstance(stmt, gast.For):
            out.append(self.for_loop(stmt, out))
        elif isinstance(stmt, gast.While):
            out.append(self.while_loop(stmt, out))
        elif not isinstance(stmt, gast.Pass):
            raise self.src.error(stmt, f"srcgrad cannot differentiate a `{type(stmt).__name__}` "
                                 "statement", "Rewrite it with assignments, `if` and `return`.")

    def loop_body(self, loop):
        """The loop's body with `continue`/`break` turned into branches (and a flag)."""
        for node in _own_statements(loop.body):
            if isinstance(node, gast.FunctionDef):
                raise refusal("def_in_loop").error(self.src, node)
        exits = LoopExits(self.src, self.namer)
        body = exits.block(list(loop.body), tail=True)
        if exits.flag:
            body.insert(0, build.assign(exits.flag, build.const(False), loop))
        return body, exits.flag

    def for_loop(self, loop, out):
        """`for x in X:` iterates by index, so each element is an indexing operation:
        `for i in range(len(X)): x = X[i]` (zip, enumerate, reversed, map, dict items and
        comprehensions likewise: iteration.py)."""
        body, flag = self.loop_body(loop)
        if self.iteration.is_range(loop.iter):
            iterable, target = self.expr(loop.iter, out), loop.target
            if not isinstance(target, gast.Name):
                raise self.src.error(target, "a range() loop needs a single loop variable")
        else:
            rebound = build.stored(loop.body)
            *before, walk = self.iteration.loop(
                gast.copy_location(gast.For(target=loop.target, iter=loop.iter, body=body,
                                            orelse=[], type_comment=None), loop), rebound)
            out.extend(self.block(before))
            iterable, target, body = self.expr(walk.iter, out), walk.target, walk.body
        new = gast.For(target=build.store(target.id), iter=iterable,
                       body=self.block(body), orelse=[], type_comment=None)
        new._srcgrad_break = flag
        new._srcgrad_checkpoint = getattr(loop, "_srcgrad_checkpoint", None)
        return gast.copy_location(new, loop)

    def while_loop(self, loop, out):
        body, flag = self.loop_body(loop)
        test = self.expr(loop.test, out)
        if isinstance(test, gast.Name):
            cond, recompute = test.id, []
        else:
            cond = self.namer.fresh("cond")
            out.append(build.assign(cond, test, loop.test))
            recompute = []  # the test runs again at the end of every iteration
            recompute.append(build.assign(cond, self.expr(_fresh_copy(loop.test), recompute),
                                          loop.test))
        new = gast.While(test=build.load(cond), body=self.block(body) + recompute, orelse=[])
        new._srcgrad_break = flag
        return gast.copy_location(new, loop)

    def assign(self, stmt, out):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            self.assign_element(target, stmt.value, stmt, out)
            return
        if isinstance(target, gast.Name):
            if isinstance(stmt.value, gast.Lambda):
                self.define(target.id, stmt.value, out)
            elif self.is_partial(stmt.value):
                self.scope.partials[target.id] = self.partial(stmt.value, out)
                self.ambiguous.discard(target.id)
            else:
                self.ambiguous.discard(target.id)
                self.scope.functions.pop(target.id, None)
                self.scope.partials.pop(target.id, None)
                if isinstance(stmt.value, (gast.List, gast.Tuple, gast.ListComp)):
                    self.listed.add(target.id)
                out.append(build.assign(target.id, self.expr(stmt.value, out), stmt))
            return
        self.unpack(target, stmt.value, stmt, out)

    def unpack(self, target, value, stmt, out):
        """`a, (b, c) = value`: each name its item, every right-hand side evaluated before
        any name is bound (`a, b = b, a`)."""
        names = build.stored(target)
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(target.elts):
            values = [self.atom(elt, out, force=isinstance(elt, gast.Name) and elt.id in names)
                      for elt in value.elts]
        else:
            whole = self.atom(value, out)
            if isinstance(value, (gast.Tuple, gast.List)):  # of another length: it raises
                if not isinstance(whole, gast.Name):
                    whole = self.atom(whole, out, force=True)
                out.extend(self.block([self.unpacking_checked(whole.id, len(target.elts), stmt)]))
            values = [gast.copy_location(gast.Subscript(value=whole, slice=build.const(i),
                                                        ctx=gast.Load()), value)
                      for i in range(len(target.elts))]
        for element, item in zip(target.elts, values):
            if isinstance(element, gast.Name):
                out.append(build.assign(element.id, item, stmt))
            elif isinstance(element, (gast.Tuple, gast.List)):
                self.unpack(element, item, stmt, out)
            else:
                raise self.src.error(element, "srcgrad cannot unpack into this target",
                                     "Unpack into plain names.")

    def unpacking_checked(self, whole: str, n: int, stmt):
        """`if len(whole) != n: raise ValueError(...)`: Python's error of unpacking `whole`
        into n names (too many or not enough values), raised at run time at the user's
        line, before the items are read one by one. (Written for a display, whose length
        is known here: a value's length is the code's to know, and checking it would cost
        the specialized code its known shapes.)"""
        check = gast.parse(
            f"if len({whole}) != {n}:\n"
            f"    raise ValueError(f'not enough values to unpack (expected {n}, got "
            f"{{len({whole})}})' if len({whole}) < {n} else "
            f"'too many values to unpack (expected {n})')").body[0]
        for node in gast.walk(check):
            gast.copy_location(node, stmt)
        return check

    def assign_element(self, target, value, stmt, out):
        """`h[i] = v` -> `h = set_at(h, i, v)`: a new version of the array, never a mutation
        (aliasing.py gives the new version to every other name that held the old one)."""
        array = target.value.id
        index = index_expression(self.index(target.slice, out))
        call = _internal("set_at", build.load(array), index, self.atom(value, out))
        out.append(writes(build.assign(array, gast.copy_location(call, target), stmt), SET_AT))

    def add_at(self, stmt, op, out):
        """`np.add.at(y, i, v)` -> `t = scatter_add(y, i, v); y[...] += t`: v's values added
        at i, a repeated index adding each (np.subtract.at: `-=`); an item write of y, so
        every other name holding y sees it (aliasing.py)."""
        call = stmt.value
        array, index, value = call.args
        # a list of indices is one array; a tuple holds an index per axis
        index = (self.array_operand(index, out) if isinstance(index, gast.List)
                 else self.atom(index, out))
        added = self.namer.fresh("added")
        out.append(build.assign(added, gast.copy_location(_internal(
            "scatter_add", build.load(array.id), index, self.atom(value, out)), call), stmt))
        target = gast.Subscript(value=build.load(array.id),
                                slice=build.const(Ellipsis), ctx=gast.Store())
        self.augment_element(gast.copy_location(gast.AugAssign(
            target=gast.copy_location(target, call), op=op(),
            value=gast.copy_location(build.load(added), call)), stmt), out)

    def augment_element(self, stmt, out):
        """`h[i] += v`: the item `h[i]` updated as `x += v` updates x (in place, if it is
        mutable: an array held in a list is the same array), then put back with set_at.
        Its index is evaluated once, as Python does."""
        target = stmt.target
        array = target.value.id
        index = self.index(target.slice, out)
        item = self.namer.temp()
        out.append(build.assign(item, gast.copy_location(gast.Subscript(
            value=build.load(array), slice=build.clone(index), ctx=gast.Load()), target),
            stmt))
        value = gast.copy_location(gast.BinOp(left=build.load(item), op=stmt.op,
                                              right=stmt.value), stmt)
        updated = self.namer.temp()
        update = writes(build.assign(updated, self.expr(value, out), stmt), AUGMENTED)
        update._srcgrad_item_of = array  # (aliasing.py: the set_at below follows views)
        out.append(update)
        call = _internal("set_at", build.load(array), index_expression(index),
                         build.load(updated))
        out.append(writes(build.assign(array, gast.copy_location(call, target), stmt), SET_AT))

    def append(self, call, out):
        """`hs.append(h)` -> `hs = appended(hs, h)`: a new list, never a mutation."""
        items = call.func.value.id
        value = _internal("appended", build.load(items), self.atom(call.args[0], out))
        out.append(writes(build.assign(items, gast.copy_location(value, call), call), APPENDED))

    def define(self, name, node, out):
        """A nested `def` or `name = lambda ...`: kept aside, written out where it is called;
        its defaults are evaluated here, as Python does."""
        if isinstance(node, gast.Lambda):
            node = gast.copy_location(gast.FunctionDef(
                name=name, args=node.args, body=[gast.copy_location(
                    gast.Return(value=node.body), node.body)],
                decorator_list=[], returns=None, type_comment=None, type_params=[]), node)
        args = node.args
        if args.vararg or node.decorator_list:
            raise refusal("nested_signature").error(self.src, node, f" (`{name}`)")
        positional = args.posonlyargs + args.args
        defaults = {}
        for param, default in zip(positional[len(positional) - len(args.defaults):],
                                  args.defaults):
            defaults[param.id] = self.atom(default, out, force=True)
        for param, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                defaults[param.id] = self.atom(default, out, force=True)
        self.scope.partials.pop(name, None)
        self.ambiguous.discard(name)
        self.scope.functions[name] = Nested(node, self.src, self.scope, defaults)

    def is_function(self, node) -> bool:
        """Does `node` name a function (a lambda, a nested one, a global callable)?"""
        return (isinstance(node, gast.Lambda) or self.is_partial(node) or callable(
            self.known(node)) or isinstance(node, gast.Name) and (
                node.id in self.scope.functions or node.id in self.scope.partials))

    def is_partial(self, node) -> bool:
        return isinstance(node, gast.Call) and self.known(node.func) is functools.partial

    def partial(self, call, out):
        """`functools.partial(f, a, k=b)`: f, and its arguments as they are now."""
        if not call.args or any(isinstance(a, gast.Starred) for a in call.args) or any(
                k.arg is None for k in call.keywords):
            raise refusal("partial_splat").error(self.src, call, ": srcgrad follows "
                                                 "functools.partial(f, a, k=b) with each "
                                                 "argument given")
        func = call.args[0]
        args = [self.atom(a, out, force=True) for a in call.args[1:]]
        keywords = {k.arg: self.atom(k.value, out, force=True) for k in call.keywords}
        return func, args, keywords

    def comprehension(self, node, out):
        statements, result = self.iteration.comprehension(node)
        out.extend(self.block(statements))
        return build.load(result)

    def call(self, node, out):
        """A call, with the builtins that iterate turned into loops, `partial` objects and
        lambdas applied, and nested functions marked to be written out (inline.py)."""
        func = node.func
        if isinstance(func, gast.Name) and func.id in self.ambiguous:
            raise refusal("def_in_branch").error(self.src, node)
        while True:  # partial(f, a)(x) and g(x) of g = partial(f, a): f(a, x)
            if isinstance(func, gast.Name) and func.id in self.scope.partials:
                inner, args, keywords = self.scope.partials[func.id]
            elif self.is_partial(func):
                inner, args, keywords = self.partial(func, out)
            else:
                break
            node = gast.copy_location(gast.Call(
                func=inner, args=[build.clone(a) for a in args] + list(node.args),
                keywords=[gast.keyword(arg=k, value=build.clone(v)) for k, v in keywords.items()]
                + list(node.keywords)), node)
            func = inner
        if isinstance(func, gast.Lambda):
            name = self.namer.fresh("function")
            self.define(name, func, out)
            func = build.load(name)
        receiver = receiver_call(self.src, func, self.local_names)
        if receiver is not None:  # self.predict(w, x): Regression.predict(self, w, x)
            owner, attr, name, static = receiver
            out.append(build.assign(self.namer.fresh("same"), _internal(
                "same_method", build.load(name), build.clone(owner), build.const(attr)), node))
            func = gast.Attribute(value=owner, attr=attr, ctx=gast.Load())
            node = gast.copy_location(gast.Call(func=func, args=[
                *([] if static else [build.load(name)]), *node.args], keywords=node.keywords),
                node)
        known = self.known(func)
        if known is not None and node.args and _dict_view(node.args[0], self.known, (
                "items", "values") if known is builtins.list else ("items", "values", "keys")):
            # sum(d.values()), list(d.items()), np.stack(d.values()): a function (not a
            # nested one) reads the view at once: as a list by key
            view, name = node.args[0], self.namer.fresh("v")
            listed = gast.copy_location(gast.ListComp(elt=build.load(name), generators=[
                gast.comprehension(target=build.store(name), iter=view, ifs=[], is_async=0)]),
                view)
            node = gast.copy_location(gast.Call(func=node.func, args=[listed, *node.args[1:]],
                                                keywords=node.keywords), node)
        if piecewise.is_piecewise(known):
            statements, result = piecewise.written_out(self.src, node, self.namer,
                                                       self.is_function)
            self.local_names |= build.stored(statements)
            out.extend(self.block(statements))
            return build.load(result)
        if known in ITERATING:
            return self.comprehension(self.iteration.as_list(node), out)
        if known is builtins.sorted:
            return self.sorted(node, out)
        if known is functools.reduce:
            statements, result = self.iteration.reduction(node)
            out.extend(self.block(statements))
            return build.load(result)
        if (known is builtins.max or known is builtins.min) and (
                len(node.args) != 2 or node.keywords):
            return self.extreme(node, known, out)
        positions, names = array_operand_positions(known)
        new = gast.Call(func=self.callee(func, out),
                        args=[self.array_operand(a, out) if i in positions
                              else self.argument(a, out) for i, a in enumerate(node.args)],
                        keywords=[gast.keyword(arg=k.arg, value=self.array_operand(k.value, out)
                                               if k.arg in names else self.atom(k.value, out))
                                  for k in node.keywords])
        if isinstance(func, gast.Name) and func.id in self.scope.functions:
            new._srcgrad_nested = self.scope.functions[func.id]
        if getattr(node, "_srcgrad_internal", None):
            new._srcgrad_internal = node._srcgrad_internal
        return new

    def sorted(self, node, out):
        """`sorted(xs)`: `[xs[i] for i in sort_order(xs)]`, the order a constant."""
        if len(node.args) != 1 or any(k.arg != "reverse" for k in node.keywords):
            raise refusal("sort_key").error(self.src, node, " (sorted(items) and sorted(items, "
                                            "reverse=...) are differentiated)")
        # (a dict's keys, as Python sorts them; in_order keeps any other sequence)
        items = self.atom(gast.copy_location(_internal("in_order", node.args[0]), node), out)
        order = _internal("sort_order", items, *[self.atom(k.value, out) for k in node.keywords])
        index = self.namer.fresh("i")
        return self.comprehension(gast.copy_location(gast.ListComp(
            elt=gast.Subscript(value=build.clone(items), slice=build.load(index),
                               ctx=gast.Load()),
            generators=[gast.comprehension(target=build.store(index), iter=order, ifs=[],
                                           is_async=0)]), node), out)

    def extreme(self, node, which, out):
        """`max(items)`, `max(a, b, c)` (`min` likewise): the item itself, as Python gives
        it; `max(a, b)` stays the rule of np.maximum."""
        if node.keywords or not node.args:
            raise refusal("extreme_key").error(self.src, node, f" ({which.__name__}(items) and "
                                               f"{which.__name__}(a, b, ...) are "
                                               "differentiated)")
        if len(node.args) == 1:
            call = _internal("largest" if which is builtins.max else "smallest",
                             self.atom(node.args[0], out))
            return gast.copy_location(call, node)
        pairwise = node.args[0]
        for arg in node.args[1:]:
            pairwise = gast.copy_location(build.call(build.clone(node.func), pairwise, arg), node)
        return self.expr(pairwise, out)

    def dictionary(self, node, out):
        """`{k: v, **d}`: `dict_of` of the keys and values, merged with `merged` where `**`
        spreads another dict (a later key wins, as in Python); the result is a new dict."""
        parts, keys, values = [], [], []

        def packed():
            call = _internal("dict_of", build.tuple_(list(keys)),
                             gast.List(elts=list(values), ctx=gast.Load()))
            keys.clear()
            values.clear()
            return gast.copy_location(call, node)
        for key, value in zip(node.keys, node.values):
            if key is None:  # `**other`
                if keys:
                    parts.append(packed())
                parts.append(self.atom(value, out))
            else:
                keys.append(self.atom(key, out))
                values.append(self.atom(value, out))
        if keys or not parts or len(parts) == 1 and node.keys[0] is None:
            parts.append(packed())  # (`{**d}` is `merged(d, {})`: a copy)
        result = parts[0]
        for part in parts[1:]:
            result = gast.copy_location(_internal("merged", self.atom(result, out),
                                                  self.atom(part, out)), node)
        return result

    def condition(self, test, out) -> str:
        value = self.expr(test, out)
        if isinstance(value, gast.Name):
            return value.id
        cond = self.namer.fresh("cond")
        out.append(build.assign(cond, value, test))
        return cond

    def atom(self, node, out, force=False):
        """`node` as a name or constant, emitting `tN = ...` for anything larger."""
        value = self.expr(node, out)
        if (build.is_atom(value) or _constant_tuple(value)) and not (
                force and isinstance(value, gast.Name)):
            return value
        temp = self.namer.temp()
        out.append(build.assign(temp, value, node))
        return build.load(temp)

    def expr(self, node, out):
        """`node` as one operation whose operands are atoms."""
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and (
                node.id in self.scope.functions or node.id in self.scope.partials):
            raise refusal("function_value").error(self.src, node, f": srcgrad writes "
                                                  f"`{node.id}` out where it is called; here "
                                                  "it is used as a value")
        if isinstance(node, _OPAQUE):
            walrus = next((n for n in gast.walk(node) if isinstance(n, gast.NamedExpr)), None)
            if walrus is not None:  # kept whole: what it binds would be out of sight
                raise refusal("walrus").error(self.src, walrus)
        if build.is_atom(node) or isinstance(node, _OPAQUE) or _constant_tuple(node):
            return node
        if isinstance(node, gast.NamedExpr):  # `(n := v)`: `n = v`, then `n` is the value
            self.assign(gast.copy_location(gast.Assign(targets=[node.target], value=node.value,
                                                       type_comment=None), node), out)
            return build.load(node.target.id)
        if isinstance(node, _COMPREHENSIONS):
            return self.comprehension(node, out)
        if isinstance(node, gast.Dict):
            return self.dictionary(node, out)
        if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Add) and any(
                isinstance(side, (gast.List, gast.Tuple)) and not _constant_tuple(side)
                or self.known(getattr(side, "func", None)) in (builtins.list, builtins.tuple)
                for side in (node.left, node.right)):  # `items + [x]`: concatenation
            return gast.copy_location(_internal("concatenated", self.atom(node.left, out),
                                                self.atom(node.right, out)), node)
        if isinstance(node, gast.BinOp):
            new = gast.BinOp(left=self.atom(node.left, out), op=node.op,
                             right=self.atom(node.right, out))
        elif isinstance(node, gast.UnaryOp):
            operand = node.operand
            if (isinstance(node.op, gast.USub) and isinstance(operand, gast.Constant)
                    and isinstance(operand.value, (int, float))
                    and not isinstance(operand.value, bool)):
                new = build.const(-operand.value)
            else:
                new = gast.UnaryOp(op=node.op, operand=self.atom(operand, out))
        elif isinstance(node, gast.Compare):
            new = gast.Compare(left=self.atom(node.left, out), ops=node.ops,
                               comparators=[self.atom(c, out) for c in node.comparators])
        elif isinstance(node, gast.Call):
            new = self.call(node, out)
            if not isinstance(new, gast.Call):
                return new
        elif isinstance(node, gast.Attribute):
            new = self.callee(node, out)
        elif isinstance(node, gast.Subscript):
            new = gast.Subscript(value=self.atom(node.value, out),
                                 slice=self.index(node.slice, out), ctx=gast.Load())
        elif isinstance(node, (gast.Tuple, gast.List)):
            new = type(node)(elts=[self.atom(e, out) for e in node.elts], ctx=gast.Load())
        elif isinstance(node, gast.IfExp):
            return self.if_expression(node, out)
        else:
            raise self.src.error(node, f"srcgrad cannot differentiate a {type(node).__name__} "
                                 "expression", "Rewrite it with plain NumPy operations.")
        return gast.copy_location(new, node)

    def argument(self, node, out):
        """Call arguments are atoms, or list/tuple literals of atoms (np.stack([a, b]))."""
        if isinstance(node, (gast.List, gast.Tuple)) and not _constant_tuple(node):
            elts = [self.argument(e, out) for e in node.elts]
            return gast.copy_location(type(node)(elts=elts, ctx=gast.Load()), node)
        return self.atom(node, out)

    def array_operand(self, node, out):
        """An argument NumPy reads as one array (registry.array_operands): a list or tuple
        display there, or a local name given one, made an array first (np.power([1., 2.],
        x): the rule's code then computes with an array, and a display of active numbers
        gets np.array's adjoint)."""
        if isinstance(node, (gast.List, gast.Tuple)) or (
                isinstance(node, gast.Name) and node.id in self.listed):
            temp = self.namer.temp()
            out.append(build.assign(temp, _internal("as_array", self.argument(node, out)), node))
            return build.load(temp)
        return self.atom(node, out)

    def callee(self, node, out):
        """Dotted paths of globals (`np.linalg.norm`, `config.scale`) stay whole; on a local
        value each attribute is one operation (`x.T.sum()` -> `t1 = x.T`, `t1.sum()`)."""
        if isinstance(node, gast.Name):
            return node
        if isinstance(node, gast.Attribute):
            inner = (self.atom(node.value, out) if self.on_local(node.value)
                     else self.callee(node.value, out))
            return gast.copy_location(
                gast.Attribute(value=inner, attr=node.attr, ctx=gast.Load()), node)
        return self.atom(node, out)

    def on_local(self, node) -> bool:
        while isinstance(node, gast.Attribute):
            node = node.value
        return not isinstance(node, gast.Name) or node.id in self.local_names

    def index(self, node, out):
        if isinstance(node, gast.Slice):
            parts = [None if p is None else self.atom(p, out)
                     for p in (node.lower, node.upper, node.step)]
            return gast.Slice(lower=parts[0], upper=parts[1], step=parts[2])
        if isinstance(node, gast.Tuple):
            return gast.Tuple(elts=[self.index(e, out) for e in node.elts], ctx=gast.Load())
        return self.atom(node, out)

    def if_expression(self, node, out):
        temp = self.namer.temp()
        cond = self.condition(node.test, out)
        body, orelse = [], []
        body.append(build.assign(temp, self.expr(node.body, body), node.body))
        orelse.append(build.assign(temp, self.expr(node.orelse, orelse), node.orelse))
        out.append(build.if_(cond, body, orelse, node))
        return build.load(temp)


# How a statement made from an update in place changes its target's value (`in_place`).
SET_AT, APPENDED = "item assignment", "append"  # always in place
AUGMENTED = "augmented assignment"  # in place if the value is mutable: `x += v`


def writes(stmt, how):
    """Mark the normalized `stmt` as the user's update in place of its target."""
    stmt._srcgrad_in_place = how
    return stmt


def in_place(stmt) -> str | None:
    """How `stmt` updates its target in place (SET_AT, APPENDED, AUGMENTED), or None."""
    return getattr(stmt, "_srcgrad_in_place", None)


def _is_append(node) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "append" and isinstance(node.func.value, gast.Name)
            and len(node.args) == 1 and not node.keywords)


def _internal(name, *args):
    """A call of one of srcgrad's own operations (containers.py), resolved as such."""
    call = build.call(build.load(name), *args)
    call._srcgrad_internal = name
    return call


def _fresh_copy(node):
    return copy.deepcopy(node)


def _constant_tuple(node) -> bool:
    """`(0, 2)` and friends stay literal, so rules see constant axes and shapes."""
    return isinstance(node, gast.Tuple) and all(
        isinstance(e, gast.Constant) or _constant_tuple(e) for e in node.elts)
