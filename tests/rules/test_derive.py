"""Tangent rules derived (rules/derive.py) from adjoint rules of elementwise functions, and
for functions linear in their operand: the same as they were when written out by hand,
and those still written out differ from the derived ones."""

import ast

import gast

from srcgrad.rules import RULES
from srcgrad.rules.derive import derived_tangent

# The tangents these rules had written out, `t[z] = ...`: derived now.
WRITTEN_OUT = {
    'identity': 't[x]',
    'add': 't[x] + t[y]',
    'subtract': 't[x] - t[y]',
    'divide': 'safe_div(t[x], y) - safe_div(t[y] * x, y * y)',
    'negative': '-t[x]',
    'remainder': 't[x] - t[y] * np.floor(x / y)',
    'exp': 't[x] * z',
    'expm1': 't[x] * (z + 1)',
    'exp2': 't[x] * z * np.log(2)',
    'log': 'safe_div(t[x], x)',
    'log1p': 'safe_div(t[x], 1 + x)',
    'log2': 'safe_div(t[x], x * np.log(2))',
    'log10': 'safe_div(t[x], x * np.log(10))',
    'logaddexp2': 't[x] * np.exp2(x - z) + t[y] * np.exp2(y - z)',
    'sqrt': 'safe_div(t[x], 2 * z)',
    'cbrt': 'safe_div(t[x], 3 * z * z)',
    'square': 't[x] * 2 * x',
    'reciprocal': '-safe_div(t[x], x * x)',
    'sin': 't[x] * np.cos(x)',
    'cos': '-t[x] * np.sin(x)',
    'tan': 't[x] * (1 + z * z)',
    'arcsin': 'safe_div(t[x], np.sqrt(1 - x * x))',
    'arccos': '-safe_div(t[x], np.sqrt(1 - x * x))',
    'arctan': 't[x] / (1 + x * x)',
    'arctan2': 'safe_div(t[y] * x, x * x + y * y) - safe_div(t[x] * y, x * x + y * y)',
    'sinh': 't[x] * np.cosh(x)',
    'cosh': 't[x] * np.sinh(x)',
    'tanh': 't[x] * (1 - z * z)',
    'arcsinh': 't[x] / np.sqrt(x * x + 1)',
    'arccosh': 'safe_div(t[x], np.sqrt(x * x - 1))',
    'arctanh': 'safe_div(t[x], 1 - x * x)',
    'sinc': 't[x] * sinc_slope(x, z)',
    'hypot': 'safe_div(t[x] * x, z) + safe_div(t[y] * y, z)',
    'absolute': 't[x] * abs_slope(x)',
    'maximum': 't[x] * winner(x, y) + t[y] * winner(y, x)',
    'minimum': 't[x] * winner(y, x) + t[y] * winner(x, y)',
    'where': 'np.where(condition, t[x], 0.0) + np.where(condition, 0.0, t[y])',
    'trace': 'np.trace(t[x], offset, axis1, axis2)',
    'diagonal': 'np.diagonal(t[x], offset, axis1, axis2)',
    'diag': 'np.diag(t[v], k)',
    'diff': 'np.diff(t[x], n, axis)',
    'transpose': 'np.transpose(t[x], axes)',
    'swapaxes': 'np.swapaxes(t[x], axis1, axis2)',
    'moveaxis': 'np.moveaxis(t[x], source, destination)',
    'flip': 'np.flip(t[x], axis)',
    'fliplr': 'np.fliplr(t[x])',
    'flipud': 'np.flipud(t[x])',
    'roll': 'np.roll(t[x], shift, axis)',
    'broadcast_to': 'np.broadcast_to(t[x], shape)',
    'tile': 'np.tile(t[x], reps)',
    'repeat': 'np.repeat(t[x], repeats, axis)',
    'take': 'np.take(t[x], indices, axis)',
    'take_along_axis': 'np.take_along_axis(t[x], indices, axis)',
}
# Kept written out: `x * t[y]` lets forward mode see `x * x` as a square (templates.py);
# logaddexp's tangent is another formula; ravel's passes `order=` by keyword, cumsum's no
# dtype; unstack's passes axis by keyword; rot90's leaves out `axes` when the call does;
# absolute's is the real part (a complex x's slope is complex, the change of |x| is not).
KEPT = {"multiply", "logaddexp", "ravel", "cumsum", "unstack", "rot90", "absolute"}


def _text(body):
    module = gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))
    return ast.unparse(ast.fix_missing_locations(module)).strip()


def _rules():
    return {rule.name: rule for rule in RULES.values()}


def test_the_derived_tangents_are_those_written_out_before():
    rules = _rules()
    for name, text in WRITTEN_OUT.items():
        assert _text(derived_tangent(rules[name])) == f"t[z] = {text}", name


def test_a_tangent_written_out_is_not_the_derived_one():
    for rule in _rules().values():
        derived = derived_tangent(rule) if rule.tangent is not None else None
        if derived is not None and rule.tangent.__code__.co_filename.endswith(".py"):
            assert rule.name in KEPT and _text(derived) != _text(rule.tangent_body), rule.name


def test_each_derivable_rule_has_a_tangent():
    for rule in _rules().values():
        if derived_tangent(rule) is not None:
            assert rule.tangent is not None and rule.tangent_body, rule.name


def test_the_tangents_kept_written_out_are_not_derived():
    rules = _rules()
    for name in KEPT:
        tangent = rules[name].tangent
        assert tangent is not None and tangent.__code__.co_filename.endswith(".py"), name
