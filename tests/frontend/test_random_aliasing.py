"""Random programs that update values in place while other names, containers, helpers'
parameters or views hold them (tests/alias_programs.py), against NumPy and finite
differences (tests/alias_oracles.py): the aliasing model (srcgrad/aliasing.py).

Every program is run by plain NumPy on copies of its inputs; srcgrad's value must equal
it, its gradients must match central finite differences (and autograd, for programs that
change no array in place), the grad object is called three times (the specialized code
and its entry), vjp runs the general code, jvp checks forward mode, and the inputs must
come back unchanged. A SrcGradError is accepted only as a legitimate refusal:

- "would change the caller's data" (static, or at run time): only if NumPy's run of
  the program does change its inputs;
- "cannot follow this update in place" (a view): only in programs that make views;
- any other SrcGradError (an unsupported construct): only for constructs listed in
  UNSUPPORTED.

Anything else (a wrong number, another exception, a refusal of an exact-able program)
fails, with the category, seed and source: `alias_programs.generate(category, seed,
features)` reproduces the program.

How many programs: PER_CATEGORY per category by default (a few hundred in all, ~30 s on
one core); `SRCGRAD_LONG_TESTS=1` runs LONG_FACTOR times as many (over 10,000), and
`SRCGRAD_ALIAS_PROGRAMS=n` sets the count per category directly. The long run prints a
table of outcomes (`pytest -s`): ok, invalid (the program itself raised in NumPy: a
generator's miss, not srcgrad's), and each refusal kind.

FEATURES: constructs the generator uses only when asked (`generate(..., features)`). They
were switched off while they hit bugs these tests found (each fixed now, with a minimal
repro in tests/test_aliasing_attacks.py); the default run asks for all of them.
"""

from __future__ import annotations

import collections
import copy
import os
import traceback

import numpy as np
import pytest
from alias_oracles import Outcome, judge, plain, same_tree
from alias_programs import CATEGORIES, generate
from programs import load

import srcgrad

pytestmark = pytest.mark.slow  # a quick run skips them: pytest -m 'not slow'
LONG = os.environ.get("SRCGRAD_LONG_TESTS", "") not in ("", "0")
PER_CATEGORY = 40
LONG_FACTOR = 50
COUNT = int(os.environ.get("SRCGRAD_ALIAS_PROGRAMS", 0)) or (
    PER_CATEGORY * LONG_FACTOR if LONG else PER_CATEGORY)
UNSUPPORTED: set = set()  # constructs refused by name (a SrcGradError is then fine)

# the features each category's programs use (see alias_programs.py)
FEATURES = {
    "containers": {"subscript_aug", "list_setitem", "list_concat", "zero_d", "records"},
    "views": {"method_views", "multi_write"}, "dicts_floats": {"dict_iter"},
    "fancy": {"repeated_index"}, "changed_defaults": {"changed_defaults"}}


def mutates_inputs(f, args) -> bool:
    """Does NumPy's own run of f change its inputs?"""
    given = copy.deepcopy(list(args))
    try:
        with np.errstate(all="ignore"):
            f(*given)
    except Exception:
        return False
    return not all(same_tree(a, b) for a, b in zip(given, args))


def verdict(program, module, outcome: Outcome) -> str | None:
    """None if the outcome is acceptable; else why it is a bug."""
    kind = outcome.kind
    if kind in ("ok", "invalid"):
        return None
    if kind in ("wrong", "crash"):
        return kind
    if kind == "refused:view":
        return None if "view" in program.flags else "over-refusal (no view in the program)"
    if kind in ("refused:caller", "refused:caller-at-run-time"):
        if mutates_inputs(module.f, program.inputs()):
            return None
        return "over-refusal (NumPy's run leaves the inputs unchanged)"
    if kind == "refused:other":
        used = UNSUPPORTED & set(program.features_used)
        return None if used else "refused an exact-able program (unsupported construct)"
    return f"unknown outcome {kind}"


