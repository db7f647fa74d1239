"""shapeinfo + specialize: code specialized on the shapes of a call's arguments.

Each test checks the shape of the generated code AND the gradients against finite
differences: a specialization may only remove work, never change a value.
"""

import collections
import math

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import api
from srcgrad.analysis import shape_inference
from srcgrad.pipeline import analyze


def described(**values):
    return {name: shape_inference.describe(v) for name, v in values.items()}


def check(f, args, wrt):
    """The gradient of the call matches finite differences; returns the code it ran."""
    g = srcgrad.grad(f, wrt=tuple(wrt))
    grads = g(*args)
    assert_grads_match(f, grads, args, wrt)
    return g.source_for(*args)


# -- shape inference -------------------------------------------------------------------------

def rnn(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


def test_shapes_through_shape_tuples_indexing_and_a_loop():
    unit = analyze(rnn, ("Wx",))
    args = described(Wx=np.ones((3, 4)), Wh=np.ones((4, 4)), b=np.ones(4), xs=np.ones((5, 2, 3)))
    shapes = {name: v.shape for name, v in shape_inference.infer(unit, args).items()}
    assert shapes["h"] == (2, 4)
    assert shapes["h_1"] == (2, 4)  # the loop-carried value keeps its shape in every iteration
    assert shapes["h_2"] == (2, 4)
    assert shapes["rnn"] == ()


def grows(x):
    acc = 0.0
    for i in range(3):
        acc = acc + x * i
    return np.sum(acc)


def test_a_loop_carried_value_that_changes_shape_is_unknown():
    unit = analyze(grows, ("x",))
    shapes = shape_inference.infer(unit, described(x=np.ones(3)))
    assert "acc_1" not in shapes  # a number on entry, an array after one iteration
    assert shapes["x"].shape == (3,)


def test_arguments_not_described_stay_unknown():
    unit = analyze(grows, ("x",))
    shapes = shape_inference.infer(unit, {"x": None})
    assert shapes["acc"].shape == () and "x" not in shapes and "acc_1" not in shapes
    assert shape_inference.describe({1.5, 2.5}) is None
    assert shape_inference.describe(object()) is None
    assert shape_inference.describe(np.arange(3)) == (3,)  # shapes do not depend on the dtype
    Pair = collections.namedtuple("Pair", "a b")
    assert shape_inference.describe(Pair(1.0, 2.0)) is None  # its fields are read by name
    assert shape_inference.describe({(1, 2): 1.0}) is None  # keys other than str and int
    assert shape_inference.describe({"W": np.ones((2, 3)), "k": 2, "s": "tanh"}) == (
        "dict", (("W", (2, 3)), ("k", "int"), ("s", None)))
    assert shape_inference.describe([1.0, (np.ones(2), 3)]) == (
        "list", ((0, ()), (1, ("tuple", ((0, (2,)), (1, "int"))))))


# -- the backward sweep ---------------------------------------------------------------------

def test_rnn_reads_like_hand_written_numpy():
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4),
            rng.normal(size=(5, 2, 3)))
    code = check(rnn, args, (0, 1, 2))
    assert "unbroadcast" not in code and "matmul_adjoint" not in code
    assert "@ Wh.T" in code and "h_1.T @" in code and "d_t11.sum(axis=0)" in code
    # values read only for a shape check are no longer saved on the tape
    assert "tape.append((h_1, t7, h_2))" in code


def logistic(W, b, X, y):
    z = X @ W + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def test_matrix_vector_products_and_a_scalar_bias():
    rng = np.random.default_rng(1)
    args = (rng.normal(size=3), 0.2, rng.normal(size=(6, 3)), (rng.random(6) > 0.5) * 1.0)
    code = check(logistic, args, (0, 1))
    assert "d_W = d_t1 @ X" in code and "d_b = d_z.sum()" in code
    assert "unbroadcast" not in code
    # sigmoid(z) in the tanh form, the scalar adjoint halved first: four array operations
    assert "d_z += d_t2 * 0.5 * (1 + np.tanh(z * 0.5))" in code


