"""Element assignment with an index that repeats a slot (`out[[0, 0, 1]] = v`,
`out[[0, 0, 1]] += v`): NumPy keeps one element per slot (the last write, buffered for
`+=` too), so only that element gets the slot's gradient; the others get zero. They used
to get it too (last-wins assumed nowhere, every place summed). Boolean masks, slices,
several and mixed indices, negative indices and a broadcast value stay right, in forward
mode and second order too. Checked against finite differences."""

import numpy as np
import pytest
from finite_diff import assert_grads_match, numerical_grad

import srcgrad
from srcgrad import grad

X = np.array([1.0, 2.0, 3.0])
WEIGHTS = np.array([1.0, 2.0, 3.0])


def added_at_repeats(x):
    out = np.zeros(3)
    out[[0, 0, 1]] += x
    return np.sum(out * WEIGHTS)


def assigned_at_repeats(x):
    out = np.zeros(3)
    out[[0, 0, 1]] = x * x
    return np.sum(out * WEIGHTS)


def test_plus_equals_with_a_repeated_index_keeps_the_last_write():
    np.testing.assert_array_equal(grad(added_at_repeats)(X), [0.0, 1.0, 2.0])
    np.testing.assert_allclose(numerical_grad(added_at_repeats, (X,), 0), [0.0, 1.0, 2.0],
                               atol=1e-8)


def test_assignment_with_a_repeated_index_keeps_the_last_write():
    np.testing.assert_array_equal(grad(assigned_at_repeats)(X), [0.0, 4.0, 12.0])


def scalar_spread(x, s):
    out = x * 1.0
    out[[2, -1, 0]] = s * 2.0  # slot 2 twice (2 and -1), slot 0 once
    return np.sum(out * WEIGHTS)


def rows_and_columns(m, v):
    out = m * 1.0
    out[[1, 0, 1], :] = v  # v (3, 1): each row a column of one value
    out[:, [2, 2]] += m[:, :2] * 3.0
    out[(np.array([0, 1, 0]), np.array([1, 1, 1]))] = v[:, 0] * v[:, 0]
    return np.sum(out * np.arange(6.0).reshape(2, 3))


def masked_and_sliced(m, v):
    out = m * 1.0
    out[m > 0.5] = 0.0
    out[0, 1:] = v[:2]
    out[..., [0, 0]] = v[1:, None] * np.ones((2, 2))
    out[np.array([True, False])] += v * 2.0
    return np.sum(out ** 2)


M = np.array([[0.2, 0.9, -0.4], [1.3, 0.1, 0.7]])
V = np.array([[0.5], [-1.5], [2.0]])


@pytest.mark.parametrize("f, args", [(scalar_spread, (X, 0.7)),
                                     (rows_and_columns, (M, V)),
                                     (masked_and_sliced, (M, np.array([0.3, -0.8, 1.1])))])
def test_indices_of_every_kind_match_finite_differences(f, args):
    grads = grad(f, wrt=(0, 1))(*args)
    assert_grads_match(f, grads, args, (0, 1))


def test_a_number_broadcast_over_repeated_slots_counts_each_slot_once():
    _, ds = grad(scalar_spread, wrt=(0, 1))(X, 0.7)
    assert ds == 2.0 * (3.0 + 1.0)  # slots 2 and 0: weights 3 and 1


@pytest.mark.parametrize("f, args", [(added_at_repeats, (X,)), (assigned_at_repeats, (X,)),
                                     (rows_and_columns, (M, V))])
def test_forward_mode_and_second_order(f, args):
    wrt = tuple(range(len(args)))  # a tuple: tangents and gradients are tuples
    rng = np.random.default_rng(0)
    vs = tuple(rng.normal(size=np.shape(a)) for a in args)
    _, slope = srcgrad.jvp(f, wrt=wrt)(*args, tangent=vs)
    grads = grad(f, wrt=wrt)(*args)
    assert slope == pytest.approx(sum(np.sum(g * v) for g, v in zip(grads, vs)))
    product = srcgrad.hvp(f, wrt=wrt)(*args, tangent=vs)
    h = 1e-6
    plus = grad(f, wrt=wrt)(*[a + h * v for a, v in zip(args, vs)])
    minus = grad(f, wrt=wrt)(*[a - h * v for a, v in zip(args, vs)])
    for got, p, m in zip(product, plus, minus):
        np.testing.assert_allclose(got, (p - m) / (2 * h), rtol=1e-5, atol=1e-6)


def test_the_hessian_of_a_repeated_write():
    np.testing.assert_array_equal(srcgrad.hessian(assigned_at_repeats)(X),
                                  np.diag([0.0, 2.0, 4.0]))  # 1 * x1 ** 2 + 2 * x2 ** 2


def test_distinct_indices_keep_the_plain_code():
    def f(x):
        out = np.zeros(3)
        out[1:] = x[:2] * 2.0
        return np.sum(out * WEIGHTS)
    g = grad(f)
    np.testing.assert_array_equal(g(X), [4.0, 6.0, 0.0])
