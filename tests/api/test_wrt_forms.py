"""The ways to say which arguments to differentiate: indices into *args, keyword-only
parameters, slips that get a hint."""

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError


def total(*xs):
    return sum(np.sum(v ** 2) for v in xs)


def scaled(w, *xs):
    return np.sum(w * xs[0]) + np.sum(xs[1] ** 3)


def keyword_only(x, *, scale=2.0, shift=0.5):
    return np.sum(scale * x ** 2 + shift * x)


X, Y = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])


def test_an_index_into_star_args_is_that_argument():
    np.testing.assert_allclose(srcgrad.grad(total, wrt=0)(X, Y), 2 * X)
    np.testing.assert_allclose(srcgrad.grad(total, wrt=1)(X, Y), 2 * Y)
    gx, gy = srcgrad.grad(total, wrt=(0, 1))(X, Y)
    np.testing.assert_allclose(gx, 2 * X)
    np.testing.assert_allclose(gy, 2 * Y)


def test_indices_past_the_named_parameters_count_into_star_args():
    gw, g1 = srcgrad.grad(scaled, wrt=(0, 2))(X, Y, X)
    np.testing.assert_allclose(gw, Y)
    np.testing.assert_allclose(g1, 3 * X ** 2)
    value, g = srcgrad.value_and_grad(scaled, wrt=1)(X, Y, X)
    assert value == pytest.approx(scaled(X, Y, X))
    np.testing.assert_allclose(g, X)


def test_an_index_past_the_arguments_passed_is_refused():
    with pytest.raises(SrcGradError, match="argument 2 of \\*xs"):
        srcgrad.grad(total, wrt=2)(X, Y)


def test_keyword_only_parameters():
    np.testing.assert_allclose(srcgrad.grad(keyword_only)(X, scale=3.0), 6 * X + 0.5)
    assert srcgrad.grad(keyword_only, wrt="scale")(X, scale=3.0) == pytest.approx(14.0)
    gs, gh = srcgrad.grad(keyword_only, wrt=("scale", "shift"))(X)
    assert (gs, gh) == (pytest.approx(14.0), pytest.approx(6.0))


def test_keyword_only_parameters_in_forward_mode_and_second_order():
    value, slope = srcgrad.jvp(keyword_only, wrt="scale")(X, scale=3.0, tangent=1.0)
    assert (value, slope) == (pytest.approx(keyword_only(X, scale=3.0)), pytest.approx(14.0))
    assert srcgrad.hessian(keyword_only, wrt="shift")(X, scale=3.0) == pytest.approx(0.0)
    np.testing.assert_allclose(srcgrad.hessian(keyword_only)(X, scale=3.0), 6.0 * np.eye(3))


def test_star_args_in_forward_mode_and_second_order():
    _, slope = srcgrad.jvp(total, wrt="xs")(X, Y, tangent=(Y, X))
    assert slope == pytest.approx(4 * X @ Y)
    hv = srcgrad.hvp(total, wrt="xs")(X, Y, tangent=(Y, X))
    np.testing.assert_allclose(hv[0], 2 * Y)
    np.testing.assert_allclose(hv[1], 2 * X)


def test_a_misspelt_name_gets_the_close_match():
    with pytest.raises(SrcGradError, match="did you mean wrt='scale'"):
        srcgrad.grad(keyword_only, wrt="scal")(X)


def test_a_set_gets_the_tuple_form():
    with pytest.raises(SrcGradError, match="as a tuple"):
        srcgrad.grad(scaled, wrt={0, 1})(X, Y, X)


def test_forward_mode_asks_for_the_whole_tuple():
    with pytest.raises(SrcGradError, match="wrt='xs'"):
        srcgrad.jvp(total, wrt=0)(X, Y, tangent=X)
