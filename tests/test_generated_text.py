"""Golden files of generated code: `.source` (the sweeps a user reads) and `source_for`
(the fused gradient a call runs) of the README's functions, every example's loss and every
benchmark workload, compared as text. A change in how generated code reads shows up as a
diff of tests/data/golden/ in review.

After a change that is meant to alter the code, rewrite the files and read the diff:

    SRCGRAD_UPDATE_GOLDEN=1 python -m pytest tests/test_generated_text.py
"""

import importlib.util
import math
import os
import pathlib
import sys

import numpy as np
import pytest

import srcgrad

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = pathlib.Path(__file__).resolve().parent / "data" / "golden"
UPDATE = os.environ.get("SRCGRAD_UPDATE_GOLDEN", "") not in ("", "0")


def _module(path):
    name = f"golden_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def example(stem, name):
    return getattr(_module(pathlib.Path("examples") / f"{stem}.py"), name)


def workloads():
    return _module(pathlib.Path("benchmarks") / "workloads.py")


# --- the README's functions -----------------------------------------------------------------


def square(x):
    return x ** 2


def loss(w, b, x, y):
    yhat = w * x + b
    err = yhat - y
    if np.mean(err) > 0:
        err = err * 2.0
    return np.mean(err ** 2)


def rnn(Wx, Wh, xs):
    h = np.zeros(Wh.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(Wx @ xs[t] + Wh @ h)
    return np.sum(h ** 2)


def jvp_example(x, y):
    z = np.sin(x) * y + x ** 2
    if y > 0:
        z = z * y
    return z


def held_in_a_list(x):
    h = np.zeros(3)
    hs = [h]
    h[1] = x[0] * 4.0
    return np.sum(hs[0] * x)


def dense(x, W, b):
    return np.tanh(x @ W + b)


def with_a_helper(W1, b1, W2, X):
    h = dense(X, W1, b1)
    return np.sum(dense(h, W2, 0.0) ** 2)


rng = np.random.default_rng(0)
x3, x5 = rng.normal(size=3), rng.normal(size=5)


def _cases():
    """(name, function, arguments, wrt)"""
    w = workloads()
    data = np.random.default_rng(1)
    cases = [
        ("square", square, (5.0,), 0),
        ("readme_loss", loss, (0.5, 0.1, x5, 2.0 * x5), ("w", "b")),
        ("readme_rnn", rnn, (rng.normal(size=(4, 3)), rng.normal(size=(4, 4)),
                             rng.normal(size=(6, 3))), ("Wx", "Wh")),
        ("held_in_a_list", held_in_a_list, (x3,), 0),
        ("with_a_helper", with_a_helper, (rng.normal(size=(3, 4)), rng.normal(size=4),
                                          rng.normal(size=(4, 2)), rng.normal(size=(5, 3))),
         (0, 1, 2)),
        ("linear_regression", example("linear_regression", "mse"), (0.5, 0.1, x5, 2.0 * x5),
         ("w", "b")),
        ("logistic_regression", example("logistic_regression", "cross_entropy"),
         (rng.normal(size=(4, 3)), np.zeros(3), rng.normal(size=(8, 4)),
          np.eye(3)[rng.integers(0, 3, 8)]), ("W", "b")),
        ("mlp_digits", example("mlp_digits", "loss"),
         ({"W1": rng.normal(size=(4, 6)), "b1": np.zeros(6), "W2": rng.normal(size=(6, 3)),
           "b2": np.zeros(3)}, rng.normal(size=(8, 4)), np.eye(3)[rng.integers(0, 3, 8)]), 0),
        ("newton_fit", example("newton_fit", "loss"),
         (rng.normal(size=3), rng.normal(size=(8, 3)), rng.integers(0, 2, 8).astype(float)), 0),
        ("sigmoid_neuron", example("sigmoid_neuron", "neuron_loss"),
         (0.3, -0.2, x5, (x5 > 0).astype(float)), ("w", "b")),
        ("control_flow", example("control_flow", "nonsense_loss"),
         (0.5, 0.1, x5, 2.0 * x5), ("w", "b")),
        ("spring_fit", example("spring_fit", "mismatch"),
         (1.0, 0.2, 1.0, 0.0, np.zeros(example("spring_fit", "STEPS"))), ("k", "c")),
    ]
    for workload in w.WORKLOADS + list(w.EXTRA.values()):
        arguments = workload.data(data)
        if workload.name == "elementwise":
            arguments = {"x": arguments["x"][:1000]}
        cases.append((f"bench_{workload.name}", workload.fn, tuple(arguments.values()),
                      workload.wrt))
    return cases


CASES = {case[0]: case for case in _cases()}


def _compare(path, text):
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        if not UPDATE:
            pytest.skip(f"wrote the missing golden file {path.name}")
        return
    assert text == path.read_text(), (
        f"the generated code changed: compare with {path} (rewrite the golden files with "
        "SRCGRAD_UPDATE_GOLDEN=1 if the change is meant)")


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_code_reads_as_before(name):
    _, f, args, wrt = CASES[name]
    g = srcgrad.grad(f, wrt=wrt)
    _compare(GOLDEN / f"{name}.source.py", g.source + "\n")
    _compare(GOLDEN / f"{name}.call.py", g.source_for(*args) + "\n")


def test_forward_mode_reads_as_before():
    f = srcgrad.jvp(jvp_example, wrt=0)
    _compare(GOLDEN / "readme_jvp.source.py", f.source + "\n")
    assert math.isfinite(f(0.3, 2.0, tangent=1.0)[1])
