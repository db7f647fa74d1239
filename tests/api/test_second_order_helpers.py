"""Second derivatives through calls the gradient code keeps as forward/backward pairs: a
helper of another module (not written out in the caller) and a library function defined
as code (registry.define), whose generated functions forward mode reads again."""

import numpy as np
import pytest
import scipy.stats
from data.helpers_module import softplus, two_layers

import srcgrad

t = None  # the table a tangent template indexes (t[x]); templates are parsed, never run


def _numeric_hessian(f, x, h=1e-5):
    gradient = srcgrad.grad(f)
    rows = [(gradient(x + h * e) - gradient(x - h * e)) / (2 * h) for e in np.eye(x.size)]
    return np.array(rows).reshape(x.shape + x.shape)


def through_another_module(x):
    return np.sum(softplus(x, beta=2.0) * x) + np.sum(two_layers(np.outer(x, x), x, x) ** 2)


def through_definitions(x):
    return np.sum(scipy.stats.norm.logpdf(x, 0.3, 2.0) * x) + np.nanmean(x * x) ** 2


def _shape_condition(a, b):  # an `and` of shapes: a bool in the generated condition
    if np.shape(a)[-1] == 2 and np.ndim(b) == 1:
        return a * b
    return a + b


def through_a_condition(x):
    return np.sum(np.cross(x[:3], x[1:]) ** 2) + np.sum(_shape_condition(x[:2], x[1:3]) ** 3)


def test_hessians_match_finite_differences():
    x = np.array([0.3, -0.7, 1.1, 0.4])
    for f in (through_another_module, through_definitions, through_a_condition):
        np.testing.assert_allclose(srcgrad.hessian(f)(x), _numeric_hessian(f, x),
                                   rtol=1e-5, atol=1e-7, err_msg=f.__name__)


def test_hvp_and_grad_of_grad_through_a_definition():
    def f(s):
        return np.sum(scipy.stats.t.logpdf(np.linspace(-1, 1, 5), 3.0, 0.2, s))
    h = 1e-5
    gradient = srcgrad.grad(f)
    numeric = (gradient(1.3 + h) - gradient(1.3 - h)) / (2 * h)
    np.testing.assert_allclose(srcgrad.grad(srcgrad.grad(f))(1.3), numeric, rtol=1e-6)
    np.testing.assert_allclose(srcgrad.hvp(f)(1.3, tangent=2.0), 2 * numeric, rtol=1e-6)


def test_the_gradient_code_still_reads_as_pairs():
    source = srcgrad.grad(through_another_module).source
    assert "softplus_backward_z(d_" in source and "_saved)" in source


def _log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def _through_a_custom_rule(x):
    return _log_sum_exp(x * 2) * np.sum(x)


def test_a_custom_adjoint_with_a_tangent_has_second_derivatives():
    from srcgrad import custom_adjoint, d
    from srcgrad.rules import tangent
    from srcgrad.rules.registry import RULES

    @custom_adjoint(_log_sum_exp)
    def adjoint(z, x):
        d[x] = d[z] * np.exp(x - z)

    x = np.array([0.3, -0.7, 1.1])
    try:
        with pytest.raises(srcgrad.SrcGradError, match="no forward-mode"):
            srcgrad.hessian(_through_a_custom_rule)(x)

        @tangent(_log_sum_exp)
        def pushed(z, x):
            t[z] = np.sum(np.exp(x - z) * t[x])

        srcgrad.pipeline.forget_all()
        np.testing.assert_allclose(srcgrad.hessian(_through_a_custom_rule)(x),
                                   _numeric_hessian(_through_a_custom_rule, x),
                                   rtol=1e-5, atol=1e-7)
    finally:
        RULES.pop(_log_sum_exp, None)
        srcgrad.pipeline.forget_all()
