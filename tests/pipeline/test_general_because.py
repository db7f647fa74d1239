"""A call whose argument shapes are known but that runs the general code (no fused
function) says why in `source_for`: the line of the first value whose shape is not known."""

import numpy as np

import srcgrad


def layers_in_a_loop(params, x):
    h = x
    for W in params:
        h = np.tanh(h @ W)
        if np.sum(h) > 1e9:  # may stop early: not written out item by item (unrolling.py)
            break
    return np.sum(h)


def layers_written_out(params, x):
    h = x
    for W in params:
        h = np.tanh(h @ W)
    return np.sum(h)


def test_a_loop_whose_shapes_change_says_why_it_is_general():
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((3, 5)), rng.standard_normal((5, 2))]
    x = rng.standard_normal((4, 3))
    assert "_grad(" in srcgrad.grad(layers_written_out).source_for(params, x)  # unrolled
    code = srcgrad.grad(layers_in_a_loop).source_for(params, x)
    assert "_grad(" not in code
    assert "general code, not one fused function: the shape of a value at line" in code
    assert "`for W in params:`" in code or "`h = np.tanh(h @ W)`" in code


def fixed(W, x):
    return np.sum(np.tanh(x @ W))


def test_a_fused_call_says_nothing_of_it():
    rng = np.random.default_rng(1)
    code = srcgrad.grad(fixed).source_for(rng.standard_normal((3, 2)),
                                          rng.standard_normal((4, 3)))
    assert "_grad(" in code and "general code" not in code
