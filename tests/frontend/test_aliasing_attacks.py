"""Hostile programs against the aliasing model (srcgrad/aliasing.py), written by hand.

Each program is judged by tests/alias_oracles.py: NumPy's own value on copies of the
inputs, central finite differences, three calls of the grad object (the specialized code
and its entry), vjp (the general code), jvp, the inputs unchanged; some also the Hessian.

- PASSING: exact today; regression tests.
- REFUSED: a legitimate refusal (a view that would see the change; the caller's data
  would change) or a construct srcgrad does not support (refused with a SrcGradError,
  never a wrong number).
- FIXED: the wrong values, wrong gradients, crashes and over-refusals this file first
  found (each was an xfail(strict=True) test, by root cause), now exact:
  A  a method call's receiver is an operand (`h.reshape(...)`, `hs.copy()`, `p.get(k)`);
     a view made by a method then written is refused as a view
  B  `hs[0] += e` updates the item in place (if mutable), then puts it back
  C  set_at on a list keeps a list
  D  `h += v` with other references keeps h's type, dtype and shape (`kept_as`)
  E  `m = x * 0.5` holds nothing (only lists and tuples hold items)
  F  a view read after any write into its array is refused (not followed)
  G  `a + [b]`, `t += (x,)`: concatenation, with its own rule
  H  `for k in p:` walks a dict's keys (`in_order`)
  I  a helper whose value holds nothing of its arguments gives a new value
  K  a name bound on both paths of an `if`, of unknown shape on one, is unknown after
     it (shapeinfo's join kept the other path's shape)
"""

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest
from alias_oracles import judge

import srcgrad
from srcgrad import SrcGradError

X = np.array([0.7, -1.2, 1.5])
Rec = namedtuple("Rec", "a b")


@dataclass
class Box:
    a: object
    b: object


# --- PASSING ---------------------------------------------------------------------------


def ifexp_alias(x, c):
    h = x * 1.0
    a = h if c > 0 else x
    h += x
    return np.sum(a * x)


def ifexp_alias_else(x, c):
    h = x * 1.0
    a = h if c < 0 else x * 2.0
    h += x
    return np.sum(a * x)


def alias_in_one_branch_written_in_another(x, c):
    h = x * 1.0
    a = x * 3.0
    if c > 0:
        a = h
    if c < 5:
        h[0] = x[1] * x[2]
    return np.sum(a * x)


def alias_bound_late_in_a_loop(x, c):
    h = x * 1.0
    prev = x * 0.0
    s = 0.0
    for i in range(3):
        s = s + np.sum(prev * x)
        h *= x
        prev = h
    return s + np.sum(prev)


def alias_read_at_the_top_of_the_next_iteration(x, c):
    h = x * 1.0
    acc = 0.0
    for i in range(3):
        if i > 0:
            acc = acc + np.sum(keep * x)
        h[i] = x[i] * 2.0
        keep = h
    return acc + np.sum(keep)


def container_shared_by_two_names(x, c):
    h = x * 1.0
    inner = [h]
    a = [inner, x]
    b = (inner,)
    h[1] = x[0] * x[2]
    return np.sum(a[0][0] * b[0][0] * x)


def list_that_holds_itself(x, c):
    h = x * 1.0
    lst = [h]
    lst.append(lst)
    h[0] = x[1] ** 2
    return np.sum(lst[1][0] * x)


def slice_copy_of_a_list(x, c):
    h = x * 1.0
    hs = [h]
    hs2 = hs[:]
    h *= 3.0
    hs.append(x)
    return np.sum(hs2[0] * x) + len(hs2)


def asarray_is_the_same_array(x, c):
    h = x * 1.0
    a = np.asarray(h)
    h[0] = x[1] * 7.0
    return np.sum(a * x)


def zero_d_plus_equals(x, c):
    h = np.zeros(())
    a = h
    h += x[0] * x[1]
    return float(a) * x[2]


def zero_d_item_assignment(x, c):
    h = np.array(1.0)
    hs = [h]
    h[()] = x[0] * x[1]
    return np.sum(hs[0] * x)


