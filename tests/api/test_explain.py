"""srcgrad.explain: the value, the code, finite differences, unreached inputs, and the
user's lines that make the gradient zero or not finite (tests/data/explain_example.py)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError, explain

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "data"))
import explain_example as ex  # noqa: E402

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "explain_example.py")


def line_of(text):
    with open(EXAMPLE, encoding="utf-8") as fh:
        return next(i for i, line in enumerate(fh, 1) if text in line)


def test_relu_dead_units_and_an_input_that_never_reaches_the_result(capsys):
    W = np.array([[1.0, -1.0], [0.5, 0.2], [-1.0, -1.0]])
    x = np.array([1.0, 2.0])
    e = explain(ex.relu_layer, W, x, 3.0)
    printed = capsys.readouterr().out
    assert printed.strip() == str(e).strip()
    assert e.value == 2 * 0.9 and e.wrt == ("W", "x", "unused")
    assert e.unreached == ["unused"]
    assert e.check.ok
    [dead] = e.zero
    assert dead.line == line_of("h = np.maximum") and dead.adjoint == "d_z"
    assert (dead.entries, dead.size) == (2, 3)
    assert not e.not_finite
    assert [g.zero for g in e.gradients] == [4, 0, 1]
    assert "# line %d: h = np.maximum(z, 0.0)" % line_of("h = np.maximum") in e.source
    assert e.source.lstrip().startswith("def relu_layer_grad")
    assert "never reach the result" in printed and "unused" in printed


def test_log_at_zero_is_named(quiet):
    e = explain(ex.log_at_zero, np.array([0.0, 1.0, 2.0]), verbose=False)
    [bad] = e.not_finite
    assert bad.line == line_of("y = np.log(x)") and (bad.entries, bad.size) == (1, 3)
    assert e.gradients[0].not_finite == 1
    assert not e.check.ok  # the function is -inf at 0: finite differences fail there


def test_sqrt_at_zero_names_its_line_and_the_constant_input_is_not_flagged(quiet):
    e = explain(ex.sqrt_at_zero, np.array([0.0, 1.0, -2.0]), 0.0, verbose=False)
    assert [(f.kind, f.line) for f in e.findings] == [("not finite", line_of("np.sqrt"))]
    assert e.unreached == []
    e = explain(ex.sqrt_at_zero, np.array([0.5, 1.0, -2.0]), 0.0, verbose=False)
    assert e.findings == [] and e.check.ok and "nowhere" in e.report()


def test_zeros_inside_a_loop_are_counted_once_per_line():
    e = explain(ex.clipped, np.array([0.2, 0.7, -3.0]), verbose=False)
    assert e.wrt == ("x",)  # limit is a default, not given: not differentiated
    [flat] = e.zero
    assert flat.line == line_of("np.clip") and flat.times >= 1
    assert e.gradients[0].zero == 1  # -3.0: clipped at every k > 0 (and k = 0 gives 0)
    assert e.check.ok


def test_wrt_given_and_integer_arguments_become_floats():
    e = explain(ex.smooth, np.array([1, 2]), 0.5, wrt="w", verbose=False)
    np.testing.assert_allclose(e.gradients[0].gradient, 0.5 / np.cosh([1.0, 2.0]) ** 2)
    assert e.check.ok and e.findings == []


def test_nothing_to_differentiate_is_refused():
    with pytest.raises(SrcGradError, match="wrt="):
        explain(ex.smooth, [1, 2])


def test_the_command_line():
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(srcgrad.__file__)))
    proc = subprocess.run(
        [sys.executable, "-m", "srcgrad", "explain", f"{EXAMPLE}:relu_layer", "--args",
         "np.array([[1.0, -1.0], [0.5, 0.2], [-1.0, -1.0]]), np.array([1.0, 2.0]), 3.0"],
        capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"line {line_of('h = np.maximum')}: h = np.maximum(z, 0.0)" in proc.stdout
    assert "gradient OK" in proc.stdout


def test_the_command_in_process(capsys, quiet):
    from srcgrad.cli import main
    assert main(["explain", f"{EXAMPLE}:smooth"]) == 0  # w: 3 example floats, b its default
    assert "explain smooth (wrt w, b)" in capsys.readouterr().out
    assert main(["explain", f"{EXAMPLE}:log_at_zero", "--args", "np.array([0.0, 1.0])"]) == 1
    assert "not finite" in capsys.readouterr().out
    assert main(["explain", f"{EXAMPLE}:corner"]) == 2  # A[0, 0] of a 1-d example array
    assert "pass its arguments with --args" in capsys.readouterr().err
