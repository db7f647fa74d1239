"""Checkpointed loops under attack (issue 26's review): programs a new user or an adversary
writes (several carried states, tuples and dicts as state, the loop's state an argument,
nested loops checkpointed outside or inside, ifs, helpers, accumulators, loop-invariant
reads, range(a, b, -step), zero and one step, rows of an array, changes in place, aliasing,
float32, iterators the loop consumes). Each gradient checkpointed with 1, 2, and more states
than steps equals the plain one within 1e-12 (and the plain one finite differences)."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import grad

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 3)) * 0.5
v3 = rng.normal(size=3)
G = rng.normal(size=3)
xs5 = rng.normal(size=(5, 3))


def two_states(x, n):
    a = x
    b = x * 0.5
    for t in range(n):
        a, b = np.sin(b) + 0.1 * a, a * b
    return np.sum(a) + np.sum(b ** 2)


def tuple_state(x, n):
    s = (x, x * 2.0)
    for t in range(n):
        s = (np.tanh(s[1]), s[0] * 0.9)
    return np.sum(s[0] * s[1])


def dict_state(x, n):
    s = {"a": x, "b": x * 2.0}
    for t in range(n):
        s = {"a": np.tanh(s["b"]), "b": s["a"] * 0.9}
    return np.sum(s["a"] * s["b"])


def arg_state(x, n):
    for t in range(n):
        x = np.sin(x) * 1.1 + 0.1
    return np.sum(x ** 2)


def nested_inner_block(x, n, m):
    h = x
    for i in range(n):
        with srcgrad.checkpoint(snapshots=2):
            for j in range(m):
                h = np.sin(h) + 0.1 * j
        h = h * 1.05
    return np.sum(h)


def nested_outer_block(x, n, m):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for i in range(n):
            for j in range(m):
                h = np.sin(h) + 0.1 * j
            h = h * 1.05
    return np.sum(h)


def with_if(x, n):
    h = x
    for t in range(n):
        if np.sum(h) > 0:
            h = np.sin(h) * 1.2
        else:
            h = np.cos(h) + h
    return np.sum(h)


def helper(h, w):
    return np.tanh(h * w) + 0.1 * h


def helper_body(x, n):
    h = x
    for t in range(n):
        h = helper(h, 1.3)
    return np.sum(h)


def accum(x, n):
    s = 0.0
    h = x
    for t in range(n):
        h = np.sin(h)
        s = s + np.sum(h ** 2)
    return s


def invariant(x, W, n):
    h = x
    for t in range(n):
        h = np.tanh(W @ h + x)
    return np.sum(h)


def ranged_neg(x, a, b, c):
    h = x
    for t in range(a, b, c):
        h = np.sin(h * t * 0.2) + h
    return np.sum(h)


def zero_steps(x, n):
    h = x
    for t in range(n):
        h = np.sin(h)
    return np.sum(h * h)


def one_step(x, n):
    h = x
    for t in range(n):
        h = np.sin(h)
    return np.sum(h * h)


def rows_enum(x, xs):
    h = x
    for i, r in enumerate(xs):
        h = np.tanh(h + r * i)
    return np.sum(h)


def inplace_add(x, n):
    h = x * 1.0
    for t in range(n):
        h += np.sin(h)
    return np.sum(h)


def inplace_setitem(x, n):
    out = np.zeros((n, 3))
    h = x
    for t in range(n):
        h = np.sin(h) * 1.1
        out[t] = h
    return np.sum(out ** 2)


def aliasing(x, n):
    h = x
    g = x
    for t in range(n):
        g = h
        h = np.sin(g) + g
    return np.sum(h) + np.sum(g)


def f32(x, n):
    h = x
    for t in range(n):
        h = np.sin(h) * np.float32(1.1)
    return np.sum(h)


def two_args_state(x, y, n):
    for t in range(n):
        x, y = y * 0.5 + np.sin(x), x * 0.3
    return np.sum(x * y)


def state_reset(x, n):
    h = x
    for t in range(n):
        if t == 3:
            h = x * 1.0
        h = np.sin(h) + 0.2
    return np.sum(h)


def it_map(x, xs):
    h = x
    for r in map(np.sin, xs):
        h = np.tanh(h + r)
    return np.sum(h)


def it_reversed(x, xs):
    h = x
    for r in reversed(xs):
        h = np.tanh(h * 1.2 + r)
    return np.sum(h)


def it_dict(x, n):
    d = {"a": 0.5, "b": 1.5, "c": -0.3}
    h = x
    for k in d:
        h = np.sin(h * d[k])
    return np.sum(h)


def it_gen(x, n):
    h = x
    for w in (k * 0.1 for k in range(n)):
        h = np.sin(h * w) + h
    return np.sum(h)


def mutated_after(x, n):
    b = np.ones(3)
    h = x
    for t in range(n):
        h = np.sin(h) * b
    b[0] = 5.0
    return np.sum(h) + np.sum(b * x)


def outer_list_append(x, n):
    ys = []
    h = x
    for t in range(n):
        h = np.sin(h) * 1.1
        ys.append(h * t)
    return np.sum(np.stack(ys) ** 2)


def block_two_loops(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            h = np.sin(h) + h * 0.5
        h = h * 2
        for t in range(n):
            h = np.cos(h) * h
    return np.sum(h)


def nested_blocks(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for i in range(2):
            with srcgrad.checkpoint(snapshots=2):
                for t in range(n):
                    h = np.sin(h) + h * 0.5
    return np.sum(h)


def carried_inplace_array(x, n):
    buf = np.zeros(3)
    h = x
    for t in range(n):
        buf[t % 3] = np.sum(h)
        h = np.sin(h) + buf
    return np.sum(h)


def none_state(x, n):
    prev = None
    h = x
    for t in range(n):
        if prev is not None:
            h = h + 0.5 * prev
        prev = h
        h = np.sin(h)
    return np.sum(h)


def loop_in_helper(x, n):
    return helper_loop(x, n) * 2


def helper_loop(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            h = np.sin(h) + h
    return np.sum(h)


CASES = [
    (two_states, (v3, 5), (0,)),
    (tuple_state, (v3, 4), (0,)),
    (dict_state, (v3, 4), (0,)),
    (arg_state, (v3, 6), (0,)),
    (nested_inner_block, (v3, 3, 4), (0,)),
    (nested_outer_block, (v3, 3, 4), (0,)),
    (with_if, (v3, 7), (0,)),
    (helper_body, (v3, 5), (0,)),
    (accum, (v3, 6), (0,)),
    (invariant, (v3, A, 6), (0, 1)),
    (ranged_neg, (v3, 11, 2, -3), (0,)),
    (zero_steps, (v3, 0), (0,)),
    (one_step, (v3, 1), (0,)),
    (rows_enum, (v3, xs5), (0, 1)),
    (inplace_add, (v3, 5), (0,)),
    (inplace_setitem, (v3, 5), (0,)),
    (aliasing, (v3, 5), (0,)),
    (f32, (v3.astype(np.float32), 5), (0,)),
    (two_args_state, (v3, G, 5), (0, 1)),
    (state_reset, (v3, 6), (0,)),
    (it_map, (v3, xs5), (0,)),
    (it_reversed, (v3, xs5), (0,)),
    (it_dict, (v3, 5), (0,)),
    (it_gen, (v3, 5), (0,)),
    (mutated_after, (v3, 5), (0,)),
    (outer_list_append, (v3, 5), (0,)),
    (block_two_loops, (v3, 5), (0,)),
    (nested_blocks, (v3, 5), (0,)),
    (carried_inplace_array, (v3, 5), (0,)),
    (none_state, (v3, 5), (0,)),
    (loop_in_helper, (v3, 3), (0,)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_checkpointed_equals_plain(f, args, wrt):
    plain = grad(f, wrt=wrt)(*args)
    plain = plain if isinstance(plain, tuple) else (plain,)
    for g, i in zip(plain, wrt):
        expected = numerical_grad(lambda *a: float(f(*a)), args, i)
        np.testing.assert_allclose(np.asarray(g, float), expected, rtol=1e-4, atol=1e-5)
    for snapshots in (1, 2, 30):
        got = grad(f, wrt=wrt, checkpoint=snapshots)(*args)
        got = got if isinstance(got, tuple) else (got,)
        for a, b in zip(got, plain):
            assert np.asarray(a).dtype == np.asarray(b).dtype
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