def float32_held(x, c):
    h = (x * 1.0).astype(np.float32)
    hs = [h]
    h += np.float32(2.0) * h
    return np.sum(hs[0].astype(np.float64) * x)


def float32_item_assignment(x, c):
    h = np.zeros(3, dtype=np.float32)
    hs = [h]
    h[0] = x[1] * 3.0
    return np.sum(hs[0] * x) + float(hs[0].dtype == np.float32)


def plus_equals_broadcasts(x, c):
    h = np.zeros((2, 3))
    hs = [h]
    h += x
    h += x[:2, None] * x[0]
    return np.sum(hs[0] * x)


def float_plus_equals_keeps_the_old(x, c):
    s = x[0] * 1.0
    old = s
    s += x[1]
    return s * old


def float_in_a_list(x, c):
    s = float(x[0]) * 2.0
    lst = [s]
    s += x[1]
    return lst[0] * s


def floats_in_a_loop(x, c):
    s = 0.0
    olds = []
    for i in range(3):
        olds.append(s)
        s += float(np.sum(x * i)) * s + x[i]
    return s * olds[1] + olds[2]


def numpy_scalar_plus_equals(x, c):
    s = np.sum(x)
    old = s
    s += x[0]
    return s * old


def two_names_both_written(x, c):
    h = x * 1.0
    a = h
    a += x
    h *= x
    return np.sum(a) + np.sum(h)


def item_updated_in_place_no_other_holder(x, c):
    hs = [x * 1.0, x * 2.0]
    hs[0] += x
    return np.sum(hs[0] * hs[1])


def stack_of_one_array_appended_and_written(x, c):
    hs = []
    h = x * 1.0
    for i in range(3):
        hs.append(h)
        h[i] = x[i] * 2.0
    return np.sum(np.stack(hs) * x)


def loop_over_items_updates_each(x, c):
    hs = [x * 1.0, x * 2.0]
    for v in hs:
        v += x
    return np.sum(hs[0] * hs[1])


def loop_over_items_assigns_into_each(x, c):
    hs = [x * 1.0, x * 2.0]
    for v in hs:
        v[0] = x[1] * 3.0
    return np.sum(hs[0] * hs[1] * x)


def loop_rebinding_the_list_it_iterates(x, c):
    hs = [x * 1.0, x * 2.0, x * 3.0]
    s = 0.0
    for v in hs:
        hs = [v * x, v, v]
        s = s + np.sum(v)
    return s + np.sum(hs[0])


def dict_item_assigned_then_array_updated(x, c):
    h = x * 1.0
    p = {}
    p["a"] = h
    h += x
    return np.sum(p["a"] * x)


def dict_values_assigned_into(x, c):
    p = {}
    p["a"] = x * 1.0
    p["b"] = x * 2.0
    for v in p.values():
        v[0] = x[2]
    return np.sum(p["a"] * p["b"] * x)


def dict_items_updated(x, c):
    p = {}
    p["a"] = x * 1.0
    p["b"] = x * 2.0
    for k, v in p.items():
        v *= 2.0
    return np.sum(p["a"] * p["b"])


def tuple_unpacked_then_updated(x, c):
    h = x * 1.0
    t = (h, x)
    a, b = t
    h *= x
    return np.sum(a * b)


def list_in_a_tuple(x, c):
    h = x * 1.0
    t = ([h], x)
    h[1] = x[0] * 4.0
    return np.sum(t[0][0] * t[1])


def last_item_updated(x, c):
    hs = []
    for i in range(3):
        hs.append(x * (i + 1.0))
    last = hs[-1]
    last += x
    return np.sum(hs[2] * x)


def stacked_between_writes(x, c):
    h = x * 1.0
    hs = [h, h]
    h[0] = 2.0 * x[1]
    s = np.stack(hs)
    h[1] = 3.0 * x[0]
    return np.sum(s * x) + np.sum(np.stack(hs) * x)


def ident(v):
    return v


def bump_ret(a, v):
    a += v
    return a


def bump_first(items, v):
    items[0] += v


def put(a, v):
    a[:] = v * 2.0


def helper_returns_its_argument(x, c):
    h = x * 1.0
    a = ident(h)
    h += x
    return np.sum(a * x)


