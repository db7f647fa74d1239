"""np.add.at(y, i, v) and np.subtract.at: v added at i, a repeated index adding each, read
as `y[...] += scatter_add(y, i, v)`, an item write that every name holding y sees."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad


def repeated(x):
    y = np.zeros(3)
    np.add.at(y, [0, 0, 2, 1], x)
    return np.sum(y ** 2)


def subtracts_a_number(x):
    y = x[:3] * 2.0
    np.subtract.at(y, [1, 1], x[3])
    return np.sum(y ** 3)


def seen_through_another_name(x):
    y = np.ones(4)
    z = y
    kept = y.copy()
    np.add.at(y, [1, 1, 3], x[:3] ** 2)
    return np.sum(z * x) + np.sum(kept ** 2)


def rows(x):
    W = np.zeros((2, 2))
    np.add.at(W, np.array([0, 1, 0]), x[:3, None] * x[None, 1:3])
    return np.sum(np.tanh(W))


def per_axis(x):
    W = np.zeros((2, 3))
    np.add.at(W, (np.array([0, 1, 0]), np.array([2, 2, 2])), x[:3])
    return np.sum(W @ x[:3])


PROGRAMS = [repeated, subtracts_a_number, seen_through_another_name, rows, per_axis]


@pytest.mark.parametrize("f", PROGRAMS)
def test_gradient_and_value(f):
    x = np.array([0.3, 0.5, 0.7, 1.1])
    value, grad = srcgrad.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    assert_grads_match(f, (grad,), (x,), (0,))


@pytest.mark.parametrize("f", PROGRAMS)
def test_hessian(f):
    x = np.array([0.3, 0.5, 0.7, 1.1])
    assert_grads_match(lambda v: srcgrad.grad(f)(v)[0], (srcgrad.hessian(f)(x)[0],), (x,), (0,))


def view_of_it(x):
    y = np.ones(4)
    v = y[1:]
    np.add.at(y, [1, 1], x[:2])
    return np.sum(v * x[1:])


def test_a_view_that_would_see_it_is_refused_at_the_line():
    with pytest.raises(srcgrad.SrcGradError, match="view") as info:
        srcgrad.grad(view_of_it)(np.array([0.3, 0.5, 0.7, 1.1]))
    assert "np.add.at(y, [1, 1], x[:2])" in str(info.value)


def test_on_the_jax_backend():
    pytest.importorskip("jax")
    x = np.array([0.3, 0.5, 0.7, 1.1])
    np.testing.assert_allclose(srcgrad.grad(repeated, backend="jax")(x),
                               srcgrad.grad(repeated)(x), rtol=1e-12)
