"""The rules of indexing: repeated indices accumulate, pairs of index arrays, masks, steps,
negative indices, ellipsis and newaxis."""

import numpy as np

from srcgrad import grad


# --- indexing ---------------------------------------------------------------------------------


def pick(x, i):
    return np.sum(x[i] * np.arange(1.0, 1.0 + len(i)))


def pick_pairs(x, i, j):
    return np.sum(x[i, j])


def masked(x, m):
    return np.sum(x[m] ** 2)


def strided(x):
    return np.sum(x[::2, -1]) + 10 * np.sum(x[..., 0]) + 100 * x[-1, -2]


def newaxis(x):
    return np.sum(x[:, np.newaxis] * np.array([1.0, 2.0])[np.newaxis, :])


def cross_entropy(logits, labels):
    z = logits - np.max(logits, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])


def test_repeated_integer_indices_accumulate():
    g = grad(pick)(np.zeros(4), np.array([0, 2, 2, 2]))
    np.testing.assert_array_equal(g, [1.0, 0.0, 9.0, 0.0])


def test_pairs_of_index_arrays_accumulate():
    g = grad(pick_pairs)(np.zeros((2, 3)), np.array([0, 1, 0]), np.array([2, 2, 2]))
    np.testing.assert_array_equal(g, [[0, 0, 2], [0, 0, 1]])


def test_boolean_mask_indexing():
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    m = np.array([[True, False], [False, True]])
    np.testing.assert_array_equal(grad(masked)(x, m), [[2.0, 0.0], [0.0, 8.0]])


def test_steps_negative_indices_and_ellipsis():
    g = grad(strided)(np.zeros((3, 3)))
    np.testing.assert_array_equal(g, [[10, 0, 1], [10, 0, 0], [10, 100, 1]])


def test_newaxis_indexing():
    np.testing.assert_array_equal(grad(newaxis)(np.array([1.0, 2.0])), [3.0, 3.0])


def test_cross_entropy_with_integer_labels():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    labels = np.array([0, 2])
    p = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    expected = (p - np.eye(3)[labels]) / 2
    np.testing.assert_allclose(grad(cross_entropy)(logits, labels), expected, rtol=1e-12)
