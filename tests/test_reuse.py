"""reuse: operations of the fused grad call compute into an array about to die.
Generated code AND gradients vs finite differences."""

import ast

import gast
import numpy as np
import pytest

import srcgrad
from srcgrad import reuse
from srcgrad.runtime import spare
from finite_diff import checked_source, fused


@pytest.fixture(autouse=True)
def small_arrays(monkeypatch):
    monkeypatch.setattr(reuse, "MIN_SIZE", 1)  # finite differences want few elements


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def test_a_dying_operand_takes_the_result():
    code = fused(checked_source(elementwise, (np.linspace(-1, 1, 7),), (0,)))
    lines = [line.strip() for line in code.splitlines()]
    assert "t4 = np.exp(t3, out=spare(t3))" in lines and lines[lines.index(
        "t4 = np.exp(t3, out=spare(t3))") + 1] == "del t3"
    assert "d_t4 = np.multiply(d_t5, t1, out=spare(t1, d_t5))" in lines
    assert "d_x += np.multiply(d_t3, t2, out=spare(d_t3, t2))" in lines
    assert "out=spare(x" not in code  # a parameter: the caller's array


def viewed(x):
    t = np.exp(x)
    u = t.T  # a view of t
    return np.sum(u * 2.0) + np.sum(t * x)


def read_twice(x):
    t = np.sin(x)
    return np.sum(t * (x + t))


def test_shared_or_twice_read_arrays_are_not_written():
    code = fused(checked_source(viewed, (np.linspace(0, 1, 5),), (0,)))
    assert "spare(t)" not in code and "spare(u)" not in code
    assert "d_u = np.multiply(d_t1, 2.0, out=spare(d_t1))" in code
    code = fused(checked_source(read_twice, (np.linspace(0, 1, 5),), (0,)))
    assert "np.multiply(d_t2, t, out=spare(t, d_t2))" in code  # SSA: one read a statement


def rewritten(text):
    body = gast.parse(text).body
    body = reuse.reuse(body, lambda node: (5,), {"x", "r"}, lambda: "np", lambda: "spare")
    return ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))).strip()


def test_what_is_read_twice_or_made_elsewhere_is_not_written():
    assert rewritten("t = np.sin(x)\nr = t * (x + t)\ndel t") == (  # t read twice: the sum
        "t = np.sin(x)\nr = x + t\nr = np.multiply(t, r, out=spare(r, t))\ndel t")  # is new
    assert rewritten("t = f(x)\nr = t * x\ndel t").count("spare") == 0  # f's array
    assert rewritten("t = np.sin(x)\nr = t * (x + x)\ndel t") == (  # the new sum takes it
        "t = np.sin(x)\nr = x + x\nr = np.multiply(t, r, out=spare(r, t))\ndel t")
    assert rewritten("t = np.sin(x)\nr = t * x\ndel t") == (
        "t = np.sin(x)\nr = np.multiply(t, x, out=spare(t, x))\ndel t")
    assert rewritten("t = np.sin(x)\nr = np.exp(t)\nreturn r") == (  # release: no del here
        "t = np.sin(x)\nr = np.exp(t, out=spare(t))\nreturn r")


def test_spare_only_when_the_dtype_is_kept():
    v = np.ones(3)
    assert spare(v, 2.0, 3, np.zeros(3)) is v
    assert spare(v, np.zeros(3, np.float32)) is None and spare(v, np.float32(1)) is None
    assert spare(np.arange(3)) is None and spare(v, 1j) is None and spare(v, True) is None
    assert spare(1.0, 2.0) is None  # an adjoint kept a number (scalarseed)
    assert spare(np.ones((1, 3)), np.ones((2, 3))) is None  # the result is larger
    assert spare(np.ones((2, 3)), np.ones(3)) is not None


def test_float32_and_integer_arguments_keep_their_dtypes():
    g = srcgrad.grad(elementwise)
    x32 = np.linspace(-1, 1, 7, dtype=np.float32)
    out = g(x32)
    assert out.dtype == np.float32 and out is not x32
    np.testing.assert_allclose(out, g(x32.astype(float)), rtol=1e-5)
    scale = srcgrad.grad(lambda_free_scale, wrt=0)
    np.testing.assert_allclose(scale(np.ones(4), np.arange(4)),
                               2.0 * np.exp(2.0 * np.arange(4)))


def lambda_free_scale(w, n):
    return np.sum(w * np.exp(2.0 * n) * 2.0)
