"""Central finite differences in float64: the oracle every gradient is checked against."""

import numpy as np

import srcgrad


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
    g = srcgrad.grad(f, wrt=tuple(wrt))
    assert_grads_match(f, g(*args), args, wrt)
    return g.source_for(*args)


def fused(code):
    """The text of the `_grad` function in `code`: the fused gradient."""
    return code[code.index("_grad("):]


def uncommented(code):
    """`code` without its comments (they quote the user's lines)."""
    return "\n".join(line.split("#")[0].rstrip() for line in code.splitlines())


def right_or_refused(f, args, wrt=(0,), expected=None):
    """The gradient is right (against `expected`, or finite differences of f), or srcgrad
    refused with a SrcGradError. Never a wrong number."""
    try:
        grads = srcgrad.grad(f, wrt=wrt)(*args)
    except srcgrad.SrcGradError:
        return
    grads = grads if isinstance(grads, tuple) else (grads,)
    if expected is None:
        assert_grads_match(f, grads, args, wrt)
    else:
        for g, e in zip(grads, expected):
            np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-9)

