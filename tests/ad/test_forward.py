"""The forward-mode pass (srcgrad/forward.py): what the generated tangent code contains,
and that it stays right in the corners (dropped terms, broadcasting, merges, refusals)."""

import numpy as np
import pytest

import srcgrad
from srcgrad import custom_adjoint, d
from srcgrad.rules import RULES, tangent


def product(x, y):
    return x * y


def test_terms_of_operands_without_a_tangent_are_never_computed():
    text = srcgrad.jvp(product, wrt=0).source
    assert "product_dot = x_dot * y\n" in text
    assert "zero" not in text
    _, t = srcgrad.jvp(product, wrt=0)(np.array([1.0, 2.0]), np.array([3.0, 4.0]),
                                       tangent=np.array([1.0, -1.0]))
    np.testing.assert_array_equal(t, [3.0, -4.0])


def shifted(x, y):
    return x + y


def test_a_lone_smaller_tangent_is_spread_to_the_result_shape():
    x, y = np.ones((2, 3)), np.arange(3.0)
    text = srcgrad.jvp(shifted, wrt=1).source
    assert "broadcast_like(y_dot, shifted)" in text
    _, t = srcgrad.jvp(shifted, wrt=1)(x, y, tangent=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(t, [[1.0, 2.0, 3.0]] * 2)
    assert np.sum(srcgrad.jvp(lambda x, y: np.sum(x + y), wrt=1)(
        x, y, tangent=np.ones(3))[1]) == 6.0
    assert "broadcast_like" not in srcgrad.jvp(shifted, wrt=(0, 1)).source


def clipped(x):
    if np.sum(x) > 0.0:
        y = x * 2.0
    else:
        y = np.zeros(3)  # no tangent on this path
    return y


def test_a_path_that_assigns_a_constant_gets_a_zero_tangent():
    j = srcgrad.jvp(clipped)
    np.testing.assert_array_equal(j(np.ones(3), tangent=np.ones(3))[1], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(j(-np.ones(3), tangent=np.ones(3))[1], [0.0, 0.0, 0.0])
    assert "y_dot = zero_tangent(y)" in j.source


def opaque(x):
    return np.sin(x)


@custom_adjoint(opaque)
def opaque_adjoint(z, x):
    d[x] = d[z] * np.cos(x)


def uses_opaque(x):
    return opaque(x * 2.0) + 1.0


def test_a_rule_without_a_tangent_is_refused_at_the_users_line():
    with pytest.raises(srcgrad.SrcGradError) as info:
        srcgrad.jvp(uses_opaque)(np.ones(2), tangent=np.ones(2))
    text = str(info.value)
    assert "no forward-mode (tangent) rule for" in text and "opaque" in text
    assert "test_forward.py" in text and "return opaque(x * 2.0) + 1.0" in text


def shift(x, s=None):
    return x if s is None else x + s


def test_an_if_in_a_tangent_template_that_is_decided_at_run_time():
    def shift_adjoint(z, x, s=None):
        d[x] = d[z]
        d[s] = d[z]

    def shift_tangent(z, x, s=None):
        t = None  # noqa: F841  (templates are parsed, never run)
        if s is None:
            t[z] = t[x]
        else:
            t[z] = t[x] + t[s]

    custom_adjoint(shift, broadcast=True)(shift_adjoint)
    try:
        tangent(shift)(shift_tangent)
        j = srcgrad.jvp(lambda x, s: shift(x, s), wrt=(0, 1))
        value, t = j(np.ones(3), 2.0, tangent=(np.ones(3), 1.0))
        np.testing.assert_array_equal(t, [2.0, 2.0, 2.0])
        _, t = srcgrad.jvp(lambda x, s: shift(x, s), wrt=1)(np.ones(3), 2.0, tangent=1.0)
        np.testing.assert_array_equal(t, [1.0, 1.0, 1.0])  # spread inside the branch
    finally:
        del RULES[shift]


def test_generated_forward_code_is_simplified():
    text = srcgrad.jvp(lambda x: np.sum(x ** 2)).source
    assert "x ** (2 - 1)" not in text and "x_dot * 2 * x" in text


def breaks_early(x, y):
    for r in x:
        if np.sum(r) < 0.0:
            break
        y = x * np.ones((4, 3))
    return np.sum(y)


def test_a_break_leaves_the_loop_in_forward_mode_too():
    """Found by the random programs: the jvp code lost the `break` (value and tangent
    of the last iteration instead of the first)."""
    x, y = np.array([-0.5, 0.3, 0.2]), np.ones((4, 3))
    v = (np.array([1.0, 2.0, 3.0]), np.full((4, 3), 0.5))
    assert srcgrad.jvp(breaks_early, wrt=(0, 1))(x, y, tangent=v) == (12.0, 6.0)
    x = np.array([0.5, -0.3, 0.2])
    value, slope = srcgrad.jvp(breaks_early, wrt=(0, 1))(x, y, tangent=v)
    assert (value, slope) == (pytest.approx(4 * 0.4), pytest.approx(4 * 6.0))


def test_the_tangent_of_a_square_is_one_term():
    def f(x):
        h = np.tanh(x)
        return np.sum(h * h)

    text = srcgrad.jvp(f).source
    assert "t1_dot = 2 * h_dot * h" in text
    x, v = np.array([0.3, 0.5]), np.array([1.0, 2.0])
    assert srcgrad.jvp(f)(x, tangent=v)[1] == pytest.approx(np.sum(srcgrad.grad(f)(x) * v))
