"""The manifest: one list of steps per body, each step `run(body, ctx)`, what it requires
coming before it; and gradients right (against finite differences) without any one step
that is not essential."""

import inspect
import pathlib
import textwrap

import numpy as np
import pytest
from finite_diff import assert_grads_match, numerical_grad
from models import rnn

import srcgrad
from srcgrad.fused import buffer_reuse
from srcgrad.pipeline import manifest, skipping

STEPS = [(list_name, step) for list_name, steps in manifest.LISTS.items() for step in steps]


@pytest.mark.parametrize("list_name, step", STEPS, ids=[s.name for _, s in STEPS])
def test_a_step_runs_on_a_body_and_a_context_after_what_it_requires(list_name, step):
    assert list(inspect.signature(step.run).parameters) == ["body", "ctx"]
    module = step.run.__module__.rsplit(".", 1)[-1]
    assert step.run.__name__ == step.name or (step.run.__name__ == "run" and module == step.name)
    earlier = [s.name for s in manifest.LISTS[list_name]]
    earlier = earlier[:earlier.index(step.name)]
    assert set(step.requires) <= set(earlier)
    assert step.why


def outline() -> str:
    """The pass lists as docs/design.md shows them: `name?` may be left out, `(name)`
    only writes facts."""
    lines = []
    for list_name, steps in manifest.LISTS.items():
        shown = [f"({s.name}{'' if s.essential else '?'})" if s.facts
                 else s.name + ("" if s.essential else "?") for s in steps]
        lines += textwrap.wrap(", ".join(shown), 90, initial_indent=f"{list_name:<15}",
                               subsequent_indent=" " * 15)
    return "\n".join(lines)


def test_the_design_page_shows_the_manifest():
    page = (pathlib.Path(__file__).parents[2] / "docs" / "design.md").read_text()
    block = page.split("<!-- manifest: begin")[1].split("<!-- manifest: end")[0]
    shown = block.split("```\n")[1]
    assert shown.rstrip("\n") == outline(), "docs/design.md: the pass lists are:\n" + outline()


def test_step_names_are_unique_in_their_list():
    for steps in manifest.LISTS.values():
        names = [step.name for step in steps]
        assert len(names) == len(set(names))


# --- without one step ------------------------------------------------------------------------


def dense(x, W, b):
    return np.tanh(x @ W + b)


def layers(W1, b1, W2, X):
    h = dense(X, W1, b1)
    return np.sum(dense(h, W2, 0.0) ** 2)


def branches(w, b, x, y):
    err = w * x + b - y
    if np.mean(err) > 0:
        err = err * 2.0
    return np.mean(err ** 2)


def elementwise(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def softmax_loss(params, X, Y):
    z = X @ params["W"] + params["b"]
    s = z - np.max(z, axis=1, keepdims=True)
    return -np.mean(np.sum(Y * (s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))), axis=1))


rng = np.random.default_rng(7)
PROGRAMS = [
    (layers, (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)),
              rng.normal(size=(5, 3))), (0, 1, 2)),
    (rnn, (rng.normal(size=(2, 3)), 0.5 * rng.normal(size=(3, 3)), rng.normal(size=3),
           rng.normal(size=(4, 2, 2))), (0, 1, 2)),
    (branches, (0.5, 0.1, rng.normal(size=5), rng.normal(size=5)), (0, 1)),
    (elementwise, (np.linspace(-1, 1, 7),), (0,)),
]
OPTIONAL = [step.name for _, step in STEPS if not step.essential]


@pytest.fixture
def small_arrays(monkeypatch):
    monkeypatch.setattr(buffer_reuse, "MIN_SIZE", 1)  # so that it rewrites these programs


@pytest.mark.parametrize("name", sorted(set(OPTIONAL)))
def test_gradients_are_right_without_any_one_step(name, small_arrays):
    with skipping(name):
        for f, args, wrt in PROGRAMS:
            assert_grads_match(f, srcgrad.grad(f, wrt=wrt)(*args), args, wrt)
            value, grads = srcgrad.value_and_grad(f, wrt=wrt)(*args)
            assert value == pytest.approx(f(*args))
            assert_grads_match(f, grads, args, wrt)
        params = {"W": rng.normal(size=(4, 3)), "b": np.zeros(3)}
        X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
        got = srcgrad.grad(softmax_loss)(params, X, Y)
        for key in params:
            def of_one(v, key=key):
                return softmax_loss({**params, key: v}, X, Y)
            np.testing.assert_allclose(got[key], numerical_grad(of_one, [params[key]], 0),
                                       rtol=1e-5, atol=1e-6)
        x = np.linspace(-1, 1, 7)
        _, tangent = srcgrad.jvp(elementwise)(x, tangent=np.ones(7))
        assert tangent == pytest.approx(float(np.sum(numerical_grad(elementwise, [x], 0))))


def test_skipping_an_unknown_step_is_an_error():
    with pytest.raises(ValueError, match="no such step"):
        with skipping("no_such_pass"):
            pass
