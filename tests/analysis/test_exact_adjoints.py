"""exact_adjoints: adjoints certainly of their value's shape are computed into without
runtime.spare's check; one kept small (small_adjoints) is not, nor what is made of it.
Generated code, and gradients vs finite differences and the general code."""

import numpy as np
import pytest
from finite_diff import assert_grads_match, checked_source, fused

import srcgrad


def layer(W, x):
    h = np.tanh(x @ W)
    return np.sum(h * h)


def spread(u, v):
    r = np.sum(u, axis=1)  # d_u = d_r[:, None]: kept small, broadcast by its use
    return np.sum(r * r) + np.mean(np.exp(v) * u)


def row_scaled(a, s):
    return np.sum(np.tanh(a * s) * a)  # s of shape (1, n): its adjoint is summed back


def same_as_general(f, args, wrt):
    fast = srcgrad.grad(f, wrt=wrt)(*args)
    _, general = srcgrad.value_and_grad(f, wrt=wrt)(*args)
    for a, b in zip(fast if isinstance(fast, tuple) else (fast,),
                    general if isinstance(general, tuple) else (general,)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert_grads_match(f, fast if isinstance(fast, tuple) else (fast,), args, wrt)


def test_a_backward_sweep_of_exact_adjoints_is_computed_into_without_a_check():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 4)), rng.normal(size=(5, 3)))
    code = fused(checked_source(layer, args, (0,)))
    assert "spare" not in code
    assert any("np.multiply(d_" in line and line.rstrip().endswith(")") for line in
               code.splitlines() if "= np.multiply(d_" in line)
    same_as_general(layer, args, (0,))


@pytest.mark.parametrize("shapes", [((4, 3), (4, 3)), ((1, 3), (1, 3)), ((4, 1), (4, 1)),
                                    ((4, 3), (3,)), ((2, 3), ())])
def test_adjoints_kept_small_are_not_computed_into(shapes):
    rng = np.random.default_rng(1)
    u, v = (rng.normal(size=s) if s else 0.3 for s in shapes)
    same_as_general(spread, (u, v), (0, 1) if shapes[1] else (0,))


@pytest.mark.parametrize("shape", [(4, 3), (1, 3), (3,)])
def test_broadcast_operands_keep_their_shapes(shape):
    rng = np.random.default_rng(2)
    a, s = rng.normal(size=(4, 3)), rng.normal(size=shape)
    same_as_general(row_scaled, (a, s), (0, 1))