def run_one(category, seed, features, workdir) -> tuple:
    """(program, outcome, verdict) of one generated program."""
    program = generate(category, seed, features)
    program.features_used = _features_used(program)
    module = load(program.source(), workdir, f"alias_{category}")
    oracle = load(program.source("autograd"), workdir, "alias_ag").f if (
        program.autograd_ok and category != "changed_defaults") else None
    try:
        if program.new_defaults is None:
            outcome = judge(module.f, program.inputs(), wrt=program.wrt, autograd_f=oracle)
        else:
            outcome = _judge_changed_defaults(program, module)
    except Exception as exc:  # the oracles themselves: report, do not hide
        outcome = Outcome("crash", "in the oracles: " + "".join(
            traceback.format_exception(exc))[-2000:])
    return program, outcome, verdict(program, module, outcome)


def _judge_changed_defaults(program, module) -> Outcome:
    gradient = srcgrad.value_and_grad(module.f, wrt=program.wrt)
    first = judge(module.f, program.inputs(), wrt=program.wrt, calls=2, gradient=gradient,
                  forward=False)
    if first.kind != "ok":
        return first
    name, value = program.new_defaults
    if name == "W0":
        module.W0[...] = value
    else:
        module.f.__defaults__ = program.new_defaults
    second = judge(module.f, program.inputs(), wrt=program.wrt, calls=2, gradient=gradient,
                   forward=False)
    if second.kind != "ok":
        return Outcome(second.kind, "after the defaults changed: " + second.detail)
    return second


def _features_used(program) -> set:
    text = program.source()
    return {"records"} if "Rec(" in text else set()


def run_batch(category, seeds, features=(), workdir=None, stop_at_first=False):
    """Run the programs; return (tally of outcome kinds, [failure reports])."""
    tally, failures = collections.Counter(), []
    for seed in seeds:
        program, outcome, why = run_one(category, seed, features, workdir)
        tally[outcome.kind] += 1
        if why:
            failures.append(f"{category} seed {seed} features {sorted(features)}: {why}\n"
                            f"{outcome}\n{program.source()}")
            if stop_at_first:
                break
    return tally, failures


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("alias_programs")


TOTALS: dict = {}


@pytest.mark.parametrize("category", [c for c in CATEGORIES])
def test_random_aliasing_programs(category, workdir):
    tally, failures = run_batch(category, range(COUNT), FEATURES.get(category, ()), workdir)
    TOTALS[category] = tally
    print(f"\n{category}: {COUNT} programs: {dict(sorted(tally.items()))}")
    for failure in failures:  # one line each: category, seed, why, and the outcome
        head = failure.split("\n")
        print(f"  {head[0]} | {head[1][:160]}")
    assert not failures, f"{len(failures)} failures; the first:\n" + failures[0]
    assert tally["ok"] >= COUNT // 4, f"too few programs ran to the end: {dict(tally)}"


def test_the_generator_is_deterministic_and_covers_its_constructs():
    texts = {c: "\n".join(generate(c, s).source() for s in range(60)) for c in CATEGORIES}
    assert generate("containers", 7).source() == generate("containers", 7).source()
    needles = {
        "containers": [".append(", "+= ", "*= ", "-= ", "] = ", "[1:] += ", "np.stack(",
                       " if c ", "for i", "for v", "= {}", ", u", "[0]", "[-1]", "(h"],
        "helpers": ["put(", "put_first(", "add_at(", "bump(", "scale(", "bump_ret(",
                    "push(", "push_ret(", "twice("],
        "views": ["[0]", "[1:]", ".T", "np.transpose(", "np.reshape(", "[:, 1]", "+= ",
                  "*= ", "for i"],
        "dicts_floats": [".items()", ".values()", "old", "fs", "+= ", "-= "],
        "fancy": ["] = ", "] += ", "np.array(["],
        "changed_defaults": ["k=", "w=W0"]}
    for category, words in needles.items():
        for word in words:
            assert word in texts[category], (category, word)
    featured = "\n".join(generate("containers", s, {"subscript_aug", "list_setitem",
                                                    "list_concat", "zero_d"}).source()
                         for s in range(80))
    for word in ["[0] += ", "] = h", "+= [", "+= (", "np.zeros(())"]:
        assert word in featured, word
