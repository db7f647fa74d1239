"""Programs as people write them that were refused or ran where Python raises (the review
after issue 19): `f(*t)`, `nonlocal`, `try`, loop `else:`, `:=`, the reductions' `where=`
and `initial=`, `.item()`, np.choose / fmod / vdot / row_stack, unpacking the wrong number
of values. Each in reverse mode, forward mode and the Hessian against finite differences,
or Python's own error at the user's line."""

import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError
from all_modes import check

W = np.array([0.3, -0.7, 1.1])
X = np.array([[0.5, -1.2, 0.3], [0.2, 0.1, -0.4], [1.0, 0.0, 0.5]])


# --- f(*t) ----------------------------------------------------------------------------------


def dense(x, W, b):
    return np.tanh(x @ W + b)


def spread_into_helper(w, x):
    layer = (w.reshape(3, 1) * np.ones((3, 2)), 0.5 * w[:2])
    return np.sum(dense(x, *layer) ** 2)


def spread_into_numpy(w):
    pair = [w, np.sin(w)]
    return np.sum(np.add(*pair) * np.maximum(*pair))


def spread_in_displays(w):
    shape = (3, 1)
    column = np.reshape(w, (*shape,))
    return np.sum(np.concatenate([*(column, column ** 2)], axis=1) ** 2)


def spread_argument(w, layer):
    return np.sum(dense(w, *layer))


def test_spread_calls():
    check(spread_into_helper, W, X)
    check(spread_into_numpy, W)
    check(spread_in_displays, W)


def test_spread_of_an_argument_of_known_length():
    """`*layer` of a tuple argument: the code made for the call knows its length."""
    layer = (X, W)
    g = srcgrad.grad(spread_argument)(W, layer)
    from finite_diff import numerical_grad
    np.testing.assert_allclose(g, numerical_grad(spread_argument, (W, layer), 0), rtol=1e-6)


# --- nonlocal, try, loop else, := -----------------------------------------------------------


def accumulates(w):
    total = 0.0
    count = 0

    def add(v):
        nonlocal total, count
        total = total + v
        count += 1
    for k in range(3):
        add(np.sum(np.sin(w * k)))
    add(np.sum(w ** 2))
    return total / count


def cholesky_or_jitter(w):
    K = np.outer(w, w) + np.eye(3)
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        L = np.linalg.cholesky(K + 1e-6 * np.eye(3))
    else:
        L = L * 1.0
    finally:
        scale = 2.0
    return scale * np.sum(np.log(np.diag(L)))


def early_stop(w):  # a search loop with else: no break taken
    s = 0.0
    for k in range(4):
        s = s + np.sum(w ** 2) * k
        if s > 1e6:
            break
    else:
        s = s * 0.5
    return s


def broken_loop(w):  # the break is taken: the else does not run
    s = np.sum(w)
    i = 0
    while i < 10:
        s = s * 1.1
        i += 1
        if i == 3:
            break
    else:
        s = s * 100.0
    return s


def nested_loop_else(w):  # the inner loop's break is its own
    s = 0.0
    for a in range(2):
        for b in range(3):
            if b == 1:
                break
            s = s + np.sum(np.sin(w * (a + b)))
        else:
            s = s * 10.0
    else:
        s = s + np.sum(w ** 3)
    return s


def return_in_loop_else(w):
    for k in range(3):
        if k == 2:
            return np.sum(w ** 2)
    else:
        return np.sum(w)


def walrus_if(w):
    if (n := np.sum(w ** 2)) > 0.5:
        return n * 2.0
    return n


def walrus_comprehension(w):
    kept = [y for v in w if (y := v * v) > 0.1]
    return sum(kept) + y


def walrus_while(w):
    s, k = 0.0, 0
    while (k := k + 1) < 4:
        s = s + np.sum(np.cos(w * k))
    return s


