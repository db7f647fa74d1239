"""NumPy coverage at its edges: ties, NaN-free branches, repeated indices, zeros in
products, tuple results, casts, and the errors for functions without a rule. Exact values."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import SrcGradError, grad

# --- ties split the gradient equally -------------------------------------------------


def max_all(x):
    return np.max(x)


def max_rows(x):
    return np.sum(np.max(x, axis=1) * np.array([1.0, 2.0]))


def min_method(x):
    return x.min()


def amax_keepdims(x):
    return np.sum(np.amax(x, axis=0, keepdims=True))


def elementwise_max(x, y):
    return np.sum(np.maximum(x, y))


def hinge(x):
    return max(x, 0.0)


def test_max_ties_split_equally():
    np.testing.assert_array_equal(grad(max_all)(np.array([1.0, 3.0, 3.0, 2.0])),
                                  [0.0, 0.5, 0.5, 0.0])


def test_max_over_axis_ties_per_row():
    x = np.array([[1.0, 2.0, 2.0], [4.0, 4.0, 4.0]])
    np.testing.assert_allclose(grad(max_rows)(x), [[0, 0.5, 0.5], [2 / 3, 2 / 3, 2 / 3]])


def test_min_method_and_amax_keepdims_ties():
    np.testing.assert_array_equal(grad(min_method)(np.array([0.0, -1.0, -1.0, -1.0, 5.0])),
                                  [0, 1 / 3, 1 / 3, 1 / 3, 0])
    x = np.array([[1.0, 7.0], [1.0, 2.0]])
    np.testing.assert_array_equal(grad(amax_keepdims)(x), [[0.5, 1.0], [0.5, 0.0]])


def test_maximum_tie_gives_half_to_each_side():
    dx, dy = grad(elementwise_max, wrt=(0, 1))(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0]))
    np.testing.assert_array_equal(dx, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(dy, [1.0, 0.5, 0.0])


def test_builtin_max_of_scalars():
    assert grad(hinge)(2.5) == 1.0
    assert grad(hinge)(-2.5) == 0.0


# --- logsumexp, written the stable way -------------------------------------------------


def logsumexp(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True)))


def test_logsumexp_gradient_is_softmax_even_with_ties_at_the_max():
    x = np.array([[1.0, 2.0, 2.0], [0.0, -1.0, 3.0]])
    softmax = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
    np.testing.assert_allclose(grad(logsumexp)(x), softmax, rtol=1e-12)


# --- np.where: no NaN from the branch not taken -----------------------------------------


def where_sqrt(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))


def where_log(x):
    return np.sum(np.where(x > 0, np.log(x), -1.0))


def where_divide(x, y):
    return np.sum(np.where(y != 0, x / y, 0.0))


def where_arcsin(x):
    return np.sum(np.where(np.abs(x) < 1, np.arcsin(x), 0.0))


def double_where(x, w):
    safe = np.where(x > 0, x, 1.0)
    return np.sum(np.where(x > 0, w * np.log(safe), 0.0))


def single_where_through_a_product(x, w):
    return np.sum(np.where(x > 0, w * np.log(x), 0.0))



def test_where_guarding_sqrt_has_a_finite_gradient(quiet):
    g = grad(where_sqrt)(np.array([-4.0, -1e-3, 0.0, 4.0]))
    np.testing.assert_array_equal(g, [0.0, 0.0, 0.0, 0.25])


def test_where_guarding_log_and_arcsin(quiet):
    np.testing.assert_array_equal(grad(where_log)(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 0.5])
    g = grad(where_arcsin)(np.array([-3.0, 0.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 1.0, 0.0])


def test_where_guarding_a_division_by_zero(quiet):
    dx, dy = grad(where_divide, wrt=(0, 1))(np.array([1.0, 2.0]), np.array([0.0, 4.0]))
    np.testing.assert_array_equal(dx, [0.0, 0.25])
    np.testing.assert_array_equal(dy, [0.0, -2.0 / 16])


def test_double_where_idiom_keeps_every_path_finite(quiet):
    x, w = np.array([-1.0, 0.0, np.e]), np.array([2.0, 3.0, 4.0])
    dx, dw = grad(double_where, wrt=(0, 1))(x, w)
    np.testing.assert_allclose(dx, [0.0, 0.0, 4.0 / np.e])
    np.testing.assert_allclose(dw, [0.0, 0.0, 1.0])


def test_single_where_through_a_product_leaks_nan_as_documented(quiet):
    """The case docs/supported.md points to the double where for."""
    dx, dw = grad(single_where_through_a_product, wrt=(0, 1))(np.array([-1.0, 1.0]),
                                                               np.array([2.0, 3.0]))
    np.testing.assert_array_equal(dx, [0.0, 3.0])
    assert np.isnan(dw[0]) and dw[1] == 0.0


# --- clip: the bounds pass the gradient ---------------------------------------------------


def clipped(x):
    return np.sum(np.clip(x, 0.0, 1.0) * np.arange(1.0, 6.0))


def clip_bounds(x, lo, hi):
    return np.sum(np.clip(x, lo, hi))


def test_clip_passes_the_gradient_inside_and_at_the_bounds():
    g = grad(clipped)(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]))
    np.testing.assert_array_equal(g, [0.0, 2.0, 3.0, 4.0, 0.0])


def test_clip_bounds_get_the_gradient_where_they_replace_x():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    dx, dlo, dhi = grad(clip_bounds, wrt=(0, 1, 2))(x, 0.0, 1.0)
    np.testing.assert_array_equal(dx, [0.0, 1.0, 1.0, 1.0, 0.0])
    assert (dlo, dhi) == (1.0, 1.0)


# --- integer division and remainder ---------------------------------------------------------


def floor_div(x):
    return np.sum(x // 0.5 + x)


def remainder(x, y):
    return np.sum(x % y)


def test_floor_divide_has_zero_gradient():
    np.testing.assert_array_equal(grad(floor_div)(np.array([0.3, 1.7, -2.2])), [1.0, 1.0, 1.0])


def test_remainder_gradient():
    dx, dy = grad(remainder, wrt=(0, 1))(np.array([7.0, -7.0]), np.array([2.0, 2.0]))
    np.testing.assert_array_equal(dx, [1.0, 1.0])
    np.testing.assert_array_equal(dy, [-3.0, 4.0])


# --- products with zeros -------------------------------------------------------------------


def product(x):
    return np.prod(x)


def product_rows(x):
    return np.sum(np.prod(x, axis=1))


def running_product(x):
    return np.sum(np.cumprod(x))


def test_prod_with_one_zero_and_with_two():
    np.testing.assert_array_equal(grad(product)(np.array([2.0, 0.0, 3.0])), [0.0, 6.0, 0.0])
    np.testing.assert_array_equal(grad(product)(np.array([2.0, 0.0, 0.0])), [0.0, 0.0, 0.0])
    x = np.array([[1.0, 2.0, 3.0], [0.0, 5.0, 2.0]])
    np.testing.assert_array_equal(grad(product_rows)(x), [[6.0, 3.0, 2.0], [10.0, 0.0, 0.0]])


def test_cumprod_with_a_zero_matches_finite_differences():
    x = np.array([2.0, 0.0, 3.0, 0.5])
    np.testing.assert_allclose(grad(running_product)(x), numerical_grad(running_product, [x], 0),
                               atol=1e-8)
    np.testing.assert_array_equal(grad(running_product)(x), [1.0, 2 + 6 + 3, 0.0, 0.0])


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


# --- casts and constants ----------------------------------------------------------------------


def cast_float(x):
    return np.sum(x.astype(np.float32) * 2.0)


def cast_int(x):
    return np.sum(x.astype(int) * x)


def constants(x):
    a = np.array([1.0, 2.0, 3.0])
    b = np.zeros_like(x) + np.ones(3) + np.full(3, 2.0) + np.arange(3.0) + np.linspace(0, 1, 3)
    return np.sum(a * x + b + np.eye(3)[0])


def from_scalars(a, b):
    v = np.array([a, b, a * b])
    return np.sum(v * np.array([1.0, 10.0, 100.0]))


def test_astype_float_passes_the_gradient_in_the_input_dtype():
    g = grad(cast_float)(np.array([0.5, 1.5]))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, [2.0, 2.0])


def test_astype_int_is_a_constant():
    np.testing.assert_array_equal(grad(cast_int)(np.array([1.5, -2.5])), [1.0, -2.0])


def test_constructors_are_constants_and_array_of_active_scalars_is_not():
    np.testing.assert_array_equal(grad(constants)(np.zeros(3)), [1.0, 2.0, 3.0])
    assert grad(from_scalars, wrt=(0, 1))(2.0, 3.0) == (301.0, 210.0)


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


# --- errors name the function, the line and close matches ------------------------------------


def float_power(x):
    return np.sum(np.float_power(x, 3.0))


def typo(x):
    return np.sum(np.logg(x))


def test_function_without_a_rule_names_it_the_line_and_close_matches():
    with pytest.raises(SrcGradError) as info:
        grad(float_power)(np.ones(3))
    message = str(info.value)
    assert "no adjoint rule for numpy.float_power" in message
    assert "np.float_power(x, 3.0)" in message and "test_coverage_edge.py" in message
    assert "close matches" in message and "numpy.power" in message


def test_misspelled_numpy_function_lists_close_matches():
    with pytest.raises(SrcGradError) as info:
        grad(typo)(np.ones(3))
    assert "np.logg" in str(info.value) and "numpy.log" in str(info.value)


def test_misspelled_numpy_function_names_it_and_the_line():
    with pytest.raises(SrcGradError) as info:
        grad(typo)(np.ones(3))
    assert "np.logg" in str(info.value) and "test_coverage_edge.py" in str(info.value)


# --- generated code reads like NumPy -------------------------------------------------------


def row_means(x):
    return np.sum(np.mean(x, axis=1) ** 2)


def total_variance(x):
    return np.var(x) + np.std(x, axis=0).sum()


def test_generated_reductions_read_like_numpy():
    source = srcgrad.grad(row_means).source
    assert "repeat_to(d_t1 / n, x, 1, False)" in source
    assert "n = np.size(x) / np.size(t1)" in source
    source = srcgrad.grad(total_variance).source
    assert "d_t1 * 2 * (x - np.mean(x)) / np.size(x)" in source
    assert "if " not in source and "None" not in source.split("def total_variance_backward")[1]


# --- docs/supported.md is generated from the registry ------------------------------------


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                    reason="the page is generated with NumPy 2, whose aliases differ")
def test_supported_page_is_up_to_date():
    path = Path(__file__).resolve().parent.parent / "tools" / "gen_supported.py"
    spec = importlib.util.spec_from_file_location("gen_supported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PAGE.read_text() == module.render(), \
        "docs/supported.md is out of date: run python tools/gen_supported.py"
