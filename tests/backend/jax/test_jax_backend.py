"""The JAX backend (`backend="jax"`, issue 23): the same specialized code compiled by XLA
gives the NumPy backend's gradients against the same finite differences, with branches
on computed values, counted loops as scans, dtypes as the inputs say and the user's
x64 flag untouched. Shapes are small and compiled functions shared (module-level
gradient objects): each first call is one XLA compile."""

import os
import time
import types

import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad.errors import SrcGradError

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

import jax_programs as P  # noqa: E402

rng = np.random.default_rng(0)
CASES = {
    "logistic": (P.logistic, (rng.standard_normal(4), 0.1, rng.standard_normal((6, 4)),
                              (rng.random(6) > 0.5).astype(float)), (0, 1)),
    "mlp": (P.mlp, (0.5 * rng.standard_normal((3, 4)), np.zeros(4),
                    0.5 * rng.standard_normal((4, 2)), rng.standard_normal((5, 3))), (0, 1, 2)),
    "rnn": (P.rnn, (0.5 * rng.standard_normal((2, 3)), 0.5 * rng.standard_normal((3, 3)),
                    rng.standard_normal((4, 2, 2))), (0, 1, 2)),
    "scalar_then": (P.scalar, (0.7, 0.4), (0, 1)),
    "scalar_else": (P.scalar, (0.7, -1.9), (0, 1)),
    "branchy_loop": (P.branchy_loop, (rng.standard_normal(3), rng.standard_normal((5, 3))),
                     (0, 1)),
    "long_branch_then": (P.long_branch, (np.array([0.9, 0.8, 0.3]),), (0,)),
    "long_branch_else": (P.long_branch, (np.array([0.1, -0.8, 0.3]),), (0,)),
    "own_write": (P.own_write, (rng.standard_normal(3),), (0,)),
    "fancy": (P.fancy, (rng.standard_normal(3), np.array([0, 2, 0])), (0,)),
}
GRADS = {}  # one gradient object per (case, backend): its compiled variant is shared


def _grad(name, backend):
    if (name, backend) not in GRADS:
        func, _, wrt = CASES[name]
        GRADS[name, backend] = srcgrad.grad(func, wrt=wrt, backend=backend)
    return GRADS[name, backend]


@pytest.mark.parametrize("backend", ["numpy", "jax"])
@pytest.mark.parametrize("name", list(CASES))
def test_gradients_match_finite_differences(name, backend):
    func, args, wrt = CASES[name]
    grads = _grad(name, backend)(*args)
    assert_grads_match(func, grads, args, wrt)
    if backend == "jax":
        assert all(type(g) is type(args[i]) for g, i in zip(grads, wrt))  # NumPy out


@pytest.mark.parametrize("x", [0.7, -0.5, 0.0])
def test_a_guarded_branch_runs_as_a_conditional(x):
    """An `if` guarding a log and a division runs as lax.cond (the branch is not safe to
    compute where it is not taken); a cheap, safe one as a select. Either way the
    gradient is NumPy's, finite on both sides."""
    gradient = _grad_of(P.guarded)
    grads = gradient(x, 1.3)
    if x:  # (at 0 the function has a kink: NumPy's gradient is the reference there)
        assert_grads_match(P.guarded, grads, (x, 1.3), (0, 1))
    np.testing.assert_allclose(grads, srcgrad.grad(P.guarded, wrt=(0, 1))(x, 1.3))
    assert np.all(np.isfinite(grads))
    with jax.enable_x64(True):
        guarded = str(jax.make_jaxpr(gradient._runner.last.function)(x, 1.3))
        scalar = _grad("scalar_then", "jax")
        scalar(*CASES["scalar_then"][1])
        cheap = str(jax.make_jaxpr(scalar._runner.last.function)(0.7, 0.4))
    assert "cond[" in guarded and "cond[" not in cheap and "select_n" in cheap


def _grad_of(func):
    if func not in GRADS:
        GRADS[func] = srcgrad.grad(func, wrt=(0, 1), backend="jax")
    return GRADS[func]


def test_scipy_calls_run_as_jax_scipy():
    """scipy.special / stats / linalg calls (by module or imported name) run as their
    jax.scipy forms; one without is refused by its public name."""
    args = (np.array([0.3, 1.2, -0.7]), 0.3 * rng.standard_normal((2, 2)))
    got = srcgrad.grad(P.with_scipy, wrt=(0, 1), backend="jax")(*args)
    assert_grads_match(P.with_scipy, got, args, (0, 1))
    with pytest.raises(SrcGradError, match=r"scipy\.special\.yv has no JAX form"):
        srcgrad.grad(P.with_bessel, backend="jax")(np.array([0.5, 1.5]))


