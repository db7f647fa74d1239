"""dtypes: which values of the fused gradient are certainly float64 arrays, and the
in-place code that knowledge allows. Inference on tiny programs; generated code AND
gradients vs finite differences."""

import re

import gast
import numpy as np
import pytest
from finite_diff import assert_grads_match, checked_source, fused
from models import rnn as recurrent

import srcgrad
from srcgrad import runtime
from srcgrad.analysis import dtypes
from srcgrad.analysis.dtypes import F64, INTEGER, NUMBER
from srcgrad.fused import positional_out

HELPERS = {"np": np, "spare": runtime.spare, "safe_div": runtime.safe_div}


def inferred(text, kinds, shapes=None, tapes=frozenset()):
    shapes = shapes or {}

    def shape(node):  # names by `shapes`, a reduction without axis: a number, else (4,)
        if isinstance(node, gast.Name):
            return shapes.get(node.id, (4,))
        if isinstance(node, gast.Call) and getattr(node.func, "attr", "") == "sum":
            return ()
        return (4,)
    return dtypes.infer(gast.parse(text).body, kinds, HELPERS, shape, tapes)


def test_float64_flows_through_arithmetic_ufuncs_products_and_reductions():
    env = inferred("t1 = X @ W\nz = t1 + b\ns = np.tanh(z * 0.5)\nr = safe_div(s, z)\n"
                   "m = r.sum()\nd = m * 2 - z.T", {"X": F64, "W": F64, "b": NUMBER})
    assert env == {"X": F64, "W": F64, "b": NUMBER, "t1": F64, "z": F64, "s": F64,
                   "r": F64, "m": NUMBER, "d": F64}


def test_integer_arrays_promote_only_with_a_float64_array():
    env = inferred("a = k * x\nb = k * 1.5\nc = k + k", {"k": INTEGER, "x": F64})
    assert env["a"] == F64
    assert "b" not in env  # float16 for int8 * 1.5 on NumPy 1.x
    assert "c" not in env


def test_an_array_made_like_another_has_its_dtype():
    env = inferred("a = np.full_like(x, 1.0)\nb = np.zeros_like(x)\nc = np.full_like(k, 1.5)\n"
                   "d = np.ones_like(n)\ne = np.full_like(x, 1, dtype=np.int8)",
                   {"x": F64, "k": INTEGER, "n": NUMBER})
    assert env["a"] == env["b"] == F64
    assert {"c", "d", "e"}.isdisjoint(env)  # ints; of a Python int, an int64 0-d array


def test_unknowns_stay_unknown():
    env = inferred("a = f(x)\nb = a + x\nc = x.astype(np.float32)\nd = c * x\n"
                   "e = np.exp(x, out=buf)\ng = x // 2\nh = x > 0\nk = x << 1",
                   {"x": F64, "buf": None})
    assert {"a", "b", "c", "d", "e", "h", "k"}.isdisjoint(env)
    assert env["g"] == F64  # `//` of a float64 array is one, as its facts say


def test_a_name_bound_twice_needs_one_kind_and_a_rebound_parameter_none():
    env = inferred("y = 1.0\ny = x * 2\nx = np.sin(x)\nz = x * 2", {"x": F64})
    assert "y" not in env  # a number, then an array
    assert "x" not in env and "z" not in env


def test_loop_carried_values_and_loop_targets():
    text = ("h = np.tanh(x)\nfor t in range(3):\n    a = h @ W\n    h = np.tanh(a)\n"
            "for u, v in pairs:\n    w = u * x\n")
    env = inferred(text, {"x": F64, "W": F64, "pairs": None})
    assert env["h"] == F64 and env["a"] == F64
    assert {"t", "u", "v", "w"}.isdisjoint(env)
    env = inferred("h = np.tanh(x)\nfor t in range(3):\n    h = h * k\n", {"x": F64, "k": None})
    assert "h" not in env  # one of its bindings is not certain


def test_argument_kinds():
    assert dtypes.kind_of(np.ones(3)) == F64 and dtypes.kind_of(np.float64(1)) == NUMBER
    assert dtypes.kind_of(np.array(2.0)) == NUMBER and dtypes.kind_of(1.5) == NUMBER
    assert dtypes.kind_of(np.arange(3)) == INTEGER and dtypes.kind_of(np.ones(2, bool)) == INTEGER
    assert dtypes.kind_of(np.ones(3, np.float32)) is None and dtypes.kind_of("a") is None
    assert dtypes.kind_of(True) is None
    nested = dtypes.kind_of([(np.ones(2), 1.0), {"w": np.ones(2, np.float32)}])
    assert nested == ("items", (("items", (F64, NUMBER)), ("keys", (("w", None),))))
    looped = []
    looped.append(looped)
    assert dtypes.kind_of(looped) is not None  # described to a depth, then unknown
    assert dtypes.kind_of({1: np.ones(2)}) is None


