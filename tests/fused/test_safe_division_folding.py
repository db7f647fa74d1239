"""number_folding's division: `safe_div` of a numerator known nonzero (the seed's
numbers) is a plain division; a numerator that may be zero keeps `safe_div`, whose zero
must win over an infinite slope. Gradients checked against finite differences."""

import numpy as np
from finite_diff import checked_source, fused, uncommented

import srcgrad


def softplus_loss(w, X, y):
    return np.mean(np.log1p(np.exp(-y * (X @ w))))


def test_a_seed_over_a_value_is_a_plain_division():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 3)), np.sign(rng.standard_normal(6))
    code = uncommented(fused(checked_source(softplus_loss, (rng.standard_normal(3), X, y),
                                            (0,))))
    assert "safe_div" not in code
    assert "np.log1p" not in code  # computed for its shape only before


def weighted_log(x, y):
    return np.sum(y * np.log1p(x))


def test_a_numerator_that_may_be_zero_keeps_safe_div():
    rng = np.random.default_rng(1)
    code = uncommented(fused(checked_source(weighted_log, (rng.random(4),
                                                          rng.standard_normal(4)), (0,))))
    assert "safe_div" in code


def root_where_positive(x):
    return np.sum(np.where(x > 0.0, np.sqrt(np.abs(x)), 0.0))


def test_a_zero_adjoint_still_wins_over_an_infinite_slope():
    x = np.array([0.0, 0.25, -1.0, 4.0])
    g = srcgrad.grad(root_where_positive)(x)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [0.0, 1.0, 0.0, 0.25])