def helper_writes_and_returns_its_argument(x, c):
    h = x * 1.0
    a = bump_ret(h, x)
    return np.sum(a * h * x)


def helper_updates_a_list_item(x, c):
    hs = [x * 1.0]
    bump_first(hs, x)
    return np.sum(hs[0] * x)


def helper_writes_in_a_loop_while_held(x, c):
    h = x * 1.0
    hs = [h]
    for i in range(3):
        put(h, np.sin(hs[0]) + x * i)
    return np.sum(hs[0] * x)


def list_item_replaced_then_read(x, c):
    a = x * 1.0
    b = x * 3.0
    p = [a, b]
    p[0] = x * x
    return np.sum(p[0] * p[1])


def view_of_another_row(x, c):
    h = np.outer(x, x)
    a = h[0]
    h[1] = x * 7.0
    return np.sum(a * x) + np.sum(h)


PASSING = [ifexp_alias, ifexp_alias_else, alias_in_one_branch_written_in_another,
           alias_bound_late_in_a_loop, alias_read_at_the_top_of_the_next_iteration,
           container_shared_by_two_names, list_that_holds_itself, slice_copy_of_a_list,
           asarray_is_the_same_array, zero_d_plus_equals, zero_d_item_assignment,
           float32_held, float32_item_assignment, plus_equals_broadcasts,
           float_plus_equals_keeps_the_old, float_in_a_list, floats_in_a_loop,
           numpy_scalar_plus_equals, two_names_both_written,
           item_updated_in_place_no_other_holder, stack_of_one_array_appended_and_written,
           loop_over_items_updates_each, loop_over_items_assigns_into_each,
           loop_rebinding_the_list_it_iterates, dict_item_assigned_then_array_updated,
           dict_values_assigned_into, dict_items_updated, tuple_unpacked_then_updated,
           list_in_a_tuple, last_item_updated, stacked_between_writes,
           helper_returns_its_argument, helper_writes_and_returns_its_argument,
           helper_updates_a_list_item, helper_writes_in_a_loop_while_held,
           list_item_replaced_then_read]


@pytest.mark.parametrize("f", PASSING, ids=lambda f: f.__name__)
@pytest.mark.parametrize("c", [1.0, -1.0])
def test_exact(f, c):
    outcome = judge(f, [X.copy(), c], wrt=(0,))
    assert outcome.kind == "ok", outcome


@pytest.mark.parametrize("f", [ifexp_alias, container_shared_by_two_names,
                               stack_of_one_array_appended_and_written,
                               helper_writes_in_a_loop_while_held],
                         ids=lambda f: f.__name__)
def test_exact_to_second_order(f):
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,), hessian=True)
    assert outcome.kind == "ok", outcome


# the fast path: large arrays, so the specialized code computes into dying buffers

BIG = np.random.default_rng(0).uniform(-1, 1, size=(128, 130))


def big_held_then_computed(x):
    h = np.sin(x)
    hs = [h]
    t = np.exp(h * 0.1)
    u = np.tanh(t)
    return np.sum(hs[0] * u)


def big_name_dead_container_alive(x):
    hs = []
    h = np.sin(x)
    hs.append(h)
    g = np.exp(h * 0.5)
    k = np.tanh(g)
    return np.sum(hs[0] * k)


def big_updated_while_held(x):
    h = np.sin(x)
    hs = [h, np.cos(x)]
    h += np.tanh(x)
    t = np.exp(h * 0.1)
    return np.sum(hs[0] * t) + np.sum(hs[1] * t)


def big_dict_item(x):
    p = {}
    a = np.sin(x)
    p["a"] = a
    b = np.cos(a)
    c = np.exp(b * 0.1)
    return np.sum(p["a"] * c)


def big_helper_writes_while_held(x):
    h = np.sin(x)
    hs = [h]
    put(h, np.tanh(x))
    t = np.exp(h * 0.1)
    return np.sum(hs[0] * t)


def big_loop_stack(x):
    h = np.sin(x)
    hs = []
    for i in range(3):
        h += np.tanh(x * i)
        hs.append(h * 1.0)
        g = np.exp(h * 0.1)
    return np.sum(np.stack(hs) * g)


