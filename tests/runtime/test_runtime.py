"""The run-time helpers of generated code, on their own: the cases their quick paths
take and the ones they must leave to the general path."""

import numpy as np
import pytest

from srcgrad.runtime import repeat_to, safe_div


def test_safe_div_of_two_arrays_guards_zeros_and_keeps_the_dtype():
    g = np.array([[0.0], [2.0], [0.0]])
    den = np.array([[0.0], [4.0], [np.inf]])
    out = safe_div(g, den)
    np.testing.assert_array_equal(out, [[0.0], [0.5], [0.0]])  # not nan where g is 0
    assert out.dtype == np.float64 and out.base is None
    low = safe_div(g.astype(np.float32), den.astype(np.float32))
    assert low.dtype == np.float32


@pytest.mark.filterwarnings("ignore:divide by zero")  # 3 / 0 -> inf, as NumPy
def test_safe_div_general_cases():
    np.testing.assert_array_equal(safe_div(np.array([0.0, 3.0]), np.array([[0.0], [3.0]])),
                                  [[0.0, np.inf], [0.0, 1.0]])  # broadcasting
    assert safe_div(np.array([1, 0]), np.array([2, 0])).dtype == np.float64  # ints
    assert safe_div(0.0, 0.0) == 0.0 and safe_div(1.0, 4.0) == 0.25


def test_repeat_to_spreads_arrays_and_numbers():
    x = np.zeros((2, 3))
    np.testing.assert_array_equal(repeat_to(np.array([1.0, 2.0]), x, 1, False),
                                  [[1, 1, 1], [2, 2, 2]])
    np.testing.assert_array_equal(repeat_to(5.0, x, 1, False), np.full((2, 3), 5.0))
    np.testing.assert_array_equal(repeat_to(np.float64(5.0), x, (0, 1), False),
                                  np.full((2, 3), 5.0))


def test_split_ties_kept_shares_only_among_ties():
    from srcgrad.runtime import split_ties_kept
    rng = np.random.default_rng(7)
    x = rng.normal(size=(5, 4))
    g = rng.normal(size=(5, 1))
    z = np.max(x, axis=1, keepdims=True)
    np.testing.assert_array_equal(split_ties_kept(g, x, z, 1), (x == z) * g)  # one each
    x[1, 2] = z[1, 0]  # a tie: both get half
    got = split_ties_kept(g, x, z, 1)
    assert got[1, 2] == got[1, np.argmax(x[1])] == g[1, 0] / 2
    np.testing.assert_allclose(got.sum(axis=1, keepdims=True), g)
    x[3] = np.nan  # a group with no maximum beside one with two: no share is taken as 1
    with np.errstate(invalid="ignore", divide="ignore"):
        got = split_ties_kept(g, x, np.max(x, axis=1, keepdims=True), 1)
    assert got[1, 2] == g[1, 0] / 2 and np.isnan(got[3]).all()
