"""reuse: operations of the fused gradient compute into an array about to die.
Generated code AND gradients vs finite differences."""


import gast
import numpy as np
import pytest
from finite_diff import checked_source, fused
from pass_bodies import fused_context, unparsed

import srcgrad
from srcgrad.analysis import adjoint_shapes
from srcgrad.fused import buffer_reuse
from srcgrad.ir import build
from srcgrad.runtime import spare

pytestmark = pytest.mark.usefixtures("runtime_dtype_checks")


@pytest.fixture(autouse=True)
def small_arrays(monkeypatch):
    monkeypatch.setattr(buffer_reuse, "MIN_SIZE", 1)  # finite differences want few elements


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def test_a_dying_operand_takes_the_result():
    code = fused(checked_source(elementwise, (np.linspace(-1, 1, 7),), (0,)))
    lines = [line.strip() for line in code.splitlines()]
    assert "t4 = np.exp(t3, spare(t3))" in lines and lines[lines.index(
        "t4 = np.exp(t3, spare(t3))") + 1] == "del t3"
    assert "d_t3 = np.multiply(t1, t4, spare(t1, t4))" in lines
    assert "d_x = np.multiply(d_t3, t2, spare(t2, d_t3))" in lines
    assert "spare(x" not in code  # a parameter: the caller's array
    # the array `del d_t2` would free takes cos(x); its del comes after
    at = lines.index("d_x_term = np.cos(x, spare(d_t2, x))")
    assert lines[at - 1] == "d_x -= d_t2" and lines[at + 2] == "del d_t2, d_x_term"


def layer(W, X, V):
    h = np.tanh(X @ W)
    return np.sum(h @ V)


def test_a_compound_statement_becomes_a_chain_of_single_operations():
    args = (np.linspace(-1, 1, 6).reshape(3, 2), np.linspace(0, 2, 12).reshape(4, 3),
            np.array([[0.5], [-2.0]]))
    code = fused(checked_source(layer, args, (0, 2)))
    lines = [line.strip() for line in code.splitlines()]
    at = lines.index("d_t1 = np.multiply(h, h, spare(h))")  # h.T @ d_t2 shares nothing
    assert lines[at:at + 4] == ["d_t1 = np.multiply(h, h, spare(h))",
                                "d_t1 = np.subtract(1, d_t1, spare(d_t1))",
                                "d_t1 = np.multiply(d_h, d_t1, spare(d_t1, d_h))",
                                "del d_h, h"]


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
    assert "d_u = np.multiply(d_t1, 2.0, spare(d_t1))" in code
    code = fused(checked_source(read_twice, (np.linspace(0, 1, 5),), (0,)))
    assert "d_t = np.multiply(1.0, t1, spare(t1))" in code  # 1.0: the seed (seed_folding.py)
    assert "spare(t," not in code and "spare(t)" not in code  # d_x is t (seed_folding.py)


def reused(text, sizes=None, default=(5,), float64=None):
    """`text` rewritten by buffer_reuse, its names of the shapes in `sizes` (others:
    `default`), those in `float64` known to be float64 arrays."""
    body, ctx = fused_context(text, sizes, default, float64=float64)
    body = buffer_reuse.run(adjoint_shapes.numbers(body, ctx), ctx)
    return unparsed(body)


def rewritten(text):
    return reused(text)


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


def chained(text, sizes):
    """`text` rewritten by reuse, with names of the shapes in `sizes` (others: numbers)."""
    return reused(text, sizes, default=())


