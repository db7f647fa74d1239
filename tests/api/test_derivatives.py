"""jvp, jacobian, hessian, hvp and grad(grad(f)): forward mode and second derivatives,
checked against finite differences, against reverse mode, and on the tutorials' values."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad.fused import positional_out

RNG = np.random.default_rng(0)


def directional(f, args, i, v, h=1e-6):
    """Central difference of f along v in argument i."""
    plus, minus = list(args), list(args)
    plus[i], minus[i] = args[i] + h * v, args[i] - h * v
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * h)


# --- the tutorial: Q = 3a^3 - b^2 ---------------------------------------------------------


def tutorial_q(a, b):
    return 3 * a ** 3 - b ** 2


def test_tutorial_jacobians_in_both_modes_are_exact():
    a, b = np.array([2.0, 3.0]), np.array([6.0, 4.0])
    for mode in ("rev", "fwd"):
        ja, jb = srcgrad.jacobian(tutorial_q, wrt=(0, 1), mode=mode)(a, b)
        np.testing.assert_array_equal(ja, np.diag([36.0, 81.0]))
        np.testing.assert_array_equal(jb, np.diag([-12.0, -8.0]))


def test_tutorial_jvp_along_ones_is_the_backward_with_a_seed_of_ones():
    a, b = np.array([2.0, 3.0]), np.array([6.0, 4.0])
    value, along_a = srcgrad.jvp(tutorial_q, wrt=0)(a, b, tangent=np.ones(2))
    np.testing.assert_array_equal(value, [-12.0, 65.0])
    np.testing.assert_array_equal(along_a, [36.0, 81.0])
    _, along_b = srcgrad.jvp(tutorial_q, wrt="b")(a, b, tangent=np.ones(2))
    np.testing.assert_array_equal(along_b, [-12.0, -8.0])


def test_second_derivative_of_the_square_is_two():
    d2 = srcgrad.grad(srcgrad.grad(lambda x: x ** 2))
    assert d2(5.0) == 2.0


# --- forward mode over control flow --------------------------------------------------------


def piecewise(x, w):
    y = x * w
    if np.sum(y) > 0.0:
        out = np.sin(y) * 2.0
    elif np.sum(y) > -1.0:
        out = y * y
    else:
        out = -y
    return out


def looped(w, x):
    h = x
    for t in range(5):
        h = np.tanh(h * w + 0.1 * t)
        if np.sum(h) > 2.0:
            break
    k = 0
    while np.sum(h * h) < 10.0 and k < 3:
        h = h * 1.5 + w
        k = k + 1
    return np.sum(h * h)


def scale(v, s=2.0):
    return np.exp(v) * s


def with_helpers(w, x):
    a = scale(w * x)
    b = scale(a, s=0.5)
    return b - a


def collected(w, xs):
    outs = []
    for x in xs:
        outs.append(np.sin(w * x))
    return np.stack(outs)


def with_params(params, x):
    h = np.tanh(params["w"] * x + params["b"])
    return np.sum(h * params["w"])


CASES = [
    (piecewise, [np.array([0.5, -0.2, 0.3]), np.array([1.0, 2.0, -0.5])], 1),
    (piecewise, [np.array([-0.5, -0.2, 0.1]), np.array([1.0, 2.0, -0.5])], 0),
    (piecewise, [np.array([-2.5, -0.2, 0.1]), np.array([1.0, 2.0, 0.5])], 1),
    (looped, [np.array([0.3, -0.2]), np.array([0.5, 0.1])], 0),
    (looped, [np.array([1.3, 1.2]), np.array([0.9, 0.8])], 1),
    (with_helpers, [np.array([0.3, -0.2]), np.array([0.5, 0.1])], 0),
    (collected, [np.array([0.3, -0.2]), np.array([[0.5, 0.1], [1.0, -1.0], [0.2, 0.3]])], 0),
]


@pytest.mark.parametrize("f, args, i", CASES, ids=lambda c: getattr(c, "__name__", None))
def test_jvp_matches_finite_differences(f, args, i):
    v = RNG.normal(size=np.shape(args[i]))
    value, tangent = srcgrad.jvp(f, wrt=i)(*args, tangent=v)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    np.testing.assert_allclose(tangent, directional(f, args, i, v), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, args, i", CASES, ids=lambda c: getattr(c, "__name__", None))
def test_forward_and_reverse_mode_agree(f, args, i):
    """<u, J v> == <J^T u, v> on random u and v."""
    v = RNG.normal(size=np.shape(args[i]))
    value, tangent = srcgrad.jvp(f, wrt=i)(*args, tangent=v)
    u = RNG.normal(size=np.shape(value))
    _, pullback = srcgrad.vjp(f, *args, wrt=i)
    assert np.sum(u * tangent) == pytest.approx(np.sum(pullback(u) * v), rel=1e-10, abs=1e-12)


def test_jvp_of_a_params_dict_takes_a_dict_tangent():
    params = {"w": np.array([0.3, -0.7]), "b": np.array([0.1, 0.2])}
    x = np.array([1.0, 2.0])
    v = {"w": np.array([1.0, 0.5]), "b": np.array([-0.3, 0.2])}
    _, tangent = srcgrad.jvp(with_params)(params, x, tangent=v)
    g = srcgrad.grad(with_params)(params, x)
    assert tangent == pytest.approx(sum(np.sum(g[k] * v[k]) for k in params), rel=1e-12)


def test_jvp_of_a_value_that_does_not_depend_on_wrt_is_zero():
    _, tangent = srcgrad.jvp(lambda x, y: np.sin(y), wrt=0)(np.ones(2), np.ones(3),
                                                              tangent=np.ones(2))
    np.testing.assert_array_equal(tangent, np.zeros(3))


def test_jvp_source_reads_like_numpy():
    text = srcgrad.jvp(piecewise, wrt=1).source
    assert "def piecewise_jvp(x, w, *, w_dot):" in text
    assert "y_dot = x * w_dot" in text
    assert "if cond:" in text


# --- Jacobians -----------------------------------------------------------------------------


def vector_field(x, a):
    return np.array([x[0] * x[1] * a, np.sin(x[2]) + x[0] ** 2, np.exp(x[1] - x[2])])


def test_jacobian_in_both_modes_matches_finite_differences():
    x, a = np.array([0.3, -0.5, 1.1]), 2.0
    numeric = np.stack([directional(vector_field, [x, a], 0, e) for e in np.eye(3)], axis=1)
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(srcgrad.jacobian(vector_field, mode=mode)(x, a), numeric,
                                   rtol=1e-6, atol=1e-8)


def test_jacobian_of_a_scalar_argument_and_a_matrix_output():
    f = lambda s, m: np.tanh(s * m)  # noqa: E731
    m = RNG.normal(size=(2, 3))
    for mode in ("rev", "fwd"):
        jac = srcgrad.jacobian(f, mode=mode)(0.7, m)
        assert jac.shape == (2, 3)
        np.testing.assert_allclose(jac, (1 - np.tanh(0.7 * m) ** 2) * m, rtol=1e-12)


# --- second derivatives --------------------------------------------------------------------


def mlp_loss(W1, W2, x, y):
    h = np.tanh(x @ W1)
    p = h @ W2
    return np.mean((p - y) ** 2)


def branchy(x):
    if np.sum(x) > 0.0:
        return np.sum(np.sin(x) * x ** 2)
    return np.sum(np.exp(x) * x)


def looped_scalar(w):
    h = 0.5
    for t in range(6):
        h = np.tanh(w * h + 0.3)
    return h * h


def test_hessian_matches_finite_differences_of_the_gradient_and_is_symmetric():
    x = np.array([0.3, -0.2, 0.8])
    hess = srcgrad.hessian(branchy)(x)
    g = srcgrad.grad(branchy)
    numeric = np.stack([directional(g, [x], 0, e, h=1e-5) for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(hess, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-12, atol=1e-12)


def test_hessian_through_the_other_branch():
    x = np.array([-0.3, -0.2, -0.8])
    np.testing.assert_allclose(srcgrad.hessian(branchy)(x), np.diag(np.exp(x) * (x + 2)),
                               rtol=1e-12)


def test_hvp_is_the_hessian_times_the_vector_without_forming_it():
    W1, W2 = RNG.normal(size=(4, 5)) * 0.5, RNG.normal(size=(5, 2)) * 0.5
    x, y = RNG.normal(size=(8, 4)), RNG.normal(size=(8, 2))
    v = RNG.normal(size=(4, 5))
    product = srcgrad.hvp(mlp_loss, wrt="W1")(W1, W2, x, y, tangent=v)
    g = srcgrad.grad(mlp_loss, wrt="W1")
    np.testing.assert_allclose(product, directional(g, [W1, W2, x, y], 0, v, h=1e-5),
                               rtol=1e-6, atol=1e-9)
    hess = srcgrad.hessian(mlp_loss, wrt="W1")(W1, W2, x, y)
    np.testing.assert_allclose(product, np.tensordot(hess, v, axes=2), rtol=1e-10, atol=1e-12)


def test_hessian_blocks_for_several_arguments():
    W1, W2 = RNG.normal(size=(3, 2)) * 0.5, RNG.normal(size=(2, 1)) * 0.5
    x, y = RNG.normal(size=(5, 3)), RNG.normal(size=(5, 1))
    blocks = srcgrad.hessian(mlp_loss, wrt=(0, 1))(W1, W2, x, y)
    assert blocks[0][0].shape == (3, 2, 3, 2) and blocks[0][1].shape == (3, 2, 2, 1)
    np.testing.assert_allclose(blocks[0][1], np.transpose(blocks[1][0], (2, 3, 0, 1)),
                               rtol=1e-10, atol=1e-12)


def test_grad_of_grad_through_an_if():
    def f(x):
        if x > 0.0:
            return x ** 3
        return -2.0 * x ** 2

    d2 = srcgrad.grad(srcgrad.grad(f))
    assert d2(2.0) == pytest.approx(12.0)
    assert d2(-1.0) == pytest.approx(-4.0)
    value, second = srcgrad.value_and_grad(srcgrad.grad(f))(2.0)
    assert (value, second) == (pytest.approx(12.0), pytest.approx(12.0))


def test_grad_of_grad_through_a_loop_matches_finite_differences():
    d1 = srcgrad.grad(looped_scalar)
    d2 = srcgrad.grad(d1)
    assert d2(0.8) == pytest.approx((d1(0.8 + 1e-5) - d1(0.8 - 1e-5)) / 2e-5, rel=1e-6)


def test_mixed_second_derivative_with_a_vector_argument():
    """grad(grad(f, wrt=s), wrt=x): d/dx of df/ds, for a scalar s and a vector x."""
    f = lambda s, x: np.sum(np.sin(s * x) * x)  # noqa: E731
    x = np.array([0.3, -1.2, 0.5])
    mixed = srcgrad.grad(srcgrad.grad(f, wrt=0), wrt=1)(0.7, x)
    ds = srcgrad.grad(f, wrt=0)
    np.testing.assert_allclose(mixed, numerical_grad(ds, (0.7, x), 1), rtol=1e-6)


def test_second_derivative_sources_exist():
    for made in (srcgrad.hvp(branchy), srcgrad.hessian(branchy),
                 srcgrad.grad(srcgrad.grad(looped_scalar)), srcgrad.jacobian(vector_field),
                 srcgrad.jacobian(vector_field, mode="fwd")):
        assert "def " in made.source
    assert "_gradient_jvp" in srcgrad.hvp(branchy).source


# --- refusals ------------------------------------------------------------------------------


def test_a_tangent_of_the_wrong_shape_is_refused():
    with pytest.raises(srcgrad.SrcGradError, match="shape"):
        srcgrad.jvp(tutorial_q)(np.ones(2), np.ones(2), tangent=np.ones(3))


def test_grad_of_grad_needs_a_scalar_inner_argument():
    d2 = srcgrad.grad(srcgrad.grad(lambda x: np.sum(x ** 3)))
    with pytest.raises(srcgrad.SrcGradError, match="scalar"):
        d2(np.ones(3))


def quartic(x):
    return x ** 4


def cubes(x):
    return np.sum(x ** 3)


def test_third_derivatives_and_reverse_jacobians_of_gradients_work():
    d3 = srcgrad.grad(srcgrad.grad(srcgrad.grad(quartic)))  # tests/api/test_any_order.py
    assert d3(2.0) == pytest.approx(48.0, rel=1e-14)
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.jacobian(srcgrad.grad(cubes))(x), np.diag(6 * x))
    with pytest.raises(srcgrad.SrcGradError, match="mode='fwd'"):
        srcgrad.jacobian(srcgrad.jvp(cubes))


def test_a_bad_mode_is_refused():
    with pytest.raises(srcgrad.SrcGradError, match="mode"):
        srcgrad.jacobian(tutorial_q, mode="sideways")


def test_hvp_of_large_arrays_differentiates_the_plain_gradient_code():
    """A grad call computes into dying arrays (out=...) above 16384 elements; that
    rewrite once leaked into the code forward mode differentiates, and hvp failed."""
    def f(x):
        return np.sum(np.sin(x) * np.exp(-x * x) + x * x)

    x = np.linspace(-1.0, 1.0, 20000)
    g = srcgrad.grad(f)
    g(x)  # the fused call with its buffer reuse is built first
    assert positional_out.NOTE in g.source_for(x)  # computed into its dying arrays
    v = np.cos(np.arange(20000.0))
    product = srcgrad.hvp(f)(x, tangent=v)
    np.testing.assert_allclose(product, (g(x + 1e-5 * v) - g(x - 1e-5 * v)) / 2e-5,
                               rtol=1e-6, atol=1e-8)


def recurrent(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


def test_hvp_through_a_loop_that_accumulates_weight_adjoints_in_place():
    """The gradient code adds each step's weight adjoint into `d_Wh = zeros_like(Wh)` in
    place; forward mode over it once refused that as an update of a possible alias."""
    rng = np.random.default_rng(3)
    args = [rng.standard_normal((3, 4)), 0.5 * rng.standard_normal((4, 4)),
            rng.standard_normal(4), rng.standard_normal((5, 2, 3))]
    g = srcgrad.grad(recurrent, wrt=1)
    g(*args)
    assert "d_Wh += " in g.source_for(*args)
    v = rng.standard_normal((4, 4))
    product = srcgrad.hvp(recurrent, wrt=1)(*args, tangent=v)
    def moved(step):
        return g(args[0], args[1] + step * v, args[2], args[3])

    expected = (moved(1e-6) - moved(-1e-6)) / 2e-6
    np.testing.assert_allclose(product, expected, rtol=1e-6, atol=1e-9)
