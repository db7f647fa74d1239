"""What the factorizations' rules refuse and where they choose (rules/decompositions.py)."""

import numpy as np
import pytest

import srcgrad


def extra_columns(a):
    return np.sum(np.linalg.svd(a)[0] ** 2 * np.arange(4.0))  # U is 4 x 4 for a 4 x 2 a


def singular_values(a):
    return np.sum(np.linalg.svd(a)[1])


def test_svd_refuses_a_gradient_through_the_undetermined_extra_columns():
    with pytest.raises(srcgrad.SrcGradError, match="full_matrices=False"):
        srcgrad.grad(extra_columns)(np.random.default_rng(0).normal(size=(4, 2)))


def test_svd_with_full_matrices_differentiates_what_is_determined():
    a = np.random.default_rng(1).normal(size=(4, 2))
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(srcgrad.grad(singular_values)(a), u @ vh, atol=1e-12)


def eigenvalue_sum(a):
    return np.sum(np.linalg.eigh(a)[0] * np.arange(3.0))


def test_eigh_gives_the_symmetric_gradient():
    a = np.random.default_rng(2).normal(size=(3, 3))
    a = a + a.T
    g = srcgrad.grad(eigenvalue_sum)(a)
    np.testing.assert_allclose(g, g.T, atol=1e-12)
    v = np.linalg.eigh(a)[1]
    np.testing.assert_allclose(g, v @ np.diag(np.arange(3.0)) @ v.T, atol=1e-10)
