"""The public API: wrt forms, return types and dtypes, caching, errors, and the seeds' values."""

import math

import numpy as np
import pytest
from finite_diff import assert_grads_match, numerical_grad

import srcgrad
from srcgrad import SrcGradError, grad, value_and_grad

# --- the tutorials' worked examples, exact values ---------------------------------


def square(x):
    return x ** 2


def neuron(w, x, b):
    return w * x + b


def hundred(x):
    y = 100 * x
    return y.sum()


def cubic(a, b):
    Q = 3 * a ** 3 - b ** 2
    return np.sum(Q)


def test_derivative_of_square_at_5_is_10():
    assert grad(square)(5.0) == 10.0


def test_linear_neuron_value_and_gradients():
    z, (dw, db) = value_and_grad(neuron, wrt=("w", "b"))(40.0, 30.0, 50.0)
    assert (z, dw, db) == (1250.0, 30.0, 1.0)


def test_sum_of_100x_gives_100_each():
    np.testing.assert_array_equal(grad(hundred)(np.array([1.0, 2.0])), [100.0, 100.0])


def test_q_equals_3a3_minus_b2():
    da, db = grad(cubic, wrt=(0, 1))(np.array([2.0, 3.0]), np.array([6.0, 4.0]))
    np.testing.assert_array_equal(da, [36.0, 81.0])
    np.testing.assert_array_equal(db, [-12.0, -8.0])


# --- wrt forms ------------------------------------------------------------------


def affine(w, b, x, y):
    return np.mean((w * x + b - y) ** 2)


X = np.linspace(-1.0, 1.0, 7)
Y = 1.0 + 2.0 * X


@pytest.mark.parametrize("wrt, expected", [
    (0, "w"), ("b", "b"), ((0, 1), ("w", "b")), (("b", "w"), ("b", "w")), ([1], ("b",)),
])
def test_wrt_forms_select_and_order_gradients(wrt, expected):
    args = (0.3, -0.2, X, Y)
    result = grad(affine, wrt=wrt)(*args)
    names = ["w", "b", "x", "y"]
    if isinstance(expected, str):
        assert result == pytest.approx(numerical_grad(affine, args, names.index(expected)))
    else:
        assert isinstance(result, tuple) and len(result) == len(expected)
        for g, name in zip(result, expected):
            assert g == pytest.approx(numerical_grad(affine, args, names.index(name)))


def test_decorator_forms():
    @grad
    def f(x):
        return np.sin(x) * 2.0

    @grad(wrt="y")
    def g(x, y):
        return x * y * y

    assert f(0.5) == pytest.approx(2.0 * math.cos(0.5))
    assert g(3.0, 2.0) == 12.0


def test_keyword_arguments_and_defaults():
    def f(x, scale=3.0, *, power=2.0):
        return scale * x ** power

    df = grad(f)
    assert df(2.0) == 12.0
    assert df(x=2.0, scale=1.0) == 4.0
    assert df(2.0, power=3.0) == pytest.approx(36.0)


def test_wrt_keyword_argument_passed_by_name():
    assert grad(affine, wrt="w")(b=0.0, w=1.0, x=X, y=Y) == pytest.approx(
        numerical_grad(affine, (1.0, 0.0, X, Y), 0))


@pytest.mark.parametrize("bad", [5, "z", (0, 0), (), 1.5])
def test_bad_wrt_is_refused_early(bad):
    with pytest.raises(SrcGradError):
        grad(affine, wrt=bad)


# --- returned types ------------------------------------------------------------


def test_value_and_grad_runs_the_forward_sweep_once():
    calls = []

    def count(v):
        calls.append(v)
        return v

    def f(x):
        return np.sum(x * x) + count(1.0)

    value, g = value_and_grad(f)(np.array([1.0, 2.0]))
    assert value == 6.0 and calls == [1.0]
    np.testing.assert_array_equal(g, [2.0, 4.0])


def test_python_float_argument_gives_python_float():
    g = grad(square)(3.0)
    assert type(g) is float and g == 6.0


def test_numpy_scalar_argument_keeps_its_type():
    g = grad(square)(np.float32(3.0))
    assert isinstance(g, np.float32) and g == 6.0


