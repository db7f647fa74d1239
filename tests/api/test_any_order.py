"""Derivatives of any order (issue 26): reverse mode over srcgrad's own generated gradient
code. Third and fourth derivatives of scalar and array functions, through loops, branches,
helpers, element writes and containers, match finite differences of the derivative one
order lower; `hessian(grad(f))` and `grad` of multi-argument gradients too; what reverse
mode cannot differentiate again is refused at the user's line. Small shapes: each order
transforms the code of the one below, which grows with it."""

import numpy as np
import pytest

import srcgrad

W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]])
X = np.array([0.4, -0.3, 0.8])
M = np.array([[0.4, -0.3, 0.8], [0.2, 0.5, -0.1]])
S = 0.7


def central(f, args, i, h=1e-5):
    """d f(*args) / d args[i] by central differences, shaped like args[i]."""
    x = np.asarray(args[i], dtype=float)
    out = np.zeros(x.shape)
    for k in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[k] = h
        up, down = list(args), list(args)
        up[i], down[i] = x + step, x - step
        if np.ndim(args[i]) == 0:
            up[i], down[i] = float(up[i]), float(down[i])
        out[k] = (f(*up) - f(*down)) / (2 * h)
    return out


def matches_lower(higher, lower, args, i):
    np.testing.assert_allclose(higher(*args), central(lower, args, i), rtol=1e-5, atol=1e-6)


# --- scalar functions: the third and fourth derivative -------------------------------------


def poly(s):
    return s ** 5 - 2.0 * s ** 3 + np.sin(s)


def smooth_mix(s):
    return np.exp(0.3 * s) * np.cos(s) + np.log(1.0 + s * s) + np.sqrt(2.0 + s * s)


def quotients(s):
    return 1.0 / (1.5 + s * s) + np.tanh(s) / (2.0 + np.cos(s))


def looped(s):
    acc = 0.0
    for i in range(3):
        acc = acc + np.sin(acc + s * (i + 1))
    return acc


def while_looped(s):
    v = s
    k = 0
    while k < 3:
        v = v * np.cos(v) + 0.1
        k += 1
    return v


def branched(s):
    if s > 0.0:
        y = s ** 4
    else:
        y = np.exp(s)
    return y * s


def helper(u, v):
    return u * np.sin(v) + v ** 2


def with_helper(s):
    return helper(s, s * 2.0) + helper(s ** 2, 1.0)


SLOW = pytest.mark.slow  # fourth derivatives through loops: a few seconds each


def _cases(functions, slow=()):
    return [pytest.param(f, id=f.__name__, marks=[SLOW] if f in slow else [])
            for f in functions]


@pytest.mark.parametrize("f", _cases([poly, smooth_mix, quotients, looped, while_looped,
                                      branched, with_helper]))
def test_third_derivatives_of_scalar_functions(f):
    second = srcgrad.grad(srcgrad.grad(f))
    matches_lower(srcgrad.grad(second), second, (S,), 0)


@pytest.mark.parametrize("f", _cases([poly, quotients, looped, while_looped, branched,
                                      with_helper], slow=(while_looped,)))
def test_fourth_derivatives_of_scalar_functions(f):
    third = srcgrad.grad(srcgrad.grad(srcgrad.grad(f)))
    matches_lower(srcgrad.grad(third), third, (S,), 0)


def quartic(s):
    return s ** 4 - 3.0 * s ** 3


def sixth_power(s):
    return s ** 6


def test_the_third_and_fifth_derivatives_of_polynomials_are_exact():
    third = srcgrad.grad(srcgrad.grad(srcgrad.grad(quartic)))
    assert third(2.0) == pytest.approx(24 * 2.0 - 18.0, rel=1e-14)
    fifth = sixth_power
    for _ in range(5):
        fifth = srcgrad.grad(fifth)
    assert fifth(0.5) == pytest.approx(720 * 0.5, rel=1e-12)