@pytest.mark.parametrize("f", [big_held_then_computed, big_name_dead_container_alive,
                               big_updated_while_held, big_dict_item,
                               big_helper_writes_while_held, big_loop_stack],
                         ids=lambda f: f.__name__)
def test_the_fast_path_keeps_arrays_held_by_containers(f):
    outcome = judge(f, [BIG.copy()], wrt=(0,), calls=5)
    assert outcome.kind == "ok", outcome


# --- REFUSED -----------------------------------------------------------------------------


def np_reshape_then_write(x, c):
    h = x * 1.0
    a = np.reshape(h, (3, 1))
    h[0] = x[1] * 7.0
    return np.sum(a * x)


def transpose_then_write(x, c):
    h = np.outer(x, x)
    a = h.T
    h[0, 1] = x[1] * 7.0
    return np.sum(a[1] * x)


def row_view_then_plus_equals(x, c):
    h = np.outer(x, x)
    a = h[0]
    h += 1.0
    return np.sum(a * x)


def write_through_a_row_view(x, c):
    h = np.outer(x, x)
    a = h[0]
    a[1] = x[2] * 5.0
    return np.sum(h * x)


def plus_equals_through_a_slice(x, c):
    h = x * 1.0
    a = h[1:]
    a *= 3.0
    return np.sum(h * x)


def view_of_a_view(x, c):
    m = np.outer(x[:2], x)
    r = m[0]
    v = r[1:]
    v += x[1:]
    return np.sum(m * m)


def put_row(r, v):
    r[:] = v * 2.0


def helper_writes_a_row_view(x, c):
    h = np.outer(x, x)
    put_row(h[0], x)
    return np.sum(h * x)


def rows_iterated_while_updated(x, c):
    m = np.outer(x, x)
    s = 0.0
    for r in m:
        m += 1.0
        s = s + np.sum(r * x)
    return s


def view_kept_in_a_list(x, c):
    out = np.zeros((3, 3))
    keep = [out[0], out]
    for i in range(3):
        out[i] = np.tanh(x * i)
    return np.sum(keep[1] * x)


def writes_an_argument_through_an_alias(x, c):
    a = x
    a[0] = 1.0
    return np.sum(a * x)


def plus_equals_an_argument_through_a_list(x, c):
    hs = [x]
    h = hs[0]
    h += 1.0
    return np.sum(h)


@pytest.mark.parametrize("f, kind", [
    (np_reshape_then_write, "refused:view"), (transpose_then_write, "refused:view"),
    (row_view_then_plus_equals, "refused:view"), (write_through_a_row_view, "refused:view"),
    (plus_equals_through_a_slice, "refused:view"), (view_of_a_view, "refused:view"),
    (helper_writes_a_row_view, "refused:view"), (rows_iterated_while_updated, "refused:view"),
    (view_kept_in_a_list, "refused:view"),
    (writes_an_argument_through_an_alias, "refused:caller"),
    (plus_equals_an_argument_through_a_list, "refused:caller-at-run-time")],
    ids=lambda v: getattr(v, "__name__", v))
def test_refused_legitimately(f, kind):
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == kind, outcome


def list_boolop(x, c):
    hs = [x * 1.0]
    other = [x * 2.0]
    a = hs or other
    hs.append(x * 3.0)
    return np.sum(a[-1] * x)


def list_copied_by_list(x, c):
    h = x * 1.0
    hs = [h]
    hs2 = list(hs)
    h *= 3.0
    return np.sum(hs2[0] * x)


def view_method(x, c):
    h = x * 1.0
    a = h.view()
    h[0] = x[1] * 7.0
    return np.sum(a * x)


def namedtuple_made_here(x, c):
    h = x * 1.0
    r = Rec(h, x)
    h *= 2.0
    return np.sum(r.a * r.b)


def dataclass_made_here(x, c):
    h = x * 1.0
    r = Box(h, x)
    h *= 2.0
    return np.sum(r.a * r.b)