def test_float32_arrays_give_float32_gradients():
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = grad(hundred)(x)
    assert g.dtype == np.float32 and g.shape == (2,)


def test_gradients_have_the_shape_of_their_argument():
    def f(w, x):
        return np.sum(w * x)          # w (3, 1) broadcasts against x (3, 4)

    w = np.ones((3, 1))
    x = np.arange(12.0).reshape(3, 4)
    g = grad(f)(w, x)
    np.testing.assert_array_equal(g, x.sum(axis=1, keepdims=True))


def test_gradient_of_unused_argument_is_zeros_of_its_shape():
    def f(w, b):
        return np.sum(w * 2.0)

    dw, db = grad(f, wrt=(0, 1))(np.ones(2), np.ones((2, 3)))
    np.testing.assert_array_equal(db, np.zeros((2, 3)))
    np.testing.assert_array_equal(dw, [2.0, 2.0])


def test_gradient_never_aliases_the_input():
    def f(x):
        return np.sum(x)

    x = np.array([1.0, 2.0])
    g = grad(f)(x)
    g[0] = 99.0
    assert x[0] == 1.0 and g.flags.writeable


def test_source_and_wrapped():
    df = grad(affine, wrt=("w", "b"))
    assert df.__wrapped__ is affine and df.__name__ == "affine"
    assert "def affine_forward(w, b, x, y):" in df.source
    assert "def affine_backward(d_affine" in df.source
    compile(df.source, "<generated>", "exec")


# --- caching ---------------------------------------------------------------------


def test_compiled_once_and_cached():
    from srcgrad.pipeline import compiled

    first = compiled(affine, ("w",))
    grad(affine)(1.0, 0.0, X, Y)
    assert compiled(affine, ("w",)) is first


def test_redefined_function_gets_a_new_gradient(tmp_path):
    def make(k):
        def f(x):
            return k * x * x
        return f

    assert grad(make(1.0))(1.0) == 2.0
    assert grad(make(5.0))(1.0) == 10.0


SCALE = 2.0


def scaled(x):
    return SCALE * x * x


def test_globals_are_read_fresh_on_every_call():
    global SCALE
    df = grad(scaled)
    assert df(1.0) == 4.0
    SCALE = 10.0
    try:
        assert df(1.0) == 20.0
    finally:
        SCALE = 2.0


def test_closure_values_are_read_fresh():
    k = 1.0

    def f(x):
        return k * x

    df = grad(f)
    assert df(3.0) == 1.0
    k = 4.0
    assert df(3.0) == 4.0


def test_generated_code_does_not_touch_user_globals():
    before = set(globals())
    grad(affine, wrt="b")(1.0, 0.0, X, Y)
    assert set(globals()) == before


# --- errors ------------------------------------------------------------------


def vector_valued(x):
    return x * 2.0


def test_non_scalar_output_is_refused_with_advice():
    with pytest.raises(SrcGradError, match=r"scalar.*shape \(3,\).*vjp"):
        grad(vector_valued)(np.ones(3))


@pytest.mark.parametrize("value, kind", [
    (5, "integer"), (np.arange(3), "integer"), (True, "boolean"), (1j, "complex"),
    ("1.0", "str"), ({"w": 1}, "integer"),
])
def test_non_float_wrt_argument_is_refused(value, kind):
    with pytest.raises(SrcGradError, match=kind):
        grad(square)(value)


def test_integer_data_arguments_are_fine():
    def f(w, n):
        return w * n

    assert grad(f)(2.0, 3) == 3.0


def test_srcgrad_error_is_a_type_error():
    assert issubclass(SrcGradError, TypeError)
    assert srcgrad.SrcGradError is SrcGradError


def test_missing_rule_names_function_line_and_close_matches():
    def f(x):
        return np.sum(np.sinh(x) + np.expm1(x) * np.nextafter(x, 2.0))

    with pytest.raises(SrcGradError) as info:
        grad(f)(np.ones(2))
    message = str(info.value)
    assert "numpy.nextafter" in message and __file__ in message and "^" in message
    assert "np.nextafter(x, 2.0)" in message


def test_data_only_calls_need_no_rule():
    def f(w, x):
        noise = np.nextafter(x, 2.0)      # no rule, but it does not depend on w
        return np.sum(w * noise)

    x = np.array([3.0, 5.0])
    np.testing.assert_array_equal(grad(f)(np.ones(2), x), np.nextafter(x, 2.0))