# --- array functions: d/dx of the second and third derivative in a scalar s ---------------


def sums(x, s):
    return np.sum(np.tanh(x * s) ** 2) + s * np.sum(x ** 3)


def means(x, s):
    return np.mean(np.exp(x * s)) + np.var(x * s)


def broadcast(x, s):
    y = x[:, None] * np.arange(1.0, 4.0) * s
    return np.sum(np.sin(y)) + np.max(x * s)


def products(x, s):
    h = np.tanh(W @ x * s)
    return np.sum(h ** 2) + x @ x * s ** 2 + np.dot(x, x) * s


def rnn(x, s):
    h = x
    for t in range(3):
        h = np.tanh(h * s + 0.1 * t)
    return np.sum(h)


def accumulated(x, s):
    acc = np.zeros(3)
    for t in range(3):
        acc += np.sin(x * s * (t + 1))
    return np.sum(acc * acc)


def indexed(x, s):
    y = x * s
    return y[0] * y[2] + np.sum(y[1:] ** 2) + np.sum(y[[0, 0, 1]])


def written(x, s):
    y = np.zeros(3)
    y[0] = x[1] * s
    y[1:] = x[:2] ** 2 * s
    return np.sum(y * y * s)


def where_branch(x, s):
    if np.sum(x) > 0.0:
        y = x * s
    else:
        y = x ** 2 * s
    return np.sum(np.where(y > 0.0, y ** 2, np.sin(y)))


def extremes(x, s):
    return np.max(x * s) * np.min(x * s) + np.sum(np.maximum(x * s, 0.2))


def containers(x, s):
    d = {"a": x * s, "b": s ** 3}
    parts = [d["a"], np.sin(x) * s ** 2]
    return sum(np.sum(p * p) for p in parts) * d["b"]


def layouts(x, s):
    m = np.reshape(x * s, (1, 3))
    return np.sum(m.T @ m) + np.sum(np.stack([x, x * s]) ** 2) + np.sum(np.cumsum(x * s) ** 2)


def logsumexp(x, s):
    z = x * s
    top = np.max(z)
    return top + np.log(np.sum(np.exp(z - top)))


def with_array_helper(x, s):
    return np.sum(helper(x, s * x)) + np.linalg.norm(x * s)


ARRAY_FUNCTIONS = [sums, means, broadcast, products, rnn, accumulated, indexed, written,
                   where_branch, extremes, containers, layouts, logsumexp, with_array_helper]


@pytest.mark.parametrize("f", _cases(ARRAY_FUNCTIONS))
def test_third_derivatives_of_array_functions(f):
    second = srcgrad.grad(srcgrad.grad(f, 1), 1)
    matches_lower(srcgrad.grad(second, 0), second, (X, S), 0)


@pytest.mark.parametrize("f", _cases([sums, broadcast, products, rnn, accumulated, written,
                                      containers], slow=(accumulated, containers)))
def test_fourth_derivatives_of_array_functions(f):
    third = srcgrad.grad(srcgrad.grad(srcgrad.grad(f, 1), 1), 1)
    matches_lower(srcgrad.grad(third, 0), third, (X, S), 0)


def matrices(m, s):
    c = m - np.mean(m * s, axis=1, keepdims=True)
    return np.sum(c ** 2 * s) + np.sum((m @ m.T) ** 2) * s + np.sum(np.sin(m * s).T @ m)


def test_third_derivatives_of_matrix_functions_with_kept_axes():
    second = srcgrad.grad(srcgrad.grad(matrices, 1), 1)
    matches_lower(srcgrad.grad(second, 0), second, (M, S), 0)


