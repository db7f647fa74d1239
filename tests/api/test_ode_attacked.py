"""odeint under attack (issue 26's review): a stiff system (y integrated backward over an
interval drifts from the forward solution: the gradient was 2.51 for -0.00108), dict and
list parameters (a silent zero gradient), repeated output times."""

import numpy as np
from finite_diff import numerical_grad

from srcgrad import grad, odeint

Y0 = np.array([1.0, 0.5])
M = np.array([[-0.5, 1.0], [-1.0, -0.2]])


def stiff(y, t, k):
    return np.array([-k * (y[0] - np.cos(t)), y[0] - y[1]])


def stiff_loss(k, y0):
    return np.sum(odeint(stiff, y0, np.linspace(0.0, 2.0, 5), k) ** 2)


def test_stiff_system_gradient():
    gk, gy = grad(stiff_loss, wrt=(0, 1))(50.0, Y0)
    # finite differences of a tight solve (-0.0010758907 for k; scipy's Radau agrees)
    def tight(k, y0):
        return np.sum(odeint(stiff, y0, np.linspace(0.0, 2.0, 5), k, rtol=1e-11,
                             atol=1e-13) ** 2)

    np.testing.assert_allclose(gk, numerical_grad(tight, (50.0, Y0), 0, eps=1e-4),
                               rtol=1e-4)
    np.testing.assert_allclose(gy, numerical_grad(tight, (50.0, Y0), 1, eps=1e-6),
                               rtol=1e-5)


def by_key(y, t, p):
    return -p["k"] * y + p["b"]


def dict_loss(k):
    return np.sum(odeint(by_key, Y0, np.array([0.0, 1.0]), {"k": k, "b": np.array([0.1, 0.0])}))


def dict_param_loss(p):
    return np.sum(odeint(by_key, Y0, np.array([0.0, 1.0]), p))


def test_dict_parameter():
    expected = numerical_grad(dict_loss, (0.7,), 0)
    np.testing.assert_allclose(grad(dict_loss)(0.7), expected, rtol=1e-6)
    g = grad(dict_param_loss)({"k": 0.7, "b": np.array([0.1, 0.0])})
    np.testing.assert_allclose(g["k"], expected, rtol=1e-6)
    b_grad = (1 - np.exp(-0.7)) / 0.7  # d y(1) / d b for dy/dt = -k y + b
    np.testing.assert_allclose(g["b"], [b_grad, b_grad], rtol=1e-6)


def by_item(y, t, p):
    return -p[0] * y + p[1]


def list_loss(a, b):
    return np.sum(odeint(by_item, Y0, np.array([0.0, 0.5]), [a, b]))


def test_list_parameter_of_arrays():
    args = (np.array([0.5, 1.5]), np.array([0.1, 0.2]))
    ga, gb = grad(list_loss, wrt=(0, 1))(*args)
    np.testing.assert_allclose(ga, numerical_grad(list_loss, args, 0), rtol=1e-6)
    np.testing.assert_allclose(gb, numerical_grad(list_loss, args, 1), rtol=1e-6)


def linear(y, t, A):
    return A @ y


def repeated_loss(y0, A, times):
    weights = np.arange(1.0, 9.0).reshape(4, 2)
    return np.sum(odeint(linear, y0, times, A) ** 2 * weights)


def test_repeated_times():
    for times in ([0.0, 1.0, 1.0, 2.0], [0.0, 0.0, 1.0, 2.0], [2.0, 1.0, 1.0, 0.0]):
        times = np.array(times)
        ys = odeint(linear, Y0, times, M)
        repeated = 1 if times[1] == times[2] else 0  # the row of the time given twice
        np.testing.assert_array_equal(ys[repeated], ys[repeated + 1])
        gy, gA = grad(repeated_loss, wrt=(0, 1))(Y0, M, times)
        np.testing.assert_allclose(gy, numerical_grad(repeated_loss, (Y0, M, times), 0),
                                   rtol=1e-5)
        np.testing.assert_allclose(gA, numerical_grad(repeated_loss, (Y0, M, times), 1),
                                   rtol=1e-5)
