"""Floats written into integer or bool arrays (NumPy truncates: no derivative) and complex
intermediates made from real inputs (an adjoint of a complex value is d/d(real) - 1j
d/d(imag), as JAX's), against central finite differences in float64, both modes. The
points keep every truncated value off an integer, where it would jump."""

import numpy as np
import pytest
import dtype_programs as programs
from finite_diff import numerical_grad

import srcgrad

X = np.array([0.53, -0.31, 0.87, 1.24])
V = np.array([0.3, -0.7, 0.2, 0.5])
NAMES = [n for n, f in vars(programs).items()
         if callable(f) and getattr(f, "__module__", None) == programs.__name__]
REFUSED = {"int_asarray": "caller's data", "int_argument_target": "caller's data",
           "complex_angle": "numpy.angle"}
ARGS = {"int_argument_target": (np.array([1, 2, 3, 4]),)}


@pytest.mark.parametrize("name", NAMES)
def test_gradient(name):
    f = getattr(programs, name)
    args = (X.copy(),) + ARGS.get(name, ())
    if name in REFUSED:
        with pytest.raises(srcgrad.SrcGradError, match=REFUSED[name]):
            srcgrad.grad(f)(*args)
        return
    expected = numerical_grad(f, list(args), 0)
    np.testing.assert_allclose(srcgrad.grad(f)(*args), expected, rtol=1e-5, atol=1e-6)
    _, tangent = srcgrad.jvp(f, args[:1], (V,)) if len(args) == 1 else (None, expected @ V)
    assert np.isrealobj(tangent)
    np.testing.assert_allclose(tangent, expected @ V, rtol=1e-5, atol=1e-6)


def test_real_abs_keeps_sign_in_fused_code():
    """Where every value is known real the slope of |x| is written as np.sign(x), and a
    value written into a float64 array reads its adjoint without a check."""
    def f(x):
        h = np.zeros(4)
        h[1:3] = x[1:3] * 5
        return np.sum(np.abs(x) * h) + np.linalg.norm(x)
    source = srcgrad.grad(f).source_for(X)
    assert "np.sign(x)" in source and "abs_slope" not in source
    assert "stored" not in source and "conjugated" not in source


def test_complex_argument_keeps_the_general_slope():
    def f(z):
        return np.sum(np.abs(z) ** 2)
    z = np.array([1.0 + 2.0j, -0.5 + 0.3j])
    source = srcgrad.grad(f).source_for(z)
    assert "abs_slope" in source


@pytest.mark.parametrize("name", ["int_array_literal", "complex_abs_cube", "complex_norm",
                                  "complex_builtin_abs"])
def test_hessian(name):
    f = getattr(programs, name)
    expected = np.array([numerical_grad(lambda x: numerical_grad(f, [x], 0, eps=1e-4)[i],
                                        [X.copy()], 0, eps=1e-4) for i in range(4)])
    np.testing.assert_allclose(srcgrad.hessian(f)(X.copy()), expected, rtol=1e-4, atol=1e-5)
