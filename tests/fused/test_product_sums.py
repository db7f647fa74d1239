"""product_sums: a product read by one sum over an axis becomes one np.einsum call; anything else stays. Generated code, gradients vs finite differences
and the general code."""

import numpy as np
import pytest
from finite_diff import assert_grads_match, checked_source, fused, uncommented

import srcgrad


def cosine(A, B):
    na = np.sqrt(np.sum(A * A, axis=1))
    cos = np.sum(A * B, axis=-1) / (na * np.sqrt(np.sum(B * B, axis=1)))
    return np.mean(1.0 - cos)


def columns(A, B):
    return np.sum(np.sum(A * B, axis=0) ** 2)


def kept(A, B):
    p = A * B
    return np.sum(np.sum(p, axis=1) ** 2) + np.sum(p)  # the product read twice


def broadcast(A, b):
    return np.sum(np.sum(A * b, axis=1) ** 2)  # b of another shape


def agree(f, args, wrt=(0,)):
    fast = srcgrad.grad(f, wrt=wrt)(*args)
    _, general = srcgrad.value_and_grad(f, wrt=wrt)(*args)
    fast = fast if isinstance(fast, tuple) else (fast,)
    general = general if isinstance(general, tuple) else (general,)
    for a, b in zip(fast, general):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert_grads_match(f, fast, args, wrt)


def test_row_dot_products_are_one_call():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(6, 4)), rng.normal(size=(6, 4)))
    code = uncommented(fused(checked_source(cosine, args, (0, 1))))
    assert code.count("np.einsum('ab,ab->a', ") == 3 and "A * A" not in code
    agree(cosine, args, (0, 1))


def test_other_axes_are_einsum_and_other_sums_stay():
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(3, 5)), rng.normal(size=(3, 5)))
    assert "np.einsum('ab,ab->b', A, B)" in fused(checked_source(columns, args, (0,)))
    agree(columns, args)
    code = fused(checked_source(kept, args, (0, 1)))
    assert "einsum" not in code
    agree(kept, args, (0, 1))


@pytest.mark.parametrize("shape", [(5,), (1, 5), (3, 1)])
def test_broadcast_products_stay(shape):
    rng = np.random.default_rng(2)
    args = (rng.normal(size=(3, 5)), rng.normal(size=shape))
    code = fused(checked_source(broadcast, args, (0, 1)))
    assert "einsum" not in code
    agree(broadcast, args, (0, 1))


def test_float32_and_one_row():
    rng = np.random.default_rng(3)
    args = tuple(rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2))
    assert "einsum" not in fused(srcgrad.grad(cosine, wrt=(0, 1)).source_for(*args))
    one = (rng.normal(size=(1, 3)), rng.normal(size=(1, 3)))
    agree(cosine, one, (0, 1))
