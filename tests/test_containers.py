"""Values that hold several arrays: a params dict or tuple as the wrt argument, tuples
returned by helpers, lists built with append and stacked, and element assignment."""

from collections import namedtuple

import numpy as np
import pytest
from finite_diff import numerical_grad

from srcgrad import grad, value_and_grad

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
