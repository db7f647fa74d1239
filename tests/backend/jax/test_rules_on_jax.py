"""Every rule's examples (tests/rules/test_rules.py) on the JAX backend too, against the
same finite differences: a rule that runs there must give the same gradient; one whose
runtime helper has no JAX form is refused by name (skipped here, never a wrong number).
The whole registry takes minutes (each example is one XLA compile): CI runs every 24th;
SRCGRAD_JAX_ALL=1 runs them all."""

import os

import numpy as np
import pytest
from finite_diff import assert_grads_match
from rule_examples import cases, inputs, module_for

import srcgrad
from srcgrad.errors import SrcGradError

jax = pytest.importorskip("jax")

CASES = list(cases())
EVERY = 24  # CI runs CASES[::EVERY] (most run on JAX now: each is one XLA compile)
ALL = bool(os.environ.get("SRCGRAD_JAX_ALL"))
LATER = [pytest.mark.slow, pytest.mark.skipif(not ALL, reason="SRCGRAD_JAX_ALL=1 runs it")]


def _marked(i, case):
    return case if i % EVERY == 0 else pytest.param(*case.values, id=case.id, marks=LATER)


@pytest.mark.parametrize("rule, example", [_marked(i, c) for i, c in enumerate(CASES)])
def test_rule_on_jax_matches_finite_differences(rule, example, tmp_path):
    module, _ = module_for(example, tmp_path)
    args = inputs(example)
    out = module.value(*args)
    w_out = np.random.default_rng(1).normal(size=np.shape(out))
    args.append(float(w_out) if np.ndim(out) == 0 else w_out)
    wrt = tuple(range(len(example.shapes)))
    try:
        grads = srcgrad.grad(module.f, wrt=wrt, backend="jax")(*args)
    except SrcGradError as exc:
        if "cannot run on the JAX backend" in str(exc):
            pytest.skip(str(exc).splitlines()[0])
        raise
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert_grads_match(module.f, grads, args, wrt)
