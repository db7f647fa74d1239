"""Helpers of the rules for matrix factorizations (rules/decompositions.py)."""

import numpy as np


def lower_half(x):
    """The lower triangle of x with its diagonal halved (Phi in the Cholesky adjoint)."""
    return np.tril(x) - 0.5 * x * np.eye(np.shape(x)[-1])


def _mT(x):
    return np.swapaxes(x, -1, -2)


def _reciprocal_gaps(s):
    """F[i, j] = 1 / (s[j]^2 - s[i]^2), 0 where the two are equal."""
    gap = (s * s)[..., None, :] - (s * s)[..., :, None]
    apart = gap != 0
    return np.where(apart, 1 / np.where(apart, gap, 1.0), 0.0)


def _none_in_extra(part):
    """Refuses an adjoint reaching the extra columns (rows) of full_matrices=True, which
    leaves them undetermined; `part`: the adjoint's extra columns, or None."""
    if part is not None and np.any(np.asarray(part) != 0):
        from ..errors import SrcGradError
        raise SrcGradError(
            "the gradient through the extra columns of np.linalg.svd(a) with "
            "full_matrices=True is not unique (they span the null space)\n"
            "Pass full_matrices=False to np.linalg.svd.")


def svd_adjoint(gu, gs, gvh, u, s, vh, full_matrices=True):
    """Adjoint of a in u, s, vh = np.linalg.svd(a) (J. Townsend, "Differentiating the
    singular value decomposition", 2016), with F[i, j] = 1 / (s[j]^2 - s[i]^2)."""
    k = np.shape(s)[-1]
    if full_matrices:
        _none_in_extra(None if gu is None else np.asarray(gu)[..., :, k:])
        _none_in_extra(None if gvh is None else np.asarray(gvh)[..., k:, :])
        u, vh = u[..., :, :k], vh[..., :k, :]
    f = _reciprocal_gaps(s)
    inner = np.asarray(gs)[..., :, None] * np.eye(k)
    out = 0.0
    if gu is not None:
        gu = np.asarray(gu)[..., :, :k]
        ut_gu = _mT(u) @ gu
        inner = inner + (f * (ut_gu - _mT(ut_gu))) * s[..., None, :]
        out = out + ((gu - u @ ut_gu) / s[..., None, :]) @ vh
    if gvh is not None:
        v, gv = _mT(vh), _mT(np.asarray(gvh)[..., :k, :])
        vt_gv = _mT(v) @ gv
        inner = inner + s[..., :, None] * (f * (vt_gv - _mT(vt_gv)))
        out = out + u @ _mT((gv - v @ vt_gv) / s[..., None, :])
    return u @ inner @ vh + out


def svd_jvp(t_a, u, s, vh, full_matrices=True):
    """Tangents [u, s, vh] of np.linalg.svd(a) along t_a (zeros for the undetermined extra
    columns of full_matrices=True)."""
    k = np.shape(s)[-1]
    uk, vhk = (u[..., :, :k], vh[..., :k, :])
    v = _mT(vhk)
    f = _reciprocal_gaps(s)
    p = _mT(uk) @ t_a @ v  # U^T dA V
    ds = np.diagonal(p, 0, -2, -1)
    du = uk @ (f * (p * s[..., None, :] + s[..., :, None] * _mT(p))) + (
        t_a @ v - uk @ p) / s[..., None, :]
    dv = v @ (f * (s[..., :, None] * p + _mT(p) * s[..., None, :])) + (
        _mT(t_a) @ uk - v @ _mT(p)) / s[..., None, :]
    if full_matrices:
        du = np.concatenate([du, np.zeros(np.shape(u)[:-1] + (np.shape(u)[-1] - k,))], -1)
        dv = np.concatenate([dv, np.zeros(np.shape(vh)[:-2] + (np.shape(vh)[-1],
                                                                 np.shape(vh)[-2] - k))], -1)
    return [du, ds, _mT(dv)]


