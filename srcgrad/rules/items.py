"""Adjoint rules for element assignment (`h[t] = v`) and other container updates, each with
its tangent (forward-mode) rule.

Their tangents are single terms that read several tangents (the engine puts zeros in
for absent ones): a sum of two lists would concatenate them, not add them.
"""

import builtins

from ..runtime import stored, unbroadcast
from ..runtime.containers import (appended, concatenated, default_adjoint, dict_of,
                                  field_adjoint, fields_of, first_items, got_adjoint,
                                  got_tangent, in_order, in_order_adjoint, in_order_tangent,
                                  kept_as, largest, last_items, merged, picked_adjoint,
                                  picked_tangent, record_of_tangents, refresh,
                                  refresh_adjoint_new, refresh_adjoint_refs, refresh_tangent,
                                  set_at, smallest, sort_order, spread_to_items, swap_item, take,
                                  values_of, without)
from .facts import NEW, method
from .registry import adjoint, example, named, nondifferentiable, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


# Where an integer index repeats a slot, the element NumPy leaves there gets its adjoint;
# the others (overwritten) get none.
@adjoint(set_at, facts=NEW.but(makes_new=False),  # of a list: holds the value given
         examples=[example("set_at(x, 1, y)", x=(3,), y=()),
                   example("set_at(x, (slice(None), 0), y)", x=(2, 3), y=(2,)),
                   example("set_at(x, 0, y)", x=(2, 3), y=(3,)),
                   example("set_at(x, [0, 0, 2], y)", x=(3,), y=(3,)),
                   example("set_at(x, [2, -1, 0], y)", x=(3,), y=()),
                   example("set_at(x, ([1, 0, 1], slice(None)), y)", x=(2, 3), y=(3, 1)),
                   example("set_at(x, (i, j), y)", x=(3, 2), y=(4,),
                           ints={"i": [0, 2, 0, 1], "j": [1, 0, 1, 1]}),
                   example("set_at(x, m, y)", x=(2, 2), y=(3,),
                           ints={"m": [[True, False], [True, True]]})])
def set_at_rule(z, x, index, value):
    d[x] = without(d[z], index)
    d[value] = unbroadcast(stored(take(d[z], index), x), value)  # `value` may be broadcast


@tangent(set_at)
def set_at_rule_tangent(z, x, index, value):
    t[z] = set_at(t[x], index, stored(t[value], x))


@adjoint(appended, facts=NEW.but(makes_new=False),  # the new list holds its items
         examples=[example("np.stack(appended([x, x * 2.0], y))", x=(3,), y=(3,))])
def appended_rule(z, items, item):
    d[items] = d[z][:-1]
    d[item] = d[z][-1]


@tangent(appended)
def appended_rule_tangent(z, items, item):
    t[z] = appended(t[items], t[item])


# a tuple written as an argument is not an operation of its own; in this helper it is
_STACKED = "def stacked(a, b):\n    pair = (a, b)\n    return np.stack(pair)"


@adjoint("pack", examples=[example("np.stack((x, y))", x=(2,), y=(2,)),
                           example("stacked(x, y * 2.0)", x=(2,), y=(2,), setup=_STACKED)])
def pack(z, items):
    d[items] = d[z]


@tangent("pack")
def pack_tangent(z, items):
    t[z] = t[items]


@adjoint(refresh, examples=[
    example("np.stack(refresh([x, y], x, x * 2.0))", x=(3,), y=(3,)),
    example("np.stack(refresh([x, y], y, y * x))", x=(2,), y=(2,))])
def refresh_rule(z, refs, old, new):
    d[refs] = refresh_adjoint_refs(d[z], refs, old)
    d[new] = refresh_adjoint_new(d[z], refs, old, new)


@tangent(refresh)
def refresh_rule_tangent(z, refs, old, new):
    t[z] = refresh_tangent(t[refs], refs, old, t[new])


# `within` (the container) only says whether a view of the item is refused
@adjoint(swap_item, examples=[
    example("np.stack(swap_item([x, y, x], x, x * 3.0, [x, y, x]))", x=(3,), y=(3,))])
def swap_item_rule(z, refs, old, new, within):
    d[refs] = refresh_adjoint_refs(d[z], refs, old)
    d[new] = refresh_adjoint_new(d[z], refs, old, new)


@tangent(swap_item)
def swap_item_rule_tangent(z, refs, old, new, within):
    t[z] = refresh_tangent(t[refs], refs, old, t[new])


