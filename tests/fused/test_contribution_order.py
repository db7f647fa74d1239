"""defer: an adjoint starts with a contribution that can write into a dying array.
Generated code AND gradients vs finite differences."""

import ast

import gast
import numpy as np
import pytest
from finite_diff import checked_source, fused
from pass_bodies import fused_context

import srcgrad
from srcgrad.fused import contribution_order

pytestmark = pytest.mark.usefixtures("runtime_dtype_checks")


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def test_the_contribution_that_needs_a_new_array_comes_last():
    x = np.linspace(-1, 1, 7)
    code = fused(checked_source(elementwise, (x,), (0,)))
    lines = [line.strip() for line in code.splitlines()]
    assert "d_x = d_t3 * t2" in lines
    assert lines[-2:] == ["d_x += 2.0 * x", "return d_x"]  # 2 * d_t6, d_t6 = 1.0
    g = srcgrad.grad(elementwise)
    out = g(x.astype(np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, g(x), rtol=1e-5)


def deferred(text, forward=("t", "u"), keep=("x", "r"), shapes=None):
    body, ctx = fused_context(text, shapes, params=keep[:1], returned=keep[1:],
                              forward=forward)
    body = contribution_order.run(body, ctx)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))).strip()


def test_only_a_new_array_of_the_adjoints_shape_starts_it():
    assert deferred("t = np.sin(x)\nd = 2 * x\nd += a * t\nd -= b\nr = d * 2\nreturn r") == (
        "t = np.sin(x)\nd = a * t\nd -= b\nd += 2 * x\nr = d * 2\nreturn r")
    kept = [
        "t = np.sin(x)\nd = 2 * x\nd += t\nd -= b\nr = d * 2\nreturn r",  # d would be t
        "t = np.sin(x)\nd = 2 * x\nd += a * b\nr = d * 2\nreturn r",  # shapes nominal
        "t = np.sin(x)\nd = 2 * x\nd += a * t\nr = d * t * a\nreturn r",  # nothing dies
        "t = np.sin(x)\nd = 2 * u\nd += a * t\nr = d * 2\nreturn r",  # u would live longer
        "t = np.sin(x)\nd = 2 * y\nd += a * t\ny += 1\nd -= y\nr = d\nreturn r",  # y written
        "t = np.sin(x)\nd = 2 * x\nd -= a * t\nr = d * 2\nreturn r",  # not a sum
        "t = np.sin(x)\nd = f(x)\nd += a * t\nr = d * 2\nreturn r",  # not pure
    ]
    for text in kept:
        assert deferred(text) == text
    assert deferred(kept[0].replace("d += t", "d += a * t"), shapes={"t": (1, 5)}) == (
        kept[0].replace("d += t", "d += a * t"))  # t broadcasts: a * t may be smaller
