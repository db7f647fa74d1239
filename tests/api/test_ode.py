"""odeint: values against SciPy's solve_ivp, gradients (adjoint method) against central
finite differences, for every argument that carries one."""

import numpy as np
import pytest
from finite_diff import assert_grads_match
from scipy.integrate import solve_ivp

import srcgrad
from srcgrad import SrcGradError, grad, odeint

TIGHT = {"rtol": 1e-10, "atol": 1e-12}  # (inside a differentiated function: written out)


def lotka_volterra(y, t, a, b):
    return np.array([a * y[0] - b * y[0] * y[1], -y[1] + b * y[0] * y[1]])


def forced_decay(y, t, k):
    return -k * y + np.sin(t)


def linear(y, t, A):
    return A @ y


def no_params(y, t):
    return np.cos(t) * y - y ** 3


def matrix_state(Y, t, W):
    return np.tanh(W @ Y) - 0.5 * Y


def reference(func, y0, t, *params):
    solved = solve_ivp(lambda s, y: func(y.reshape(np.shape(y0)), s, *params).ravel(),
                       (t[0], t[-1]), np.ravel(y0), t_eval=t, method="DOP853", rtol=1e-12,
                       atol=1e-14)
    return solved.y.T.reshape((len(t),) + np.shape(y0))


@pytest.mark.parametrize("func, y0, t, params", [
    (lotka_volterra, np.array([1.0, 0.5]), np.linspace(0, 5, 11), (1.1, 0.4)),
    (forced_decay, np.array([1.0, -2.0, 0.3]), np.array([0.0, 0.1, 2.0, 3.5]), (0.7,)),
    (no_params, 0.8, np.linspace(0, 3, 5), ()),
    (matrix_state, np.arange(6.0).reshape(3, 2) / 6, np.array([0.0, 1.0]),
     (np.array([[0.5, -1.0, 0.2], [0.3, 0.1, -0.4], [1.0, 0.0, 0.2]]),)),
    (forced_decay, np.array([1.0, 2.0]), np.array([2.0, 1.0, -0.5]), (0.3,)),  # backwards
])
def test_value_matches_solve_ivp(func, y0, t, params):
    ys = odeint(func, y0, t, *params, **TIGHT)
    assert ys.shape == (len(t),) + np.shape(y0)
    np.testing.assert_allclose(ys, reference(func, y0, t, *params), rtol=1e-8, atol=1e-10)


def lv_loss(y0, a, b, t):
    return np.sum(odeint(lotka_volterra, y0, t, a, b, rtol=1e-10, atol=1e-12) ** 2)


def test_gradients_to_y0_params_and_times():
    args = (np.array([1.0, 0.5]), 1.1, 0.4, np.linspace(0.0, 3.0, 6))
    g = grad(lv_loss, wrt=(0, 1, 2, 3))
    assert "odeint_backward(" in g.source
    assert_grads_match(lv_loss, g(*args), args, (0, 1, 2, 3), rtol=1e-6, atol=1e-6)


def matrix_loss(Y0, W, t):
    Y = odeint(matrix_state, Y0, t, W, rtol=1e-10, atol=1e-12)
    return np.sum(Y[-1] * np.arange(6.0).reshape(3, 2)) + np.mean(Y[1] ** 2)


def test_matrix_state_and_matrix_parameter():
    args = (np.arange(6.0).reshape(3, 2) / 6 - 0.3,
            np.array([[0.5, -1.0, 0.2], [0.3, 0.1, -0.4], [1.0, 0.0, 0.2]]),
            np.array([0.0, 0.4, 1.5]))
    assert_grads_match(matrix_loss, grad(matrix_loss, wrt=(0, 1, 2))(*args), args, (0, 1, 2),
                       rtol=1e-6, atol=1e-7)


def scalar_loss(y0, t_end):
    ys = odeint(no_params, y0, np.array([0.0, 0.5, t_end]), rtol=1e-10, atol=1e-12)
    return ys[-1] * ys[1]


def test_scalar_state_no_params_and_end_time():
    args = (0.8, 2.0)
    assert_grads_match(scalar_loss, grad(scalar_loss, wrt=(0, 1))(*args), args, (0, 1),
                       rtol=1e-6, atol=1e-7)