def softplus_left(w, X):
    z = X @ w
    return np.sum(np.logaddexp(z, 0.0) * z)


def test_logaddexp_left_operand_halves_an_array_adjoint():
    rng = np.random.default_rng(2)
    code = check(softplus_left, (rng.normal(size=3), 3 * rng.normal(size=(5, 3))), (0,))
    assert "d_z += d_t1 * 0.5 * (1 - np.tanh((0.0 - z) * 0.5))" in code


def scalar(x, y):
    a = x * y + math.exp(x)
    if a > 0:
        a = a * np.sin(y)
    return np.log(1.0 + a * a) + np.mean(a)


def test_scalar_code_keeps_numbers():
    code = check(scalar, (0.7, -0.4), (0, 1))
    assert "unbroadcast" not in code and "full_like" not in code
    dx, dy = srcgrad.grad(scalar, wrt=(0, 1))(0.7, -0.4)
    assert type(dx) is float and type(dy) is float


def broadcasts(x, y, z):
    return np.sum((x + y) * z)


@pytest.mark.parametrize("shapes", [((3, 1), (4,), ()), ((2, 3), (1, 3), (2, 1)),
                                    ((3,), (2, 3), (3,)), ((), (4,), (4,))])
def test_real_broadcasting_still_reduces(shapes):
    rng = np.random.default_rng(2)
    args = tuple(rng.normal(size=s) if s else 0.3 for s in shapes)
    check(broadcasts, args, (0, 1, 2))


def test_each_shape_gets_its_own_code_up_to_a_limit():
    g = srcgrad.grad(broadcasts, wrt=(0, 1))
    for n in range(1, api.MAX_VARIANTS + 3):
        args = (np.ones(n), np.ones((2, n)), 0.5)
        dx, dy = g(*args)
        np.testing.assert_allclose(dx, np.full(n, 1.0))
        assert dy.shape == (2, n)
    assert len(g._variants) == api.MAX_VARIANTS  # then the general code serves every shape
    assert "unbroadcast" in g.source


def test_general_source_is_unchanged():
    assert "unbroadcast" in srcgrad.grad(broadcasts).source


def residual(W, b, X):
    h = X @ W + b
    for k in range(2):
        h = h + 0.5 * np.clip(np.tanh(h), -0.9, 0.9)
    return np.mean(np.std(h, axis=0)) + np.sum(h.max(axis=1))


def test_clip_std_and_max_keep_shapes_known():
    rng = np.random.default_rng(3)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3)))
    code = check(residual, args, (0, 1))
    assert "unbroadcast" not in code


def weighted(w, x):
    return np.sum(w * x)


def test_the_sum_of_a_product_of_vectors_is_a_dot_product():
    rng = np.random.default_rng(5)
    code = check(weighted, (0.3, rng.standard_normal(4)), (0,))
    assert "d_w = np.dot(" in code


# -- plain division of numbers ----------------------------------------------------------------

def smooth(x, y, z):
    e = (x - y) / (1.0 + z * z)
    return np.log(1.0 + e * e) + np.sqrt(1.0 + x * x) + math.sqrt(2.0 + y * y)


def test_numbers_divide_with_plain_division_in_smooth_code():
    code = check(smooth, (0.7, -0.4, 0.3), (0, 1, 2))
    assert "safe_div" not in code
    assert "d_e / t" in code  # the adjoint of `e = a / b`


def sqrt_on_one_path(x, c):
    s = np.sqrt(x)
    if c > 0:
        r = s * 2.0
    else:
        r = 3.0  # no adjoint reaches s: a zero adjoint divided by 2 * sqrt(0)
    return r + x


def masked(x):
    return np.where(x > 0, np.sqrt(np.abs(x)), 0.0)


def test_safe_div_stays_where_an_adjoint_can_be_zero():
    assert "safe_div" in check(sqrt_on_one_path, (4.0, 1.0), (0,))
    assert srcgrad.grad(sqrt_on_one_path)(0.0, -1.0) == 1.0  # not nan
    assert "safe_div" in srcgrad.grad(masked).source_for(4.0)
    assert srcgrad.grad(masked)(-1.0) == 0.0


