"""Instantiate a rule's template for one operation of the user's function.

For `t2 = np.sum(t1, axis=1)` the template of np.sum::

    if axis is None:
        d[x] = np.full_like(x, d[z])
    else:
        d[x] = repeat_to(d[z], x, axis, keepdims)

becomes `d[t1] = repeat_to(d_t2, t1, 1, False)`: parameters are replaced by
the operands, `d[z]` by the result's adjoint, template-local names by fresh
ones, and `if`s on constant arguments are decided here. Contributions stay
as `d[operand] = value` for the reverse pass to turn into assignments.
"""

from __future__ import annotations

import contextlib
import copy

import gast

from ..errors import SrcGradError
from ..ir import build
from ..rules.registry import Rule, is_adjoint_ref, is_tangent_ref
from ..runtime import containers


def bind(rule: Rule, op, src, node) -> dict:
    """Map the rule's parameters to the operation's operand nodes."""
    try:
        bound = rule.signature.bind(None, *op.args, **op.kwargs)
    except TypeError as exc:
        raise src.error(node, f"srcgrad's rule for `{op.label}` does not accept these arguments "
                        f"({exc})", "Pass only the arguments the rule supports.") from None
    bound.apply_defaults()
    binding = {}
    for name, value in list(bound.arguments.items())[1:]:
        if isinstance(value, tuple):
            binding[name] = tuple(value)
        elif isinstance(value, gast.AST):
            binding[name] = value
        else:
            binding[name] = build.const(value)
    return binding


def is_contribution(stmt) -> bool:
    return isinstance(stmt, gast.Assign) and _is_contribution_target(stmt.targets[0])


def _is_contribution_target(node) -> bool:
    return (isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name)
            and node.value.id == "d" and getattr(node, "_srcgrad_operand", False))


def instantiate(rule: Rule, binding: dict, result: str, unit) -> list:
    """The rule's statements for one operation, contributions still symbolic."""
    return _block(*_prepare(rule, binding, result, unit))


def instantiate_tangent(rule: Rule, binding: dict, result: str, unit, tangent_of) -> list:
    """The rule's tangent statements for one operation: `t[z] = ...` assigns the result's
    tangent, keeping the terms of operands that carry one (`tangent_of(operand)` gives
    the operand's tangent expression, or None)."""
    body, substitute = _prepare(rule, binding, result, unit, tangent_of)
    out = _block(body, substitute)
    for stmt in (s for stmt in out for s in gast.walk(stmt)):
        if isinstance(stmt, gast.Assign) and getattr(stmt.targets[0], "_srcgrad_tangent", False):
            stmt.value = _live_terms(stmt.value) or build.call(
                build.load(unit.code_name("zero_tangent", vars(containers))), build.load(result))
    return out


def _prepare(rule, binding, result, unit, tangent_of=None):
    """The adjoint (or tangent) template's statements (never changed: `_block` copies
    them), and its substituter."""
    result_param, local_names, template = _prepared(rule, tangent=tangent_of is not None)
    renames = {name: unit.namer.fresh(name) for name in local_names}
    substitute = _Substitute(rule, binding, result_param, result, renames, unit, tangent_of)
    return template, substitute


_PREPARED: dict = {}  # id(template function) -> (function, result parameter, locals, body)


def _prepared(rule, tangent=False):
    """The template's result parameter, its local names (sorted) and its statements without
    positions (rule-file lines mean nothing in generated code): worked out once per rule."""
    function, body = (rule.tangent, rule.tangent_body) if tangent else (rule.template, rule.body)
    entry = _PREPARED.get(id(function))
    if entry is None or entry[0] is not function:
        local_names = sorted({n.id for stmt in body for n in gast.walk(stmt)
                              if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)})
        body = copy.deepcopy(body)
        for node in (n for stmt in body for n in gast.walk(stmt)):
            for attr in ("lineno", "end_lineno", "col_offset", "end_col_offset"):
                node.__dict__.pop(attr, None)
        entry = _PREPARED[id(function)] = (
            function, next(iter(rule.signature.parameters)), local_names, body)
    return entry[1:]


