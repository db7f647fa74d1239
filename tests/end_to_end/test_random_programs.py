"""Issue 9, "never a wrong gradient": random programs against two oracles.

Hypothesis generates programs (tests/programs.py): straight-line code,
branches on intermediate values, `for` and `while` loops with loop-carried
state, `break`/`continue`, over a safe subset of the registry. Every float input
is differentiated and compared with central finite differences in float64, and,
where HIPS autograd is installed (the `oracle` extra), with autograd's gradient of
the same program.

A program is kept only if its inputs are at least `programs.MIN_MARGIN` from
every kink (ties of max/min/abs, branch and `np.where` conditions), so the finite
differences never straddle one. The forward value must equal the plain Python
call, and the inputs must come back unchanged.

The default run is a few hundred programs; `SRCGRAD_LONG_TESTS=1` runs 20 times
as many. The examples are derandomized: a failure reproduces on every run, and
Hypothesis prints the shrunk program's source and inputs.

The last section keeps regression tests for the transformer bugs these tests
found (all fixed now).
"""

import os
import traceback
import warnings

import numpy as np
import pytest
from finite_diff import numerical_grad
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from programs import FEATURES, MIN_MARGIN, load, margin, programs

import srcgrad

pytestmark = pytest.mark.slow  # a quick run skips them: pytest -m 'not slow'

LONG = os.environ.get("SRCGRAD_LONG_TESTS", "") not in ("", "0")
SEEDS = st.integers(0, 2 ** 32 - 1)


def examples(n: int):
    """Hypothesis settings: `n` examples (20 n in a long run), reproducible, no deadline."""
    return settings(max_examples=20 * n if LONG else n, deadline=None, derandomize=True,
                    database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("programs")


def _prepare(program, seed, workdir):
    """(module, inputs, value) of a program that is smooth around its inputs."""
    note(program.source())
    args = program.inputs(seed)
    note(f"inputs: {args!r}")
    probe = load(program.source("probe"), workdir, "probe")
    with np.errstate(all="ignore"):
        value, gap = margin(probe, args)
    assume(gap > MIN_MARGIN)
    assume(np.isfinite(value) and abs(value) < 1e4)
    assume(not _overflows(probe, args))
    return load(program.source(), workdir), args, value


def _overflows(module, args) -> bool:
    """Some value on the way overflows to inf: reverse mode then multiplies a zero
    adjoint by an infinite slope (0 * inf = nan) even where the result does not read it,
    as every reverse-mode tool does (docs/supported.md, `np.where` and NaN)."""
    with np.errstate(all="ignore", over="raise"):
        try:
            module.f(*args)
        except (FloatingPointError, OverflowError):
            return True
    return False


def _srcgrad(module, args, value):
    """srcgrad's gradients w.r.t. every input, with the checks every program must pass."""
    before = [np.copy(a) for a in args]
    wrt = tuple(range(len(args)))
    crash = None
    try:
        with np.errstate(all="ignore"):
            got, grads = srcgrad.value_and_grad(module.f, wrt=wrt)(*args)
    except Exception as exc:
        crash = f"srcgrad raised {type(exc).__name__}:\n" + "".join(
            traceback.format_exception(exc))
    # Raised out here, without the original as context: the generated file's name
    # changes from run to run, and Hypothesis tells failures apart by where they arose.
    assert crash is None, crash
    note(f"srcgrad value {got!r}, gradients {grads!r}")
    # The forward sweep is the original computation, operation for operation.
    assert got == pytest.approx(value, rel=1e-12, abs=1e-12)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b, err_msg="an input was changed")
    for g, a in zip(grads, args):
        if isinstance(a, float):
            assert type(g) is float
        else:
            assert isinstance(g, np.ndarray) and g.shape == a.shape and g.dtype == a.dtype
    return grads


STEPS = (1e-6, 1e-5, 1e-4, 1e-7)  # tests/finite_diff.py's step first


