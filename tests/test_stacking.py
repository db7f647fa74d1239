"""stacking: a loop's per-step products done once over all steps, in the fused grad call.
Generated code AND gradients vs finite differences, on loops where it must fire and where
it must not."""

import ast

import gast
import numpy as np
import pytest

import srcgrad
from srcgrad import stacking
from finite_diff import assert_grads_match, checked_source, fused

rng = np.random.default_rng(3)


def rnn(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


def rnn_args(steps=6, batch=3, n_in=2, n_h=4):
    return (rng.normal(size=(n_in, n_h)), rng.normal(size=(n_h, n_h)) * 0.5,
            rng.normal(size=n_h) * 0.1, rng.normal(size=(steps, batch, n_in)))


def test_rnn_input_products_and_weight_adjoints_are_done_once():
    code = checked_source(rnn, rnn_args(), (0, 1, 2))
    grad = fused(code)
    lines = [line.strip() for line in grad.splitlines()]
    assert "t8_steps = xs @ Wx" in lines and "t8 = t8_steps[t]" in lines
    assert "del t8_steps, t8" in lines  # a row is a view: it would keep the product alive
    assert "d_t11_steps = np.empty((n_steps, 3, 4), dtype=d_b.dtype)" in lines
    assert "d_t11_steps[step] = d_t11" in lines and grad.count("np.empty") == 1  # one stack
    assert "d_b += d_t11_steps.sum(axis=(0, 1))" in lines
    assert ("d_Wx += xs[:n_steps].reshape(n_steps * 3, 2).T @ "
            "d_t11_steps.reshape(n_steps * 3, 4)") in lines
    assert "d_Wh += h_1.T @ d_t9" in lines  # h_1 is no row of an array: stays per step
    assert "d_Wx += t7.T @ d_t8" not in grad and "d_b += d_t11.sum(axis=0)" not in grad
    sweeps = code[:code.index("_grad(")]  # the sweeps forward mode reads stay per step
    assert "_steps" not in sweeps and "d_Wx += t7.T @ d_t8" in sweeps


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
    sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "benchmarks"))
    import workloads
    data = workloads.rnn_data(np.random.default_rng(0))
    args = [data[k] for k in ("Wx", "Wh", "b", "xs")]
    for ours, hand in zip(srcgrad.grad(workloads.rnn_fn, wrt=(0, 1, 2))(*args),
                          workloads.rnn_hand(*args)):
        np.testing.assert_allclose(ours, hand, rtol=1e-10, atol=1e-13)


# --- the rewrite itself, on hand-written fused bodies --------------------------------------

SHAPES = {"xs": (4, 3, 2), "r": (3, 2), "g": (3, 5), "e": (3, 5), "d_W": (2, 5), "d_b": (5,)}


def stacked(text):
    body = gast.parse(text).body
    fresh = iter(range(100))
    body = stacking.stack(body, lambda node: SHAPES.get(getattr(node, "id", None)),
                          lambda node: None, lambda name: name == "range", lambda: "np",
                          lambda base: f"{base}_{next(fresh)}" if base == "step" else base,
                          lambda name: name, lambda name: name in ("len", "range", "reversed"))
    module = gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))
    return ast.unparse(ast.fix_missing_locations(module)).strip()


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
    assert code.count("np.empty") == 1 and "g_steps[step_0] = g" in code
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
    assert code.count("np.empty") == 2 and "e_steps[step_0] = e" in code


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
