"""np.linalg.norm with an explicit `ord`: the matrix norms ('nuc', whose adjoint is U V^T
of the SVD; 2 and -2, the top and bottom singular pairs; 1, -1, inf, -inf, the largest or
smallest column or row sum) and every vector p-norm, over any pair of axes, with
keepdims. They raised NotImplementedError from inside srcgrad; now each is checked
against finite differences, against autograd where it has the gradient (the nuclear
norm), and in forward mode."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import grad

A = np.random.default_rng(0).normal(size=(3, 2))
STACK = np.random.default_rng(1).normal(size=(2, 3, 3))


def nuclear(a):
    return np.linalg.norm(a, ord="nuc")


def nuclear_autograd(a):
    return anp.linalg.norm(a, ord="nuc")


def test_the_nuclear_norm_is_u_times_v_transposed():
    g = grad(nuclear)(A)
    u, _, vh = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(g, u @ vh)
    np.testing.assert_allclose(g, autograd.grad(nuclear_autograd)(A))
    assert_grads_match(nuclear, (g,), (A,), (0,))


def matrix_norms(a, w):
    total = 0.0
    for i, order in enumerate(["nuc", 2, -2, 1, -1, np.inf, -np.inf, "fro"]):
        total = total + w[i] * np.linalg.norm(a, order)
    return total


def test_every_matrix_norm_matches_finite_differences():
    w = np.arange(1.0, 9.0)
    assert_grads_match(matrix_norms, (grad(matrix_norms)(A, w),), (A, w), (0,))


@pytest.mark.parametrize("order", ["nuc", 2, -2, 1, -1, np.inf, -np.inf])
def test_matrix_norms_of_a_stack_over_any_axes(order):
    def f(x):
        return np.sum(np.linalg.norm(x, order, axis=(2, 0), keepdims=True) * [[[1.0, 2.0, 3.0]]])
    assert_grads_match(f, (grad(f)(STACK),), (STACK,), (0,))


def test_forward_mode_of_matrix_norms():
    v = np.random.default_rng(2).normal(size=A.shape)
    for order in ("nuc", 2, 1, -np.inf):
        def f(a):
            return np.linalg.norm(a, order)
        value, slope = srcgrad.jvp(f)(A, tangent=v)
        assert value == np.linalg.norm(A, order)
        assert slope == pytest.approx(np.sum(grad(f)(A) * v))


@pytest.mark.parametrize("order", [0.5, -1.0, -np.inf, 3, 0])
def test_every_vector_p_norm(order):
    def f(x):
        return np.linalg.norm(x, order) + np.sum(np.linalg.norm(x.reshape(2, 2), order, axis=1))
    x = np.array([0.7, -1.3, 2.0, 0.4])
    g = grad(f)(x)
    assert_grads_match(f, (g,), (x,), (0,))
    if order == 0:  # a count of nonzero elements
        np.testing.assert_array_equal(g, np.zeros(4))


def test_the_hessian_of_the_nuclear_norm_is_autograds():
    expected = autograd.hessian(nuclear_autograd)(A)
    np.testing.assert_allclose(srcgrad.hessian(nuclear)(A), expected, rtol=1e-9, atol=1e-12)
