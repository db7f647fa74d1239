"""A tangent template whose `t[z] = ...` reads a tangent only through a variable would lose
that term silently (the terms are read from the assignment of t[z]): it is refused."""

import numpy as np
import pytest

import srcgrad
from srcgrad.rules.registry import RULES, adjoint, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


def doubled(x):
    return 2.0 * x


def doubled_adjoint(z, x):
    d[x] = 2.0 * d[z]


def doubled_tangent(z, x):
    kept = 2.0 * t[x]
    t[z] = kept


def uses_it(x):
    return np.sum(doubled(x))


def test_a_tangent_kept_in_a_variable_is_refused_not_dropped():
    adjoint(doubled)(doubled_adjoint)
    tangent(doubled)(doubled_tangent)
    try:
        with pytest.raises(ValueError, match="reads a tangent outside `t\\[z\\] = ...`"):
            srcgrad.jvp(uses_it)(np.ones(3), tangent=np.ones(3))
    finally:
        RULES.pop(doubled)


def test_every_registered_tangent_template_reads_its_tangents_in_its_terms():
    for rule in {id(r): r for r in RULES.values()}.values():
        assert rule.tangent is None or rule.tangent_body is not None
