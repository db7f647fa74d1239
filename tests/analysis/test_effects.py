"""effects.py: which expressions make a new array, and which write into none."""

import gast
import pytest

from srcgrad.analysis import effects


def expr(text):
    return gast.parse(text).body[0].value


@pytest.mark.parametrize("value, new", [
    ("np.exp(x)", True), ("np.cosh(x)", True), ("x * y", True), ("-x", True),
    ("x.sum()", True), ("x.copy()", True), ("zeros_like(x)", True),
    ("np.exp(x, out=x)", False), ("np.tanh(t, out=steps[k])", False),
    ("np.asarray(x)", False), ("x.reshape(2, 3)", False), ("x", False), ("x[0]", False),
    ("helper_backward(d, x)", False)])
def test_a_new_array(value, new):
    assert effects.makes_new(expr(value)) is new


@pytest.mark.parametrize("value, new", [
    ("np.exp(x)", True), ("x.sum()", True), ("math.exp(x)", False), ("exp(x)", False),
    ("zeros_like(x)", False)])
def test_with_numpy_named_only_numpy_functions_count(value, new):
    assert effects.makes_new(expr(value), "np") is new


@pytest.mark.parametrize("value, pure", [
    ("a * np.tanh(b) + c.T", True), ("x.reshape(2, 3).sum(axis=0)", True), ("h[t + 1]", True),
    ("np.multiply(a, b, out=a)", False), ("helper_backward(d, x)", False),
    ("xs.append(x)", False), ("np.add.at(d, i, v)", False), ("[v for v in xs]", False)])
def test_writes_nothing(value, pure):
    assert effects.writes_nothing(expr(value)) is pure
