"""Adjoint rules for element assignment (`h[t] = v`) and other container updates."""

from ..containers import set_at, take, without
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


named(set_at, "item assignment")
