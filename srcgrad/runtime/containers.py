"""Run-time helpers for values that are updated in place or hold several arrays.

`h[t] = v` is computed as `h_1 = set_at(h, t, v)`: a new array, so the
backward sweep can still read every version of `h`. With an integer index that
repeats a slot, the element NumPy leaves there is the one its adjoint goes to
(`take`).
"""

from __future__ import annotations

import copy
import dataclasses
import numbers
import types

import numpy as np

from ..errors import SrcGradError
from .array_kind import is_duck, on_kind_of


def set_at(x, index, value):
    """A copy of `x` with `x[index] = value` (the forward of an element assignment)."""
    if isinstance(x, dict):
        return {**x, index: value}
    if isinstance(x, list):
        out = list(x)
        out[index] = value
        return out
    if isinstance(x, tuple):
        raise TypeError(f"'{type(x).__name__}' object does not support item assignment")
    if is_duck(x) or is_duck(value):  # a copy of x's kind, or of value's: never NumPy's
        out = on_kind_of(x, value).copy()
        out[index] = value
        return out
    out = np.array(x, copy=True)
    out[index] = value
    return out


def without(g, index):
    """A copy of `g` with zeros at `index`: the part of an adjoint that was overwritten."""
    if isinstance(g, dict):  # a dict's adjoint: its items but that one
        return Fields({key: value for key, value in g.items() if key != index})
    if isinstance(g, list):  # a list's: its parts, zero at the index
        out = Parts(g)
        places = range(*index.indices(len(g))) if isinstance(index, slice) else [index]
        for place in places:
            out[place] = zeros_like(out[place])
        return out
    out = g.copy() if is_duck(g) else np.array(g, copy=True)
    out[index] = 0
    return out


def take(g, index):
    """The adjoint of `v` in `z[index] = v`, before unbroadcasting, from `g`, z's: `g[index]`
    (of a dict's adjoint, zero where no gradient reached the item), but 0 at each place of
    the selection whose element a later one overwrote (an integer index that repeats a
    slot). Which element ends up in a slot is NumPy's to say: written into an array of
    the selection's place numbers, the same index keeps the winners'."""
    if isinstance(g, dict):
        return g.get(index, 0.0)
    part = (np.asarray(g) if isinstance(g, (int, float)) else g)[index]  # (a 0-d z's seed)
    if not _may_repeat(index):
        return part
    if is_duck(part):  # the place numbers of the duck array's kind
        places = np.reshape(np.arange(part.size, like=part), part.shape)
        owner = np.zeros_like(part, dtype=places.dtype, shape=np.shape(g))
        owner[index] = places
        return np.where(owner[index] == places, part, 0)
    places = np.arange(np.size(part)).reshape(np.shape(part))
    owner = np.empty(np.shape(g), dtype=places.dtype)  # read only where the index writes
    owner[index] = places
    return np.where(owner[index] == places, part, 0)


def _may_repeat(index) -> bool:
    """Can `index` name one slot twice? Only an integer array (or list) of two or more."""
    for part in index if isinstance(index, tuple) else (index,):
        if is_duck(part):  # (an index array on a device, or in a graph)
            if part.size > 1 and part.dtype.kind in "iu":
                return True
        elif isinstance(part, (list, np.ndarray)) and np.size(part) > 1 \
                and np.asarray(part).dtype.kind in "iu":
            return True
    return False


