"""The facts declared for methods and attributes (rules/core.py) agree with what Python and
NumPy do, each call tried on a fresh object: a method said to change its object changes
it, one said to make a new value returns memory of its own and leaves its object as it
was, an attribute said to be metadata shares no memory with its array. The tables below
are the oracle's calls; every method of them must be declared (a fact not declared is
False: the passes then assume the method may do anything)."""

import copy

import numpy as np
import pytest

from srcgrad.rules.facts import attribute, facts_of, method


def _array():
    return np.arange(6.0).reshape(2, 3)


# method -> a fresh object and the call's arguments: each call changes its object
CHANGES_ITS_OBJECT = {
    "append": (list, [1], (3,)), "extend": (list, [1], ([3],)), "insert": (list, [1], (0, 3)),
    "pop": (list, [1], ()), "remove": (list, [1], (1,)), "clear": (list, [1], ()),
    "sort": (list, [2, 1], ()), "reverse": (list, [2, 1], ()),
    "update": (dict, {1: 2}, ({3: 4},)), "popitem": (dict, {1: 2}, ()),
    "setdefault": (dict, {1: 2}, (3, 4)), "add": (set, {1}, (2,)), "discard": (set, {1}, (1,)),
    "difference_update": (set, {1}, ({1},)), "intersection_update": (set, {1}, ({2},)),
    "symmetric_difference_update": (set, {1}, ({2},)),
    "fill": (np.array, [1.0, 2.0], (0.0,)), "put": (np.array, [1.0, 2.0], ([0], [5.0])),
    "itemset": (np.array, [1.0, 2.0], (0, 5.0)), "partition": (np.array, [2.0, 1.0], (0,)),
    "byteswap": (np.array, [1.0, 2.0], (True,)), "__setitem__": (list, [1], (0, 2)),
    "__delitem__": (list, [1], (0,)), "__iadd__": (list, [1], ([2],)),
    "__isub__": (np.array, [1.0, 2.0], (1.0,)), "__imul__": (list, [1], (2,)),
    "__itruediv__": (np.array, [1.0, 2.0], (2.0,)),
}

# methods of an array that make a new value (the call's arguments)
MAKES_NEW = {
    "argmax": (), "argmin": (), "argsort": (), "any": (), "all": (), "round": (),
    "tolist": (), "item": (0,), "flatten": (), "nonzero": (), "ptp": (),
    "searchsorted": (2.0,), "compress": ([True, False],), "choose": ([[1, 2, 3], [4, 5, 6]],),
    "dot": (np.ones(3),),
}
METADATA = ["shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"]


def _call(name, obj, args):
    if name == "ptp":  # a method of arrays in NumPy 1.x only
        return np.ptp(obj, *args)
    if name == "itemset" and not hasattr(obj, "itemset"):  # NumPy 2: gone; x[i] = v
        obj[args[0]] = args[1]
        return None
    if name == "choose":
        return np.array([0, 1, 0]).choose(*args)
    if name == "searchsorted":  # of a sorted vector
        return obj.ravel().searchsorted(*args)
    return getattr(obj, name)(*args)


@pytest.mark.parametrize("name", sorted(CHANGES_ITS_OBJECT))
def test_a_method_that_changes_its_object_is_declared_so(name):
    kind, value, args = CHANGES_ITS_OBJECT[name]
    obj = kind(copy.deepcopy(value))
    before = copy.deepcopy(obj)
    _call(name, obj, args)
    changed = (not np.array_equal(obj, before)) if isinstance(obj, np.ndarray) else obj != before
    assert changed, f".{name}() left its object as it was"
    assert facts_of(method(name)).writes_object, f".{name}() is not declared writes_object"


@pytest.mark.parametrize("name", sorted(MAKES_NEW))
def test_a_method_that_makes_a_new_value_is_declared_so(name):
    x = _array()
    before = x.copy()
    result = _call(name, x, MAKES_NEW[name])
    arrays = result if isinstance(result, tuple) else (result,)
    assert not any(isinstance(a, np.ndarray) and np.shares_memory(a, x) for a in arrays)
    np.testing.assert_array_equal(x, before)
    declared = facts_of(method(name))
    assert declared.makes_new and declared.writes_none, name


@pytest.mark.parametrize("name", METADATA)
def test_an_attribute_of_shape_or_dtype_is_metadata(name):
    x = _array()
    value = getattr(x, name)
    assert not (isinstance(value, np.ndarray) and np.shares_memory(value, x))
    declared = facts_of(attribute(name))
    assert declared.metadata and declared.writes_none, name


@pytest.mark.parametrize("name", ["view", "conj", "conjugate"])
def test_a_method_that_may_give_its_array_back_is_a_view(name):
    x = _array()
    assert np.shares_memory(getattr(x, name)(), x)
    assert facts_of(method(name)).view, name
