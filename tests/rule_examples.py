"""The examples registered with each rule, as functions to differentiate: what the rule
tests (test_rules, test_tangents, test_second_order) run."""

import importlib.util
import itertools

import numpy as np
import pytest

from srcgrad.rules import RULES
from srcgrad.rules.registry import DEFINITIONS

_counter = itertools.count()
try:  # SciPy is optional: its rules register only when it imports
    import scipy.linalg, scipy.signal, scipy.special, scipy.stats  # noqa: F401, E401
    _SCIPY = "import scipy.linalg\nimport scipy.signal\nimport scipy.special\nimport scipy.stats\n"
except ImportError:
    _SCIPY = ""


def cases():
    seen = set()
    for rule in list(RULES.values()) + list(DEFINITIONS.values()):
        if id(rule) in seen or rule.template is None:  # forward mode only: test_tangents.py
            continue
        seen.add(id(rule))
        for i, example in enumerate(rule.examples):
            yield pytest.param(rule, example, id=f"{rule.name}-{i}-{example.expr}")


def module_for(example, tmp_path):
    """Write `def value(<inputs>): return <expr>` and `def f(<inputs>, w_out): return
    np.sum(w_out * (<expr>))` to a module and import it. srcgrad's runtime helpers
    are in scope: the examples of forward-mode rules call them."""
    names = sorted(example.shapes) + sorted(example.ints)
    text = (
        "import math\nimport numpy as np\n" + _SCIPY + "\n"
        "from srcgrad.runtime import *\n"
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


def inputs(example, seed=0):
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


def seeded(example, tmp_path):
    """(module, arguments, wrt) of an example: its inputs, then `w_out`, a random seed
    shaped like its value; wrt: the positions of its float inputs (not its integer ones)."""
    module, _ = module_for(example, tmp_path)
    args = inputs(example)
    out = module.value(*args)
    w_out = np.random.default_rng(1).normal(size=np.shape(out))
    args.append(float(w_out) if np.ndim(out) == 0 else w_out)
    return module, args, tuple(range(len(example.shapes)))
