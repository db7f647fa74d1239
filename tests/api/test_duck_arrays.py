"""Duck arrays through grad (issue 22), on the CPU test double of tests/duck_double.py:
it raises on every conversion to NumPy and on `out=` into a NumPy buffer, so each
passing test shows that the portable code and the API around it never convert. Results
are compared with the NumPy run (itself checked against finite differences elsewhere)
and, for a few, with finite differences directly."""

import numpy as np
import pytest

import srcgrad
from duck_double import Converted, Duck, values
from finite_diff import numerical_grad
from models import penalized_logistic, softmax_mlp
from srcgrad.pipeline import cache

logistic, mlp = penalized_logistic, softmax_mlp


def looped(w, X):
    h = X
    for _ in range(3):
        h = np.tanh(h * w + 0.1)
    return np.sum(h ** 2)


def branch_on_numbers(w, X, scale):
    if scale > 1.0:  # a Python number: a branch portable code may take
        return np.sum(np.sin(X * w)) * scale
    return np.sum(np.cos(X * w))


def indexed(w, X):
    return np.sum(X[1:, :] * w[0]) + np.sum(X[0, 1:] ** 2 * w[1:3])


def padded(x):
    return np.sum(np.pad(x, 1) ** 2)


def with_aux(w, X):
    loss = np.sum((X @ w) ** 2)
    return loss, loss * 2.0


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = (rng.random(40) > 0.5).astype(float)
    return rng.normal(size=5) * 0.3, X, y


def _same(got, expected, rtol=1e-10):
    got, expected = values(got), values(expected)
    if isinstance(expected, dict):
        for key in expected:
            _same(got[key], expected[key], rtol)
        return
    if isinstance(expected, tuple):
        for a, b in zip(got, expected):
            _same(a, b, rtol)
        return
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("duck_params", [False, True], ids=["numpy-params", "duck-params"])
def test_logistic_value_and_grad_stay_duck(data, duck_params):
    w, X, y = data
    expected = srcgrad.value_and_grad(logistic)(w, X, y)
    Duck.calls.clear()
    value, g = srcgrad.value_and_grad(logistic)(Duck(w) if duck_params else w, Duck(X), Duck(y))
    assert type(value) is Duck and type(g) is Duck
    _same((value, g), expected)
    assert ("ufunc", "add.reduce") not in Duck.calls  # the NumPy-only sum is not used
    np.testing.assert_allclose(values(g), numerical_grad(logistic, (w, X, y), 0),
                               rtol=1e-6, atol=1e-8)


def test_portable_code_leaves_out_numpy_only_steps(data):
    w, X, y = data
    gradient = srcgrad.grad(logistic)
    numpy_text = gradient.source_for(w, X, y)
    portable = gradient.source_for(w, Duck(X), Duck(y))
    assert "spare(" in numpy_text or "out=" in numpy_text or ", t" in numpy_text
    for numpy_only in ("spare(", "out=", "add.reduce", "unbroadcast(", "np.size"):
        assert numpy_only not in portable
    assert gradient.source_for(w, X, y) == numpy_text  # NumPy's variant is its own


def test_variants_are_keyed_by_array_type(data):
    w, X, y = data
    gradient = srcgrad.grad(logistic)
    first = gradient(w, X, y)
    duck = gradient(w, Duck(X), Duck(y))
    again = gradient(w, X, y)
    assert type(first) is np.ndarray and type(again) is np.ndarray and type(duck) is Duck
    kinds = {v.array_kind for v in cache.variants(logistic).values() if v.arguments}
    assert "numpy" in kinds and any(k != "numpy" for k in kinds)
    _same(duck, first)


def test_mlp_params_dict_of_ducks():
    rng = np.random.default_rng(1)
    params = {"W1": rng.normal(size=(6, 8)) * 0.4, "b1": np.zeros(8),
              "W2": rng.normal(size=(8, 3)) * 0.4, "b2": np.zeros(3)}
    X = rng.normal(size=(20, 6))
    Y = np.eye(3)[rng.integers(0, 3, 20)]
    expected = srcgrad.value_and_grad(mlp)(params, X, Y)
    ducks = {k: Duck(v) for k, v in params.items()}
    value, grads = srcgrad.value_and_grad(mlp)(ducks, Duck(X), Duck(Y))
    assert all(type(g) is Duck for g in grads.values())
    _same((value, grads), expected)


