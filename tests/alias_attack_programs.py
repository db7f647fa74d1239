"""Hostile aliasing programs (issue 18, second round): containers of arrays written in
place, views of views, helpers writing their arguments, object attributes, repeated fancy
indices, np.r_/np.c_, dict views, closures over mutated arrays, generators, default
arguments and module values holding arrays. Each takes `x` (a float array of 3 or more
items) and returns a number; tests/end_to_end/test_attack_aliasing.py judges them."""

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

Pair = namedtuple("Pair", "a b")
W = np.array([0.5, -1.0, 2.0, 0.25])  # a module value, read only
TABLE = {"w": np.array([1.5, -0.5, 0.75, 2.0])}


@dataclass
class Holder:
    a: object
    b: object


class Cfg:
    def __init__(self):
        self.buf = np.zeros(4)

    def __eq__(self, other):  # (the oracles check the inputs are unchanged)
        return type(other) is Cfg and np.array_equal(self.buf, other.buf)


# --- containers of arrays, written in place ---------------------------------------------


def tuple_holds_updated(x):
    h = x * 1.0
    t = (h, x)
    h *= 3.0
    return np.sum(t[0] * t[1])


def dict_holds_updated_by_setitem(x):
    h = np.zeros(4)
    d = {"h": h}
    h[2] = x[0] * x[1]
    return np.sum(d["h"] * x)


def nested_list_item_augmented(x):
    h = x * 2.0
    hs = [[h, x], [x]]
    hs[0][0] += x
    return np.sum(h * x)


def list_item_setitem_through_index(x):
    h = x * 1.0
    hs = [h, h * 2.0]
    hs[1][0] = x[3] ** 2
    return np.sum(hs[1] * x) + np.sum(h)


def same_array_twice_updated(x):
    h = np.sin(x)
    hs = [h, h]
    hs[0] += 1.0
    return np.sum(hs[1] * x)


def list_extend_then_update(x):
    h = x * 1.0
    hs = []
    hs.extend([h])
    h += x * x
    return np.sum(hs[0] * x)


def list_concatenation_then_update(x):
    h = x * 1.0
    hs = [x] + [h]
    h -= 0.5 * x
    return np.sum(hs[1] * hs[0])


def list_slice_copy_then_update(x):
    h = x * 1.0
    hs = [h, x]
    ks = hs[:]  # a new list of the same arrays
    h *= x
    return np.sum(ks[0])


def dataclass_holds_updated(x):
    h = x * 1.0
    box = Holder(h, x)
    h += 2.0 * x
    return np.sum(box.a * box.b)


def namedtuple_holds_updated(x):
    h = np.cos(x)
    p = Pair(h, x)
    h[1] = x[0] * 3.0
    return np.sum(p.a * p.b)


def list_of_lists_appended_after_update(x):
    h = x * 1.0
    rows = []
    for i in range(3):
        h[i] = h[i] * x[i]
        rows.append(h)
    return np.sum(rows[0] * x) + np.sum(rows[2])


def loop_rebinding_versus_update(x):
    hs = []
    h = x * 1.0
    for i in range(3):
        h = h * 0.5 + x  # a new array each time
        hs.append(h)
    hs[0] += x
    return np.sum(hs[0] * hs[1]) + np.sum(h)


def stack_after_update_of_held(x):
    h = x * 1.0
    hs = [h, x * 2.0]
    h *= 2.0
    return np.sum(np.stack(hs) ** 2)


def dict_values_list_then_update(x):
    d = {"a": x * 1.0, "b": x * 2.0}
    vs = list(d.values())
    vs[0] += x
    return np.sum(d["a"] * x)


def dict_items_updated_in_loop(x):
    d = {"a": x * 1.0, "b": x * 2.0}
    for k, v in d.items():
        v += x * x
    return np.sum(d["a"] + d["b"])


def dict_values_loop_updates(x):
    d = {"a": x * 1.0, "b": np.sin(x)}
    for v in d.values():
        v *= 2.0
    return np.sum(d["a"] * d["b"])


