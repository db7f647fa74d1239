"""Pytrees: flatten, rebuild and map over nested dicts, tuples and lists of arrays (the
public face of srcgrad.ir.pytree, which srcgrad.optim walks parameters with)."""

from .ir.pytree import TreeDef, tree_flatten, tree_leaves, tree_map, tree_unflatten

__all__ = ["TreeDef", "tree_flatten", "tree_leaves", "tree_map", "tree_unflatten"]
