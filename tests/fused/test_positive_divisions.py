"""positive_divisions.py: `safe_div(g, den)` of a divisor with a positive lower bound
known while generating (batch norm's `sqrt(var + eps)`) is a plain division; a divisor
that may be zero keeps `safe_div`. Gradients checked against finite differences, in
float64 and float32, on arrays and 0-d values."""

import numpy as np
import pytest
from finite_diff import checked_source, fused, uncommented

import srcgrad


def batch_norm(x, w):
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    return np.sum(w * (x - mu) / np.sqrt(var + 1e-5))


def scaled_by_norm(x):
    return np.sum(x / np.sqrt(np.sum(x * x) + 1e-3))


def root_of_softened(x):  # sqrt(exp(x) + 1): slope 1 / (2 sqrt(.)), never infinite
    return np.sum(np.sqrt(np.exp(x) + 1.0))


def floored(x):
    return np.sum(np.log(np.maximum(1e-3, x ** 2)))


def bounded_through_var(x):
    return np.sum(x / (np.var(x) + 0.5) + np.sqrt(np.abs(x) * 2.0 + 0.25))


@pytest.mark.parametrize("f, args", [
    (batch_norm, (np.linspace(-1, 2, 12).reshape(4, 3), np.linspace(0.5, 1.5, 12).reshape(4, 3))),
    (scaled_by_norm, (np.array([0.5, -1.0, 2.0]),)),
    (root_of_softened, (np.array([-1.0, 0.0, 3.0]),)),
    (floored, (np.array([-2.0, 0.5, 3.0]),)),
    (bounded_through_var, (np.array([-2.0, 0.5, 3.0, 1.0]),)),
])
def test_a_divisor_bounded_away_from_zero_is_a_plain_division(f, args):
    code = uncommented(fused(checked_source(f, args, (0,))))
    assert "safe_div" not in code


def root_of_abs(x):  # sqrt(|x|): bounded by 0 only, its slope infinite at 0
    return np.sum(np.where(x > 0.0, np.sqrt(np.abs(x)), 0.0))


def shifted_down(x):  # var - 1e-5 may be negative or zero
    return np.sum(np.where(x > 0.0, np.sqrt(np.var(x) - 1e-5 + x * x), 0.0))


def spread(x):  # std's own slope divides by std, which is 0 for equal entries
    return np.std(x) + np.sum(x / (np.std(x) + 0.5))


def rebound(x):
    s = np.sum(x * x) + 1.0
    for _ in range(2):
        s = s - 1.0  # bound twice: no bound is known
    return np.sum(np.sqrt(s) * x)


@pytest.mark.parametrize("f, args", [
    (root_of_abs, (np.array([0.5, 0.25, -1.0, 4.0]),)),
    (spread, (np.array([0.5, 1.5, -1.0]),)),
    (shifted_down, (np.array([0.5, 1.5, -1.0]),)),
    (rebound, (np.array([0.5, 1.5, -1.0]),)),
])
def test_a_divisor_that_may_be_zero_keeps_safe_div(f, args):
    code = uncommented(fused(checked_source(f, args, (0,))))
    assert "safe_div" in code


def test_zero_adjoints_still_win_where_the_divisor_is_zero():
    g = srcgrad.grad(root_of_abs)(np.array([0.0, 0.25, -1.0, 4.0]))
    np.testing.assert_allclose(g, [0.0, 1.0, 0.0, 0.25])


def test_float32_and_0d_batch_norm():
    x = np.linspace(-1, 2, 12, dtype=np.float32).reshape(4, 3)
    w = np.linspace(0.5, 1.5, 12, dtype=np.float32).reshape(4, 3)
    g = srcgrad.grad(batch_norm)(x, w)
    g64 = srcgrad.grad(batch_norm)(x.astype(np.float64), w.astype(np.float64))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, g64, rtol=1e-3, atol=1e-4)
    one = srcgrad.grad(scaled_by_norm)(np.float64(0.75))
    np.testing.assert_allclose(one, 1e-3 / (0.5625 + 1e-3) ** 1.5, rtol=1e-9)
