"""Calls into the user's own functions: helpers are transformed too (recursively, cached
per helper), with keyword arguments, defaults, closures and lambdas."""

import re

import numpy as np
import pytest
from data.helpers_module import softplus, two_layers
from finite_diff import assert_grads_match

from srcgrad import SrcGradError, grad, jvp
from srcgrad.pipeline import compiled

rng = np.random.default_rng(0)


def dense(W, b, x, act=True):
    z = x @ W + b
    if act:
        z = np.tanh(z)
    return z


def mlp(W1, b1, W2, x, y):
    h = dense(W1, b1, x)
    out = dense(W2, 0.0, h, act=False)
    return np.mean((out - y) ** 2)


def test_model_split_across_helpers():
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)),
            rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))
    assert_grads_match(mlp, grad(mlp, wrt=(0, 1, 2))(*args), args, (0, 1, 2))


def test_helper_calls_read_as_forward_and_backward_pairs():
    source = grad(mlp, wrt=(0, 1, 2)).source
    assert "h, h_saved = dense_forward_W_b(W1, b1, x)" in source
    assert "d_W2, d_h = dense_backward_W_x(d_out, *out_saved)" in source


def test_each_version_of_a_helper_is_shown_under_the_names_its_caller_calls():
    # dense(W1, b1, x): gradients for W, b; dense(W2, 0.0, h): for W and x (h)
    source = grad(mlp, wrt=(0, 1, 2)).source
    defined = set(re.findall(r"^def (\w+)\(", source, re.M))
    called = set(re.findall(r"= (dense_\w+)\(", source))
    assert defined >= called == {"dense_forward_W_b", "dense_backward_W_b",
                                 "dense_forward_W_x", "dense_backward_W_x"}
    jvp_source = jvp(mlp, wrt=0).source
    assert "def dense_jvp_W(" in jvp_source and "= dense_jvp_W(" in jvp_source


def scaled_product(x, y, /, z=1.0):
    return x * y + z


def positional_only(x, y):
    return np.sum(scaled_product(x, y) * scaled_product(y, x, 2.0))


def test_a_helper_with_positional_only_parameters():
    x, y = rng.normal(size=3), rng.normal(size=3)
    assert_grads_match(positional_only, grad(positional_only, wrt=(0, 1))(x, y), (x, y), (0, 1))
    general = compiled(positional_only, ("x", "y"))  # the helper as a pair: x, y are saved
    assert_grads_match(positional_only, general.backward(1.0, *general.forward(x, y)[1]),
                       (x, y), (0, 1))


def test_helpers_are_cached_per_active_parameters():
    grad(mlp, wrt=(0, 1, 2)).source
    assert compiled(dense, ("W", "b")) is compiled(dense, ("W", "b"))


def imported(W1, W2, x):
    return np.sum(softplus(two_layers(W1, W2, x), beta=2.0))


def test_helpers_imported_from_another_module_with_keywords():
    args = (rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(5, 3)))
    assert_grads_match(imported, grad(imported, wrt=(0, 1))(*args), args, (0, 1))


def outer(x):
    return middle(x) * 2.0


def middle(x):
    return inner(x) + x


def inner(x):
    return np.sin(x) * x


def test_nested_helpers():
    assert grad(outer)(0.3) == pytest.approx(2.0 * (np.cos(0.3) * 0.3 + np.sin(0.3) + 1.0))


def make_scaled(k):
    def scaled(x):
        return k * x * x
    return scaled


scale_by_3 = make_scaled(3.0)


def uses_closure_helper(x):
    return scale_by_3(x) + 1.0


def test_helper_with_a_closure():
    assert grad(uses_closure_helper)(2.0) == 12.0


relu = lambda z: np.maximum(z, 0.0)  # noqa: E731


def uses_lambda(x):
    return np.sum(relu(x) * 3.0)


def test_lambda_assigned_to_a_name():
    np.testing.assert_array_equal(grad(uses_lambda)(np.array([-1.0, 2.0])), [0.0, 3.0])


def helper_in_loop(w, xs):
    acc = 0.0
    for x in xs:
        acc = acc + inner(w * x)
    return acc


def test_helper_called_in_a_loop():
    args = (0.7, np.array([0.5, -1.0, 2.0]))
    assert_grads_match(helper_in_loop, (grad(helper_in_loop)(*args),), args, (0,))


def data_only_helper(w, x):
    return w * inner(x)         # x carries no gradient: the helper runs as is


def test_helper_on_data_only():
    assert grad(data_only_helper)(2.0, 0.5) == pytest.approx(np.sin(0.5) * 0.5)


def factorial_like(x, n):
    if n == 0:
        return x
    return x * factorial_like(x, n - 1)


def test_recursion_is_refused_at_the_call():
    with pytest.raises(SrcGradError, match="calls itself") as info:
        grad(factorial_like)(2.0, 3)
    assert "factorial_like(x, n - 1)" in str(info.value)


def bad_helper(x):
    return np.nextafter(x, 2.0)


def calls_bad_helper(x):
    return bad_helper(x) * 2.0


def test_error_inside_a_helper_names_both_lines():
    with pytest.raises(SrcGradError) as info:
        grad(calls_bad_helper)(1.0)
    message = str(info.value)
    assert "bad_helper(x)" in message and "np.nextafter(x, 2.0)" in message


def total_of_squares(*xs):
    s = 0.0
    for x in xs:
        s = s + np.sum(x * x)
    return s


def calls_with_star_args(a, b, c):
    return total_of_squares(a, b * 2.0, 3.0) + total_of_squares(c)


def test_helper_with_star_args():
    da, db, dc = grad(calls_with_star_args, wrt=(0, 1, 2))(1.0, np.array([1.0, 2.0]), 0.5)
    assert (da, dc) == (2.0, 1.0)
    np.testing.assert_array_equal(db, [8.0, 16.0])


def test_star_args_as_wrt():
    g = grad(total_of_squares, wrt="xs")(1.0, np.array([1.0, 2.0]))
    assert g[0] == 2.0
    np.testing.assert_array_equal(g[1], [2.0, 4.0])


class Config:
    scale = 3.0
    offset = 0.5


def scaled_by_config(w, cfg):
    return np.sum((w * cfg.scale + cfg.offset) ** 2)


def test_attribute_reads_of_a_constant_object():
    w = np.array([1.0, -2.0])
    expected = 2 * (w * 3.0 + 0.5) * 3.0
    np.testing.assert_allclose(grad(scaled_by_config)(w, Config()), expected)


def layer(params, name, x):
    return np.tanh(x @ params["W" + name] + params["b" + name])


def split_model(params, x, y):
    h = layer(params, "1", x)
    out = h @ params["W2"] + params["b2"]
    return np.mean((out - y) ** 2)


def test_model_split_across_helpers_with_a_params_dict():
    from finite_diff import numerical_grad

    params = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
              "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    g = grad(split_model)(params, x, y)
    assert set(g) == set(params)
    for key in params:
        def of_leaf(leaf, key=key):
            return split_model({**params, key: leaf}, x, y)
        np.testing.assert_allclose(g[key], numerical_grad(of_leaf, (params[key],), 0),
                                   rtol=1e-6, atol=1e-8)
