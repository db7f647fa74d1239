"""fallback_notes: a loop of specialized code that still calls general helpers says why."""

import numpy as np

import srcgrad

RATE = 0.1


def decayed(k, x0):
    x = x0
    for _ in range(5):
        x = x - RATE * k * x  # RATE: a global, its shape not known to the variant
    return np.sum(x * x)


def decayed_by(k, x0, rate):
    x = x0
    for _ in range(5):
        x = x - rate * k * x
    return np.sum(x * x)


def test_a_loop_that_keeps_unbroadcast_names_the_global_its_shapes_depend_on():
    code = srcgrad.grad(decayed, wrt=(0,)).source_for(0.5, 1.0)
    assert "unbroadcast(" in code
    assert "# unbroadcast stays in this loop: the shapes depend on RATE (a global)" in code


def test_a_loop_of_known_shapes_says_nothing():
    code = srcgrad.grad(decayed_by, wrt=(0,)).source_for(0.5, 1.0, 0.1)
    assert "unbroadcast(" not in code and "stays in this loop" not in code
