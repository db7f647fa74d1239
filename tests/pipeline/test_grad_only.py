"""The grad-only forward sweep: when only the gradient is asked for and the shapes prove
the value a real number, the forward sweep computes only what the backward sweep reads."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad.errors import SrcGradError


def mse(w, b, x, y):
    err = w * x + b - y
    return np.mean(err ** 2)


def args():
    rng = np.random.default_rng(0)
    return 0.5, -0.2, rng.standard_normal(6), rng.standard_normal(6)


def test_grad_skips_the_loss_and_value_and_grad_keeps_it():
    g = srcgrad.grad(mse, wrt=(0, 1))
    assert_grads_match(mse, g(*args()), args(), (0, 1))
    forward = g.source_for(*args()).split("def mse_backward")[0]
    assert "np.mean" not in forward and "** 2" not in forward
    assert "return (None, " in forward

    vg = srcgrad.value_and_grad(mse, wrt=(0, 1))
    value, grads = vg(*args())
    assert value == pytest.approx(mse(*args()))
    assert "np.mean" in vg.source_for(*args())
    assert "np.mean" in g.source  # the general code keeps the value


def times(x, c):
    return np.sum(x * c)


def test_a_complex_argument_keeps_the_check_of_the_value():
    g = srcgrad.grad(times)
    x = np.ones(3)
    assert_grads_match(times, (g(x, np.arange(3.0)),), (x, np.arange(3.0)), (0,))
    with pytest.raises(SrcGradError, match="real scalar"):
        g(x, np.arange(3.0) * 1j)  # same shapes, complex: not the grad-only code


def vector(x):
    return x * 2.0


def test_a_value_that_is_no_number_still_raises():
    with pytest.raises(SrcGradError, match="real scalar"):
        srcgrad.grad(vector)(np.ones(3))


def noisy(x):
    r = np.random.standard_normal(3)
    s = np.sum(x * x)
    return s + 0.0 * np.sum(r)


def test_statements_with_effects_stay():
    assert "standard_normal" in srcgrad.grad(noisy).source_for(np.ones(3))


def test_a_grad_call_compiles_the_fused_function_alone_and_the_sweeps_on_demand():
    from srcgrad import pipeline
    from srcgrad.analysis import shape_inference
    described = {name: shape_inference.describe(v) for name, v in zip("wbxy", args())}

    def fresh(w, b, x, y):  # never transformed before
        err = w * x + b - y
        return np.mean(err ** 2)

    generated = pipeline.specialized(fresh, ("w", "b"), described, value=False)
    assert generated.fused is not None
    assert generated._forward is None and generated._own_source is None  # not built yet
    np.testing.assert_allclose(generated.fused(*args()), srcgrad.grad(mse, wrt=(0, 1))(*args()))
    source = generated.source  # builds the sweeps: forward, backward, then the fused function
    assert [line.split("(")[0] for line in source.splitlines() if line.startswith("def ")] == [
        "def fresh_forward", "def fresh_backward", "def fresh_grad"]
    _, saved = generated.forward(*args())
    np.testing.assert_allclose(generated.backward(1.0, *saved), generated.fused(*args()))
    assert generated.forward.__code__.co_filename != generated.fused.__code__.co_filename
