"""srcgrad.check.check_grad: srcgrad's gradient against central finite differences."""

import numpy as np
import pytest

from srcgrad import SrcGradError
from srcgrad.check import CheckResult, check_grad


def quadratic(w, b, x):
    return np.sum((x @ w + b) ** 2)


def poly(a, b):
    return 3.0 * a ** 3 - b ** 2 + a * b


def tanh_sum(x):
    return np.sum(np.tanh(x) * x)


def branchy(x, k):
    if np.sum(x) > 0:
        y = x * k
    else:
        y = -x
    return np.sum(y ** 2)


def step(x):
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    return np.sum(x ** 2) + 1.0


def vector(x):
    return x * 2.0


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=3), 0.3, rng.normal(size=(4, 3))


def test_agrees_on_array_and_scalar_arguments(data):
    w, b, x = data
    result = check_grad(quadratic, w, b, x, wrt=("w", "b"), verbose=False)
    assert isinstance(result, CheckResult) and result.ok and result
    assert [a.name for a in result.arguments] == ["w", "b"]
    assert result["w"].shape == (3,) and result["b"].shape == ()
    for argument in result.arguments:
        assert argument.ok
        assert argument.max_abs_err < 1e-6 and argument.max_rel_err < 1e-6
        np.testing.assert_allclose(argument.analytic, argument.numeric, rtol=1e-6, atol=1e-8)


def test_scalar_floats_and_ints_match_the_exact_derivative():
    result = check_grad(poly, 1.5, 2, wrt=(0, 1), verbose=False)
    assert result.ok
    assert result["a"].analytic == pytest.approx(9 * 1.5 ** 2 + 2)
    assert result["b"].analytic == pytest.approx(-2 * 2 + 1.5)
    assert result["a"].analytic.dtype == np.float64


def test_float32_inputs_are_checked_in_float64():
    x = np.linspace(-1, 1, 5, dtype=np.float32)
    result = check_grad(tanh_sum, x, verbose=False)
    assert result.ok
    assert result["x"].analytic.dtype == np.float64 and result["x"].numeric.dtype == np.float64
    assert x.dtype == np.float32  # the caller's array is left alone


def test_inputs_are_not_modified(data):
    w, b, x = data
    before = (w.copy(), x.copy())
    check_grad(quadratic, w, b, x, wrt=(0, 2), verbose=False)
    np.testing.assert_array_equal(w, before[0])
    np.testing.assert_array_equal(x, before[1])


def test_keyword_arguments_and_branches():
    x = np.array([0.5, -0.2, 0.4])
    result = check_grad(branchy, x, k=1.5, wrt=("x", "k"), verbose=False)
    assert result.ok and [a.name for a in result.arguments] == ["x", "k"]


def test_a_discontinuity_is_reported_as_a_mismatch():
    result = check_grad(step, np.zeros(3))
    assert not result.ok and not result
    assert not result["x"].ok and result["x"].max_abs_err > 1e3
    assert "NO" in str(result) and "MISMATCH" in str(result)


def test_printing_the_result_prints_its_table_once(capsys, data):
    w, b, x = data
    print(check_grad(quadratic, w, b, x, wrt=("w", "b")))
    assert capsys.readouterr().out.count("argument | shape") == 1
    assert repr(check_grad(quadratic, w, b, x)) == str(check_grad(quadratic, w, b, x))


def test_tolerances_decide(data):
    x = data[0]
    assert check_grad(tanh_sum, x, verbose=False).ok
    assert not check_grad(tanh_sum, x, rtol=0.0, atol=0.0, verbose=False).ok


def test_verbose_false_prints_nothing(capsys, data):
    w, b, x = data
    check_grad(quadratic, w, b, x, verbose=False)
    assert capsys.readouterr().out == ""


def test_verbose_prints_a_table(capsys, data):
    w, b, x = data
    result = check_grad(quadratic, w, b, x, wrt=("w", "b"), verbose=True)
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("argument"))
    assert [c.strip() for c in lines[header].split("|")] == [
        "argument", "shape", "max abs err", "max rel err", "ok"]
    rows = [[c.strip() for c in line.split("|")] for line in lines[header + 2:header + 4]]
    assert [r[0] for r in rows] == ["w", "b"]
    assert [r[1] for r in rows] == ["(3,)", "()"]
    assert [r[4] for r in rows] == ["yes", "yes"]
    assert str(result) == "\n".join(lines)


def test_errors_are_srcgrad_errors():
    with pytest.raises(SrcGradError, match="cannot call"):
        check_grad(quadratic, np.ones(3), verbose=False)
    with pytest.raises(SrcGradError, match="not an argument"):
        check_grad(poly, 1.0, 2.0, wrt="c", verbose=False)
    with pytest.raises(SrcGradError, match="real scalar"):
        check_grad(vector, np.ones(2), verbose=False)
    with pytest.raises(SrcGradError, match="boolean"):
        check_grad(poly, True, 1.0, verbose=False)
