"""slopes: a step's adjoint `A * E`, E arithmetic of the tape's rows, goes into its row of
the stack with E made for all steps at once; on statements parsed from source (the
gradients through it are checked in test_loop_batching, against finite differences)."""

import ast
import contextlib
import math

import gast
import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad.fused import step_factors
from srcgrad.rules import facts


def _statements(text):
    return gast.parse(text).body


SLOPE = "d_h_2 = d_h_1\nd_t11 = d_h_2 * (1 - h_2 * h_2)\nd_b += d_t11.sum(axis=0)\n"


@pytest.mark.parametrize("extra, found", [
    ("", True), ("d_c += 1.0\n", False), ("e = np.add(d_h_2, 1, out=d_h_2)\n", False),
    ("e = f(d_t11)\n", False), ("d_t11[0] = 0.0\n", False), ("e = d_t11.sum()\n", True)])
def test_a_step_adjoint_becomes_a_row_of_its_stack_only_if_nothing_writes(extra, found):
    stmts = _statements(SLOPE + extra)
    got = step_factors.slope_factor(stmts, 2, "d_t11", {"h_2": ("buf", 1)}, {2}, "np")
    assert (got is not None) == found
    if found:
        j, other, factor, left = got
        assert (j, other.id, gast.unparse(factor).strip(), left) == (
            1, "d_h_2", "1 - h_2 * h_2", True)


@pytest.mark.parametrize("factor, found", [
    ("1 - h_2 * h_2", True), ("h_2 * (1.0 - h_2) / 2", True), ("-h_2", True),
    ("1 - h_2 * W", False), ("np.exp(h_2)", False), ("h_2 ** 2", False), ("2.0 * 3.0", False)])
def test_only_correctly_rounded_arithmetic_of_rows_is_done_for_all_steps(factor, found):
    node = gast.parse(factor).body[0].value
    assert step_factors._of_rows(node, {"h_2": ("buf", 1)}) == found


def test_the_stack_is_computed_one_operation_after_another_into_itself():
    def chain(text):
        stmts = step_factors._chain("S", gast.parse(text).body[0].value, "np")
        return [ast.unparse(ast.fix_missing_locations(gast.gast_to_ast(s))).strip()
                for s in stmts]
    assert chain("1 - r * r") == ["S = np.multiply(r, r)", "S = np.subtract(1, S, out=S)"]
    assert chain("-(r * 2)") == ["S = np.multiply(r, 2)", "S = np.negative(S, out=S)"]
    assert chain("r * r - r * 3") == ["S = r * r - r * 3"]  # two operations: as it is


def one_step_adjoint_used_twice(Wh, Wy, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + np.sinh(xs[t] @ Wy) + b)
    return np.sum(h * h)


def two_stacks_of_one_step_adjoint(Wh, Wy, b, xs):  # the same, transformed apart
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ Wh + np.sinh(xs[t] @ Wy) + b)
    return np.sum(h * h)


@pytest.mark.parametrize("cosh_known, fn, stacks", [
    (True, one_step_adjoint_used_twice, 2), (False, two_stacks_of_one_step_adjoint, 3)])
def test_a_step_adjoint_in_two_stacks_is_computed_into_one_of_them_only(cosh_known, fn, stacks):
    # np.cosh between the step adjoint's two uses: with cosh known to write nothing they
    # share one stack; without (as before the facts), two stacks of one array, and
    # both must hold it (each once rewrote its statement into its own rows). The copies
    # that made two names of it are kept (copy_propagation now removes those in loops).
    with contextlib.ExitStack() as stack:
        if not cosh_known:
            stack.enter_context(facts.overridden(np.cosh, math.cosh, makes_new=False,
                                                 writes_none=False))
            stack.enter_context(srcgrad.pipeline.skipping("copy_propagation"))
        check_two_stacks(fn, stacks)


def check_two_stacks(fn, stacks):
    rng = np.random.default_rng(7)
    args = (rng.standard_normal((6, 6)) * 0.5, rng.standard_normal((4, 6)) * 0.3,
            rng.standard_normal(6) * 0.1, rng.standard_normal((5, 3, 4)))
    g = srcgrad.grad(fn, wrt=(0, 1, 2))
    assert_grads_match(fn, g(*args), args, (0, 1, 2))
    source = g.source_for(*args)
    grad_code = source[source.index("_grad("):]
    assert "multiplies in each step" in grad_code
    assert grad_code.count("_steps = np.empty") == stacks
