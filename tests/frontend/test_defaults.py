"""Default values of parameters: generated code takes them from the user's function
object, never by evaluating the default expressions again (`num=num` names a variable
of an enclosing function), and changing them (`f.__defaults__ = ...`, the keyword-only
`__kwdefaults__` too) rebuilds the code that holds them: the function's own, and that of
a helper written out in place with its default read as a constant (inline.py)."""

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import grad, value_and_grad
from srcgrad.api import MAX_VARIANTS

X = np.array([1.0, 2.0, 3.0])


def make_scaled():
    num = 3

    def fun(x, y, num=num):
        return x * y * num
    return fun


def make_keyword_scaled():
    power = 3.0

    def fun(x, *, power=power):
        return x ** power
    return fun


def test_a_default_taken_from_an_enclosing_scope():
    fun = make_scaled()
    assert grad(fun)(1.0, 2.0) == 6.0
    assert grad(fun, wrt=(0, 1))(1.0, 2.0) == (6.0, 3.0)
    assert value_and_grad(fun)(1.0, 2.0) == (6.0, 6.0)
    assert srcgrad.jvp(fun)(1.0, 2.0, tangent=1.0) == (6.0, 6.0)
    assert srcgrad.hessian(fun, wrt=(0, 1))(1.0, 2.0) == ((0.0, 3.0), (3.0, 0.0))
    assert grad(make_keyword_scaled())(2.0) == 12.0


def test_the_generated_signature_shows_the_default_value():
    assert "def fun_forward(x, y, num=3):" in grad(make_scaled()).source


def scaled_sum(x, c=1.0):
    return np.sum(x * c)


@pytest.mark.parametrize("make", [grad, value_and_grad])
def test_changed_defaults_are_read_by_old_and_new_gradients(make):
    def gradient(g):
        out = g(X)
        return out[1] if make is value_and_grad else out
    old = make(scaled_sum)
    try:
        np.testing.assert_array_equal(gradient(old), np.ones(3))
        np.testing.assert_array_equal(gradient(old), np.ones(3))  # through the entry
        scaled_sum.__defaults__ = (2.0,)
        np.testing.assert_array_equal(gradient(old), np.full(3, 2.0))
        np.testing.assert_array_equal(gradient(old), np.full(3, 2.0))
        np.testing.assert_array_equal(gradient(make(scaled_sum)), np.full(3, 2.0))
    finally:
        scaled_sum.__defaults__ = (1.0,)
    np.testing.assert_array_equal(gradient(old), np.ones(3))


def test_changed_defaults_in_the_general_code():
    g = grad(scaled_sum)
    for n in range(MAX_VARIANTS):  # every further shape runs the general code
        g(np.ones(n + 1))
    try:
        scaled_sum.__defaults__ = (3.0,)
        np.testing.assert_array_equal(g(np.ones(MAX_VARIANTS + 1)),
                                      np.full(MAX_VARIANTS + 1, 3.0))
        assert "def scaled_sum_forward(x, c=3.0):" in g.source
    finally:
        scaled_sum.__defaults__ = (1.0,)


def keyword_scaled(x, *, c=1.0):
    return np.sum(x * c)


def test_changed_keyword_only_defaults_even_in_place():
    g = grad(keyword_scaled)
    np.testing.assert_array_equal(g(X), np.ones(3))
    np.testing.assert_array_equal(g(X), np.ones(3))
    try:
        keyword_scaled.__kwdefaults__["c"] = 2.0  # the same dict, changed
        np.testing.assert_array_equal(g(X), np.full(3, 2.0))
        keyword_scaled.__kwdefaults__ = {"c": 4.0}
        np.testing.assert_array_equal(g(X), np.full(3, 4.0))
        np.testing.assert_array_equal(grad(keyword_scaled)(X), np.full(3, 4.0))
    finally:
        keyword_scaled.__kwdefaults__ = {"c": 1.0}


def stretched(z, factor=2.0):
    return z * factor


def stretched_total(x):
    return np.sum(stretched(x) ** 2)


def test_a_helper_written_out_with_its_default_is_rebuilt_when_it_changes():
    g = grad(stretched_total)
    code = [line for line in g.source_for(X).splitlines() if not line.strip().startswith("#")]
    assert "factor" not in "\n".join(code)  # written out, the default read as a constant
    np.testing.assert_allclose(g(X), 8.0 * X)
    np.testing.assert_allclose(g(X), 8.0 * X)
    try:
        stretched.__defaults__ = (3.0,)
        np.testing.assert_allclose(g(X), 18.0 * X)
        np.testing.assert_allclose(grad(stretched_total)(X), 18.0 * X)
        assert_grads_match(stretched_total, (g(X),), (X,), (0,))
    finally:
        stretched.__defaults__ = (2.0,)


def test_a_called_helper_is_rebuilt_when_its_default_changes():
    g = grad(stretched_total)
    general = g.source  # the general code calls the helper's forward and backward sweeps
    assert "stretched_forward" in general
    np.testing.assert_allclose(g.general().forward(X)[0], np.sum((2.0 * X) ** 2))
    try:
        stretched.__defaults__ = (3.0,)
        assert not g.general().current()
        np.testing.assert_allclose(srcgrad.pipeline.compiled(stretched_total, ("x",)).forward(X)[0],
                                   np.sum((3.0 * X) ** 2))
    finally:
        stretched.__defaults__ = (2.0,)


def test_second_order_reads_changed_defaults():
    def cubic(x, c=1.0):
        return np.sum(c * x ** 3)
    h = srcgrad.hessian(cubic)
    np.testing.assert_allclose(h(X), np.diag(6.0 * X))
    cubic.__defaults__ = (2.0,)
    np.testing.assert_allclose(h(X), np.diag(12.0 * X))
    np.testing.assert_allclose(srcgrad.hessian(cubic)(X), np.diag(12.0 * X))


def test_unchanged_defaults_keep_the_code():
    g = grad(scaled_sum)
    g(X)
    generated = g._variants[next(iter(g._variants))]
    scaled_sum.__defaults__ = scaled_sum.__defaults__  # the same tuple
    g(X)
    assert g._variants[next(iter(g._variants))] is generated
