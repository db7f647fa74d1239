"""No rule loses a derivative silently, checked from the registry.

For every rule (and definition), one of its examples has each float it holds fixed (a
number written in the expression, a float input given by value) made an input that is
differentiated too. Then the gradient (reverse mode) and the jvp (forward mode) either
match central finite differences, or the call is refused with a SrcGradError at the
user's line. A parameter with no derivative that is not declared discrete by nature
(rules/discrete.py, registry.DISCRETE) would otherwise give a silent zero.
"""

import ast
import dataclasses

import numpy as np
import pytest
from finite_diff import numerical_grad
from rule_examples import inputs, module_for

import srcgrad
from srcgrad.rules import RULES
from srcgrad.rules.registry import DEFINITIONS


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
        for example in rule.examples:  # the first example that holds a float fixed
            found = _lifted(example)
            if found is not None:
                yield pytest.param(rule, *found, id=f"{rule.name}-{found[0].expr}")
                break


def _setup(example, names, tmp_path):
    module, order = module_for(example, tmp_path)
    args = [float(a) if isinstance(a, np.ndarray) and a.ndim == 0 and n in names else a
            for a, n in zip(inputs(example), order)]
    wrt = tuple(i for i, n in enumerate(order) if n in example.shapes or n in names)
    return module, args, wrt


def _refused_at_the_line(exc, module):
    assert module.__file__ in str(exc), f"refused, but not at the user's line: {exc}"


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
                if expected is not None:
                    np.testing.assert_allclose(np.asarray(g, dtype=float), expected,
                                               rtol=1e-5, atol=1e-6, err_msg=f"argument {i}")
    if getattr(rule, "tangent", None) is not None or isinstance(rule, type(
            next(iter(DEFINITIONS.values()), None))):
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

    def moved(sign):
        moved_args = list(args)
        for i, v in zip(wrt, vs):
            moved_args[i] = args[i] + sign * eps * v
        return _flat(module.value(*moved_args))

    expected = _measured(lambda: (moved(1) - moved(-1)) / (2 * eps))
    if expected is not None:
        np.testing.assert_allclose(_flat(tangent), expected, rtol=1e-5, atol=1e-6)


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
