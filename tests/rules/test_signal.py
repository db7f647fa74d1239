"""scipy.signal's 2-d convolutions with in1 extended by copies of itself ('wrap', 'symm')."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad

scipy_signal = pytest.importorskip("scipy.signal")


def wrapped(x, k):
    return np.sum(scipy_signal.convolve2d(x, k, "same", boundary="wrap") ** 2)


def mirrored(x, k):
    return np.sum(np.sin(scipy_signal.correlate2d(x, k, "full", "symm")) * x[0, 0])


@pytest.mark.parametrize("f", [wrapped, mirrored])
def test_wrap_and_symm_boundaries_match_finite_differences(f):
    rng = np.random.default_rng(0)
    x, k = rng.normal(size=(4, 5)), rng.normal(size=(3, 2))
    assert_grads_match(f, srcgrad.grad(f, wrt=(0, 1))(x, k), (x, k), (0, 1))