# Both adjoints are linear in the adjoint they split; `refs` and `old` only say where.
@tangent(refresh_adjoint_refs,
         examples=[example("np.stack(refresh_adjoint_refs([g, 2.0 * g], (x, y), x))",
                           g=(3,), x=(3,), y=(3,))])
def refresh_adjoint_refs_tangent(z, g, refs, old):
    t[z] = refresh_adjoint_refs(t[g], refs, old)


@tangent(refresh_adjoint_new,
         examples=[example("refresh_adjoint_new([g, 2.0 * g], (x, x), x, y)",
                           g=(3,), x=(3,), y=(3,))])
def refresh_adjoint_new_tangent(z, g, refs, old, new):
    t[z] = refresh_adjoint_new(t[g], refs, old, new)


# --- the builtins that read containers ------------------------------------------------


@adjoint(builtins.sum, examples=[example("sum([x, y, x])", x=(3,), y=()),
                                 example("sum([x, y], z)", x=(2, 1), y=(3,), z=()),
                                 example("sum(x)", x=(3, 2)), example("sum((x, y))", x=(), y=())])
def builtin_sum(z, iterable, start=0):
    d[iterable] = spread_to_items(d[z], iterable)
    d[start] = unbroadcast(d[z], start)


@tangent(builtins.sum)
def builtin_sum_tangent(z, iterable, start=0):
    t[z] = builtins.sum(in_order_tangent(t[iterable], iterable)) + t[start]


@adjoint(largest, smallest, examples=[example("largest([x, y, 0.25])", x=(), y=()),
                                      example("smallest((x, y))", x=(), y=())])
def picked(z, items):
    d[items] = picked_adjoint(d[z], items, z)


@tangent(largest, smallest)
def picked_rule_tangent(z, items):
    t[z] = picked_tangent(t[items], items, z)


@adjoint(builtins.list, builtins.tuple,
         examples=[example("np.stack(list([x, y]))", x=(2,), y=(2,)),
                   example("np.stack(tuple(x))", x=(3, 2))])
def listed(z, iterable=()):
    d[iterable] = in_order_adjoint(d[z], iterable)  # list(d) of a dict: its keys


@tangent(builtins.list, builtins.tuple)
def listed_tangent(z, iterable=()):
    t[z] = list(in_order_tangent(t[iterable], iterable))


@adjoint(dict_of, examples=[example("dict_of(('a', 'b'), [x, y])['b'] * 2.0", x=(2,), y=(2,))])
def dict_of_rule(z, keys, values):
    d[values] = values_of(d[z], keys)


@tangent(dict_of)
def dict_of_rule_tangent(z, keys, values):
    t[z] = dict_of(keys, t[values])


@adjoint(merged, examples=[example("merged(dict_of(('a',), [x]), dict_of(('a', 'b'), [y, x]))"
                                   "['a'] * 3.0", x=(2,), y=(2,))])
def merged_rule(z, a, b):
    d[a] = fields_of(d[z], a, b)
    d[b] = fields_of(d[z], b, {})


@tangent(merged)
def merged_rule_tangent(z, a, b):
    t[z] = merged(t[a], t[b])


_PAIR = "from collections import namedtuple\nPair = namedtuple('Pair', 'a b')"


@adjoint("field", examples=[example("Pair(x, y).b * Pair(x, y).a", x=(3,), y=(), setup=_PAIR)])
def field(z, record, name):
    d[record] = field_adjoint(record, name, d[z])


@tangent("field")
def field_tangent(z, record, name):
    t[z] = getattr(t[record], name)


@adjoint("record", examples=[example("Pair(x, b=y * x).b", x=(3,), y=(), setup=_PAIR)])
def record(z, kind, *fields):
    d[fields] = d[z]


@tangent("record")
def record_tangent(z, kind, *fields):
    t[z] = record_of_tangents(kind, t[fields], fields)


@tangent(field_adjoint, examples=[example("field_adjoint(Pair(x, x), 'b', g)[1]", g=(3,),
                                          x=(3,), setup=_PAIR)])
def field_adjoint_tangent(z, record, name, g):
    t[z] = field_adjoint(record, name, t[g])


@adjoint(concatenated, examples=[example("np.stack(concatenated([x], [y, x]))", x=(2,), y=(2,)),
                                 example("concatenated((x,), (y,))[1] * 2.0", x=(3,), y=())])
def concatenated_rule(z, a, b):
    d[a] = first_items(d[z], a)
    d[b] = last_items(d[z], a, b)


