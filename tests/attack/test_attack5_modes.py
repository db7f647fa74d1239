"""Attack 5: every mode on one set of programs of a vector: grad, value_and_grad, vjp, jvp and
hessian (alias_oracles.judge: finite differences, and finite differences of the gradient for
the Hessian), jacobian in both modes against each other and against differences, the JAX
backend against NumPy's, and unusual inputs (0-d, empty, float32, float16, Fortran-ordered,
strided, read-only arrays); srcgrad.optim.fit against the same fit driven by autograd."""

import copy
import warnings

import numpy as np
import pytest
from alias_oracles import judge
from programs import load, numpy_and_autograd

import srcgrad
from srcgrad import optim

PROGRAMS = 'def poly(x):\n    return np.sum(x ** 3 - 2 * x ** 2 + x)\n\n\ndef softplus_sum(x):\n    return np.sum(np.logaddexp(0.0, x)) + np.sum(np.log1p(np.exp(-np.abs(x))))\n\n\ndef prod_all(x):\n    return np.prod(x)\n\n\ndef cumprod_sum(x):\n    return np.sum(np.cumprod(x))\n\n\ndef cumsum_sq(x):\n    return np.sum(np.cumsum(x) ** 2)\n\n\ndef norm_l2(x):\n    return np.linalg.norm(x)\n\n\ndef norm_inf_free(x):\n    return np.linalg.norm(x, 3)\n\n\ndef sort_weighted(x):\n    return np.sum(np.sort(x) * np.arange(x.shape[0]))\n\n\ndef max_min(x):\n    return np.max(x) * np.min(x) + np.ptp(x)\n\n\ndef where_abs(x):\n    return np.sum(np.where(x > 0, x ** 2, -x ** 3))\n\n\ndef outer_trace(x):\n    m = np.outer(x, x) + np.eye(x.shape[0])\n    return np.trace(np.linalg.inv(m))\n\n\ndef det_log(x):\n    m = np.outer(x, x) + np.diag(x ** 2 + 1.0)\n    return np.log(np.linalg.det(m))\n\n\ndef solve_sum(x):\n    A = np.outer(x, x) + 2.0 * np.eye(x.shape[0])\n    return np.sum(np.linalg.solve(A, x))\n\n\ndef cholesky_use(x):\n    A = np.outer(x, x) + 2.0 * np.eye(x.shape[0])\n    L = np.linalg.cholesky(A)\n    return np.sum(L ** 2) + np.sum(np.diag(L))\n\n\ndef eigh_use(x):\n    A = np.outer(x, x) + np.diag(x)\n    w, v = np.linalg.eigh(A)\n    return np.sum(w ** 2)\n\n\ndef loop_accum(x):\n    s = 0.0\n    for i in range(x.shape[0]):\n        s = s + np.sin(x[i]) * x[i - 1]\n    return s\n\n\ndef while_loop(x):\n    s = x * 1.0\n    i = 0\n    while i < 3:\n        s = np.tanh(s) + x\n        i += 1\n    return np.sum(s ** 2)\n\n\ndef fancy_scatter(x):\n    y = np.zeros(5)\n    y[[0, 2, 4]] = x[:3] ** 2\n    return np.sum(y * np.arange(5.0))\n\n\ndef add_at_use(x):\n    y = np.zeros(3)\n    np.add.at(y, [0, 0, 2, 1], x)\n    return np.sum(y ** 2)\n\n\ndef reshape_mat(x):\n    m = x.reshape(2, 2)\n    return np.sum(m @ m.T @ m)\n\n\ndef einsum_quad(x):\n    m = x.reshape(2, 2)\n    return np.einsum("ij,jk,ki->", m, m, m) + np.einsum("i,i", x, x)\n\n\ndef kron_use(x):\n    return np.sum(np.kron(x[:2], x[2:]) ** 2)\n\n\ndef tile_repeat(x):\n    return np.sum(np.tile(x, 2) * np.repeat(x, 2))\n\n\ndef roll_diff(x):\n    return np.sum((np.roll(x, 1) - x) ** 2) + np.sum(np.diff(x) ** 3)\n\n\ndef pad_conv(x):\n    p = np.pad(x, 1)\n    return np.sum((p[:-2] + p[1:-1] + p[2:]) ** 2)\n\n\ndef convolve_use(x):\n    return np.sum(np.convolve(x, np.array([1.0, -2.0, 0.5])) ** 2)\n\n\ndef hypot_arctan2(x):\n    return np.sum(np.hypot(x, 1.0) * np.arctan2(x, 2.0))\n\n\ndef power_neg(x):\n    return np.sum((x ** 2 + 1) ** -1.5)\n\n\ndef mean_var_std(x):\n    return np.var(x) + np.std(x) * np.mean(x)\n\n\ndef median_like(x):\n    return np.median(x ** 2)\n\n\ndef interp_use(x):\n    return np.sum(np.interp(x, np.array([-1.0, 0.0, 1.0, 2.0]), np.array([0.0, 1.0, 3.0, 2.0])) * x)\n\n\ndef abs_sq(x):\n    return np.sum(np.abs(x) ** 1.5)\n\n\ndef maximum_minimum(x):\n    return np.sum(np.maximum(x, 0.1) * np.minimum(x, 0.45))\n\n\ndef scalar_math(x):\n    return math.sin(x) * math.exp(x) + math.log(1 + x * x) + math.sqrt(abs(x) + 1)\n\n\ndef scalar_pow(x):\n    return x ** 3.5 / (1 + x) if x > 0 else -x\n\n\ndef zero_d(x):\n    return np.sin(x) * x ** 2\n\n\ndef vec_softmax(x):\n    e = np.exp(x - np.max(x))\n    return e / np.sum(e)\n\n\ndef vec_cross(x):\n    return np.cross(x[:3], x[1:])\n\n\ndef vec_cumsum(x):\n    return np.cumsum(x ** 2)\n\n\ndef vec_matrix(x):\n    m = np.outer(x, x)\n    return m @ x\n\n\ndef vec_sort(x):\n    return np.sort(x) * x\n\n\ndef vec_inplace(x):\n    y = x * 1.0\n    y[1:] += y[:-1] ** 2\n    return y\n\n\ndef vec_scalar_out(x):\n    return np.sum(x ** 2)\n'

