"""scalarseed: the adjoint of a full sum or mean stays a number where every use broadcasts
it. Each test checks the generated code AND the gradients against finite differences."""

import numpy as np

import srcgrad
from finite_diff import assert_grads_match


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
