"""Library functions defined as code (registry.define): forward mode through the definition
agrees with central finite differences on every registered example (their second
derivatives: tests/api/test_second_order.py)."""

import numpy as np
import pytest
from rule_examples import inputs as _inputs, module_for as _module_for

import srcgrad
from srcgrad.rules.registry import DEFINITIONS


def _cases():
    seen = set()
    for definition in DEFINITIONS.values():
        if id(definition) in seen:
            continue
        seen.add(id(definition))
        for i, example in enumerate(definition.examples):
            yield pytest.param(definition, example, id=f"{definition.name}-{i}-{example.expr}")


@pytest.mark.parametrize("definition, example", list(_cases()))
def test_jvp_through_a_definition_matches_finite_differences(definition, example, tmp_path):
    module, _ = _module_for(example, tmp_path)
    args = _inputs(example)
    n = len(example.shapes)
    rng = np.random.default_rng(3)
    vs = [float(rng.normal()) if np.ndim(x) == 0 else rng.normal(size=np.shape(x))
          for x in args[:n]]
    value, tangent = srcgrad.jvp(module.value, wrt=tuple(range(n)))(*args, tangent=tuple(vs))
    h = 1e-6
    plus = module.value(*[x + h * v for x, v in zip(args[:n], vs)], *args[n:])
    minus = module.value(*[x - h * v for x, v in zip(args[:n], vs)], *args[n:])
    numeric = (np.asarray(plus, dtype=float) - np.asarray(minus, dtype=float)) / (2 * h)
    np.testing.assert_allclose(np.asarray(value, dtype=float),
                               np.asarray(module.value(*args), dtype=float), equal_nan=True)
    np.testing.assert_allclose(np.nan_to_num(np.asarray(tangent, dtype=float)),
                               np.nan_to_num(numeric), rtol=1e-5, atol=1e-6,
                               err_msg=f"{definition.name}: {example.expr}")


def test_the_gradient_of_a_gaussian_process_likelihood(tmp_path):
    """Cholesky, cho_factor, cho_solve and the log-determinant from the factor's diagonal
    (benchmarks/gp.py), against the hand-written gradient."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "gp.py"
    spec = importlib.util.spec_from_file_location("gp_benchmark", path)
    gp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gp)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=30)
    args = (0.1, 0.2, -1.0, X, y)
    got = srcgrad.grad(gp.nll, wrt=(0, 1, 2))(*args)
    np.testing.assert_allclose(got, gp.by_hand(*args), rtol=1e-8)
