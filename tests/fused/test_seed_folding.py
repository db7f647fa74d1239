"""seedfold: the fused gradient multiplies by the seed 1.0 nowhere.
Generated code AND gradients vs finite differences."""

import ast

import gast
import numpy as np
import pytest
from finite_diff import checked_source, fused
from pass_bodies import fused_context

import srcgrad
from srcgrad.fused import number_folding, seed_folding

pytestmark = pytest.mark.usefixtures("runtime_dtype_checks")


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def scaled(x, n):
    t = n * 2  # integers: 1.0 * t is a new float array
    return np.sum(np.sin(x) * t)


def scaled_float(x, n):
    t = n * 2.0
    return np.sum(np.sin(x) * t)


def test_products_with_the_seed_are_gone():
    code = fused(checked_source(elementwise, (np.linspace(-1, 1, 7),), (0,)))
    assert "d_t5" not in code and "d_t1" not in code and "d_t4" not in code
    assert "d_t3 = t1 * t4" in code and "d_x += t4 * np.cos(x)" in code
    code = fused(checked_source(scaled, (np.linspace(-1, 1, 5), np.arange(5)), (0,)))
    assert "d_t1 = 1.0 * t" in code  # t is no float array: kept
    code = fused(checked_source(scaled_float, (np.linspace(-1, 1, 5), np.arange(5)), (0,)))
    assert "d_x = t * np.cos(x)" in code


def folded(text, arrays=("t", "u")):
    body, ctx = fused_context(text, shapes={a: (5,) for a in arrays}, default=())
    body = seed_folding.run(body, ctx)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))).strip()


def test_only_float_arrays_bound_once_are_folded():
    assert folded("t = np.exp(x)\nseed = 1.0\nd = seed\ne = d * t\nr = e + 1\nreturn r") == (
        "t = np.exp(x)\nseed = 1.0\nr = t + 1\nreturn r")
    assert folded("t = x * 2.0\nseed = 1.0\ne = t * seed\nr = e / 2\nreturn r") == (
        "t = x * 2.0\nseed = 1.0\nr = t / 2\nreturn r")
    kept = [
        "t = x * 2\nseed = 1.0\ne = seed * t\nr = e + 1\nreturn r",  # integers maybe
        "t = np.exp(x)\nseed = 1.0\ne = seed * t\ne += 1\nr = e\nreturn r",  # updated
        "t = np.exp(x)\nt += 1\nseed = 1.0\ne = seed * t\nr = e\nreturn r",  # t updated
        "t = np.exp(x)\nseed = 1.0\nr = seed * t\nreturn r",  # returned: its own array
        "v = np.exp(x)\nseed = 1.0\ne = seed * v\nr = e + 1\nreturn r",  # maybe a number
        "t = np.exp(x)\nseed = 2.0\ne = seed * t\nr = e + 1\nreturn r",  # not the seed 1.0
        "t = np.exp(x)\nseed = 1.0\ne = seed + t\nr = e + 1\nreturn r",  # not a product
    ]
    for text in kept:
        assert folded(text, arrays=("t",)) == text


def numbers(text):
    body, ctx = fused_context(text, params=())
    body = number_folding.run(body, ctx)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))).strip()


def test_the_numbers_made_from_the_seed_are_computed_while_generating():
    assert numbers("seed = 1.0\nd = seed / 1000\ne = d\nf = -d\n"
                   "r = np.multiply(e * 0.5, t) + f * y") == (
        "seed = 1.0\nr = np.multiply(0.0005, t) + -0.001 * y")
    assert numbers("n = 3\nm = n * 4\nr = m * t * 2") == "r = 12 * t * 2"  # (12 * t) * 2
    assert numbers("seed = 1.0\nif c:\n    d = seed * 2\nr = d") == (
        "seed = 1.0\nif c:\n    d = 2.0\nr = d")  # bound in a block: read as itself
    left = [
        "seed = 1.0\nd = seed / 0\nr = d * t",  # raises where the call runs it
        "seed = 1e+300\nd = seed * seed\nr = d * t",  # inf: left to the call
        "seed = 1.0\nd = seed * 2\nd = d + 1\nr = d * t",  # bound twice
        "seed = True\nr = seed * t",  # a bool
        "seed = 2.0\nd = seed ** 3\nr = d * t",  # only + - * /
    ]
    for text in left:
        assert "r = d * t" in numbers(text) or "r = seed * t" in numbers(text), text
    assert numbers(left[0]).splitlines()[1] == "d = 1.0 / 0"


def mean_square(x, y):
    return np.mean((x - y) ** 2)


def test_a_mean_s_seed_is_one_number_in_the_code():
    x, y = np.linspace(0, 1, 100), np.linspace(1, 0, 100)
    code = fused(checked_source(mean_square, (x, y), (0,)))
    assert "0.02" in code and "/ 100" not in code  # 2 * (1.0 / 100): exact as the call
    np.testing.assert_array_equal(srcgrad.grad(mean_square)(x, y), 2 * (1.0 / 100) * (x - y))


def plainly(text, shapes, **kwargs):
    body, ctx = fused_context(text, shapes=shapes, **kwargs)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=seed_folding.run(body, ctx),
                                                    type_ignores=[])))


def test_products_with_one_are_written_plainly_where_that_is_the_same():
    shapes = {"c": (), "d": (), "e": (5,), "n": ()}
    text = ("c = np.sin(x)\nd = 1.0 * c\ne = np.sin(x)\nf = -1.0 * e\ng = c * -1.0\n"
            "r = d + f + g\nreturn r")
    out = plainly(text, shapes)
    assert "d = c" in out and "f = -e" in out and "g = -c" in out
    kept = ("n = x.size\nd = 1.0 * n\nf = -1.0 * n\n"  # an int: the product is a float
            "c = np.sin(x)\ne = np.sin(x)\nh = 1.0 * e\nh += c\n"  # an array: a copy is new
            "r = d + f + h\nreturn r")
    out = plainly(kept, {"n": (), "c": (), "h": (5,)}, ints={"n": 5})
    assert "d = 1.0 * n" in out and "f = -1.0 * n" in out and "h = 1.0 * e" in out
