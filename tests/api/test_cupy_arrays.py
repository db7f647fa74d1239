"""CuPy arrays through grad (issue 22): the checks of test_duck_arrays.py on a GPU. They
run where CuPy and a CUDA device are present (pip install "srcgrad[cupy]") and skip with
the reason otherwise; CI has no GPU, and the CPU test double stands in for them there."""

import numpy as np
import pytest

import srcgrad
from models import penalized_logistic, softmax_mlp


def _cupy_or_reason():
    try:
        import cupy
    except ImportError:
        return None, "CuPy is not installed (the `cupy` extra; CI has no GPU)"
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None, "CuPy is installed but finds no CUDA device"
    except Exception as exc:  # no driver, no runtime
        return None, f"CuPy is installed but CUDA is not usable: {exc}"
    return cupy, ""


cp, REASON = _cupy_or_reason()
pytestmark = pytest.mark.skipif(cp is None, reason=REASON or "CuPy is usable")


logistic, mlp = penalized_logistic, softmax_mlp


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5))
    y = (rng.random(64) > 0.5).astype(float)
    return rng.normal(size=5) * 0.3, X, y


@pytest.mark.parametrize("gpu_params", [False, True])
def test_logistic_on_the_gpu(data, gpu_params):
    w, X, y = data
    value0, g0 = srcgrad.value_and_grad(logistic)(w, X, y)
    value, g = srcgrad.value_and_grad(logistic)(cp.asarray(w) if gpu_params else w,
                                                cp.asarray(X), cp.asarray(y))
    assert isinstance(g, cp.ndarray) and isinstance(value, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(value), value0, rtol=1e-10)
    np.testing.assert_allclose(cp.asnumpy(g), g0, rtol=1e-10, atol=1e-14)


def test_mlp_params_on_the_gpu():
    rng = np.random.default_rng(1)
    params = {"W1": rng.normal(size=(6, 8)) * 0.4, "b1": np.zeros(8),
              "W2": rng.normal(size=(8, 3)) * 0.4, "b2": np.zeros(3)}
    X, Y = rng.normal(size=(20, 6)), np.eye(3)[rng.integers(0, 3, 20)]
    expected = srcgrad.grad(mlp)(params, X, Y)
    got = srcgrad.grad(mlp)({k: cp.asarray(v) for k, v in params.items()}, cp.asarray(X),
                            cp.asarray(Y))
    for key in params:
        assert isinstance(got[key], cp.ndarray)
        np.testing.assert_allclose(cp.asnumpy(got[key]), expected[key], rtol=1e-10, atol=1e-14)


def test_float32_stays_float32(data):
    w, X, y = (a.astype(np.float32) for a in data)
    g = srcgrad.grad(logistic)(cp.asarray(w), cp.asarray(X), cp.asarray(y))
    assert g.dtype == cp.float32
    np.testing.assert_allclose(cp.asnumpy(g), srcgrad.grad(logistic)(w, X, y), rtol=1e-4)
