"""del_pruning: a fused gradient whose arrays are all small frees none of them early;
one with a large array, or one of a size not known, keeps every `del`."""

import numpy as np
from finite_diff import checked_source, fused
from pass_bodies import fused_context, unparsed

from srcgrad.fused import del_pruning

TEXT = ("t = x * 2\nu = np.sin(t)\ndel t\nfor i in range(3):\n    v = u * i\n    del v\n"
        "r = u + 1\nreturn r")


def pruned(shapes):
    body, ctx = fused_context(TEXT, shapes=shapes)
    return unparsed(del_pruning.run(body, ctx))


def test_small_arrays_are_not_freed_early():
    assert "del" not in pruned({})  # (5,) each


def test_one_large_array_or_one_of_unknown_size_keeps_every_del():
    for shapes in ({"v": (128, 128)}, {"v": None}):
        assert pruned(shapes) == TEXT


def mean_of_squares(x):
    return np.mean(np.sin(x) ** 2)


def test_what_a_call_runs():
    assert "del " not in fused(checked_source(mean_of_squares, (np.ones(8),), (0,)))
    assert "del " in fused(checked_source(mean_of_squares, (np.ones(20000),), (0,)))
