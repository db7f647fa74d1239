"""npcalls: sums of float64 arrays in the fused gradient are `np.add.reduce` calls.
Generated code AND gradients vs finite differences, and the same numbers as `sum`."""

import ast

import gast
import numpy as np
import pytest
from finite_diff import assert_grads_match, checked_source, fused
from pass_bodies import fused_context

import srcgrad
from srcgrad.fused import positional_out, reduce_sums
from srcgrad.ir import build


def direct(text, arrays=("a", "t")):
    body, ctx = fused_context(text, float64=arrays)
    out = reduce_sums.run(body, ctx)
    return [ast.unparse(gast.gast_to_ast(stmt)) for stmt in out], body


def test_sums_of_float64_arrays_call_the_reduction():
    lines, _ = direct("r = a.sum()\ns = a.sum(axis=0, keepdims=True)\n"
                      "u = np.sum(t, axis=1)\nv = -np.sum(a) * t.sum(axis=(0, 1))\n"
                      "w = np.sum(a * t)")
    assert lines == ["r = np.add.reduce(a, axis=None)",
                     "s = np.add.reduce(a, axis=0, keepdims=True)",
                     "u = np.add.reduce(t, axis=1)",
                     "v = -np.add.reduce(a, axis=None) * np.add.reduce(t, axis=(0, 1))",
                     "w = np.add.reduce(a * t, axis=None)"]  # of arithmetic of such arrays


@pytest.mark.parametrize("text", [
    "r = b.sum()",  # not known to be a float64 array (a subclass sums its own way)
    "r = a.sum(dtype=np.float32)", "r = a.sum(0)", "r = np.sum(a, 0)",  # other arguments
    "r = x.a.sum()", "r = np.sum(a * b)", "r = sum(a)", "r = math.sum(a)"])
def test_other_sums_stay(text):
    assert direct(text)[0] == [text]


def test_a_function_sums_one_way():
    text = "r = a.sum()\ns = b.sum(axis=0)"  # b: not known to be a float64 array
    assert direct(text)[0] == text.split("\n")


def test_the_sweeps_statements_stay_as_they_were():
    lines, body = direct("for i in range(3):\n    r += a.sum(axis=0)")
    assert lines == ["for i in range(3):\n    r += np.add.reduce(a, axis=0)"]
    assert ast.unparse(gast.gast_to_ast(body[0])) == "for i in range(3):\n    r += a.sum(axis=0)"


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 1), False)])
def test_the_same_numbers_as_sum(axis, keepdims):
    a = np.random.default_rng(0).normal(size=(37, 29)) * 1e3
    assert np.array_equal(np.add.reduce(a, axis=axis, keepdims=keepdims),
                          a.sum(axis=axis, keepdims=keepdims))
    assert np.array_equal(np.add.reduce(a, axis=axis, keepdims=keepdims),
                          np.sum(a, axis=axis, keepdims=keepdims))


def layer(W, b, X):
    h = np.tanh(X @ W + b)
    p = np.exp(h)
    return np.sum(np.log(np.sum(p, axis=1)))


def test_bias_and_forward_sums_in_the_generated_code():
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3)))
    code = fused(checked_source(layer, args, (0, 1)))
    code = "\n".join(line for line in code.splitlines() if not line.strip().startswith("#"))
    assert "t3 = np.add.reduce(p, axis=1)" in code and "d_b = np.add.reduce(d_t2, axis=0)" in code
    assert "sum(" not in code
    float32 = tuple(a.astype(np.float32) for a in args)  # not float64: NumPy's sums
    g = srcgrad.grad(layer, wrt=(0, 1))
    assert "reduce" not in fused(g.source_for(*float32))
    assert_grads_match(layer, g(*float32), float32, (0, 1), rtol=1e-3)


def test_ufunc_outputs_go_by_position():
    text = ("d = np.tanh(a, out=a)\ne = np.add(a, 1.0, out=spare(a))\n"
            "f = np.add(a, out=b)\ng = np.dot(a, b, out=c)\nh = np.add(a, b, out=(c,))\n"
            "q, r = np.divmod(a, b, out=(c, e))\nk = other.add(a, b, out=c)")
    body, ctx = fused_context(text)
    body = [build.comment("heading")] + body
    out = positional_out.run(body, ctx)
    lines = [ast.unparse(gast.gast_to_ast(stmt)) for stmt in out]
    assert build.is_comment(out[0]) and out[1].value.value.endswith(positional_out.NOTE)
    assert lines[2:4] == ["d = np.tanh(a, a)", "e = np.add(a, 1.0, spare(a))"]
    assert lines[4:] == text.splitlines()[2:]  # not all inputs, no ufunc, a tuple, not NumPy
    assert ast.unparse(gast.gast_to_ast(body[1])) == "d = np.tanh(a, out=a)"  # copies
    assert positional_out.run(body[4:], ctx) == body[4:]  # nothing to do: no note
