"""np.r_[...] and np.c_[...]: joining by subscript. They were resolved as constants (a
subscript of a NumPy object) and gave zero gradients; now arrays, numbers, lists and
slices (constant ranges) are joined and their adjoints split back, after a numeric
directive too ('0,2'); the np.matrix directives ('r', 'c') are refused at the user's
line. Checked against finite differences, autograd, forward mode and second order."""

import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import SrcGradError, grad

X = np.array([1.0, 2.0, 3.0])
M = np.arange(6.0).reshape(2, 3) / 5.0
r_ = np.r_


def rows(x):
    return np.sum(np.r_[x, x[:2] * 2.0] ** 2)


def rows_autograd(x):
    return anp.sum(anp.r_[x, x[:2] * 2.0] ** 2)


def columns(x):
    return np.sum(np.c_[x, x * 2.0] ** 2 * np.arange(6.0).reshape(3, 2))


def columns_autograd(x):
    return anp.sum(anp.c_[x, x * 2.0] ** 2 * np.arange(6.0).reshape(3, 2))


@pytest.mark.parametrize("f, f_autograd", [(rows, rows_autograd), (columns, columns_autograd)])
def test_r_and_c_against_autograd(f, f_autograd):
    g = grad(f)(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # autograd: "r_ is slow"
        np.testing.assert_allclose(g, autograd.grad(f_autograd)(X))
    assert_grads_match(f, (g,), (X,), (0,))
    np.testing.assert_array_equal(grad(rows)(X), [10.0, 20.0, 6.0])


def mixed(x, s, m):
    joined = r_[x, 0:2, s * 3.0, 4.0, [5.0, s], 1:2:3j]
    return np.sum(np.sin(joined)) + np.sum(np.r_["0,2", x, x * s] * m) \
        + np.sum(np.c_[m.T, x] ** 2) + np.sum(np.r_["1,2,0", x, m.T] ** 3)


def test_numbers_lists_slices_and_directives():
    args = (X, 0.7, M)
    grads = grad(mixed, wrt=(0, 1, 2))(*args)
    assert_grads_match(mixed, grads, args, (0, 1, 2))


def test_forward_mode_and_second_order():
    args, vs = (X, 0.7, M), (np.array([0.3, -1.0, 2.0]), 0.5, np.ones((2, 3)))
    _, slope = srcgrad.jvp(mixed, wrt=(0, 1, 2))(*args, tangent=vs)
    grads = grad(mixed, wrt=(0, 1, 2))(*args)
    assert slope == pytest.approx(sum(np.sum(g * v) for g, v in zip(grads, vs)))
    hessian = srcgrad.hessian(rows)(X)
    np.testing.assert_allclose(hessian, np.diag([10.0, 10.0, 2.0]))


def as_matrix(x):
    return np.sum(np.r_["r", x, x])


def test_a_matrix_directive_is_refused_at_the_line():
    with pytest.raises(SrcGradError, match=r"np.matrix[\s\S]*as_matrix[\s\S]*np.stack"):
        grad(as_matrix)(X)
