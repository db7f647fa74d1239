"""The cdfs at the points where a formula's pieces meet: the slope is the density there."""

import numpy as np
import pytest
import scipy.stats

import srcgrad


def laplace_cdf(x):
    return np.sum(scipy.stats.laplace.cdf(x, 0.2, 0.7))


def laplace_logcdf(x):
    return np.sum(scipy.stats.laplace.logcdf(x, 0.2, 0.7))


def t_cdf(x):
    return np.sum(scipy.stats.t.cdf(x, 3.0))


def t_cdf_in_df(df):
    return np.sum(scipy.stats.t.cdf(np.ones(2), df))


def test_the_slope_where_the_pieces_meet_is_the_density():
    at = np.array([0.2, 1.0])  # z = 0 for laplace (loc 0.2), then a point inside
    density = scipy.stats.laplace.pdf(at, 0.2, 0.7)
    np.testing.assert_allclose(srcgrad.grad(laplace_cdf)(at), density, rtol=1e-12)
    np.testing.assert_allclose(srcgrad.grad(laplace_logcdf)(at),
                               density / scipy.stats.laplace.cdf(at, 0.2, 0.7), rtol=1e-12)
    zero = np.array([0.0, 0.5])
    np.testing.assert_allclose(srcgrad.grad(t_cdf)(zero), scipy.stats.t.pdf(zero, 3.0),
                               rtol=1e-12)
    second = srcgrad.hessian(t_cdf)(zero)  # the density's slope: 0 at z = 0
    np.testing.assert_allclose(np.diag(second)[0], 0.0, atol=1e-12)


def test_a_gradient_in_the_degrees_of_freedom_is_refused():
    with pytest.raises(srcgrad.SrcGradError, match="df"):
        srcgrad.grad(t_cdf_in_df)(3.0)


def test_a_tangent_in_the_degrees_of_freedom_is_refused():
    with pytest.raises(srcgrad.SrcGradError, match="df"):
        srcgrad.jvp(t_cdf_in_df)(3.0, tangent=1.0)
