"""The arguments and results of a gradient call: gradients shaped, typed and owned like
the arguments, never sharing memory with them or with each other."""

import numpy as np
import pytest
from models import weighted_square

from srcgrad import SrcGradError, grad, value_and_grad


rng = np.random.default_rng(0)


# --- gradients never alias inputs or each other ----------------------------------------


def total(x):
    return np.sum(x)


def total_times_one(x):
    return np.sum(x * 1.0)


def scalar_product(x, y):
    return np.dot(x, y)


def elementwise_product(x, y):
    return np.sum(x * y)


def reshaped_total(x):
    return np.sum(np.reshape(x, (-1,)))


def flat_mean(x):
    return np.mean(x.ravel())


@pytest.mark.parametrize("f, nargs", [(total, 1), (total_times_one, 1), (reshaped_total, 1),
                                      (flat_mean, 1), (scalar_product, 2),
                                      (elementwise_product, 2)])
def test_writing_into_a_gradient_never_changes_an_input(f, nargs):
    args = [rng.normal(size=4) for _ in range(nargs)]
    before = [a.copy() for a in args]
    grads = grad(f, wrt=tuple(range(nargs)))(*args)
    for g in grads:
        assert g.flags.writeable
        for a in args:
            assert not np.may_share_memory(g, a)
        g[...] = 12345.0
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)


def total_of_sum(x, y):
    return np.sum(x + y)


def total_of_entries(p):
    return np.sum(p["a"] + p["b"])


def test_gradients_of_different_arguments_are_different_arrays():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    dx, dy = grad(total_of_sum, wrt=(0, 1))(x, y)
    assert not np.may_share_memory(dx, dy)
    dx *= 0.5  # an in-place update of one gradient, as an optimizer might do
    np.testing.assert_array_equal(dy, [1.0, 1.0])


def test_gradients_of_dict_entries_are_different_arrays():
    p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    g = grad(total_of_entries)(p)
    assert not np.may_share_memory(g["a"], g["b"])


# --- dtypes ------------------------------------------------------------------------


def test_float32_arrays_and_scalars_keep_float32():
    g = grad(weighted_square)(np.array([1.0, 2.0], dtype=np.float32))
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, [6.0, 12.0])
    g = grad(weighted_square)(np.float32(1.5))
    assert type(g) is np.float32 and g == 9.0


def test_float16_and_python_float_keep_their_types():
    g = grad(weighted_square)(np.array([1.0, 2.0], dtype=np.float16))
    assert g.dtype == np.float16
    g = grad(weighted_square)(1.5)
    assert type(g) is float and g == 9.0


def test_float32_in_a_loop_keeps_float32():
    g = grad(rnn_like)(np.array([0.5, -0.3], dtype=np.float32), np.ones((4, 2), np.float32))
    assert g.dtype == np.float32


def rnn_like(w, xs):
    h = np.zeros(2, dtype=np.float32)
    for t in range(xs.shape[0]):
        h = np.tanh(w * xs[t] + h)
    return np.sum(h)


def scaled(x, k):
    return np.sum(x * k)


@pytest.mark.parametrize("value", [3, np.int64(3), np.array([1, 2]), True, np.array([True]),
                                   1 + 2j, "3.0", None])
def test_differentiating_a_non_float_is_a_clear_srcgrad_error(value):
    with pytest.raises(SrcGradError, match="cannot differentiate scaled with respect to 'x'"):
        grad(scaled)(value, 2.0)


def test_srcgrad_error_is_a_type_error():
    with pytest.raises(TypeError):
        grad(scaled)(np.array([1, 2]), 2.0)


@pytest.mark.parametrize("k", [3, np.int64(3), np.array([1, 2]), np.array([True, False])])
def test_integer_and_boolean_data_are_fine(k):
    x = np.array([0.5, -1.0])
    np.testing.assert_array_equal(grad(scaled)(x, k), np.broadcast_to(k, x.shape) * 1.0)


# --- 0-d and empty arrays --------------------------------------------------------------


def test_0d_array_gives_a_0d_array():
    g = grad(weighted_square)(np.array(2.0))
    assert type(g) is np.ndarray and g.shape == () and g.dtype == np.float64 and g == 12.0
    g = grad(weighted_square)(np.array(2.0, dtype=np.float32))
    assert type(g) is np.ndarray and g.shape == () and g.dtype == np.float32


def affine_sum(a, b):
    return np.sum(np.tanh(a @ b) + 1.0)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0)])
def test_empty_arrays_give_empty_gradients(shape):
    value, g = value_and_grad(weighted_square)(np.zeros(shape))
    assert value == 0.0
    assert type(g) is np.ndarray and g.shape == shape and g.dtype == np.float64


def test_empty_matmul_gives_empty_and_zero_gradients():
    a, b = np.zeros((0, 3)), np.ones((3, 2))
    da, db = grad(affine_sum, wrt=(0, 1))(a, b)
    assert da.shape == (0, 3)
    np.testing.assert_array_equal(db, np.zeros((3, 2)))


def mean_square(x):
    return np.mean(x * x)


def test_mean_of_an_empty_array_gives_an_empty_gradient(quiet):
    """Was a ZeroDivisionError: the rule divided the Python float seed by np.size(x) == 0."""
    value, g = value_and_grad(mean_square)(np.zeros((0, 3)))
    assert np.isnan(value)  # NumPy's mean of nothing
    assert g.shape == (0, 3)
