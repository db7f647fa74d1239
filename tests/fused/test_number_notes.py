"""number_notes: a number computed while the code was generated says what it is, where a
fraction reads shorter than the decimal."""

import types
from fractions import Fraction

import numpy as np
from finite_diff import checked_source, fused

from srcgrad.backend import codegen
from srcgrad.fused import number_notes
from srcgrad.ir import build
from srcgrad.ir.index import Index


def mean_square(Y, W):
    return np.mean(Y * W) / 256


def test_a_folded_constant_says_its_fraction():
    Y, W = np.ones((4, 8)), np.ones((4, 8))
    code = fused(checked_source(mean_square, (Y, W), (1,)))
    assert "  # 1/8192" in code  # 1 / 32 / 256


def test_only_where_the_fraction_is_shorter():
    body = [build.assign("a", build.folded(0.4, Fraction(2, 5))),
            build.assign("b", build.folded(1 / 1024, Fraction(1, 1024))),
            build.assign("c", build.const(1 / 1024))]  # written so: no note
    function = codegen.function("f", codegen.arguments([]), number_notes.run(body, types.SimpleNamespace(index=Index())))
    text = codegen.render([function])
    assert "a = 0.4\n" in text and "b = 0.0009765625  # 1/1024\n" in text
    assert "c = 0.0009765625\n" in text
