"""`if`/`elif`/`else`, conditional expressions and early returns: the branch taken is
remembered and exactly its adjoint runs. Every case is checked against finite differences
at points that take each branch."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

from srcgrad import grad, value_and_grad


def piecewise(x):
    if x < -1.0:
        y = -2.0 * x - 1.0
    elif x < 1.0:
        y = x * x
    else:
        y = 2.0 * x - 1.0 + np.sin(x - 1.0)
    return y * 3.0


@pytest.mark.parametrize("x, expected", [(-2.0, -6.0), (0.5, 3.0), (2.0, 6.0 + 3 * np.cos(1.0))])
def test_elif_chain_takes_one_branch(x, expected):
    assert grad(piecewise)(x) == pytest.approx(expected)


def tutorial_loss(w, b, x, y):
    loss = np.mean((w * x + b - y) ** 2)
    if loss > 0.5:
        loss = loss + 10.0 * w * w   # only contributes when this branch runs
    return loss


@pytest.mark.parametrize("w", [0.0, 1.9, 5.0])
def test_only_the_branch_taken_contributes(w):
    x = np.linspace(0.0, 1.0, 5)
    y = 1.0 + 2.0 * x
    args = (w, 1.0, x, y)
    grads = grad(tutorial_loss, wrt=(0, 1))(*args)
    assert_grads_match(tutorial_loss, grads, args, (0, 1))
    base = np.mean(2 * (w * x + 1.0 - y) * x)
    taken = np.mean((w * x + 1.0 - y) ** 2) > 0.5
    assert grads[0] == pytest.approx(base + (20.0 * w if taken else 0.0))


def branch_on_array(w, x):
    h = w * x
    if np.sum(h) > 0:
        out = np.sum(h ** 2)
    else:
        out = -np.sum(h)
    return out


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_branch_on_a_reduction(sign):
    args = (sign * np.array([0.5, 1.5]), np.array([1.0, 2.0]))
    assert_grads_match(branch_on_array, (grad(branch_on_array)(*args),), args, (0,))


def conditional_expression(x, y):
    z = x * y if x > y else x - y
    return z * z


@pytest.mark.parametrize("x, y", [(2.0, 1.0), (1.0, 2.0)])
def test_conditional_expression(x, y):
    grads = grad(conditional_expression, wrt=(0, 1))(x, y)
    assert_grads_match(conditional_expression, grads, (x, y), (0, 1))


def early_return(x):
    if x > 0:
        return x ** 3
    y = np.exp(x)
    return y * x


@pytest.mark.parametrize("x", [1.5, -0.5])
def test_early_return(x):
    assert_grads_match(early_return, (grad(early_return)(x),), (x,), (0,))


def nested(x, y):
    z = x * y
    if x > 0:
        if y > 0:
            z = z * x
        else:
            z = z + y * y
        z = z * 2.0
    else:
        z = z - x
    return z


@pytest.mark.parametrize("x, y", [(1.0, 2.0), (1.0, -2.0), (-1.0, 2.0)])
def test_nested_branches(x, y):
    grads = grad(nested, wrt=(0, 1))(x, y)
    assert_grads_match(nested, grads, (x, y), (0, 1))


def one_sided(w, v):
    out = w * 2.0
    if w > 0:
        out = out + v * v       # v's adjoint exists on this path only
    return out


def test_adjoint_set_on_one_path_is_zero_on_the_other():
    assert grad(one_sided, wrt=(0, 1))(1.0, 3.0) == (2.0, 6.0)
    assert grad(one_sided, wrt=(0, 1))(-1.0, 3.0) == (2.0, 0.0)


def test_value_and_grad_through_a_branch():
    value, g = value_and_grad(piecewise)(0.5)
    assert value == 0.75 and g == 3.0


def test_branches_appear_in_both_sweeps():
    source = grad(tutorial_loss).source
    forward, backward = source.split("def tutorial_loss_backward")
    assert "if cond:" in forward and "if cond:" in backward
    assert "cond = loss > 0.5" in forward
