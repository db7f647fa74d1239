"""Values that hold several arrays: a params dict or tuple as the wrt argument, tuples
returned by helpers, lists built with append and stacked, and element assignment."""

from collections import namedtuple

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import SrcGradError, grad, value_and_grad

rng = np.random.default_rng(0)


def model(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"]
    return np.mean((out - y) ** 2)


PARAMS = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
          "W2": rng.normal(size=(4, 2)), "frozen": np.ones(2, dtype=np.float32)}
X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def leaf_grad(f, tree, key, *rest):
    def of_leaf(leaf):
        changed = dict(tree) if isinstance(tree, dict) else list(tree)
        changed[key] = leaf
        return f(type(tree)(changed) if not isinstance(tree, dict) else changed, *rest)
    return numerical_grad(of_leaf, (tree[key],), 0)


def test_params_dict_gives_a_dict_of_the_same_keys():
    g = grad(model)(PARAMS, X, Y)
    assert list(g) == list(PARAMS)
    for key in ("W1", "b1", "W2"):
        np.testing.assert_allclose(g[key], leaf_grad(model, PARAMS, key, X, Y), rtol=1e-6,
                                   atol=1e-8)
    assert g["frozen"].dtype == np.float32 and not g["frozen"].any()


def test_params_dict_is_not_modified():
    before = {k: v.copy() for k, v in PARAMS.items()}
    value, g = value_and_grad(model)(PARAMS, X, Y)
    g["W1"][...] = 0.0
    for key in PARAMS:
        np.testing.assert_array_equal(PARAMS[key], before[key])


Pair = namedtuple("Pair", "w b")


def affine(p, x):
    w, b = p
    return np.sum((w * x + b) ** 2)


@pytest.mark.parametrize("make", [tuple, list, lambda v: Pair(*v)])
def test_tuple_list_and_namedtuple_params(make):
    p = make([1.5, np.array([0.5, -0.5])])
    x = np.array([1.0, 2.0])
    g = grad(affine)(p, x)
    assert type(g) is type(p)
    dw = np.sum(2 * (1.5 * x + p[1]) * x)
    assert g[0] == pytest.approx(dw)
    np.testing.assert_allclose(g[1], 2 * (1.5 * x + p[1]))


def split(t):
    return t * 2.0, np.sin(t)


def uses_tuple_return(w):
    a, b = split(w)
    return a * b


def test_helper_returning_a_tuple():
    expected = 2.0 * np.sin(0.7) + 2.0 * 0.7 * np.cos(0.7)
    assert grad(uses_tuple_return)(0.7) == pytest.approx(expected)


def rnn_states(w, xs):
    hs = []
    h = 0.0
    for x in xs:
        h = np.tanh(w * h + x)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


def test_list_built_with_append_then_stacked():
    xs = rng.normal(size=6)
    assert grad(rnn_states)(0.5, xs) == pytest.approx(numerical_grad(rnn_states, (0.5, xs), 0))


def fill_rows(w, xs):
    out = np.zeros((len(xs), 2))
    for i in range(len(xs)):
        out[i] = np.array([w * xs[i], w * w])
        out[i, 1] += xs[i]
    return np.sum(out ** 2)


def test_assignment_into_rows_of_a_new_array():
    xs = rng.normal(size=4)
    assert grad(fill_rows)(0.8, xs) == pytest.approx(numerical_grad(fill_rows, (0.8, xs), 0))


def appends_to_argument(x, items):
    items.append(x)
    return x


def test_appending_to_an_argument_is_refused():
    from srcgrad import SrcGradError

    with pytest.raises(SrcGradError, match="would change the caller's data"):
        grad(appends_to_argument)(1.0, [])


def dict_mlp(params, X, Y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    return np.mean(np.sum((logits - Y) ** 2, axis=1)) * params["scale"]


def list_mlp(params, X, Y):
    W1, b1, W2 = params[0], params[1], params[2]
    h = np.tanh(X @ W1 + b1)
    return np.mean((h @ W2 - Y) ** 2)


def sin_and_cos(x):
    return np.sin(x), np.cos(x) * 2.0


def uses_pair(x, w):
    a, b = sin_and_cos(x)
    return np.sum(a * b * w)


def _mlp_args(rng):
    params = {"W1": rng.normal(size=(3, 5)), "b1": rng.normal(size=5),
              "W2": rng.normal(size=(5, 2)), "b2": rng.normal(size=2), "scale": 1.5}
    return params, rng.normal(size=(7, 3)), rng.normal(size=(7, 2))


def _generated(g, *args):
    code = g.source_for(*args)
    return code[code.index("_grad("):] if "_grad(" in code else code


def test_a_params_dict_is_specialized_on_its_arrays_shapes_and_fused():
    rng = np.random.default_rng(5)
    params, X, Y = _mlp_args(rng)
    for f in (grad(dict_mlp), value_and_grad(dict_mlp)):
        code = _generated(f, params, X, Y)
        assert "_grad(params, X, Y)" in code  # one function
        assert "unbroadcast" not in code and "matmul_adjoint" not in code
        assert "d_t4 = d_h * (1 - h * h)" in code or "np.subtract(1" in code
    value, g = value_and_grad(dict_mlp)(params, X, Y)
    assert value == dict_mlp(params, X, Y) and set(g) == set(params)
    for key in params:
        expected = numerical_grad(lambda leaf: dict_mlp({**params, key: leaf}, X, Y),
                                  (params[key],), 0)
        np.testing.assert_allclose(g[key], expected, rtol=1e-5, atol=1e-7)
        assert type(g[key]) is type(params[key])
    other = {**params, "W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
             "W2": rng.normal(size=(4, 2))}  # other shapes: another variant
    assert grad(dict_mlp)(other, X, Y)["W1"].shape == (3, 4)


@pytest.mark.parametrize("make", [list, tuple])
def test_a_params_list_or_tuple_is_specialized(make):
    rng = np.random.default_rng(6)
    params = make([rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(5, 2))])
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    g = grad(list_mlp)
    assert "matmul_adjoint" not in _generated(g, params, X, Y)
    got = g(params, X, Y)
    assert type(got) is make
    for i, leaf in enumerate(params):
        expected = numerical_grad(
            lambda x: list_mlp(make(x if j == i else p for j, p in enumerate(params)), X, Y),
            (leaf,), 0)
        np.testing.assert_allclose(got[i], expected, rtol=1e-5, atol=1e-7)


