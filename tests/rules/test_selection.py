"""The rules that choose: where (no NaN from the branch not taken), clip (the bounds pass
the gradient), casts. Exact values."""

import numpy as np

from srcgrad import grad


# --- np.where: no NaN from the branch not taken -----------------------------------------


def where_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


def where_log(x):
    return np.sum(np.where(x > 0, np.log(x), -1.0))


def where_divide(x, y):
    return np.sum(np.where(y != 0, x / y, 0.0))


def where_arcsin(x):
    return np.sum(np.where(np.abs(x) < 1, np.arcsin(x), 0.0))


def double_where(x, w):
    safe = np.where(x > 0, x, 1.0)
    return np.sum(np.where(x > 0, w * np.log(safe), 0.0))


def single_where_through_a_product(x, w):
    return np.sum(np.where(x > 0, w * np.log(x), 0.0))



def test_where_guarding_sqrt_has_a_finite_gradient(quiet):
    g = grad(where_sqrt)(np.array([-4.0, -1e-3, 0.0, 4.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 0.25])


def test_where_guarding_log_and_arcsin(quiet):
    np.testing.assert_array_equal(grad(where_log)(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 0.5])
    g = grad(where_arcsin)(np.array([-3.0, 0.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])


def test_where_guarding_a_division_by_zero(quiet):
    dx, dy = grad(where_divide, wrt=(0, 1))(np.array([1.0, 2.0]), np.array([0.0, 4.0]))
    np.testing.assert_array_equal(dx, [0.0, 0.25])
    np.testing.assert_array_equal(dy, [0.0, -2.0 / 16])


def test_double_where_idiom_keeps_every_path_finite(quiet):
    x, w = np.array([-1.0, 0.0, np.e]), np.array([2.0, 3.0, 4.0])
    dx, dw = grad(double_where, wrt=(0, 1))(x, w)
    np.testing.assert_allclose(dx, [0.0, 0.0, 4.0 / np.e])
    np.testing.assert_allclose(dw, [0.0, 0.0, 1.0])


def test_single_where_through_a_product_leaks_nan_as_documented(quiet):
    """The case docs/supported.md points to the double where for."""
    dx, dw = grad(single_where_through_a_product, wrt=(0, 1))(np.array([-1.0, 1.0]),
                                                               np.array([2.0, 3.0]))
    np.testing.assert_array_equal(dx, [0.0, 3.0])
    assert np.isnan(dw[0]) and dw[1] == 0.0


# --- clip: the bounds pass the gradient ---------------------------------------------------


def clipped(x):
    return np.sum(np.clip(x, 0.0, 1.0) * np.arange(1.0, 6.0))


def clip_bounds(x, lo, hi):
    return np.sum(np.clip(x, lo, hi))


def test_clip_passes_the_gradient_inside_and_at_the_bounds():
    g = grad(clipped)(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 2.0, 3.0, 4.0, 0.0])


def test_clip_bounds_get_the_gradient_where_they_replace_x():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    dx, dlo, dhi = grad(clip_bounds, wrt=(0, 1, 2))(x, 0.0, 1.0)
    np.testing.assert_array_equal(dx, [0.0, 1.0, 1.0, 1.0, 0.0])
    assert (dlo, dhi) == (1.0, 1.0)


# --- casts and constants ----------------------------------------------------------------------


def cast_float(x):
    return np.sum(x.astype(np.float32) * 2.0)


def cast_int(x):
    return np.sum(x.astype(int) * x)


def constants(x):
    a = np.array([1.0, 2.0, 3.0])
    b = np.zeros_like(x) + np.ones(3) + np.full(3, 2.0) + np.arange(3.0) + np.linspace(0, 1, 3)
    return np.sum(a * x + b + np.eye(3)[0])


def from_scalars(a, b):
    v = np.array([a, b, a * b])
    return np.sum(v * np.array([1.0, 10.0, 100.0]))


def test_astype_float_passes_the_gradient_in_the_input_dtype():
    g = grad(cast_float)(np.array([0.5, 1.5]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 2.0])


def test_astype_int_is_a_constant():
    np.testing.assert_array_equal(grad(cast_int)(np.array([1.5, -2.5])), [1.0, -2.0])


def test_constructors_are_constants_and_array_of_active_scalars_is_not():
    np.testing.assert_array_equal(grad(constants)(np.zeros(3)), [1.0, 2.0, 3.0])
    assert grad(from_scalars, wrt=(0, 1))(2.0, 3.0) == (301.0, 210.0)
