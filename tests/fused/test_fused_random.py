"""The passes that rewrite the one fused function a grad-only call runs (seedfold, sink,
defer, release, reuse, stacking; inplace and specialize before them), against oracles
that skip them.

`srcgrad.grad(f, wrt)(*args)` with real arguments runs `Generated.fused`, the fused
function. Its gradient must equal:

- `srcgrad.value_and_grad`: the same shape-specialized backward sweep, without the
  grad-only rewrites (no in-place accumulation, no chains into dying arrays);
- the general code (`pipeline.compiled`): no specialization at all;
- central finite differences: all elements for small arrays, a few random directions
  (<grad, v> vs (f(x + eps v) - f(x - eps v)) / 2 eps) for large ones.

The random programs are those of tests/programs.py, in two sizes: the usual (3, 4)
arrays with `reuse.MIN_SIZE` lowered to 1 (every chain rewrite fires), and a copy of the
generator with axes of 128 and 130, so (128, 130) arrays are above the real MIN_SIZE.
The hand-written cases after them aim at aliasing, dtypes, broadcasting and loops.

Found so far: a call whose arrays make floats of several precisions (a float64 x with
an int8 or float32 k) had its float64 contributions added in place into a first float16
or float32 one (test_a_narrower_first_contribution_is_not_rounded); such calls now take
the plain code.
"""

import importlib.util
import os
import sys
import traceback

import numpy as np
import pytest
from finite_diff import numerical_grad
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad import pipeline
from srcgrad.fused import buffer_reuse, positional_out

pytestmark = pytest.mark.slow  # a quick run skips them: pytest -m 'not slow'

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/
SEEDS = st.integers(0, 2 ** 32 - 1)
EPS = 1e-6