def test_a_tuple_a_helper_returns_is_specialized():
    rng = np.random.default_rng(7)
    x, w = rng.normal(size=4), rng.normal(size=4)
    g = grad(uses_pair, wrt=(0, 1))
    code = _generated(g, x, w)
    assert "unbroadcast" not in code and "_grad(x, w)" in code
    dx, dw = g(x, w)
    np.testing.assert_allclose(dx, numerical_grad(uses_pair, (x, w), 0), rtol=1e-6)
    np.testing.assert_allclose(dw, np.sin(x) * np.cos(x) * 2.0, rtol=1e-12)


def stacked_max(x):
    t = (x, x * 2.0)  # NumPy stacks it: shape (2, n), which nothing here infers
    e = np.tanh(t)
    m = np.max(e, axis=0, keepdims=True)
    return np.log(np.sum(np.exp(e - m)))


def ratio(p):
    return p[0] / p[1]


def reversed_pair(x, s):
    pair = [s, x]
    pair.reverse()  # in place: pair[0] is x now, and the function returns an array
    return np.sum(x) * pair[0]


def reversed_scalars(x, s):
    pair = [s, np.sum(x)]
    pair.reverse()
    return pair[0] * s  # sum(x) * s


def with_config(x, cfg):
    return np.sum(x * x) * cfg[0]


def test_what_items_cannot_tell_stays_general_or_raises_as_the_function_does():
    x = np.array([0.3, -0.2, 0.5])
    assert_grads_close(stacked_max, x)  # a function of a tuple: an array of unknown shape
    with pytest.raises(ZeroDivisionError):  # Python floats, as the function itself
        grad(ratio)([1.0, 0.0])
    for f in (reversed_pair, reversed_scalars):  # items changed in place: refused (fence)
        with pytest.raises(SrcGradError, match="changes `pair` in place"):
            grad(f)(x, 2.0)
    cfg = [2.0]
    cfg.append(cfg)  # a list that holds itself
    np.testing.assert_allclose(grad(with_config)(x, cfg), 4.0 * x)


def assert_grads_close(f, x):
    np.testing.assert_allclose(grad(f)(x), numerical_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


def exp_of_list(p, x):
    return np.sum(np.exp(p) * x)  # NumPy makes an array of the list p


@pytest.mark.parametrize("make", [list, tuple])
def test_a_list_used_as_an_array_gets_its_gradient(make):
    p, x = make([0.1, 0.5, -0.3]), np.array([1.0, 2.0, 3.0])
    got = grad(exp_of_list)(p, x)  # (it once gave zeros: the array adjoint was dropped)
    assert type(got) is make and all(type(v) is float for v in got)
    np.testing.assert_allclose(got, np.exp(p) * x, rtol=1e-15)
    rows = make([np.array([0.1, 0.2]), np.array([0.3, -0.4])])
    got = grad(exp_of_list)(rows, np.ones(2))
    np.testing.assert_allclose(np.array(got), np.exp(np.array(rows)), rtol=1e-15)


def fills_a_dict(x):
    d = {}
    d["a"] = np.sum(x * x)
    d["b"] = x[0]
    d["a"] = d["a"] * 3.0  # overwritten: the first value's gradient is the second's
    return d["a"] + d["b"]


def test_assignment_into_a_dict_made_in_the_function():
    x = np.array([0.5, -1.0, 2.0])  # (it once crashed: set_at made an array of the dict)
    expected = 6.0 * x + np.array([1.0, 0.0, 0.0])
    np.testing.assert_allclose(grad(fills_a_dict)(x), expected, rtol=1e-15)
    np.testing.assert_allclose(numerical_grad(fills_a_dict, (x,), 0), expected, rtol=1e-6)
    value, slope = srcgrad.jvp(fills_a_dict)(x, tangent=np.ones(3))
    assert value == fills_a_dict(x) and slope == pytest.approx(expected.sum())