HESSIAN_OK = ['poly', 'softplus_sum', 'cumsum_sq', 'norm_l2', 'sort_weighted', 'where_abs', 'outer_trace', 'det_log', 'solve_sum', 'cholesky_use', 'eigh_use', 'loop_accum', 'while_loop', 'fancy_scatter', 'reshape_mat', 'einsum_quad', 'kron_use', 'tile_repeat', 'roll_diff', 'pad_conv', 'convolve_use', 'hypot_arctan2', 'power_neg', 'mean_var_std', 'median_like', 'interp_use', 'abs_sq', 'maximum_minimum', 'max_min']
NO_HESSIAN = []  # (each program's Hessian is checked)
VECTOR = ['vec_softmax', 'vec_cross', 'vec_cumsum', 'vec_matrix', 'vec_sort', 'vec_inplace', 'vec_scalar_out']
JAX = ['poly', 'softplus_sum', 'prod_all', 'cumprod_sum', 'norm_l2', 'sort_weighted', 'where_abs', 'outer_trace', 'det_log', 'solve_sum', 'eigh_use', 'loop_accum', 'while_loop', 'reshape_mat', 'einsum_quad', 'roll_diff', 'maximum_minimum']

X = np.array([0.5, -0.3, 0.8, 1.2])


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return numpy_and_autograd(PROGRAMS, tmp_path_factory.mktemp("attack5_modes"), "modes",
                              header="import math\n")


@pytest.mark.parametrize("name", HESSIAN_OK + NO_HESSIAN)
def test_every_reverse_and_forward_mode(mods, name):
    ours, theirs = mods
    outcome = judge(getattr(ours, name), [X.copy()], autograd_f=getattr(theirs, name),
                    hessian=name in HESSIAN_OK)
    assert outcome.kind == "ok" or outcome.kind.startswith("refused"), str(outcome)
    if name in NO_HESSIAN and outcome.kind == "ok":
        with pytest.raises(srcgrad.SrcGradError, match=r"line \d+"):
            srcgrad.hessian(getattr(ours, name))(X.copy())


@pytest.mark.parametrize("name, x", [("scalar_math", 0.7), ("scalar_pow", 0.7), ("scalar_pow", -0.7),
                                     ("zero_d", np.array(0.7)),
                                     ("prod_all", np.array([1.5, 0.0, 2.0, -1.0])),
                                     ("prod_all", np.array([0.0, 0.0, 2.0, -1.0])),
                                     ("cumprod_sum", np.array([1.5, 0.0, 2.0, -1.0]))])
def test_numbers_and_zeros(mods, name, x):
    ours, _ = mods
    outcome = judge(getattr(ours, name), [copy.copy(x)])
    assert outcome.kind == "ok", str(outcome)


