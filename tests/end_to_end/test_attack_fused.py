"""Hostile programs against the fused gradient (what a call runs: buffer reuse, in-place
ufuncs, written-out helpers, the cache), arrays larger than buffer_reuse.MIN_SIZE, each
judged by tests/alias_oracles.py (NumPy's value, central finite differences, three calls,
vjp's general code, jvp, the inputs unchanged) and, where it applies, HIPS autograd.

Programs srcgrad gets wrong today are xfail(strict=True) with the cause: the fix flips
them."""

import os

import numpy as np
import pytest
from alias_oracles import judge

RNG = np.random.default_rng(0)
BIG = RNG.uniform(-1.0, 1.0, (128, 130))
SMALL = np.array([0.7, -1.2, 1.5, 0.3, -0.4])


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


FACT_BUGS = [sum_of_empty_with_start,  # builtin sum: sum([], start) is start
             diff_n0]  # np.diff(x, n=0) is x


@pytest.mark.parametrize("f", FACT_BUGS)
@pytest.mark.parametrize("x", [BIG, SMALL], ids=["big", "small"])
def test_facts_end_to_end(f, x):
    outcome = judge(f, [x.copy()])
    assert outcome.kind == "ok", str(outcome)


# --- a NumPy function with no facts and no rule, whose result is never read, returns its
# argument or a view: alias_analysis.kind takes every NumPy function for "new", so the
# update through it is dropped with the dead result (value and gradient wrong) ----------


def real_if_close_then_update(x):
    h = x * 2.0
    v = np.real_if_close(h)  # h itself (real input)
    v *= x
    return np.sum(h * x)


def matrix_transpose_then_update(x):
    h = x * 2.0
    v = np.linalg.matrix_transpose(h)  # a view of h
    v *= 3.0
    return np.sum(h * x)


def frombuffer_then_update(x):
    h = x * 2.0
    v = np.frombuffer(h)  # a view of h
    v *= 3.0
    return np.sum(h * x)


def from_dlpack_then_update(x):
    h = x * 2.0
    v = np.from_dlpack(h)  # h's memory
    v += x
    return np.sum(h * x)


def real_if_close_then_setitem(x):
    h = x * 2.0
    v = np.real_if_close(h)
    v[0] = 0.0
    return np.sum(h * x)


@pytest.mark.parametrize("f", [real_if_close_then_update, matrix_transpose_then_update,
                               frombuffer_then_update, from_dlpack_then_update,
                               real_if_close_then_setitem])
def test_unknown_numpy_view_then_update(f):
    outcome = judge(f, [BIG.copy()])
    assert outcome.kind == "ok" or outcome.kind.startswith("refused"), str(outcome)


# --- crashes from inside srcgrad (must be a right answer or a SrcGradError) -------------


def real_attribute(x):
    h = x * 2.0
    v = h.real  # taken for a record's field: field_adjoint reads ndarray._fields
    return np.sum(v * x)


def flat_slice(x):
    h = x * 2.0
    v = h.flat[:]  # a copy; its adjoint: scatter_add(np.result_type(flatiter...))
    v += 1.0
    return np.sum(h * x)


def clip_none_none(x):
    v = x.clip(None, None)  # the adjoint compares with None
    return np.sum(v * x)


@pytest.mark.parametrize("f", [
    real_attribute,
    flat_slice,  # refused: `.flat` is an iterator (once scatter_add got a flatiter)
    clip_none_none,  # once: the adjoint compared the array with None
])
def test_no_crash(f):
    outcome = judge(f, [BIG.copy()])
    assert not outcome.bug, str(outcome)


# --- a helper holding a nested function (or lambda) that reads the helper's parameter,
# written out into the caller: the closure's name is not renamed to the argument ------


@pytest.mark.parametrize("name", ["closure_over_param_global_of_same_name",
                                  "lambda_in_map_reads_a_global_of_the_same_name",
                                  "lambda_in_reduce_reads_a_global_of_the_same_name"])
def test_closure_in_helper_reads_a_global_of_the_same_name(name):
    import attack_helpers
    outcome = judge(getattr(attack_helpers, name), [BIG.copy()])
    assert outcome.kind == "ok", str(outcome)


@pytest.mark.parametrize("name", ["lambda_in_helper", "lambda_in_helper_array"])
def test_closure_in_helper_no_crash(name):
    import attack_helpers
    outcome = judge(getattr(attack_helpers, name), [BIG.copy()])
    assert outcome.kind == "ok", str(outcome)


# --- grad runs it (exact), vjp's general code refuses: "may be the argument" ------------


@pytest.mark.xfail(strict=True, reason="vjp (general code): a helper's new result is "
                   "taken for its argument (h = scaled(x); h[:, 3] = ...); grad runs it")
@pytest.mark.parametrize("name", ["helper_result_written", "partial_result_written"])
def test_helper_result_written_general_code(name):
    import attack_helpers
    outcome = judge(getattr(attack_helpers, name), [BIG.copy()])
    assert outcome.kind == "ok", str(outcome)


# sorted(a set): refused at run time (sort_order picks by position)
def test_sorted_of_a_set():
    import attack_helpers
    outcome = judge(attack_helpers.sorted_set, [BIG.copy()])
    assert not outcome.bug, str(outcome)


# --- random plain-Python programs on large arrays (tests/plain_python_programs.py) -------

QUICK = 8
SLOW = 1000 if os.environ.get("SRCGRAD_LONG_TESTS", "") not in ("", "0") else 40
GENERAL_CODE_REFUSES = "vjp (the general code) refused what grad ran"


