"""The namer: generated names never collide with the user's."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

from srcgrad import grad


# --- names that collide with the generated ones ---------------------------------------------


def collide(x, d_x, t1, cond, tape, unbroadcast, np_1, d_parts, x_1):
    t2 = x * t1
    d_x = t2 + d_x
    cond = np.sum(d_x) > 0.0
    if cond:
        tape = d_x * unbroadcast
    else:
        tape = d_x * np_1
    for i in range(3):
        x_1 = x_1 + np.sin(tape * d_parts)
    winner = np.maximum(x_1, 0.1 * x)
    scatter_add = winner[0]
    zeros_like = np.sum(winner)
    return zeros_like + scatter_add


def collide_more(x, d_collide_more, collide_more_forward, safe_div, repeat_to, item, i, _):
    s = 0.0
    for i in range(2):
        safe_div = x / (1.0 + d_collide_more * d_collide_more)
        repeat_to = np.mean(safe_div, keepdims=True)
        s = s + np.sum(repeat_to * collide_more_forward) + item * i
    _ = s * 2.0
    return _


def set_at(x):  # named like srcgrad's container helper
    return np.sum(x * 3.0)


def uses_helper_names(x, appended, set_at_):
    h = np.zeros(3)
    h[0] = x[0] * appended
    h[1] = set_at(x) * set_at_
    items = []
    items.append(h)
    return np.sum(np.stack(items) ** 2)


@pytest.mark.parametrize("f, shapes", [
    (collide, [(3,)] * 9),
    (collide_more, [(3,), (3,), (1,), (3,), (), (), (), ()]),
    (uses_helper_names, [(3,), (), ()]),
])
def test_user_names_like_generated_names_give_correct_gradients(f, shapes):
    r = np.random.default_rng(3)
    args = [r.normal(size=s) if s else float(r.normal()) for s in shapes]
    wrt = tuple(range(len(args)))
    grads = grad(f, wrt=wrt)(*args)
    assert_grads_match(f, grads, args, wrt)


def loss(x):
    loss = x * 2.0  # a local named like the function (and its result)
    loss_forward = loss + 1.0
    return np.sum(loss * loss_forward)


def test_local_named_like_the_function():
    x = np.array([0.5, -1.0])
    assert_grads_match(loss, (grad(loss)(x),), (x,), (0,))