class Parts(list):
    """The adjoint of a list or tuple: one adjoint per element, added elementwise."""

    def __add__(self, other):
        if isinstance(other, (list, tuple)):
            return Parts(a + b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __radd__ = __add__

    def __mul__(self, times):
        """The adjoint of `items * n` (n copies of the items), `self` that of the result,
        is the adjoint of `items` (the copies' parts summed): only an int repeats a list."""
        if not isinstance(times, (int, np.integer)) or isinstance(times, bool):
            return NotImplemented
        if times <= 0:
            raise SrcGradError("srcgrad cannot differentiate a list repeated 0 times "
                               "(`items * 0`): its items are unknown to the adjoint.\n"
                               "Build the empty list directly.")
        size = len(self) // times
        return Parts(sum(self[k * size + i] for k in range(1, times)) + self[i] if times > 1
                     else self[i] for i in range(size))

    __rmul__ = __mul__

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Parts(item) if isinstance(index, slice) else item


class Fields(dict):
    """The adjoint of a dict: adjoints by key; a missing key means zero."""

    def __add__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        out = Fields(self)
        for key, value in other.items():
            out[key] = out[key] + value if key in out else value
        return out

    __radd__ = __add__


def zeros_like(x):
    """A zero adjoint shaped like `x`, for arrays, numbers and containers of them."""
    if isinstance(x, dict) or is_dataclass_value(x):
        return Fields()
    if isinstance(x, (list, tuple)):
        return Parts(zeros_like(v) for v in x)
    if type(x) is float:
        return 0.0
    return np.zeros_like(x)


def record_of_tangents(kind, tangents, fields):
    """The tangent of `kind(*fields)` (a namedtuple): the fields' tangents, zeros where a
    field has none (None), as a field read later is added to other tangents."""
    return kind(*[zero_tangent(v) if t is None else t for t, v in zip(tangents, fields)])


def zero_tangent(x):
    """A zero tangent shaped like `x`: dense, for arrays, numbers and containers of them."""
    if isinstance(x, dict):
        return {key: zero_tangent(value) for key, value in x.items()}
    if _is_record(x):
        return type(x)(*[zero_tangent(v) for v in x])
    if is_dataclass_value(x):
        return with_fields(x, {name: zero_tangent(v) for name, v in field_values(x).items()})
    if isinstance(x, (list, tuple)):
        return [zero_tangent(v) for v in x]
    if isinstance(x, (float, int, str, bytes)) and not isinstance(x, bool):
        return 0.0  # (a dict's key, a label: no numbers to move)
    if isinstance(x, slice) or x is None:  # an index held in a tape: no tangent
        return None
    return np.zeros_like(x, dtype=np.result_type(x, 0.0))


def field_adjoint(record, name, g):
    """The adjoint of a record (a namedtuple, or a dataclass: its adjoint is a Fields by
    field name) from that of its field `name`: `g` there, zero in the others."""
    if is_dataclass_value(record):
        return Fields({name: g})
    return item_adjoint(record, type(record)._fields.index(name), g)


def field_values(x) -> dict:
    """{field name: value} of the dataclass value `x`."""
    return {f.name: getattr(x, f.name) for f in dataclasses.fields(x)}


def with_fields(x, values: dict):
    """A copy of the dataclass value `x` with these field values (frozen ones too)."""
    out = copy.copy(x)
    for name, value in values.items():
        object.__setattr__(out, name, value)
    return out


def is_dataclass_value(x) -> bool:
    """An instance of a dataclass (not the class)."""
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def item_adjoint(x, key, g):
    """The adjoint of a container `x` from `x[key]`: `g` at key, zero elsewhere."""
    if isinstance(x, dict):
        return Fields({key: g})
    parts = Parts(zeros_like(v) for v in x)
    if isinstance(key, slice):
        for i, part in zip(range(*key.indices(len(x))), g):
            parts[i] = part
    else:
        parts[key] = g
    return parts


def appended(items, item):
    """`items + [item]`: the forward of `items.append(item)`, as a new list."""
    return list(items) + [item]


# --- following an update in place through the other references to the value -------------


class AliasingError(SrcGradError):
    """An update in place that NumPy would show through a view srcgrad cannot follow."""


def changes_in_place(value) -> bool:
    """Is an update of `value` in place (`+=`, `v[i] = ...`, `.append`) seen by every other
    reference to it? Numbers, strings and tuples are immutable: `x += 1` makes a new one."""
    return not isinstance(value, (numbers.Number, str, bytes, tuple, frozenset, type(None),
                                  np.generic))


def caller_unchanged(value, *inputs) -> None:
    """Before `x += v` where `x` may be the caller's data: a number or a tuple is rebound,
    but an array or a list that is one of `inputs` (the function's arguments and module
    values it may come from), an item of one or a view of one would change in place."""
    if changes_in_place(value) and any(_part_of(value, given, set()) for given in inputs):
        raise AliasingError(
            f"srcgrad cannot update this {type(value).__name__} in place: it is (or is part "
            "of) an argument of the function, so the update would change the caller's data, "
            "and srcgrad does not change its inputs.\nWrite `x = x + ...` (a new value), or "
            "start from a copy (`x = x.copy()`).")


def _part_of(value, given, seen) -> bool:
    """Is `value` `given`, or held by it at any depth (items, fields, an object's
    attributes: `cfg.buf`), or an array sharing memory with one of those?"""
    if value is given or _overlaps(value, given):
        return True
    if id(given) in seen or isinstance(given, (np.ndarray, type, types.ModuleType)) or callable(
            given):
        return False
    seen.add(id(given))
    if type(given) is dict:
        parts = given.values()
    elif isinstance(given, (list, tuple)):
        parts = given
    elif is_dataclass_value(given):
        parts = field_values(given).values()
    else:
        parts = getattr(given, "__dict__", {}).values()
    return any(_part_of(value, part, seen) for part in parts)


def refresh(refs, old, new):
    """`refs` as the user's program sees them once it changed `old` in place into `new`:
    each reference to `old` among them, or among their items (lists, tuples, dicts, records,
    at any depth), is `new`; containers holding it are rebuilt, each once, so that two
    references to one container stay one container. srcgrad computes `new` as a new
    value (set_at, appended, `x + v`); this gives it to every other name that held `old`
    (aliasing.py chooses which). A view of `old` (memory shared, not the same array) is
    refused: after the update it would view a copy no longer changed with the array."""
    if not changes_in_place(old) or old is new:
        return refs
    return _Refresher(old, new).value(refs)


def swap_item(refs, old, new, within):
    """`refs` once the user's program changed the item `old` of the container `within` in
    place (`hs[0] += e`): like `refresh`, each reference to `old` itself is `new`. Of an
    array `within`, a view of the item is left as it is (the set_at that follows updates
    the array, and with it whatever shares its memory); of a list, tuple or dict, whose
    item may be a view (`rows = list(h)`: rows of h), a view is refused as by `refresh`."""
    if not changes_in_place(old) or old is new:
        return refs
    return _Refresher(old, new, views=not isinstance(within, np.ndarray)).value(refs)


class _Refresher:
    def __init__(self, old, new, views=True):
        self.old, self.new, self.views = old, new, views
        self.done = {id(old): new}  # id of a value -> what it becomes

    def value(self, value):
        done = self.done.get(id(value), _NOT_YET)
        if done is not _NOT_YET:
            return done
        self.done[id(value)] = value  # a container that holds itself: itself
        rebuilt = self.rebuilt(value)
        self.done[id(value)] = rebuilt
        return rebuilt

    def rebuilt(self, value):
        if type(value) in (list, tuple) or _is_record(value):
            items = [self.value(item) for item in value]
            if all(a is b for a, b in zip(items, value)):
                return value
            return type(value)(*items) if _is_record(value) else type(value)(items)
        if type(value) is dict:
            items = {key: self.value(item) for key, item in value.items()}
            if all(items[key] is item for key, item in value.items()):
                return value
            return items
        if is_dataclass_value(value):
            fields = field_values(value)
            changed = {k: self.value(v) for k, v in fields.items()}
            if all(changed[k] is v for k, v in fields.items()):
                return value
            return dataclasses.replace(value, **changed)
        if self.views and _overlaps(value, self.old):
            raise AliasingError(
                "srcgrad cannot follow this update in place: another value read later is a "
                "view of the array it changes (or the array it views), such as `a[1:]`, "
                "`a.T` or `a.reshape(...)`; NumPy shows the change through the view, "
                "srcgrad computes each value anew.\nTake a copy where the view is made "
                "(`v = a[1:].copy()`), or change the array before taking views of it.")
        return value


_NOT_YET = object()


def _is_record(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _overlaps(value, old) -> bool:
    arrays = (np.ndarray,)
    return (isinstance(value, arrays) and isinstance(old, arrays)
            and np.may_share_memory(value, old) and np.shares_memory(value, old))


def _holds(value, old, seen=None) -> bool:
    """`old` is `value`, or an item of it at any depth."""
    if value is old:
        return True
    seen = set() if seen is None else seen
    if id(value) in seen:
        return False
    seen.add(id(value))
    if type(value) in (list, tuple) or _is_record(value):
        return any(_holds(item, old, seen) for item in value)
    if type(value) is dict:
        return any(_holds(item, old, seen) for item in value.values())
    if is_dataclass_value(value):
        return any(_holds(item, old, seen) for item in field_values(value).values())
    return False


def refresh_adjoint_refs(g, refs, old):
    """The adjoint of `refs` from the adjoint `g` of `refresh(refs, old, new)`: `g`, but
    zero where `refs` held `old` (those places hold `new` now)."""
    if not changes_in_place(old):
        return g
    return _split(g, refs, old, [])


def refresh_adjoint_new(g, refs, old, new):
    """The adjoint of `new` from the adjoint `g` of `refresh(refs, old, new)`: the sum of
    `g` over the places where `refs` held `old`."""
    found = []
    if changes_in_place(old):
        _split(g, refs, old, found)
    total = zeros_like(new) if not found else found[0]
    for part in found[1:]:
        total = total + part
    return total


def _split(g, ref, old, found):
    """`g` (an adjoint shaped like `ref`) with zeros where `ref` holds `old`; the parts of
    `g` found there are appended to `found`."""
    if ref is old:
        found.append(g)
        return zeros_like(ref)
    if not _holds(ref, old):
        return g
    if type(ref) is dict:
        return Fields({key: _split(g[key], ref[key], old, found) for key in g})
    parts = list(g) if isinstance(g, (list, tuple)) else [zeros_like(item) for item in ref]
    return Parts(_split(part, item, old, found) for part, item in zip(parts, ref))


def refresh_tangent(t_refs, refs, old, t_new):
    """The tangent of `refresh(refs, old, new)`: `t_refs`, with `t_new` where `refs` held
    `old` (forward mode)."""
    if not changes_in_place(old):
        return t_refs
    if refs is old:
        return t_new
    if not _holds(refs, old):
        return t_refs
    if type(refs) is dict:
        return {key: refresh_tangent(t_refs[key], item, old, t_new) for key, item in refs.items()}
    items = [refresh_tangent(t, item, old, t_new) for t, item in zip(t_refs, refs)]
    return type(refs)(*items) if _is_record(refs) else type(refs)(items)


# --- what the builtins that iterate become (normalize.py, iteration.py) ------------------


def sort_order(items, reverse=False) -> list:
    """The positions of `items` in the order `sorted(items, reverse=reverse)` gives them (a
    constant: the gradient flows through the items it picks)."""
    if not hasattr(items, "__getitem__"):  # a set, a dict's view: no positions to pick by
        raise SrcGradError(
            f"srcgrad cannot differentiate sorted() of a {type(items).__name__}: it picks "
            "the sorted items by position.\nSort a list: `sorted(list(items))`.")
    order = sorted(range(len(items)), key=items.__getitem__, reverse=reverse)
    return order


def largest(items):
    """`max(items)`: the item itself, the first of equal ones, as Python gives it."""
    return max(items)


def smallest(items):
    """`min(items)`: the item itself, the first of equal ones."""
    return min(items)


def picked_adjoint(g, items, chosen):
    """The adjoint of `items` from that of `chosen`, the item `max` or `min` returned."""
    if isinstance(items, dict):  # max(d): a key, a constant
        return Fields()
    if isinstance(items, np.ndarray):  # max(v) of an array: one of its rows (or numbers)
        out = np.zeros(items.shape, dtype=np.result_type(items, 1.0))
        out[_position(items, chosen)] = g
        return out
    parts = Parts(zeros_like(item) for item in items)
    parts[_position(items, chosen)] = g
    return parts


def picked_tangent(t_items, items, chosen):
    """The tangent of the item `max` or `min` returned (none of a dict's key)."""
    return 0.0 if isinstance(items, dict) else t_items[_position(items, chosen)]


def _position(items, chosen) -> int:
    if isinstance(items, np.ndarray):  # iterating makes new scalars or views: the first
        # equal row is the one max/min kept (a later equal one does not replace it)
        return next(i for i, item in enumerate(items)
                    if np.array_equal(item, chosen, equal_nan=True))
    return next(i for i, item in enumerate(items) if item is chosen)


def spread_to_items(g, items):
    """The adjoint of `items` in `sum(items)`: `g` for each, summed back to its shape."""
    if isinstance(items, dict):  # sum(d) adds its keys, constants
        return Fields()
    if isinstance(items, np.ndarray):  # sum(array) adds its rows
        return np.broadcast_to(_summed_to(g, items.shape[1:]), items.shape).copy()
    return Parts(_summed_to(g, np.shape(item)) if not isinstance(item, float)
                 else np.sum(g) if is_duck(g) else float(np.sum(g)) for item in items)


def _summed_to(g, shape):
    g = g if is_duck(g) else np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def dict_of(keys, values) -> dict:
    """`{k1: v1, k2: v2}`: a new dict (a later repeated key wins)."""
    return dict(zip(keys, values))


def values_of(g, keys) -> Parts:
    """The adjoints of the values of `dict_of(keys, values)` from the dict's adjoint `g`
    (zero for a key given again later, whose value the dict does not hold)."""
    last = {key: i for i, key in enumerate(keys)}
    return Parts(take(g, key) if last[key] == i else 0.0 for i, key in enumerate(keys))


def merged(a, b) -> dict:
    """`{**a, **b}`: a new dict, `b`'s value where both have a key."""
    return {**a, **b}


def fields_of(g, mapping, others) -> Fields:
    """The part of the adjoint `g` of a merged dict that belongs to `mapping`: its keys
    that `others` (merged after it) does not override."""
    if not isinstance(g, dict):
        return Fields()
    return Fields({key: value for key, value in g.items() if key in mapping and key not in others})



def concatenated(a, b):
    """`a + b` of lists or tuples: the items of both, in order."""
    return a + b


def first_items(g, a):
    """The adjoint of `a` in `a + b` (concatenated) from the adjoint `g` of the whole."""
    return Parts(list(g)[:len(a)]) if isinstance(g, (list, tuple)) else zeros_like(a)


def last_items(g, a, b):
    """The adjoint of `b` in `a + b` (concatenated) from the adjoint `g` of the whole."""
    return Parts(list(g)[len(a):]) if isinstance(g, (list, tuple)) else zeros_like(b)


def kept_as(new, old):
    """`new` as `x += v` leaves x: of `old`'s type, and for an array of its shape and
    dtype (a 0-d array stays an array, float32 stays float32; a value of another shape
    raises as NumPy's update in place does)."""
    if not isinstance(old, np.ndarray):
        return new
    out = np.empty_like(old)
    np.copyto(out, new, casting="same_kind")
    return out


def in_order(items):
    """What a `for` loop walks, as something to index: a dict's keys (in order), the
    items of a set or an iterator; a list, tuple, array or range as it is."""
    if isinstance(items, (dict, set, frozenset)) or not hasattr(items, "__getitem__"):
        return list(items)
    return items


def in_order_tangent(t_items, items):
    """The tangent of `in_order(items)`: a dict's keys are constants (zero), else the
    items' tangents in the same order."""
    return [0.0] * len(items) if isinstance(items, dict) else in_order(t_items)


def in_order_adjoint(g, items):
    """The adjoint of `items` in `in_order(items)`: `g`, or none for a dict's keys."""
    return Fields() if isinstance(items, dict) else g


def got_adjoint(mapping, key, g):
    """The adjoint of `mapping` in `mapping.get(key, default)`: `g` at `key`, if it is there."""
    return Fields({key: g}) if key in mapping else Fields()


def default_adjoint(mapping, key, g):
    """The adjoint of `default` in `mapping.get(key, default)`: `g`, if `key` is missing."""
    return 0.0 * g if key in mapping else g


def got_tangent(t_mapping, mapping, key, t_default):
    """The tangent of `mapping.get(key, default)`."""
    return t_mapping[key] if key in mapping else t_default
