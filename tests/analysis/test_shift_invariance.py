"""shift_invariance.py: a max-shift that cancels out of the result gets no adjoint; one that may
not cancel keeps it. Every gradient is checked against finite differences either way."""

import numpy as np
import pytest
from finite_diff import checked_source

import srcgrad
from srcgrad import grad

CANCELLED = "cancels out of the result"
rng = np.random.default_rng(7)
X = rng.standard_normal((4, 5))
Y = np.eye(5)[[0, 3, 1, 3]]


def log_softmax_nll(x, y):
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(y * log_probs, axis=1))


def softmax_weighted(x, y):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    p = e / np.sum(e, axis=-1, keepdims=True)
    return np.sum(p * y)


def logsumexp_rows(x, y):
    m = x.max(axis=0, keepdims=True)
    return np.sum(y[:1] * (m + np.log(np.sum(np.exp(x - m), axis=0, keepdims=True))))


def logsumexp_all(x, y):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m))) + np.sum(x * y)


def min_shift_softmax(x, y):
    shifted = -(np.min(-x, axis=1, keepdims=True) + (-x))  # x - max(x), written oddly
    e = np.exp(shifted)
    return np.mean(np.sum(y * (e / e.sum(axis=1, keepdims=True)), axis=1))


def mean_centered(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * (s - np.mean(s, axis=1, keepdims=True)))  # a mean moves with s


@pytest.mark.parametrize("f", [log_softmax_nll, softmax_weighted, logsumexp_rows,
                               logsumexp_all, min_shift_softmax, mean_centered])
def test_a_shift_that_cancels_gets_no_adjoint(f):
    code = checked_source(f, (X, Y), [0])
    assert CANCELLED in code
    assert "split_ties" not in code and "split_among_ties" not in code


def test_the_cancelled_gradient_is_the_softmax_formula_at_ties():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])  # tied maxima in every row
    y = np.eye(4)[[1, 3]]
    g = srcgrad.grad(log_softmax_nll)(x, y)
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(g, (p - y) / 2, rtol=1e-14, atol=1e-16)


def test_generic_code_needs_axes_counted_from_the_end():
    # without shapes (the generic code a grad call falls back to) axis=1 cannot be lined
    # up with broadcasting, axis=-1 can
    assert CANCELLED in srcgrad.grad(softmax_weighted).source
    assert CANCELLED not in srcgrad.grad(log_softmax_nll).source


def shift_not_cancelled(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(np.exp(s) * y)  # depends on the max


def summed_over_the_other_axis(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * (s - np.log(np.sum(np.exp(s), axis=0, keepdims=True))))


def broadcast_moves_the_axis(x, w):
    # exp(s) * w has one more axis: x's axis 1 is its axis 2, and the sum over its axis 1
    # runs across the rows, which the shift differs between
    s = x - np.max(x, axis=1, keepdims=True)
    e = np.exp(s) * w
    return np.sum(w * (np.log(np.sum(e, axis=1, keepdims=True)) - s))


def squared_shift(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * s * s)


def shift_returned(x, y):
    return x - np.max(x, axis=-1, keepdims=True)


def read_by_a_branch(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    ls = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    if np.sum(y) > 0:
        ls = ls + s
    return np.sum(y * ls)


def read_in_a_loop(x, y):
    m = np.max(x, axis=1, keepdims=True)
    total = 0.0
    for i in range(2):
        total = total + np.sum(y * (x - m))
    return total


def _helper(s):
    return s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))


def through_a_helper(x, y):
    return np.sum(y * _helper(x - np.max(x, axis=1, keepdims=True)))


def sum_of_the_shifted(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * np.sum(s, axis=1, keepdims=True))  # moves by -5c


def sum_of_all_the_shifted(x, y):
    s = x - np.max(x)
    return np.sum(s) + np.sum(x * y)


def minus_its_sum(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * (s - np.sum(s, axis=1, keepdims=True)))  # moves by c - 5c


def times_its_sum(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * s * np.sum(s))


def shifted_along_the_other_axis(x, y):
    s = x - np.max(x, axis=0, keepdims=True)  # c differs between the columns summed below
    return np.sum(y * (s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))))


def log_of_the_mean(x, y):
    s = x - np.max(x, axis=1, keepdims=True)
    return np.sum(y * np.log(np.mean(np.exp(s), axis=1, keepdims=True)))  # moves by -c


@pytest.mark.parametrize("f, second", [
    (shift_not_cancelled, Y), (summed_over_the_other_axis, Y),
    (broadcast_moves_the_axis, rng.standard_normal((3, 4, 5)) ** 2 + 0.5),
    (squared_shift, Y), (read_by_a_branch, Y), (read_in_a_loop, Y),
    (sum_of_the_shifted, Y), (sum_of_all_the_shifted, Y), (minus_its_sum, Y),
    (times_its_sum, Y), (shifted_along_the_other_axis, Y), (log_of_the_mean, Y)])
def test_a_shift_that_may_not_cancel_keeps_its_adjoint(f, second):
    code = checked_source(f, (X, second), [0])
    assert CANCELLED not in code
    assert "split_ties" in code or "split_among_ties" in code


def test_a_helper_is_seen_through_in_the_code_a_call_runs():
    code = checked_source(through_a_helper, (X, Y), [0])  # the code specialized for (X, Y)
    general = srcgrad.grad(through_a_helper).source  # the helper as a forward/backward pair
    assert CANCELLED in code and "= _helper_forward(" not in code
    assert CANCELLED not in general and "= _helper_forward(" in general


def test_a_vector_result_that_moves_with_the_shift_keeps_it():
    cotangent = rng.standard_normal(X.shape)
    _, pullback = srcgrad.vjp(shift_returned, X, Y)
    top = X == X.max(axis=1, keepdims=True)  # one maximum per row
    expected = cotangent - np.where(top, cotangent.sum(axis=1, keepdims=True), 0.0)
    np.testing.assert_allclose(pullback(cotangent), expected, rtol=1e-12)


def test_second_order_through_a_cancelled_shift():
    hessian = srcgrad.hessian(log_softmax_nll)(X, Y)
    gradient = srcgrad.grad(log_softmax_nll)
    eps, expected = 1e-6, np.zeros(X.shape + X.shape)
    for idx in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[idx] = eps
        expected[(...,) + idx] = (gradient(X + step, Y) - gradient(X - step, Y)) / (2 * eps)
    np.testing.assert_allclose(hessian, expected, rtol=1e-5, atol=1e-8)


# --- logsumexp, written the stable way -------------------------------------------------


def logsumexp(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True)))


def test_logsumexp_gradient_is_softmax_even_with_ties_at_the_max():
    x = np.array([[1.0, 2.0, 2.0], [0.0, -1.0, 3.0]])
    softmax = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
    np.testing.assert_allclose(grad(logsumexp)(x), softmax, rtol=1e-12)
