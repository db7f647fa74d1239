"""forward_pruning: a grad-only call's forward sweep computes only what the backward sweep
reads, or what may have an effect. Generated code AND gradients vs finite differences."""

import numpy as np
from finite_diff import checked_source

import srcgrad

ARGS = (1.5, np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.0, 2.0]), 0.25)


def forward_sweep(f):
    code = checked_source(f, ARGS, (0, 3))
    return code[code.index("_forward("):code.index("_backward(")]


def squared_error(w, x, y, b):
    yhat = w * x + b
    err = yhat - y
    return np.mean(err ** 2)


def test_what_the_backward_sweep_never_reads_is_not_computed():
    code = forward_sweep(squared_error)
    assert "err = " in code and "** 2" not in code and "np.mean" not in code
    assert "return (None, " in code


def printed(w, x, y, b):
    err = w * x + b - y
    u = np.exp(err)  # read by print only
    print(u.shape)
    return np.sum(err * err)


def drawn(w, x, y, b):
    err = w * x + b - y
    noise = np.random.default_rng(0).normal(size=3)  # a draw moves the generator
    return np.sum(err * err)


class _Logger:
    """A callable of the user's that srcgrad calls as it is (it may have effects)."""

    calls = 0

    def __call__(self, e):
        _Logger.calls += 1
        return e


_log = _Logger()


def unused_helper_result(w, x, y, b):
    err = w * x + b - y
    z = _log(err)
    return np.sum(err * err)


def test_what_may_have_an_effect_or_is_read_by_one_stays(capsys):
    assert "u = np.exp(err)" in forward_sweep(printed)
    assert "normal(" in forward_sweep(drawn)
    assert "z = _log(err)" in forward_sweep(unused_helper_result)
    gradient = srcgrad.grad(unused_helper_result, wrt=(0, 3))
    before = _Logger.calls
    gradient(*ARGS)
    assert _Logger.calls == before + 1


def test_the_value_asked_for_is_computed():
    value, grads = srcgrad.value_and_grad(squared_error, wrt=(0, 3))(*ARGS)
    assert value == squared_error(*ARGS)
    general = srcgrad.grad(squared_error, wrt=(0, 3)).source  # shapes unknown: a value
    assert "np.mean(" in general[general.index("_forward("):general.index("_backward(")]
