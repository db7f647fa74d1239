"""entry: the straight-line way into a cached `grad` call. Its generated code, and that
every call it answers gives what the general path gives (finite differences, types,
distinct arrays, errors), and that it steps aside whenever the call is not its own."""

import math

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad.api import GradientFunction


def linreg(w, b, x, y):
    return np.mean((w * x + b - y) ** 2)


def square(x):
    return np.sum(x * x)


def weighted(v, u):
    return np.sum(v * u)


def general_path(g, *args) -> bool:
    """Whether g's entry sends a call with `args` the general way
    (GradientFunction.general_call)."""
    general = object()
    g.general_call = lambda args, kwargs: general
    try:
        return g._entry(g, *args) is general
    finally:
        del g.general_call


def data():
    rng = np.random.default_rng(0)
    return 0.5, -0.2, rng.random(5), rng.random(5)


def test_the_entry_checks_what_the_variant_is_specialized_on():
    g = srcgrad.grad(linreg, wrt=(0, 1))
    args = data()
    assert g._entry is None and type(g) is GradientFunction
    first = g(*args)
    code = g._entry.source
    assert type(g).__call__ is g._entry and isinstance(g, GradientFunction)
    assert code.splitlines()[0] == "def linreg_entry(self, *args, **kwargs):"
    assert "if type(a0) is not float:" in code
    assert "if type(a2) is not ndarray or a2.shape != (5,) or a2.dtype is not D2:" in code
    assert "G0.get('np', O0) is not O0" in code  # the guard on `np`, inline
    assert "return (float(g0), float(g1))" in code
    second = g(*args)
    assert second == first and all(type(v) is float for v in second)
    assert_grads_match(linreg, second, args, (0, 1))


def summed(v, u):
    t = v + u
    return np.sum(t * t)


def test_array_gradients_are_checked_and_distinct():
    g = srcgrad.grad(summed, wrt=(0, 1))
    v = np.arange(3.0)
    g(v, v)  # d_v and d_u are one array, d_t: checked as the general path would
    assert "or (g1 is g0) or" in g._entry.source
    assert "return self.finished(None, g, [a0, a1], True)" in g._entry.source
    gv, gu = g(v, v)
    assert gv is not gu and not np.shares_memory(gv, gu)
    np.testing.assert_allclose(gv, 4 * v) and np.testing.assert_allclose(gu, 4 * v)
    g = srcgrad.grad(weighted, wrt=(0, 1))
    g(v, v)
    gv, gu = g(v, v)
    assert gv is not gu and gv is not v and not np.shares_memory(gv, gu)
    np.testing.assert_allclose(gv, v)
    gv[0] = 99.0
    assert v[0] == 0.0
    view = np.arange(6.0)[::2]  # an input that is a view: the general checks
    gv, gu = g(view, v)
    np.testing.assert_allclose(gv, v) and np.testing.assert_allclose(gu, view)
    assert not np.shares_memory(gu, view)


def layer(W, V, X):
    return np.sum(np.tanh(X @ W) * V)


def test_a_gradient_the_function_makes_needs_only_its_kind_checked():
    rng = np.random.default_rng(1)
    W, V, X = rng.normal(size=(3, 2)), rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    g = srcgrad.grad(layer, wrt=(0, 1))
    g(W, V, X)
    code = g._entry.source
    # d_W = X.T @ ...: a new array; d_V is tanh(X @ W) itself, also made here
    assert "if type(g0) is not ndarray or g0.shape != (3, 2) or g0.dtype is not D0:" in code
    assert "g0.base" not in code
    for args in ((W, V, X), (W[:, ::1], V.copy(), X), (np.asfortranarray(W), V, X)):
        dW, dV = g(*args)
        assert_grads_match(layer, (dW, dV), args, (0, 1))
        assert not np.shares_memory(dW, dV) and not np.shares_memory(dV, args[1])
        assert dW.flags.writeable and dV.flags.writeable


def test_other_calls_take_the_general_path():
    g = srcgrad.grad(square)
    assert g(3.0) == 6.0 and g(3.0) == 6.0
    assert general_path(g, np.float32(3.0)) and general_path(g, 3.0, 4.0)
    assert type(g(np.float64(3.0))) is np.float64
    assert g(x=2.0) == 4.0
    with pytest.raises(srcgrad.SrcGradError, match="it is an integer"):
        g(3)
    with pytest.raises(TypeError):
        g(1.0, 2.0)
    x = np.arange(4.0)
    np.testing.assert_allclose(g(x), 2 * x)  # another shape: another variant and entry
    assert general_path(g, 3.0) and not general_path(g, x)
    entries = dict(g._entries)
    assert g(3.0) == 6.0 and g._entry(g, 3.0) == 6.0  # back to the float's entry, not rebuilt
    assert g._entries == entries


wave = np.sin  # a called global, read through the entry's guard


def waved(x):
    return wave(x) * x


def test_a_rebound_name_sends_the_call_back_to_be_rebuilt():
    global wave
    g = srcgrad.grad(waved)
    x = 0.7
    sine = math.sin(x) + x * math.cos(x)
    assert g(x) == g(x) == pytest.approx(sine) and g._entry is not None
    assert not general_path(g, x)
    try:
        wave = np.cos
        assert general_path(g, x)
        assert g(x) == g(x) == pytest.approx(math.cos(x) - x * math.sin(x))
    finally:
        wave = np.sin
    assert g(x) == pytest.approx(sine)


def logged(x):
    return math.log(x) * x  # the adjoint needs the log


def test_errors_keep_the_note_on_the_generated_line():
    g = srcgrad.grad(logged)
    assert g(1.0) == 1.0 and g(1.0) == 1.0  # the second through the entry
    with pytest.raises(ValueError) as info:
        g(-1.0)
    assert any("srcgrad: raised by the generated line" in n for n in info.value.__notes__)


def divide(x, y):
    return x / y


def test_a_zero_division_raises_as_before():
    g = srcgrad.grad(divide, wrt=1)
    assert g(1.0, 2.0) == -0.25 and g(1.0, 2.0) == -0.25
    with pytest.raises(ZeroDivisionError):
        g(1.0, 0.0)
    assert g(1.0, 2.0) == -0.25


def test_value_and_grad_runs_one_function_through_its_entry():
    vg = srcgrad.value_and_grad(linreg, wrt=(0, 1))
    args = data()
    first = vg(*args)
    assert type(vg).__call__ is vg._entry and "v, g = g" in vg._entry.source
    assert "return (v, (float(g0), float(g1)))" in vg._entry.source
    value, grads = vg(*args)
    assert (value, grads) == first and value == linreg(*args)
    assert grads == srcgrad.grad(linreg, wrt=(0, 1))(*args)
    x = np.arange(3.0)
    value, gx = srcgrad.value_and_grad(square)(x)  # one wrt: bare, as grad gives it
    assert value == 5.0 and gx.tolist() == [0.0, 2.0, 4.0]
    vd = srcgrad.value_and_grad(divide, wrt=1)
    assert vd(1.0, 2.0) == (0.5, -0.25) and vd(1.0, 2.0) == (0.5, -0.25)
    with pytest.raises(ZeroDivisionError):
        vd(1.0, 0.0)
