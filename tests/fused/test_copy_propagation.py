"""copies: names that only copy another are gone from the fused gradient."""

import ast

import gast
import pytest
from pass_bodies import fused_context

from srcgrad.fused import copy_propagation


def propagated(text, keep=("X", "W", "r"), params=("X", "W")):
    body, ctx = fused_context(text, params=params,
                              returned=tuple(k for k in keep if k not in params))
    out = copy_propagation.run(body, ctx)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=out, type_ignores=[]))).strip(), body


def test_reads_of_a_copy_read_the_original():
    text = "x = X\nt = x @ W\ny = t\nr = y * 2\nreturn r"
    out, body = propagated(text)
    assert out == "t = X @ W\nr = t * 2\nreturn r"
    assert ast.unparse(gast.gast_to_ast(body[1])) == "t = x @ W"  # the sweeps' statement


def test_a_name_that_must_stay_takes_the_original_s_binding():
    assert propagated("t = X @ W\nu = t + 1\nr = t\nreturn r")[0] == (
        "r = X @ W\nu = r + 1\nreturn r")
    assert propagated("t = X @ W\nr = t\ns = r\nreturn (r, s)", keep=("X", "W", "r", "s"))[0] == (
        "r = X @ W\ns = r\nreturn (r, s)")  # two names that stay: one copy is left


@pytest.mark.parametrize("text", [
    "a = X\na = a + 1\nr = a * 2",  # the copy is bound again
    "t = X * 2\nfor i in range(3):\n    t = t + 1\nr = t",  # the original, in a loop
    "for i in range(3):\n    t = X * i\nr = t",  # bound in a block
    "t = X * 2\nc = X + 1\nX = t\nr = X * c",  # a parameter bound again: X is read before
    "r = W\nreturn r",  # both must stay
])
def test_what_is_not_one_value_under_two_names_stays(text):
    assert propagated(text)[0] == text


def test_a_copy_in_a_loop_body_goes_when_read_only_after_it():
    text = ("d = X\nfor i in range(3):\n    e = d\n    f = e * 2\n    d = f + e\n"
            "    g = f\n    h = g\nr = d")
    out, body = propagated(text)
    assert out == "d = X\nfor i in range(3):\n    f = d * 2\n    d = f + d\nr = d"
    assert "e = d" in ast.unparse(gast.gast_to_ast(body[1]))  # the sweeps' loop stays


@pytest.mark.parametrize("text", [
    "d = X\nfor i in range(3):\n    f = e * 2\n    e = d\n    d = f\nr = d",  # carried
    "d = X\nfor i in range(3):\n    e = d\n    d = d + 1\n    f = e * 2\nr = f",  # d changed
    "d = X\nwhile d < 3:\n    e = d\n    d = e + 1\n    d = d * e\nr = d",  # read after
])
def test_a_copy_in_a_loop_whose_value_differs_from_the_original_stays(text):
    assert propagated(text)[0] == text


def test_an_item_of_a_tuple_written_out_is_a_copy_of_the_item():
    text = ("a = X @ W\nb = X + 1\nT = (a, b)\nU = T\nu = U[1]\nv = T[0]\nr = u * v\n"
            "return r")
    assert propagated(text)[0] == "a = X @ W\nb = X + 1\nT = (a, b)\nr = b * a\nreturn r"


def test_an_item_bound_again_or_out_of_range_stays_a_subscript():
    text = "a = X @ W\nT = (a, X)\na = a + 1\nu = T[0]\nr = u * a\nreturn r"
    assert "u = T[0]" in propagated(text)[0]
    text = "a = X @ W\nT = (a, X)\nu = T[2]\nr = u * a\nreturn r"
    assert "u = T[2]" in propagated(text)[0]
