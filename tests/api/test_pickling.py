"""The public objects pickle (pickle and cloudpickle), before and after their first call,
and an unpickled one works in another process that cannot read the user's file
(issue 22: a gradient sent to Dask workers)."""

import functools
import json
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import srcgrad

cloudpickle = pytest.importorskip("cloudpickle")

ROOT = pathlib.Path(srcgrad.__file__).resolve().parent.parent


def loss(w, X, y):
    return np.mean((X @ w - y) ** 2) + 0.1 * np.sum(np.tanh(w))


def cubic(x):
    return np.sum(x ** 3)


def vector(x):
    return np.sin(x) * x


def with_aux(w):
    return np.sum(w ** 2), w


def scalar_cube(x):
    return x ** 3


def layer(p, X):
    return np.tanh(X @ p["w"]) * p["b"]


cosine_sum = lambda x: np.sum(np.cos(x))  # noqa: E731


class Model:
    def __init__(self, scale):
        self.scale = scale

    def loss(self, w, X):
        return self.scale * np.sum((X @ w) ** 2)


W = np.array([0.5, -0.3, 0.2])
X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
Y = np.array([0.1, -0.2, 0.3, 0.0])

CASES = {
    "grad": (lambda: srcgrad.grad(loss), (W, X, Y)),
    "value_and_grad wrt two": (lambda: srcgrad.value_and_grad(loss, wrt=(0, 2)), (W, X, Y)),
    "grad of a partial": (lambda: srcgrad.grad(functools.partial(loss, X=X, y=Y)), (W,)),
    "grad of a bound method": (lambda: srcgrad.grad(Model(2.0).loss), (W, X)),
    "grad has_aux": (lambda: srcgrad.grad(with_aux, has_aux=True), (W,)),
    "jvp": (lambda: srcgrad.jvp(cubic), (W,), {"tangent": np.ones(3)}),
    "jacobian": (lambda: srcgrad.jacobian(vector), (W,)),
    "hessian": (lambda: srcgrad.hessian(cubic), (W,)),
    "hvp": (lambda: srcgrad.hvp(cubic), (W,), {"tangent": np.ones(3)}),
    "grad of grad": (lambda: srcgrad.grad(srcgrad.grad(scalar_cube)), (0.7,)),
    "a lambda (cloudpickle)": (lambda: srcgrad.grad(cosine_sum), (W,)),
    "vjp's pullback": (lambda: srcgrad.vjp(vector, W)[1], (np.array([1.0, -2.0, 0.5]),)),
    "vjp's pullback wrt two, a dict": (
        lambda: srcgrad.vjp(layer, {"w": W, "b": 0.3}, X, wrt=(0, 1))[1], (Y,)),
}


def _same(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_round_trips_before_and_after_use(name):
    make, args, *kw = CASES[name]
    kwargs = kw[0] if kw else {}
    obj = make()
    expected = None
    for used in (False, True):
        for module in (pickle, cloudpickle):
            if module is pickle and "lambda" in name:
                continue  # (plain pickle cannot, cloudpickle can)
            copy = module.loads(module.dumps(obj))
            assert type(copy).__name__ == type(obj).__name__
            result = copy(*args, **kwargs)
            if expected is None:
                expected = obj(*args, **kwargs)
            _same(result, expected)
        obj(*args, **kwargs)  # used: variants and an entry of its own class


MODULE = '''
import numpy as np


def squash(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic(w, X, y):
    p = squash(X @ w)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def scores(w, X, y):
    return squash(X @ w) * (y + 1.0)
'''

CHILD = '''
import json, pickle, sys
import numpy as np
objects = pickle.loads(sys.stdin.buffer.read())
w, X, y = np.full(3, 0.1), np.linspace(-1, 1, 15).reshape(5, 3), np.array([0., 1., 1., 0., 1.])
calls = {"value_and_grad": lambda g: g(w, X, y), "pullback": lambda g: g(np.arange(5.0)),
         "jvp": lambda g: g(w, X, y, tangent=np.ones(3)), "hessian": lambda g: g(w, X, y)}
print(json.dumps({name: np.hstack([np.ravel(v) for v in calls[name.split()[0]](g)]).tolist()
                  for name, g in objects.items()}))
'''


def _calls(w, X, y):
    return {"value_and_grad": lambda g: g(w, X, y), "pullback": lambda g: g(np.arange(5.0)),
            "jvp": lambda g: g(w, X, y, tangent=np.ones(3)), "hessian": lambda g: g(w, X, y)}


def test_a_process_that_cannot_read_the_file(tmp_path):
    """value_and_grad, jvp, hessian and vjp's pullback, each pickled before and after
    its first call, computed in a process whose sys.path lacks the user's module."""
    path = tmp_path / "user_model_for_pickling.py"
    path.write_text(textwrap.dedent(MODULE))
    sys.path.insert(0, str(tmp_path))
    w, X, y = np.full(3, 0.1), np.linspace(-1, 1, 15).reshape(5, 3), np.array(
        [0., 1., 1., 0., 1.])
    calls, expected, objects = _calls(w, X, y), {}, {}
    try:
        import user_model_for_pickling as user
        cloudpickle.register_pickle_by_value(user)
        try:
            made = {"value_and_grad": srcgrad.value_and_grad(user.logistic),
                    "pullback": srcgrad.vjp(user.scores, w, X, y)[1],
                    "jvp": srcgrad.jvp(user.logistic), "hessian": srcgrad.hessian(user.logistic)}
            for name, obj in made.items():
                objects[f"{name} unused"] = cloudpickle.loads(cloudpickle.dumps(obj))
                expected[name] = np.hstack([np.ravel(v) for v in calls[name](obj)])
                objects[f"{name} used"] = obj
            data = cloudpickle.dumps(objects)
        finally:
            cloudpickle.unregister_pickle_by_value(user)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("user_model_for_pickling", None)
    path.unlink()  # the worker cannot read it
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", CHILD], input=data, capture_output=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    got = json.loads(done.stdout)
    assert len(got) == 8
    for name, values in got.items():
        np.testing.assert_allclose(values, expected[name.split()[0]], rtol=1e-12)
