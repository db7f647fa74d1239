"""Adjoint rules for element assignment (`h[t] = v`) and other container updates."""

from ..containers import appended, set_at, take, without
from ..runtime import unbroadcast
from .registry import adjoint, example, named

d = None  # templates index it as d[x]; they are parsed, never run


@adjoint(set_at,
         examples=[example("set_at(x, 1, y)", x=(3,), y=()),
                   example("set_at(x, (slice(None), 0), y)", x=(2, 3), y=(2,)),
                   example("set_at(x, 0, y)", x=(2, 3), y=(3,))])
def set_at_rule(z, x, index, value):
    d[x] = without(d[z], index)
    d[value] = unbroadcast(take(d[z], index), value)  # `value` may have filled the slot by broadcasting


@adjoint(appended, examples=[example("np.stack(appended([x, x * 2.0], y))", x=(3,), y=(3,))])
def appended_rule(z, items, item):
    d[items] = d[z][:-1]
    d[item] = d[z][-1]


@adjoint("pack", examples=[example("np.stack((x, y))", x=(2,), y=(2,))])
def pack(z, items):
    d[items] = d[z]


named(set_at, "item assignment")
named(appended, "list.append")
named("pack", "a tuple or list")