def differences(f, x, eps=1e-6):
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        columns.append((np.asarray(f(x + e.reshape(x.shape))) - np.asarray(f(x - e.reshape(x.shape))))
                       / (2 * eps))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("name", VECTOR)
def test_jacobians_in_both_modes(mods, name):
    ours, _ = mods
    f = getattr(ours, name)
    rev = srcgrad.jacobian(f, mode="rev")(X.copy())
    fwd = srcgrad.jacobian(f, mode="fwd")(X.copy())
    np.testing.assert_allclose(rev, fwd, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rev, differences(f, X.copy()), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", JAX)
def test_the_jax_backend_agrees(mods, name):
    pytest.importorskip("jax")
    ours, _ = mods
    f = getattr(ours, name)
    np.testing.assert_allclose(srcgrad.grad(f, backend="jax")(X.copy()), srcgrad.grad(f)(X.copy()),
                               rtol=1e-10, atol=1e-12)


UNUSUAL = '''
def f_sum(x):
    return np.sum(np.sin(x) * x)


def f_mean(x):
    return np.mean(x ** 2) if x.size else 0.0 * np.sum(x)


def f_inplace(x):
    h = x * 1.0
    h[...] = h * 2.0
    return np.sum(h ** 2)


def f_norm(x):
    return np.sqrt(np.sum(x * x) + 1.0)
'''

INPUTS = {"0d": np.array(0.7), "empty": np.zeros(0), "empty2d": np.zeros((0, 3)),
          "f32": np.array([0.5, -1.0, 2.0], np.float32), "f32_0d": np.float32(0.3),
          "npf64": np.float64(0.4), "f16": np.array([0.5, 1.5], np.float16), "one": np.array([0.3]),
          "col": np.array([[0.3], [0.2]]),
          "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3) / 5),
          "strided": np.arange(8.0)[::2] / 3,
          "readonly": np.frombuffer(np.array([0.1, 0.2]).tobytes())}


@pytest.fixture(scope="module")
def unusual(tmp_path_factory):
    return load("import numpy as np\n" + UNUSUAL, tmp_path_factory.mktemp("attack5_unusual"),
                "unusual")


@pytest.mark.parametrize("fname", ["f_sum", "f_mean", "f_inplace", "f_norm"])
@pytest.mark.parametrize("key", list(INPUTS))
def test_unusual_inputs(unusual, fname, key):
    x = INPUTS[key]
    if fname == "f_inplace" and np.ndim(x) == 0:
        pytest.skip("h = x * 1.0 of a 0-d array is a NumPy scalar: no item assignment")
    f = getattr(unusual, fname)
    x64 = np.asarray(x, dtype=float)
    want = (differences(lambda v: f(np.array(v)), x64).reshape(np.shape(x)) if x64.size
            else np.zeros(np.shape(x)))
    low = np.asarray(x).dtype != np.float64
    tol = dict(rtol=2e-2, atol=2e-3) if low else dict(rtol=1e-6, atol=1e-8)
    g = srcgrad.grad(f)(x)
    assert np.shape(g) == np.shape(x) and np.asarray(g).dtype == np.asarray(x).dtype
    np.testing.assert_allclose(np.asarray(g, dtype=float), want, **tol)
    _, pullback = srcgrad.vjp(f, x)
    np.testing.assert_allclose(np.asarray(pullback(1.0), dtype=float), want, **tol)
    tangent = np.ones_like(x) if isinstance(x, np.ndarray) else type(x)(1.0)
    _, slope = srcgrad.jvp(f)(x, tangent=tangent)
    np.testing.assert_allclose(float(slope), float(np.sum(want)), **tol)


FITS = '''
def mse_dict(p, X, y):
    return np.mean((X @ p["w"] + p["b"] - y) ** 2)


def mlp_list(p, X, y):
    h = X
    for W, b in p[:-1]:
        h = np.tanh(h @ W + b)
    W, b = p[-1]
    return np.mean((h @ W + b - y[:, None]) ** 2)


def inplace_loss(p, X, y):
    r = X @ p
    r -= y
    r *= r
    return r.mean()
'''


@pytest.mark.parametrize("name", ["mse_dict", "mlp_list", "inplace_loss"])
@pytest.mark.parametrize("batch_size", [None, 8])
def test_fit_follows_the_fit_autograd_drives(tmp_path, name, batch_size):
    import autograd
    ours, theirs = numpy_and_autograd(FITS, tmp_path, "fits")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + rng.normal(size=32) * 0.1
    p0 = {"mse_dict": {"w": np.zeros(3), "b": 0.0}, "inplace_loss": np.zeros(3),
          "mlp_list": [(rng.normal(size=(3, 4)) * .5, np.zeros(4)),
                       (rng.normal(size=(4, 1)) * .5, np.zeros(1))]}[name]
    kept = copy.deepcopy(p0)
    a = optim.fit(getattr(ours, name), p0, (X, y), epochs=3, optimizer=optim.Adam(0.05),
                  batch_size=batch_size, progress=False)
    step = autograd.value_and_grad(getattr(theirs, name))
    b = optim.fit(getattr(ours, name), copy.deepcopy(p0), (X, y), epochs=3,
                  optimizer=optim.Adam(0.05), batch_size=batch_size, progress=False,
                  value_and_grad_fn=step)
    for u, v in zip(optim.tree_leaves(a.params), optim.tree_leaves(b.params)):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-12)
    for u, v in zip(optim.tree_leaves(p0), optim.tree_leaves(kept)):
        np.testing.assert_array_equal(u, v)


