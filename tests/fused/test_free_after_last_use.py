"""release: the fused gradient frees each array after its last use.
Generated code AND gradients vs finite differences."""

import numpy as np
import pytest
from finite_diff import checked_source as check, fused
from pass_bodies import fused_context

import srcgrad
from srcgrad.backend import codegen
from srcgrad.fused import free_after_last_use

pytestmark = pytest.mark.usefixtures("runtime_dtype_checks", "keeping_dels")


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def test_a_temporary_is_freed_after_its_last_use():
    code = fused(check(elementwise, (np.linspace(-1, 1, 5),), (0,)))
    lines = [line.strip() for line in code.splitlines()]
    assert lines.index("del t3") == lines.index("t4 = np.exp(t3)") + 1
    assert lines.index("del t1") == lines.index("d_t3 = t1 * t4") + 1
    assert "del d_t6" not in lines  # a number (the seed), not an array
    assert "del x" not in code  # a parameter: the caller holds it anyway
    assert lines[-1] == "return d_x" and lines[-2].startswith("d_x += ")  # no del before return


def branchy(x, c):
    y = np.sin(x)
    if c > 0:
        z = y * 2.0  # bound on one path only: never released
    else:
        z = y + 1.0
    return np.sum(z * x)


def rnn(W, xs):
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h * h)


def test_names_bound_in_a_block_are_released_after_the_block_or_not_at_all():
    x = np.linspace(-1, 1, 4)
    for c in (1.0, -1.0):
        code = fused(check(branchy, (x, c), (0,)))
        assert "del y" in code and "del z" not in code
    code = fused(check(rnn, (np.eye(3) * 0.5, np.ones((4, 3))), (0,)))
    assert "_grad(" in code


def test_numbers_are_not_released():
    def f(x, y):
        a = x * y
        return np.sin(a) + a * a
    code = check(f, (0.5, 2.0), (0, 1))
    assert "del " not in code


def test_release_on_a_small_body():
    body, ctx = fused_context("a = x + 1\nb = a * 2\nif b:\n    c = a\nd = b + 1\nreturn d",
                              returned=("d",))
    body = free_after_last_use.run(body, ctx)
    text = codegen.render([codegen.function("f", codegen.arguments(["x"]), body)])
    assert "if b:\n        c = a\n    del a\n    d = b + 1\n    return d" in text
    assert "del b" not in text  # the return frees what the last statement read
    assert "del c" not in text and "del x" not in text


def test_value_and_grad_and_hvp_are_unaffected():
    x = np.linspace(-1, 1, 5)
    value, g = srcgrad.value_and_grad(elementwise)(x)
    np.testing.assert_allclose(g, srcgrad.grad(elementwise)(x))
    hv = srcgrad.hvp(elementwise)(x, tangent=np.ones(5))
    eps = 1e-6
    fd = (srcgrad.grad(elementwise)(x + eps) - srcgrad.grad(elementwise)(x - eps)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-7)
