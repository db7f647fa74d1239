"""No rule loses a derivative silently, checked from the registry.

For every rule (and definition), each of its examples that holds a float fixed (a number
written in the expression, a float input given by value) has it made an input that is
differentiated too. Then the gradient (reverse mode) and the jvp (forward mode) either
match central finite differences, or the call is refused with a SrcGradError at the
user's line. A parameter with no derivative that is not declared discrete by nature
(rules/discrete.py, registry.DISCRETE) would otherwise give a silent zero.
"""

import ast
import dataclasses
import sys

import numpy as np
import pytest
from finite_diff import numerical_grad
from rule_examples import inputs, module_for

import srcgrad
from srcgrad.rules import RULES
from srcgrad.rules.registry import DEFINITIONS, Definition, display_name


def _lifted(example):
    """(the example with its fixed floats as inputs, their names), or None if it has none."""
    tree = ast.parse(example.expr, mode="eval")
    values = {n: v for n, v in example.ints.items() if np.asarray(v).dtype.kind == "f"}

    class Lift(ast.NodeTransformer):
        def visit_Constant(self, node):
            if type(node.value) is not float:
                return node
            name = f"lifted_{len(values)}"
            values[name] = node.value
            return ast.Name(id=name, ctx=ast.Load())

    expr = ast.unparse(Lift().visit(tree))
    if not values:
        return None
    ints = {**example.ints, **values}
    return dataclasses.replace(example, expr=expr, ints=ints), sorted(values)


def _cases():
    seen = set()
    for rule in list(RULES.values()) + list(DEFINITIONS.values()):
        if id(rule) in seen or not (rule.template or rule.tangent).__module__.startswith(
                "srcgrad.rules."):
            continue
        seen.add(id(rule))
        for example in rule.examples:
            found = _lifted(example)
            if found is not None:
                yield pytest.param(rule, *found, id=f"{rule.name}-{found[0].expr}")


def _setup(example, names, tmp_path):
    module, order = module_for(example, tmp_path)
    args = [float(a) if isinstance(a, np.ndarray) and a.ndim == 0 and n in names else a
            for a, n in zip(inputs(example), order)]
    wrt = tuple(i for i, n in enumerate(order) if n in example.shapes or n in names)
    return module, args, wrt


def _refused_at_the_line(exc, module):
    """Refused while transforming (the message names the line), or at run time by a rule's
    branch (a note does, on Python >= 3.11)."""
    where = str(exc) + "\n".join(getattr(exc, "__notes__", ()))
    assert module.__file__ in where or sys.version_info < (3, 11), (
        f"refused, but not at the user's line: {exc}")


@pytest.mark.parametrize("rule, example, names", list(_cases()))
def test_every_float_made_active_is_differentiated_or_refused(rule, example, names, tmp_path):
    module, args, wrt = _setup(example, names, tmp_path)
    out = module.value(*args)
    w_out = np.random.default_rng(1).normal(size=np.shape(out))
    args.append(float(w_out) if np.ndim(out) == 0 else w_out)
    if getattr(rule, "template", None) is not None:
        try:
            grads = srcgrad.grad(module.f, wrt=wrt)(*args)
        except srcgrad.SrcGradError as exc:
            _refused_at_the_line(exc, module)
        else:
            for g, i in zip(grads, wrt):
                expected = _measured(lambda: numerical_grad(module.f, args, i))
                if expected is not None and not _on_a_kink(g, module.f, args, i):
                    np.testing.assert_allclose(np.asarray(g, dtype=float), expected,
                                               rtol=1e-5, atol=1e-6, err_msg=f"argument {i}")
    if getattr(rule, "tangent", None) is not None or isinstance(rule, Definition):
        _check_forward(module, args[:-1], wrt)


def _check_forward(module, args, wrt, eps=1e-6):
    rng = np.random.default_rng(2)
    vs = [rng.normal(size=np.shape(args[i])) for i in wrt]
    vs = [float(v) if np.ndim(v) == 0 else v for v in vs]
    try:
        _, tangent = srcgrad.jvp(module.value, wrt=wrt)(*args, tangent=tuple(vs))
    except srcgrad.SrcGradError as exc:
        _refused_at_the_line(exc, module)
        return

    def moved(step):
        moved_args = list(args)
        for i, v in zip(wrt, vs):
            moved_args[i] = args[i] + step * v
        return _flat(module.value(*moved_args))

    expected = _measured(lambda: (moved(eps) - moved(-eps)) / (2 * eps))
    if expected is not None and not _one_sided(tangent, moved):
        np.testing.assert_allclose(_flat(tangent), expected, rtol=1e-5, atol=1e-6)


def _on_a_kink(g, f, args, i):
    """A number held fixed may sit on a kink (np.quantile's q where (n - 1) q is whole): there
    the gradient is one of the one-sided derivatives."""
    if np.ndim(args[i]) != 0:
        return False

    def value_at(step):
        moved = list(args)
        moved[i] = args[i] + step
        return f(*moved)
    return _one_sided(g, value_at)


def _one_sided(actual, value_at, eps=1e-7):
    """Do the one-sided differences of `value_at(step)` differ, `actual` matching one?"""
    base = _flat(value_at(0.0))
    sides = [(_flat(value_at(eps)) - base) / eps, (base - _flat(value_at(-eps))) / eps]
    close = lambda a, b: np.allclose(a, b, rtol=1e-4, atol=1e-5)  # noqa: E731
    return not close(*sides) and any(close(_flat(actual), side) for side in sides)


def _measured(differences):
    """Finite differences, or None where the example sits on a jump (ties broken by the
    step: a max, np.unique), which the finite differences cannot measure."""
    try:
        found = differences()
    except (ValueError, IndexError):
        return None
    return found if np.all(np.isfinite(found)) else None


def _flat(value) -> np.ndarray:
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.ravel(np.asarray(value, dtype=float))


# Parameters with no derivative, neither discrete by nature nor given one: refused when an
# active value reaches them. A new entry here is a deliberate choice, never a silent zero.
REFUSED = {
    "numpy.linalg.norm": ["ord"], "scipy.linalg.norm": ["ord"],
    "scipy.special.gammainc": ["a"], "scipy.special.gammaincc": ["a"],
    "scipy.special.gammaincinv": ["a"], "scipy.special.gammainccinv": ["a"],
    "scipy.special.betainc": ["a", "b"], "scipy.special.betaincinv": ["a", "b"],
    "scipy.special.jv": ["v"], "scipy.special.yv": ["v"], "scipy.special.iv": ["v"],
    "scipy.special.ive": ["v"], "scipy.special.kv": ["v"], "scipy.special.kve": ["v"],
    "scipy.special.zeta": ["x"], "scipy.special.hyp1f1": ["a", "b"],
    "scipy.special.stdtr": ["df"], "scipy.stats.t.cdf": ["df"],
}


def test_every_parameter_has_a_derivative_or_is_declared():
    """Of every rule, in both modes: each parameter gets a derivative, is discrete by
    nature, or is in REFUSED (so the activity analysis refuses it)."""
    found = {}
    for key, rule in RULES.items():
        if not (rule.template or rule.tangent).__module__.startswith("srcgrad.rules."):
            continue
        for forward, template in ((False, rule.template), (True, rule.tangent)):
            if template is not None and rule.underived(forward):
                found.setdefault(display_name(key), rule.underived(forward))
    expected = {k: v for k, v in REFUSED.items() if k in found or not k.startswith("scipy.")}
    assert found == expected
