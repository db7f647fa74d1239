"""small_adjoints: the adjoint of a full sum or mean stays a number where every use broadcasts
it. Each test checks the generated code AND the gradients against finite differences."""

import numpy as np
import pytest
from finite_diff import assert_grads_match, fused, uncommented

import srcgrad


def check(f, args, wrt):
    g = srcgrad.grad(f, wrt=tuple(wrt))
    grads = g(*args)
    assert_grads_match(f, grads, args, wrt)
    return g.source_for(*args)


def mse(w, b, x, y):
    err = w * x + b - y
    return np.mean(err ** 2)


def test_the_seed_of_a_mean_stays_a_number_and_its_count_is_folded():
    rng = np.random.default_rng(0)
    code = check(mse, (0.5, -0.2, rng.standard_normal(7), rng.standard_normal(7)), (0, 1))
    assert "full_like" not in code
    assert "/ 7" in code
    assert "t2 = err ** 2" not in code.split("def mse_backward")[1]  # nor saved for its shape


def total(x):
    return np.sum(x)


def test_a_returned_adjoint_stays_an_array():
    code = check(total, (np.arange(3.0),), (0,))
    assert "np.full_like(x, " in code


def with_bias(x, v):
    return np.sum(x * x + v)


def test_a_use_that_reduces_keeps_the_array():
    rng = np.random.default_rng(1)
    code = check(with_bias, (rng.standard_normal((3, 4)), rng.standard_normal(4)), (0, 1))
    assert "full_like" in code  # d_v sums the fill over the rows


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def test_elementwise_uses_take_the_number():
    code = check(elementwise, (np.linspace(-1, 1, 5),), (0,))
    assert "full_like" not in code


def scaled(x, k):
    s = np.mean(x * x)
    for i in range(3):
        s = s * k
    if s > 0:
        s = s + np.sum(np.cos(x))
    return s


def test_through_a_loop_and_a_branch():
    rng = np.random.default_rng(2)
    check(scaled, (rng.standard_normal(5), 1.5), (0, 1))
    check(scaled, (rng.standard_normal((2, 3)), -0.5), (0, 1))


def row_sums(x, w):
    return np.sum(np.sum(x, axis=1) * w)


def test_a_fill_feeding_an_axis_reduction_adjoint():
    rng = np.random.default_rng(3)
    check(row_sums, (rng.standard_normal((3, 4)), rng.standard_normal(3)), (0, 1))


def log_softmax_loss(W, X, Y):
    logits = X @ W
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def test_spreads_over_an_axis_stay_small():
    rng = np.random.default_rng(4)
    args = (rng.standard_normal((5, 3)), rng.standard_normal((6, 5)),
            np.eye(3)[rng.integers(0, 3, 6)])
    code = check(log_softmax_loss, args, (0,))
    backward = code.split("def log_softmax_loss_backward")[1]
    assert "repeat_to" not in backward and "full_like" not in backward
    assert "d_t6 = d_t7 / 6" in backward  # the seed of the mean: a number
    assert "d_t5 = d_t6\n" in backward  # spread over the rows' sums: still the number
    assert "d_t2 = d_t3\n" in backward  # a kept axis: the (6, 1) column as it is


def weighted_rows(x, w):
    r = np.sum(x * x, axis=1)
    return np.sum(r * w)


def test_a_spread_of_an_array_becomes_a_view_with_a_new_axis():
    rng = np.random.default_rng(5)
    code = check(weighted_rows, (rng.standard_normal((4, 3)), rng.standard_normal(4)), (0, 1))
    assert "[:, None]" in code.split("def weighted_rows_backward")[1]


def column_sums(x, w):
    r = np.sum(np.sin(x), axis=0)
    return np.sum(r * w)


def test_a_spread_over_the_first_axis():
    rng = np.random.default_rng(6)
    code = check(column_sums, (rng.standard_normal((4, 3)), rng.standard_normal(3)), (0, 1))
    assert "[None]" in code.split("def column_sums_backward")[1]


def returned_spread(x):
    return np.sum(np.sum(x, axis=1) * np.arange(3.0))


def test_a_returned_spread_stays_an_array():
    code = check(returned_spread, (np.ones((3, 2)),), (0,))
    assert "repeat_to" in code.split("def returned_spread_backward")[1]


def spread_then_reduced(x, v):
    r = np.sum(x * x, axis=1, keepdims=True)
    return np.sum(r * v)


def test_a_partial_broadcast_that_is_reduced_keeps_the_array():
    # d_v sums r's spread over x's rows: the small value would give a wrong shape
    rng = np.random.default_rng(7)
    check(spread_then_reduced, (rng.standard_normal((3, 4)), rng.standard_normal((1, 4))),
          (0, 1))


def spread_in_a_loop(x, w):
    s = 0.0
    for i in range(2):
        r = np.sum(x * w, axis=1)
        s = s + np.sum(r * r)
    return s


def test_through_a_loop():
    rng = np.random.default_rng(8)
    check(spread_in_a_loop, (rng.standard_normal((3, 4)), rng.standard_normal(4)), (0, 1))


def test_second_derivatives_through_small_spreads():
    rng = np.random.default_rng(9)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal(4)
    v = rng.standard_normal((4, 3))
    hv = srcgrad.hvp(weighted_rows, wrt=0)(x, w, tangent=v)
    g = srcgrad.grad(weighted_rows, wrt=0)
    eps = 1e-6
    fd = (g(x + eps * v, w) - g(x - eps * v, w)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-6, atol=1e-8)
    assert "[:, None]" in srcgrad.grad(weighted_rows, wrt=0).source_for(x, w)


def copied_column_sums(x):
    a = np.sum(x * x, axis=0)
    b = a  # the number np.sum(b) spreads reaches the axis sum through a copy
    return np.sum(b)


def squares_by_column(x):
    return np.sum(x * x, axis=0)


def through_a_helper(x):
    return np.mean(squares_by_column(x)) * 2.0  # the helper's result is a copy, written out


@pytest.mark.parametrize("f", [copied_column_sums, through_a_helper])
def test_a_number_spread_through_a_copy_stays_a_number(f):
    x = np.random.default_rng(3).normal(size=(3, 4))
    g = srcgrad.grad(f)
    assert_grads_match(f, (g(x),), (x,), (0,))
    assert "[None]" not in g.source_for(x)  # (it once spread the number as `1.0[None]`)


def huber(w, X, y):
    r = X @ w - y
    a = np.abs(r)
    return np.mean(np.where(a < 1.0, 0.5 * r ** 2, a - 0.5))


def test_a_seed_through_np_where_stays_a_number_and_the_value_is_not_computed():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((8, 3))
    y = X @ rng.standard_normal(3) + 2.0 * rng.standard_normal(8)
    code = check(huber, (rng.standard_normal(3), X, y), (0,))
    grad = uncommented(fused(code))
    assert "full_like" not in grad and "unbroadcast" not in grad
    assert "r ** 2" not in grad and "a - 0.5" not in grad  # for the value alone


def where_on_rows(x, m):
    return np.sum(np.where(m, x, 0.0))


def test_a_where_whose_result_the_number_would_not_fill_keeps_the_array():
    rng = np.random.default_rng(6)
    m = np.array([[True], [False], [True]])  # (3, 1): where(m, number, 0.0) is (3, 1)
    code = check(where_on_rows, (rng.standard_normal((3, 4)), m), (0,))
    assert "full_like" in code
