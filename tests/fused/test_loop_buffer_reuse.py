"""loop_buffer_reuse: inside a loop, a float64 array made by a statement of the body and
read once, by a later statement of the same body, may take that statement's result; one
read again, made outside the body, not certainly float64, or kept, may not.
Generated code AND gradients vs finite differences."""

import numpy as np
import pytest
from finite_diff import checked_source, fused
from pass_bodies import fused_context, unparsed

from srcgrad.fused import loop_buffer_reuse

FLOAT64 = ("a", "b", "c", "d", "e", "r", "x")
LOOP = "for t in range(3):\n    a = np.exp(x)\n    b = c + a\n    r = b + d\nreturn r"


def reused(text, float64=FLOAT64, **kwargs):
    body, ctx = fused_context(text, float64=float64, **kwargs)
    return unparsed(loop_buffer_reuse.run(body, ctx))


def test_an_array_that_dies_in_the_body_takes_the_next_result():
    assert reused(LOOP) == ("for t in range(3):\n    a = np.exp(x)\n"
                            "    b = np.add(c, a, out=a)\n    r = np.add(b, d, out=b)\nreturn r")


@pytest.mark.parametrize("text", [
    # a read twice
    "for t in range(3):\n    a = np.exp(x)\n    b = c + a\n    e = a * 2.0\n    r = b + e\n"
    "return r",
    # a made before the loop: the next step reads it again
    "a = np.exp(x)\nfor t in range(3):\n    b = c + a\n    r = b + d\nreturn r",
    # a is x itself, no new array
    "for t in range(3):\n    a = x\n    b = c + a\n    r = b + d\nreturn r",
    # a read after the loop
    "for t in range(3):\n    a = np.exp(x)\n    b = c + a\nr = b + a\nreturn r",
])
def test_an_array_read_again_or_not_made_in_the_body_is_not_written(text):
    assert "out=a" not in reused(text)


def test_nothing_is_written_without_float64_or_into_a_kept_name():
    assert "out=" not in reused(LOOP, float64=())
    assert "out=a" not in reused(LOOP, returned=("r", "a"))


def read_twice_in_a_loop(x, w):
    h = x
    total = 0.0
    for i in range(3):
        a = np.tanh(h * w)
        h = a + x  # a's buffer would fit, but the next line reads a again
        total = total + np.sum(a * h)
    return total


def test_a_loop_whose_values_are_read_again_keeps_them():
    x, w = np.linspace(-1.0, 1.0, 6), np.linspace(0.5, 1.5, 6)
    code = fused(checked_source(read_twice_in_a_loop, (x, w), (0, 1)))
    assert "h_2 = a + x" in code  # a, taped and read again, keeps its own buffer
