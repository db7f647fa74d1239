"""Helpers the tangent (forward-mode) rules call."""

from __future__ import annotations

import numpy as np

from .adjoints import norm_adjoint, repeat_to


def mean_over_ties(t, x, z, axis, keepdims):
    """Tangent of z = max(x, axis) (or min): the mean of t over the elements equal to z."""
    hit = x == repeat_to(z, x, axis, keepdims)
    return np.sum(t * hit / np.sum(hit, axis=axis, keepdims=True), axis=axis, keepdims=keepdims)


def cumprod_jvp(t, x, z, axis):
    """Tangent of z = np.cumprod(x, axis); exact where x has zeros."""
    if axis is None:
        return cumprod_jvp(np.ravel(t), np.ravel(x), np.ravel(z), 0)
    if np.all(x != 0):
        return z * np.cumsum(t / x, axis)
    # With zeros: d z_i = sum over j <= i of t_j times the running product up to i without x_j.
    t, x = np.moveaxis(t, axis, -1), np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    out = np.zeros(np.broadcast_shapes(np.shape(t), np.shape(x)), dtype=np.result_type(t, x, 1.0))
    for j in range(x.shape[-1]):
        left_out = x.copy()
        left_out[..., j] = 1.0
        out[..., j:] += t[..., j:j + 1] * np.cumprod(left_out, axis=-1)[..., j:]
    return np.moveaxis(out, -1, axis)


def within_bounds(x, low, high):
    """True where low <= x <= high (bounds included; a bound of None always passes)."""
    inside = True if low is None else low <= x
    return inside & (True if high is None else x <= high)


def norm_jvp(t, x, z, ord, axis, keepdims):
    """Tangent of z = np.linalg.norm(x, ord, axis), vector p-norms: as norm_adjoint weighs."""
    weight = norm_adjoint(np.ones_like(z), x, z, ord, axis, keepdims)
    return np.sum(np.real(t * weight), axis=axis, keepdims=keepdims)  # (weight: conj(x)...)


def solve_product(a, m, z, b):
    """solve(a, m @ z), z vectors if b is one: -solve_product(a, t_a, z, b) is z's tangent."""
    if np.ndim(b) == 1:
        return np.linalg.solve(a, np.matmul(m, z[..., None]))[..., 0]
    return np.linalg.solve(a, m @ z)
