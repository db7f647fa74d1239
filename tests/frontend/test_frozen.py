"""Frozen scipy.stats distributions (`d = scipy.stats.norm(mu, s); d.logpdf(x)`): read as
the distribution's functions with the parameters bound where it was made."""

import numpy as np
import pytest
import scipy.stats
from scipy.stats import multivariate_normal as mvn, norm, poisson

import srcgrad
from srcgrad import SrcGradError


def rebound(x, mu, s):
    d = norm(mu, scale=s)
    mu = mu * 3.0  # the frozen distribution keeps the mu it was made with
    return np.sum(d.logpdf(x)) + np.sum(d.cdf(x * mu))


def looped(x, mu, s):
    total = 0.0
    for i in range(3):
        d = scipy.stats.t(3.0 + i, loc=mu * i, scale=s)
        total = total + np.sum(d.logpdf(x))
    return total


def several_variables(x, mu, s):
    d = mvn(mu * np.ones(3), s * np.eye(3) + 0.5)
    return np.sum(d.logpdf(np.stack([x, x * 2])))


def counts(x, mu, s):
    d = poisson(mu * s)
    return np.sum(d.logpmf(np.array([0, 1, 4]))) + np.sum(x * d.pmf(2))


def in_a_lambda(x, mu, s):
    d = norm(mu, s)
    g = lambda v: d.logpdf(v) * 2  # noqa: E731
    return np.sum(g(x))


ARGS = (np.array([0.3, -0.4, 1.2]), 0.7, 1.4)


def _numeric(f, args, i, h=1e-6):
    x = np.asarray(args[i], dtype=float)
    out = []
    for e in np.eye(x.size):
        step = e.reshape(x.shape) * h
        plus = list(args)
        minus = list(args)
        plus[i], minus[i] = x + step, x - step
        out.append((f(*plus) - f(*minus)) / (2 * h))
    return np.array(out).reshape(x.shape)


@pytest.mark.parametrize("f", [rebound, looped, several_variables, counts, in_a_lambda])
def test_gradients_and_second_derivatives_match_finite_differences(f):
    grads = srcgrad.grad(f, wrt=(0, 1, 2))(*ARGS)
    for i, got in enumerate(grads):
        np.testing.assert_allclose(got, _numeric(f, ARGS, i), rtol=1e-6, atol=1e-8)
    second = srcgrad.hessian(f, wrt=1)(*ARGS)
    np.testing.assert_allclose(second, _numeric(srcgrad.grad(f, wrt=1), ARGS, 1, h=1e-5),
                               rtol=1e-5, atol=1e-7)
    assert "logp" in srcgrad.grad(f, wrt=(0, 1, 2)).source


def handed_on(x, mu, s):
    d = norm(mu, s)
    h = d
    return np.sum(h.logpdf(x))


def entropy(x, mu, s):
    d = norm(mu, s)
    return d.entropy() + np.sum(x)


def test_a_frozen_distribution_read_otherwise_is_refused_there():
    with pytest.raises(SrcGradError, match="frozen distribution `d`"):
        srcgrad.grad(handed_on)(*ARGS)


def test_a_method_with_no_rule_is_refused_by_its_public_name():
    with pytest.raises(SrcGradError, match="scipy.stats.norm.entropy"):
        srcgrad.grad(entropy, wrt=1)(*ARGS)