def math_sqrt(x):
    return math.sqrt(x) * 2.0 + x


def test_a_division_of_python_zeros_falls_back_to_the_general_code():
    g = srcgrad.grad(math_sqrt)
    assert "/ (2 * t1)" in g.source_for(4.0)
    assert g(4.0) == 1.5
    with np.errstate(divide="ignore"):
        assert g(0.0) == np.inf  # as the general code (and NumPy) gives, not ZeroDivisionError


def shifted_exp_loss(W, X):  # depends on the max (so it keeps its adjoint: shift_invariance.py)
    logits = X @ W
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return -np.mean(np.exp(shifted))


def test_a_kept_axis_sums_back_with_the_method_and_negates_after():
    rng = np.random.default_rng(0)
    code = check(shifted_exp_loss, (rng.standard_normal((3, 4)), rng.standard_normal((5, 3))), (0,))
    assert "d_t1 = -d_shifted.sum(axis=1, keepdims=True)" in code  # not (-d_shifted).sum
    assert "unbroadcast" not in code


def log_softmax_loss(x):
    shifted = x - np.max(x, axis=1, keepdims=True)
    return np.sum(shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))) + np.sum(
        np.max(x, axis=1, keepdims=True) * x)


def test_ties_of_a_kept_max_are_split_without_broadcasting():
    from finite_diff import checked_source
    x = np.random.default_rng(1).standard_normal((4, 3))
    code = checked_source(log_softmax_loss, (x,), (0,))
    assert "split_ties_kept(d_t" in code and "split_among_ties" not in code
    tied = np.array([[1.0, 2.0, 2.0], [0.5, 0.5, 0.5]])  # ties share the adjoint equally
    general = srcgrad.grad(log_softmax_loss).general()
    expected = general.backward(1.0, *general.forward(tied)[1])
    np.testing.assert_allclose(srcgrad.grad(log_softmax_loss)(tied), expected)
    v = np.random.default_rng(2).standard_normal(x.shape)  # forward mode through it
    eps, g = 1e-6, srcgrad.grad(log_softmax_loss)
    np.testing.assert_allclose(srcgrad.hvp(log_softmax_loss)(x, tangent=v),
                               (g(x + eps * v) - g(x - eps * v)) / (2 * eps), rtol=1e-5, atol=1e-6)


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


def column(x, y):
    return np.sum((x[:, 0] - y) ** 2) + np.sum(x[0] * y[0])


def test_an_index_taking_every_element_reshapes_the_adjoint():
    code = check(column, (np.arange(3.0).reshape(3, 1), np.ones(3)), (0, 1))
    assert "np.reshape(d_t" in code and "(3, 1)" in code
    code = check(column, (np.arange(6.0).reshape(3, 2), np.ones(3)), (0, 1))
    assert "np.reshape" not in code  # x[:, 0] of two columns takes half


def row_of_one(x):
    return np.sum(np.sin(x[0, ..., -1, None]) * x[-1, :, 0])


@pytest.mark.parametrize("shape", [(1, 4, 1), (1, 4, 2), (2, 4, 1)])
def test_whole_and_partial_indices_keep_their_gradients(shape):
    x = np.linspace(0.1, 1.0, math.prod(shape)).reshape(shape)
    check(row_of_one, (x,), (0,))


def chained(a, b, v):
    return np.sum(np.sin(a @ b)) + np.sum(np.cos(v @ b))


@pytest.mark.parametrize("rows, columns", [(1, 2), (4, 1), (4, 2)])
def test_a_product_over_an_axis_of_length_one_is_an_outer_product(rows, columns):
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((rows, 3)), rng.standard_normal((3, columns)),
            rng.standard_normal(3))
    code = check(chained, args, (0, 1, 2))
    assert ("d_a = d_t1 * b.T" in code) == (columns == 1)  # (4, 1) times (1, 3)
    assert ("a.T * d_t1" in code) == (rows == 1)  # (3, 1) times (1, 2)
