"""`x ** y` where the exponent is 0: x ** 0 is 1 for every x, 0 included, so its slope
there is 0 (as autograd gives), never 0 * x ** -1 (a ZeroDivisionError for a Python
float, nan for an array). Checked against finite differences, autograd, forward mode
and second order."""

import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from finite_diff import assert_grads_match, numerical_grad

import srcgrad
from srcgrad import grad


def power_zero(x):
    return np.power(x, 0.0)


def power_zero_autograd(x):
    return anp.power(x, 0.0)


def int_zero(x):
    return x ** 0 + x


def float_zero(x):
    return x ** 0.0 * 3.0


def total_zero(x):
    return np.sum(x ** 0.0 * x)


def array_exponent(x, y):
    return np.sum(x ** y)


def array_exponent_autograd(x, y):
    return anp.sum(x ** y)


@pytest.mark.parametrize("f, expected", [(power_zero, 0.0), (int_zero, 1.0),
                                         (float_zero, 0.0)])
def test_a_number_to_the_power_zero_at_zero(f, expected):
    assert grad(f)(0.0) == expected
    assert grad(f)(np.float64(0.0)) == expected


def test_power_zero_at_zero_agrees_with_autograd():
    assert grad(power_zero)(0.0) == autograd.grad(power_zero_autograd)(0.0) == 0.0


def test_an_array_with_zeros_to_the_power_zero():
    x = np.array([0.0, 1.0, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 * inf on the way
        g = grad(total_zero)(x)
    np.testing.assert_array_equal(g, [1.0, 1.0, 1.0])
    assert_grads_match(total_zero, (g,), (x,), (0,))


def test_an_array_exponent_with_zeros():
    x, y = np.array([0.0, 0.0, 2.0, 3.0]), np.array([0.0, 2.0, 0.0, 1.5])
    with np.errstate(divide="ignore"):
        dx, dy = grad(array_exponent, wrt=(0, 1))(x, y)
        expected = autograd.grad(array_exponent_autograd, (0, 1))(x, y)
    np.testing.assert_allclose(dx, [0.0, 0.0, 0.0, 1.5 * 3.0 ** 0.5])
    np.testing.assert_allclose(dx, expected[0])
    np.testing.assert_allclose(dy, expected[1])
    np.testing.assert_allclose(dx, numerical_grad(array_exponent, (x, y), 0), atol=1e-6)


def test_a_number_exponent_variable_that_is_zero():
    def f(x, y):
        return np.sum(x ** y)
    assert grad(f)(0.0, 0.0) == 0.0
    np.testing.assert_array_equal(grad(f)(np.array([0.0, 1.0]), 0.0), [0.0, 0.0])


def test_forward_mode_and_second_order_at_zero():
    assert srcgrad.jvp(power_zero)(0.0, tangent=1.0) == (1.0, 0.0)
    x = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(srcgrad.hessian(total_zero)(x), np.zeros((3, 3)))
    _, slope = srcgrad.jvp(array_exponent, wrt=0)(x, np.array([0.0, 1.0, 2.0]),
                                                   tangent=np.ones(3))
    assert slope == pytest.approx(0.0 + 1.0 + 4.0)
    hessian = srcgrad.hessian(array_exponent)(x, np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(hessian, np.diag([0.0, 0.0, 2.0]))


def root(x):
    return x ** 0.5


def inverse(x):
    return x ** -1.0


def test_a_power_below_one_at_zero_is_infinite_as_numpy_says():
    """x ** 0.5 and x ** -1 have infinite slopes at 0: inf, as np.sqrt's gradient, not a
    ZeroDivisionError from the generated code (x ** -1.5 of a Python float 0.0)."""
    with np.errstate(divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert grad(root)(0.0) == np.inf
        assert grad(root)(np.array(0.0)) == np.inf
        assert grad(inverse)(np.float64(0.0)) == -np.inf  # (a Python 0.0 raises in f itself)
        assert srcgrad.jvp(root)(0.0, tangent=1.0)[1] == np.inf


def test_a_constant_exponent_gives_the_plain_code():
    """The code for `x ** 2` is what it was: no case split for a zero exponent."""
    def f(x):
        return np.sum(x ** 2)
    g = grad(f)
    np.testing.assert_array_equal(g(np.array([1.0, 2.0])), [2.0, 4.0])
    assert "d_x = d_t1 * 2 * x\n" in g.source
    assert "d_x = 2.0 * x\n" in g.source_for(np.array([1.0, 2.0]))
    assert "where" not in g.source_for(np.array([1.0, 2.0]))


def test_a_power_below_one_is_plain_in_the_code_a_call_runs():
    """np.power (inf at 0, where `**` of a Python float raises) in the general code; the
    specialized code writes `**`, and a ZeroDivisionError there runs the general code."""
    g = grad(root)
    assert g(4.0) == 0.25
    assert "np.power(x, -0.5)" in g.source
    assert "d_x = 0.5 * x ** (-0.5)\n" in g.source_for(4.0)
    assert "np.power" not in g.source_for(np.array(4.0))
