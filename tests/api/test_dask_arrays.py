"""Dask arrays through grad and optim.fit on the local (threaded) scheduler (issue 22):
lazy results, one computation of the shared graph, parameters as Dask arrays, the
refusals, data-parallel training equal to the NumPy run. The real cluster is in
test_dask_cluster.py."""

import numpy as np
import pytest

import srcgrad
from srcgrad.optim import SGD, fit

dask = pytest.importorskip("dask", reason="the `dask` extra is not installed")
da = pytest.importorskip("dask.array")
from dask.callbacks import Callback  # noqa: E402


def logistic(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 1e-3 * np.sum(w * w)


def summed(w, X, y):
    return np.sum((X @ w - y) ** 2)


def neither(w, X, y):
    return np.sum((X @ w - y) ** 2) ** 0.5


def branch_on_data(w, X):
    s = np.sum(X @ w)
    if s > 0:
        return s * 2.0
    return -s


class Computations(Callback):
    """Counts the computations the local schedulers run."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def _start(self, dsk):
        self.count += 1


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 6))
    y = (X @ rng.normal(size=6) + rng.normal(size=2000) > 0).astype(float)
    return np.zeros(6) + 0.1, X, y


def test_lazy_until_computed_once(data):
    w, X, y = data
    Xd, yd = da.from_array(X, chunks=(500, 6)), da.from_array(y, chunks=500)
    expected_value, expected = srcgrad.value_and_grad(logistic)(w, X, y)
    with Computations() as counted:
        value, g = srcgrad.value_and_grad(logistic)(w, Xd, yd)
        assert counted.count == 0
        assert isinstance(value, da.Array) and isinstance(g, da.Array)
        value, g = dask.compute(value, g)
        assert counted.count == 1
    np.testing.assert_allclose(value, expected_value, rtol=1e-12)
    np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-14)


def test_params_as_dask_arrays(data):
    w, X, y = data
    Xd, yd = da.from_array(X, chunks=(500, 6)), da.from_array(y, chunks=500)
    g = srcgrad.grad(logistic)(da.from_array(w), Xd, yd)
    assert isinstance(g, da.Array) and g.shape == w.shape and g.dtype == w.dtype
    np.testing.assert_allclose(g.compute(), srcgrad.grad(logistic)(w, X, y), rtol=1e-10)


def gathered_rows(W, X, rows):
    return np.sum(np.tanh(X @ W[rows].T)) + np.sum(np.take(W, [2, 0, 2], axis=1) ** 2)


def through_definitions(w, X):
    z = X @ w
    return (np.sum(np.interp(z, np.array([-1.0, 0.0, 0.5, 2.0]), np.array([0.0, 1.0, -1.0, 2.0])))
            + np.sum(np.quantile(X * w, 0.3, axis=0)) + np.trace(X[:6].T @ X[:6] * w[0]))


def with_bias(w, X):
    Xb = np.hstack([X, np.ones((X.shape[0], 1))])
    return np.sum(np.tanh(Xb @ np.concatenate([w, w[:1] * 2.0])))


def test_indexing_joins_and_definitions_without_ufunc_at(data):
    """Integer-array indexing, np.take, np.hstack and np.concatenate, np.interp,
    np.quantile and np.trace: their gradients add back into lazy arrays without ufunc.at,
    np.split or item assignment (a one-hot product of Dask's, slices, a diagonal of
    masks), equal to the NumPy run."""
    w, X, _ = data
    W, rows = np.linspace(-0.5, 0.5, 18).reshape(3, 6), [0, 2, 2, 1]
    Xd = da.from_array(X, chunks=(500, 6))
    for func, args, lazy in ((gathered_rows, (W, X, rows), (None, Xd, rows)),
                             (with_bias, (w, X), (None, Xd)),
                             (through_definitions, (w, X), (None, Xd))):
        expected = srcgrad.grad(func)(*args)
        for params in (args[0], da.from_array(args[0])):
            g = srcgrad.grad(func)(params, *lazy[1:])
            assert isinstance(g, da.Array)
            np.testing.assert_allclose(g.compute(), expected, rtol=1e-10, atol=1e-12)


def two_index_arrays(W, X):
    return np.sum(X[:, :2] * W[[0, 2], [1, 3]])


def test_other_fancy_indexing_into_a_lazy_gradient_is_refused_at_its_line(data):
    _, X, _ = data
    W = np.linspace(-0.5, 0.5, 18).reshape(3, 6)
    with pytest.raises(srcgrad.SrcGradError, match=r"lazy(.|\n)*line \d+(.|\n)*W\[\[0, 2\]"):
        srcgrad.grad(two_index_arrays)(W, da.from_array(X, chunks=(500, 6)))


def test_if_on_a_lazy_value_is_refused_at_its_line(data):
    w, X, _ = data
    with pytest.raises(srcgrad.SrcGradError, match=r"lazy(.|\n)*line \d+(.|\n)*if s > 0"
                                                   r"(.|\n)*np.where"):
        srcgrad.grad(branch_on_data)(w, da.from_array(X, chunks=(500, 6)))


def test_unknown_chunk_sizes_are_refused(data):
    w, X, y = data
    Xd = da.from_array(X, chunks=(500, 6))
    rows = Xd[:, 0] > 0
    with pytest.raises(srcgrad.SrcGradError, match="compute_chunk_sizes"):
        srcgrad.grad(logistic)(w, Xd[rows], da.from_array(y, chunks=500)[rows])


def test_fit_on_dask_data_is_the_numpy_run_one_computation_a_step(data):
    w, X, y = data
    expected = fit(logistic, w, (X, y), epochs=6, progress=False)
    Xd, yd = da.from_array(X, chunks=(300, 6)), da.from_array(y, chunks=300)
    with Computations() as counted:
        got = fit(logistic, w, (Xd, yd), epochs=6, progress=False)
    assert counted.count == 6
    np.testing.assert_allclose(got.params, expected.params, rtol=0, atol=1e-8)
    np.testing.assert_allclose(got.history, expected.history, rtol=1e-12)


def test_fit_mini_batches_are_row_blocks(data):
    w, X, y = data
    expected = fit(summed, w, (X, y), epochs=2, batch_size=512, shuffle=False,
                   optimizer=SGD(1e-4), progress=False)
    Xd, yd = da.from_array(X, chunks=(1000, 6)), da.from_array(y, chunks=1000)
    got = fit(summed, w, (Xd, yd), epochs=2, batch_size=512, shuffle=False,
              optimizer=SGD(1e-4), progress=False)
    assert len(got.history) == len(expected.history) == 8
    np.testing.assert_allclose(got.params, expected.params, rtol=0, atol=1e-8)
    shuffled = fit(summed, w, (Xd, yd), epochs=2, batch_size=512, optimizer=SGD(1e-4),
                   progress=False)
    assert len(shuffled.history) == 8


def test_fit_refuses_a_loss_not_a_mean_or_sum_over_rows(data):
    w, X, y = data
    Xd, yd = da.from_array(X, chunks=(500, 6)), da.from_array(y, chunks=500)
    with pytest.raises(srcgrad.SrcGradError, match="mean"):
        fit(neither, w, (Xd, yd), epochs=1, progress=False)


def test_fit_stops_at_nan_as_with_numpy(data):
    w, X, y = data
    Xd, yd = da.from_array(X, chunks=(500, 6)), da.from_array(y, chunks=500)
    with pytest.warns(RuntimeWarning, match="nan"):
        got = fit(logistic, w * np.nan, (Xd, yd), epochs=3, progress=False)
    assert got.stopped_early and got.history == []
