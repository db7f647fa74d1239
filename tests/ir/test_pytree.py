from collections import namedtuple

import numpy as np
import pytest

from srcgrad.tree import TreeDef, tree_flatten, tree_leaves, tree_map, tree_unflatten


def nested():
    return {"b": (np.arange(3.0), [1.5, np.float32(2.0)]), "a": None, "c": [], "d": 7}


def test_flatten_order_and_round_trip():
    tree = nested()
    leaves, treedef = tree_flatten(tree)
    # depth first, dict keys in insertion order (not sorted): b's leaves come before d
    assert len(leaves) == 4
    assert leaves[0] is tree["b"][0]
    assert leaves[1:] == [1.5, np.float32(2.0), 7]
    rebuilt = tree_unflatten(treedef, leaves)
    assert list(rebuilt) == ["b", "a", "c", "d"]
    assert type(rebuilt["b"]) is tuple and type(rebuilt["b"][1]) is list
    assert rebuilt["a"] is None and rebuilt["c"] == []
    assert rebuilt["b"][0] is tree["b"][0] and rebuilt["d"] == 7


def test_single_leaf_and_none():
    leaves, treedef = tree_flatten(np.ones(2))
    assert len(leaves) == 1 and tree_unflatten(treedef, [3.0]) == 3.0
    assert tree_flatten(None) == ([], TreeDef(type(None)))
    assert tree_unflatten(tree_flatten(None)[1], []) is None


def test_namedtuple_is_rebuilt_as_itself():
    Point = namedtuple("Point", "x y")
    leaves, treedef = tree_flatten(Point(1.0, [2.0]))
    assert leaves == [1.0, 2.0]
    assert tree_unflatten(treedef, [5.0, 6.0]) == Point(5.0, [6.0])


def test_treedef_is_hashable_and_comparable():
    _, t1 = tree_flatten(nested())
    _, t2 = tree_flatten(nested())
    _, t3 = tree_flatten({"a": None, "b": (np.arange(3.0), [1.5, 2.0]), "c": [], "d": 7})
    assert t1 == t2 and hash(t1) == hash(t2)
    assert t1 != t3  # same keys, different order
    assert len({t1, t2, t3}) == 2
    assert tree_flatten((1.0, 2.0))[1] != tree_flatten([1.0, 2.0])[1]


def test_unflatten_wrong_leaf_count():
    _, treedef = tree_flatten((1.0, 2.0))
    with pytest.raises(ValueError, match="too few"):
        tree_unflatten(treedef, [1.0])
    with pytest.raises(ValueError, match="too many"):
        tree_unflatten(treedef, [1.0, 2.0, 3.0])


def test_tree_leaves():
    assert tree_leaves({"x": [1.0, (2.0,)], "y": 3.0}) == [1.0, 2.0, 3.0]


def test_tree_map_over_two_trees():
    a = {"w": np.array([1.0, 2.0]), "b": 0.5, "rest": (1.0, [2.0])}
    b = {"w": np.array([10.0, 20.0]), "b": 4.0, "rest": (3.0, [4.0])}
    out = tree_map(lambda x, y: x * 2 + y, a, b)
    np.testing.assert_array_equal(out["w"], [12.0, 24.0])
    assert out["b"] == 5.0 and out["rest"] == (5.0, [8.0])
    assert list(out) == ["w", "b", "rest"]
    assert tree_map(lambda x: -x, 3.0) == -3.0


@pytest.mark.parametrize("other, where", [
    ({"w": 1.0, "b": [1.0, 2.0]}, r"at \['b'\]: a leaf vs list of length 2"),
    ({"w": 1.0, "c": 2.0},
     r"at the top level: dict with keys \['w', 'b'\] vs dict with keys \['w', 'c'\]"),
    ({"w": 1.0}, r"at the top level: dict with keys \['w', 'b'\] vs dict with keys \['w'\]"),
    ([1.0, 2.0], r"at the top level: dict .* vs list of length 2"),
])
def test_tree_map_structure_mismatch(other, where):
    with pytest.raises(ValueError, match=r"tree 2 does not have the structure of tree 1 " + where):
        tree_map(lambda x, y: x + y, {"w": 1.0, "b": 2.0}, other)


def test_tree_map_mismatch_names_nested_path():
    with pytest.raises(ValueError, match=r"tree 3 .* at \['p'\]\[1\]: a leaf vs None"):
        tree_map(lambda *xs: 0, {"p": (1.0, 2.0)}, {"p": (1.0, 2.0)}, {"p": (1.0, None)})