def _swapped(first, second) -> bool:
    """Are `first` and `second` the products `a * b` and `b * a`?"""
    return (all(isinstance(n, gast.BinOp) and isinstance(n.op, gast.Mult) for n in (first, second))
            and gast.dump(first.left) == gast.dump(second.right)
            and gast.dump(first.right) == gast.dump(second.left))


def _live_terms(value):
    """`value` (a sum of terms, each linear in the tangents it reads) without the terms
    that read no live tangent; None if no term is left. A term that reads several
    tangents (`appended(t[items], t[item])`) keeps zeros for its absent ones."""
    terms = []

    def split(node, sign):
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub)):
            split(node.left, sign)
            split(node.right, -sign if isinstance(node.op, gast.Sub) else sign)
        else:
            terms.append((sign, node))

    split(value, 1)
    live = [(sign, term) for sign, term in terms
            if any(getattr(n, "_srcgrad_live", False) for n in gast.walk(term))]
    if len(live) == 2 and live[0][0] == live[1][0] == 1 and _swapped(live[0][1], live[1][1]):
        a, b = live[0][1].left, live[0][1].right  # x * x: `x_dot * x + x * x_dot` is twice one
        live = [(1, gast.BinOp(left=gast.BinOp(left=build.const(2), op=gast.Mult(), right=a),
                               op=gast.Mult(), right=b))]
    out = None
    for sign, term in live:
        if out is None:
            out = term if sign > 0 else gast.UnaryOp(op=gast.USub(), operand=term)
        else:
            out = gast.BinOp(left=out, op=gast.Add() if sign > 0 else gast.Sub(), right=term)
    return out


_reached: list | None = None  # while `recording_blocks` runs


@contextlib.contextmanager
def recording_blocks():
    """Yield a list that receives `(template function, block, binding)` for each block
    of a template's statements instantiated while the `with` runs: the body, then the
    branch each `if` decided here chose (`block` is that `If`'s body or orelse list in the
    parsed template). A block under an `if` left to run time is not listed (which one runs
    is not known here). tests/rules/test_rule_branches.py reads it: every branch of a rule
    must be reached by its examples."""
    global _reached
    outer, _reached = _reached, []
    try:
        yield _reached
    finally:
        _reached = outer


def _block(stmts, substitute, known=True) -> list:
    if _reached is not None and known:
        _reached.append((substitute.template, stmts, substitute.binding))
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            decided = _predicate(stmt.test, substitute.binding)
            test = substitute.copy(stmt.test) if decided is None else build.const(decided)
            try:
                chosen = stmt.body if build.static_value(test) else stmt.orelse
            except build.NotStatic:
                out.append(gast.If(test=test, body=_block(stmt.body, substitute, False),
                                   orelse=_block(stmt.orelse, substitute, False)))
                continue
            out.extend(_block(chosen, substitute, known))
        else:
            out.append(substitute.copy(stmt))
    return out


