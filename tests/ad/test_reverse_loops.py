"""`for` and `while` loops, break/continue, nested loops: each checked against finite
differences; the tape grows linearly with the trip count."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

from srcgrad import grad
from srcgrad.pipeline import compiled

rng = np.random.default_rng(0)


def check(f, args, wrt=(0,)):
    grads = grad(f, wrt=wrt)(*args)
    assert_grads_match(f, grads, args, wrt)
    return grads


def rnn(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(Wx @ xs[t] + Wh @ h + b)
    return np.sum(h ** 2)


def test_rnn_over_60_steps():
    args = (rng.normal(size=(5, 3)) * 0.4, rng.normal(size=(5, 5)) * 0.4,
            rng.normal(size=5) * 0.1, rng.normal(size=(60, 3)))
    check(rnn, args, wrt=(0, 1, 2))


@pytest.mark.parametrize("start, stop, step", [(0, 5, 1), (2, 9, 3), (7, 0, -2), (3, 3, 1)])
def test_range_with_start_stop_step(start, stop, step):
    def f(w, start, stop, step):
        acc = w * 0.5
        for k in range(start, stop, step):
            acc = acc * w + k
        return acc

    check(f, (0.7, start, stop, step))


def rows(w, X):
    total = 0.0
    for row in X:
        total = total + np.tanh(np.dot(row, w))
    return total


def test_for_over_rows_of_an_array():
    check(rows, (rng.normal(size=3), rng.normal(size=(4, 3))), wrt=(0, 1))


def zipped(a, b, X, Y):
    s = 0.0
    for x, y in zip(X, Y):
        s = s + np.sum((a * x + b - y) ** 2)
    return s


def test_zip():
    check(zipped, (1.3, -0.2, rng.normal(size=(5, 2)), rng.normal(size=(4, 2))), wrt=(0, 1, 2))


def weighted(w, X):
    out = 0.0
    for i, x in enumerate(X):
        out = out + i * np.sum(w * x)
    return out


def test_enumerate():
    check(weighted, (rng.normal(size=3), rng.normal(size=(4, 3))), wrt=(0, 1))


def nested3(w, n):
    acc = w
    for i in range(n):
        for j in range(i + 1):
            if (i + j) % 2 == 0:
                for k in range(2):
                    acc = np.sin(acc) * w + k
            else:
                acc = acc * 0.9
    return np.sum(acc)


def test_three_levels_of_nested_control_flow():
    check(nested3, (rng.normal(size=2), 4))


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return x


@pytest.mark.parametrize("a", [2.0, 9.0, 0.3])
def test_while_until_tolerance(a):
    assert grad(newton_sqrt)(a) == pytest.approx(0.5 / np.sqrt(a), rel=1e-9)


def breaks(w, limit):
    s = 0.0
    for i in range(100):
        s = s + w * i
        if s > limit:
            break
    return s * w


@pytest.mark.parametrize("limit", [5.0, 50.0])
def test_break(limit):
    check(breaks, (1.5, limit))


def continues(w, X):
    s = 0.0
    for i in range(X.shape[0]):
        if X[i, 0] < 0:
            continue
        s = s + np.sum(X[i] * w)
    return s


def test_continue():
    check(continues, (rng.normal(size=3), rng.normal(size=(6, 3))), wrt=(0, 1))


def swapping(a, b):
    for _ in range(3):
        a, b = b, a * b
    return a + b


def test_several_carried_values_swapped_each_iteration():
    check(swapping, (1.1, 0.7), wrt=(0, 1))


def last_value(w):
    for i in range(3):
        y = w * i
    return y


def test_value_made_in_loop_used_after_it():
    assert grad(last_value)(2.0) == 2.0


def conditional_update(w, xs):
    h = w
    for x in xs:
        if x > 0:
            h = h * x
        else:
            h = h - x * w
    return h


def test_branch_inside_loop():
    check(conditional_update, (0.8, np.array([1.5, -0.5, 2.0, -1.0])))


def test_tape_grows_linearly_with_the_trip_count():
    generated = compiled(rnn, ("Wx",))
    for steps in (10, 40):
        args = (np.ones((2, 2)), np.ones((2, 2)), np.zeros(2), np.ones((steps, 2)))
        _, saved = generated.forward(*args)
        tape = [v for v in saved if isinstance(v, list)][0]
        assert len(tape) == steps
        assert all(len(entry) == len(tape[0]) for entry in tape)


def test_backward_replays_the_tape_in_reverse():
    source = grad(rnn, wrt=("Wx", "Wh")).source
    assert "tape.append((" in source and "in reversed(tape):" in source
    assert "d_Wh = zeros_like(Wh)" in source   # accumulated over iterations


def test_zero_iterations():
    assert grad(rnn, wrt=2)(np.ones((2, 2)), np.ones((2, 2)), np.ones(2),
                            np.ones((0, 2))).tolist() == [0.0, 0.0]


def first_large(w, xs):
    for x in xs:
        y = w * x
        if y > 1.0:
            return y * y
    return w


@pytest.mark.parametrize("w, expected", [(0.5, 9.0), (2.0, 3.24), (0.1, 1.0)])
def test_return_inside_a_loop(w, expected):
    # w = 0.5 returns at x = 3.0 (y = 1.5); w = 2.0 at x = 0.9; w = 0.1 never returns early
    xs = np.array([0.2, 0.9, 3.0, 5.0])
    assert grad(first_large)(w, xs) == pytest.approx(expected)


def return_from_nested_loops(w, n):
    acc = w
    for i in range(n):
        for j in range(n):
            acc = acc * 1.1 + w
            if acc > 5.0:
                return acc * 2.0
    return acc


@pytest.mark.parametrize("w", [0.3, 1.0])
def test_return_from_inside_nested_loops_leaves_them_all(w):
    check(return_from_nested_loops, (w, 4))