def _verdict(module, args, outcome, features):
    """None if the outcome is right or a legitimate refusal; else why it is a bug."""
    if outcome.kind == "ok" or outcome.kind == "invalid":
        return None
    if outcome.kind.startswith("refused:caller"):
        given = [a.copy() for a in args]
        module.f(*given)
        if not all(np.array_equal(a, b) for a, b in zip(given, args)):
            return None  # NumPy's run changes the caller's arrays too
        if "closure_reduce" in features:
            return None  # functools.reduce of one item returns it: may be the argument
    if outcome.kind == "wrong" and GENERAL_CODE_REFUSES in outcome.detail:
        return None  # known: test_helper_result_written_general_code
    return f"{outcome.kind}: {outcome.detail[:2000]}"


def _run_random(seeds, tmp_path):
    from plain_python_programs import SHAPE, generate
    from programs import load
    bugs = []
    for seed in seeds:
        text, features = generate(seed)
        module = load(text, tmp_path)
        rng = np.random.default_rng(seed)
        args = [rng.uniform(-1.0, 1.0, SHAPE), rng.uniform(-1.0, 1.0, SHAPE)]
        why = _verdict(module, args, judge(module.f, [a.copy() for a in args]), features)
        if why:
            bugs.append(f"seed {seed}: {why}\n{text}")
    assert not bugs, "\n\n".join(bugs[:3])


def test_random_plain_python_programs_quick(tmp_path):
    _run_random(range(QUICK), tmp_path)


@pytest.mark.slow
def test_random_plain_python_programs(tmp_path):
    _run_random(range(QUICK, QUICK + SLOW), tmp_path)


# a write into a module's array, list or dict (`BUF[...] = v`, `LOG.append(v)`) was
# normalized to a local rebinding (UnboundLocalError, or the append silently dropped in
# the specialized code): refused at the line now (frontend/refusals.py "module_write")


@pytest.mark.parametrize("name", ["writes_a_global_array", "writes_a_global_dict",
                                  "updates_a_global_list_item"])
def test_write_into_a_module_value(name):
    import attack_helpers
    outcome = judge(getattr(attack_helpers, name), [BIG.copy()], calls=1, forward=False)
    assert outcome.kind in ("ok", "refused:other", "refused:caller"), str(outcome)


def test_append_to_a_module_list():
    import attack_helpers
    before = len(attack_helpers.LOG)
    outcome = judge(attack_helpers.appends_to_a_global_list, [BIG.copy()], calls=1,
                    forward=False)
    assert outcome.kind in ("ok", "refused:other"), str(outcome)
    assert outcome.kind != "ok" or len(attack_helpers.LOG) > before


# hessian over dict iteration: the gradient's code calls p.keys() (now nondifferentiable)
# and takes the zero tangent of a key (a string)
def test_hessian_of_dict_iteration():
    import autograd
    import srcgrad
    import attack_helpers
    x = np.array([0.3, -0.7, 0.9, 0.2])
    got = srcgrad.hessian(attack_helpers.dict_comprehension_values)(x)
    # the same function by hand, for autograd (which has no dict comprehensions issue)
    import autograd.numpy as anp
    want = autograd.hessian(lambda z: sum(anp.sum(anp.exp(z * v) * z * v)
                                          for v in (1.0, 2.0, 3.0)))(x)
    np.testing.assert_allclose(got, want, rtol=1e-8)


# --- iterating an array gives views of its rows -----------------------------------------

# (list(h), [r for r in h], map): an update of a row through the list is refused at the
# user's line (swap_item of a list's item refuses a view of it), never lost


@pytest.mark.parametrize("name", ["list_of_rows_updated", "comprehension_of_rows_updated",
                                  "mapped_rows_updated"])
def test_rows_of_an_array_updated(name):
    import attack_helpers
    outcome = judge(getattr(attack_helpers, name), [BIG.copy()])
    assert outcome.kind in ("ok", "refused:view"), str(outcome)


# builtin max/min of an array: iterating it makes new scalars, so picked_adjoint finds
# the chosen row by value (the first equal one), not by identity
def test_builtin_max_of_an_array():
    import attack_helpers
    outcome = judge(attack_helpers.builtin_max_of_an_array, [BIG.copy()])
    assert outcome.kind in ("ok", "refused:other"), str(outcome)


# [h] * 2 (a list repeated): the adjoint sums the copies' parts (was a ValueError)
def test_list_repetition():
    import attack_helpers
    outcome = judge(attack_helpers.list_repeated, [SMALL.copy()])
    assert outcome.kind in ("ok", "refused:other"), str(outcome)


@pytest.mark.parametrize("name", ["np_put_overwrites", "np_put_active_values"])
def test_np_put(name):
    import attack_helpers
    outcome = judge(getattr(attack_helpers, name), [BIG.copy()])
    assert outcome.kind in ("ok", "refused:other"), str(outcome)


# a function defined inside a loop's body: refused at its line (was a TypeError from
# inside srcgrad)
def test_def_inside_a_loop():
    import attack_helpers
    outcome = judge(attack_helpers.def_inside_a_loop, [BIG.copy()])
    assert outcome.kind in ("ok", "refused:other"), str(outcome)


# an array held by an object argument's attribute (b = cfg.buf; b += w): refused at run
# time, as a dict's item is
def test_update_through_an_attribute_of_an_argument():
    import srcgrad
    import attack_helpers
    cfg = attack_helpers.Config(BIG.shape)
    try:
        srcgrad.grad(attack_helpers.updates_an_attribute_of_an_argument, wrt=0)(BIG, cfg)
    except srcgrad.SrcGradError:
        return  # refused, as for a dict's item
    expected = attack_helpers.Config(BIG.shape)
    attack_helpers.updates_an_attribute_of_an_argument(BIG, expected)
    np.testing.assert_array_equal(cfg.buf, expected.buf)