def _generator(name, m, n):
    """A copy of tests/programs.py whose two axis lengths are m and n."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "programs.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.M, module.N = m, n
    module.PARAM_SHAPES = [(), (m,), (n,), (m, n), (n, m), (m, 1), (1, n)]
    module.TARGET_SHAPES = [(), (m,), (n,), (m, n), (n, m), (m, 1)]
    return module


small = _generator("programs_small_fused", 3, 4)
large = _generator("programs_large_fused", 128, 130)  # 128 * 130 = 16640 >= reuse.MIN_SIZE
FEATURES = small.FEATURES


def examples(n):
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fused_programs")


# --- the oracles ------------------------------------------------------------------------


def _copy(a):
    return np.copy(a) if isinstance(a, np.ndarray) else a


def fused_grads(f, args, wrt):
    """The fused call's gradients (twice: the second call takes entry.py's fast path),
    checked for the contract every grad call keeps: inputs unchanged, gradients shaped
    and typed like their inputs, none sharing memory with an input or another."""
    before = [_copy(a) for a in args]
    g = srcgrad.grad(f, wrt=wrt)
    crash = None
    try:
        with np.errstate(all="ignore"):
            first = g(*args)
            second = g(*args)
    except Exception as exc:
        crash = "".join(traceback.format_exception(exc))
    assert crash is None, crash
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b, err_msg="an input was changed")
    for got in (first, second):
        assert isinstance(got, tuple) and len(got) == len(wrt)
        for i, (grad, k) in enumerate(zip(got, wrt)):
            x = args[k]
            if isinstance(x, np.ndarray):
                assert type(grad) is np.ndarray and grad.shape == x.shape
                assert grad.dtype == x.dtype
                assert not any(np.may_share_memory(grad, a) for a in args
                               if isinstance(a, np.ndarray))
                for other in got[i + 1:]:
                    assert not np.may_share_memory(grad, other)
            else:  # a float for a float, a NumPy number for a NumPy number
                assert type(grad) is type(x)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b, err_msg="a second call differs")
    return first, g


def value_grads(f, args, wrt):
    with np.errstate(all="ignore"):
        value, grads = srcgrad.value_and_grad(f, wrt=wrt)(*[_copy(a) for a in args])
    return value, grads


def general_grads(f, args, wrt):
    """The general code: not specialized on any shape."""
    names = tuple(f.__code__.co_varnames[k] for k in wrt)
    generated = pipeline.compiled(f, names)
    with np.errstate(all="ignore"):
        _, saved = generated.forward(*[_copy(a) for a in args])
        grads = generated.backward(1.0, *saved)
    return grads if len(wrt) > 1 else (grads,)


def assert_same(got, expected, what, source):
    for i, (a, b) in enumerate(zip(got, expected)):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        scale = 1.0 + float(np.max(np.abs(b), initial=0.0, where=np.isfinite(b)))
        np.testing.assert_allclose(a, np.broadcast_to(b, a.shape), rtol=1e-9,
                                   atol=1e-10 * scale, equal_nan=True,
                                   err_msg=f"gradient {i}: fused vs {what}\n{source}")


def directional_check(f, args, wrt, grads, seed, source, directions=2):
    """<grads, v> against central differences along random directions v."""
    rng = np.random.default_rng(seed)
    for _ in range(directions):
        vs = {k: (rng.uniform(-1, 1, np.shape(args[k])) if isinstance(args[k], np.ndarray)
                  else float(rng.uniform(-1, 1))) for k in wrt}
        slope = sum(float(np.sum(np.asarray(g) * vs[k])) for g, k in zip(grads, wrt))
        terms = sum(float(np.sum(np.abs(np.asarray(g) * vs[k]))) for g, k in zip(grads, wrt))
        estimates = []
        for eps in (EPS, 1e-5, 1e-7):
            def at(sign):
                moved = [_copy(a) for a in args]
                for k in wrt:
                    moved[k] = moved[k] + sign * eps * vs[k]
                with np.errstate(all="ignore"):
                    return float(f(*moved))
            fd = (at(1) - at(-1)) / (2 * eps)
            estimates.append(fd)
            if abs(fd - slope) <= 1e-5 * (abs(slope) + terms) + 1e-7 * abs(at(0)) + 1e-9:
                break
        else:
            spread = max(estimates) - min(estimates)
            assume(spread <= 1e-4 * (abs(estimates[0]) + terms + 1.0))
            raise AssertionError(f"directional derivative {slope!r}, finite differences "
                                 f"{estimates!r}\n{source}")


# --- random programs ----------------------------------------------------------------------


def _prepare(gen, program, seed, workdir, margin):
    note(program.source())
    args = program.inputs(seed)
    probe = gen.load(program.source("probe"), workdir, "probe")
    with np.errstate(all="ignore"):
        value, gap = gen.margin(probe, args)
    assume(np.isfinite(value) and abs(value) < 1e4)
    module = gen.load(program.source(), workdir, "prog")
    return module.f, args, value, gap > margin


def check_program(gen, program, seed, workdir, full_differences):
    f, args, value, smooth = _prepare(gen, program, seed, workdir, 1e-3 if full_differences
                                      else 1e-5)
    wrt = tuple(range(len(args)))
    source = program.source()
    got, _ = fused_grads(f, args, wrt)
    plain_value, plain = value_grads(f, args, wrt)
    assert plain_value == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert_same(got, plain, "value_and_grad", source)
    assert_same(got, general_grads(f, args, wrt), "the general code", source)
    if not smooth:
        return
    if full_differences:
        scale = max(1.0, abs(value))
        for k, g in enumerate(got):
            with np.errstate(all="ignore"):
                numeric = numerical_grad(f, args, k)
            if not np.allclose(g, numeric, rtol=1e-5, atol=1e-6 * scale):
                directional_check(f, args, wrt, got, seed, source, directions=3)
                return
    else:
        directional_check(f, args, wrt, got, seed, source)


@examples(70)
@given(program=small.programs(features=FEATURES), seed=SEEDS)
def test_small_programs_with_every_chain_rewritten(program, seed, workdir):
    saved, buffer_reuse.MIN_SIZE = buffer_reuse.MIN_SIZE, 1  # (a fixture would outlive one example)
    try:
        check_program(small, program, seed, workdir, full_differences=True)
    finally:
        buffer_reuse.MIN_SIZE = saved


@examples(40)
@given(program=large.programs(features=()), seed=SEEDS)
def test_large_straight_line_programs(program, seed, workdir):
    check_program(large, program, seed, workdir, full_differences=False)


@examples(30)
@given(program=large.programs(features=FEATURES), seed=SEEDS)
def test_large_programs_with_control_flow(program, seed, workdir):
    check_program(large, program, seed, workdir, full_differences=False)


# --- hand-written cases: aliasing, dtypes, broadcasting, loops ---------------------------

CASES = '''import numpy as np


def read_after(x):
    t = np.exp(x)
    u = t * 2.0
    v = np.sin(t)
    return np.sum(u * v) + np.sum(t)


def dying_read_twice(x, k):
    t = np.exp(k * 0.5)
    u = (t + 1.0) * (t - 0.5) * x + t * x
    w = np.sin(u) * u
    return np.sum(w * x)


def read_before_update(x):
    v = np.sin(x)
    t = v * 2.0
    v += np.cos(x)
    u = np.exp(x) * x
    u -= v
    return np.sum(np.tanh(u)) + np.sum(t * x) + np.sum(v * u)


def view_of_a_dying_array(x, k):
    a = np.exp(k)
    b = a.T
    c = np.sin(a) * x
    d = np.cos(k)
    r = d[3]
    e = np.tanh(d * 2.0) * x
    return np.sum(c * b.T) + np.sum(r * e[3])


def two_names(x):
    a = x * 2.0
    b = a
    c = np.exp(b) * a
    return np.sum(c * b) + np.sum(a)


def transposed_view(x):
    a = np.exp(x)
    b = a.T
    c = np.sin(a) * a
    return np.sum(b.T * c) + np.sum(b[0])


def strided_views(x):
    a = np.tanh(x)
    b = a[::2]
    c = a.reshape(-1)
    return np.sum(b * b) + np.sum(np.sin(c)) + np.sum(a * x)


def gradient_is_a_forward_value(x, y):
    return np.sum(x * np.sin(y)) + np.sum(np.exp(x)) + np.sum(y * np.cos(x))


def copy_of_seed(x, y):
    s = np.sum(np.exp(x))
    t = s * 1.0
    return t + np.sum(np.tanh(y) * x)


def squares(x):
    return np.sum(x * x) + np.sum((x + x) * np.sin(x)) + np.sum(np.exp(x - x * 0.5) * x)


def self_ratio(x):
    return np.sum(x / (2.0 + x * x) * (x + x))


def with_integers(x, k, m):
    return np.sum(np.exp(x * 0.01 * k) * m) + np.sum(np.sin(x) / (1.0 + k * k))


def outer_broadcast(a, b, c):
    t = np.tanh(a * b)
    u = t * c + a
    return np.sum(u * u) + np.sum(np.exp(-t) * b)


def vector_broadcast(x, r):
    t = np.sin(x + r)
    return np.sum(t * t * r) + np.sum(np.cos(t) - r)


def augmented(x):
    v = x * 1.0
    v += np.exp(x)
    v *= x
    w = np.sin(v)
    w -= v * 0.5
    return np.sum(w * v)


def long_chain(x):
    a = np.sin(x) * np.exp(-x * x) + x * x
    b = a * (1 - a * a)
    c = np.tanh(b) * a - np.cos(a) / (2.0 + b * b)
    return np.sum(c) + 0.5 * np.sum(c * a)


def mean_and_max(x, y):
    t = np.exp(np.tanh(x)) * y
    return np.mean(t) + np.max(np.sum(t, axis=1)) + np.sum(np.mean(t, axis=0, keepdims=True) * y)


def rnn(xs, W, U, b, h):
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h @ U + b)
    return np.sum(h * h)


def rnn_sum(xs, W, U, h):
    s = 0.0
    for t in range(len(xs)):
        h = np.tanh(xs[t] @ W + h @ U)
        s = s + np.sum(h * xs[t][:, :1])
    return s


def rnn_shorter(xs, W, U, h):
    for t in range(3):
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h)


def rnn_offset(xs, W, U, h):
    for t in range(1, 4):
        h = np.tanh(xs[t - 1] @ W + h @ U) * xs[t][:, :1]
    return np.sum(h)


def rnn_break(xs, W, U, h):
    for t in range(xs.shape[0]):
        if t == 3:
            break
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h)


def rnn_continue(xs, W, U, h):
    for t in range(xs.shape[0]):
        if t % 2 == 1:
            continue
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h)


def rnn_value_break(xs, W, U, h):
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h @ U)
        if np.sum(h) > 1e6:
            break
    return np.sum(h)


def rnn_break_midway(xs, W, U, h):
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h @ U)
        if np.sum(h * 0.0) + t >= 2.0:
            break
    return np.sum(h)


def rnn_continue_by_value(xs, W, U, h):
    for t in range(xs.shape[0]):
        if np.sum(h * 0.0) + t == 1.0:
            continue
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h)


def rnn_two_weights(xs, W, U, h):
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + xs[t] @ (W * 0.5) + h @ U)
    return np.sum(h)


def rnn_of_a_local(xs, W, U, h):
    ys = np.sin(xs)
    for t in range(xs.shape[0]):
        h = np.tanh(ys[t] @ W + h @ U)
    ys = ys * 2.0
    return np.sum(h) + np.sum(ys)


def rnn_steps_as_argument(xs, W, U, h, n):
    for t in range(n):
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h)


def rnn_nested(xs, W, U, h):
    for k in range(2):
        for t in range(xs.shape[0]):
            h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h)


def rnn_index_used_after(xs, W, U, h):
    for t in range(xs.shape[0] - 1):
        h = np.tanh(xs[t] @ W + h @ U)
    return np.sum(h) + np.sum(xs[t] @ W)


def weight_in_loop(xs, W, U, h):
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h @ U)
        W = W * 0.9
    return np.sum(h)


def weight_updated_in_loop(xs, W, U, h):
    V = W * 1.0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ V + h @ U)
        V += 0.1 * U[:, :V.shape[1]][:V.shape[0]]
    return np.sum(h)


def rows_written(xs, W, U, h):
    ys = xs * 1.0
    for t in range(xs.shape[0]):
        h = np.tanh(ys[t] @ W + h @ U)
        ys = ys * 0.5
    return np.sum(h)


def rows_of_a_product(xs, W, U, h):
    for t in range(xs.shape[0]):
        z = xs[t] @ W
        h = np.tanh(z + h @ U)
    return np.sum(h) + np.sum(z * z)


def loop_over_rows(xs, W, h):
    for x in xs:
        h = np.tanh(x @ W) * h
    return np.sum(h)


def two_uses_of_a_step(xs, W, U, h):
    for t in range(xs.shape[0]):
        a = xs[t] @ W
        h = np.tanh(a + h @ U) + a * 0.5
    return np.sum(h)


def loop_large(x, w):
    s = x * 1.0
    for i in range(3):
        s = np.sin(s) * w + x
    return np.sum(s * s)


def scaled(x, s):
    t = np.exp(x * s)
    return np.sum(t * x) + s * np.sum(np.sin(x))


def vector_dot(x, y):
    return np.tanh(x @ y) + np.sum(np.exp(x) * y)


def narrow_first(x, k):
    return np.sum(np.exp(x)) + np.sum(x * np.sin(k))


def twice(x, y):
    return np.sum(np.exp(x) * y) + np.sum(x * x * y)
'''

LARGE = (128, 130)


def _inputs(name, rng):
    def u(*shape):
        return rng.uniform(-1.0, 1.0, shape)
    if name.startswith(("rnn", "weight", "rows_", "two_uses")):
        return (u(5, 64, 16) * 0.5, u(16, 32) * 0.3, u(32, 32) * 0.3, *(
            [u(32) * 0.1] if name == "rnn" else []), u(64, 32) * 0.5, *(
            [4] if name == "rnn_steps_as_argument" else []))
    if name == "loop_over_rows":
        return (u(4, 128, 64), u(64, 130) * 0.2, u(128, 130))
    if name in ("gradient_is_a_forward_value", "copy_of_seed", "mean_and_max", "twice",
                "loop_large"):
        return (u(*LARGE), u(*LARGE))
    if name == "with_integers":
        return (u(*LARGE), rng.integers(-3, 4, LARGE),  # ints that make float64s
                (rng.uniform(size=LARGE) > 0.5).astype(np.int32))
    if name in ("narrow_first", "dying_read_twice", "view_of_a_dying_array"):
        return (u(*LARGE), u(*LARGE))
    if name == "scaled":
        return (u(*LARGE), 0.5)
    if name == "vector_dot":
        return (u(16384) * 0.01, u(16384))
    if name == "outer_broadcast":
        return (u(128, 1), u(1, 130), u(130))
    if name == "vector_broadcast":
        return (u(*LARGE), u(130))
    if name == "strided_views":
        return (u(256, 130),)
    return (u(*LARGE),)


def _wrt(name, args):
    if name in ("dying_read_twice", "view_of_a_dying_array"):
        return (0,)
    if name in ("with_integers", "rnn_steps_as_argument"):
        return tuple(range(len(args) - 2 if name == "with_integers" else len(args) - 1))
    return tuple(range(len(args)))


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return small.load(CASES, tmp_path_factory.mktemp("fused_cases"), "fused_cases")


NAMES = [line[4:line.index("(")] for line in CASES.splitlines() if line.startswith("def ")]


def check_case(f, args, wrt, seed, rtol=1e-9):
    got, g = fused_grads(f, args, wrt)
    _, plain = value_grads(f, args, wrt)
    general = general_grads(f, args, wrt)
    source = g.source_for(*args)
    for what, expected in (("value_and_grad", plain), ("the general code", general)):
        for i, (a, b) in enumerate(zip(got, expected)):
            b = np.asarray(b, dtype=np.float64)
            np.testing.assert_allclose(
                np.asarray(a, dtype=np.float64), np.broadcast_to(b, np.shape(a)), rtol=rtol,
                atol=rtol * (1.0 + float(np.max(np.abs(b)))),
                err_msg=f"{f.__name__}: gradient {i}, fused vs {what}\n{source}")
    if all(np.asarray(args[k]).dtype == np.float64 for k in wrt):
        directional_check(f, args, wrt, got, seed, source)
    return source


@pytest.mark.parametrize("name", NAMES)
def test_adversarial_case(cases, name):
    rng = np.random.default_rng(len(name))
    args = _inputs(name, rng)
    check_case(getattr(cases, name), args, _wrt(name, args), len(name))


def test_the_cases_reach_the_fused_passes(cases):
    """A case that does not take the fused path, or whose fused code no pass rewrote,
    tests nothing: the sample as a whole must compute into dying arrays, release arrays,
    hoist products out of loops and accumulate in place."""
    text, plain = [], []
    for name in NAMES:
        args = _inputs(name, np.random.default_rng(0))
        g = srcgrad.grad(getattr(cases, name), wrt=_wrt(name, args))
        g(*args)
        if next(iter(g._variants.values())).fused is None:
            plain.append(name)
            continue
        code = g.source_for(*args)
        text.append(code[code.index("_grad("):])
    assert len(plain) <= len(NAMES) // 4, plain
    text = "\n".join(text)
    for needle in ["spare(", "del ", "_steps", " += ", "_term"]:
        assert needle in text, needle


@pytest.mark.parametrize("name", ["squares", "long_chain", "read_after", "outer_broadcast"])
def test_float32_arguments(cases, name):
    """float32 inputs: the chains must not write float64 results into float32 arrays or
    the other way round; the gradient is float32, close to the float64 one."""
    f = getattr(cases, name)
    args64 = _inputs(name, np.random.default_rng(1))
    args32 = tuple(a.astype(np.float32) for a in args64)
    wrt = tuple(range(len(args64)))
    got32, _ = fused_grads(f, args32, wrt)
    got64, _ = fused_grads(f, args64, wrt)
    for a, b in zip(got32, got64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=2e-3, atol=2e-3 * (1 + np.max(np.abs(b))))


def test_mixed_float32_and_float64(cases):
    f = cases.gradient_is_a_forward_value
    x, y = _inputs("twice", np.random.default_rng(2))
    got, _ = fused_grads(f, (x.astype(np.float32), y), (0, 1))
    expected, _ = fused_grads(f, (x.astype(np.float32).astype(np.float64), y), (0, 1))
    assert got[0].dtype == np.float32 and got[1].dtype == np.float64
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["squares", "read_after", "long_chain", "augmented"])
def test_arguments_that_are_views(cases, name):
    """A transposed or strided argument: the caller's array, never written into."""
    f = getattr(cases, name)
    base = np.random.default_rng(3).uniform(-1, 1, (260, 128))
    for x in (base[::2].T, base[:130].T, base.reshape(-1)[: 128 * 130].reshape(LARGE)):
        assert x.shape == LARGE
        check_case(f, (x,), (0,), 3)


