"""Every rule in the registry, checked against finite differences on its own examples.

The cases are generated from the registry: a rule without examples fails
`test_every_rule_has_examples`, so no rule lands untested. An example whose value is not
finite tests nothing (NaN matches NaN): its inputs must lie in the function's domain.
"""

import math

import numpy as np
import pytest
from finite_diff import assert_grads_match
from rule_examples import cases, inputs, module_for

import srcgrad
from srcgrad.rules import RULES
from srcgrad.rules.registry import display_name, spelled


@pytest.mark.parametrize("rule, example", list(cases()))
def test_rule_matches_finite_differences(rule, example, tmp_path):
    module, names = module_for(example, tmp_path)
    args = inputs(example)
    out = module.value(*args)
    assert all(np.all(np.isfinite(v)) for v in (out if isinstance(out, (tuple, list)) else [out]))
    w_out = np.random.default_rng(1).normal(size=np.shape(out))
    args.append(float(w_out) if np.ndim(out) == 0 else w_out)
    wrt = tuple(range(len(example.shapes)))
    grads = srcgrad.grad(module.f, wrt=wrt)(*args)
    assert_grads_match(module.f, grads, args, wrt)


def _built_in(rule) -> bool:
    """Rules srcgrad ships in rules/ (custom_adjoint rules, srcgrad.odeint's included, live in
    the same registry and are tested where they are defined)."""
    return (rule.template or rule.tangent).__module__.startswith("srcgrad.rules.")


def test_every_rule_has_examples():
    missing = sorted({rule.name for rule in RULES.values()
                      if _built_in(rule) and not rule.examples})
    assert missing == []


def test_every_key_is_exercised_by_an_example():
    """Each registered callable's own spelling appears in one of its rule's examples."""
    uncovered = []
    for key, rule in RULES.items():
        if not _built_in(rule) or rule.template is None:  # forward mode only: test_tangents.py
            continue
        exprs = " ".join(e.expr for e in rule.examples)
        if isinstance(key, str):
            continue  # syntax-level keys ("identity", "getitem") are their examples
        if isinstance(key, tuple):
            spellings = [f".{key[1]}"]
        elif getattr(key, "__module__", None) in ("builtins", "srcgrad.runtime.containers"):
            spellings = [f"{key.__name__}("]
        else:
            spellings = [f"np.{n}{bracket}" for n in dir(np) if getattr(np, n, None) is key
                         for bracket in "(["]  # np.r_[a, b] is subscripted
            spellings += [f"np.linalg.{n}(" for n in dir(np.linalg)
                          if getattr(np.linalg, n, None) is key]
            spellings += [f"math.{n}(" for n in dir(math) if getattr(math, n) is key]
            spellings += [f"{spelled(key)}("] if spelled(key) else []  # scipy.special.erf(
            spellings += [_OPERATORS.get(key, "no operator")]
        if not any(s in exprs for s in spellings):
            uncovered.append(display_name(key))
    assert uncovered == []


_OPERATORS = {np.add: " + ", np.subtract: " - ", np.multiply: " * ", np.true_divide: " / ",
              np.power: " ** ", np.matmul: " @ ", np.negative: "-x"}


def test_templates_only_give_contributions_to_their_parameters():
    import inspect
    for rule in {id(r): r for r in RULES.values()}.values():
        params = set(inspect.signature(rule.template or rule.tangent).parameters)
        assert rule.differentiable <= params, rule.name
