"""common_subexpressions: the same pure expression of the same values is computed once
in the fused gradient, across the user's lines and the two sweeps; an expression that
could give another value is computed each time. Gradients checked against finite
differences."""

import types

import gast
import numpy as np
from finite_diff import checked_source, fused, uncommented

from srcgrad.fused import common_subexpressions


def twice(x):
    return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))


def test_the_same_expression_on_two_lines_is_computed_once():
    code = uncommented(fused(checked_source(twice, (np.linspace(-1.5, 1.5, 7),), (0,))))
    assert code.count("x ** 2") == 1
    assert "log1p" not in code  # its value: only the value needs it


def products(W, X):
    a = np.tanh(X @ W)
    b = np.cos(X @ W)
    return np.sum(a * b)


def test_a_product_repeated_is_computed_once():
    rng = np.random.default_rng(0)
    code = uncommented(fused(checked_source(products, (rng.standard_normal((3, 2)),
                                                       rng.standard_normal((4, 3))), (0,))))
    assert code.count("X @ W") == 1


def test_only_what_gives_equal_values_for_equal_operands_is_shared():
    ctx = types.SimpleNamespace(numpy="np", unit=types.SimpleNamespace(code_names={}))

    def pure(text):
        return common_subexpressions._pure(gast.parse(text).body[0].value, ctx)
    assert pure("np.exp(x)") and pure("x * y") and pure("X @ W") and pure("x.sum(axis=0)")
    assert not pure("np.random.rand(3)")  # a draw: another value each time
    assert not pure("np.empty(3)") and not pure("np.zeros(3)")  # arrays to write into
    assert not pure("np.exp(x, out=y)") and not pure("f(x)")


def grows(x):
    h = x * 2.0
    h = h + 1.0
    k = x * 2.0
    return np.sum(h * k)


def test_a_name_bound_again_is_read_as_it_is_at_each_line():
    checked_source(grows, (np.linspace(0.1, 1.0, 4),), (0,))
