"""Tangent rules derived from adjoint rules, where the math is mechanical.

An elementwise function's adjoint rule states, for each operand, its slope times the
result's adjoint; its tangent is the sum of the same slopes times the operands' tangents::

    d[x] = d[z] * winner(x, y)          ->      t[z] = t[x] * winner(x, y)
    d[y] = d[z] * winner(y, x)                       + t[y] * winner(y, x)

Derived when the rule's facts say `elementwise` and every statement of its adjoint
template is `d[p] = ...` reading `d[z]` once (no `if`). A function `linear` in its first
argument (a layout: transpose, flip, take, ...) moves the tangent as it moves the value:
`t[z] = np.transpose(t[x], axes)`. A rule with a tangent written out keeps it
(tests/test_derive.py checks the written ones differ from what would be derived).
"""

from __future__ import annotations

import ast
import inspect

import gast
from .registry import RULES, Rule, is_adjoint_ref, spelled


def derive_missing():
    """Give each elementwise rule without a tangent its derived one."""
    for rule in {id(rule): rule for rule in RULES.values()}.values():
        if rule.tangent is None and rule.template is not None:
            body = derived_tangent(rule)
            if body is not None:
                rule.tangent, rule._tangent_body = _function(rule, body), body


def derived_tangent(rule: Rule):
    """The tangent template's statements of `rule`, derived from its adjoint template, or
    None where that is not mechanical."""
    if rule.facts is not None and rule.facts.linear:
        return _linear(rule)
    if rule.facts is None or not rule.facts.elementwise or not rule.body:
        return None
    result = next(iter(rule.signature.parameters))
    terms = []
    for stmt in rule.body:
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
                and is_adjoint_ref(stmt.targets[0])):
            return None
        reads = [n for n in gast.walk(stmt.value) if is_adjoint_ref(n)]
        if len(reads) != 1 or reads[0].slice.id != result:
            return None
        term = _Swapped(reads[0], _ref("t", stmt.targets[0].slice.id)).visit(
            _copy(stmt.value))
        terms.append(term)
    value = None
    for term in terms:  # a + -b is a - b
        negated = _negated(term)
        if value is None:
            value = term
        elif negated is not None:
            value = gast.BinOp(left=value, op=gast.Sub(), right=negated)
        else:
            value = gast.BinOp(left=value, op=gast.Add(), right=term)
    target = _ref("t", result)
    target.ctx = gast.Store()
    return [gast.Assign(targets=[target], value=value, type_comment=None)]


def _linear(rule):
    """`t[z] = np.f(t[x], the other arguments)`: a function linear in its first argument
    moves the tangent as it moves the value; one linear in each of several (a product,
    a convolution) sums such a term per argument: `f(t[a], b) + f(a, t[b])`."""
    key = next((k for k, found in RULES.items() if found is rule and callable(k)
                and spelled(k) is not None), None)
    params = list(rule.signature.parameters.values())
    if key is None or len(params) < 2 or any(p.kind not in (p.POSITIONAL_OR_KEYWORD,)
                                             for p in params):
        return None
    value = None
    for moved in (p.name for p in params[1:] if p.name in rule.differentiable):
        term = gast.Call(func=_dotted(spelled(key)), keywords=[], args=[
            _ref("t", p.name) if p.name == moved else _name(p.name) for p in params[1:]])
        value = term if value is None else gast.BinOp(left=value, op=gast.Add(), right=term)
    target = _ref("t", params[0].name)
    target.ctx = gast.Store()
    return [gast.Assign(targets=[target], value=value, type_comment=None)]


def _name(name):
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def _dotted(path):
    """`np.fft.fft` as an attribute chain."""
    node, *attrs = path.split(".")
    node = _name(node)
    for attr in attrs:
        node = gast.Attribute(value=node, attr=attr, ctx=gast.Load())
    return node


def _negated(term):
    """`e` for `-e`, `a * b` for `-a * b`; else None."""
    if isinstance(term, gast.UnaryOp) and isinstance(term.op, gast.USub):
        return term.operand
    if (isinstance(term, gast.BinOp) and isinstance(term.op, gast.Mult)
            and isinstance(term.left, gast.UnaryOp) and isinstance(term.left.op, gast.USub)):
        return gast.BinOp(left=term.left.operand, op=gast.Mult(), right=term.right)
    return None


def _ref(table, name):
    return gast.Subscript(value=_name(table), slice=_name(name), ctx=gast.Load())


def _copy(node):
    return gast.ast_to_gast(ast.parse(ast.unparse(gast.gast_to_ast(node)), mode="eval")).body


class _Swapped(gast.NodeTransformer):
    """The copy of a contribution with `d[z]` in place of `t[p]`."""

    def __init__(self, read, replacement):
        self.dump, self.replacement = gast.dump(read), replacement

    def visit_Subscript(self, node):
        if gast.dump(node) == self.dump:
            return self.replacement
        self.generic_visit(node)
        return node


def _function(rule: Rule, body):
    """A function of the tangent's signature, over the template's globals: what the
    engine reads of a hand-written tangent (its name, signature and names in scope)."""
    name = f"{rule.name}_tangent"
    text = f"def {name}{inspect.signature(rule.template)}:\n    pass\n"
    scope = dict(rule.template.__globals__)
    exec(compile(text, f"<derived tangent of {rule.name}>", "exec"), scope)
    return scope[name]
