"""Second derivatives of every rule: forward mode over each rule's generated adjoint code.

For each example of each adjoint rule and definition (registry.define: called as a helper,
whose generated forward and backward functions forward mode reads), f = sum(w * <expr>) and the
Hessian-vector product `hvp(f)(x, tangent=v)` (forward over reverse) must
match central differences of the gradient, (g(x + hv) - g(x - hv)) / 2h.
This runs forward mode over every adjoint template and the runtime helpers
they call (by their tangent rules, or their own source: registry.from_own_source).
"""

import numpy as np
import pytest
from rule_examples import cases as _cases, inputs as _inputs, module_for as _module_for

import srcgrad

def _directions(args, n, seed):
    rng = np.random.default_rng(seed)
    return [float(rng.normal()) if np.ndim(x) == 0 else rng.normal(size=np.shape(x))
            for x in args[:n]]


def _setup(example, tmp_path):
    module, _ = _module_for(example, tmp_path)
    args = _inputs(example)
    out = module.value(*args)
    w_out = np.random.default_rng(1).normal(size=np.shape(out))
    args.append(float(w_out) if np.ndim(out) == 0 else w_out)
    return module, args, len(example.shapes)


@pytest.mark.parametrize("rule, example", list(_cases()))
def test_hvp_matches_finite_differences_of_the_gradient(rule, example, tmp_path):
    module, args, n = _setup(example, tmp_path)
    wrt = tuple(range(n))
    vs = _directions(args, n, seed=4)
    product = srcgrad.hvp(module.f, wrt=wrt)(*args, tangent=tuple(vs))
    gradient = srcgrad.grad(module.f, wrt=wrt)
    h = 1e-5
    plus = gradient(*[x + h * v for x, v in zip(args[:n], vs)], *args[n:])
    minus = gradient(*[x - h * v for x, v in zip(args[:n], vs)], *args[n:])
    for got, p, m in zip(product, plus, minus):
        numeric = (np.asarray(p) - np.asarray(m)) / (2 * h)
        np.testing.assert_allclose(got, numeric, rtol=1e-4, atol=1e-6,
                                   err_msg=f"{rule.name}: {example.expr}")


def test_the_second_derivative_of_sinc_at_zero():
    """sinc's slope is (cos(pi x) - sinc(x)) / x, 0 at x = 0; its derivative there is the
    limit, sinc''(0) = -pi^2 / 3 (sinc_slope's tangent rule), not the 0 a `where` gives."""
    assert srcgrad.hessian(lambda x: np.sinc(x))(0.0) == pytest.approx(-np.pi ** 2 / 3,
                                                                      rel=1e-12)
    h = srcgrad.hessian(lambda x: np.sum(np.sinc(x)))(np.array([0.0, 1.0]))
    np.testing.assert_allclose(np.diag(h), [-np.pi ** 2 / 3, 2.0], rtol=1e-12)


def _root(x):
    return x ** 0.5


def _scaled_power(x):
    return 2.0 * x ** 0.3


def _power_call(x):
    return np.power(x, 0.5)


def _log(x):
    return np.log(x)


@pytest.mark.parametrize("f", [_root, _scaled_power, _power_call, _log])
def test_second_derivatives_at_a_python_zero_are_numpys(f, quiet):
    """The gradient code specialized on a number writes `x ** -0.5` and `g / x`, which
    raise ZeroDivisionError at a Python 0.0 (np.float64 gives inf): hessian, hvp and jvp
    over grad give what they give at np.float64(0.0), -inf as NumPy does."""
    expected = srcgrad.hessian(f)(np.float64(0.0))
    assert expected == -np.inf
    assert srcgrad.hessian(f)(0.0) == expected
    assert srcgrad.hvp(f)(0.0, tangent=1.0) == expected
    assert srcgrad.jvp(srcgrad.grad(f))(0.0, tangent=1.0)[1] == expected
    h = 1e-6  # and at 0.25, the central difference of the gradient
    numeric = (srcgrad.grad(f)(0.25 + h) - srcgrad.grad(f)(0.25 - h)) / (2 * h)
    np.testing.assert_allclose(srcgrad.hessian(f)(0.25), numeric, rtol=1e-6)