def dict_literal_of_arrays(x, c):
    a = x * 1.0
    p = {"a": a, "b": x * 2.0}
    a += x
    return np.sum(p["a"] * p["b"])


def nested_item_assignment(x, c):
    h = x * 1.0
    hs = [h]
    hs[0][1] = x[2] * 3.0
    return np.sum(h * x)


def list_insert(x, c):
    h = x * 1.0
    hs = [x]
    hs.insert(0, h)
    h *= 2.0
    return np.sum(hs[0] * x)


@pytest.mark.parametrize("f", [list_boolop, view_method, dataclass_made_here,
                               nested_item_assignment, list_insert], ids=lambda f: f.__name__)
def test_unsupported_constructs_are_refused_never_wrong(f):
    """Not supported today (no rule, or refused by name): a SrcGradError at the user's line."""
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "refused:other", outcome


@pytest.mark.parametrize("f", [list_copied_by_list, namedtuple_made_here,
                               dict_literal_of_arrays], ids=lambda f: f.__name__)
def test_once_unsupported_now_exact(f):
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "ok", outcome


def record_field_written(p, x):
    h = p[0]
    h[0] = x[0]
    return np.sum(h * x)


def record_item_plus_equals(p, x):
    h = p[1]
    h += x
    return np.sum(h * x)


def record_unpacked_plus_equals(p, x):
    a, b = p
    a += x
    return np.sum(a * b)


def list_argument_items_updated(ps, x):
    for q in ps:
        q *= 2.0
    return np.sum(ps[0] * x)


def dict_argument_values_updated(d, x):
    for v in d.values():
        v += x
    return np.sum(d["a"] * x)


@pytest.mark.parametrize("f, arg, kind", [
    (record_field_written, Rec(X * 1.0, X * 2.0), "refused:caller"),
    (record_item_plus_equals, Rec(X * 1.0, X * 2.0), "refused:caller-at-run-time"),
    (record_unpacked_plus_equals, Rec(X * 1.0, X * 2.0), "refused:caller-at-run-time"),
    (list_argument_items_updated, [X * 1.0, X * 2.0], "refused:caller-at-run-time"),
    (dict_argument_values_updated, {"a": X * 1.0, "b": X * 2.0}, "refused:caller-at-run-time")],
    ids=lambda v: getattr(v, "__name__", "") if callable(v) else None)
def test_containers_given_by_the_caller_are_not_changed(f, arg, kind):
    outcome = judge(f, [arg, X.copy()], wrt=(0, 1))
    assert outcome.kind == kind, outcome


# --- FIXED ----------------------------------------------------------------------------------
# Each, by its root cause (see the module docstring) and what it gave before the fix.


def reshape_method_then_write(x, c):  # A: 1.0, NumPy -8.1
    h = x * 1.0
    a = h.reshape(3, 1)
    h[0] = x[1] * 7.0
    return np.sum(a * x)


def write_through_a_reshape_method(x, c):  # A: 4.18, NumPy -2.19
    h = x * 1.0
    a = h.reshape(3, 1)
    a[0, 0] = x[1] * 7.0
    return np.sum(h * x)


def ravel_method_then_write(x, c):  # A
    h = np.outer(x, x)
    a = h.ravel()
    h[0, 0] = x[1] * 7.0
    return np.sum(a[:3] * x)


def transpose_method_then_write(x, c):  # A
    h = np.outer(x, x)
    a = h.transpose()
    h[0, 1] = x[1] * 7.0
    return np.sum(a[1] * x)


def list_copy_method(x, c):  # A: hs.copy() holds h: 5.18, NumPy 13.54
    h = x * 1.0
    hs = [h]
    hs2 = hs.copy()
    h *= 3.0
    return np.sum(hs2[0] * x)


def dict_get_then_plus_equals(x, c):  # A: 4.18, NumPy 8.36
    p = {}
    p["a"] = x * 1.0
    v = p.get("a")
    v += x
    return np.sum(p["a"] * x)


def list_item_plus_equals_seen_by_its_name(x, c):  # B: 4.18, NumPy 8.36
    h = x * 1.0
    hs = [h, x * 2.0]
    hs[0] += x
    return np.sum(h * x)