@pytest.mark.parametrize("f", [sums, products, rnn], ids=lambda f: f.__name__)
def test_hessian_of_a_gradient(f):
    ds = srcgrad.grad(f, 1)
    got = srcgrad.hessian(ds, 0)(X, S)
    mixed = srcgrad.grad(ds, 0)  # reverse over the gradient code
    want = np.stack([central(lambda x, s: mixed(x, s)[k], (X, S), 0) for k in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def two_arguments(a, b):
    return np.sin(a * b) * a ** 3 + np.exp(0.5 * b) * a


@pytest.mark.parametrize("order", [(0, 1, 0), (1, 0, 1), (0, 0, 1), (1, 1, 0)])
def test_mixed_third_derivatives_of_multi_argument_functions(order):
    i, j, k = order
    second = srcgrad.grad(srcgrad.grad(two_arguments, wrt=i), wrt=j)
    matches_lower(srcgrad.grad(second, wrt=k), second, (0.6, -0.4), k)


def test_mixed_third_derivatives_are_symmetric():
    a, b = 0.6, -0.4
    f = two_arguments
    values = [srcgrad.grad(srcgrad.grad(srcgrad.grad(f, wrt=i), wrt=j), wrt=k)(a, b)
              for i, j, k in [(0, 0, 1), (0, 1, 0), (1, 0, 0)]]
    assert values[0] == pytest.approx(values[1], rel=1e-12)
    assert values[1] == pytest.approx(values[2], rel=1e-12)


def test_float32_and_zero_size_arguments():
    second = srcgrad.grad(srcgrad.grad(sums, 1), 1)
    third = srcgrad.grad(second, 0)
    got = third(X.astype(np.float32), np.float32(S))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, third(X, S), rtol=1e-3, atol=1e-3)
    assert third(np.zeros(0), S).shape == (0,)


# --- refusals -------------------------------------------------------------------------------


def product(x, s):
    y = x * s
    return np.prod(y) + np.sum(y)


def test_a_product_is_differentiated_again_through_its_helpers_source():
    """np.prod's adjoint calls prod_of_others, which has no rule: srcgrad differentiates its
    NumPy source (registry.from_own_source), here for the third derivative."""
    hessian = srcgrad.hessian(srcgrad.grad(product, 1), 0)(X, S)
    gradient = srcgrad.grad(srcgrad.grad(product, 1), 0)
    rows = [central(lambda x, i=i: gradient(x, S)[i], (X,), 0) for i in range(3)]
    np.testing.assert_allclose(hessian, np.array(rows), rtol=1e-5, atol=1e-6)


def test_what_cannot_be_differentiated_again_is_refused_at_the_users_line():
    # (reverse mode three times over prod_of_others's source meets split_like, which has a
    # tangent rule but no adjoint)
    with pytest.raises(srcgrad.SrcGradError) as info:
        srcgrad.grad(srcgrad.grad(srcgrad.grad(product, 1), 1), 0)(X, S)
    message = str(info.value)
    assert "test_any_order.py" in message and "return np.prod(y) + np.sum(y)" in message
    assert "split_like" in message and "srcgrad.hessian(f)" in message


def test_grad_of_gradients_that_are_not_one_number_is_refused():
    with pytest.raises(srcgrad.SrcGradError, match="single wrt argument"):
        srcgrad.grad(srcgrad.grad(two_arguments, wrt=(0, 1)))
    with pytest.raises(srcgrad.SrcGradError, match="single wrt argument"):
        srcgrad.grad(srcgrad.value_and_grad(two_arguments))
    with pytest.raises(srcgrad.SrcGradError, match="one wrt argument"):
        srcgrad.hessian(srcgrad.grad(two_arguments, wrt=(0, 1)))
    with pytest.raises(srcgrad.SrcGradError, match="pair"):
        srcgrad.grad(srcgrad.value_and_grad(srcgrad.grad(two_arguments)))
    third = srcgrad.grad(srcgrad.grad(srcgrad.grad(sums, 0), 0), 0)  # x is an array
    with pytest.raises(srcgrad.SrcGradError, match="scalar|number"):
        third(X, S)
