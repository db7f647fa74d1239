"""Gradient hooks (`with srcgrad.adjoint_of(h) as d_h:`): each checked against the math
of the modified adjoint (a hand-written backward sweep, or the gradient of a function
whose adjoint the hook's change equals, itself checked against finite differences);
misuse refused at the user's line; the function run plainly unchanged."""

import numpy as np
import pytest
from finite_diff import assert_grads_match, numerical_grad

import srcgrad
from srcgrad import SrcGradError, grad, stop_gradient

rng = np.random.default_rng(5)
W = rng.normal(size=(3, 3))
x = rng.normal(size=3)
NORMS = []


def clipped(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = np.clip(d_h, -0.1, 0.1)
    return np.sum(h ** 2) * 3.0


def test_clipping():
    h = np.tanh(W @ x)
    d_h = np.clip(6.0 * h, -0.1, 0.1)
    np.testing.assert_allclose(grad(clipped)(W, x), np.outer(d_h * (1 - h ** 2), x),
                               rtol=1e-13)


def scaled(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * 0.25
    return np.sum(h ** 2)


def scaled_oracle(W, x):  # h's value, a quarter of its adjoint
    h = np.tanh(W @ x)
    h = 0.25 * h + stop_gradient(0.75 * h)
    return np.sum(h ** 2)


def plain(W, x):
    return np.sum(np.tanh(W @ x) ** 2)


def test_scaling_against_the_oracle_and_finite_differences():
    got = grad(scaled)(W, x)
    np.testing.assert_allclose(got, grad(scaled_oracle)(W, x), rtol=1e-13)
    np.testing.assert_allclose(got * 4, numerical_grad(plain, (W, x), 0), rtol=1e-6)


def logged(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        NORMS.append(float(np.linalg.norm(d_h)))
    return np.sum(h ** 2)


def test_logging_norms_is_a_side_effect_of_the_backward_sweep():
    NORMS.clear()
    g = grad(logged)(W, x)
    h = np.tanh(W @ x)
    assert NORMS == [pytest.approx(np.linalg.norm(2 * h), rel=1e-14)]
    assert_grads_match(plain, (g,), (W, x), (0,))
    NORMS.clear()
    value = logged(W, x)  # run plainly: the block runs once on zeros
    assert value == plain(W, x) and NORMS == [0.0]


def guarded(W, x):
    a = np.abs(W @ x) * 0.0
    with srcgrad.adjoint_of(a) as d_a:
        d_a = np.where(np.isfinite(d_a), d_a, 0.0)
    return np.sum(np.sqrt(a)) + np.sum(W ** 2)


def test_nan_guard():
    with np.errstate(all="ignore"):
        got = grad(guarded)(W, x)
    np.testing.assert_allclose(got, 2 * W, rtol=1e-14)


def binarized(w, x):
    b = x + stop_gradient(np.sign(x) - x)
    with srcgrad.adjoint_of(b) as d_b:
        d_b = np.where(np.abs(x) <= 1.0, d_b, 0.0)  # the straight-through estimator
    return np.sum(w * b)


def test_straight_through_estimator():
    w, xs = rng.normal(size=4), np.array([0.5, -2.0, 0.9, 1.5])
    got_w, got_x = grad(binarized, wrt=(0, 1))(w, xs)
    np.testing.assert_allclose(got_w, np.sign(xs))
    np.testing.assert_allclose(got_x, w * (np.abs(xs) <= 1.0))


def clipped_steps(W, x, log):
    h = x
    for t in range(4):
        h = np.tanh(W @ h)
        with srcgrad.adjoint_of(h) as d_h:
            d_h = np.clip(d_h, -0.05, 0.05)
            log.append(t)
    return np.sum(h ** 2)


def test_hook_inside_a_loop_runs_each_step():
    log = []
    got = grad(clipped_steps)(W, x, log)
    hs = [x]
    for _ in range(4):
        hs.append(np.tanh(W @ hs[-1]))
    d_h, d_W = 2 * hs[-1], np.zeros_like(W)
    for t in range(4, 0, -1):  # the backward sweep by hand, each step's adjoint clipped
        d_h = np.clip(d_h, -0.05, 0.05)
        d_t = d_h * (1 - hs[t] ** 2)
        d_W += np.outer(d_t, hs[t - 1])
        d_h = W.T @ d_t
    np.testing.assert_allclose(got, d_W, rtol=1e-13)
    assert log == [3, 2, 1, 0]


def in_branch(W, x, c):
    h = np.tanh(W @ x)
    if c > 0:
        with srcgrad.adjoint_of(h) as d_h:
            d_h = d_h * 10.0
    else:
        y = h * 2.0
    return np.sum(h ** 2)


def test_hook_inside_an_if_runs_when_its_branch_ran():
    base = grad(plain)(W, x)
    np.testing.assert_allclose(grad(in_branch)(W, x, 1.0), 10 * base, rtol=1e-13)
    np.testing.assert_allclose(grad(in_branch)(W, x, -1.0), base, rtol=1e-13)


def on_arguments(W, x):
    with srcgrad.adjoint_of(W) as d_W:
        d_W = 3.0 * d_W
    with srcgrad.adjoint_of(x) as d_x:
        d_x = -d_x
    return np.sum(np.tanh(W @ x) ** 2)


def test_hooks_on_arguments():
    got_W, got_x = grad(on_arguments, wrt=(0, 1))(W, x)
    expected_W, expected_x = grad(plain, wrt=(0, 1))(W, x)
    np.testing.assert_allclose(got_W, 3 * expected_W, rtol=1e-13)
    np.testing.assert_allclose(got_x, -expected_x, rtol=1e-13)
    # the hook of an argument not differentiated does not run
    np.testing.assert_allclose(grad(on_arguments, wrt=1)(W, x), -expected_x, rtol=1e-13)


def reads_forward(W, x):
    s = np.sum(x ** 2)
    h = W @ x
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h / np.sqrt(s)  # a forward value, read in the backward sweep
    return np.sum(h ** 2)


def test_hook_reads_forward_values():
    h = W @ x
    expected = np.outer(2 * h / np.sqrt(np.sum(x ** 2)), x)
    np.testing.assert_allclose(grad(reads_forward)(W, x), expected, rtol=1e-13)


def unused_later(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h + 1.0  # h's adjoint is zero: the result does not read h
    return np.sum(W ** 2)


def test_hook_of_a_value_the_result_does_not_read():
    np.testing.assert_allclose(grad(unused_later)(W, x), 2 * W)


def test_source_shows_the_hook_where_it_runs_and_why_not_fused():
    text = grad(clipped).source_for(W, x)
    backward = text[text.index("_backward("):]
    assert "with srcgrad.adjoint_of(h) as d_h: (h's adjoint is complete here" in backward
    assert backward.index("np.clip") < backward.index(": h = np.tanh(W @ x)")
    assert "not one fused function: the gradient hook at line" in text
    assert "adjoint_hook" not in text


def test_plain_run_ignores_the_hooks():
    assert clipped(W, x) == pytest.approx(3 * plain(W, x), rel=1e-15)
    assert on_arguments(W, x) == plain(W, x)


def not_differentiable(W, x):
    n = np.argmax(W @ x)
    with srcgrad.adjoint_of(n) as d_n:
        d_n = d_n * 2
    return np.sum(W[n] ** 2)


def reassigned(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * 2
    h = h * 3.0
    return np.sum(h)


def read_before(W, x):
    h = np.tanh(W @ x)
    y = np.sum(h)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * 2
    return y + np.sum(h ** 2)


def outer_value_in_loop(W, x):
    y = 0.0
    for t in range(3):
        with srcgrad.adjoint_of(W) as d_W:
            d_W = d_W * 2
        y = y + np.sum(W * t)
    return y


def assigns_a_variable(W, x):
    h = np.tanh(W @ x)
    y = 1.0
    with srcgrad.adjoint_of(h) as d_h:
        y = 2.0
    return np.sum(h) * y


def expression(W, x):
    with srcgrad.adjoint_of(W @ x) as d_h:
        d_h = d_h * 2
    return np.sum(W)


def global_value(W, x):
    with srcgrad.adjoint_of(NORMS) as d:
        d = d * 2
    return np.sum(W)


@pytest.mark.parametrize("f, message", [
    (not_differentiable, "carries no gradient"),
    (reassigned, "assigned again after its gradient hook"),
    (read_before, "read here, before its gradient hook"),
    (outer_value_in_loop, "inside a loop"),
    (assigns_a_variable, "assigns `y`, a variable of the function"),
    (expression, "takes one variable"),
    (global_value, "not a value of the function"),
])
def test_misuse_refused_at_the_users_line(f, message):
    with pytest.raises(SrcGradError, match=message) as info:
        grad(f)(W, x)
    assert "test_hooks.py" in str(info.value)


def checkpointed_steps(W, x, log):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for t in range(4):
            h = np.tanh(W @ h)
            with srcgrad.adjoint_of(h) as d_h:
                d_h = np.clip(d_h, -0.05, 0.05)
                log.append(t)
    return np.sum(h ** 2)


def test_hook_inside_a_checkpointed_loop():
    log, plain_log = [], []
    got = grad(checkpointed_steps)(W, x, log)
    np.testing.assert_allclose(got, grad(clipped_steps)(W, x, plain_log), rtol=1e-14)
    assert log == plain_log == [3, 2, 1, 0]


def guard_with_if(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        if not np.all(np.abs(d_h) < 0.5):
            d_h = np.zeros_like(d_h)
    y = np.tanh(W @ x * 2)
    with srcgrad.adjoint_of(y) as d_h:  # a second hook, the same `as` name
        d_h = d_h * 2
    return np.sum(h ** 2) * 0.1 + np.sum(y)


def guard_oracle(W, x):
    h = np.tanh(W @ x)
    y = np.tanh(W @ x * 2)
    return np.sum(h ** 2) * 0.1 + 2 * np.sum(y)


def test_hook_with_an_if_and_two_hooks_of_one_name():
    small = W * 0.1
    np.testing.assert_allclose(grad(guard_with_if)(small, x), grad(guard_oracle)(small, x),
                               rtol=1e-13)
    big = W * 50  # h's adjoint 0.2 h: under 0.5; y's hook doubles
    np.testing.assert_allclose(grad(guard_with_if, wrt=1)(big, x),
                               grad(guard_oracle, wrt=1)(big, x), rtol=1e-13)


def silenced(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = d_h * 0.0
    return h


def calls_silenced(W, x):
    return np.sum(silenced(W, x) ** 2) + np.sum(W)


def test_hook_in_a_helper():
    np.testing.assert_allclose(grad(calls_silenced)(W, x), np.ones_like(W))  # specialized
    np.testing.assert_allclose(grad(calls_silenced)(W, x[:, None]), np.ones_like(W))


def scaled_number(w):
    a = w * 2.0
    with srcgrad.adjoint_of(a) as d_a:
        d_a = d_a * 5
    return a ** 2


def test_second_derivatives_differentiate_the_hooked_gradient():
    assert grad(scaled_number)(1.5) == pytest.approx(60.0)
    assert srcgrad.hessian(scaled_number)(1.5) == pytest.approx(40.0)
    assert srcgrad.jvp(scaled_number)(1.5, tangent=1.0) == pytest.approx((9.0, 12.0))


def writes_in_place(W, x):
    h = np.tanh(W @ x)
    y = h + x  # y's adjoint is also h's and x's, the same array
    with srcgrad.adjoint_of(y) as d_y:
        d_y[0] = 100.0
    return np.sum(y * 2)


def test_a_block_writing_into_its_adjoint_changes_no_other():
    got_W, got_x = grad(writes_in_place, wrt=(0, 1))(W, x)
    h = np.tanh(W @ x)
    d_y = np.array([100.0, 2.0, 2.0])
    d_t = d_y * (1 - h ** 2)
    np.testing.assert_allclose(got_W, np.outer(d_t, x), rtol=1e-13)
    np.testing.assert_allclose(got_x, d_y + W.T @ d_t, rtol=1e-13)


def summed(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        d_h = np.sum(d_h)
    return np.sum(h * 2)


def test_an_adjoint_of_another_shape_is_refused_at_the_hook():
    with pytest.raises(SrcGradError, match=r"shape \(\) for a value of shape \(3,\)") as info:
        grad(summed)(W, x)
    assert "test_hooks.py" in str(info.value)


def writes_a_value(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        h[0] = 0.0
    return np.sum(h ** 2)


def fills_a_value(W, x):
    h = np.tanh(W @ x)
    with srcgrad.adjoint_of(h) as d_h:
        np.clip(d_h, -1, 1, out=x)
    return np.sum(h ** 2)


@pytest.mark.parametrize("f", [writes_a_value, fills_a_value])
def test_a_block_changing_a_value_of_the_function_is_refused(f):
    with pytest.raises(SrcGradError, match="changes `(h|x)` in place") as info:
        grad(f)(W, x)
    assert "test_hooks.py" in str(info.value)
