"""Gradient hooks under attack (issue 26's review): augmented assignments in the block,
hooks on dict, list, tuple and namedtuple values, two hooks on one value (they run in the
order written), each against the hand-derived modified adjoint."""

from collections import namedtuple

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError, grad

x = np.array([0.3, -0.7, 1.1])
S, C = np.sin(x), np.cos(x)
Pair = namedtuple("Pair", "a b")
LOG = []


def scaled_in_place(x):
    h = np.sin(x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h *= 2.0
        d_h[0] = 0.0
    return np.sum(h * 3)


def shifted_in_place(x):
    h = np.sin(x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h += 1.0
    return np.sum(h * 3)


def on_dict(x):
    h = {"a": np.sin(x), "b": np.cos(x)}
    with srcgrad.adjoint_of(h) as d_h:
        d_h["b"] = d_h["b"] + 1.0  # no adjoint reached "b": it starts at zero, is one now
        d_h["a"] = d_h["a"] * 2.0
    return np.sum(h["a"])


def on_tuple(x):
    h = (np.sin(x), np.sum(x ** 2))
    with srcgrad.adjoint_of(h) as d_h:
        d_h = (d_h[0] * 2, d_h[1] * 3)
    return np.sum(h[0]) + h[1] * 2


def on_list(x):
    h = [np.sin(x), np.cos(x)]
    with srcgrad.adjoint_of(h) as d_h:
        d_h[1] = d_h[1] * 0.0
    return np.sum(h[0] + h[1])


def on_namedtuple(x):
    h = Pair(np.sin(x), np.cos(x))
    with srcgrad.adjoint_of(h) as d_h:
        d_h = Pair(d_h.a * 2, d_h.b)
    return np.sum(h.a * h.b)


def two_hooks(x):
    h = np.sin(x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * 2.0
    with srcgrad.adjoint_of(h) as d_h2:
        d_h2 = d_h2 + 1.0
    return np.sum(h * h)


def log_then_clip(x):
    h = np.sin(x)
    with srcgrad.adjoint_of(h) as d_h:
        LOG.append(np.copy(d_h))
    with srcgrad.adjoint_of(h) as d_h:
        d_h = np.clip(d_h, -0.5, 0.5)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h - 0.25
    return np.sum(h * h)


CASES = [
    (scaled_in_place, 6 * C * np.array([0.0, 1.0, 1.0])),
    (shifted_in_place, 4 * C),
    (on_dict, 2 * C - S),  # "b" given an adjoint of one: cos(x) adds -sin(x)
    (on_tuple, 2 * C + 12 * x),
    (on_list, C),
    (on_namedtuple, 2 * C * C - S * S),
    (two_hooks, (4 * S + 1) * C),
    (log_then_clip, (np.clip(2 * S, -0.5, 0.5) - 0.25) * C),
]


@pytest.mark.parametrize("f, expected", CASES, ids=[f.__name__ for f, _ in CASES])
def test_modified_adjoint(f, expected):
    np.testing.assert_allclose(grad(f)(x), expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(grad(f, checkpoint=True)(x), expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(srcgrad.value_and_grad(f)(x)[1], expected, rtol=1e-13,
                               atol=1e-15)
    f(x)  # run plainly, each block runs once on zeros structured like its value


def test_hooks_in_turn_see_each_others_result():
    LOG.clear()
    grad(log_then_clip)(x)
    np.testing.assert_allclose(LOG[-1], 2 * S)


def wrong_keys(x):
    h = {"a": np.sin(x)}
    with srcgrad.adjoint_of(h) as d_h:
        d_h = {"b": d_h["a"]}
    return np.sum(h["a"])


def test_a_dict_hook_keeps_the_keys():
    with pytest.raises(SrcGradError, match="dict of keys") as info:
        grad(wrong_keys)(x)
    assert "test_hooks_attacked.py" in str(info.value)


def read_between(x):
    h = np.sin(x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * 2.0
    y = h * 3.0
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h + 1.0
    return np.sum(h + y)


def test_a_read_between_two_hooks_is_refused():
    with pytest.raises(SrcGradError, match="read here, before its gradient hook"):
        grad(read_between)(x)


def test_second_derivatives_through_two_hooks():
    # the gradient (4 sin + 1) cos; its Jacobian is diagonal
    expected = np.diag(4 * np.cos(2 * x) - S)
    np.testing.assert_allclose(srcgrad.hessian(two_hooks)(x), expected, rtol=1e-12,
                               atol=1e-14)


def reads_later(x):
    h = np.sin(x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * z
    z = np.cos(x)
    return np.sum(h * z)


def test_a_hook_reading_a_value_assigned_after_it_is_refused():
    # run plainly it fails on `z`; its gradient was a number
    with pytest.raises(SrcGradError, match="reads `z`, which is assigned only after it") as info:
        grad(reads_later)(x)
    assert "test_hooks_attacked.py" in str(info.value)