def dict_get_then_update(x):
    d = {"a": x * 1.0}
    a = d.get("a")
    a += x
    return np.sum(d["a"] * x)


def dict_copy_shares_arrays(x):
    d = {"a": x * 1.0}
    e = d.copy()
    e["a"] += x
    return np.sum(d["a"] * x)


def dict_update_then_write(x):
    h = x * 1.0
    d = {}
    d.update({"h": h})
    h[0] = 5.0 * x[1]
    return np.sum(d["h"] * x)


# --- views of views ------------------------------------------------------------------------


def view_of_view_read_after_write(x):
    h = x * 1.0
    v = h[1:]
    w = v[::2]
    h[1] = x[0] * 2.0
    return np.sum(w * x[:len(w)])


def write_through_view_of_view(x):
    h = x * 1.0
    v = h[1:]
    w = v[:2]
    w[0] = x[0] * 4.0
    return np.sum(h * x)


def transpose_of_reshape_written(x):
    h = np.outer(x, x)
    v = h.reshape(-1).reshape(h.shape).T
    v[0, 1] = 0.0
    return np.sum(h)


def ravel_then_write(x):
    h = np.outer(x, x)
    r = np.ravel(h)
    r[0] = x[0]
    return np.sum(h)


def view_then_augment_base(x):
    h = x * 1.0
    v = h[:2]
    h += x
    return np.sum(v * x[:2])


def view_made_after_write(x):
    h = x * 1.0
    h[0] = x[1] ** 2
    v = h[:2]
    return np.sum(v * x[:2])


def squeeze_then_write(x):
    h = x[None, :] * 1.0
    s = np.squeeze(h)
    s[1] = 0.0
    return np.sum(h * x)


def diagonal_view_read(x):
    m = np.outer(x, x)
    dg = np.diagonal(m)
    m[0, 0] = x[0]
    return np.sum(dg)


def swapaxes_written(x):
    m = np.outer(x, x)
    v = np.swapaxes(m, 0, 1)
    v[0, 1] = 3.0 * x[2]
    return np.sum(m * m)


def expand_dims_written(x):
    h = x * 1.0
    e = np.expand_dims(h, 0)
    e[0, 1] = x[0]
    return np.sum(h * x)


# --- helpers that write their arguments ----------------------------------------------------


def _fill(a, v):
    a[...] = v


def _bump(a, v):
    a += v
    return 0.0


def _push(lst, v):
    lst.append(v)


def _set_key(d, v):
    d["k"] = v


def _scale_first(a):
    a[0] *= 2.0


def _write_then_return(a, v):
    a[1] = v
    return a


def helper_fills_argument(x):
    h = np.zeros(4)
    _fill(h, np.sin(x))
    return np.sum(h * x)


def helper_bumps_in_loop(x):
    h = x * 1.0
    for i in range(3):
        _bump(h, x * i)
    return np.sum(h * h)


def helper_pushes_to_list(x):
    hs = [x * 1.0]
    _push(hs, x * x)
    return np.sum(hs[0] * hs[1])


def helper_sets_dict_key(x):
    d = {"k": x}
    _set_key(d, x * 3.0)
    return np.sum(d["k"] * x)


def helper_writes_item_of_list(x):
    hs = [x * 1.0, x * 2.0]
    _scale_first(hs[1])
    return np.sum(hs[1] * x)


def helper_writes_and_returns_argument(x):
    h = x * 1.0
    r = _write_then_return(h, x[0] * x[2])
    r += 1.0
    return np.sum(h * x)


def helper_writes_view_argument(x):
    h = x * 1.0
    _fill(h[1:3], x[:2] * 5.0)
    return np.sum(h * x)


def helper_writes_argument_x(x):
    _fill(x, 0.0)  # the caller's data
    return np.sum(x)


# --- object attributes ---------------------------------------------------------------------


def attribute_of_argument_written(x, cfg):
    b = cfg.buf
    b[0] = x[0]
    return np.sum(b * x)


