"""np.dot with an N-d second argument: a sum over the last axis of `a` and the
second-to-last of `b` (it raised NotImplementedError from inside srcgrad). Checked against
finite differences, autograd, forward mode and second order."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import grad

RNG = np.random.default_rng(0)
B = RNG.normal(size=(2, 3, 4))


def with_b(a, b):
    return np.sum(np.dot(a, b) ** 2)


def with_b_autograd(a, b):
    return anp.sum(anp.dot(a, b) ** 2)


@pytest.mark.parametrize("a_shape, b_shape", [((2, 3), (2, 3, 4)), ((3,), (2, 3, 4)),
                                              ((2, 2, 3), (4, 3, 2)), ((3,), (2, 2, 3, 1))])
def test_dot_with_an_nd_second_argument(a_shape, b_shape):
    a, b = RNG.normal(size=a_shape), RNG.normal(size=b_shape)
    grads = grad(with_b, wrt=(0, 1))(a, b)
    assert_grads_match(with_b, grads, (a, b), (0, 1))
    for got, expected in zip(grads, autograd.grad(with_b_autograd, (0, 1))(a, b)):
        np.testing.assert_allclose(got, expected)


def test_forward_mode_and_second_order():
    a, u, v = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3)), RNG.normal(size=B.shape)
    _, slope = srcgrad.jvp(with_b, wrt=(0, 1))(a, B, tangent=(u, v))
    da, db = grad(with_b, wrt=(0, 1))(a, B)
    assert slope == pytest.approx(np.sum(da * u) + np.sum(db * v))
    product = srcgrad.hvp(with_b, wrt=(0, 1))(a, B, tangent=(u, v))
    h = 1e-6
    plus = grad(with_b, wrt=(0, 1))(a + h * u, B + h * v)
    minus = grad(with_b, wrt=(0, 1))(a - h * u, B - h * v)
    for got, p, m in zip(product, plus, minus):
        np.testing.assert_allclose(got, (p - m) / (2 * h), rtol=1e-5, atol=1e-6)
