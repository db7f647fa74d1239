"""inplace, and the fusion of twin contributions: generated code AND gradients vs finite
differences."""

import numpy as np
from finite_diff import checked_source as check
from models import rnn

import srcgrad


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def test_owned_adjoints_accumulate_in_place_and_x_times_x_is_one_term():
    code = check(elementwise, (np.linspace(-1, 1, 5),), (0,))
    assert "d_x = 2 * d_t6 * x" in code
    assert "d_x += " in code and "d_x -= d_t2" in code


def shared(x, y):
    a = x * y
    b = a + x       # d_a and d_x are the same array in the backward sweep
    c = np.sin(b) + a
    return np.sum(c * c)


def test_a_shared_array_is_not_updated_in_place():
    rng = np.random.default_rng(0)
    check(shared, (rng.standard_normal(4), rng.standard_normal(4)), (0, 1))


def test_loop_accumulators_in_place():
    rng = np.random.default_rng(1)
    args = (rng.standard_normal((3, 4)), rng.standard_normal((4, 4)) * 0.5,
            rng.standard_normal(4), rng.standard_normal((5, 2, 3)))
    code = check(rnn, args, (0, 1, 2))
    assert "d_Wh += h_1.T @ d_t9" in code and "d_b += " in code


def broadcast_up(x, v):
    y = x + v          # d_x += d_y would broadcast v's adjoint up: must not be in place
    return np.sum(y * v) + np.sum(x)


def test_contributions_that_do_not_fit_keep_the_new_array():
    rng = np.random.default_rng(2)
    check(broadcast_up, (rng.standard_normal(3), rng.standard_normal((2, 3))), (0, 1))
    check(broadcast_up, (1.5, rng.standard_normal((2, 3))), (0, 1))


def value_too(x):
    return np.sum(x * x + np.sin(x))


def test_value_and_grad_accumulates_in_place_only_on_real_arguments_of_one_precision():
    vg = srcgrad.value_and_grad(value_too)
    x = np.linspace(0, 1, 4)
    for _ in range(2):  # the second call through the entry
        value, g = vg(x)
        assert value == np.sum(x * x + np.sin(x))
        np.testing.assert_allclose(g, 2 * x + np.cos(x), rtol=1e-15)
    assert "d_x += " in vg.source_for(x)  # one fused function, the value kept aside
    z = x.astype(np.complex128)  # complex: the plain code, its value checked
    assert "+=" not in vg.source_for(z)


def unpack_flat(w):
    W = w[:6].reshape((2, 3))
    b = w[6:9]
    return W, b


def flat_params(w, X):
    W, b = unpack_flat(w)
    return np.sum(np.tanh(X @ W + b)) + np.sum(w * w)


def test_a_contribution_to_a_slice_goes_to_those_elements():
    from finite_diff import checked_source, fused
    rng = np.random.default_rng(3)
    code = fused(checked_source(flat_params, (rng.standard_normal(9),
                                              rng.standard_normal((4, 2))), (0,)))
    assert "scatter_add" not in code and "d_w[6:9] += " in code


def fancy(w):
    return np.sum(np.sin(w[[0, 0, 2]])) + np.sum(w * w)


def test_an_index_that_may_repeat_keeps_scatter_add():
    from finite_diff import checked_source
    code = checked_source(fancy, (np.array([0.3, -0.2, 0.5]),), (0,))
    assert "scatter_add" in code