def test_jax_code_shows_scans_and_branches():
    source = _grad("branchy_loop", "jax").source
    assert "scan_range(" in source and "scan_reversed(" in source and "branch(" in source
    rnn_args = CASES["rnn"][1]
    assert "scan_range(" in _grad("rnn", "jax").source_for(*rnn_args)


def test_one_compiled_function_per_variant():
    gradient = _grad("rnn", "jax")
    args = CASES["rnn"][1]
    gradient(*args)
    gradient(*args)
    runner = gradient._runner
    assert len(runner.known) == 1
    chosen = runner.last
    assert chosen.jitted._cache_size() == 1
    variant = gradient.variant_for(list(args), {})
    assert chosen in variant.backends[("jax", ())]


def test_float64_without_touching_the_global_flag():
    before = jax.config.jax_enable_x64
    grads = _grad("mlp", "jax")(*CASES["mlp"][1])
    assert all(g.dtype == np.float64 for g in grads)
    assert jax.config.jax_enable_x64 == before


def test_float32_stays_float32_and_jax_in_gives_jax_out():
    args = [a.astype(np.float32) for a in CASES["rnn"][1]]
    grads = _grad("rnn", "jax")(*args)
    assert all(type(g) is np.ndarray and g.dtype == np.float32 for g in grads)
    on_device = _grad("rnn", "jax")(*map(jnp.asarray, args))
    assert all(isinstance(g, jax.Array) and g.dtype == jnp.float32 for g in on_device)
    for a, b in zip(grads, on_device):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5)


def test_value_and_grad_and_pytrees():
    params = {"w": rng.standard_normal(3), "b": 0.3}
    x = rng.standard_normal(3)
    value, grads = srcgrad.value_and_grad(P.on_records, backend="jax")(params, x)
    expected_value, expected = srcgrad.value_and_grad(P.on_records)(params, x)
    assert value == pytest.approx(expected_value)
    assert set(grads) == {"w", "b"} and type(grads["b"]) is float
    np.testing.assert_allclose(grads["w"], expected["w"])
    assert grads["b"] == pytest.approx(expected["b"])


def test_static_trip_count():
    gradient = srcgrad.grad(P.stepped, backend="jax")
    x = rng.standard_normal(3)
    for n in (2, 5):
        assert_grads_match(lambda x: P.stepped(x, n), (gradient(x, n),), [x], (0,))


def test_while_with_a_static_count_and_a_branch():
    gradient = srcgrad.grad(P.counted_while, backend="jax")
    for x in (np.array([0.3, -0.1, 0.5]), np.array([-0.9, 0.2, -0.4])):
        assert_grads_match(lambda x: P.counted_while(x, 3), (gradient(x, 3),), [x], (0,))


def test_data_dependent_while_is_refused_at_its_line():
    with pytest.raises(SrcGradError, match="cannot run on the JAX backend") as info:
        srcgrad.grad(P.until_small, backend="jax")(np.ones(3))
    assert "np.sum(x * x) > 1e-3" in str(info.value)


@pytest.mark.parametrize("func, reason", [(P.through_a_view, "sharing its memory"),
                                          (P.draws, "np.random has no JAX form")])
def test_what_jax_arrays_cannot_do_is_refused(func, reason):
    with pytest.raises(SrcGradError, match=reason):
        srcgrad.grad(func, backend="jax")(np.array([0.3, -1.2, 0.8]))


def test_auto_falls_back_to_numpy_with_a_warning():
    gradient = srcgrad.grad(P.until_small, backend="auto")
    with pytest.warns(RuntimeWarning, match="runs on NumPy, not JAX"):
        g = gradient(np.ones(3))
    np.testing.assert_allclose(g, srcgrad.grad(P.until_small)(np.ones(3)))


def test_non_scalar_result_and_unknown_backend_are_refused():
    with pytest.raises(SrcGradError, match="real scalar"):
        srcgrad.grad(P.scalar_out, backend="jax")(np.ones(3))
    with pytest.raises(SrcGradError, match="backend='torch'"):
        srcgrad.grad(P.scalar_out, backend="torch")


