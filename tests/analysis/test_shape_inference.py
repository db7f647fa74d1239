"""shape_inference: what is certain of comparisons, basic slices, reshapes and slices of
a list known by items; what is not stays unknown."""

import numpy as np

from srcgrad.analysis import shape_inference
from srcgrad.analysis.shape_inference import Items
from srcgrad.pipeline import cache
from srcgrad.pipeline.front_half import analyze


def shapes(f, wrt, **args):
    unit = analyze(f, wrt, inline_helpers=True, compilers=cache.COMPILERS)
    return shape_inference.infer(unit, {k: shape_inference.describe(v) for k, v in args.items()})


def compared(x, y):
    m = x < y
    return np.sum(np.where(m, x, y))


def test_a_comparison_has_the_broadcast_shape():
    found = shapes(compared, ("x",), x=np.ones((3, 1)), y=np.ones(4))
    assert found["m"].shape == (3, 4)


def chained(x, y):
    m = x < y < 2.0
    return np.sum(x) + 0.0 * m


def test_a_chained_comparison_stays_unknown():
    assert "m" not in shapes(chained, ("x",), x=1.0, y=2.0)


def sliced(w):
    a = w[2:10]
    b = w[:, None]
    c = w[1:9].reshape((2, -1))
    d = w[::3]
    return np.sum(a) + np.sum(b) + np.sum(c) + np.sum(d)


def test_basic_slices_and_reshapes():
    found = shapes(sliced, ("w",), w=np.ones(12))
    assert found["a"].shape == (8,)
    assert found["b"].shape == (12, 1)
    assert found["c"].shape == (2, 4)
    assert found["d"].shape == (4,)


def bad_reshape(w):
    c = w.reshape((5, -1))
    return np.sum(c)


def test_a_reshape_numpy_refuses_stays_unknown():
    assert "c" not in shapes(bad_reshape, ("w",), w=np.ones(12))


def firsts(layers):
    head = layers[:-1]
    W = head[1]
    return np.sum(W)


def test_a_slice_of_a_list_known_by_items():
    found = shapes(firsts, ("layers",), layers=[np.ones(2), np.ones(3), np.ones(4)])
    assert isinstance(found["head"], Items) and len(found["head"].items) == 2
    assert found["W"].shape == (3,)
