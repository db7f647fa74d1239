"""grad(f, has_aux=True) and value_and_grad(f, has_aux=True): f returns (loss, aux); the
loss is differentiated, aux comes back as computed (JAX's convention)."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import SrcGradError

rng = np.random.default_rng(3)
BIG = rng.normal(size=(64, 70))  # large enough for buffer reuse in the fused gradient


def loss_and_stats(w, x):
    h = np.tanh(x @ w)
    loss = np.mean(h ** 2)
    return loss, {"mean": np.mean(h), "h": h}


def by_branch(w, c):
    s = np.sum(w ** 2)
    if c > 0:
        return s, w * 2.0
    return s * 3.0, np.sin(w)


def tuple_from_helper(w):
    out = pair(w)
    return out


def pair(w):
    return np.sum(np.exp(w)), np.exp(w)


def aux_is_large_and_read_before_the_backward_sweep(w):
    e = np.exp(w * 0.1)
    t = np.tanh(e)
    return np.sum(t * w), e


def aux_in_a_loop(w):
    hs = []
    h = w
    for _ in range(3):
        h = np.tanh(h * 1.5)
        hs.append(h)
    return np.sum(h ** 2), hs


def loss_only(f):
    return lambda *args: f(*args)[0]


def test_grad_returns_gradients_and_aux():
    w, x = rng.normal(size=(4, 3)), rng.normal(size=(5, 4))
    g, aux = srcgrad.grad(loss_and_stats, has_aux=True)(w, x)
    h = np.tanh(x @ w)
    np.testing.assert_allclose(aux["h"], h)
    assert aux["mean"] == pytest.approx(np.mean(h))
    np.testing.assert_allclose(g, numerical_grad(loss_only(loss_and_stats), (w, x), 0),
                               rtol=1e-6, atol=1e-8)


def test_value_and_grad_returns_the_pair_then_gradients():
    w, x = rng.normal(size=(4, 3)), rng.normal(size=(5, 4))
    (loss, aux), g = srcgrad.value_and_grad(loss_and_stats, has_aux=True)(w, x)
    assert loss == pytest.approx(loss_and_stats(w, x)[0])
    np.testing.assert_allclose(aux["h"], np.tanh(x @ w))
    np.testing.assert_allclose(g, srcgrad.grad(loss_and_stats, has_aux=True)(w, x)[0])


@pytest.mark.parametrize("f, args", [
    (by_branch, (np.array([0.5, -1.0]), 1.0)),
    (by_branch, (np.array([0.5, -1.0]), -1.0)),
    (tuple_from_helper, (np.array([0.3, 0.1, -0.2]),)),
    (aux_is_large_and_read_before_the_backward_sweep, (BIG,)),
    (aux_in_a_loop, (BIG,)),
])
def test_aux_and_gradient_match_the_plain_function(f, args):
    gradient = srcgrad.grad(f, has_aux=True)
    for _ in range(3):  # the cache, the fused code's buffers
        g, aux = gradient(*args)
        _, expected = f(*args)
        for got, want in zip(np.atleast_1d(aux) if not isinstance(aux, list) else aux,
                             np.atleast_1d(expected) if not isinstance(expected, list)
                             else expected):
            np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(g, numerical_grad(loss_only(f), args, 0),
                                   rtol=1e-5, atol=1e-6)


def test_a_tuple_returned_without_has_aux_is_refused_with_the_remedy():
    with pytest.raises(SrcGradError, match="has_aux=True"):
        srcgrad.grad(loss_and_stats)(rng.normal(size=(4, 3)), rng.normal(size=(5, 4)))


def test_has_aux_with_a_non_pair_return_names_the_line():
    def three(w):
        return np.sum(w), w, w

    with pytest.raises(SrcGradError, match="must return a pair") as info:
        srcgrad.grad(three, has_aux=True)(np.ones(2))
    assert "test_has_aux.py" in str(info.value)


def test_has_aux_loss_must_be_a_scalar():
    def vector(w):
        return w * 2.0, w

    with pytest.raises(SrcGradError, match="first value"):
        srcgrad.grad(vector, has_aux=True)(np.ones(2))


def test_decorator_form_and_several_wrt():
    @srcgrad.grad(wrt=(0, 1), has_aux=True)
    def f(a, b):
        return np.sum(a * b), a + b

    (ga, gb), aux = f(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    np.testing.assert_allclose(ga, [3.0, 4.0])
    np.testing.assert_allclose(gb, [1.0, 2.0])
    np.testing.assert_allclose(aux, [4.0, 6.0])


def test_the_generated_code_returns_the_pair():
    source = srcgrad.grad(by_branch, has_aux=True).source
    assert "return ((" in source or "return (by_branch" in source or "aux" in source
