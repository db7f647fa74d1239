"""Functions passed as arguments or defaults (`def loss(params, x, act=np.tanh)`,
`apply(f, x)`, `map(f, xs)` with `f` a parameter): static, the code made for each function
a call passes. Reverse mode, forward mode and the Hessian against finite differences."""

import functools

import numpy as np
import pytest

import srcgrad
from all_modes import check
from finite_diff import numerical_grad, right_or_refused

W = np.array([0.3, -0.7, 1.1])
X = np.array([[0.5, -1.2, 0.3], [0.2, 0.1, -0.4], [1.0, 0.0, 0.5]])


def relu(z):
    return np.maximum(z, 0.0)


def softplus(z):
    return np.log1p(np.exp(z))


def leaky(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


def predict(params, inputs, nonlinearity=np.tanh):  # autograd's neural_net_predict
    for W, b in params:
        outputs = inputs @ W + b
        inputs = nonlinearity(outputs)
    return outputs


def net_loss(w, x, act=np.tanh):
    params = [(w.reshape(3, 1) * np.ones((3, 2)), 0.1), (np.ones((2, 1)), w[0])]
    return np.sum(predict(params, x, act) ** 2)


def layer_loss(params, x, act=np.tanh):
    return np.sum(act(x @ params) ** 2)


def apply(f, x):
    return f(x)


def cube(z):
    return z ** 3


def applied(w, x):
    return np.sum(apply(cube, w * x)) + np.sum(apply(np.sin, w))


def mapped(w, xs, f):
    return np.sum(sum(map(f, [w * x for x in xs])))


def in_comprehension(w, f=np.cos):
    return sum(np.sum(f(w * k)) for k in (1.0, 2.0))


def in_nested(w, f=softplus):
    def block(v):
        return f(v) * v
    return np.sum(block(w) + block(2.0 * w))


def twice(w, f, g=np.exp):
    return np.sum(g(f(w)))


swish = lambda z: z * np.tanh(z)  # noqa: E731 (a lambda passed as users pass them)


@pytest.mark.parametrize("act", [None, relu, softplus, np.sin, np.tanh, swish])
def test_activation_passed_or_default(act):
    kwargs = {} if act is None else {"act": act}
    check(layer_loss, W, X, hessian=act is not relu, **kwargs)
    check(net_loss, W, X[:, :3], hessian=act is not relu, **kwargs)


def test_partial_passed():
    """A functools.partial is called as its function with what it fixes; handed on to a
    helper it is refused by name (never a wrong number)."""
    act = functools.partial(leaky, alpha=0.2)
    check(layer_loss, W, X, act=act)
    right_or_refused(lambda w: net_loss(w, X, act), (W,))


def test_positional_function_argument():
    check(layer_loss, W, X, softplus)
    check(twice, W, np.sin)
    check(twice, W, softplus, np.log1p)


def test_helper_passed_to_a_helper():
    check(applied, W, X[0])


def test_map_of_a_parameter():
    check(mapped, W, [1.0, 2.0], np.sin)
    check(mapped, W, [1.0, -2.0], softplus)


def test_in_comprehensions_and_nested_functions():
    check(in_comprehension, W)
    check(in_comprehension, W, f=np.tanh)
    check(in_nested, W)
    check(in_nested, W, f=np.sin)


def test_each_function_its_own_code():
    """The same gradient object called with one function, another, then the first again:
    each call's gradient is of the function it passes (no stale variant)."""
    g = srcgrad.grad(layer_loss)
    for act in (np.tanh, softplus, np.tanh, np.sin, softplus):
        expected = numerical_grad(lambda p: layer_loss(p, X, act), (W,), 0)
        np.testing.assert_allclose(g(W, X, act), expected, rtol=1e-6, atol=1e-8)
    for act in (np.sin, np.cos):  # forward mode too
        _, slope = srcgrad.jvp(layer_loss)(W, X, act, tangent=np.ones(3))
        expected = numerical_grad(lambda p: layer_loss(p, X, act), (W,), 0)
        np.testing.assert_allclose(slope, expected.sum(), rtol=1e-6)


def test_vjp_and_many_variants():
    value, pullback = srcgrad.vjp(layer_loss, W, X, act=softplus)
    np.testing.assert_allclose(pullback(1.0), numerical_grad(
        lambda p: layer_loss(p, X, softplus), (W,), 0), rtol=1e-6)
    g = srcgrad.grad(layer_loss)
    for n in range(1, 12):  # past the variants kept per shape: the general code then
        w = np.linspace(0.1, 1.0, n)
        x = np.ones((2, n)) * 0.5
        expected = numerical_grad(lambda p: layer_loss(p, x, softplus), (w,), 0)
        np.testing.assert_allclose(g(w, x, act=softplus), expected, rtol=1e-6, atol=1e-8)


def rebound(w, f=np.sin):
    f = np.cos
    return np.sum(f(w))


def test_rebound_parameter():
    """A function parameter the body rebinds is not the function passed: right or
    refused, never the gradient of the function passed."""
    right_or_refused(rebound, (W,))
    right_or_refused(rebound, (W, np.tan))


def defaulted(w, act=np.tanh):
    return np.sum(act(w) ** 2)


def test_a_default_changed_later_is_followed():
    """`f.__defaults__` rebound after a call: the next call's code is of the new default
    (never the gradient of the old one); the generated code names the function."""
    g = srcgrad.grad(defaulted)
    saved = defaulted.__defaults__
    try:
        for act in (np.tanh, np.sin, np.tanh):
            defaulted.__defaults__ = (act,)
            expected = numerical_grad(defaulted, (W,), 0)
            np.testing.assert_allclose(g(W), expected, rtol=1e-6)
            np.testing.assert_allclose(srcgrad.jvp(defaulted)(W, tangent=np.ones(3))[1],
                                       expected.sum(), rtol=1e-6)
            assert f"{act.__name__}(w)" in g.source
    finally:
        defaulted.__defaults__ = saved