def attribute_read_only(x, cfg):
    return np.sum((cfg.buf + 1.0) * x)


def attribute_augmented_through_alias(x, cfg):
    b = cfg.buf
    b *= 2.0  # changes the caller's object
    return np.sum(x * x)


def holder_made_here_field_updated(x):
    box = Holder(x * 1.0, x)
    a = box.a
    a += x
    return np.sum(box.a * x)


# --- repeated fancy indices ----------------------------------------------------------------


def repeated_index_minus_equals(x):
    out = np.ones(4)
    out[[1, 1, 2]] -= x[:3]
    return np.sum(out * x)


def repeated_index_times_equals(x):
    out = x * 1.0
    out[[0, 0, 3]] *= x[1:4]
    return np.sum(out)


def repeated_index_array_index(x):
    out = np.zeros(4)
    idx = np.array([2, 2, 2, 0])
    out[idx] = x * x
    return np.sum(out * x)


def repeated_negative_index(x):
    out = np.zeros(4)
    out[[-1, 3]] += x[:2]
    return np.sum(out * x)


def add_at_repeated(x):
    out = np.zeros(4)
    np.add.at(out, [0, 0, 1], x[:3])
    return np.sum(out * x)


def repeated_2d_index(x):
    m = np.zeros((2, 2))
    m[[0, 0], [1, 1]] = x[:2]
    return np.sum(m * x[2])


def boolean_mask_write(x):
    h = x * 1.0
    h[h > 0] = 0.0
    return np.sum(h * x)


# --- np.r_ / np.c_ -------------------------------------------------------------------------


def r_of_views_then_write(x):
    h = x * 1.0
    r = np.r_[h[:2], h[2:]]  # a new array
    h[0] = 0.0
    return np.sum(r * x)


def r_written(x):
    r = np.r_[x, x[:1] * 2.0]
    r[0] = x[3]
    return np.sum(r * r)


def c_columns(x):
    c = np.c_[x, x * x]
    return np.sum(c[:, 1] * c[:, 0])


def r_with_range(x):
    r = np.r_[x[:2], 0:2]
    return np.sum(r * np.r_[x[2:], x[:2]])


# --- closures over arrays that change ------------------------------------------------------


def closure_reads_updated(x):
    h = x * 1.0
    f = lambda u: u * h  # noqa: E731
    h += x
    return np.sum(f(x))


def nested_def_reads_updated(x):
    h = x * 1.0

    def g(u):
        return np.sum(u * h)
    h[0] = 2.0 * x[1]
    return g(x)


def closure_writes_captured(x):
    h = x * 1.0

    def g(v):
        h[1] = v
        return 0.0
    g(x[0] * 3.0)
    return np.sum(h * x)


def lambda_in_loop_captures_updated(x):
    h = x * 1.0
    s = 0.0
    for i in range(2):
        f = lambda u: np.sum(u * h)  # noqa: E731
        h *= 1.5
        s = s + f(x)
    return s


# --- generators ----------------------------------------------------------------------------


def generator_over_updated(x):
    h = x * 1.0
    h[1] = x[2] * 2.0
    return sum(np.sum(h * k) for k in (1.0, 2.0))


def generator_over_list_of_same(x):
    h = x * 1.0
    hs = [h, h]
    h += 1.0
    return sum(np.sum(a * x) for a in hs)


def generator_of_rows(x):
    m = np.outer(x, x)
    return sum(np.sum(r * r) for r in m)


def list_of_rows_not_written(x):
    m = np.outer(x, x)
    rows = list(m)
    return np.sum(rows[0] * rows[1])


def rows_then_base_written(x):
    m = np.outer(x, x)
    rows = list(m)
    m[0, 0] = 0.0
    return np.sum(rows[0])


def zip_of_updated(x):
    h = x * 1.0
    hs = [h]
    h *= x
    return sum(np.sum(a * b) for a, b in zip(hs, [x]))


def enumerate_then_update_item(x):
    hs = [x * 1.0, x * 2.0]
    for i, a in enumerate(hs):
        a += i * x
    return np.sum(hs[0] + hs[1] * x)


