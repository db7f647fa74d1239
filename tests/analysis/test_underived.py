"""An active value reaching a rule parameter without a derivative is refused at the user's
line (analysis/activity.py), in both modes; a parameter discrete by nature is not."""

import numpy as np
import pytest
import scipy.special
import scipy.stats

import srcgrad


def t_cdf_in_df(x):
    return np.sum(scipy.stats.t.cdf(x, x[0] + 3.0))


def norm_in_ord(x):
    p = x[0] + 2.0
    return np.linalg.norm(x, ord=p)


def bessel_order_in_a_loop(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(scipy.special.jv(x[1] * i, x))
    return s


def through_a_helper(x):
    return np.sum(_shape_of_gamma(x, x * x + 1.0))


def _shape_of_gamma(x, a):
    return scipy.special.gammainc(a, x * x)


@pytest.mark.parametrize("f, argument", [(t_cdf_in_df, "df"), (norm_in_ord, "ord"),
                                         (bessel_order_in_a_loop, "v"),
                                         (through_a_helper, "a")])
def test_refused_at_the_users_line_in_both_modes(f, argument):
    x = np.array([0.4, 0.7, 1.1])
    with pytest.raises(srcgrad.SrcGradError, match=f"argument `{argument}`") as reverse:
        srcgrad.grad(f)(x)
    assert __file__ in str(reverse.value)
    with pytest.raises(srcgrad.SrcGradError, match=f"argument `{argument}`") as forward:
        srcgrad.jvp(f)(x, tangent=(np.ones(3),))
    assert __file__ in str(forward.value)


def constant_df(x, df):
    return np.sum(scipy.stats.t.cdf(x, df))


def discrete_by_nature(x):
    keep = x > 0.5  # a condition array, from the argument: zero derivative by math
    return np.sum(np.where(keep, x, 2 * x)) + np.sum(np.full_like(x * x, 2.0) * x)


def test_a_constant_or_a_discrete_argument_is_differentiated():
    x = np.array([0.4, 0.7, 1.1])
    np.testing.assert_allclose(srcgrad.grad(constant_df)(x, 4.0),
                               scipy.stats.t.pdf(x, 4.0), rtol=1e-10)
    np.testing.assert_allclose(srcgrad.grad(discrete_by_nature)(x), [4.0, 3.0, 3.0])


def only_df_active(x):
    return scipy.stats.t.cdf(0.5, x)


def only_ord_active(x):
    y = np.linalg.norm(np.array([1.0, 2.0, 0.5]), ord=x)
    return y


@pytest.mark.parametrize("f", [only_df_active, only_ord_active])
def test_refused_when_the_argument_without_a_derivative_is_the_only_active_one(f):
    with pytest.raises(srcgrad.SrcGradError, match="no derivative of") as reverse:
        srcgrad.grad(f)(4.0)
    assert __file__ in str(reverse.value)
    with pytest.raises(srcgrad.SrcGradError, match="no derivative of"):
        srcgrad.jvp(f)(4.0, tangent=(1.0,))


def test_a_custom_rule_s_parameter_named_like_a_discrete_one_is_not_taken_for_one():
    """DISCRETE names (`k`, `shift`, ...) hold for srcgrad's rules only: a user's rule
    without d[k] for a float `k` that depends on the input is refused, never zero."""
    import numpy as np

    import srcgrad
    from srcgrad import custom_adjoint, d

    def scaled(x, k):
        return x * k

    @custom_adjoint(scaled)
    def scaled_adjoint(z, x, k):
        d[x] = d[z] * k

    def loss(x):
        return np.sum(scaled(x, x[0]))

    with pytest.raises(srcgrad.SrcGradError, match="k"):
        srcgrad.grad(loss)(np.array([1.0, 2.0]))
