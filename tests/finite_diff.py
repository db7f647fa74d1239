"""Central finite differences in float64: the oracle every gradient is checked against."""

import numpy as np


def numerical_grad(f, args, index, eps=1e-6):
    """d f(*args) / d args[index] by central differences, shaped like args[index]."""
    args = list(args)
    x0 = args[index]
    x = np.array(x0, dtype=np.float64)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        for sign in (1, -1):
            xs = x.copy()
            xs[idx] += sign * eps
            args[index] = xs if isinstance(x0, np.ndarray) else float(xs)
            g[idx] += sign * f(*args)
    return g / (2 * eps)


def assert_grads_match(f, grads, args, wrt, rtol=1e-5, atol=1e-6):
    """Compare analytic `grads` (tuple, in `wrt` order) to finite differences."""
    for g, i in zip(grads, wrt):
        expected = numerical_grad(f, args, i)
        np.testing.assert_allclose(np.asarray(g, dtype=float), expected, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of argument {i}")


def checked_source(f, args, wrt):
    """The code `srcgrad.grad(f, wrt)` runs for `args`, after checking its gradients
    against finite differences (`wrt`: argument indices)."""
    import srcgrad
    g = srcgrad.grad(f, wrt=tuple(wrt))
    assert_grads_match(f, g(*args), args, wrt)
    return g.source_for(*args)


def fused(code):
    """The text of the `_grad` function in `code`: the one function a grad call runs."""
    return code[code.index("_grad("):]
