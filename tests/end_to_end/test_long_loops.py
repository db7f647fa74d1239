"""Loops of 100,000 iterations: transformed and run in reasonable time."""

import time

import numpy as np
import pytest

from srcgrad import value_and_grad

pytestmark = pytest.mark.slow  # a quick run skips them: pytest -m 'not slow'


# --- very long loops -----------------------------------------------------------------


def long_for(x, n):
    s = 0.0
    for i in range(n):
        s = s + x * 1e-5
    return s * s


def long_while(x, n):
    s = 0.0
    i = 0
    while i < n:
        s = s + np.sin(x) * 1e-5
        i = i + 1
    return s


def test_a_100k_iteration_for_loop_is_correct_and_quick():
    start = time.perf_counter()
    value, g = value_and_grad(long_for)(0.5, 100_000)
    elapsed = time.perf_counter() - start
    # s = x after 100,000 steps of x * 1e-5: value x**2, gradient 2 x (up to rounding)
    assert value == pytest.approx(0.25, rel=1e-9)
    assert g == pytest.approx(1.0, rel=1e-9)
    assert elapsed < 10.0, f"100k iterations took {elapsed:.1f} s"


def test_a_100k_iteration_while_loop_is_correct_and_quick():
    start = time.perf_counter()
    value, g = value_and_grad(long_while)(0.5, 100_000)
    elapsed = time.perf_counter() - start
    assert value == pytest.approx(np.sin(0.5), rel=1e-9)
    assert g == pytest.approx(np.cos(0.5), rel=1e-9)
    assert elapsed < 10.0, f"100k iterations took {elapsed:.1f} s"