# --- defaults and module values ------------------------------------------------------------


def default_array_read(x, w=np.array([1.0, 2.0, 3.0, 4.0])):
    return np.sum(x * w)


def default_array_copied_then_written(x, w=np.array([1.0, 2.0, 3.0, 4.0])):
    v = w.copy()
    v[0] = x[0]
    return np.sum(v * x)


def module_array_copied_then_written(x):
    v = W.copy()
    v += x
    return np.sum(v * x)


def module_dict_item_read(x):
    w = TABLE["w"]
    return np.sum(w * x)


def module_dict_item_copied_written(x):
    w = TABLE["w"] * 1.0
    w[1] = x[0]
    return np.sum(w * x)


def module_view_written(x):
    v = W[1:]
    v[0] = x[0]  # changes the module's W
    return np.sum(x)


# --- miscellaneous -------------------------------------------------------------------------


def copy_then_write_original(x):
    h = x * 1.0
    c = h.copy()
    h[0] = 0.0
    return np.sum(c * x) + np.sum(h)


def np_array_copy_false(x):
    h = x * 1.0
    a = np.asarray(h)  # h itself
    a[0] = x[1]
    return np.sum(h * x)


def astype_same_dtype_copy(x):
    h = x * 1.0
    a = h.astype(np.float64)  # a copy
    a[0] = 0.0
    return np.sum(h * x)


def inplace_ufunc_out(x):
    h = x * 1.0
    np.multiply(h, x, out=h)
    return np.sum(h)


def swap_names(x):
    a = x * 1.0
    b = x * 2.0
    a, b = b, a
    a += x
    return np.sum(a * b)


def conditional_alias(x):
    h = x * 1.0
    g = h if x[0] > 0 else x * 2.0
    g += x
    return np.sum(h * x)


def while_loop_update_through_list(x):
    h = x * 1.0
    hs = [h]
    i = 0
    while i < 3:
        hs[0] += x
        i += 1
    return np.sum(h * x)


def float32_update_through_list(x):
    h = x.astype(np.float32)
    hs = [h]
    h += np.float32(1.0)
    return float(np.sum(hs[0].astype(np.float64) * x))


def zero_d_update_through_list(x):
    h = np.array(x[0] * 1.0)
    hs = [h]
    h += x[1]
    return float(hs[0]) * x[2]


def empty_array_updated(x):
    h = x[:0] * 1.0
    hs = [h]
    h += 1.0
    return np.sum(x) + np.sum(hs[0])


def broadcast_update_through_list(x):
    m = np.ones((2, 4))
    ms = [m]
    m *= x
    return np.sum(ms[0] ** 2)


# --- rows of an array, lists repeated, max of arrays: what this round fixed ---------------


def unpacked_rows_updated(x):
    m = np.outer(x[:2], x)
    a, b = m  # views of m's rows
    a += 1.0
    return np.sum(m * m)


def loop_over_rows_updates(x):
    m = np.outer(x[:3], x)
    for r in m:
        r *= 2.0  # changes m
    return np.sum(m * x)


def loop_over_rows_setitem(x):
    m = np.outer(x[:3], x)
    for r in m:
        r[0] = 0.0
    return np.sum(m * x)


def zip_rows_updated(x):
    m = np.outer(x[:2], x)
    for r, k in zip(m, (1.0, 2.0)):
        r += k
    return np.sum(m * x)


def enumerate_rows_updated(x):
    m = np.outer(x[:2], x)
    for i, r in enumerate(m):
        r -= i * x
    return np.sum(m * m)


def reversed_rows_updated(x):
    m = np.outer(x[:2], x)
    rows = list(reversed(m))
    rows[0] *= 3.0
    return np.sum(m * x)


def split_parts_updated(x):
    h = x * 1.0
    parts = np.split(h, 2)  # views of h
    parts[0] += 1.0
    return np.sum(h * x)