def test_gradient_matches_finite_differences_for_a_small_model():
    def model(W, b, X, y):
        h = np.tanh(X @ W + b)
        return np.mean((h.sum(axis=1) - y) ** 2) + 0.1 * np.sum(W * W)

    rng = np.random.default_rng(0)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3)),
            rng.normal(size=5))
    grads = grad(model, wrt=(0, 1))(*args)
    assert_grads_match(model, grads, args, (0, 1))


ACTIVATION = np.tanh


def activated(x):
    return np.sum(ACTIVATION(x))


def test_rebinding_a_called_global_rebuilds_the_gradient():
    global ACTIVATION
    df = grad(activated)
    x = np.array([0.3, -0.2])
    np.testing.assert_allclose(df(x), 1 - np.tanh(x) ** 2)
    ACTIVATION = np.sin
    try:
        np.testing.assert_allclose(df(x), np.cos(x))     # never tanh's rule on sin
    finally:
        ACTIVATION = np.tanh


def double(z):
    return z * 2.0


def quintuple(z):
    return z * 5.0


HELPER = double


def outer(x):
    return HELPER(x) + 1.0


def test_rebinding_a_helper_rebuilds_the_caller():
    global HELPER
    douter = grad(outer)
    assert douter(1.0) == 2.0
    HELPER = quintuple
    try:
        assert douter(1.0) == 5.0
    finally:
        HELPER = double


rng = np.random.default_rng(0)


# --- arguments are never changed ------------------------------------------------------


def augmented(x, w):
    x += w  # in plain Python this changes the caller's array
    return np.sum(x * x)


def copies_then_writes(x, w):
    h = x.copy()
    h[0] = w[0] * 2.0
    h[1] += w[1]
    return np.sum(h * w)


def model(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    for k in range(2):
        h = h * params["gain"][k]
    return np.sum(h ** 2)


def test_arrays_are_not_changed():
    x, w = rng.normal(size=3), rng.normal(size=3)
    x0, w0 = x.copy(), w.copy()
    grads = grad(copies_then_writes, wrt=(0, 1))(x, w)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)
    assert_grads_match(copies_then_writes, grads, (x, w), (0, 1))


def test_augmented_assignment_to_an_argument_does_not_change_it():
    """`x += w` on an argument array changes the caller's array in plain Python: srcgrad
    refuses it, or differentiates it without touching the caller's data."""
    x, w = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    x0 = x.copy()
    try:
        dx, dw = grad(augmented, wrt=(0, 1))(x, w)
    except SrcGradError as exc:
        assert "argument" in str(exc)
    else:
        np.testing.assert_array_equal(dx, 2 * (x0 + w))
        np.testing.assert_array_equal(dw, 2 * (x0 + w))
    np.testing.assert_array_equal(x, x0)


def test_dict_params_are_not_changed_and_gradients_are_new_arrays():
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=3), "gain": np.array([0.9, 1.1])}
    x = rng.normal(size=2)
    before = {k: v.copy() for k, v in params.items()}
    keys = list(params)
    grads = grad(model)(params, x)
    assert list(params) == keys and list(grads) == keys
    for k in keys:
        np.testing.assert_array_equal(params[k], before[k])
        assert not np.may_share_memory(grads[k], params[k])
        grads[k][...] = 1e9  # writing into a gradient
        np.testing.assert_array_equal(params[k], before[k])


def test_writing_into_an_argument_array_is_refused():
    def writes(x):
        x[0] = 0.0
        return np.sum(x)

    with pytest.raises(SrcGradError, match="change the caller's data"):
        grad(writes)(np.ones(3))


def test_refusals_name_library_functions_by_their_public_path():
    """A function without a rule is named where users find it (it said numpy.eig for
    np.linalg.eig and numpy.expit for scipy.special.expit)."""
    import scipy.special

    from srcgrad.rules.registry import display_name

    assert display_name(np.linalg.eig) == "numpy.linalg.eig"
    assert display_name(scipy.special.expit) == "scipy.special.expit"
    assert display_name(scipy.special.logsumexp) == "scipy.special.logsumexp"