def assert_matches_finite_differences(f, args, i, g, scale, source):
    """`g` equals central differences of `f` in input `i` (rtol 1e-5, atol 1e-6 |f|).

    The helper's step (1e-6) is tried first. Finite differences themselves can be off:
    truncation where `f` is steep or curved, rounding where large intermediate values
    cancel (sin(4e5 + ...) gives a 1e-4 relative error at step 1e-6). So a mismatch is
    retried with other steps: `g` passes if it matches one of them, and the program is
    set aside if the steps disagree among themselves (finite differences cannot judge
    it). A gradient that is consistently different from every step fails.
    """
    atol = 1e-6 * scale
    estimates = []
    for step in STEPS:
        with np.errstate(all="ignore"):
            numeric = np.asarray(numerical_grad(f, args, i, eps=step))
        note(f"finite differences for input {i}, step {step}: {numeric!r}")
        if np.allclose(g, numeric, rtol=1e-5, atol=atol):
            return
        estimates.append(numeric)
    first = estimates[0]
    spread = max(np.max(np.abs(e - first)) for e in estimates)
    assume(np.all(np.isfinite(first)) and spread <= 1e-4 * (np.max(np.abs(first)) + scale))
    np.testing.assert_allclose(g, first, rtol=1e-5, atol=atol,
                               err_msg=f"gradient of input {i}\n{source}")


def check_against_finite_differences(program, seed, workdir):
    module, args, value = _prepare(program, seed, workdir)
    grads = _srcgrad(module, args, value)
    scale = max(1.0, abs(value))  # rounding in the differences grows with |f|
    for i, g in enumerate(grads):
        assert_matches_finite_differences(module.f, args, i, g, scale, program.source())


@examples(100)
@given(program=programs(features=()), seed=SEEDS)
def test_straight_line_programs(program, seed, workdir):
    check_against_finite_differences(program, seed, workdir)


@examples(100)
@given(program=programs(features={"if", "ifexp", "early_return"}), seed=SEEDS)
def test_branching_programs(program, seed, workdir):
    check_against_finite_differences(program, seed, workdir)


@examples(100)
@given(program=programs(features={"for", "rows", "while", "break"}), seed=SEEDS)
def test_looping_programs(program, seed, workdir):
    check_against_finite_differences(program, seed, workdir)


@examples(100)
@given(program=programs(features=FEATURES), seed=SEEDS)
def test_nested_control_flow(program, seed, workdir):
    check_against_finite_differences(program, seed, workdir)


@examples(100)
@given(program=programs(features=FEATURES), seed=SEEDS)
def test_autograd_agrees(program, seed, workdir):
    """The same program under `import autograd.numpy as np`: two exact gradients, which
    must agree to rounding. Where they do not, finite differences decide: autograd has
    bugs of its own (e.g. the gradient of a float input left broadcast to an array)."""
    autograd = pytest.importorskip("autograd")
    module, args, value = _prepare(program, seed, workdir)
    grads = _srcgrad(module, args, value)
    oracle = load(program.source("autograd"), workdir, "oracle")
    scale = max(1.0, abs(value))
    for i, g in enumerate(grads):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")  # "Output seems independent of input."
                expected = autograd.grad(oracle.f, i)(*args)
        except Exception as exc:  # autograd's own limits, e.g. np.min(x, keepdims=True)
            note(f"autograd cannot differentiate this program: {exc!r}")
            assume(False)
        note(f"autograd for input {i}: {expected!r}")
        if np.shape(expected) == np.shape(g) and np.allclose(g, expected, rtol=1e-8,
                                                             atol=1e-10 * scale):
            continue
        note("srcgrad and autograd disagree: finite differences decide")
        assert_matches_finite_differences(module.f, args, i, g, scale, program.source())
        note("autograd is the one that is wrong here")


