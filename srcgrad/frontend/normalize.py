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

import copy

import gast

from ..ir import build
from ..ir.naming import Namer
from .loop_exits import LoopExits, LoopReturns
from .resolve import index_expression
from .source import Source

# Expressions kept whole: they produce booleans or strings, never gradients.
_OPAQUE = (gast.BoolOp, gast.JoinedStr, gast.Dict, gast.Set)


def run(body, ctx):
    """The manifest's step: the statements of the source (`body` is empty: the front
    half starts here), normalized; the result's name in ctx.unit.result."""
    unit = ctx.unit
    normalized, unit.result = normalize(unit.src, unit.namer)
    return body + normalized


def normalize(src: Source, namer: Namer, procedure=False) -> tuple[list, str]:
    """Return (statements, result name) for the function in `src`. `procedure`: it may
    end without `return` (a helper called for what it changes), returning None."""
    body = list(src.tree.body)
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
    norm = _Normalizer(src, namer, result, build.local_names(src.tree))
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
    returns = [n for stmt in body for n in build.nodes(stmt) if isinstance(n, gast.Return)]
    if (len(returns) == 1 and returns[0] is last
            and isinstance(last.value, gast.Name)):
        return last.value.id
    if not returns:
        raise src.error(src.tree, f"{src.name} has no `return`; srcgrad differentiates the value "
                        "a function returns", "Return the value to differentiate.")
    return namer.fresh(src.name if src.name.isidentifier() else "out")


