"""stacking: a loop's per-step products done once over all steps, in the fused gradient.
Generated code AND gradients vs finite differences, on loops where it must fire and where
it must not."""


import numpy as np
import pytest
from finite_diff import assert_grads_match, checked_source, fused
from pass_bodies import fused_context, unparsed

import srcgrad
from srcgrad.fused import loop_batching

rng = np.random.default_rng(3)


def rnn(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


def rnn_args(steps=6, batch=3, n_in=2, n_h=4):
    return (rng.normal(size=(n_in, n_h)), rng.normal(size=(n_h, n_h)) * 0.5,
            rng.normal(size=n_h) * 0.1, rng.normal(size=(steps, batch, n_in)))


def test_rnn_input_products_and_weight_adjoints_are_done_once(runtime_dtype_checks):
    code = checked_source(rnn, rnn_args(), (0, 1, 2))
    grad = fused(code)
    lines = [line.strip() for line in grad.splitlines()]
    assert "t8_steps = xs @ Wx" in lines and "t8 = t8_steps[t]" in lines
    assert "del t8_steps, t8" in lines  # a row is a view: it would keep the product alive
    assert "d_t11_steps = np.empty((n_steps, 3, 4), dtype=d_b.dtype)" in lines
    assert "d_t11_steps[step] = d_t11" in lines and grad.count("d_t11_steps = np.empty") == 1
    assert "d_b += d_t11_steps.sum(axis=(0, 1))" in lines
    assert ("d_Wx += xs[:n_steps].reshape(n_steps * 3, 2).T @ "
            "d_t11_steps.reshape(n_steps * 3, 4)") in lines
    # h is carried: each step's new h goes into the next row of one array, made before
    # the loop with the first h in row 0, so the tape's h_1s are its rows
    assert lines.index("h_1_steps = np.empty((7, 3, 4), dtype=h_1.dtype)") + 2 == lines.index(
        "h_1 = h_1_steps[0]") and "h_1_steps[0] = h_1" in lines
    assert "h_2 = np.tanh(t11, row_out(h_1_steps, t + 1, t11))" in lines
    assert "h_1_rows = rows_of(h_1_steps, tape, 0)" in lines
    assert ("d_Wh += h_1_rows.reshape(n_steps * 3, 4).T @ "
            "d_t11_steps.reshape(n_steps * 3, 4)") in lines
    assert "del d_t11_steps, h_1_rows, h_1_steps" in lines
    # the replay reads neither the row of xs nor h_1 (rows_of reads h_1): tapes.py
    assert "t7 = xs[t]" not in grad and "tape.append((h_1, h_2))" in lines
    assert "for h_1, h_2 in reversed(tape):" in lines
    assert "d_Wx += t7.T @ d_t8" not in grad and "d_b += d_t11.sum(axis=0)" not in grad
    assert "d_Wh += h_1.T @ d_t9" not in grad
    sweeps = code[:code.index("_grad(")]  # the sweeps forward mode reads stay per step
    assert "_steps" not in sweeps and "d_Wx += t7.T @ d_t8" in sweeps
    assert "row_out" not in sweeps and "d_Wh += h_1.T @ d_t9" in sweeps


def test_known_float64_rows_need_no_check_and_the_tape_keeps_what_the_replay_reads():
    code = checked_source(rnn, rnn_args(), (0, 1, 2))
    grad = fused(code)
    lines = [line.strip() for line in grad.splitlines()]
    assert "h_1_steps = np.empty((7, 3, 4))" in lines  # float64: h is np.zeros
    assert "h_2 = np.tanh(t11, h_1_steps[t + 1])" in lines
    assert "h_1_rows = h_1_steps[:n_steps]" in lines
    assert lines.index("n_steps = len(tape)") < lines.index("h_1_rows = h_1_steps[:n_steps]")
    assert "row_out" not in grad and "rows_of" not in grad
    assert "tape.append(h_2)" in lines and "for h_2 in reversed(tape):" in lines
    assert "t7 = xs[t]" not in grad
    # the tanh slopes of all steps at once, into the stack each step's adjoint goes into
    at = lines.index("h_2_rows = h_1_steps[1:n_steps + 1]")
    assert lines[at + 1:at + 3] == ["d_t11_steps = np.multiply(h_2_rows, h_2_rows)",
                                    "d_t11_steps = np.subtract(1, d_t11_steps, d_t11_steps)"]
    assert ("d_t11 = np.multiply(d_h_1, d_t11_steps[step], d_t11_steps[step])"
            in lines) and "d_t11_steps[step] = d_t11" not in lines
    assert "del d_t11_steps, h_2_rows, h_1_rows, h_1_steps" in lines
    assert "d_h_2 = d_h_1" not in lines  # copies in loops: gone (copy_propagation.py)
    sweeps = code[:code.index("_grad(")]  # the sweeps' own loops keep their whole tape
    assert "tape.append((h_1, t7, h_2))" in sweeps and "t7 = xs[t]" in sweeps


def rnn_from(Wx, Wh, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


@pytest.mark.parametrize("first, others", [("float64", "float64"), ("float32", "float32"),
                                           ("int64", "float64"), ("float32", "float64")])
def test_rows_of_a_carried_value_of_any_dtype_match_the_plain_gradient(first, others):
    """The rows' dtype is the first h's; a step whose new h has another (an int first h)
    makes a new array, and the tape's values are stacked instead: the same gradient
    either way. A float32 h with float64 weights takes the plain code (two precisions)."""
    h0 = rng.integers(-2, 3, size=(3, 4)) if first == "int64" else rng.normal(size=(3, 4))
    args = tuple(a.astype(others) for a in rnn_args(steps=5)) + (h0.astype(first),)
    g = srcgrad.grad(rnn_from, wrt=(0, 1, 2))
    ours = g(*args)
    source = g.source_for(*args)
    if (first, others) == ("float32", "float64"):  # two precisions: the plain code (api)
        assert "row_out" not in source
    elif first == "float64":  # known at generation time (dtypes.py)
        assert ", h_1_steps[t + 1])" in source and "row_out" not in source
    else:
        assert ", row_out(h_1_steps, t + 1, " in source
    if first != "float64" and others == first:  # the slopes' stack needs float64 known
        # (a copy per step instead)
        assert "_steps[step] = d_t" in source
    plain = next(iter(g._variants.values())).gradient(*args)
    for mine, theirs in zip(ours, plain):
        assert mine.dtype == theirs.dtype
        np.testing.assert_allclose(mine, theirs, rtol=1e-5 if others == "float32" else 1e-12)
    if others == "float64":
        assert_grads_match(rnn_from, ours, args, (0, 1, 2))


def test_no_step_leaves_the_first_value_alone_in_its_row():
    args = rnn_args(steps=0)
    code = checked_source(rnn, args, (0, 1, 2))
    assert "h_1_rows = h_1_steps[:n_steps]" in code
    assert all(not g.any() for g in srcgrad.grad(rnn, wrt=(0, 1, 2))(*args))


def test_a_carried_value_is_computed_into_rows_only_when_every_step_runs():
    args = (rng.normal(size=(2, 4)) * 0.5, rng.normal(size=(6, 3, 2)), 0.5)
    assert "row_out" not in fused(checked_source(stops_early, args, (0,)))
    args = (rng.normal(size=(2, 4)), rng.normal(size=(5, 3, 2)))
    assert "row_out" not in fused(checked_source(skips, args, (0,)))


def test_the_gradient_forward_mode_reads_is_the_plain_one():
    args = rnn_args(steps=3)
    g = srcgrad.grad(rnn, wrt=(0, 1, 2))
    g(*args)
    variant, = g._variants.values()
    plain = variant.gradient  # forward sweep and backward sweep, as forward mode reads them
    assert "_steps" not in " ".join(plain.__code__.co_names + plain.__code__.co_varnames)
    assert_grads_match(rnn, plain(*args), args, (0, 1, 2))


def partial(W, xs):
    h = np.zeros((xs.shape[1], W.shape[1]))
    for t in range(3):  # 3 of the 5 rows
        h = np.tanh(xs[t] @ W + h)
    return np.sum(h * h)


def test_a_loop_over_some_rows_computes_no_other_row():
    code = fused(checked_source(partial, (rng.normal(size=(2, 4)), rng.normal(size=(5, 3, 2))),
                               (0,)))
    assert "xs @ W" not in code  # rows 3 and 4 are never needed
    assert "d_W += xs[:n_steps].reshape(n_steps * 3, 2).T @ " in code  # the tape's rows


def stops_early(W, xs, limit):
    h = np.zeros((xs.shape[1], W.shape[1]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h)
        if np.sum(h) > limit:
            break
    return np.sum(h * h)


@pytest.mark.parametrize("limit", [-100.0, 0.5, 100.0])
def test_break_ends_the_tape_early_and_the_stacks_with_it(limit):
    args = (rng.normal(size=(2, 4)) * 0.5, rng.normal(size=(6, 3, 2)), limit)
    code = fused(checked_source(stops_early, args, (0,)))
    assert "xs @ W" not in code  # not every row is used
    assert "xs[:n_steps]" in code


def skips(W, xs):
    h = np.zeros((xs.shape[1], W.shape[1]))
    for t in range(xs.shape[0]):
        if t % 2:
            continue
        h = np.tanh(xs[t] @ W + h)
    return np.sum(h * h)


def test_continue_is_left_per_step():
    code = fused(checked_source(skips, (rng.normal(size=(2, 4)), rng.normal(size=(5, 3, 2))),
                                (0,)))
    assert "_steps" not in code


def decaying(W, xs):
    h = np.zeros((xs.shape[1], W.shape[1]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h)
        W = W * 0.9  # a different W each step
    return np.sum(h * h)


def test_a_weight_changing_in_the_loop_is_not_hoisted():
    code = fused(checked_source(decaying, (rng.normal(size=(2, 4)), rng.normal(size=(5, 3, 2))),
                                (0, 1)))
    assert "@ W_" not in code.split("for t in")[0]


def over_vectors(W, U, xs):
    h = np.zeros(W.shape[1])
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h * h)


def test_rows_of_a_matrix_times_a_matrix():
    args = (rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=(5, 3)))
    code = fused(checked_source(over_vectors, args, (0, 1, 2)))
    assert "t7_steps = xs @ W" in code or "_steps = xs @ W" in code
    assert "xs[:n_steps]" not in code  # a vector's adjoint is an outer product: per step


def computed_rows(W, x):
    xs = np.sin(x)  # made in the function, freed by release after its last use
    h = np.zeros((xs.shape[1], W.shape[1]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h)
    return np.sum(h * h)


def test_rows_of_an_array_made_in_the_function():
    args = (rng.normal(size=(2, 4)), rng.normal(size=(5, 3, 2)))
    code = fused(checked_source(computed_rows, args, (0, 1)))
    assert "_steps = xs @ W" in code
    assert "d_W += xs[:n_steps].reshape(n_steps * 3, 2).T @ " in code  # before `del xs`


def test_grad_of_the_benchmark_rnn_matches_the_hand_written_one():
    import sys, pathlib
    sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "benchmarks"))
    import workloads
    data = workloads.rnn_data(np.random.default_rng(0))
    args = [data[k] for k in ("Wx", "Wh", "b", "xs")]
    for ours, hand in zip(srcgrad.grad(workloads.rnn_fn, wrt=(0, 1, 2))(*args),
                          workloads.rnn_hand(*args)):
        np.testing.assert_allclose(ours, hand, rtol=1e-10, atol=1e-13)


# --- the rewrite itself, on hand-written fused bodies --------------------------------------

SHAPES = {"xs": (4, 3, 2), "r": (3, 2), "g": (3, 5), "e": (3, 5), "d_W": (2, 5), "d_b": (5,)}


def stacked(text, shapes=None, ints=None):
    body, ctx = fused_context(text, shapes or SHAPES, default=None, ints=ints)
    return unparsed(loop_batching.run(body, ctx))


FORWARD = """\
tape = []
for t in range(n):
    r = xs[t]
    tape.append((r,))
"""


def test_one_stack_for_one_array_unchanged_between_its_uses():
    code = stacked(FORWARD + """\
for (r,) in reversed(tape):
    g = r @ V
    e = g
    d_b += g.sum(axis=0)
    d_W += r.T @ e
""")
    assert code.count("np.empty") == 1 and "g_steps[step] = g" in code
    assert "d_W += xs[:n_steps].reshape(n_steps * 3, 2).T @ g_steps.reshape(n_steps * 3, 5)" in code


def test_an_array_changed_between_its_uses_gets_a_second_stack():
    code = stacked(FORWARD + """\
for (r,) in reversed(tape):
    g = r @ V
    e = g
    d_b += g.sum(axis=0)
    e *= 2.0
    d_W += r.T @ e
""")
    assert code.count("np.empty") == 2 and "e_steps[step] = e" in code


def test_an_accumulator_read_in_the_loop_or_a_row_of_a_written_array_stays():
    code = stacked(FORWARD + """\
for (r,) in reversed(tape):
    g = r @ V + d_b
    d_b += g.sum(axis=0)
""")
    assert "np.empty" not in code
    code = stacked(FORWARD.replace("tape.append", "xs[0] = 0.0\n    tape.append") + """\
for (r,) in reversed(tape):
    g = r @ V
    d_W += r.T @ g
""")
    assert "np.empty" not in code


def test_a_tape_changed_between_the_sweeps_is_not_read_as_rows():
    replay = """\
for (r,) in reversed(tape):
    g = r @ V
    d_W += r.T @ g
"""
    assert "np.empty" in stacked(FORWARD + replay)
    assert "np.empty" not in stacked(FORWARD + "tape.pop(0)\n" + replay)


# --- a loop-carried value computed into rows, on hand-written fused bodies -----------------

CARRIED_SHAPES = {"h0": (3, 5), "h_1": (3, 5), "h_2": (3, 5), "t11": (3, 5), "g": (3, 5),
                  "d": (3, 5), "W": (5, 5), "d_W": (5, 5), "c": (5,)}
CARRIED = """\
h_1 = h0
tape = []
for t in range(n):
    t11 = h_1 @ W
    h_2 = np.tanh(t11)
    tape.append((h_1, h_2))
    h_1 = h_2
for (h_1, h_2) in reversed(tape):
    g = h_2 * d
    d_W += h_1.T @ g
"""


def carried(text):
    return stacked(text, CARRIED_SHAPES, ints={"n": 4})


def test_a_carried_value_goes_into_rows_of_one_array():
    code = carried(CARRIED)
    lines = [line.strip() for line in code.splitlines()]
    assert lines[2:5] == ["h_1_steps = np.empty((5, 3, 5), dtype=h_1.dtype)",
                          "h_1_steps[0] = h_1", "h_1 = h_1_steps[0]"]
    assert "h_2 = np.tanh(t11, out=row_out(h_1_steps, t + 1, t11))" in lines
    assert lines.index("h_1_rows = rows_of(h_1_steps, tape, 0)") < lines.index(
        "for h_1, h_2 in reversed(tape):")
    assert "d_W += h_1_rows.reshape(n_steps * 3, 5).T @ g_steps.reshape(n_steps * 3, 5)" in lines
    code = carried(CARRIED.replace("np.tanh(t11)", "t11 * 0.5 - h_1"))
    assert "h_2 = np.multiply(t11, 0.5, out=row_out(h_1_steps, t + 1, t11))" not in code
    assert "rows_of" not in code  # `a * 0.5 - b` is two operations: not one into the row
    code = carried(CARRIED.replace("np.tanh(t11)", "t11 - h_1"))
    assert "h_2 = np.subtract(t11, h_1, out=row_out(h_1_steps, t + 1, t11, h_1))" in code


@pytest.mark.parametrize("change", [
    ("    d_W += h_1.T @ g\n", "    d_W += h_1.T @ g\n    h_1 *= 2.0\n"),  # changed in place
    ("    g = h_2 * d\n", "    u = h_2.T\n    u[0] = 0.0\n    g = h_2 * d\n"),  # through a view
    ("    g = h_2 * d\n", "    v = h_2\n    np.copyto(v, d)\n    g = h_2 * d\n"),  # a copy's
    ("    g = h_2 * d\n", "    g = h_2 * d\n    h_2.sort()\n"),  # a method that changes it
    ("    g = h_2 * d\n", "    g = h_2 * d\n    look(h_2)\n"),  # a function we know nothing of
    ("    d_W += h_1.T @ g\n", "    d_W += h_1.T @ g\nh_1.__setitem__(0, 0.0)\n"),
    ("h_1 = h0\n", "h_1 = h0\nh0 += 1.0\n"),  # the first value is the caller's array
    ("    d_W += h_1.T @ g\n", "    d_W += h_1.T @ g\nout = (h_1, d_W)\nreturn out\n"),
    ("    tape.append((h_1, h_2))\n    h_1 = h_2\n",
     "    h_1 = h_2\n    tape.append((h_1, h_2))\n"),  # saved after the step: the next row
    ("np.tanh(t11)", "t11"), ("np.tanh(t11)", "np.asarray(t11)"),  # no new array
    ("np.tanh(t11)", "np.tanh(c)"),  # a smaller array: the row is no result of its shape
    ("np.tanh(t11)", "t11 * 1e+300"),  # NumPy 1 may choose a wider dtype for a big number
    ("h_1 = h0\n", ""),  # not bound before the loop
    ("range(n)", "range(m)"),  # a count not known
    ("    h_1 = h_2\n", "    h_1 = h_2\n    if t > 2:\n        break\n"),
    ("for (h_1, h_2)", "tape.pop()\nfor (h_1, h_2)"),  # the tape changed between the sweeps
])
def test_a_carried_value_that_could_be_seen_elsewhere_is_not_put_into_rows(change):
    assert "row_out" in carried(CARRIED)
    assert change[0] in CARRIED
    assert "row_out" not in carried(CARRIED.replace(*change))


def test_a_carried_value_no_product_reads_is_left_per_step():
    args = (rng.normal(size=(3, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=(5, 3)))
    code = fused(checked_source(over_vectors, args, (0, 1, 2)))  # h a vector: outer products
    assert "row_out" not in code and "rows_of" not in code
    code = carried(CARRIED.replace("    d_W += h_1.T @ g\n", "    d_W += g.T @ h_1\n"))
    assert "row_out" not in code and "rows_of" not in code



def test_sharing_follows_copies_and_replays_but_leaves_a_tape_out_of_its_own_replay():
    import gast

    from srcgrad.fused.batched_products import Sharing
    body = gast.parse("def f(h):\n a = h\n tape.append((a,))\n for (b,) in reversed(tape):\n"
                      "  c = b\n other.append((c,))\n for (d,) in reversed(other):\n"
                      "  e = d\n return e\n").body[0].body
    sharing = Sharing(body, lambda name: name == "reversed", "np")
    assert {"tape", "other", "e"} <= sharing.exposed
    assert sharing.unshared({"a", "h"}, "tape")
    assert sharing.unshared({"b"}, "tape")  # its own replay does not tie it to the tape
    assert not sharing.unshared({"b"}, "other")  # another's replay does
    assert not sharing.unshared({"d"}, "other")  # a copy of it is returned
