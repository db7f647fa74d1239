"""unrolling.py: a loop over a list or tuple argument of known length is written out item
by item when the code is specialized, so the fused code runs (no sequence walked at run
time); anything else keeps its loop. Gradients checked against finite differences."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad

RNG = np.random.default_rng(3)
PARAMS = [(RNG.standard_normal((3, 3)) / 2, RNG.standard_normal(3)) for _ in range(3)]
X = RNG.standard_normal((4, 3))


def layers(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def all_but_last(params, x):
    h = x
    for W, b in params[:-1]:
        h = np.maximum(0.0, h @ W + b)
    W, b = params[-1]
    return np.sum(np.tanh(h @ W + b))


def numbered(params, x):
    h, total = x, 0.0
    for i, (W, b) in enumerate(params):
        h = np.sin(h @ W) + b * (i + 1)
        total = total + np.sum(h) * i
    return total + np.sum(h * h)


def indexed(params, x):
    h = x
    for i in range(len(params)):
        W, b = params[i]
        h = np.tanh(h @ W + b)
    return np.sum(h)


def paired(params, x):
    h = x
    for (W, b), (V, c) in zip(params, params[1:]):
        h = np.tanh(h @ W + b) + np.tanh(h @ V + c)
    return np.sum(h)


def stops_early(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
        if np.sum(h) > 100.0:
            break
    return np.sum(h)


def _flat_check(f, params):
    """The gradient of every item of `params` against central differences."""
    got = srcgrad.grad(f)(params, X)
    for k, (W, b) in enumerate(params):
        for j, value in enumerate((W, b)):
            def at(v, k=k, j=j):
                changed = [list(p) for p in params]
                changed[k][j] = v
                return f([tuple(p) for p in changed], X)
            np.testing.assert_allclose(got[k][j], numerical_grad(at, [value], 0),
                                       rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [layers, all_but_last, numbered, indexed, paired])
def test_a_loop_over_a_known_sequence_runs_the_fused_code(f):
    _flat_check(f, PARAMS)
    code = srcgrad.grad(f).source_for(PARAMS, X)
    assert "in_order" not in code and "for " not in code.split("_grad(")[1]


@pytest.mark.parametrize("params", [PARAMS[:1], tuple(PARAMS)])
def test_other_lengths_are_other_variants(params):
    got = srcgrad.grad(layers)(params, X)
    assert len(got) == len(params) and type(got) is type(params)
    if params:
        _flat_check(layers, list(params))


def test_a_loop_that_may_stop_early_stays_a_loop():
    _flat_check(stops_early, PARAMS)
    assert "in_order" in srcgrad.grad(stops_early).source_for(PARAMS, X)


def rebinds(params, x):
    params = params[1:]
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h)


def test_a_rebound_sequence_stays_a_loop():
    _flat_check(rebinds, PARAMS)
    assert "in_order" in srcgrad.grad(rebinds).source_for(PARAMS, X)


def float32_layers(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h)


def test_float32_items():
    p32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in PARAMS]
    got = srcgrad.grad(float32_layers)(p32, X.astype(np.float32))
    want = srcgrad.grad(float32_layers)(PARAMS, X)
    for (gw, gb), (ww, wb) in zip(got, want):
        assert gw.dtype == np.float32
        np.testing.assert_allclose(gw, ww, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(gb, wb, rtol=1e-4, atol=1e-5)
