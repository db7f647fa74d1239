"""index.py: the fused passes' shared answers about statements, equal to build's walks,
and valid only because no fused pass changes a statement in place (checked here)."""

import gast
import numpy as np
import pytest
from finite_diff import checked_source

from srcgrad.ir import build, index
from srcgrad.ir.index import Index

BODY = """
a = b + c * np.exp(b)
d, e = f(a, out=g)
if a > 0:
    h = a[1:] - d
else:
    del e
for i in range(3):
    k += h * i
"""


def test_answers_are_those_of_build():
    body, known = gast.parse(BODY).body, Index()
    for _ in range(2):  # asked again: the same answers
        for stmt in body:
            nodes = [stmt] + build.nodes(stmt)[1:3]
            for node in nodes:
                assert [id(n) for n in known.nodes(node)] == [id(n) for n in build.nodes(node)]
                assert [id(n) for n in known.names(node)] == [id(n) for n in build.names(node)]
                assert known.loaded(node) == build.loaded(node)
                assert known.stored(node) == build.stored(node)
                assert known.ids(node) == {n.id for n in build.names(node)}
        assert known.bindings(body) == build.bindings(body)
        assert known.loaded_in(body) == build.loaded(body)
        assert dict(known.read_counts(body)) == {
            name: [n.id for n in build.names(body) if type(n.ctx) is gast.Load].count(name)
            for name in build.loaded(body)}


def test_renamed_copies_only_what_it_renames():
    body, known = gast.parse(BODY).body, Index()
    assert known.renamed(body[0], {"zz": "y"}) is body[0]
    copy = known.renamed(body[0], {"b": "y"})
    assert copy is not body[0] and build.source_text(copy) == "a = y + c * np.exp(y)"
    assert build.source_text(body[0]) == "a = b + c * np.exp(b)"


def test_known_answers_once_per_node(monkeypatch):
    monkeypatch.setattr(index, "CHECK", False)  # (which asks again, to compare)
    body, known, asked = gast.parse(BODY).body, Index(), []

    def answer(node):
        asked.append(node)
        return type(node).__name__
    assert [known.known(s, "kind", answer) for s in body * 2] == [
        "Assign", "Assign", "If", "For"] * 2
    assert len(asked) == 4


def test_a_statement_changed_in_place_is_caught(monkeypatch):
    monkeypatch.setattr(index, "CHECK", True)
    body, known = gast.parse(BODY).body, Index()
    known.names(body[0])
    known.nodes(body[1])
    body[0].value.left = build.load("q")
    with pytest.raises(AssertionError, match="changed in place"):
        known.names(body[0])
    body[1].value.args.append(build.const(1))
    with pytest.raises(AssertionError, match="changed in place"):
        known.nodes(body[1])
    body[2].test.left.id = "renamed"
    known.names(body[2])  # first asked now: nothing to compare
    body[2].test.left.id = "again"
    with pytest.raises(AssertionError, match="renamed in place"):
        known.loaded(body[2])


def large_layers(X, W1, W2):
    h = np.tanh(X @ W1 + 0.1)
    h = h * h + 0.5 * h
    z = h @ W2
    return np.sum(np.log1p(np.exp(-z * z))) / 7


def looping(x, W, c):
    h = np.tanh(x @ W)
    for k in range(3):
        if c > 0.5:
            h = np.tanh(h * c + 0.1)
        else:
            h = h - 0.1 * h * h
        h = h + 0.01 * np.sin(h)
    return np.sum(h * h)


def rows(X, W, U):
    h = np.zeros(W.shape[1])
    total = 0.0
    for t in range(X.shape[0]):
        h = np.tanh(X[t] @ W + h @ U)
        total = total + np.sum(h * h)
    return total


@pytest.mark.parametrize("f, shapes, wrt", [
    (large_layers, [(8, 6), (6, 5), (5, 3)], (1, 2)),
    (looping, [(8, 4), (4, 4), ()], (1,)),
    (rows, [(6, 3), (3, 5), (5, 5)], (1, 2)),
])
def test_no_fused_pass_changes_a_statement_in_place(monkeypatch, f, shapes, wrt):
    """Every answer of the index checked against a fresh walk while the fused passes run
    (float64 arrays, which buffer_reuse computes into whatever their size; loops with
    tapes)."""
    monkeypatch.setattr(index, "CHECK", True)
    rng = np.random.default_rng(1)
    args = [rng.standard_normal(s) * 0.3 if s else 0.7 for s in shapes]
    assert "_grad(" in checked_source(f, args, wrt)  # the fused gradient was made
