"""Issue 9: the documented behaviour at the edges, asserted value by value.

Kinks (abs at 0, ties of maximum and max), the edges of domains (sqrt and log at
0), `np.where` with NaN in the branch not taken, overflow, dtypes (float32,
float16, integers), 0-d and empty arrays, and loops of 100,000 iterations.
Where the mathematics has no single answer the assertions pin what srcgrad
gives, so a change to it is a decision, not an accident.
"""

import time
import warnings

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import SrcGradError, grad, value_and_grad



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


# --- dtypes ------------------------------------------------------------------------


def weighted_square(x):
    return np.sum(3.0 * x * x)


def test_float32_arrays_and_scalars_keep_float32():
    g = grad(weighted_square)(np.array([1.0, 2.0], dtype=np.float32))
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, [6.0, 12.0])
    g = grad(weighted_square)(np.float32(1.5))
    assert type(g) is np.float32 and g == 9.0


def test_float16_and_python_float_keep_their_types():
    g = grad(weighted_square)(np.array([1.0, 2.0], dtype=np.float16))
    assert g.dtype == np.float16
    g = grad(weighted_square)(1.5)
    assert type(g) is float and g == 9.0


def test_float32_in_a_loop_keeps_float32():
    g = grad(rnn_like)(np.array([0.5, -0.3], dtype=np.float32), np.ones((4, 2), np.float32))
    assert g.dtype == np.float32


def rnn_like(w, xs):
    h = np.zeros(2, dtype=np.float32)
    for t in range(xs.shape[0]):
        h = np.tanh(w * xs[t] + h)
    return np.sum(h)


def scaled(x, k):
    return np.sum(x * k)


@pytest.mark.parametrize("value", [3, np.int64(3), np.array([1, 2]), True, np.array([True]),
                                   1 + 2j, "3.0", None])
def test_differentiating_a_non_float_is_a_clear_srcgrad_error(value):
    with pytest.raises(SrcGradError, match="cannot differentiate scaled with respect to 'x'"):
        grad(scaled)(value, 2.0)


def test_srcgrad_error_is_a_type_error():
    with pytest.raises(TypeError):
        grad(scaled)(np.array([1, 2]), 2.0)


@pytest.mark.parametrize("k", [3, np.int64(3), np.array([1, 2]), np.array([True, False])])
def test_integer_and_boolean_data_are_fine(k):
    x = np.array([0.5, -1.0])
    np.testing.assert_array_equal(grad(scaled)(x, k), np.broadcast_to(k, x.shape) * 1.0)


# --- 0-d and empty arrays --------------------------------------------------------------


def test_0d_array_gives_a_0d_array():
    g = grad(weighted_square)(np.array(2.0))
    assert type(g) is np.ndarray and g.shape == () and g.dtype == np.float64 and g == 12.0
    g = grad(weighted_square)(np.array(2.0, dtype=np.float32))
    assert type(g) is np.ndarray and g.shape == () and g.dtype == np.float32


def affine_sum(a, b):
    return np.sum(np.tanh(a @ b) + 1.0)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0)])
def test_empty_arrays_give_empty_gradients(shape):
    value, g = value_and_grad(weighted_square)(np.zeros(shape))
    assert value == 0.0
    assert type(g) is np.ndarray and g.shape == shape and g.dtype == np.float64


def test_empty_matmul_gives_empty_and_zero_gradients():
    a, b = np.zeros((0, 3)), np.ones((3, 2))
    da, db = grad(affine_sum, wrt=(0, 1))(a, b)
    assert da.shape == (0, 3)
    np.testing.assert_array_equal(db, np.zeros((3, 2)))


def mean_square(x):
    return np.mean(x * x)


def test_mean_of_an_empty_array_gives_an_empty_gradient(quiet):
    """Was a ZeroDivisionError: the rule divided the Python float seed by np.size(x) == 0."""
    value, g = value_and_grad(mean_square)(np.zeros((0, 3)))
    assert np.isnan(value)  # NumPy's mean of nothing
    assert g.shape == (0, 3)


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
