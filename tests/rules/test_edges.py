"""The rules at their edges, asserted value by value: kinks (abs at 0, ties of maximum
and max), the edges of domains (sqrt and log at 0), `np.where` with NaN in the branch not
taken, overflow, NaN and inf inputs. Where the mathematics has no single answer the
assertions pin what srcgrad gives, so a change to it is a decision, not an accident."""

import warnings

import numpy as np
import pytest
from finite_diff import assert_grads_match
from models import weighted_square

import srcgrad
from srcgrad import grad, value_and_grad
from srcgrad.runtime import positive_log


# --- kinks: the subgradient srcgrad picks ------------------------------------------


def total_abs(x):
    return np.sum(np.abs(x))


def builtin_abs(x):
    return abs(x)


def total_maximum(x, y):
    return np.sum(np.maximum(x, y))


def total_minimum(x, y):
    return np.sum(np.minimum(x, y))


def largest(x):
    return np.max(x)


def largest_per_row(x):
    return np.sum(np.max(x, axis=1) * np.array([1.0, 10.0]))


def smallest(x):
    return np.min(x)


def test_abs_at_zero_has_gradient_zero():
    np.testing.assert_array_equal(grad(total_abs)(np.array([0.0, 1.5, -2.0, -0.0])),
                                  [0.0, 1.0, -1.0, 0.0])
    assert grad(total_abs)(0.0) == 0.0
    assert grad(builtin_abs)(0.0) == 0.0 and grad(builtin_abs)(-3.0) == -1.0


def test_maximum_and_minimum_ties_give_half_to_each_side():
    x, y = np.array([1.0, 2.0, 5.0]), np.array([1.0, 3.0, 4.0])
    dx, dy = grad(total_maximum, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(dx, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(dy, [0.5, 1.0, 0.0])
    dx, dy = grad(total_minimum, wrt=(0, 1))(x, y)
    np.testing.assert_array_equal(dx, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(dy, [0.5, 0.0, 1.0])


def test_maximum_tie_with_a_broadcast_scalar_sums_the_halves():
    dx, dy = grad(total_maximum, wrt=(0, 1))(np.array([2.0, 2.0, 1.0]), 2.0)
    np.testing.assert_array_equal(dx, [0.5, 0.5, 0.0])
    assert dy == 0.5 + 0.5 + 1.0 and type(dy) is float


def test_max_ties_are_split_equally():
    np.testing.assert_array_equal(grad(largest)(np.array([1.0, 3.0, 3.0])), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(grad(largest)(np.full(4, 7.0)), [0.25] * 4)
    np.testing.assert_array_equal(grad(smallest)(np.array([2.0, -1.0, -1.0, -1.0])),
                                  [0.0, 1 / 3, 1 / 3, 1 / 3])


def test_max_ties_are_split_per_row():
    x = np.array([[1.0, 4.0, 4.0], [2.0, 2.0, 2.0]])
    np.testing.assert_allclose(grad(largest_per_row)(x), [[0.0, 0.5, 0.5], [10 / 3] * 3])


# --- edges of the domain ------------------------------------------------------------


def total_sqrt(x):
    return np.sum(np.sqrt(x))


def total_log(x):
    return np.sum(np.log(x))


def test_sqrt_at_zero_has_an_infinite_gradient(quiet):
    """d sqrt(x)/dx = 1 / (2 sqrt(x)) -> +inf at 0 (the one-sided limit); the value is 0."""
    value, g = value_and_grad(total_sqrt)(np.array([0.0, 4.0]))
    assert value == 2.0
    np.testing.assert_array_equal(g, [np.inf, 0.25])
    assert grad(total_sqrt)(0.0) == np.inf


def test_sqrt_at_zero_warns_like_numpy():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        grad(total_sqrt)(np.array([0.0, 1.0]))


def test_sqrt_and_log_outside_their_domain(quiet):
    """sqrt(-1) is NaN and so is its gradient (1 / (2 NaN)); log(-1) is NaN but its rule
    is 1 / x, which is finite there: the NaN value is what tells the user."""
    value, g = value_and_grad(total_sqrt)(np.array([-1.0]))
    assert np.isnan(value) and np.isnan(g[0])
    value, g = value_and_grad(total_log)(np.array([-1.0, 1.0]))
    assert np.isnan(value)
    np.testing.assert_array_equal(g, [-1.0, 1.0])


def test_log_at_zero_is_minus_inf_with_an_infinite_gradient(quiet):
    value, g = value_and_grad(total_log)(np.array([0.0, 2.0]))
    assert value == -np.inf
    np.testing.assert_array_equal(g, [np.inf, 0.5])


# --- np.where with NaN in the branch not taken ---------------------------------------


def double_where_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(np.where(x > 0, x, 1.0)), 0.0))


def single_where_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


def single_where_power(x):
    return np.sum(np.where(x > 0, x ** 0.5, 0.0))


def test_double_where_gives_finite_gradients_without_warnings():
    x = np.array([-1.0, 0.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = grad(double_where_sqrt)(x)
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.25])


def test_single_where_around_sqrt_is_guarded_by_the_rule(quiet):
    """sqrt's rule keeps a zero adjoint zero (docs/supported.md), so the NaN of
    sqrt(-1) in the branch not taken does not reach the gradient."""
    value, g = value_and_grad(single_where_sqrt)(np.array([-1.0, 0.0, 4.0]))
    assert value == 2.0
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.25])