def test_forward_mode_and_vjp_on_jax():
    args, v = CASES["mlp"][1], rng.standard_normal((3, 4))
    for make in (srcgrad.hvp, srcgrad.jvp):
        on_jax = make(P.mlp, backend="jax")(*args, tangent=v)
        on_numpy = make(P.mlp)(*args, tangent=v)
        for a, b in zip(np.atleast_1d(on_jax), np.atleast_1d(on_numpy)):
            np.testing.assert_allclose(a, b, rtol=1e-10)
    logistic_args = CASES["logistic"][1]
    np.testing.assert_allclose(srcgrad.hessian(P.logistic, backend="jax")(*logistic_args),
                               srcgrad.hessian(P.logistic)(*logistic_args), rtol=1e-10)
    value, pullback = srcgrad.vjp(P.rnn, *CASES["rnn"][1], wrt=(0, 1), backend="jax")
    expected_value, expected = srcgrad.vjp(P.rnn, *CASES["rnn"][1], wrt=(0, 1))
    assert value == pytest.approx(expected_value)
    for a, b in zip(pullback(2.0), expected(2.0)):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_grad_of_grad_on_jax():
    x, y = 0.7, 1.3
    second = srcgrad.grad(srcgrad.grad(P.smooth), wrt=1, backend="jax")(x, y)
    assert second == pytest.approx(srcgrad.grad(srcgrad.grad(P.smooth), wrt=1)(x, y))


@pytest.mark.parametrize("name", ["long_branch_then", "long_branch_else", "branchy_loop",
                                  "scalar_then", "scalar_else"])