def dict_item_plus_equals_seen_by_its_name(x, c):  # B: 4.18, NumPy 8.36
    h = x * 1.0
    d = {}
    d["a"] = h
    d["a"] += x
    return np.sum(h * x)


def list_item_assigned_then_updated(x, c):  # C: 4.18, NumPy 8.36
    h = x * 1.0
    hs = [x, x]
    hs[1] = h
    h += x
    return np.sum(hs[1] * x)


def list_of_two_shapes_item_assigned(x, c):  # C: ValueError (inhomogeneous shape)
    a = x * 1.0
    b = x[:2] * 3.0
    p = [a, b]
    p[0] = x * x
    return np.sum(p[0]) + np.sum(p[1])


def zero_d_held_updated_in_a_loop(x, c):  # D: 0.343, NumPy 2.926
    h = np.array(0.0)
    hs = [h]
    for i in range(3):
        h += x[i] * x[i]
    return float(hs[0]) * x[0]


def float32_plus_equals_float64(x, c):  # D: float32 stays float32 in NumPy, not in srcgrad
    h = np.zeros(3, dtype=np.float32)
    hs = [h]
    h += x
    return np.sum(hs[0] * x) + float(hs[0].dtype == np.float32)


def tuple_concatenation_wrong_gradient(x, c):  # G: silently wrong gradient
    h = np.sin(x)
    t = (h,)
    t += (h,)
    return np.sum(h * x) + np.sum(t[-1] * x)


def list_plus_equals(x, c):  # G: ValueError in the backward sweep
    h = x * 1.0
    lst = [h]
    other = lst
    lst += [x]
    return np.sum(other[1] * other[0]) + len(other)


def list_concatenation(x, c):  # G: ValueError in the backward sweep
    lst = [x * 1.0, x * 3.0]
    lst = lst + [x * 2.0, x * x]
    return np.sum(lst[0] * lst[2]) + np.sum(lst[3])


def dict_keys_loop(x, c):  # H: TypeError: 'dict_keys' object is not subscriptable
    p = {}
    p["a"] = x * 1.0
    p["b"] = x * 2.0
    for k in p.keys():
        p[k] = p[k] * x
    return np.sum(p["a"] * p["b"])


def dict_loop(x, c):  # H: KeyError: 0
    p = {}
    p["a"] = x * 1.0
    p["b"] = x * 2.0
    for k in p:
        p[k] = p[k] * x
    return np.sum(p["a"] * p["b"])


def view_elsewhere_then_write_through_it(x, c):  # F: 18.77, NumPy 28.80
    m = np.outer(x[:2], x)
    v = m[0]
    m[1] = x * 2.0
    v += x
    return np.sum(m * m)


def view_elsewhere_then_base_written_under_it(x, c):  # F: 2.93, NumPy 0.063
    m = np.outer(x[:2], x)
    v = m[0]
    m[1] = x * 2.0
    m[0, 0] = x[1] * 3.0
    return np.sum(v * x)


def slice_then_two_writes(x, c):  # F: 3.69, NumPy 4.59
    h = x * 1.0
    v = h[1:]
    h[0] = x[1] * 2.0
    h[2] = x[0] * 3.0
    return np.sum(v * x[1:])


def alias_bound_in_a_branch_of_a_loop(x, c):  # K: specialized code wrong, general right
    h = np.tanh(x)
    h[1:] += h[:2]
    for i in range(2):
        if i == 0:
            a = h
    return np.sum(a * x)


def written_where_bound_in_a_branch_of_a_loop(x, c):  # K: IndexError in `without`
    for i in range(1):
        if c > 0:
            h = np.tanh(x)
            h[1] = x[0] * 0.5
    return np.sum(h * np.sin(x))


FIXED = [alias_bound_in_a_branch_of_a_loop, written_where_bound_in_a_branch_of_a_loop,
         list_copy_method, dict_get_then_plus_equals, list_item_plus_equals_seen_by_its_name,
         dict_item_plus_equals_seen_by_its_name, list_item_assigned_then_updated,
         list_of_two_shapes_item_assigned, zero_d_held_updated_in_a_loop,
         float32_plus_equals_float64, tuple_concatenation_wrong_gradient, list_plus_equals,
         list_concatenation, dict_keys_loop, dict_loop]