def backwards_loss(y0, k):
    return np.sum(odeint(forced_decay, y0, np.array([2.0, 1.0, -0.5]), k, rtol=1e-10, atol=1e-12)[1:] ** 3)


def test_decreasing_times():
    args = (np.array([1.0, 2.0]), 0.3)
    assert_grads_match(backwards_loss, grad(backwards_loss, wrt=(0, 1))(*args), args, (0, 1),
                       rtol=1e-6, atol=1e-6)


def stiffish_loss(A, y0):
    return np.sum(odeint(linear, y0, np.linspace(0.0, 1.0, 3), A, rtol=1e-10, atol=1e-12)[-1])


def test_linear_system_matches_the_matrix_exponential():
    from scipy.linalg import expm
    A = np.array([[-2.0, 1.0], [0.5, -3.0]])
    y0 = np.array([1.0, -1.0])
    np.testing.assert_allclose(odeint(linear, y0, [0.0, 1.0], A, **TIGHT)[-1],
                               expm(A) @ y0, rtol=1e-9)
    assert_grads_match(stiffish_loss, grad(stiffish_loss, wrt=(0, 1))(A, y0), (A, y0), (0, 1),
                       rtol=1e-6, atol=1e-7)


def test_float32_state_keeps_its_dtype_and_one_time_is_y0():
    y0 = np.array([1.0, 2.0], dtype=np.float32)
    assert odeint(forced_decay, y0, [0.0, 1.0], 0.5).dtype == np.float32
    np.testing.assert_array_equal(odeint(forced_decay, y0, [3.0], 0.5), [y0])


def wrong_shape(y, t):
    return np.sum(y)


@pytest.mark.parametrize("call, message", [
    (lambda: odeint(wrong_shape, np.ones(2), [0.0, 1.0]), "must return dy/dt shaped like y"),
    (lambda: odeint(no_params, 1.0, [0.0, 1.0, 0.5]), "increasing or decreasing"),
    (lambda: odeint(no_params, 1.0, [[0.0, 1.0]]), "1-d array"),
    (lambda: odeint(no_params, 1.0, [0.0, 100.0], max_steps=5), "max_steps"),
    (lambda: odeint(no_params, np.nan, [0.0, 1.0]), "not finite at t=0"),
])
def test_bad_calls_are_refused(call, message):
    with pytest.raises(SrcGradError, match=message):
        call()


def blow_up(y, t):
    return y ** 2


def test_a_solution_that_blows_up_is_refused():
    with pytest.raises(SrcGradError, match="step size|max_steps"):
        odeint(blow_up, 1.0, [0.0, 2.0])


def test_top_level_export():
    assert srcgrad.odeint is odeint


def scribbles_on_y(y, t):
    y[0] = 100.0  # a plain solve runs func as written: the solver's state must not change
    return -y


def test_a_func_writing_into_y_does_not_change_the_solver_state():
    ys = odeint(scribbles_on_y, np.array([1.0, 2.0]), [0.0, 1.0], **TIGHT)
    np.testing.assert_allclose(ys[-1, 1], 2.0 * np.exp(-1.0), rtol=1e-9)


def list_param(y, t, p):
    return -p[0] * y + p[1]


def list_loss(y0, p):
    return np.sum(odeint(list_param, y0, [0.0, 1.0], p, rtol=1e-10, atol=1e-12))


def test_a_list_parameter_gets_a_list_gradient():
    g = grad(list_loss, wrt=1)(np.array([1.0, 2.0]), [0.5, 0.2])
    assert isinstance(g, list)
    assert_grads_match(lambda y0, p: list_loss(y0, list(p)), (np.asarray(g),),
                       (np.array([1.0, 2.0]), np.array([0.5, 0.2])), (1,), rtol=1e-6)


def configured(y, t, k, repeats, sign):
    out = y
    for _ in range(repeats):
        out = -k * out
    return out if sign == "keep" else -out


def configured_loss(y0, k):
    return np.sum(odeint(configured, y0, [0.0, 0.5], k, 1, "keep", rtol=1e-10, atol=1e-12))


def test_integer_and_string_parameters_pass_through_without_a_gradient():
    args = (np.array([1.0, 2.0]), 0.7)
    assert_grads_match(configured_loss, grad(configured_loss, wrt=(0, 1))(*args), args, (0, 1),
                       rtol=1e-6)
