"""The rules of reductions at their edges: ties of max and min split the gradient equally,
products with zeros. Exact values."""

import numpy as np
from finite_diff import numerical_grad

from srcgrad import grad


# --- ties split the gradient equally -------------------------------------------------


def max_all(x):
    return np.max(x)


def max_rows(x):
    return np.sum(np.max(x, axis=1) * np.array([1.0, 2.0]))


def min_method(x):
    return x.min()


def amax_keepdims(x):
    return np.sum(np.amax(x, axis=0, keepdims=True))


def elementwise_max(x, y):
    return np.sum(np.maximum(x, y))


def hinge(x):
    return max(x, 0.0)


def test_max_ties_split_equally():
    np.testing.assert_array_equal(grad(max_all)(np.array([1.0, 3.0, 3.0, 2.0])),
                                  [0.0, 0.5, 0.5, 0.0])


def test_max_over_axis_ties_per_row():
    x = np.array([[1.0, 2.0, 2.0], [4.0, 4.0, 4.0]])
    np.testing.assert_allclose(grad(max_rows)(x), [[0, 0.5, 0.5], [2 / 3, 2 / 3, 2 / 3]])


def test_min_method_and_amax_keepdims_ties():
    np.testing.assert_array_equal(grad(min_method)(np.array([0.0, -1.0, -1.0, -1.0, 5.0])),
                                  [0, 1 / 3, 1 / 3, 1 / 3, 0])
    x = np.array([[1.0, 7.0], [1.0, 2.0]])
    np.testing.assert_array_equal(grad(amax_keepdims)(x), [[0.5, 1.0], [0.5, 0.0]])


def test_maximum_tie_gives_half_to_each_side():
    dx, dy = grad(elementwise_max, wrt=(0, 1))(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    np.testing.assert_array_equal(dx, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(dy, [1.0, 0.5, 0.0])


def test_builtin_max_of_scalars():
    assert grad(hinge)(2.5) == 1.0
    assert grad(hinge)(-2.5) == 0.0


# --- products with zeros -------------------------------------------------------------------


def product(x):
    return np.prod(x)


def product_rows(x):
    return np.sum(np.prod(x, axis=1))


def running_product(x):
    return np.sum(np.cumprod(x))


def test_prod_with_one_zero_and_with_two():
    np.testing.assert_array_equal(grad(product)(np.array([2.0, 0.0, 3.0])), [0.0, 6.0, 0.0])
    np.testing.assert_array_equal(grad(product)(np.array([2.0, 0.0, 0.0])), [0.0, 0.0, 0.0])
    x = np.array([[1.0, 2.0, 3.0], [0.0, 5.0, 2.0]])
    np.testing.assert_array_equal(grad(product_rows)(x), [[6.0, 3.0, 2.0], [10.0, 0.0, 0.0]])


def test_cumprod_with_a_zero_matches_finite_differences():
    x = np.array([2.0, 0.0, 3.0, 0.5])
    np.testing.assert_allclose(grad(running_product)(x), numerical_grad(running_product, [x], 0),
                               atol=1e-8)
    np.testing.assert_array_equal(grad(running_product)(x), [1.0, 2 + 6 + 3, 0.0, 0.0])