def layered(params, x):
    W1, b1 = params[0]
    h = np.tanh(x @ W1 + b1)
    return np.sum(h @ params[1]["W"] + params[-1]["b"])


def test_the_items_of_lists_tuples_and_dicts_have_their_kinds():
    rng = np.random.default_rng(3)
    params = [(rng.normal(size=(3, 4)), rng.normal(size=4)),
              {"W": rng.normal(size=(4, 2)), "b": rng.normal(size=2)}]
    x = rng.normal(size=(5, 3))
    g = srcgrad.grad(layered, wrt=0)
    lines = [line.strip() for line in fused(g.source_for(params, x)).splitlines()]
    into = re.compile(r"= np\.add\((\w+), b1, \1\)$")  # into the product, no check
    assert any(into.search(line) for line in lines) and "spare" not in "".join(lines)
    (dW1, db1), d2 = g(params, x)
    _, ((gW1, gb1), g2) = srcgrad.value_and_grad(layered, wrt=0)(params, x)
    for a, b in [(dW1, gW1), (db1, gb1), (d2["W"], g2["W"]), (d2["b"], g2["b"])]:
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert_grads_match(lambda W: layered([(W, params[0][1]), params[1]], x), (dW1,),
                       (params[0][0],), (0,))
    f32 = np.float32
    as32 = [(params[0][0].astype(f32), params[0][1].astype(f32)),
            {k: v.astype(f32) for k, v in params[1].items()}]
    lines = fused(g.source_for(as32, x.astype(f32))).splitlines()
    assert not any(into.search(line.strip()) for line in lines)  # not known float64


def logistic(W, b, X, y):
    z = X @ W + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def logistic_args(dtype=np.float64):
    rng = np.random.default_rng(0)
    return (rng.normal(size=3).astype(dtype), 0.2, rng.normal(size=(6, 3)).astype(dtype),
            (rng.random(6) > 0.5).astype(dtype))


def test_small_float64_arrays_are_computed_into_without_a_check():
    code = fused(checked_source(logistic, logistic_args(), (0, 1)))
    assert "spare" not in code
    lines = [line.strip() for line in code.splitlines()]
    assert "z = np.add(t1, b, t1)" in lines
    assert lines[lines.index("d_z = np.multiply(z, 0.5, z)") + 1] == "d_z = np.tanh(d_z, d_z)"


def read_twice(x):
    t = np.sin(x)
    return np.sum(t * (x + t))


@pytest.mark.usefixtures("keeping_dels")
def test_an_int_into_float64_is_a_float_and_times_one_into_itself_is_nothing():
    lines = [line.strip() for line in
             fused(checked_source(logistic, logistic_args(), (0, 1))).splitlines()]
    assert "d_z = np.add(1.0, d_z, d_z)" in lines  # `1 + np.tanh(...)` of the rule
    lines = [line.strip() for line in
             fused(checked_source(read_twice, (np.linspace(0, 1, 5),), (0,))).splitlines()]
    assert lines[lines.index("d_t = t1"):][:3] == ["d_t = t1", "del t1", "d_t += t"]


def test_other_dtypes_keep_new_arrays_and_their_precision():
    args = logistic_args(np.float32)
    g = srcgrad.grad(logistic, wrt=(0, 1))
    code = fused(g.source_for(*args))
    assert positional_out.NOTE not in code  # small, and not known to be float64
    dW, db = g(*args)
    assert dW.dtype == np.float32
    as64 = tuple(np.asarray(a, np.float64) if isinstance(a, np.ndarray) else a for a in args)
    np.testing.assert_allclose(dW, srcgrad.grad(logistic, wrt=(0, 1))(*as64)[0], rtol=1e-5)


def scaled(x, k):
    return np.sum(np.sin(x) * (k * 1.5))


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.bool_])
def test_integer_data_beside_float64_weights(dtype):
    x = np.linspace(-1, 1, 5)
    k = np.array([1, 0, 1, 1, 0], dtype=dtype)
    g = srcgrad.grad(scaled, wrt=0)
    assert_grads_match(scaled, (g(x, k),), (x, k), (0,))
    assert g(x, k).dtype == np.float64


def carried(x, W):
    h = np.tanh(x)
    for _ in range(3):
        h = np.tanh(h @ W) + h * 0.5
    return np.sum(h * h)