class _Normalizer:
    def __init__(self, src: Source, namer: Namer, result: str, local_names: set):
        self.src = src
        self.local_names = local_names
        self.namer = namer
        self.result = result

    def block(self, stmts) -> list:
        out = []
        for stmt in stmts:
            self.statement(stmt, out)
        return out

    def statement(self, stmt, out):
        if isinstance(stmt, gast.Assign):
            self.assign(stmt, out)
        elif isinstance(stmt, gast.AugAssign):
            current = copy.deepcopy(stmt.target)
            current.ctx = gast.Load()
            value = gast.copy_location(
                gast.BinOp(left=current, op=stmt.op, right=stmt.value), stmt)
            if isinstance(stmt.target, gast.Subscript):
                self.assign_element(stmt.target, value, stmt, out)
            else:  # in place if the value is mutable (an array, a list): aliasing.py
                out.append(writes(build.assign(stmt.target.id, self.expr(value, out), stmt),
                                  AUGMENTED))
        elif isinstance(stmt, gast.AnnAssign):
            if stmt.value is not None:
                out.append(build.assign(stmt.target.id, self.expr(stmt.value, out), stmt))
        elif isinstance(stmt, gast.If):
            cond = self.condition(stmt.test, out)
            out.append(build.if_(cond, self.block(stmt.body), self.block(stmt.orelse), stmt))
        elif isinstance(stmt, gast.Return):
            value = stmt.value if stmt.value is not None else build.const(None)
            if not (isinstance(value, gast.Name) and value.id == self.result):
                out.append(build.assign(self.result, self.expr(value, out), stmt))
        elif isinstance(stmt, gast.Expr) and _is_append(stmt.value):
            self.append(stmt.value, out)
        elif isinstance(stmt, gast.Expr):
            if not isinstance(stmt.value, gast.Constant):  # docstrings and bare constants
                out.append(gast.copy_location(gast.Expr(value=self.expr(stmt.value, out)), stmt))
        elif isinstance(stmt, (gast.Raise, gast.Assert)):
            out.append(stmt)  # kept whole: they run in the forward sweep only
        elif isinstance(stmt, gast.For):
            out.append(self.for_loop(stmt, out))
        elif isinstance(stmt, gast.While):
            out.append(self.while_loop(stmt, out))
        elif not isinstance(stmt, gast.Pass):
            raise self.src.error(stmt, f"srcgrad cannot differentiate a `{type(stmt).__name__}` "
                                 "statement", "Rewrite it with assignments, `if` and `return`.")

    def loop_body(self, loop):
        """The loop's body with `continue`/`break` turned into branches (and a flag)."""
        if loop.orelse:
            raise self.src.error(loop, "srcgrad cannot differentiate a loop with an `else:` "
                                 "clause", "Use a flag variable instead.")
        exits = LoopExits(self.src, self.namer)
        body = exits.block(list(loop.body), tail=True)
        if exits.flag:
            body.insert(0, build.assign(exits.flag, build.const(False), loop))
        return body, exits.flag

    def for_loop(self, loop, out):
        """`for x in X:` iterates by index, so each element is an indexing operation:
        `for i in range(len(X)): x = X[i]` (zip, enumerate and reversed likewise)."""
        body, flag = self.loop_body(loop)
        iterable, target, head = loop.iter, loop.target, []
        if _call_named(iterable, "range"):
            iterable = self.expr(iterable, out)
            if not isinstance(target, gast.Name):
                raise self.src.error(target, "a range() loop needs a single loop variable")
        elif _call_named(iterable, "keys") and not iterable.args:
            iterable = self.expr(iterable, out)
        elif _call_named(iterable, "items", "values") and not iterable.args:
            # by key, so that each value is an item read from the dict: `v = p[key]`
            mapping = self.atom(iterable.func.value, out)
            key = self.namer.fresh("key")
            value = gast.copy_location(
                gast.Subscript(value=mapping, slice=build.load(key), ctx=gast.Load()), loop)
            pair = iterable.func.attr == "items"
            head.append(build.assign_to(target, build.tuple_([build.load(key), value])
                                        if pair else value, loop))
            iterable = gast.copy_location(build.call(build.attr(mapping, "keys")), loop.iter)
            target = build.store(key)
        else:
            kind = next((k for k in ("zip", "enumerate", "reversed") if _call_named(iterable, k)),
                        None)
            sequences = iterable.args if kind else [iterable]
            rebound = {n.id for stmt in loop.body for n in gast.walk(stmt)
                       if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
            # iterate over the sequence as it was when the loop began, even if the body rebinds it
            sequences = [self.atom(seq, out, force=isinstance(seq, gast.Name) and seq.id in rebound)
                         for seq in sequences]
            # (each read its own node: SSA renames the one in the loop's body on its own)
            lengths = [self.atom(build.call(build.load("len"), build.clone(seq)), out)
                       for seq in sequences]
            count = lengths[0] if len(lengths) == 1 else self.atom(
                build.call(build.load("min"), *lengths), out)
            index = self.namer.fresh("i")
            elements = [gast.Subscript(value=build.clone(seq), slice=build.load(index),
                                       ctx=gast.Load()) for seq in sequences]
            if kind == "enumerate":
                if not (isinstance(target, gast.Tuple) and len(target.elts) == 2):
                    raise self.src.error(target, "unpack enumerate() as `i, x`")
                head.append(build.assign_to(target.elts[0], build.load(index), loop))
                head.append(build.assign_to(target.elts[1], elements[0], loop))
            elif kind == "zip":
                head.append(build.assign_to(target, build.tuple_(elements), loop))
            else:
                head.append(build.assign_to(target, elements[0], loop))
            bounds = [count]
            if kind == "reversed":  # from the last element down to the first
                last = self.atom(gast.BinOp(left=count, op=gast.Sub(), right=build.const(1)), out)
                bounds = [last, build.const(-1), build.const(-1)]
            iterable = gast.copy_location(build.call(build.load("range"), *bounds), loop.iter)
            target = build.store(index)
        new = gast.For(target=build.store(target.id), iter=iterable,
                       body=self.block(head + body), orelse=[], type_comment=None)
        new._srcgrad_break = flag
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
            out.append(build.assign(target.id, self.expr(stmt.value, out), stmt))
            return
        names = [elt.id for elt in target.elts]
        if isinstance(stmt.value, (gast.Tuple, gast.List)) and len(stmt.value.elts) == len(names):
            # Evaluate every right-hand side before binding any name (`a, b = b, a`).
            values = [self.atom(elt, out, force=isinstance(elt, gast.Name) and elt.id in names)
                      for elt in stmt.value.elts]
        else:
            whole = self.atom(stmt.value, out)
            values = []
            for i in range(len(names)):
                item = gast.Subscript(value=whole, slice=build.const(i), ctx=gast.Load())
                values.append(gast.copy_location(item, stmt.value))
        for name, value in zip(names, values):
            out.append(build.assign(name, value, stmt))

    def assign_element(self, target, value, stmt, out):
        """`h[i] = v` -> `h = set_at(h, i, v)`: a new version of the array, never a mutation
        (aliasing.py gives the new version to every other name that held the old one)."""
        array = target.value.id
        index = index_expression(self.index(target.slice, out))
        call = build.call(build.load("set_at"), build.load(array), index, self.atom(value, out))
        call._srcgrad_internal = "set_at"
        out.append(writes(build.assign(array, gast.copy_location(call, target), stmt), SET_AT))

    def append(self, call, out):
        """`hs.append(h)` -> `hs = appended(hs, h)`: a new list, never a mutation."""
        items = call.func.value.id
        value = build.call(build.load("appended"), build.load(items), self.atom(call.args[0], out))
        value._srcgrad_internal = "appended"
        out.append(writes(build.assign(items, gast.copy_location(value, call), call), APPENDED))

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
        if build.is_atom(node) or isinstance(node, _OPAQUE) or _constant_tuple(node):
            return node
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
            new = gast.Call(func=self.callee(node.func, out),
                            args=[self.argument(a, out) for a in node.args],
                            keywords=[gast.keyword(arg=k.arg, value=self.atom(k.value, out))
                                      for k in node.keywords])
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


def _call_named(node, *names) -> bool:
    func = getattr(node, "func", None)
    return isinstance(node, gast.Call) and (
        (isinstance(func, gast.Name) and func.id in names)
        or (isinstance(func, gast.Attribute) and func.attr in names and len(names) > 1))


def _fresh_copy(node):
    return copy.deepcopy(node)


def _constant_tuple(node) -> bool:
    """`(0, 2)` and friends stay literal, so rules see constant axes and shapes."""
    return isinstance(node, gast.Tuple) and all(
        isinstance(e, gast.Constant) or _constant_tuple(e) for e in node.elts)