VIEWS_WRITTEN = [reshape_method_then_write, write_through_a_reshape_method,
                 ravel_method_then_write, transpose_method_then_write,
                 view_elsewhere_then_write_through_it, view_elsewhere_then_base_written_under_it,
                 slice_then_two_writes, view_of_another_row]


@pytest.mark.parametrize("f", FIXED, ids=lambda f: f.__name__)
def test_once_wrong_now_exact(f):
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "ok", outcome


@pytest.mark.parametrize("f", VIEWS_WRITTEN, ids=lambda f: f.__name__)
def test_once_wrong_now_refused_as_views(f):
    """Each gave a wrong number: a view (made by a method, or kept across a write
    elsewhere in its array) would see the update; srcgrad refuses at the user's line."""
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "refused:view", outcome


# over-refusals: exact-able programs refused


def binop_result_viewed_and_written(x, c):  # E: "a may be a view of the argument x"
    m = x * 0.5
    a = np.asarray(m)
    a[0] = x[2] ** 2
    return np.sum(m * x)


def transpose_call_of_a_made_matrix(x, c):  # E
    m = np.zeros((2, 3))
    m[0] = x * 0.5
    v = np.transpose(m)
    v[0, 0] = x[2] ** 2
    return np.sum(m * x)


def rows_of_a_list_iterated_while_an_item_is_replaced(x, c):  # C: refused as a view
    hs = [x * 1.0, x * 2.0, x * 3.0]
    s = 0.0
    for v in hs:
        hs[1] = v * x
        s = s + np.sum(v)
    return s


def mkdict(x):
    p = {}
    p["a"] = x * 1.0
    p["b"] = x * 2.0
    return p


def helper_made_dict_assigned_into(x, c):  # I: grad runs it; vjp and jvp refuse
    p = mkdict(x)
    for v in p.values():
        v[0] = x[2]
    return np.sum(p["a"] * p["b"] * x)


@pytest.mark.parametrize("f", [binop_result_viewed_and_written,
                               rows_of_a_list_iterated_while_an_item_is_replaced,
                               helper_made_dict_assigned_into], ids=lambda f: f.__name__)
def test_once_refused_now_exact(f):
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "ok", outcome


def test_a_view_written_into_its_array_is_refused_as_a_view_not_the_caller_s_data():
    outcome = judge(transpose_call_of_a_made_matrix, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "refused:view", outcome


def test_hessian_of_a_dict_values_loop():
    outcome = judge(dict_values_assigned_into, [X.copy(), 1.0], wrt=(0,), hessian=True)
    assert outcome.kind == "ok", outcome


# --- repeated fancy indices and changed defaults ----------------------------------------------


def repeated_index_assignment(x, c):
    out = np.zeros(3)
    out[[0, 0, 1]] = x * 2.0  # the last write to slot 0 wins: x[1] * 2
    return np.sum(out * x)


def repeated_index_plus_equals(x, c):
    out = np.zeros(3)
    idx = np.array([0, 0, 2])
    out[idx] += x  # buffered: slot 0 takes one update, x[1]
    return np.sum(out * x)


@pytest.mark.parametrize("f", [repeated_index_assignment, repeated_index_plus_equals],
                         ids=lambda f: f.__name__)
def test_repeated_fancy_indices(f):
    outcome = judge(f, [X.copy(), 1.0], wrt=(0,))
    assert outcome.kind == "ok", outcome


def scaled(x, k=2.0):
    h = x * k
    hs = [h]
    h += x
    return np.sum(hs[0] * x)


def test_defaults_changed_after_differentiation():
    g = srcgrad.value_and_grad(scaled)
    for _ in range(3):
        g(X.copy())
    saved = scaled.__defaults__
    try:
        scaled.__defaults__ = (5.0,)
        value, grad = g(X.copy())
        assert value == pytest.approx(scaled(X.copy()))
        np.testing.assert_allclose(grad, 12.0 * X)
    finally:
        scaled.__defaults__ = saved
