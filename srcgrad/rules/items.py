"""Adjoint rules for element assignment (`h[t] = v`) and other container updates, each with
its tangent (forward-mode) rule.

Their tangents are single terms that read several tangents (the engine puts zeros in
for absent ones): a sum of two lists would concatenate them, not add them.
"""

from ..runtime import unbroadcast
from ..runtime.containers import (appended, refresh, refresh_adjoint_new, refresh_adjoint_refs,
                                  refresh_tangent, set_at, take, without)
from .facts import NEW
from .registry import adjoint, example, named, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


# Where an integer index repeats a slot, the element NumPy leaves there gets its adjoint;
# the others (overwritten) get none.
@adjoint(set_at, facts=NEW,
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
    d[value] = unbroadcast(take(d[z], index), value)  # `value` may be broadcast


@tangent(set_at)
def set_at_rule_tangent(z, x, index, value):
    t[z] = set_at(t[x], index, t[value])


@adjoint(appended, facts=NEW,
         examples=[example("np.stack(appended([x, x * 2.0], y))", x=(3,), y=(3,))])
def appended_rule(z, items, item):
    d[items] = d[z][:-1]
    d[item] = d[z][-1]


@tangent(appended)
def appended_rule_tangent(z, items, item):
    t[z] = appended(t[items], t[item])


@adjoint("pack", examples=[example("np.stack((x, y))", x=(2,), y=(2,))])
def pack(z, items):
    d[items] = d[z]


@tangent("pack")
def pack_tangent(z, items):
    t[z] = t[items]


@adjoint(refresh, examples=[example("np.stack(refresh([x, y], x, x * 2.0))", x=(3,), y=(3,)),
                            example("np.stack(refresh([x, y], y, y * x))", x=(2,), y=(2,))])
def refresh_rule(z, refs, old, new, region=None):
    d[refs] = refresh_adjoint_refs(d[z], refs, old)
    d[new] = refresh_adjoint_new(d[z], refs, old, new)


@tangent(refresh)
def refresh_rule_tangent(z, refs, old, new, region=None):
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


named(set_at, "item assignment")
named(appended, "list.append")
named(refresh, "an update in place seen through another name")
named("pack", "a tuple or list")
