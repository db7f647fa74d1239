"""explain under attack (issue 26's review): bound methods and functools.partial objects
as grad takes them; the code shown for a checkpointed loop is the gradient's."""

import functools

import numpy as np

import srcgrad

x = np.array([0.3, -0.7, 1.1])


class Model:
    scale = 3.0

    def loss(self, x):
        return np.sum(x ** 2) * self.scale


def weighted(x, *, s=2.0):
    return np.sum(x * s)


def looped(x):
    h = x
    with srcgrad.checkpoint(snapshots=2):
        for i in range(5):
            h = np.sin(h) + h
    return np.sum(h)


def test_bound_method():
    report = srcgrad.explain(Model().loss, x, verbose=False)
    np.testing.assert_allclose(report.gradients[0].gradient, 6 * x)
    assert report.wrt == ("x",) and report.check.ok
    assert srcgrad.explain(Model().loss, x, wrt=0, verbose=False).wrt == ("x",)


def test_partial():
    report = srcgrad.explain(functools.partial(weighted, s=3.0), x, verbose=False)
    np.testing.assert_allclose(report.gradients[0].gradient, np.full(3, 3.0))


def test_checkpointed_loop_shows_the_gradient_code():
    report = srcgrad.explain(looped, x, verbose=False)
    assert "def looped_backward" in report.source
    assert "one step of the loop" not in report.source.splitlines()[1]