@examples(60)
@given(program=programs(features=FEATURES), seed=SEEDS)
def test_forward_mode_agrees(program, seed, workdir):
    """jvp (forward mode, its own transformation) against grad: <grad, v> == J v for a
    random v, through every construct the generator makes."""
    module, args, value = _prepare(program, seed, workdir)
    grads = _srcgrad(module, args, value)
    rng = np.random.default_rng(seed)
    vs = tuple(float(rng.normal()) if np.ndim(x) == 0 else rng.normal(size=np.shape(x))
               for x in args)
    try:
        _, slope = srcgrad.jvp(module.f, wrt=tuple(range(len(args))))(*args, tangent=vs)
    except srcgrad.SrcGradError as exc:
        if "no forward-mode" not in str(exc):
            raise
        note(f"refused by forward mode: {exc}")  # np.prod has no second-order form only
        return
    expected = sum(float(np.sum(np.asarray(g) * v)) for g, v in zip(grads, vs))
    # rounding grows with the terms summed, which can dwarf the value (y -= sum(y) in a loop)
    scale = max(1.0, abs(value)) + sum(float(np.sum(np.abs(np.asarray(g) * v)))
                                       for g, v in zip(grads, vs))
    assert abs(float(slope) - expected) <= 1e-8 * scale, program.source()


