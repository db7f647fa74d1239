"""grad of a bound method: `self` holds constants and configuration, the parameters are
arguments (`grad(model.loss)`, as a PyTorch user writes `model.loss`)."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import SrcGradError


class Regression:
    def __init__(self, l2, features):
        self.l2 = l2
        self.features = features

    def predict(self, w, x):
        return np.tanh(x[:, :self.features] @ w)

    def loss(self, w, x, y):
        err = self.predict(w, x) - y
        return np.mean(err ** 2) + self.l2 * np.sum(w ** 2)


rng = np.random.default_rng(7)
X, Y = rng.normal(size=(20, 5)), rng.normal(size=20)
W = rng.normal(size=3)


def test_grad_of_a_bound_method_matches_finite_differences():
    model = Regression(0.1, 3)
    g = srcgrad.grad(model.loss)(W, X, Y)
    np.testing.assert_allclose(g, numerical_grad(model.loss, (W, X, Y), 0), rtol=1e-6)
    for _ in range(3):  # the cached call path gives the same
        np.testing.assert_allclose(srcgrad.grad(model.loss)(W, X, Y), g)


def test_wrt_counts_the_methods_own_arguments():
    model = Regression(0.0, 3)
    gw, gy = srcgrad.grad(model.loss, wrt=(0, 2))(W, X, Y)
    np.testing.assert_allclose(gy, numerical_grad(model.loss, (W, X, Y), 2), rtol=1e-6)
    gw_named = srcgrad.grad(model.loss, wrt="w")(W, X, Y)
    np.testing.assert_allclose(gw, gw_named)


def test_each_object_keeps_its_configuration():
    small, large = Regression(0.0, 3), Regression(10.0, 3)
    g_small = srcgrad.grad(small.loss)(W, X, Y)
    g_large = srcgrad.grad(large.loss)(W, X, Y)
    np.testing.assert_allclose(g_large - g_small, 2 * 10.0 * W, rtol=1e-10)


def test_value_and_grad_and_vjp_of_a_method():
    model = Regression(0.1, 3)
    value, g = srcgrad.value_and_grad(model.loss)(W, X, Y)
    assert value == pytest.approx(model.loss(W, X, Y))
    out, pullback = srcgrad.vjp(model.predict, W, X)
    np.testing.assert_allclose(out, model.predict(W, X))
    seed = rng.normal(size=20)
    np.testing.assert_allclose(
        pullback(seed), numerical_grad(lambda w, x: np.sum(seed * model.predict(w, x)),
                                       (W, X), 0), rtol=1e-6)


def test_the_class_function_with_the_object_as_an_argument():
    model = Regression(0.1, 3)
    g = srcgrad.grad(Regression.loss, wrt="w")(model, W, X, Y)
    np.testing.assert_allclose(g, srcgrad.grad(model.loss)(W, X, Y))


def test_a_method_of_a_class_defined_in_a_function_says_how_to_call_it():
    class Local:
        def predict(self, w):
            return np.tanh(w)

        def loss(self, w):
            return np.sum(self.predict(w))

    with pytest.raises(SrcGradError, match="Local.predict\\(self, ...\\)"):
        srcgrad.grad(Local().loss)(W)


def test_grad_of_grad_of_a_method_says_how_to_write_it():
    with pytest.raises(SrcGradError, match="Model.loss"):
        srcgrad.grad(srcgrad.grad(Regression(0.1, 3).loss))


class Deeper(Regression):
    def predict(self, w, x):  # overrides what Regression.loss calls through self
        return np.sin(x[:, :self.features] @ w)


class Layered:
    def __init__(self, widths):
        self.widths = widths

    def layer(self, h, w):
        return np.tanh(h @ w)

    def forward(self, ws, x):
        h = x
        for w in ws:
            h = self.layer(h, w)
        return h

    def loss(self, ws, x):
        return np.sum(self.forward(ws, x) ** 2)


def test_a_subclass_that_overrides_a_called_method_is_refused_naming_both():
    with pytest.raises(SrcGradError, match="Deeper overrides `predict`"):
        srcgrad.grad(Deeper(0.1, 3).loss)(W, X, Y)


class Own(Deeper):
    def loss(self, w, x, y):
        return np.mean((self.predict(w, x) - y) ** 2)


def test_a_subclass_that_defines_the_method_itself_is_differentiated():
    model = Own(0.0, 3)
    np.testing.assert_allclose(srcgrad.grad(model.loss)(W, X, Y),
                               numerical_grad(model.loss, (W, X, Y), 0), rtol=1e-6)


def test_methods_calling_methods_in_loops():
    model = Layered([3, 3])
    ws = [rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(3, 3)) * 0.5]
    x = rng.normal(size=(4, 3))
    grads = srcgrad.grad(model.loss)(ws, x)
    for k in range(2):
        def loss_k(wk, k=k):
            return model.loss([wk if j == k else ws[j] for j in range(2)], x)
        np.testing.assert_allclose(grads[k], numerical_grad(loss_k, (ws[k],), 0), rtol=1e-6)
    source = srcgrad.grad(model.loss).source
    assert "same_method(self, Layered, 'forward')" in source


def test_forward_mode_and_second_order_of_a_bound_method():
    """jvp, hvp, hessian and jacobian of `model.loss` (`srcgrad.hessian(model.loss)`):
    `self` passed first, as grad does; wrt counts the method's own arguments."""
    model = Regression(0.1, 3)
    gradient = srcgrad.grad(model.loss)
    g = gradient(W, X, Y)
    columns = [numerical_grad(lambda w: gradient(w, X, Y)[i], (W,), 0) for i in range(3)]
    H = srcgrad.hessian(model.loss)(W, X, Y)
    np.testing.assert_allclose(H, columns, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(H, srcgrad.hessian(Regression.loss, wrt=1)(model, W, X, Y))
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.hvp(model.loss)(W, X, Y, tangent=v), H @ v, rtol=1e-10)
    value, slope = srcgrad.jvp(model.loss)(W, X, Y, tangent=v)
    assert value == pytest.approx(model.loss(W, X, Y), rel=1e-12)
    assert slope == pytest.approx(g @ v, rel=1e-10)
    assert srcgrad.jvp(model.loss, (W, X, Y), (v, np.zeros_like(X), np.zeros_like(Y)))[1] \
        == pytest.approx(g @ v, rel=1e-10)
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(srcgrad.jacobian(model.loss, mode=mode)(W, X, Y), g,
                                   rtol=1e-10)
    by_y = srcgrad.hessian(model.loss, wrt="y")(W, X, Y)  # by name: not shifted
    np.testing.assert_allclose(by_y, 2.0 / len(Y) * np.eye(len(Y)), atol=1e-12)