def _tall(q, r):
    if np.shape(q)[-2] < np.shape(r)[-1]:
        from ..errors import SrcGradError
        raise SrcGradError("srcgrad differentiates np.linalg.qr(a) of a matrix with at least "
                           "as many rows as columns\nDifferentiate the QR factors of a.T "
                           "instead, or use np.linalg.lstsq/solve.")


def qr_adjoint(gq, gr, q, r):
    """Adjoint of a in q, r = np.linalg.qr(a) (reduced, a tall): with M = R gR^T - gQ^T Q,
    d[a] = (gQ + Q copyltu(M)) R^-T, copyltu(M) the lower triangle mirrored."""
    _tall(q, r)
    gr = np.triu(gr)
    gq = np.zeros_like(q) if gq is None else gq
    m = r @ _mT(gr) - _mT(gq) @ q
    mirrored = np.tril(m) + _mT(np.tril(m, -1))
    return _mT(np.linalg.solve(r, _mT(gq + q @ mirrored)))


def qr_jvp(t_a, q, r):
    """Tangents [q, r] of np.linalg.qr(a) along t_a: C = Q^T dA R^-1, Omega its strictly
    lower part made antisymmetric; dQ = Q Omega + (I - Q Q^T) dA R^-1, dR = (C - Omega) R."""
    _tall(q, r)
    right = _mT(np.linalg.solve(_mT(r), _mT(t_a)))  # dA R^-1
    c = _mT(q) @ right
    omega = np.tril(c, -1) - _mT(np.tril(c, -1))
    return [q @ omega + right - q @ (_mT(q) @ right), (c - omega) @ r]


def _pinv_pushed(t_a, a, p):
    """The tangent of pinv(a) = p along t_a (where the rank is constant)."""
    t_at = _mT(t_a)
    return (-p @ t_a @ p + p @ _mT(p) @ t_at @ (np.eye(np.shape(a)[-2]) - a @ p)
            + (np.eye(np.shape(a)[-1]) - p @ a) @ t_at @ _mT(p) @ p)


def _outer(x, y):
    return x[..., :, None] * y[..., None, :] if np.ndim(y) == 1 else x @ _mT(y)


def lstsq_adjoints(g, a, b, z):
    """Adjoints [a, b] of x, residuals, rank, s = np.linalg.lstsq(a, b) (constant rank):
    x = pinv(a) b; residuals, the squared norms of a x - b (x is optimal, so only their
    explicit dependence counts); s, the singular values of a."""
    gx, gres, _, gs = g
    x, res = z[0], z[1]
    p = np.linalg.pinv(a)
    gp = _outer(gx, b)  # d[pinv(a)]
    pt, gpt = _mT(p), _mT(gp)
    d_a = (-pt @ gp @ pt + (np.eye(np.shape(a)[-2]) - a @ p) @ gpt @ p @ pt
           + pt @ p @ gpt @ (np.eye(np.shape(a)[-1]) - p @ a))
    d_b = pt @ gx
    if np.size(res) > 0 and gres is not None:
        r = (a @ x - b) * (2 * np.asarray(gres))
        d_a = d_a + _outer(r, x)
        d_b = d_b - r
    if gs is not None:
        u, _, vh = np.linalg.svd(a, full_matrices=False)
        d_a = d_a + (u * np.asarray(gs)[..., None, :]) @ vh
    return [d_a, d_b]


def lstsq_tangents(t_a, t_b, a, b, z):
    """Tangents [x, residuals, rank, s] of np.linalg.lstsq(a, b) along t_a and t_b."""
    x, res, rank, s = z
    p = np.linalg.pinv(a)
    t_x = _pinv_pushed(t_a, a, p) @ b + p @ t_b
    t_res = np.zeros(np.shape(res))
    if np.size(res):
        t_res = 2 * np.sum((a @ x - b) * (t_a @ x + a @ t_x - t_b), axis=0)
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    t_s = np.diagonal(_mT(u) @ t_a @ _mT(vh), 0, -2, -1)
    return [t_x, t_res, np.zeros(np.shape(rank)), t_s]
