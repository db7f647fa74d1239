"""stop_gradient and custom adjoint rules for the user's own functions."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import SrcGradError, custom_adjoint, d, grad, stop_gradient


def detached(w, x):
    scale = stop_gradient(w * 2.0)          # used as a value, but no gradient flows back
    return np.sum(scale * w * x)


def test_stop_gradient_passes_the_value_and_blocks_the_gradient():
    x = np.array([1.0, 2.0])
    value, g = srcgrad.value_and_grad(detached)(3.0, x)
    assert value == 54.0               # (2 * 3) * 3 * (1 + 2)
    assert g == 18.0                   # d/dw with scale = 6 held constant: 6 * (1 + 2)


def naive_logsumexp(x):
    return np.log(np.sum(np.exp(x)))


def stable_logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@custom_adjoint(stable_logsumexp)
def stable_logsumexp_adjoint(z, x):
    d[x] = d[z] * np.exp(x - z)            # the softmax, computed stably


def uses_stable(x):
    return stable_logsumexp(x * 2.0)


def test_custom_rule_is_used_and_appears_in_source():
    df = grad(uses_stable)
    x = np.array([1000.0, 1001.0, 999.0])     # np.exp(2x) overflows the naive form
    g = df(x)
    softmax = np.exp(2 * x - np.max(2 * x))
    softmax /= softmax.sum()
    np.testing.assert_allclose(g, 2.0 * softmax, rtol=1e-12)
    assert "d_t1 = d_uses_stable * np.exp(t1 - uses_stable)" in df.source
    small = np.array([0.1, -0.3, 0.5])
    np.testing.assert_allclose(df(small), numerical_grad(uses_stable, (small,), 0), rtol=1e-6)


def opaque(x, k=2.0):
    return float(np.sum(x) ** k)            # imagine a C extension


@custom_adjoint(opaque)
def opaque_adjoint(z, x, k=2.0):
    d[x] = np.full_like(x, d[z] * k * np.sum(x) ** (k - 1))


def calls_opaque(x):
    return opaque(x, k=3.0) * 0.5


def test_custom_rule_with_keyword_argument():
    x = np.array([0.5, 1.0])
    np.testing.assert_allclose(grad(calls_opaque)(x), [0.5 * 3.0 * 1.5 ** 2] * 2)


def test_rule_must_match_the_function_signature():
    with pytest.raises(SrcGradError, match=r"\(z, x, k\)"):
        @custom_adjoint(opaque)
        def wrong(z, y):
            d[y] = d[z]


def test_d_is_only_for_templates():
    with pytest.raises(RuntimeError):
        d["x"]