class Perceptron:
    def __init__(self, l2):
        self.l2 = l2

    def loss(self, params, x):
        h = np.tanh(params["W"] @ x + params["b"])
        return np.sum(h ** 2) + self.l2 * np.sum(params["W"] ** 2)


def test_the_class_function_wrt_params_in_every_mode():
    """grad(Model.loss, wrt="params"), and jvp, hvp and hessian of it (what the refusal
    for a bound method says to write)."""
    model, x = Perceptron(0.1), rng.normal(size=3)
    params = {"W": rng.normal(size=(3, 3)), "b": rng.normal(size=3)}
    t = {"W": rng.normal(size=(3, 3)), "b": rng.normal(size=3)}
    g = srcgrad.grad(Perceptron.loss, wrt="params")(model, params, x)
    np.testing.assert_allclose(g["W"], numerical_grad(
        lambda W: model.loss({"W": W, "b": params["b"]}, x), (params["W"],), 0), rtol=1e-6)
    np.testing.assert_allclose(g["b"], numerical_grad(
        lambda b: model.loss({"W": params["W"], "b": b}, x), (params["b"],), 0), rtol=1e-6)
    _, slope = srcgrad.jvp(Perceptron.loss, wrt="params")(model, params, x, tangent=t)
    assert slope == pytest.approx(np.sum(g["W"] * t["W"]) + np.sum(g["b"] * t["b"]), rel=1e-10)
    eps = 1e-6
    gradient = srcgrad.grad(Perceptron.loss, wrt="params")
    ahead = gradient(model, {k: params[k] + eps * t[k] for k in params}, x)
    behind = gradient(model, {k: params[k] - eps * t[k] for k in params}, x)
    hv = srcgrad.hvp(Perceptron.loss, wrt="params")(model, params, x, tangent=t)
    for k in params:
        np.testing.assert_allclose(hv[k], (ahead[k] - behind[k]) / (2 * eps), rtol=1e-5,
                                   atol=1e-7)
    by_x = srcgrad.grad(Perceptron.loss, wrt="x")
    columns = [numerical_grad(lambda x: by_x(model, params, x)[i], (x,), 0) for i in range(3)]
    np.testing.assert_allclose(srcgrad.hessian(Perceptron.loss, wrt="x")(model, params, x),
                               columns, rtol=1e-5, atol=1e-7)