def test_single_where_around_a_power_leaks_nan_as_documented(quiet):
    """`x ** y` is not guarded (docs/supported.md): 0 * nan at the element not taken."""
    g = grad(single_where_power)(np.array([-1.0, 4.0]))
    assert np.isnan(g[0]) and g[1] == 0.25


# --- overflow ----------------------------------------------------------------------


def total_exp(x):
    return np.sum(np.exp(x))


def softplus_naive(x):
    return np.sum(np.log(1.0 + np.exp(x)))


def test_exp_overflow_gives_inf_value_and_inf_gradient(quiet):
    value, g = value_and_grad(total_exp)(np.array([1000.0, 0.0]))
    assert value == np.inf
    assert g[0] == np.inf and g[1] == 1.0


def test_overflow_through_a_division_gives_nan_not_a_silent_number(quiet):
    """log(1 + exp(x)) at x = 1000: value inf, gradient exp(x) / (1 + exp(x)) = inf / inf."""
    value, g = value_and_grad(softplus_naive)(np.array([1000.0, 0.0]))
    assert value == np.inf
    assert np.isnan(g[0]) and g[1] == pytest.approx(0.5)


# --- NaN and inf inputs propagate, they are not hidden --------------------------------


def test_nan_input_gives_nan_gradient_where_it_flows(quiet):
    g = grad(weighted_square)(np.array([np.nan, 1.0]))
    assert np.isnan(g[0]) and g[1] == 6.0


def test_gradients_at_ordinary_points_match_finite_differences():
    """A sanity anchor for this file's functions away from their edges."""
    x = np.array([0.3, 1.7, 2.2])
    for f in (total_abs, total_sqrt, total_log, largest, double_where_sqrt, total_exp):
        assert_grads_match(f, (grad(f)(x),), (x,), (0,))
    assert srcgrad.grad(total_maximum, wrt=(0, 1))(x, x[::-1])[0].shape == (3,)


def test_bitwise_operators_on_masks_carry_no_gradient():
    """`(x > 0) & (x < 1)` used to crash the transformer (no entry for `&`)."""
    def f(x):
        m = (x > 0) & (x < 1) | (x == 2.0)
        return np.sum(x * m)

    g = srcgrad.grad(f)(np.array([0.5, 2.0, -1.0, 3.0]))
    np.testing.assert_array_equal(g, [1.0, 1.0, 0.0, 0.0])


# --- the runtime helpers' tangents at their edges (second derivatives run them) ----------


def log_of_positive(x):
    return positive_log(x)


def test_positive_log_is_flat_where_x_is_not_positive():
    """positive_log is log(x) where x > 0 and 0 elsewhere (d(x**y)/dy's factor): its
    tangent is 0 at x <= 0, at 0 too, never safe_div(t, 0) = inf."""
    x = np.array([0.0, -1.0, 2.0])
    value, tangent = srcgrad.jvp(log_of_positive)(x, tangent=np.ones(3))
    np.testing.assert_array_equal(value, [0.0, 0.0, np.log(2.0)])
    np.testing.assert_array_equal(tangent, [0.0, 0.0, 0.5])
