"""positional_out: the `out=` of a NumPy ufunc of one output, given all its inputs by
position, passed by position; every other call keeps its keyword.
Generated code AND gradients vs finite differences."""

import numpy as np
import pytest
from finite_diff import checked_source, fused
from pass_bodies import fused_context, unparsed

from srcgrad.fused import positional_out
from srcgrad.ir import build


def positional(text):
    """The code after the pass, and whether its note heads it."""
    body, ctx = fused_context(text)
    out = positional_out.run(body, ctx)
    noted = bool(out) and build.is_comment(out[0])
    return unparsed(out[1:] if noted else out), noted


def test_a_ufunc_s_output_goes_by_position_with_a_note():
    assert positional("a = np.tanh(x, out=x)\nr = np.add(a, x, out=a)\nreturn r") == (
        "a = np.tanh(x, x)\nr = np.add(a, x, a)\nreturn r", True)


@pytest.mark.parametrize("text", [
    "r = np.dot(x, x, out=x)\nreturn r",  # not a ufunc: its third argument is no output
    "r = np.matmul(x, x, out=x, axes=None)\nreturn r",  # (moved, see below)
    "r = np.add(x, out=x)\nreturn r",  # an input missing
    "r = np.add(*x, out=x)\nreturn r",  # inputs unknown
    "q, r = np.divmod(x, 2.0, out=(x, x))\nreturn r",  # two outputs
    "r = np.add(x, 1.0, out=(x,))\nreturn r",  # a tuple
    "r = math.exp(x, out=x)\nreturn r",  # not NumPy
    "r = np.add(x, 1.0)\nreturn r",  # no output
])
def test_other_calls_keep_their_keyword(text):
    out, noted = positional(text)
    if "matmul" in text:  # a ufunc of one output: moved; the other keyword stays
        assert (out, noted) == ("r = np.matmul(x, x, x, axes=None)\nreturn r", True)
    else:
        assert (out, noted) == (text, False)


def tanh_layer(x, w):
    return np.sum(np.tanh(x * w) * np.exp(x))


def test_the_gradient_with_outputs_by_position():
    x, w = np.linspace(-1.0, 1.0, 7), np.linspace(0.5, 1.5, 7)
    code = fused(checked_source(tanh_layer, (x, w), (0, 1)))
    assert "out=" not in code
