"""np.piecewise written out as masked assignments (frontend/piecewise.py): lambdas, the
user's functions and constants in funclist, the `*args, **kw` NumPy passes them, one
condition or a list, the implicit "otherwise"; reverse mode, forward mode and the Hessian
against central finite differences, values against NumPy's own."""

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError


def cubic(v, a):
    return a * v ** 3


def listed(x, a):  # a lambda, a helper, a constant; *args; the otherwise
    y = np.piecewise(x, [x < -0.5, x > 0.5], [lambda v, b: np.sin(v) * b, cubic, 0.25], a)
    return np.sum(y ** 2)


def one_condition(x, a):  # a single boolean array, two functions: the second where it fails
    flat = np.ravel(x)  # (NumPy reads an N-d one as a list of conditions)
    return np.sum(np.piecewise(flat, flat > 0, [lambda v: v * a, lambda v: -v ** 2]))


def nested_with_keyword(x, a):  # a nested def and an active constant; **kw
    def power(v, k=2.0):
        return v ** k
    return np.sum(np.piecewise(x, [x < 0, x >= 0], (power, a), k=3.0) * x)


def overlapping(x, a):  # where two hold, the later one wins; where none holds, zero
    y = np.piecewise(x, [x < 0.3, x > -0.3, x > 0.9], [np.exp, lambda v: a * v, np.cos])
    return np.sum(np.tanh(y))


def in_a_loop(x, a):
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.piecewise(x * a, [x < 0.1 * k], [np.sinh, np.sin]))
    return total


def keywords_by_name(x, a):
    return np.sum(np.piecewise(x, condlist=[x > 0.2], funclist=[lambda v: np.log1p(v ** 2) * a]))


FUNCTIONS = [listed, one_condition, nested_with_keyword, overlapping, in_a_loop,
             keywords_by_name]
X = np.array([[-1.3, -0.7, -0.2], [0.05, 0.4, 0.95], [1.2, -0.45, 0.65]])
A = 1.7


def _numeric_gradient(f, x, a, h=1e-6):
    gx = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        gx[i] = (f(x + e, a) - f(x - e, a)) / (2 * h)
    return gx, (f(x, a + h) - f(x, a - h)) / (2 * h)


@pytest.mark.parametrize("f", FUNCTIONS)
def test_gradient_tangent_and_hessian_match_finite_differences(f):
    gx, ga = srcgrad.grad(f, wrt=(0, 1))(X, A)
    nx, na = _numeric_gradient(f, X, A)
    np.testing.assert_allclose(gx, nx, rtol=1e-6, atol=1e-7)
    assert ga == pytest.approx(na, rel=1e-6, abs=1e-7)
    v = np.cos(np.arange(9.0)).reshape(3, 3)
    value, tangent = srcgrad.jvp(f, wrt=(0, 1))(X, A, tangent=(v, 0.3))
    assert value == pytest.approx(f(X, A))
    assert tangent == pytest.approx(np.sum(nx * v) + 0.3 * na, rel=1e-6, abs=1e-7)
    hessian = srcgrad.hessian(lambda x: f(x, A))(X).reshape(9, 9)
    h = 1e-5
    numeric = np.stack([(srcgrad.grad(f)(X + h * e.reshape(3, 3), A)
                         - srcgrad.grad(f)(X - h * e.reshape(3, 3), A)).ravel() / (2 * h)
                        for e in np.eye(9)])
    np.testing.assert_allclose(hessian, numeric, rtol=1e-5, atol=1e-6)


def _one_function(x):
    return np.piecewise(x, [x < 0], [lambda v: v * 2.0])


def _a_condition_and_otherwise(x):
    return np.piecewise(x, x > 0, [np.sin, 3.0])


def _overlapping_and_otherwise(x):
    return np.piecewise(x, [x > 0, x > 0.5], [lambda v: v + 1, lambda v: v * 4, -1.0])


@pytest.mark.parametrize("f", [_one_function, _a_condition_and_otherwise,
                               _overlapping_and_otherwise])
def test_values_are_numpys_for_every_form(f):
    for x in (X[0], np.float64(0.4), np.array(-0.3), np.zeros((0,)),
              X[1].astype(np.float32)):
        if np.size(x) == 0 and f is _a_condition_and_otherwise:
            continue  # (NumPy fails there too: it reads the condition's first item)
        got, _ = srcgrad.jvp(f)(x, tangent=np.ones_like(x))
        expected = f(x)
        np.testing.assert_array_equal(got, expected)
        assert np.asarray(got).dtype == expected.dtype


def _conditions_of_a_zero_d(x):
    return np.piecewise(x, [x > 0], [lambda v: v ** 3, lambda v: 2 * v])


def test_a_zero_d_array_and_float32():
    for x in (np.array(0.7), np.array(-0.7)):
        expected = 3 * 0.49 if x > 0 else 2.0
        assert srcgrad.grad(_conditions_of_a_zero_d)(x) == pytest.approx(expected)
    g = srcgrad.grad(lambda x: np.sum(np.piecewise(x, [x > 0], [np.square])))(
        np.array([-1.0, 2.0], dtype=np.float32))
    assert g.dtype == np.float32 and list(g) == [0.0, 4.0]


def _reduces(x):  # NumPy calls a function only where its condition holds somewhere
    return np.sum(np.piecewise(x, [x > 5, x <= 5], [lambda v: np.max(v) * v, np.sin]))


def test_a_function_whose_condition_never_holds_is_not_called():
    x = np.array([0.3, -0.2])
    np.testing.assert_allclose(srcgrad.grad(_reduces)(x), np.cos(x))


def _listed_elsewhere(x):
    funcs = [np.sin, np.cos]
    return np.sum(np.piecewise(x, [x > 0], funcs))


def _number(x):
    return np.piecewise(float(x[0]), [True], [lambda v: v * 2.0])


def test_refusals_name_the_line_and_what_to_write():
    with pytest.raises(SrcGradError, match="functions listed in the call"):
        srcgrad.grad(_listed_elsewhere)(np.array([0.5, -0.5]))
    with pytest.raises(SrcGradError, match="Pass an array"):
        srcgrad.grad(lambda x: np.sum(_number(x)))(np.array([0.5]))
