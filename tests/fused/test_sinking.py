"""sink: the fused gradient makes each array just before its first reader.
Generated code AND gradients vs finite differences."""

import ast

import gast
import numpy as np
import pytest
from finite_diff import checked_source, fused
from pass_bodies import fused_context

from srcgrad.fused import sinking

pytestmark = pytest.mark.usefixtures("runtime_dtype_checks")


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


@pytest.mark.usefixtures("keeping_dels")
def test_an_adjoint_is_made_where_it_is_read():
    code = fused(checked_source(elementwise, (np.linspace(-1, 1, 7),), (0,)))
    lines = [line.strip() for line in code.splitlines()]
    # d_t2 = d_t3 * x moved past d_x's update: the product of that update is d_t3's last
    assert lines.index("d_t2 = d_t3 * x") == lines.index("d_x -= d_t2") - 2
    assert lines.index("d_t2 = d_t3 * x") > lines.index("d_x = d_t3 * t2")


def sunk(text, keep=("x", "r"), shapes=None):
    body, ctx = fused_context(text, shapes, params=keep[:1], returned=keep[1:])
    body = sinking.run(body, ctx)
    return ast.unparse(gast.gast_to_ast(gast.Module(body=body, type_ignores=[]))).strip()


def test_pure_assignments_move_to_their_first_reader():
    assert sunk("a = x * 2\nb = np.sin(x)\nc = b + 1\nr = a + c\nreturn r") == (
        "b = np.sin(x)\nc = b + 1\na = x * 2\nr = a + c\nreturn r")
    # past nothing that writes what it reads, calls something else, or is the seed
    for text in ["a = d * 2\nd += x\nr = a + d\nreturn r",
                 "a = x * 2\nb = f(x)\nr = a + b\nreturn r",
                 "a = x * 2\nseed = 1.0\nr = a + seed\nreturn r",
                 "a = x * 2\nif x:\n    b = 1\nr = a + b\nreturn r"]:
        assert sunk(text) == text
    # it may keep one operand of its shape alive longer, which it can then write into
    assert sunk("u = np.sin(x)\na = u * x\nb = np.cos(x)\nr = a + b\nreturn r") == (
        "b = np.cos(x)\nu = np.sin(x)\na = u * x\nr = a + b\nreturn r")  # u follows a
    for text, shapes in [("u = np.sin(x)\nv = np.cos(x)\na = u * v\nb = np.exp(x)\nr = a + b",
                          {}),  # two arrays longer
                         ("u = np.sin(x)\na = u * x\nb = np.cos(x)\nr = a + b",
                          {"u": (1, 5), "x": (4, 5)})]:  # not of its shape
        lines = sunk(text, shapes=shapes).splitlines()  # a stays before b
        a = next(i for i, line in enumerate(lines) if line.startswith("a = "))
        assert lines[a + 1].startswith("b = np.")
