"""The rules of Python's operators at their edges: integer division and remainder."""

import numpy as np

from srcgrad import grad


# --- integer division and remainder ---------------------------------------------------------


def floor_div(x):
    return np.sum(x // 0.5 + x)


def remainder(x, y):
    return np.sum(x % y)


def test_floor_divide_has_zero_gradient():
    np.testing.assert_array_equal(grad(floor_div)(np.array([0.3, 1.7, -2.2])), [1.0, 1.0, 1.0])


def test_remainder_gradient():
    dx, dy = grad(remainder, wrt=(0, 1))(np.array([7.0, -7.0]), np.array([2.0, 2.0]))
    np.testing.assert_array_equal(dx, [1.0, 1.0])
    np.testing.assert_array_equal(dy, [-3.0, 4.0])