def test_the_same_array_twice(cases):
    f = cases.twice
    x = np.random.default_rng(4).uniform(-1, 1, LARGE)
    got = check_case(f, (x, x), (0, 1), 4)
    (dx, dy), _ = fused_grads(f, (x, x), (0, 1))
    assert not np.may_share_memory(dx, dy)
    np.testing.assert_allclose(dx, np.exp(x) * x + 2 * x * x, rtol=1e-12)
    np.testing.assert_allclose(dy, np.exp(x) + x * x, rtol=1e-12)
    assert positional_out.NOTE in got  # computed into arrays it made, never into x


def test_variants_of_shape_and_dtype(cases):
    """One grad function called with other shapes and dtypes in turn: each call gets the
    gradient of its own arguments (variants, entry.py's fast path in between)."""
    g = srcgrad.grad(cases.long_chain)
    rng = np.random.default_rng(5)
    for shape, dtype in [(LARGE, np.float64), ((16384,), np.float64), ((3, 4), np.float64),
                         (LARGE, np.float32), (LARGE, np.float64), ((16384,), np.float64),
                         ((200, 100), np.float64)]:
        x = rng.uniform(-1, 1, shape).astype(dtype)
        got = g(x)
        expected = general_grads(cases.long_chain, (x.astype(np.float64),), (0,))[0]
        assert got.dtype == dtype and got.shape == shape
        tol = 1e-3 if dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
        got_again = g(x)
        np.testing.assert_array_equal(got, got_again)


