"""Run every script in examples/ as a user would, and check the numbers it prints.

Each example runs in a subprocess (`python examples/NAME.py`, cwd = the repository root)
in quick mode (SRCGRAD_QUICK=1). linear_regression, logistic_regression and mlp_digits
also run in full (a few seconds each) to check the results their docstrings promise.
Assertions are on printed results (fitted parameters, gradients, accuracies), not only
on the exit code.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FLOAT = r"([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"


def run_example(name, *args, quick=True, python_code=None):
    """stdout of `python examples/<name>.py args...`; fails the test on a non-zero exit."""
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("SRCGRAD_QUICK", None)
    if quick:
        env["SRCGRAD_QUICK"] = "1"
    script = str(EXAMPLES / f"{name}.py")
    command = [sys.executable, script, *args]
    if python_code is not None:  # run the script after some set-up code, via runpy
        command = [sys.executable, "-c", python_code, script, *args]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (
        f"{name}.py exited with {proc.returncode}\n--- stdout\n{proc.stdout}\n"
        f"--- stderr\n{proc.stderr}")
    return proc.stdout


def numbers(pattern, text):
    """All matches of `pattern` (FLOAT groups) in `text`, as tuples of floats."""
    found = re.findall(pattern, text)
    assert found, f"no line matches {pattern!r} in:\n{text}"
    return [tuple(map(float, m)) if isinstance(m, tuple) else (float(m),) for m in found]


def last(pattern, text):
    values = numbers(pattern, text)[-1]
    return values if len(values) > 1 else values[0]


# Without scikit-learn the digits examples print how to install it and exit 0.
WITHOUT_SKLEARN = ("import runpy, sys; sys.modules['sklearn'] = None; "
                   "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")


# --- linear_regression --------------------------------------------------------------


def test_linear_regression_quick():
    out = run_example("linear_regression")
    w, b = last(rf"final: w = {FLOAT}, b = {FLOAT}", out)
    assert w == pytest.approx(2.0, abs=0.1) and b == pytest.approx(1.0, abs=0.1)
    w_ls, b_ls = last(rf"least squares:\s+w = {FLOAT}, b = {FLOAT}", out)
    assert w == pytest.approx(w_ls, abs=0.05) and b == pytest.approx(b_ls, abs=0.05)
    losses = [v[1] for v in numbers(rf"step\s+{FLOAT}\s+loss {FLOAT}", out)]
    assert len(losses) >= 3 and losses == sorted(losses, reverse=True)
    assert "def mse_backward" not in out  # the source only with --show-source


def test_linear_regression_full_reaches_least_squares():
    out = run_example("linear_regression", quick=False)
    steps = [int(v[0]) for v in numbers(rf"step\s+{FLOAT}\s+loss", out)]
    assert steps == list(range(0, 1001, 100))  # the loss every 100 steps
    w, b = last(rf"final: w = {FLOAT}, b = {FLOAT}", out)
    w_ls, b_ls = last(rf"least squares:\s+w = {FLOAT}, b = {FLOAT}", out)
    assert (w, b) == pytest.approx((w_ls, b_ls), abs=1e-3)
    assert (w, b) == pytest.approx((2.0, 1.0), abs=0.05)


def test_linear_regression_show_source():
    out = run_example("linear_regression", "--show-source")
    assert "def mse_forward(w, b, x, y):" in out
    assert "def mse_backward(" in out and "return (d_w, d_b)" in out


# --- sigmoid_neuron -------------------------------------------------------------------


def test_sigmoid_neuron():
    out = run_example("sigmoid_neuron")
    # the walk-through's z = w*x + b at x=30, w=40, b=50
    assert last(rf"dz/dw = {FLOAT} \(= x\), dz/db = {FLOAT}", out) == (30.0, 1.0)
    assert "def neuron_loss_backward(" in out
    hand = last(rf"chain rule by hand: dL/dw = {FLOAT}, dL/db = {FLOAT}", out)
    generated = last(rf"generated gradient: dL/dw = {FLOAT}, dL/db = {FLOAT}", out)
    assert generated == pytest.approx(hand, rel=1e-10, abs=1e-12)
    assert hand[0] < 0 and hand[1] < 0  # the sample's target is above the prediction
    w, b = last(rf"final: w = {FLOAT}, b = {FLOAT}", out)
    assert (w, b) == pytest.approx((2.0, -1.0), abs=0.05)  # the teacher neuron


# --- control_flow ---------------------------------------------------------------------


def test_control_flow_only_the_taken_branch_contributes():
    out = run_example("control_flow")
    forward, _, backward = out.partition("def nonsense_loss_backward(")
    assert "if cond:" in forward and "if cond:" in backward
    points = re.findall(rf"w = {FLOAT}, b = {FLOAT}: loss = {FLOAT}, branch (TAKEN|NOT taken)", out)
    assert [branch for *_, branch in points] == ["TAKEN", "NOT taken"]
    grads = {kind: numbers(rf"{kind}:\s+dL/dw = {FLOAT}\s+dL/db = {FLOAT}", out)
             for kind in ("generated", "by hand", "finite differences")}
    # the example's data, rebuilt here: the expected gradient includes the extra term's
    # -mean(x) in dL/dw exactly when its branch ran
    rng = np.random.default_rng(42)
    x = rng.random(100)
    y = 1 + 2 * x + 0.1 * rng.standard_normal(100)
    for i, (w, b, _, branch) in enumerate(points):
        error = y - (float(b) + float(w) * x)
        expected = (-2 * np.mean(error * x) - (np.mean(x) if branch == "TAKEN" else 0.0),
                    -2 * np.mean(error))
        assert grads["generated"][i] == pytest.approx(expected, abs=2e-6)
        assert grads["by hand"][i] == pytest.approx(expected, abs=2e-6)
        assert grads["finite differences"][i] == pytest.approx(expected, abs=2e-5)
    mse = last(rf"after \d+ steps: w = {FLOAT}, b = {FLOAT}, mse = {FLOAT}", out)[2]
    assert mse < 0.05


# --- logistic_regression --------------------------------------------------------------


def test_logistic_regression_quick():
    pytest.importorskip("sklearn")
    out = run_example("logistic_regression")
    assert last(rf"train accuracy: {FLOAT}", out) >= 0.95
    assert last(rf"test accuracy: {FLOAT}", out) >= 0.93
    losses = [v[1] for v in numbers(rf"step\s+{FLOAT}\s+loss {FLOAT}", out)]
    assert losses[0] == pytest.approx(2.3026, abs=1e-3)  # log(10): W = 0, b = 0
    assert losses == sorted(losses, reverse=True)


def test_logistic_regression_full():
    pytest.importorskip("sklearn")
    out = run_example("logistic_regression", quick=False)
    assert last(rf"test accuracy: {FLOAT}", out) >= 0.95


# --- mlp_digits -----------------------------------------------------------------------


def test_mlp_digits_quick():
    pytest.importorskip("sklearn")
    out = run_example("mlp_digits")
    epoch_losses = [v[1] for v in numbers(rf"epoch\s+{FLOAT}\s+mean training loss {FLOAT}", out)]
    assert len(epoch_losses) == 4 and epoch_losses == sorted(epoch_losses, reverse=True)
    assert last(rf"test accuracy: {FLOAT}", out) >= 0.90


def test_mlp_digits_full_reaches_95_percent(tmp_path):
    pytest.importorskip("sklearn")
    plot = tmp_path / "loss.png"
    out = run_example("mlp_digits", "--plot", str(plot), quick=False)
    assert last(rf"train accuracy: {FLOAT}", out) >= 0.98
    assert last(rf"test accuracy: {FLOAT}", out) >= 0.95
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in out and not plot.exists()
    else:
        assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["logistic_regression", "mlp_digits"])
def test_digits_examples_without_sklearn(name):
    out = run_example(name, python_code=WITHOUT_SKLEARN)
    assert "needs scikit-learn" in out and "pip install scikit-learn" in out


def test_spring_fit_recovers_stiffness_and_damping_through_the_loop():
    out = run_example("spring_fit")
    k, c = last(r"final: k = ([-\d.]+), c = ([-\d.]+)", out)
    assert abs(k - 4.0) < 0.02 and abs(c - 0.3) < 0.01
    assert "in reversed(tape)" in run_example("spring_fit", "--show-source")


# --- newton_fit ---------------------------------------------------------------------


@pytest.mark.parametrize("quick", [True, False])
def test_newton_fit_converges_in_a_few_steps_both_ways(quick):
    out = run_example("newton_fit", quick=quick)
    steps, value, norm = numbers(r"Newton \(hessian\): (\d+) steps, loss " + FLOAT
                                 + r", \|gradient\| " + FLOAT, out)[0]
    steps_cg, value_cg, norm_cg = numbers(r"Newton-CG \(hvp\): +(\d+) steps, loss " + FLOAT
                                          + r", \|gradient\| " + FLOAT, out)[0]
    assert steps <= 8 and steps_cg <= 8
    assert norm < 1e-10 and norm_cg < 1e-10
    assert value == value_cg
    assert last(r"max \|w_newton - w_cg\| = " + FLOAT, out) < 1e-9
    fitted = np.array(numbers(r"fitted w:" + r"\s+" .join([""] + [FLOAT] * 5), out)[0])
    true = np.array([1.5, -2.0, 0.5, 1.0, -0.3])
    assert np.max(np.abs(fitted - true)) < (0.35 if quick else 0.2)


# --- ode_fit ------------------------------------------------------------------------


def test_ode_fit_recovers_the_rates_with_adjoint_gradients():
    out = run_example("ode_fit")
    start, = numbers(r"start: loss " + FLOAT, out)[0]
    end, = numbers(r"loss " + FLOAT + r"\n", out)[-1]
    assert end < start / 100
    assert last(r"worst relative error of the rates: " + FLOAT, out) < 0.15