class _Substitute:
    """Copies of a template's nodes with the rule's parameters replaced by the operands,
    `d[z]` by the result's adjoint, the template's own names by fresh ones."""

    def __init__(self, rule, binding, result_param, result, renames, unit, tangent_of=None):
        self.rule = rule
        self.binding = binding
        self.result_param = result_param
        self.result = result
        self.renames = renames
        self.unit = unit
        self.tangent_of = tangent_of

    def copy(self, node):
        """The substituted copy of the template node `node`, made in the order of a
        NodeTransformer's visit (fields in order, depth first): fresh helper names are
        taken in that order."""
        kind = type(node)
        if kind is gast.Name:
            return self.name(node)
        if kind is gast.Subscript:
            if is_tangent_ref(node) and self.tangent_of is not None:
                return self.tangent(node)
            if is_adjoint_ref(node):
                return self.adjoint(node)
        fields = {field: self._copy_field(getattr(node, field)) for field in node._fields}
        for attr, value in node.__dict__.items():  # markers, if any
            if attr not in fields:
                fields[attr] = value
        copied = kind.__new__(kind)  # (a gast node is its __dict__: build.clone)
        copied.__dict__ = fields
        if kind is gast.Call:  # f(*args) of a *args parameter: f(a, b), as the call was written
            copied.args = [item for arg in copied.args for item in (
                arg.value.elts if isinstance(arg, gast.Starred)
                and isinstance(arg.value, gast.Tuple) else [arg])]
        return copied

    def _copy_field(self, value):
        if isinstance(value, list):
            return [self.copy(v) if isinstance(v, gast.AST) else v for v in value]
        return self.copy(value) if isinstance(value, gast.AST) else value

    def adjoint(self, node):
        param = node.slice.id
        if isinstance(node.ctx, gast.Store):
            bound = self.binding[param]  # a tuple for a *args parameter: one part per argument
            operand = build.tuple_(build.clone(list(bound))) if isinstance(bound, tuple) \
                else build.clone(bound)
            target = gast.Subscript(value=build.load("d"), slice=operand, ctx=gast.Store())
            target._srcgrad_operand = True
            return target
        if param != self.result_param:
            raise SrcGradError(f"rule {self.rule.name}: only d[{self.result_param}] can be read")
        return build.load(self.unit.adjoint(self.result))

    def tangent(self, node):
        param = node.slice.id
        if isinstance(node.ctx, gast.Store):
            if param != self.result_param:
                raise SrcGradError(f"rule {self.rule.name}: only t[{self.result_param}] can be set")
            target = build.store(self.unit.tangent(self.result))
            target._srcgrad_tangent = True
            return target
        if param == self.result_param:
            raise SrcGradError(f"rule {self.rule.name}: t[{param}] is what the rule computes")
        bound = self.binding[param]
        if isinstance(bound, tuple):
            return self.tangents(bound)
        found = self.tangent_of(bound)
        if found is None:  # zero: its term is dropped, unless it also reads a live tangent
            return build.call(build.load(self.unit.code_name("zero_tangent", vars(containers))),
                              build.clone(bound))
        found._srcgrad_live = True
        return found

    def tangents(self, bound):
        """The tangent of a *args parameter: a list with each argument's tangent, None
        where it has none (a number, a string, a constant), so the rule skips its terms."""
        found = [self.tangent_of(node) for node in bound]
        listed = gast.List(elts=[build.const(None) if t is None else t for t in found],
                           ctx=gast.Load())
        listed._srcgrad_live = any(t is not None for t in found)
        return listed

    def name(self, node):
        name = node.id
        if name == self.result_param:
            return build.load(self.result)
        if name in self.binding:
            value = self.binding[name]
            return build.tuple_(build.clone(list(value))) if isinstance(value, tuple) \
                else build.clone(value)
        if name in self.renames:
            return gast.Name(id=self.renames[name], ctx=type(node.ctx)(), annotation=None,
                             type_comment=None)
        return build.load(self.unit.code_name(name, self.template.__globals__))

    @property
    def template(self):
        """The template function instantiated: the rule's tangent or its adjoint."""
        return self.rule.tangent if self.tangent_of else self.rule.template


def _predicate(test, binding):
    """The value of a template's test on how an operand is written at the call site
    (registry.literal_sequence, registry.literal), or None for any other test."""
    if not (isinstance(test, gast.Call) and isinstance(test.func, gast.Name)
            and len(test.args) == 1):
        return None
    bound = binding.get(test.args[0].id) if isinstance(test.args[0], gast.Name) else None
    if test.func.id == "literal_sequence":
        return isinstance(bound, (tuple, gast.List, gast.Tuple))
    if test.func.id == "literal":
        return isinstance(bound, gast.Constant) and isinstance(bound.value, (int, float)) \
            and not isinstance(bound.value, bool)
    return None


