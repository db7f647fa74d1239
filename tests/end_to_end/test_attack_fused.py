"""Hostile programs against the fused gradient (what a call runs: buffer reuse, in-place
ufuncs, written-out helpers, the cache), arrays larger than buffer_reuse.MIN_SIZE, each
judged by tests/alias_oracles.py (NumPy's value, central finite differences, three calls,
vjp's general code, jvp, the inputs unchanged) and, where it applies, HIPS autograd.

Programs srcgrad gets wrong today are xfail(strict=True) with the cause: the fix flips
them."""

import numpy as np
import pytest
from alias_oracles import judge

RNG = np.random.default_rng(0)
BIG = RNG.uniform(-1.0, 1.0, (128, 130))
SMALL = np.array([0.7, -1.2, 1.5, 0.3, -0.4])


def _ok(f, args, **kw):
    outcome = judge(f, [a.copy() if isinstance(a, np.ndarray) else a for a in args], **kw)
    assert not outcome.bug, str(outcome)
    assert outcome.kind == "ok" or outcome.kind.startswith("refused"), str(outcome)
    return outcome


# --- a fact of rules/facts.py that does not hold (tests/rules/test_facts_hold.py) -------


def sum_of_empty_with_start(x):
    h = x * 2.0
    parts = [x * x for i in range(0)]  # empty at run time
    s = sum(parts, h)  # Python returns `h` itself
    s += x  # so this changes h too
    return np.sum(h * x)


def diff_n0(x):
    h = np.sin(x)
    d = np.diff(h, n=0)  # NumPy returns `h` itself
    d += x
    return np.sum(h * x)


FACT_BUGS = [
    pytest.param(sum_of_empty_with_start, marks=pytest.mark.xfail(
        strict=True, reason="facts: builtin sum is makes_new, but sum([], start) is start")),
    pytest.param(diff_n0, marks=pytest.mark.xfail(
        strict=True, reason="facts: np.diff is makes_new, but np.diff(x, n=0) is x")),
]


@pytest.mark.parametrize("f", FACT_BUGS)
@pytest.mark.parametrize("x", [BIG, SMALL], ids=["big", "small"])
def test_facts_end_to_end(f, x):
    outcome = judge(f, [x.copy()])
    assert outcome.kind == "ok", str(outcome)