def test_the_generator_covers_every_construct():
    """A fixed sample of programs uses every operation and statement the generator has,
    so a change to programs.py cannot silently drop one."""
    found = set()

    @settings(max_examples=300, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(program=programs(features=FEATURES))
    def collect(program):
        found.add(program.source())

    collect()
    text = "\n".join(found)
    for needle in ["np.sin(", "np.exp(np.tanh(", "np.log(1.0 + ", "np.sqrt(1.0 + ", " / (1.0 + ",
                   "np.maximum(", "np.minimum(", "np.abs(", "np.where(", " if ", "np.sum(",
                   "np.mean(", "np.max(", "np.prod(", "keepdims=True", "axis=0", ".sum(", " @ ",
                   "np.dot(", ".T", "np.transpose(", "np.reshape(", "[:, ", "[1:]", "[-1]",
                   "if np.", "else:", "for i", "for r", "while n", " and ", "break",
                   "continue", "+= ", "*= ", "return"]:
        assert needle in text, needle


# --- regressions: transformer bugs these tests found -----------------------------------
#
# Each was a wrong value or gradient, a crash of the generated code, or a refusal
# of a supported construct. Most tests accept a clear SrcGradError or the right
# value and gradient. (Each was kept as xfail(strict=True) until srcgrad was fixed.)

REGRESSIONS = '''import numpy as np


def negative_base(x):
    return x * (-0.7) ** 2


def negative_base_in_a_loop(x):
    s = 0.0
    for i in range(2):
        s = s + (-2.0) ** 2 * x
    return s


def continue_before_dead(x):
    for i in range(1):
        if x < 0.0:
            continue
        v = x
    return x * 1.0


def loop_in_if(x):
    if x < 0.0:
        for i in range(2):
            x = x * 2.0
    return x * x


def aliased_augmented(x):
    v = np.sin(x)
    w = v
    w += x
    return np.sum(v * v)


def view_augmented(x):
    v = np.sin(x)
    w = v.T
    w *= 2.0
    return np.sum(v)


def aliased_element(x):
    a = np.zeros(3)
    b = a
    b[0] = x[0]
    return np.sum(a * x)


def transpose_twice(x):
    return np.sum(x.T.T * x)


def transpose_twice_of_a_value(x):
    y = x * 2.0
    return np.sum(y.T.T)


def transpose_then_sum(x):
    return x.T.sum() * 2.0


def transpose_then_reshape(x):
    return np.sum(np.sin(x.T.reshape(-1)))


def loop_in_else(x, y):
    if x > 1.0:
        y = x * 2.0
    else:
        for j in range(2):
            y = x * 3.0
    return y


def loops_in_both_branches(x, y):
    if x > 1.0:
        for i in range(2):
            y = x * 2.0
    else:
        k = 0
        while k < 2:
            y = x * 3.0
            k = k + 1
    return y


def rows_rebound(x):
    m = x * 1.0
    s = 0.0
    for r in m:
        s = s + np.sum(r * r)
        m = m * 2.0
    return s
'''


@pytest.fixture(scope="module")
def regressions(tmp_path_factory):
    return load(REGRESSIONS, tmp_path_factory.mktemp("regressions"), "regressions")


def _right_or_refused(f, x):
    """srcgrad refuses f with a SrcGradError, or its value and gradient are right."""
    try:
        value, g = srcgrad.value_and_grad(f)(x)
    except srcgrad.SrcGradError:
        return
    fresh = (lambda: np.copy(x)) if isinstance(x, np.ndarray) else (lambda: x)
    assert value == pytest.approx(f(fresh()), rel=1e-12)
    np.testing.assert_allclose(g, numerical_grad(f, (fresh(),), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["negative_base", "negative_base_in_a_loop"])
def test_negative_literal_base_of_a_power(regressions, name):
    """Was `-0.7 ** 2` in the generated code (the folded literal lost its parentheses):
    value -0.735 and gradient -0.49 for x * (-0.7) ** 2 at 1.5."""
    _right_or_refused(getattr(regressions, name), 1.5)


def test_continue_before_dead_statements_compiles(regressions):
    """Was an IndentationError: `if cond:` with an empty body once the dead statement
    after `continue` was removed."""
    _right_or_refused(regressions.continue_before_dead, 0.4)


def test_loop_inside_an_if_not_taken(regressions):
    """Was an UnboundLocalError: the loop's tape, made only in the branch not taken,
    was returned by the forward sweep."""
    _right_or_refused(regressions.loop_in_if, 0.5)


@pytest.mark.parametrize("name", ["aliased_augmented", "view_augmented"])
def test_augmented_assignment_through_an_alias(regressions, name):
    """`w = v; w += x` (or `w = v.T`) changes v in Python; srcgrad rebound w only, so v
    kept its old value: wrong value and gradient. Now refused."""
    _right_or_refused(getattr(regressions, name), np.array([[0.3, -0.5], [1.0, 0.2]]))


def test_element_assignment_through_an_alias(regressions):
    """`b = a; b[0] = x[0]` changes a in Python; srcgrad gave value 0 and gradient 0."""
    _right_or_refused(regressions.aliased_element, np.array([0.3, -0.5, 1.0]))


def test_rebinding_the_array_a_for_loop_iterates_over(regressions):
    """`for r in m:` with `m = m * 2.0` in the body: an UnboundLocalError (len(m_1)
    before m_1 was bound), and indexing the rebound m instead of the original."""
    _right_or_refused(regressions.rows_rebound, np.array([[0.3, -0.5], [1.0, 0.2]]))


@pytest.mark.parametrize("name", ["transpose_twice", "transpose_twice_of_a_value"])
def test_attribute_chains(regressions, name):
    _right_or_refused(getattr(regressions, name), np.array([[0.3, -0.5, 1.0], [0.2, 0.7, -1.1]]))


@pytest.mark.parametrize("name", ["transpose_then_sum", "transpose_then_reshape"])
def test_methods_of_a_transpose_are_differentiated(regressions, name):
    f = getattr(regressions, name)
    x = np.array([[0.3, -0.5, 1.0], [0.2, 0.7, -1.1]])
    g = srcgrad.grad(f)(x)
    np.testing.assert_allclose(g, numerical_grad(f, (x.copy(),), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["loop_in_else", "loops_in_both_branches"])
def test_loop_in_an_else_branch(regressions, name):
    f = getattr(regressions, name)
    try:
        value, (dx, dy) = srcgrad.value_and_grad(f, wrt=(0, 1))(0.5, 7.0)
    except srcgrad.SrcGradError:
        return
    assert value == f(0.5, 7.0) == 1.5
    assert (dx, dy) == (pytest.approx(3.0), 0.0)
