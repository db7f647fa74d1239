"""Data-parallel training on a real `distributed.LocalCluster` (2 worker processes), issue
22: logistic regression and the MLP example train to the NumPy run's parameters, a
gradient object runs on a worker, and the cluster shuts down cleanly. One cluster for
the module: starting it is most of the time these tests take."""

import importlib.util
import pathlib
import sys

import numpy as np
import pytest

import srcgrad
from srcgrad.optim import Adam, fit

distributed = pytest.importorskip("distributed", reason="the `dask` extra is not installed")
import distributed.diagnostics.plugin  # noqa: E402
da = pytest.importorskip("dask.array")
cloudpickle = pytest.importorskip("cloudpickle")

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def logistic(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _example(name):
    spec = importlib.util.spec_from_file_location(f"srcgrad_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client():
    # the workers import neither this module nor the example: shipped by value, with
    # their source (api/pickling.py)
    mlp = _example("mlp_digits")
    shipped = [sys.modules[logistic.__module__], mlp]
    for module in shipped:
        cloudpickle.register_pickle_by_value(module)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    client = distributed.Client(cluster)
    client.mlp = mlp
    try:
        yield client
    finally:
        client.close()
        cluster.close()
        for module in shipped:
            cloudpickle.unregister_pickle_by_value(module)
        sys.modules.pop(mlp.__name__, None)
        assert client.status == "closed" and cluster.status.name == "closed"


class Graphs(distributed.diagnostics.plugin.SchedulerPlugin):
    """Counts the graphs the scheduler receives (a client's compute of one graph)."""

    def __init__(self):
        self.count = 0

    def update_graph(self, scheduler, **kwargs):
        self.count += 1


def test_logistic_regression_trains_to_the_numpy_parameters(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 8))
    y = (X @ rng.normal(size=8) + rng.normal(size=4000) > 0).astype(float)
    w = np.zeros(8)
    expected = fit(logistic, w, (X, y), epochs=5, progress=False)
    graphs = Graphs()  # (the LocalCluster's scheduler runs in this process)
    client.cluster.scheduler.add_plugin(graphs, name="srcgrad-test-graphs")
    try:
        got = fit(logistic, w, (da.from_array(X, chunks=(1000, 8)),
                                da.from_array(y, chunks=1000)),
                  epochs=5, progress=False, client=client)
    finally:
        client.cluster.scheduler.remove_plugin("srcgrad-test-graphs")
    np.testing.assert_allclose(got.params, expected.params, rtol=0, atol=1e-8)
    assert len(got.history) == 5
    assert graphs.count == 5  # one graph a step (parameters and gradient are scattered)


def test_the_mlp_example_trains_to_the_numpy_parameters(client):
    mlp = client.mlp
    rng = np.random.default_rng(1)
    X = rng.random((600, 64))
    Y = np.eye(10)[rng.integers(0, 10, 600)]
    params = mlp.init_params(np.random.default_rng(0), (64, 16, 10))
    kwargs = dict(epochs=2, batch_size=200, shuffle=False, optimizer=None, progress=False)
    expected = fit(mlp.loss, params, (X, Y), **{**kwargs, "optimizer": Adam(1e-2)})
    got = fit(mlp.loss, params, (da.from_array(X, chunks=(300, 64)), da.from_array(
        Y, chunks=(300, 10))), client=client, **{**kwargs, "optimizer": Adam(1e-2)})
    for key in params:
        np.testing.assert_allclose(got.params[key], expected.params[key], rtol=0, atol=1e-8)


def test_a_gradient_object_runs_on_a_worker(client):
    gradient = srcgrad.value_and_grad(logistic)
    w, X, y = np.full(3, 0.2), np.linspace(-1, 1, 30).reshape(10, 3), np.arange(10) % 2 * 1.0
    expected = gradient(w, X, y)  # used before it is sent
    value, g = client.submit(gradient, w, X, y, pure=False).result()
    np.testing.assert_allclose(value, expected[0], rtol=1e-12)
    np.testing.assert_allclose(g, expected[1], rtol=1e-12)
