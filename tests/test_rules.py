"""Every rule in the registry, checked against finite differences on its own examples.

The cases are generated from the registry: a rule without examples fails
`test_every_rule_has_examples`, so no rule lands untested.
"""

import importlib.util
import itertools
import math

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad.rules import RULES
from srcgrad.rules.registry import display_name

_counter = itertools.count()


def _cases():
    seen = set()
    for rule in RULES.values():
        if id(rule) in seen or rule.template is None:  # forward mode only: test_tangents.py
            continue
        seen.add(id(rule))
        for i, example in enumerate(rule.examples):
            yield pytest.param(rule, example, id=f"{rule.name}-{i}-{example.expr}")


def _module_for(example, tmp_path):
    """Write `def value(<inputs>): return <expr>` and `def f(<inputs>, w_out): return
    np.sum(w_out * (<expr>))` to a module and import it. srcgrad's containers and runtime
    helpers are in scope: the examples of forward-mode rules call them."""
    names = sorted(example.shapes) + sorted(example.ints)
    text = (
        "import math\nimport numpy as np\n\n"
        "from srcgrad.containers import *\nfrom srcgrad.runtime import *\n"
        f"{example.setup}\n\n\n"
        f"def value({', '.join(names)}):\n    return {example.expr}\n\n\n"
        f"def f({', '.join(names + ['w_out'])}):\n"
        f"    return np.sum(w_out * ({example.expr}))\n"
    )
    path = tmp_path / f"rule_case_{next(_counter)}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, names


def _inputs(example, seed=0):
    rng = np.random.default_rng(seed)
    values = []
    for name in sorted(example.shapes):
        shape = example.shapes[name]
        low, high = (0.5, 2.0) if name in example.positive else (-1.5, 1.5)
        low, high = example.domain.get(name, (low, high))
        value = rng.uniform(low, high, size=shape)
        values.append(float(value) if shape == () else value)
    values += [np.array(example.ints[n]) for n in sorted(example.ints)]
    return values


@pytest.mark.parametrize("rule, example", list(_cases()))
def test_rule_matches_finite_differences(rule, example, tmp_path):
    module, names = _module_for(example, tmp_path)
    args = _inputs(example)
    out = module.value(*args)
    w_out = np.random.default_rng(1).normal(size=np.shape(out))
    args.append(float(w_out) if np.ndim(out) == 0 else w_out)
    wrt = tuple(range(len(example.shapes)))
    grads = srcgrad.grad(module.f, wrt=wrt)(*args)
    assert_grads_match(module.f, grads, args, wrt)


def _built_in(rule) -> bool:
    """Rules srcgrad ships (users' custom_adjoint rules live in the same registry)."""
    return (rule.template or rule.tangent).__module__.startswith("srcgrad.")


def test_every_rule_has_examples():
    missing = sorted({rule.name for rule in RULES.values() if _built_in(rule) and not rule.examples})
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
        elif getattr(key, "__module__", None) in ("builtins", "srcgrad.containers"):
            spellings = [f"{key.__name__}("]
        else:
            spellings = [f"np.{n}{bracket}" for n in dir(np) if getattr(np, n, None) is key
                         for bracket in "(["]  # np.r_[a, b] is subscripted
            spellings += [f"np.linalg.{n}(" for n in dir(np.linalg)
                          if getattr(np.linalg, n, None) is key]
            spellings += [f"math.{n}(" for n in dir(math) if getattr(math, n) is key]
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