def test_a_loop_count_passed_as_an_argument(cases):
    """`range(n)` with n an argument: the variant is for any int, not the first one."""
    f = cases.rnn_steps_as_argument
    g = srcgrad.grad(f, wrt=(0, 1, 2, 3))
    args = _inputs("rnn", np.random.default_rng(6))
    args = args[:3] + args[4:]
    for n in (4, 2, 5, 4, 1):
        got = g(*args, n)
        expected = general_grads(f, args + (n,), (0, 1, 2, 3))
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_integer_then_float_arguments(cases):
    """Array dtypes are not part of a variant's key: an int array, then a float one, then a
    bool one for the same parameters share the variant."""
    f = cases.with_integers
    g = srcgrad.grad(f)
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, LARGE)
    for k, m in [(rng.integers(-3, 4, LARGE), rng.uniform(size=LARGE) > 0.5),
                 (rng.uniform(-3, 3, LARGE), rng.uniform(size=LARGE)),
                 (rng.integers(-3, 4, LARGE).astype(np.int8), np.ones(LARGE, dtype=bool)),
                 (rng.uniform(-3, 3, LARGE).astype(np.float32), rng.uniform(size=LARGE))]:
        got = g(x, k, m)
        expected = general_grads(f, (x, k, m), (0,))[0]
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("other", [np.int8, np.bool_, np.uint8, np.int16, np.float32, np.float16])
@pytest.mark.parametrize("shape", [(3, 4), LARGE])
def test_a_narrower_first_contribution_is_not_rounded(cases, other, shape):
    """d_x's first contribution is x * sin(k): float16 for an int8 k (float32 for int16
    or float32). The fused code added the next, float64 one in place (`d_x += ...`), so
    rounded it to float16: gradients off by 1e-3. A call whose arrays make floats of
    several precisions now takes the plain code (like value_and_grad)."""
    rng = np.random.default_rng(8)
    x = rng.uniform(-1, 1, shape)
    k = (rng.uniform(-3, 3, shape) if np.dtype(other).kind == "f"
         else rng.integers(0, 2 if other is np.bool_ else 4, shape)).astype(other)
    g = srcgrad.grad(cases.narrow_first)
    for _ in range(2):  # the second call takes entry.py's way
        got = g(x, k)
        assert got.dtype == np.float64
        expected = np.exp(x) + np.sin(k).astype(np.float64)
        np.testing.assert_allclose(got, expected, rtol=1e-13)
    # a float64 k of the same shape gets the fused code, a variant of its own
    k64 = k.astype(np.float64)
    np.testing.assert_allclose(g(x, k64), np.exp(x) + np.sin(k64), rtol=1e-13)
    variants = {key: v.fused is not None for key, v in g._variants.items()}
    assert variants == {((shape), (shape, np.dtype(other).str)): False, (shape, shape): True}


def _odd_arguments():
    rng = np.random.default_rng(9)
    x = rng.uniform(-1, 1, LARGE)
    frozen = x.copy()
    frozen.flags.writeable = False
    v = rng.uniform(-1, 1, 16384) * 0.01
    return [("0-d array", "scaled", (x, np.array(0.5))),
            ("NumPy float64", "scaled", (x, np.float64(0.5))),
            ("Fortran order", "scaled", (np.asfortranarray(x), 0.5)),
            ("read-only", "scaled", (frozen, 0.5)),
            ("broadcast view", "scaled", (np.broadcast_to(x[0], LARGE), 0.5)),
            ("one vector twice", "vector_dot", (v, v))]


@pytest.mark.parametrize("label, name, args", _odd_arguments(),
                         ids=[case[0] for case in _odd_arguments()])
def test_odd_arguments(cases, label, name, args):
    check_case(getattr(cases, name), args, (0, 1), 10)