@pytest.mark.parametrize("func, args", [
    (looped, (np.array([0.3, -0.2, 0.5]), np.linspace(-1, 1, 12).reshape(4, 3))),
    (indexed, (np.array([0.3, -0.2, 0.5]), np.linspace(-1, 1, 12).reshape(4, 3))),
])
def test_loops_and_indexing(func, args):
    expected = srcgrad.grad(func)(*args)
    got = srcgrad.grad(func)(*map(Duck, args))
    _same(got, expected)
    np.testing.assert_allclose(values(got), numerical_grad(func, args, 0),
                               rtol=1e-6, atol=1e-8)


def test_branch_on_a_number_float32_and_broadcasting():
    w = np.array([0.5, -0.25], dtype=np.float32)
    X = np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2)
    for scale in (0.5, 2.0):
        expected = srcgrad.grad(branch_on_numbers)(w, X, scale)
        got = srcgrad.grad(branch_on_numbers)(Duck(w), Duck(X), scale)
        assert values(got).dtype == np.float32
        _same(got, expected, rtol=1e-6)


def test_zero_d_and_float_parameters(data):
    _, X, _ = data
    f = lambda a, X: np.sum(np.tanh(a * X))  # noqa: E731
    expected = srcgrad.grad(f)(0.5, X)
    got = srcgrad.grad(f)(0.5, Duck(X))  # a float's gradient: the 0-d array computed
    assert type(got) is Duck and got.ndim == 0
    _same(got, expected)
    got = srcgrad.grad(f)(Duck(np.array(0.5)), Duck(X))
    _same(got, expected)


def test_same_array_twice_gives_distinct_gradients(data):
    _, X, _ = data
    x = Duck(X[:, 0])
    gx, gy = srcgrad.grad(lambda a, b: np.sum(a * b + a + b), wrt=(0, 1))(x, x)
    assert gx is not gy
    _same(gx, X[:, 0] + 1)
    _same(gy, X[:, 0] + 1)


def test_has_aux(data):
    w, X, _ = data
    (loss, aux), g = srcgrad.value_and_grad(with_aux, has_aux=True)(Duck(w), Duck(X))
    (loss0, aux0), g0 = srcgrad.value_and_grad(with_aux, has_aux=True)(w, X)
    _same((loss, aux, g), (loss0, aux0, g0))


def test_refusals():
    with pytest.raises(srcgrad.SrcGradError, match="an integer Duck"):
        srcgrad.grad(lambda x: np.sum(x * 2.0))(Duck(np.arange(3)))
    with pytest.raises(srcgrad.SrcGradError, match="real scalar"):
        srcgrad.grad(lambda x: x * 2.0)(Duck(np.ones(3)))
    with pytest.raises(srcgrad.SrcGradError, match=r"pad_adjoint(.|\n)*line \d+(.|\n)*np.pad"):
        srcgrad.grad(padded)(Duck(np.ones(4)))


def test_the_double_catches_conversions():
    with pytest.raises(Converted):
        np.asarray(Duck(np.ones(2)))
    with pytest.raises(Converted):
        float(Duck(np.ones(())))
    with pytest.raises(Converted):
        np.add(Duck(np.ones(2)), 1.0, out=np.empty(2))


def exp_of_list(p, X):
    q = np.exp(p)  # the adjoint of the list p: the duck array NumPy made of it
    return np.sum(X * q[0]) + np.sum(X * q[1] ** 2)


def test_list_parameters_with_duck_data():
    p, X = [0.3, -0.2], np.linspace(0.0, 1.0, 6)
    expected = srcgrad.grad(exp_of_list)(p, X)
    got = srcgrad.grad(exp_of_list)(p, Duck(X))
    assert isinstance(got, list) and len(got) == 2
    _same(tuple(got), tuple(expected))
