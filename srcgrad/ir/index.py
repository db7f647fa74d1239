"""What the passes ask again and again of the statements of one body: their nodes, their
names, the names they read and bind. The fused gradient's passes never change a statement
in place (one they rewrite is a copy), so each statement is walked once for all of them
instead of once per pass and per question.

Only for nodes nothing changes any more: a statement of the body a pass was handed, or a
part of one. A node a pass is still building or rewriting is asked of `build` directly.
With SRCGRAD_CHECK_INDEX set, every answer is checked against a fresh walk (the tests
run the fused passes so), and a node changed in place raises AssertionError.
"""

from __future__ import annotations

import os
from collections import Counter

import gast

from . import build

CHECK = bool(os.environ.get("SRCGRAD_CHECK_INDEX"))


class _Walked:
    """One node's answers (the node kept, so that its id is not taken by another while
    the index lives)."""

    __slots__ = ("node", "names", "reads", "writes", "loaded", "stored", "ids")

    def __init__(self, node, names):
        self.node, self.names = node, names
        self.reads = tuple(n.id for n in names if type(n.ctx) is gast.Load)
        self.writes = tuple(n.id for n in names if type(n.ctx) is gast.Store)
        self.loaded = self.stored = self.ids = None


class Index:
    """Per-node answers, each computed once."""

    def __init__(self):
        self._nodes = {}  # id -> (node, its nodes in walk order)
        self._walked = {}  # id -> _Walked
        self._known = {}  # (id, question) -> (node, answer)

    def nodes(self, node) -> list:
        """`build.nodes(node)` (do not change the list)."""
        known = self._nodes.get(id(node))
        if known is None or known[0] is not node:
            known = self._nodes[id(node)] = (node, build.nodes(node))
        elif CHECK:
            _same(known[1], build.nodes(node), node)
        return known[1]

    def _entry(self, node) -> _Walked:
        known = self._walked.get(id(node))
        if known is None or known.node is not node:
            known = self._walked[id(node)] = _Walked(node, build.names(node))
        elif CHECK:
            fresh = _Walked(node, build.names(node))
            _same(known.names, fresh.names, node)
            assert (known.reads, known.writes) == (fresh.reads, fresh.writes), (
                f"renamed in place after the index walked it: {build.source_text(node)}")
        return known

    def names(self, node) -> list:
        """`build.names(node)` of one node (do not change the list)."""
        return self._entry(node).names

    def reads(self, node) -> tuple:
        """The ids of the names `node` reads, once per read, in walk order."""
        return self._entry(node).reads

    def writes(self, node) -> tuple:
        """The ids of the names `node` binds, once per binding, in walk order."""
        return self._entry(node).writes

    def loaded(self, node) -> frozenset:
        """`build.loaded(node)`."""
        known = self._entry(node)
        if known.loaded is None:
            known.loaded = frozenset(known.reads)
        return known.loaded

    def stored(self, node) -> frozenset:
        """`build.stored(node)`."""
        known = self._entry(node)
        if known.stored is None:
            known.stored = frozenset(known.writes)
        return known.stored

    def ids(self, node) -> frozenset:
        """The ids of all the names of `node` (read, bound or deleted)."""
        known = self._entry(node)
        if known.ids is None:
            known.ids = frozenset(n.id for n in known.names)
        return known.ids

    def known(self, node, question, answer):
        """`answer(node)`, worked out once per node for `question` (a key naming `answer`
        and what it reads besides the node: `("pure", numpy)`)."""
        found = self._known.get((id(node), question))
        if found is None or found[0] is not node:
            found = self._known[id(node), question] = (node, answer(node))
        elif CHECK:
            assert found[1] == answer(node), (
                f"changed in place after the index read it: {build.source_text(node)}")
        return found[1]

    def renamed(self, stmt, mapping: dict):
        """`build.renamed(stmt, mapping)`: `stmt` itself if it has no name to rename."""
        if mapping and any(name in mapping for name in self.ids(stmt)):
            return build.renamed(stmt, mapping)
        return stmt

    def rewritten(self, body, transformer, found) -> list:
        """`build.rewritten(body, transformer, found)`."""
        return [transformer.visit(build.clone(stmt)) if any(map(found, self.nodes(stmt)))
                else stmt for stmt in body]

    def loaded_in(self, body) -> set:
        """The names a list of statements reads."""
        return set().union(*map(self.loaded, body))

    def bindings(self, body) -> Counter:
        """`build.bindings(body)` of a list of statements."""
        found = Counter()
        for stmt in body:
            found.update(self.writes(stmt))
        return found

    def read_counts(self, body) -> Counter:
        """How many times `body` (a list of statements) reads each name."""
        found = Counter()
        for stmt in body:
            found.update(self.reads(stmt))
        return found


def _same(known, fresh, node):
    assert len(known) == len(fresh) and all(a is b for a, b in zip(known, fresh)), (
        f"changed in place after the index walked it: {build.source_text(node)}")
