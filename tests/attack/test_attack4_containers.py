"""Attack 4: a dict's keys are constants wherever a program walks them. `sorted(d)` gave
the dict's values (a silent wrong value and gradient), `list(d)` passed the adjoint of its
keys to the values (a crash, or a wrong gradient with keys 0..n-1), and the tangent of
`for k in d` was the keys themselves (a silent wrong jvp); `sum(d)`, `max(d)` and `min(d)`
gave their keys the gradient of the values at the same positions (silent wrong gradients).
Beside them, a list joined by two np.concatenate/vstack/block calls: the two adjoints of the
list were concatenated, not added (a silent wrong gradient, or a crash). Judged by alias_oracles.judge
(value, finite differences, vjp, jvp) and autograd."""

import numpy as np
import pytest
from alias_oracles import judge
from programs import numpy_and_autograd

import srcgrad

PROGRAMS = '''
def keys_walked(x):
    d = {k: x[k] ** 2 for k in range(3)}
    return sum(d[k] * k for k in d)


def keys_sorted(x):
    d = {0: x[0], 1: x[1], 2: x[2]}
    return sum(k * x[0] for k in sorted(d))


def keys_sorted_shuffled(x):
    d = {2: x[0] ** 2, 0: x[1], 1: np.sin(x[2])}
    total = 0.0
    for k in sorted(d):
        total = total + d[k] * (k + 1)
    return total


def names_sorted(x):
    params = {"w": x, "b": x ** 2}
    return sum(np.sum(params[k] ** 2) * len(k) for k in sorted(params, reverse=True))


def keys_listed(x):
    d = {0: x[0], 1: x[1] ** 2}
    ks = list(d)
    return ks[0] * x[0] + ks[1] * x[1] + sum(d[k] * k for k in tuple(d))


def float_keys_listed(x):
    d = {0.5: x[0], 1.5: x[1]}
    return sum(d[k] * k for k in list(d))


def keys_summed_and_picked(x):  # sum(d), max(d), min(d): of the keys
    d = {0: x[0], 1: x[1] ** 2, 2: x[2]}
    return sum(d) * x[0] + max(d) * x[1] + min(d) * x[2] + max(d.values())


def list_joined_twice(x):  # split_like gave a plain list: two adjoints concatenated
    ws = [x, x[::-1] * 2.0]
    return np.sum(np.concatenate(ws) ** 2) + np.sum(np.vstack(ws)[1] * x)


def blocks_joined_twice(x):  # unblock likewise
    blocks = [[x[:2], x[1:] * 2.0], [x[:2] ** 2, x[1:]]]
    return np.sum(np.block(blocks) ** 2) + np.sum(np.block(blocks) * 3.0)


def rows_listed(x):
    return sum(np.sum(r ** 3) for r in list(x))
'''

NAMES = ["keys_walked", "keys_sorted", "keys_sorted_shuffled", "names_sorted", "keys_listed",
         "float_keys_listed", "keys_summed_and_picked", "list_joined_twice",
         "blocks_joined_twice", "rows_listed"]


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return numpy_and_autograd(PROGRAMS, tmp_path_factory.mktemp("attack4_containers"), "containers")


@pytest.mark.parametrize("name", NAMES)
def test_a_dicts_keys_carry_no_gradient_and_no_tangent(mods, name):
    ours, theirs = mods
    x = np.array([0.5, -0.3, 0.8])
    outcome = judge(getattr(ours, name), [x], autograd_f=getattr(theirs, name),
                    hessian=name == "keys_sorted_shuffled")
    assert outcome.kind == "ok", str(outcome)


def test_a_list_joined_twice_on_the_jax_backend(mods):
    pytest.importorskip("jax")
    ours, _ = mods
    x = np.array([0.5, -0.3, 0.8])
    np.testing.assert_allclose(srcgrad.grad(ours.list_joined_twice, backend="jax")(x),
                               srcgrad.grad(ours.list_joined_twice)(x), rtol=1e-12)
