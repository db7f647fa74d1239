"""The rules of linear algebra: tuple results (slogdet), norms, einsum; exact values, and
never a NotImplementedError from inside srcgrad."""

import math
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import grad


# --- tuple results: slogdet -------------------------------------------------------------------


def logdet(a):
    sign, ld = np.linalg.slogdet(a)
    return ld


def det_from_slogdet(a):
    sign, ld = np.linalg.slogdet(a)
    return sign * np.exp(ld)


def test_slogdet_unpacked_like_users_write_it():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(grad(logdet)(a), np.linalg.inv(a).T)
    b = np.array([[0.0, 1.0], [2.0, 1.0]])  # negative determinant
    np.testing.assert_allclose(grad(det_from_slogdet)(b), np.linalg.det(b) * np.linalg.inv(b).T)


# --- norms, linear algebra, exact values --------------------------------------------------


def norm2(x):
    return np.linalg.norm(x)


def spectral(x):
    return np.linalg.norm(x, 2)


def trace_by_einsum(x):
    return np.einsum("ii", x)


def four_operands(a, b, c, e):
    return np.einsum("i,i,i,i", a, b, c, e)


def test_norm_gradient_is_the_unit_vector_and_zero_at_zero():
    np.testing.assert_allclose(grad(norm2)(np.array([3.0, 4.0])), [0.6, 0.8])
    np.testing.assert_array_equal(grad(norm2)(np.zeros(3)), [0.0, 0.0, 0.0])


def test_spectral_norm_of_a_matrix_is_its_top_singular_pair():
    a = np.array([[2.0, 1.0], [0.5, -1.0]])
    u, _, vh = np.linalg.svd(a)
    np.testing.assert_allclose(grad(spectral)(a), np.outer(u[:, 0], vh[0]))
    np.testing.assert_allclose(grad(spectral)(np.eye(2)), 0.5 * np.eye(2))  # a tie: shared


def test_srcgrad_never_raises_not_implemented_error():
    """What srcgrad cannot do is refused with a SrcGradError at the user's line."""
    package = Path(srcgrad.__file__).parent
    raising = [str(path.relative_to(package)) for path in package.rglob("*.py")
               if "NotImplementedError" in path.read_text()]
    assert raising == []


def test_einsum_trace_gives_the_identity():
    np.testing.assert_array_equal(grad(trace_by_einsum)(np.ones((3, 3))), np.eye(3))


def test_einsum_with_four_operands():
    v = np.array([1.0, 2.0])
    np.testing.assert_array_equal(grad(four_operands)(v, v, v, v), v ** 3)


def math_scalars(x):
    return math.log1p(x) + math.atan(x) + math.hypot(x, 2.0) + math.asin(x)


def test_math_functions_on_floats_give_a_float():
    g = grad(math_scalars)(0.5)
    assert isinstance(g, float)
    assert g == pytest.approx(1 / 1.5 + 1 / 1.25 + 0.5 / math.hypot(0.5, 2.0) + 1 / math.sqrt(0.75))