@pytest.mark.parametrize("f", [accumulates, cholesky_or_jitter, early_stop, broken_loop,
                               nested_loop_else, return_in_loop_else, walrus_if,
                               walrus_comprehension, walrus_while])
def test_statements(f):
    check(f, W)


def raises_in_try(w):
    try:
        v = np.sum(np.log(w))
        if np.isnan(v):
            raise ValueError("negative")
    except ValueError:
        v = 0.0
    return v


def test_a_handler_taken_raises_what_it_catches():
    """The handler is left out: where it would run, the exception it catches is raised at
    the line that raised it, never a gradient of a path not taken."""
    check(raises_in_try, np.abs(W))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="negative"):
            srcgrad.grad(raises_in_try)(W)


def returns_through_finally(w):
    try:
        return np.sum(w)
    finally:
        print("done")


def walrus_in_and(w):
    if np.sum(w) > 0 and (n := np.sum(w ** 2)) > 1:
        return n
    return np.sum(w)


def outer_cell():
    total = np.zeros(3)

    def f(w):
        nonlocal total
        total = total + w
        return np.sum(total ** 2)
    return f


@pytest.mark.parametrize("f, what", [
    (returns_through_finally, "inside a `try` that has a `finally`"),
    (walrus_in_and, "assignment expression (:=) inside `and`/`or`"),
    (outer_cell(), "a `nonlocal` statement in a function differentiated")])
def test_refused_where_not_sound(f, what):
    with pytest.raises(SrcGradError, match="Instead") as info:
        srcgrad.grad(f)(W)
    assert what in str(info.value) and __file__ in str(info.value)


# --- rules ----------------------------------------------------------------------------------


def masked_mean_loss(w, x):  # a masked average, as PyTorch code ports it
    err = (x @ w) ** 2
    mask = x[:, 0] > 0.3
    return np.mean(err, where=mask) + np.sum(w ** 2, where=w > 0)


def relu_max(w, x):
    return np.max(x @ w, initial=0.0) + np.min(np.exp(w), initial=1.0) + np.max(w, initial=5.0)


def item_and_float(w):
    norm = np.sum(w ** 2).item()
    first = float(w[0])
    return norm * first + w[1:2].item() ** 2


def choose_fmod_vdot(w):
    picked = np.choose(np.array([2, 0, 1]), (w, w ** 2, np.sin(w)))
    return np.vdot(picked, np.fmod(w * 5.0, 1.3)) + np.vdot(w, w)


@pytest.mark.parametrize("f, args", [(masked_mean_loss, (W, X)), (relu_max, (W, X)),
                                     (item_and_float, (W,)), (choose_fmod_vdot, (W,))])
def test_rules(f, args):
    check(f, *args)


def row_stacked(w):
    return np.sum(np.row_stack([w, w ** 2]) ** 2)


@pytest.mark.skipif(not hasattr(np, "row_stack"), reason="np.row_stack is gone")
def test_row_stack():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (NumPy 2.x)
        check(row_stacked, W)


# --- unpacking ------------------------------------------------------------------------------


def unpacks_three_into_two(w):
    a, b = (w, w, w)
    return np.sum(a * b)


def unpacks_one_into_two(w):
    a, b = [w]
    return np.sum(a * b)


@pytest.mark.parametrize("f, message", [
    (unpacks_three_into_two, "too many values to unpack (expected 2)"),
    (unpacks_one_into_two, "not enough values to unpack (expected 2, got 1)")])
def test_unpacking_the_wrong_number_raises_as_python(f, message):
    with pytest.raises(ValueError) as python:
        f(W)
    assert str(python.value) == message
    for run in (lambda: srcgrad.grad(f)(W), lambda: srcgrad.jvp(f)(W, tangent=W),
                lambda: srcgrad.hessian(f)(W)):
        with pytest.raises(ValueError) as ours:
            run()
        assert str(ours.value) == message and not isinstance(ours.value, SrcGradError)