def test_forward_mode_and_vjp_convert_branches_and_loops(name):
    """jvp, vjp and hvp convert an `if` on a computed value (and a counted loop) as grad
    does: the same numbers as the NumPy backend, which the other tests check."""
    func, args, _ = CASES[name]
    tangent = 0.5 if np.ndim(args[0]) == 0 else np.linspace(-0.5, 0.7, np.size(args[0]))
    for make in (srcgrad.jvp, srcgrad.hvp):
        got, expected = (make(func, backend=b)(*args, tangent=tangent) for b in ("jax", "numpy"))
        for a, b in zip(np.atleast_1d(got), np.atleast_1d(expected)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    (value, pullback), (expected_value, expected) = (
        srcgrad.vjp(func, *args, backend=b) for b in ("jax", "numpy"))
    assert value == pytest.approx(expected_value)
    np.testing.assert_allclose(pullback(1.5), expected(1.5), rtol=1e-10)


def test_forward_mode_while_on_a_computed_value_is_refused():
    """What still cannot trace (a `while` on a computed value) is refused at its line on
    "jax", and runs on NumPy with a warning under "auto"."""
    x = np.array([0.9, 0.8, 0.3])
    with pytest.raises(SrcGradError, match="cannot run on the JAX backend") as info:
        srcgrad.jvp(P.until_small, backend="jax")(x, tangent=x)
    assert "np.sum(x * x) > 1e-3" in str(info.value)
    with pytest.warns(RuntimeWarning, match="runs on NumPy, not JAX"):
        got = srcgrad.jvp(P.until_small, backend="auto")(x, tangent=x)
    np.testing.assert_allclose(got, srcgrad.jvp(P.until_small)(x, tangent=x))


def test_show_backend_jax(capsys):
    from srcgrad.cli import main
    assert main(["show", f"{P.__file__}:branchy_loop", "--backend", "jax", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "def branchy_loop_jax(w, X):" in out and "scan_reversed(" in out


LATER = [pytest.mark.slow, pytest.mark.skipif(not os.environ.get("SRCGRAD_JAX_ALL"),
                                               reason="SRCGRAD_JAX_ALL=1 runs it")]
# one XLA compile of a whole model each (1 to 7 s): CI runs two
EXAMPLES = ["lstm", "linear"] + [pytest.param(n, marks=LATER)
                                 for n in ("bnn", "gan", "hmm", "mixture", "rnn", "vae")]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_programs_on_jax(name):
    """tests/end_to_end/test_example_programs.py's models: the JAX backend's gradients are
    the NumPy backend's (which that module checks against finite differences)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[2] / "end_to_end" / "test_example_programs.py"
    spec = importlib.util.spec_from_file_location("example_programs_for_jax", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    loss, data = getattr(module, f"{name}_loss"), getattr(module, f"{name}_data")()
    expected = srcgrad.grad(loss)(*data)
    got = srcgrad.grad(loss, backend="jax")(*data)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_the_entry_answers_only_calls_like_its_own(monkeypatch):
    """After one call, the gradient's own `__call__` is the variant's entry straight to
    its jitted function: other shapes (JAX would trace anew), NumPy instead of JAX
    arrays, a rebound global and the global x64 flag each give what the general path
    gives; a list of tuples keeps its containers."""
    pairs = [(rng.standard_normal((2, 3)), rng.standard_normal(2)) for _ in range(2)]
    x = rng.standard_normal(3)
    gradient = srcgrad.grad(P.through_global, wrt=(0, 1), backend="jax")

    def check(x, pairs, jax_in):
        with jax.enable_x64(True):  # float64 JAX arrays
            args = (jnp.asarray(x), [tuple(map(jnp.asarray, p)) for p in pairs]) if jax_in \
                else (x, pairs)
        got = gradient(*args)
        expected = srcgrad.grad(P.through_global, wrt=(0, 1))(x, pairs)
        assert type(got[1]) is list and all(type(p) is tuple for p in got[1])
        leaf = (jax.Array if jax_in else np.ndarray)
        assert all(isinstance(g, leaf) for g in jax.tree.leaves(got))
        for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-10)
        return np.asarray(got[0])

    before = check(x, pairs, True)
    general = gradient._runner.call
    calls = []
    monkeypatch.setattr(gradient._runner, "call", lambda *a: calls.append(1) or general(*a))
    check(x, pairs, True)  # through the entry
    assert not calls
    check(x, pairs, False)
    check(x, pairs, True)
    check(x[:2], [(W[:, :2], b) for W, b in pairs], True)  # other shapes
    check(x, pairs, True)
    monkeypatch.setattr(P, "scale", lambda v: 3.0 * v)
    assert not np.allclose(check(x, pairs, True), before)  # the rebound helper is seen
    calls.clear()
    check(x, pairs, True)  # through the new variant's entry
    assert not calls
    monkeypatch.undo()
    check(x, pairs, True)
    with jax.enable_x64(False):  # float64 in: float64 out under the entry's own scope
        check(x, pairs, False)


@pytest.mark.slow
def test_forward_mode_loops_are_scans():
    """jvp, hvp and hessian of a counted loop run it as a scan (the tape a gradient's
    loop grows in forward mode as the scan's stacked output): the first call at 400
    steps costs about what it costs at 20 (the trace unrolled it: 1.5 s at 50 steps,
    500 s at 500), with the NumPy backend's numbers."""
    Wx, Wh = 0.5 * rng.standard_normal((2, 3)), 0.5 * rng.standard_normal((3, 3))
    v = rng.standard_normal((2, 3))
    for make, call in ((srcgrad.jvp, lambda f, a: f(*a, tangent=v)),
                       (srcgrad.hvp, lambda f, a: f(*a, tangent=v)),
                       (srcgrad.hessian, lambda f, a: f(*a))):
        took = []
        for steps in (20, 400):
            args = (Wx, Wh, 0.3 * rng.standard_normal((steps, 2, 2)))
            fresh = types.FunctionType(P.rnn.__code__, P.rnn.__globals__, "rnn")
            start = time.perf_counter()
            got = call(make(fresh, backend="jax"), args)
            took.append(time.perf_counter() - start)
            expected = call(make(P.rnn), args)
            for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(expected)):
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        assert took[1] < 4 * took[0] + 0.5, (make.__name__, took)


def test_helpers_without_a_jax_form_are_refused_at_the_users_line():
    """np.partition's adjoint has its JAX form; a write seen through a view and
    np.piecewise have none: refused at the user's line, saying what to write instead
    (under "auto": NumPy, with a warning)."""
    x = np.array([0.3, -1.2, 2.0, 0.7])
    assert_grads_match(P.smallest_two, (srcgrad.grad(P.smallest_two, backend="jax")(x),),
                       (x,), (0,))
    for func, line, advice in ((P.through_a_second_name, "y[0] = 5.0 * y[1]", "x.copy()"),
                               (P.piecewise, "np.piecewise(x,", "np.where(condition")):
        with pytest.raises(SrcGradError, match="cannot run on the JAX backend") as info:
            srcgrad.grad(func, backend="jax")(x)
        assert line in str(info.value) and advice in str(info.value)
        with pytest.warns(RuntimeWarning, match="runs on NumPy"):
            got = srcgrad.grad(func, backend="auto")(x)
        np.testing.assert_allclose(got, srcgrad.grad(func)(x))


def test_lists_where_numpy_takes_arrays():
    """A list (or tuple) passed where NumPy takes an array, and a list index, which
    jax.numpy refuses: converted in the emitted code, the same gradient."""
    x, M = np.array([0.3, 0.5, -0.2]), np.arange(6.0).reshape(2, 3)
    grads = srcgrad.grad(P.with_lists, wrt=(0, 1), backend="jax")(x, M)
    assert_grads_match(P.with_lists, grads, (x, M), (0, 1))
