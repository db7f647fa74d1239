"""Second derivatives of the functions whose adjoint is a runtime helper srcgrad
differentiates from its own source (registry.from_own_source): prod, cumprod (zeros
exact), norm with an explicit ord, qr, lstsq, svd's singular vectors and SciPy's forms.
hessian, jvp of grad and grad of grad against central differences of the gradient."""

import numpy as np
import pytest
import scipy.linalg

import srcgrad

_MASK = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]])


def prod_rows(x):
    return np.sum(np.prod(x, axis=0) ** 2)


def prod_all(x):
    return np.prod(x) + np.sum(x)


def prod_kept(x):
    return np.sum(np.sin(np.prod(x, axis=(0, 1), keepdims=True)) * x)


def prod_zeros(x):  # one zero in two columns, two in another: exact through them
    return np.sum(np.prod(x * _MASK, axis=1) * np.arange(4.0)) + np.prod((x * _MASK)[:, 0])


def cumprod_columns(x):
    return np.sum(np.cumprod(x, axis=1) ** 2)


def cumprod_flat(x):
    return np.sum(np.cos(np.cumprod(x)))


def cumprod_zeros(x):
    return np.sum(np.cumprod(x * _MASK, axis=0) * x)


def norm_p(x):
    return np.linalg.norm(x[0], ord=3) + np.sum(np.linalg.norm(x, 1.5, axis=0) ** 2)


def norm_inf(x):
    return np.sum(np.linalg.norm(x, np.inf, axis=1) * np.linalg.norm(x, -np.inf, axis=1))


def norm_matrix(x):
    return (np.linalg.norm(x, 'nuc') ** 2 + np.linalg.norm(x, 2) ** 2
            + np.linalg.norm(x, -2) * np.linalg.norm(x, 'fro') + np.linalg.norm(x, 1) * np.sum(x)
            + np.linalg.norm(x, -1) * np.sum(x * x) + np.linalg.norm(x, np.inf) * x[0, 0]
            + np.linalg.norm(x, -np.inf) ** 2)


def norm_batched(x):
    stack = np.stack([x, x * x, np.cos(x)])
    return np.sum(np.linalg.norm(stack, 'nuc', axis=(1, 2)) ** 2)


def scipy_norms(x):
    return scipy.linalg.norm(x, 'nuc') ** 2 + scipy.linalg.norm(x[1], 3) * np.sum(x)


def qr_tall(x):
    q, r = np.linalg.qr(x)
    return np.sum(r ** 2 * np.arange(3.0)) + np.sum(q * np.arange(12.0).reshape(4, 3))


def qr_r_only(x):
    return np.sum(np.sin(np.linalg.qr(x[:3], mode='r')))


def lstsq_vector(x):
    solution, residuals, _, s = np.linalg.lstsq(x, np.arange(4.0), rcond=None)
    return np.sum(solution ** 2) + np.sum(residuals) + np.sum(s ** 3)


def lstsq_matrix(x):
    return np.sum(np.sin(np.linalg.lstsq(x, np.outer(np.arange(4.0), [1.0, -1.0]), rcond=None)[0]))


def svd_vectors(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return np.sum(u[:, 0] ** 2 * np.arange(4.0)) + np.sum(vh * np.arange(9.0).reshape(3, 3) * s)


def svd_full_square(x):
    u, s, vh = np.linalg.svd(x[:3])
    return np.sum(u * np.arange(9.0).reshape(3, 3)) + np.sum(s ** 2)


def scipy_svd(x):
    u, s, vh = scipy.linalg.svd(x, full_matrices=False)
    return np.sum(np.abs(u[:, 1]) ** 3) + np.sum(s * vh[:, 0] ** 2)


FUNCTIONS = [prod_rows, prod_all, prod_kept, prod_zeros, cumprod_columns, cumprod_flat,
             cumprod_zeros, norm_p, norm_inf, norm_matrix, norm_batched, scipy_norms, qr_tall,
             qr_r_only, lstsq_vector, lstsq_matrix, svd_vectors, svd_full_square, scipy_svd]
# (no ties among its row sums, column sums or singular values: the norms are smooth there)
X = np.array([[0.9, -1.3, 0.4], [1.7, 0.6, -0.8], [-0.5, 1.1, 1.4], [0.3, -0.2, 2.4]])


def _numeric_hessian(f, x, h=1e-5):
    gradient = srcgrad.grad(f)
    rows = [(gradient(x + h * e) - gradient(x - h * e)) / (2 * h)
            for e in np.eye(x.size).reshape((x.size,) + x.shape)]
    return np.moveaxis(np.array(rows).reshape(x.shape + x.shape), (0, 1), (2, 3))


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_hessian_matches_finite_differences(f):
    expected = _numeric_hessian(f, X)
    np.testing.assert_allclose(srcgrad.hessian(f)(X), expected, rtol=1e-5,
                               atol=1e-6 * max(1.0, np.max(np.abs(expected))))


@pytest.mark.parametrize("f", [prod_zeros, cumprod_zeros, norm_matrix, qr_tall, lstsq_vector,
                               svd_vectors], ids=lambda f: f.__name__)
def test_jvp_of_grad_and_grad_of_grad(f):
    v = np.cos(np.arange(12.0)).reshape(4, 3)
    h = 1e-5
    gradient = srcgrad.grad(f)
    numeric = (gradient(X + h * v) - gradient(X - h * v)) / (2 * h)
    _, pushed = srcgrad.jvp(gradient)(X, tangent=v)
    scale = max(1.0, np.max(np.abs(numeric)))
    np.testing.assert_allclose(pushed, numeric, rtol=1e-5, atol=1e-6 * scale)

    def along(s, x):  # d/dx of d/ds f(x + s v): grad of grad, reverse over reverse
        return f(x + s * v)
    mixed = srcgrad.grad(srcgrad.grad(along, wrt=0), wrt=1)(0.0, X)
    np.testing.assert_allclose(mixed, numeric, rtol=1e-5, atol=1e-6 * scale)


def test_the_zeros_of_a_product_stay_exact():
    """With one zero in a column, the Hessian of the column's product is the product of
    the others over two entries: exact, with no division by the zero."""
    x = np.array([[2.0, 0.0], [0.0, 3.0], [5.0, 7.0]])
    h = srcgrad.hessian(lambda x: np.sum(np.prod(x, axis=0)))(x)
    assert h[0, 0, 2, 0] == 0.0 and h[1, 0, 2, 0] == 2.0 and h[1, 0, 0, 0] == 5.0
    assert np.all(np.isfinite(h))