def test_chains_write_into_what_dies_with_them_only():
    five = {n: (5,) for n in ("x", "h", "d", "r", "u")}
    assert chained("h = np.tanh(x)\nd = np.sin(x)\nr = d * (1 - h * h)\ndel d, h", five) == (
        "h = np.tanh(x)\nd = np.sin(x)\nr = np.multiply(h, h, out=spare(h))\n"
        "r = np.subtract(1, r, out=spare(r))\nr = np.multiply(d, r, out=spare(r, d))\n"
        "del d, h")
    # d of shape (1, 5) broadcasts: the product is larger than it, and does not take it
    assert chained("h = np.tanh(x)\nd = np.sin(x)\nr = d * h\ndel d\nreturn r",
                   {**five, "d": (1, 5), "h": (4, 5)}) == (
        "h = np.tanh(x)\nd = np.sin(x)\nr = d * h\ndel d\nreturn r")
    assert chained("h = np.tanh(x)\nd = np.sin(x)\nr = d * (1 - h * h)\ndel d, h",
                   {**five, "d": (4, 5), "r": (4, 5), "h": (1, 5)}) == (
        "h = np.tanh(x)\nd = np.sin(x)\nr = np.multiply(h, h, out=spare(h))\n"
        "r = d * np.subtract(1, r, out=spare(r))\ndel d, h")  # (1, 5) and (4, 5): not chained
    # an update in place names its intermediate anew, and frees it after
    assert chained("u = np.sin(x)\nr = np.exp(x)\nr += u * np.cos(x)\nreturn r", five) == (
        "u = np.sin(x)\nr = np.exp(x)\nr_term = np.cos(x)\n"
        "r += np.multiply(u, r_term, out=spare(r_term, u))\ndel r_term\nreturn r")
    # numbers (the seed and what flows from it) are no arrays, whatever their shape says
    assert chained("s = 1.0\nh = np.tanh(x)\nr = 2 * s * h\ndel h", {**five, "s": (5,)}) == (
        "s = 1.0\nh = np.tanh(x)\nr = np.multiply(2 * s, h, out=spare(h))\ndel h")


def known_float64(text):
    """`text` rewritten by reuse with every operation known to give a float64 array."""
    return reused(text, float64=build.stored(gast.parse(text).body) | {"x"})


def test_known_float64_an_int_operand_is_a_float_and_times_one_into_itself_nothing():
    assert known_float64("v = np.exp(x)\nd = 1 - v\ndel v\nr = d * x") == (
        "v = np.exp(x)\nd = np.subtract(1.0, v, out=v)\ndel v\nr = d * x")
    assert known_float64("v = np.exp(x)\nd = 1.0 * v\ndel v\nr = d * x") == (
        "v = np.exp(x)\nd = v\ndel v\nr = d * x")  # v dies: d may be its array
    assert known_float64("v = np.exp(x)\nd = 1.0 * v\ndel v\nc = np.cos(x)\nr = d * c\n"
                         "return r") == (  # and v's array, d's now, is no donor
        "v = np.exp(x)\nd = v\ndel v\nc = np.cos(x)\nr = np.multiply(d, c, out=d)\nreturn r")
    # a donor's array is another: 1.0 * v into it is a copy of v, which lives on
    assert known_float64("w = np.sin(x)\nv = np.exp(x)\ndel w\nd = 1.0 * v\n"
                         "d += x\nr = d * v\nreturn r") == (
        "w = np.sin(x)\nv = np.exp(x)\nd = np.multiply(1.0, v, out=w)\ndel w\nd += x\n"
        "r = np.multiply(d, v, out=d)\nreturn r")


def test_a_donor_is_an_array_nothing_else_holds():
    five = {n: (5,) for n in ("x", "a", "b", "c", "r")}
    assert chained("a = np.sin(x)\nb = np.sum(a)\ndel a\nc = np.cos(x)\nr = b * c\n"
                   "return r", {**five, "b": ()}) == (
        "a = np.sin(x)\nb = np.sum(a)\nc = np.cos(x, out=spare(a, x))\ndel a\n"
        "r = np.multiply(b, c, out=spare(c, b))\nreturn r")
    # b is a's array now: it must not take c
    assert chained("a = np.sin(x)\nb = a * 2.0\ndel a\nc = np.cos(x)\nr = b + c\n"
                   "return r", five) == (
        "a = np.sin(x)\nb = np.multiply(a, 2.0, out=spare(a))\ndel a\nc = np.cos(x)\n"
        "r = np.add(b, c, out=spare(b, c))\nreturn r")


def test_spare_only_when_the_dtype_is_kept():
    v = np.ones(3)
    assert spare(v, 2.0, 3, np.zeros(3)) is v
    assert spare(v, np.zeros(3, np.float32)) is None and spare(v, np.float32(1)) is None
    assert spare(np.arange(3)) is None and spare(v, 1j) is None and spare(v, True) is None
    assert spare(1.0, 2.0) is None  # an adjoint kept a number (small_adjoints)
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