def dict_of_rows_updated(x):
    m = np.outer(x[:2], x)
    d = dict(zip("ab", m))
    d["a"] += x
    return np.sum(m * x)


def list_repeated_then_updated(x):
    h = x * 1.0
    hs = [h] * 2
    h += 1.0
    return np.sum(hs[0] * hs[1])


def list_repeated_item_updated(x):
    hs = [x * 1.0] * 3
    hs[0] += x
    return np.sum(hs[2] * x)


def int_times_list_updated(x):
    h = np.sin(x)
    hs = 2 * [h, x]
    h *= x
    return np.sum(hs[2] * hs[3])


def builtin_max_of_vector(x):
    v = np.sin(x)
    return max(v) * min(v)


def builtin_max_of_list_then_update(x):
    a = x * 1.0
    b = x * 2.0
    m = max([np.sum(a), np.sum(b)])
    a += x
    return m * np.sum(a)


def rows_then_max(x):
    v = np.round(x * 3.0) / 3.0  # ties possible
    return max(v * x)


def object_attribute_plus_equals(x, cfg):
    b = cfg.buf
    b += x  # changes the caller's object
    return np.sum(b * x)


def object_attribute_item_in_list(x, cfg):
    bs = [cfg.buf]
    bs[0] += x
    return np.sum(x)


def sorted_of_list_of_set(x):
    ks = {1, 3}
    return sum(np.sum(x * k) for k in sorted(list(ks)))


def clip_no_bounds(x):
    return np.sum(np.clip(x, None, None) * x)


def mutable_default_list(x, acc=[]):  # noqa: B006
    acc.append(1.0)
    return np.sum(x) * len(acc)


def mutable_default_array(x, buf=np.zeros(4)):  # noqa: B008
    buf += x
    return np.sum(buf * x)


def closure_over_list_appended_later(x):
    hs = [x * 1.0]
    f = lambda: np.sum(hs[-1] * x)  # noqa: E731
    hs.append(x * x)
    return f()


def generator_consumed_after_update(x):
    h = x * 1.0
    hs = [h]
    h += x
    return np.sum(list(a * 2.0 for a in hs)[0])


def array_split_part_written(x):
    h = x * 1.0
    a, b = np.array_split(h, 2)
    b[0] = x[0] * 5.0
    return np.sum(h * x)


def broadcast_arrays_read_after_write(x):
    h = x * 1.0
    bh, bx = np.broadcast_arrays(h, x)
    h[0] = 2.0 * x[1]
    return np.sum(bh * bx)


def atleast_1d_pair_updated(x):
    h = x * 1.0
    a, b = np.atleast_1d(h, x * 2.0)
    a += x
    return np.sum(h * x)


def split_parts_not_written(x):
    p, q = np.split(x * 2.0, 2)
    return np.sum(p * q)


# --- dict views read at once (each takes a dict of arrays `p`) ----------------------------


def sum_of_dict_values(p):
    return np.sum(sum(p.values()) ** 2)


def sum_of_listed_dict_values(p):
    return np.sum(sum(list(p.values())) * 2.0)


def sorted_dict_keys_then_max_of_values(p):
    ks = sorted(p.keys())
    return sum(np.sum(p[a] ** 2) for a in ks) + max(np.sum(v) for v in p.values())


def tuple_of_dict_items(p):
    t = tuple(p.items())
    return np.sum(t[0][1] * t[1][1])


def dict_comprehension_then_sum_of_values(p):
    q = {k: v * 2.0 for k, v in p.items()}
    return np.sum(sum(q.values()) ** 2) + np.sum(sum(p.values()))


def values_listed_then_dict_updated(p):
    q = {k: v for k, v in p.items()}
    vs = list(q.values())  # a snapshot of the values: later keys are not in it
    q["c"] = q["a"] * 3.0
    return np.sum(sum(vs) * q["c"])


def values_item_updated_in_place(p):
    q = {k: v * 1.0 for k, v in p.items()}
    vs = list(q.values())
    vs[0] += 1.0  # the same array as q["a"]
    return np.sum(q["a"] * q["b"])
