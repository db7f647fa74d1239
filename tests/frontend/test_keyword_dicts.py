"""A dict of keywords made in the function and passed on with `**` (issue 19)."""

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError


def reductions(x):
    opts = dict(axis=0, keepdims=True)
    return np.sum(np.sum(x ** 2, **opts) * x)


def literal_and_read(x):
    opts = {"axis": 1}
    y = np.max(x, **opts)
    return np.sum(y * np.sum(x, **opts)) + opts["axis"]


def scaled(x, power=2.0, shift=0.0):
    return (x + shift) ** power


def to_a_helper(x):
    opts = dict(power=3.0, shift=x[0, 0])
    return np.sum(scaled(x, **opts))


def changed(x):
    opts = dict(axis=0)
    opts["keepdims"] = True
    return np.sum(np.sum(x, **opts) * x)


X = np.array([[0.5, 1.0, 2.0], [3.0, -0.4, 0.7]])


def _numeric(f, x, h=1e-6):
    return np.array([(f(x + h * e.reshape(x.shape)) - f(x - h * e.reshape(x.shape))) / (2 * h)
                     for e in np.eye(x.size)]).reshape(x.shape)


@pytest.mark.parametrize("f", [reductions, literal_and_read, to_a_helper])
def test_gradients_and_hessian_vector_products_match_finite_differences(f):
    np.testing.assert_allclose(srcgrad.grad(f)(X), _numeric(f, X), rtol=1e-6, atol=1e-8)
    v = np.ones_like(X)
    numeric = (srcgrad.grad(f)(X + 1e-5 * v) - srcgrad.grad(f)(X - 1e-5 * v)) / 2e-5
    np.testing.assert_allclose(srcgrad.hvp(f)(X, tangent=v), numeric, rtol=1e-5, atol=1e-6)


def test_a_dict_changed_after_it_is_made_is_not_spelled_out():
    with pytest.raises(SrcGradError, match=r"(?s)line 32 reads `opts` otherwise.*line 33"):
        srcgrad.grad(changed)(X)