LSE = '''
def lse(x, axis=None):
    m = np.max(x, axis=axis, keepdims=True)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return np.squeeze(r, axis=axis) if axis is not None else np.squeeze(r)


def f(x):
    return np.sum(lse(x, axis=1)) + lse(x)
'''


def test_a_constant_test_of_a_conditional_expression_in_a_helper_compiles_silently(tmp_path):
    # `... if axis is not None else ...` of a call with axis=1 was generated as
    # `cond = 1 is not None`: a SyntaxWarning, so an error (a crash) under -W error
    module = load("import numpy as np\n" + LSE, tmp_path, "lse")
    x = np.arange(6.0).reshape(2, 3) / 4
    with warnings.catch_warnings():
        warnings.simplefilter("error", SyntaxWarning)
        outcome = judge(module.f, [x])
        assert outcome.kind == "ok", str(outcome)
        srcgrad.hessian(module.f)(x)


EINSUM = '''
def traces(x):
    m = x.reshape(2, 2)
    return (np.einsum("ii", m @ m) + np.sum(np.einsum("ij->ji", m) @ m)
            + np.einsum(m, [0, 0]) * x[0])
'''


def test_second_derivatives_through_an_einsum_of_one_operand(tmp_path):
    # the tangent of a one-operand einsum's adjoint (it has no other operand) was the number
    # 0.0, and the matmul of m @ m's adjoint read next raised from the generated code
    module = load("import numpy as np\n" + EINSUM, tmp_path, "einsum_one")
    outcome = judge(module.traces, [X.copy()], hessian=True)
    assert outcome.kind == "ok", str(outcome)
    h = srcgrad.hessian(module.traces)(X.copy())
    np.testing.assert_allclose(srcgrad.hvp(module.traces)(X.copy(), tangent=np.ones(4)),
                               h @ np.ones(4), rtol=1e-12)


RECORDS = '''
Layer = namedtuple("Layer", "W b")


def layered(W, b, x):
    layer = Layer(W, b)
    return np.sum(np.tanh(x @ layer.W + layer.b) ** 2)
'''


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_forward_mode_through_a_namedtuple_with_a_field_held_fixed(tmp_path, backend):
    # jvp with respect to W alone: b's tangent was None in Layer(W_dot, None), and
    # `x @ W_dot + None` raised from the generated code (hessian of autograd's MLPs likewise)
    if backend == "jax":
        pytest.importorskip("jax")
    module = load("import numpy as np\nfrom collections import namedtuple\n" + RECORDS,
                  tmp_path, "records")
    rng = np.random.default_rng(0)
    W, b, x = rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 3))
    gW, gb = srcgrad.grad(module.layered, wrt=(0, 1))(W, b, x)
    v = rng.normal(size=W.shape)
    _, slope = srcgrad.jvp(module.layered, wrt=0, backend=backend)(W, b, x, tangent=v)
    np.testing.assert_allclose(slope, np.sum(gW * v), rtol=1e-10)
    _, slope = srcgrad.jvp(module.layered, wrt=1, backend=backend)(W, b, x, tangent=np.ones(2))
    np.testing.assert_allclose(slope, np.sum(gb), rtol=1e-10)
    outcome = judge(module.layered, [W, b, x], wrt=(0,), hessian=True)
    assert outcome.kind == "ok", str(outcome)
