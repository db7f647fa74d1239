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


# --- repeated eigenvalues (docs/supported.md, "Repeated eigenvalues") ---------------------

A_REPEATED = np.diag([1.0, 1.0, 3.0])  # eigh returns 1, 1, 3 exactly
B = np.arange(9.0).reshape(3, 3) / 4


def squares_of_eigenvalues(c):
    return np.sum(np.linalg.eigvalsh(A_REPEATED + c + c.T) ** 2)


def projector_onto_the_repeated_pair(c):
    v = np.linalg.eigh(A_REPEATED + c + c.T)[1][:, :2]
    return np.sum((v @ v.T) * B)


def the_unique_eigenvector(c):
    v = np.linalg.eigh(A_REPEATED + c + c.T)[1][:, 2]
    return np.sum(np.outer(v, v) * B)


def _numeric(f, h=1e-6):
    out = np.zeros((3, 3))
    for i in np.ndindex(3, 3):
        e = np.zeros((3, 3))
        e[i] = h
        out[i] = (f(e) - f(-e)) / (2 * h)
    return out


@pytest.mark.parametrize("f", [squares_of_eigenvalues, projector_onto_the_repeated_pair,
                               the_unique_eigenvector])
def test_at_repeated_eigenvalues_a_basis_free_loss_has_its_gradient(f):
    got = srcgrad.grad(f)(np.zeros((3, 3)))
    np.testing.assert_allclose(got, _numeric(f), atol=1e-6)


def one_eigenvector_of_a_repeated_eigenvalue(a):
    return np.sum(np.linalg.eigh(a)[1][:, 0] * np.arange(3.0))


def test_an_eigenvector_of_a_repeated_eigenvalue_gets_a_finite_gradient():
    """It has no derivative (its basis is NumPy's choice): the terms of the equal pair are
    0, never inf or NaN."""
    g = srcgrad.grad(one_eigenvector_of_a_repeated_eigenvalue)(2.0 * np.eye(3))
    assert np.all(np.isfinite(g))
    _, t = srcgrad.jvp(one_eigenvector_of_a_repeated_eigenvalue)(2.0 * np.eye(3),
                                                                   tangent=B + B.T)
    assert np.isfinite(t)
