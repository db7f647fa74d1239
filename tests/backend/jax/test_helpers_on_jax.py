"""Each runtime helper's JAX form (backend/jax/namespace.py, helpers.py) gives the NumPy
helper's result (which the rule examples check against finite differences) when traced
under `jax.jit`: its arrays traced, its other arguments known while tracing, as in the
generated code. Zeros, repeated indices and ties are among the inputs."""

import numpy as np
import pytest

from srcgrad import runtime

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from srcgrad.backend.jax.namespace import jax_value  # noqa: E402

rng = np.random.default_rng(3)
A = rng.standard_normal((2, 4))
WITH_ZERO = np.array([[0.5, 0.0, 2.0, -1.0], [1.5, -0.5, 0.0, 0.0]])
M = rng.standard_normal((3, 4))
SQUARE = rng.standard_normal((3, 3)) + 3 * np.eye(3)
U, S, VH = np.linalg.svd(M.T, full_matrices=False)
R_ = np.r_


def g(*shape):
    return rng.standard_normal(shape)


# (helper, arguments): the arrays among them are traced
CASES = {
    "cumprod_adjoint": (runtime.cumprod_adjoint, (g(2, 4), A, np.cumprod(A, 1), 1)),
    "cumprod_adjoint_zeros": (runtime.cumprod_adjoint,
                              (g(2, 4), WITH_ZERO, np.cumprod(WITH_ZERO, 1), 1)),
    "cumprod_adjoint_flat": (runtime.cumprod_adjoint,
                             (g(8), WITH_ZERO, np.cumprod(WITH_ZERO), None)),
    "cumprod_jvp": (runtime.cumprod_jvp, (g(2, 4), A, np.cumprod(A, 0), 0)),
    "cumprod_jvp_zeros": (runtime.cumprod_jvp,
                          (g(2, 4), WITH_ZERO, np.cumprod(WITH_ZERO, 1), 1)),
    "unsort": (runtime.unsort, (g(2, 4), np.array([[1.0, 0.5, 1.0, -2.0], A[1]]), 1)),
    "unsort_flat": (runtime.unsort, (g(8), A, None)),
    "untake": (runtime.untake, (g(3, 4), M, np.array([2, 0, 2]), 0)),
    "untake_last": (runtime.untake, (g(3, 2), M, np.array([1, 1]), -1)),
    "untake_flat": (runtime.untake, (g(3), M, np.array([5, 5, 0]), None)),
    "untake_along_axis": (runtime.untake_along_axis,
                          (g(3, 2), M, np.array([[0, 3], [3, 3], [1, 2]]), 1)),
    "unrepeat": (runtime.unrepeat, (g(3, 3), M[:, :3], np.array([1, 2, 0]), 1)),
    "unrepeat_flat": (runtime.unrepeat, (g(8), A[:, :2], 2, None)),
    "concatenator_adjoints": (runtime.concatenator_adjoints,
                              (g(6), R_, A[0, :3], 3.0, slice(0, 2))),
    "scatter_add_block": (runtime.scatter_add, (M, (slice(1, 3), Ellipsis, -1), g(2))),
    "scatter_add_repeats": (runtime.scatter_add, (M, (np.array([2, 0, 2]),), g(3, 4))),
    "place_diagonal": (runtime.place_diagonal, (g(3), M, 1)),
    "place_diagonal_below": (runtime.place_diagonal, (g(2), M, -1, 0, 1)),
    "lu_permutation": (runtime.lu_permutation, (np.array([2, 2, 2]),)),
    "solve_lower": (runtime.solve_lower, (np.tril(SQUARE) + 3 * np.eye(3), g(3, 2), True)),
    "solve_lower_vector": (runtime.solve_lower, (np.tril(SQUARE) + 3 * np.eye(3), g(3))),
    "full_adjoint_same": (runtime.full_adjoint, (g(5), g(5), g(3), "same", True)),
    "full_adjoint_valid": (runtime.full_adjoint, (g(3), g(5), g(3), "valid")),
    "placed_in_full": (runtime.placed_in_full, (g(4, 5), g(4, 5), g(2, 3), "same")),
    "undelete": (runtime.undelete, (g(3, 3), M, [1], 1)),
    "undelete_flat": (runtime.undelete, (g(10), M, [0, 5], None)),
    "pad_adjoint_constant": (runtime.pad_adjoint, (g(6, 5), M, ((1, 2), (0, 1)))),
    "pad_adjoint_reflect": (runtime.pad_adjoint, (g(6, 5), M, ((1, 2), (0, 1)), "reflect")),
    "pad_adjoint_wrap": (runtime.pad_adjoint, (g(7, 8), M, 2, "wrap")),
    "pad_constant_adjoint": (runtime.pad_constant_adjoint,
                             (g(6, 5), M, ((1, 2), (0, 1)), np.array([[0.5, 1.0], [2.0, 3.0]]))),
    "pad_constant_adjoint_one": (runtime.pad_constant_adjoint, (g(5, 6), M, 1, 0.5)),
    "kept_as": (runtime.kept_as, (g(3), np.zeros(3))),
    "kept_as_broadcast": (runtime.kept_as, (1.5, np.zeros((2, 2), np.float32))),
    "norm_adjoint_p": (runtime.norm_adjoint, (g(3), M, np.linalg.norm(M, 3, 1), 3, 1, False)),
    "norm_adjoint_nuc": (runtime.norm_adjoint, (1.3, M, np.linalg.norm(M, "nuc"), "nuc",
                                                None, False)),
    "norm_jvp": (runtime.norm_jvp, (g(3, 4), M, np.linalg.norm(M, np.inf, 1), np.inf, 1,
                                    False)),
    "einsum_adjoint_diagonal": (runtime.einsum_adjoint, (g(3), "ii->i", 0, SQUARE)),
    "unblock": (runtime.unblock, (g(3, 5), [[M[:2, :2], M[:2, 1:]], [M[2:, :2], M[2:, 1:]]])),
    "svd_adjoint": (runtime.svd_adjoint, (g(4, 3), g(3), g(3, 3), U, S, VH, False)),
    "qr_jvp": (runtime.qr_jvp, (g(4, 3), *np.linalg.qr(M.T))),
    "solve_transposed": (runtime.solve_transposed, (SQUARE, g(3), g(3))),
    "select_adjoint": (runtime.select_adjoint, (g(4), [A[0] > 0, A[1] > 0], [A[0], 2.0], 0.5)),
    "meshgrid_adjoint": (runtime.meshgrid_adjoint, ([g(3, 2), g(3, 2)], [g(2), g(3)])),
    "linspace_adjoints": (runtime.linspace_adjoints, (g(2, 5), 0.5, g(2), 5, False, 1)),
}


