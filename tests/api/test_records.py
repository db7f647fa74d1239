"""Records as parameters: namedtuples and dataclasses (frozen or not), read by attribute,
with gradients of the same record type; forward mode and second order too; fitting them
with srcgrad.optim."""

import dataclasses
from collections import namedtuple

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad.optim import Adam
from srcgrad.tree import tree_flatten, tree_unflatten

Layer = namedtuple("Layer", "W b")
Record = namedtuple("Record", "W b scale")


@dataclasses.dataclass
class Params:
    W: np.ndarray
    b: np.ndarray
    scale: float = 1.0


@dataclasses.dataclass(frozen=True)
class Frozen:
    W: np.ndarray
    b: np.ndarray
    scale: float = 1.0


def predict(p, x):
    return p.scale * np.tanh(x @ p.W + p.b)


def loss(p, x, y):
    return np.mean((predict(p, x) - y) ** 2)


def deep_loss(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer.W + layer.b)
    return np.sum(h ** 2)


rng = np.random.default_rng(11)
X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))


def make(kind):
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    return kind(W, b, 0.7)


def as_vector(p):
    leaves, _ = tree_flatten(p)
    return np.concatenate([np.ravel(leaf) for leaf in leaves])


def from_vector(v, like):
    leaves, treedef = tree_flatten(like)
    out, at = [], 0
    for leaf in leaves:
        size = np.size(leaf)
        chunk = v[at:at + size]
        out.append(chunk.reshape(np.shape(leaf)) if np.ndim(leaf) else float(chunk[0]))
        at += size
    return tree_unflatten(treedef, out)


@pytest.mark.parametrize("kind", [Record, Params, Frozen])
def test_gradient_is_a_record_of_the_same_type_matching_finite_differences(kind):
    p = make(kind)
    g = srcgrad.grad(loss)(p, X, Y)
    assert type(g) is kind
    expected = numerical_grad(lambda v: loss(from_vector(v, p), X, Y), (as_vector(p),), 0)
    np.testing.assert_allclose(as_vector(g), expected, rtol=1e-6, atol=1e-9)
    assert g.W is not p.W and not np.may_share_memory(g.W, p.W)


def test_a_list_of_records_in_a_loop():
    layers = [Layer(rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3)) for _ in range(3)]
    grads = srcgrad.grad(deep_loss)(layers, X)
    assert all(type(g) is Layer for g in grads)
    flat = numerical_grad(lambda v: deep_loss(from_vector(v, layers), X),
                          (as_vector(layers),), 0)
    np.testing.assert_allclose(as_vector(grads), flat, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", [Record, Params, Frozen])
def test_jvp_of_records(kind):
    p = make(kind)
    direction = make(kind)
    value, tangent = srcgrad.jvp(loss)(p, X, Y, tangent=direction)
    assert value == pytest.approx(loss(p, X, Y))
    eps = 1e-6
    v, d = as_vector(p), as_vector(direction)
    fd = (loss(from_vector(v + eps * d, p), X, Y)
          - loss(from_vector(v - eps * d, p), X, Y)) / (2 * eps)
    assert tangent == pytest.approx(fd, rel=1e-6)


def test_fitting_a_dataclass_with_adam_reduces_the_loss():
    p = make(Params)
    opt = Adam(lr=0.05)
    gradient = srcgrad.grad(loss)
    first = loss(p, X, Y)
    for _ in range(50):
        p = opt.step(p, gradient(p, X, Y))
    assert type(p) is Params and loss(p, X, Y) < 0.7 * first


@pytest.mark.parametrize("kind", [Record, Params, Frozen])
def test_second_order_of_records(kind):
    """hvp with respect to a record (a record comes back), the Hessian with respect to the
    data with the record's fields read as constants; a Hessian with respect to a record is
    refused saying hvp."""
    p, direction = make(kind), make(kind)
    got = srcgrad.hvp(loss)(p, X, Y, tangent=direction)
    assert type(got) is kind
    eps = 1e-5
    v, d = as_vector(p), as_vector(direction)
    gradient = srcgrad.grad(loss)
    fd = (as_vector(gradient(from_vector(v + eps * d, p), X, Y))
          - as_vector(gradient(from_vector(v - eps * d, p), X, Y))) / (2 * eps)
    np.testing.assert_allclose(as_vector(got), fd, rtol=1e-5, atol=1e-8)
    x = X[:2]
    hessian = srcgrad.hessian(loss, wrt=1)(p, x, Y[:2])
    by_x = srcgrad.grad(loss, wrt=1)
    columns = [np.ravel(numerical_grad(lambda x: np.ravel(by_x(p, x, Y[:2]))[i], (x,), 0))
               for i in range(x.size)]
    np.testing.assert_allclose(np.reshape(hessian, (x.size, x.size)), columns, rtol=1e-5,
                               atol=1e-7)
    with pytest.raises(srcgrad.SrcGradError, match="hvp"):
        srcgrad.hessian(loss)(p, X, Y)