@tangent(concatenated)
def concatenated_rule_tangent(z, a, b):
    t[z] = concatenated(list(t[a]), list(t[b]))


@adjoint(kept_as, examples=[example("kept_as(x * y, x)", x=(3,), y=()),
                            example("kept_as(x + y, x)", x=(2, 2), y=(2,))])
def kept_as_rule(z, new, old):
    d[new] = d[z]


@tangent(kept_as)
def kept_as_rule_tangent(z, new, old):
    t[z] = kept_as(t[new], old)


@adjoint(in_order, examples=[example("np.stack(in_order([x, y]))", x=(2,), y=(2,)),
                             example("in_order(x) * 2.0", x=(3,))])
def in_order_rule(z, items):
    d[items] = in_order_adjoint(d[z], items)


@tangent(in_order)
def in_order_rule_tangent(z, items):
    t[z] = in_order_tangent(t[items], items)


@tangent(first_items, examples=[example("np.stack(first_items([g, g, g], [x]))", g=(2,),
                                        x=(2,))])
def first_items_tangent(z, g, a):
    t[z] = first_items(t[g], a)


@tangent(last_items, examples=[example("np.stack(last_items([g, g, g], [x], [x, x]))", g=(2,),
                                       x=(2,))])
def last_items_tangent(z, g, a, b):
    t[z] = last_items(t[g], a, b)


@tangent(in_order_adjoint, examples=[example("in_order_adjoint(g, [x])", g=(2,), x=(2,))])
def in_order_adjoint_tangent(z, g, items):
    t[z] = in_order_adjoint(t[g], items)


@adjoint(method("get"), examples=[
    example("dict_of(('a', 'b'), [x, y]).get('a') * 2.0", x=(2,), y=(2,)),
    example("dict_of(('a',), [x]).get('b', y) * 3.0", x=(2,), y=(2,))])
def get(z, mapping, key, default=None):
    d[mapping] = got_adjoint(mapping, key, d[z])
    d[default] = default_adjoint(mapping, key, d[z])


@tangent(method("get"))
def get_tangent(z, mapping, key, default=None):
    t[z] = got_tangent(t[mapping], mapping, key, t[default])


@tangent(got_adjoint, examples=[example("got_adjoint({'a': x}, 'a', g)['a']", g=(2,), x=(2,))])
def got_adjoint_tangent(z, mapping, key, g):
    t[z] = got_adjoint(mapping, key, t[g])


@tangent(default_adjoint, examples=[example("default_adjoint({'a': x}, 'b', g)", g=(2,),
                                            x=(2,))])
def default_adjoint_tangent(z, mapping, key, g):
    t[z] = default_adjoint(mapping, key, t[g])


# Their adjoints' helpers are linear in the adjoint they receive (second order).
@tangent(spread_to_items, examples=[example("np.stack(spread_to_items(g, [x, x]))", g=(3,),
                                            x=(3,))])
def spread_to_items_tangent(z, g, items):
    t[z] = spread_to_items(t[g], items)


@tangent(picked_adjoint, examples=[example("np.stack(picked_adjoint(g, [x, y], y))", g=(),
                                           x=(), y=())])
def picked_adjoint_tangent(z, g, items, chosen):
    t[z] = picked_adjoint(t[g], items, chosen)


@tangent(values_of, examples=[example("np.stack(values_of({'a': g, 'b': 2.0 * g}, ('a', 'b')))",
                                      g=(2,))])
def values_of_tangent(z, g, keys):
    t[z] = values_of(t[g], keys)


@tangent(fields_of, examples=[example("fields_of({'a': g, 'b': g}, {'a': 1.0}, {})['a']",
                                      g=(2,))])
def fields_of_tangent(z, g, mapping, others):
    t[z] = fields_of(t[g], mapping, others)


nondifferentiable(sort_order, builtins.any, builtins.all, builtins.range, builtins.set,
                  method("keys"))  # a dict's keys are constants


named("field", "a record's field (p.W of a namedtuple)")
named(concatenated, "items + more (lists or tuples)")
named(kept_as, "x += v (the type x keeps)")
named(in_order, "for x in items")
named("record", "a namedtuple made in the function")
named(set_at, "item assignment")
named(appended, "list.append")
named(refresh, "an update in place seen through another name")
named(swap_item, "an item updated in place seen through another name (hs[0] += e)")
named(largest, "max(items)")
named(smallest, "min(items)")
named(dict_of, "a dict")
named(merged, "{**a, **b}")
named(sort_order, "sorted(items)")
named("pack", "a tuple or list")
