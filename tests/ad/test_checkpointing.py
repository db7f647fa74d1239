"""Checkpointed loops (`with srcgrad.checkpoint():`, `grad(f, checkpoint=...)`): each
gradient checked against finite differences and against the plain gradient; the code
shows the schedule; loops that cannot be checkpointed are refused or keep their tape."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import SrcGradError, grad

rng = np.random.default_rng(3)
X = np.array([0.3, -0.2, 0.5])


def rnn(W, U, h0, xs):
    h = h0
    with srcgrad.checkpoint(snapshots=3):
        for t in range(xs.shape[0]):
            h = np.tanh(h @ W + xs[t] @ U)
    return np.sum(h ** 2)


def rnn_plain(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ W + xs[t] @ U)
    return np.sum(h ** 2)


def appended(x, n):
    ys = []
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            h = np.sin(h) * 1.1
            ys.append(h)
    return sum(np.sum(y) for y in ys)


def counted(x, n):
    h = x
    k = 0
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            k = k + 1
            h = np.sin(h * k * 0.3)
    return np.sum(h)


def branchy(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            if t % 2 == 0:
                h = np.sin(h)
            else:
                h = h * np.cos(h)
    return np.sum(h)


def nested(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            for j in range(3):
                h = np.tanh(h + j)
    return np.sum(h)


def elements(x, n):
    h = x.copy()
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            h[t % 3] = h[(t + 1) % 3] * 2.0 + np.sin(h[t % 3])
    return np.sum(h ** 2)


def number_state(x, n):
    s = 0.0
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            s = s + np.sum(x ** (t + 1)) * 0.5
    return s


def reversed_views(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=3):
        for t in range(n):
            h = h[::-1] * 1.5 + np.sin(h)
    return np.sum(h)


def two_loops(x, n):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            h = np.sin(h) + x
        for t in range(n):
            h = np.cos(h) * x
    return np.sum(h)


def inside_if(x, n):
    h = x
    if np.sum(x) > 0:
        with srcgrad.checkpoint(snapshots=2):
            for t in range(n):
                h = np.sin(h) + x
    return np.sum(h)


def inside_plain_loop(x, n):
    h = x
    for e in range(2):
        with srcgrad.checkpoint(snapshots=2):
            for t in range(n):
                h = np.sin(h) * x
    return np.sum(h)


def over_items(x, ws):
    h = x
    with srcgrad.checkpoint():
        for w in ws:
            h = np.tanh(h * w)
    return np.sum(h)


def every_loop(x, n):
    h = x
    for t in range(n):
        h = np.sin(h) + x
    i = 0
    while i < 3:
        h = h * 1.5
        i += 1
    return np.sum(h)


PROGRAMS = [appended, counted, branchy, nested, elements, number_state, reversed_views,
            two_loops, inside_if, inside_plain_loop]


@pytest.mark.parametrize("f", PROGRAMS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n", [0, 1, 7])
def test_against_finite_differences(f, n):
    g = grad(f)
    assert_grads_match(f, (g(X, n),), (X, n), (0,), rtol=1e-5)
    assert "replay(" in g.source or n == 0


def test_rnn_matches_the_plain_gradient_and_finite_differences():
    args = (rng.normal(size=(4, 4)) * 0.5, rng.normal(size=(3, 4)), np.zeros((2, 4)),
            rng.normal(size=(25, 2, 3)))
    got = grad(rnn, wrt=(0, 1))(*args)
    plain = grad(rnn_plain, wrt=(0, 1))(*args)
    for a, b in zip(got, plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert_grads_match(rnn, got, args, (0, 1))


@pytest.mark.parametrize("checkpoint", [True, 1, 2, 50])
def test_grad_checkpoint_every_loop(checkpoint):
    for x in (X, X.astype(np.float32), np.float64(0.4)):
        g = grad(every_loop, checkpoint=checkpoint)
        got = g(x, 6)
        expected = grad(every_loop)(x, 6)
        assert np.asarray(got).dtype == np.asarray(expected).dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5 if x.dtype == np.float32 else 1e-12)
    assert "Checkpoints(range(n)" in g.source and "reversed(tape)" in g.source  # the while loop


def test_value_and_grad_and_items_loop():
    value, got = srcgrad.value_and_grad(over_items)(X, [0.5, 1.5, -0.7])
    assert value == pytest.approx(over_items(X, [0.5, 1.5, -0.7]))
    assert_grads_match(over_items, (got,), (X, [0.5, 1.5, -0.7]), (0,))


def test_source_shows_the_schedule_and_says_why_not_fused():
    args = (np.eye(3) * 0.5, np.ones((2, 3)), np.zeros((1, 3)), np.ones((4, 1, 2)))
    g = grad(rnn, wrt=(0, 1))
    text = g.source_for(*args)
    assert "tape = Checkpoints(range(t2), 3)" in text and "tape.keep(h_1)" in text
    assert "def rnn_step(t, h_1," in text and "def rnn_record(t, h_1," in text
    assert "tape.replay(rnn_step, rnn_record," in text
    assert "not one fused function: the loop at line" in text and "checkpointed" in text
    assert "tape.append" not in text


def test_plain_run_runs_the_loop():
    args = (np.eye(3) * 0.5, np.ones((2, 3)), np.zeros((1, 3)), np.ones((4, 1, 2)))
    assert rnn(*args) == rnn_plain(*args)


def leaves_early(x, n):
    h = x
    with srcgrad.checkpoint():
        for t in range(n):
            if np.sum(h) > 100:
                break
            h = h * 2
    return np.sum(h)


def no_loop(x):
    with srcgrad.checkpoint():
        y = x * 2
    return np.sum(y)


def bad_snapshots(x):
    with srcgrad.checkpoint(snapshots=0):
        for t in range(3):
            x = x * 2
    return np.sum(x)


@pytest.mark.parametrize("f, args, message", [
    (leaves_early, (X, 3), "can leave early"),
    (no_loop, (X,), "holds no `for` loop"),
    (bad_snapshots, (X,), "takes one number"),
])
def test_refused_at_the_users_line(f, args, message):
    with pytest.raises(SrcGradError, match=message) as info:
        grad(f)(*args)
    assert "test_checkpointing.py" in str(info.value)


def test_bad_checkpoint_option():
    with pytest.raises(SrcGradError, match="checkpoint="):
        grad(every_loop, checkpoint=-1)
    with pytest.raises(SrcGradError, match="checkpoint="):
        grad(every_loop, checkpoint="yes")


def test_checkpoint_runs_on_numpy():
    pytest.importorskip("jax")
    with pytest.raises(SrcGradError, match="NumPy backend only"):
        grad(every_loop, checkpoint=True, backend="jax")
    auto = grad(rnn_plain, wrt=(0, 1), checkpoint=True, backend="auto")
    assert auto._runner is None  # auto: the NumPy backend, without a warning


def test_generated_code_of_functions_without_blocks_is_unchanged():
    text = grad(rnn_plain, wrt=(0, 1)).source
    assert "Checkpoints" not in text and "reversed(tape)" in text


def test_second_derivatives_refused():
    with pytest.raises(SrcGradError, match="checkpointed loop"):
        srcgrad.hessian(nested)(X, 2)


def updated_in_place(x, n):
    h = x.copy()
    with srcgrad.checkpoint(snapshots=2):
        for t in range(n):
            h += np.sin(h) * 0.5
            h[0] = h[1] * h[2]
    h *= 2.0
    return np.sum(h ** 2)


def test_states_updated_in_place():
    for n in (1, 6):
        g = grad(updated_in_place)
        assert_grads_match(updated_in_place, (g(X, n),), (X, n), (0,))
