"""One program checked in every mode: the value, the gradient (reverse mode), a
directional derivative (forward mode) and the Hessian, against central finite differences."""

import numpy as np

import srcgrad
from finite_diff import numerical_grad


def check(func, *args, wrt=0, hessian=True, **kwargs):
    """value_and_grad, jvp and hessian of `func(*args, **kwargs)` with respect to argument
    `wrt`, against NumPy's value and finite differences."""
    def plain(*a):
        return func(*a, **kwargs)
    value, grad = srcgrad.value_and_grad(func, wrt=wrt)(*args, **kwargs)
    np.testing.assert_allclose(value, plain(*args), rtol=1e-12)
    expected = numerical_grad(plain, args, wrt)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)
    direction = np.linspace(0.5, 1.5, np.size(args[wrt])).reshape(np.shape(args[wrt]))
    _, slope = srcgrad.jvp(func, wrt=wrt)(*args, tangent=direction, **kwargs)
    np.testing.assert_allclose(slope, np.sum(expected * direction), rtol=1e-6, atol=1e-8)
    if hessian:
        gradient = srcgrad.grad(func, wrt=wrt)
        got = srcgrad.hessian(func, wrt=wrt)(*args, **kwargs)
        columns = [np.ravel(numerical_grad(lambda *a: np.ravel(gradient(*a, **kwargs))[i],
                                           args, wrt)) for i in range(np.size(args[wrt]))]
        np.testing.assert_allclose(np.reshape(got, (len(columns), -1)), columns, rtol=1e-5,
                                   atol=1e-7)
