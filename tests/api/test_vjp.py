"""vjp: the backward(gradient=...) of PyTorch for vector-valued functions."""

import numpy as np
import pytest

from srcgrad import SrcGradError, vjp


def Q(a, b):
    return 3 * a ** 3 - b ** 2


def test_tutorial_backward_with_an_external_gradient():
    a, b = np.array([2.0, 3.0]), np.array([6.0, 4.0])
    value, pullback = vjp(Q, a, b, wrt=(0, 1))
    np.testing.assert_array_equal(value, [-12.0, 65.0])
    da, db = pullback(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(da, [36.0, 81.0])
    np.testing.assert_array_equal(db, [-12.0, -8.0])


def test_pullback_twice_with_different_seeds_reuses_one_forward_sweep(capsys):
    def f(x):
        print("forward sweep")
        return np.sin(x) * 2.0

    x = np.array([0.1, 0.2, 0.3])
    value, pullback = vjp(f, x)
    rows = [pullback(seed) for seed in np.eye(3)]
    np.testing.assert_allclose(np.stack(rows), np.diag(2.0 * np.cos(x)))
    assert capsys.readouterr().out.count("forward sweep") == 1


def test_seed_shape_must_match_the_value():
    _, pullback = vjp(Q, np.ones(2), np.ones(2))
    with pytest.raises(SrcGradError, match="shape"):
        pullback(np.ones(3))


def test_the_pullback_does_not_see_later_changes_to_the_arguments_or_the_value():
    """vjp runs the forward sweep on copies: the caller changing an argument or the value
    in place afterwards does not change the gradient (a tape that read them by reference
    would silently give the gradient at the new values)."""
    def f(x):
        return np.exp(x) * x

    x = np.array([0.5, 1.0, 2.0])
    value, pullback = vjp(f, x)
    expected = np.exp(x) * (1 + x)
    x[:] = 100.0
    value[:] = -1.0
    np.testing.assert_allclose(pullback(np.ones(3)), expected)
    np.testing.assert_array_equal(x, 100.0)  # the caller's array is the caller's
