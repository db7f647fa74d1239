"""number_folding.py: numbers the user's function computes from numbers it sets (`a = 3.0;
c = a - 1.0`) are computed while generating, operands in their order. Each operation
below gives another number with its operands swapped, so a fold that swapped them (or
folded `**`, `//`, `%`, which it leaves to the call) gives a wrong value and gradient:
checked against the function run plainly (to the last bit) and finite differences."""

import ast

import gast
import numpy as np
import pytest
from finite_diff import assert_grads_match, fused
from pass_bodies import fused_context

import srcgrad
from srcgrad.fused import number_folding

X = np.array([0.5, -1.25, 2.0])


def minus_one(x):
    a = 3.0
    c = a - 1.0
    return np.sum(c * x * x) + c


def one_minus(x):
    a = 3.0
    c = 1.0 - a
    return np.sum(c * x * x) + c


def halved(x):
    a = 3.0
    c = a / 2.0
    return np.sum(c * x * x) + c


def two_over(x):
    a = 3.0
    c = 2.0 / a
    return np.sum(c * x * x) + c


def squared(x):
    a = 3.0
    c = a ** 2
    return np.sum(c * x * x) + c


def two_to_the(x):
    a = 3.0
    c = 2 ** a
    return np.sum(c * x * x) + c


def floor_halved(x):
    a = 3.0
    c = a // 2
    return np.sum(c * x * x) + c


def modulo(x):
    a = 3.0
    c = a % 2
    return np.sum(c * x * x) + c


def chained(x):
    n = 7
    k = n // 2 - n % 4  # integers: 3 - 3
    c = (n - 2.5) / (k + 2) - 1.0 / n
    return np.sum(c * x * x) + c


@pytest.mark.parametrize("f, c", [(minus_one, 2.0), (one_minus, -2.0), (halved, 1.5),
                                  (two_over, 2.0 / 3.0), (squared, 9.0), (two_to_the, 8.0),
                                  (floor_halved, 1.0), (modulo, 1.0),
                                  (chained, 4.5 / 2 - 1.0 / 7)])
def test_numbers_of_the_function_keep_their_order(f, c):
    value, grad = srcgrad.value_and_grad(f)(X)
    assert value == f(X)  # the same operations, to the last bit
    np.testing.assert_allclose(grad, 2 * c * X, rtol=1e-15)
    assert_grads_match(f, (grad,), (X,), (0,))


@pytest.mark.parametrize("f, number", [(minus_one, "2.0"), (one_minus, "-2.0"), (halved, "1.5"),
                                       (two_over, "0.6666666666666666")])
def test_the_four_operations_are_folded(f, number):
    code = fused(srcgrad.grad(f).source_for(X))
    assert f"{number} * " in code or f"* {number}" in code, code


def numbers(text):
    body, ctx = fused_context(text, params=())
    body = number_folding.run(body, ctx)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))).strip()


def test_operands_keep_their_order_in_the_generated_code():
    assert numbers("a = 3.0\nc = a - 1.0\nr = c * t") == "r = 2.0 * t"
    assert numbers("a = 3.0\nc = 1.0 - a\nr = c * t") == "r = -2.0 * t"
    assert numbers("a = 3.0\nc = a / 2.0\nr = c * t") == "r = 1.5 * t"
    assert numbers("a = 3.0\nc = 2.0 / a\nr = c * t").startswith("r = 0.6666666666666666 * t")
    for op in ("**", "//", "%"):  # not correctly rounded (or not + - * /): left to the call
        for text in (f"a = 3.0\nc = a {op} 2\nr = c * t", f"a = 3.0\nc = 2 {op} a\nr = c * t"):
            assert numbers(text) == text.replace("a = 3.0\n", "").replace(
                "c = a", "c = 3.0").replace(f"{op} a", f"{op} 3.0"), text
