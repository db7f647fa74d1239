"""Pytrees: flatten, rebuild and map over nested dicts, tuples and lists of arrays."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class TreeDef:
    """The structure of a pytree with its leaves taken out.

    Hashable and comparable with ``==``: two trees have the same structure
    exactly when their treedefs are equal.

    ``node`` is the container type (``dict``, ``tuple``, ``list``, a
    namedtuple or dataclass, or ``type(None)``), or None for a leaf; ``keys`` holds a
    dict's keys (a dataclass's field names) in order; ``children`` holds the
    children's treedefs.
    """

    node: type | None
    keys: tuple = ()
    children: tuple = ()

    def describe(self) -> str:
        """A short phrase for this node alone, used in error messages."""
        if self.node is None:
            return "a leaf"
        if self.node is type(None):
            return "None"
        if issubclass(self.node, dict) or dataclasses.is_dataclass(self.node):
            return f"{self.node.__name__} with keys {list(self.keys)}"
        return f"{self.node.__name__} of length {len(self.children)}"

    def difference(self, other: TreeDef, path: str = "") -> str | None:
        """Where ``other`` first differs from this structure, or None if equal."""
        if self == other:
            return None
        if (self.node is not other.node or self.keys != other.keys
                or len(self.children) != len(other.children)):
            return f"at {path or 'the top level'}: {self.describe()} vs {other.describe()}"
        labels = self.keys or range(len(self.children))
        for label, mine, theirs in zip(labels, self.children, other.children):
            found = mine.difference(theirs, f"{path}[{label!r}]")
            if found:
                return found
        return None  # pragma: no cover - unequal treedefs always differ somewhere


_LEAF = TreeDef(None)
_MISSING = object()


def _is_namedtuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _flatten(tree: Any, leaves: list) -> TreeDef:
    if tree is None:
        return TreeDef(type(None))
    if isinstance(tree, dict):
        keys = tuple(tree)
        return TreeDef(type(tree), keys, tuple(_flatten(tree[k], leaves) for k in keys))
    if isinstance(tree, (tuple, list)):
        return TreeDef(type(tree), (), tuple(_flatten(child, leaves) for child in tree))
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        keys = tuple(f.name for f in dataclasses.fields(tree))
        return TreeDef(type(tree), keys, tuple(_flatten(getattr(tree, k), leaves) for k in keys))
    leaves.append(tree)  # anything else is a leaf: arrays, numpy scalars, numbers
    return _LEAF


def tree_flatten(tree: Any) -> tuple[list, TreeDef]:
    """Split ``tree`` into its leaves (depth first, dict keys in order) and its treedef."""
    leaves: list = []
    treedef = _flatten(tree, leaves)
    return leaves, treedef


def _build(treedef: TreeDef, leaves: Iterator) -> Any:
    node = treedef.node
    if node is None:
        try:
            return next(leaves)
        except StopIteration:
            raise ValueError("tree_unflatten: too few leaves for the treedef") from None
    if node is type(None):
        return None
    children = [_build(child, leaves) for child in treedef.children]
    if issubclass(node, dict):
        return node(zip(treedef.keys, children))
    if _is_namedtuple(node):
        return node(*children)
    if dataclasses.is_dataclass(node):  # its fields set as they are, frozen ones too
        made = object.__new__(node)
        for key, child in zip(treedef.keys, children):
            object.__setattr__(made, key, child)
        return made
    return node(children)


def tree_unflatten(treedef: TreeDef, leaves: list) -> Any:
    """Rebuild a tree of structure ``treedef`` from ``leaves`` (the inverse of tree_flatten)."""
    it = iter(leaves)
    tree = _build(treedef, it)
    if next(it, _MISSING) is not _MISSING:
        raise ValueError("tree_unflatten: too many leaves for the treedef")
    return tree


def tree_leaves(tree: Any) -> list:
    """The leaves of ``tree`` in flattening order."""
    return tree_flatten(tree)[0]


def tree_map(fn: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``fn`` leafwise: ``fn(leaf, *leaves_at_same_place_in_rest)``.

    Every tree in ``rest`` must have the structure of ``tree``; otherwise a
    ValueError names the first place where they differ.
    """
    leaves, treedef = tree_flatten(tree)
    others = []
    for position, other in enumerate(rest, start=2):
        other_leaves, other_def = tree_flatten(other)
        if other_def != treedef:
            raise ValueError(
                f"tree_map: tree {position} does not have the structure of tree 1 "
                f"{treedef.difference(other_def)}")
        others.append(other_leaves)
    return tree_unflatten(treedef, [fn(*xs) for xs in zip(leaves, *others)])