_RESULTS = {}


def _traced_results():
    """{case: its helper's JAX form on its arguments}, all under one jax.jit (one XLA
    compile): the float arrays among the arguments (and in lists) traced."""
    if not _RESULTS:
        flat, tree = jax.tree.flatten([list(args) for _, args in CASES.values()],
                                      is_leaf=lambda v: not isinstance(v, list))
        traced = [i for i, v in enumerate(flat)
                  if isinstance(v, np.ndarray) and v.dtype.kind == "f"]

        def run(*arrays):
            values = list(flat)
            for i, a in zip(traced, arrays):
                values[i] = a
            return {name: jax_value(helper.__name__, helper)(*args) for (name, (helper, _)), args
                    in zip(CASES.items(), jax.tree.unflatten(tree, values))}
        with jax.enable_x64(True):
            _RESULTS.update(jax.jit(run)(*[flat[i] for i in traced]))
    return _RESULTS


@pytest.mark.parametrize("name", list(CASES))
def test_jax_form_matches_the_numpy_helper(name):
    helper, args = CASES[name]
    expected = helper(*args)
    got = _traced_results()[name]
    expected_leaves = jax.tree.leaves(expected, is_leaf=lambda v: v is None)
    got_leaves = jax.tree.leaves(got, is_leaf=lambda v: v is None)
    assert len(got_leaves) == len(expected_leaves)
    for a, b in zip(got_leaves, expected_leaves):
        if b is None:
            assert a is None
            continue
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-10, atol=1e-12)


def test_what_still_has_no_jax_form_is_refused_by_name():
    from srcgrad.backend.jax.namespace import NoJaxForm

    for helper in (runtime.unique_adjoint, runtime.picked_adjoint, runtime.refresh):
        with pytest.raises(NoJaxForm, match=f"`{helper.__name__}` has no JAX form: "):
            jax_value(helper.__name__, helper)(1.0, 2.0)


def test_every_runtime_helper_has_a_jax_form_or_says_what_to_write():
    """Walks every helper of srcgrad.runtime: each has a JAX form, or its form refuses
    with what to write instead (never the generic "not written for JAX yet")."""
    from srcgrad.backend.jax.namespace import REFUSED

    for name, value in vars(runtime).items():
        if name.startswith("_") or not callable(value) or isinstance(value, type):
            continue
        form = jax_value(name, value)
        if getattr(form, "__code__", None) is not None and form.__code__.co_name == "refused":
            assert value in REFUSED, f"{name} has no JAX form and no advice"


def test_a_jax_array_never_changes_in_place():
    form = jax_value("changes_in_place", runtime.changes_in_place)
    assert not form(jnp.ones(2)) and form([1.0]) and not form(1.0)