def test_the_gradient_agrees_with_the_general_code_and_finite_differences():
    rng = np.random.default_rng(2)
    args = (rng.normal(size=(2, 3)), rng.normal(size=(3, 3)) * 0.5)
    checked_source(carried, args, (0, 1))
    fast = srcgrad.grad(carried, wrt=(0, 1))(*args)
    _, general = srcgrad.value_and_grad(carried, wrt=(0, 1))(*args)
    for a, b in zip(fast, general):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_loop_bodies_compute_into_what_dies_in_them():
    rng = np.random.default_rng(5)
    args = (rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4),
            rng.normal(size=(6, 2, 3)))
    code = fused(checked_source(recurrent, args, (0, 1, 2)))
    lines = [line.strip() for line in code.splitlines()]
    at = lines.index("t9 = h_1 @ Wh")  # the new product dies in the sum that reads it
    assert lines[at + 1:at + 3] == ["t10 = np.add(t8, t9, t9)", "t11 = np.add(t10, b, t10)"]
    # an adjoint's shape may be smaller than its value's (small_adjoints.py): never computed
    # into; the step's tanh slopes, rows of the stack, are (stacking's prefill)
    assert ("d_t11 = np.multiply(d_h_1, d_t11_steps[step], d_t11_steps[step])"
            in lines)
    fast = srcgrad.grad(recurrent, wrt=(0, 1, 2))(*args)
    _, general = srcgrad.value_and_grad(recurrent, wrt=(0, 1, 2))(*args)
    for a, b in zip(fast, general):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_a_tape_replayed_gives_its_values_their_kinds():
    text = ("tape = []\nfor t in range(3):\n    a = x * 2\n    tape.append((a, t))\n"
            "for u, s in reversed(tape):\n    w = u * x\n")
    env = inferred(text, {"x": F64}, tapes={"tape"})
    assert env["u"] == F64 and env["w"] == F64 and "s" not in env
    assert "u" not in inferred(text, {"x": F64})  # a list of the user's: anything in it
    env = inferred("tape = []\ntape.append((x,))\ntape = []\nfor u, in tape:\n    w = u\n",
                   {"x": F64}, tapes={"tape"})
    assert "u" not in env  # bound twice


def test_a_tape_of_single_values_and_a_row_as_out():
    text = ("tape = []\nbuf = np.empty((4, 4))\nfor t in range(3):\n"
            "    a = np.tanh(x, out=buf[t])\n    tape.append(a)\n"
            "for u in reversed(tape):\n    w = u * x\n")
    env = inferred(text, {"x": F64}, tapes={"tape"})
    assert env["a"] == F64 and env["u"] == F64 and env["w"] == F64
    mixed = text.replace("tape.append(a)", "tape.append(a)\n    tape.append((a, t))")
    assert "u" not in inferred(mixed, {"x": F64}, tapes={"tape"})  # tuples and values
    assert "a" not in inferred(text.replace("np.empty((4, 4))", "np.empty((4, 4), "
                                            "dtype=np.int64)"), {"x": F64}, tapes={"tape"})


def repeated(x, W):
    s = 0.0
    for _ in range(3):
        a = x @ W
        s = s + np.sum(np.tanh(a + 1.0))
    return s


def test_the_sweeps_loops_stay_as_they_were():
    """The fused function's loops are rewritten in copies: the forward and backward
    sweeps (which forward mode differentiates) keep their own, and hvp agrees with
    finite differences of the gradient."""
    rng = np.random.default_rng(3)
    x, W = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    g = srcgrad.grad(repeated, wrt=1)
    code = checked_source(repeated, (x, W), (1,))
    sweeps, grad_call = code[:code.index("_grad(")], fused(code)
    assert "np.add(a, 1.0, a)" in grad_call and "np.add(" not in sweeps
    v = rng.normal(size=W.shape)
    product = srcgrad.hvp(repeated, wrt=1)(x, W, tangent=v)
    expected = (g(x, W + 1e-5 * v) - g(x, W - 1e-5 * v)) / 2e-5
    np.testing.assert_allclose(product, expected, rtol=1e-6, atol=1e-8)


def test_a_reshaped_array_has_its_dtype_and_a_view_with_a_dtype_none():
    env = inferred("a = X.reshape((2, 2))\nb = np.reshape(X, (4,))\nc = X.view(np.int64)\n"
                   "d = I.reshape((2, 2))", {"X": F64, "I": INTEGER})
    assert env["a"] == env["b"] == F64 and "c" not in env and env.get("d") != F64
