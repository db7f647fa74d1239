"""A small user file for `srcgrad explain` and srcgrad.explain's tests: each function makes
its gradient zero or not finite at a line the report must name."""

import numpy as np


def relu_layer(W, x, unused):
    z = W @ x
    h = np.maximum(z, 0.0)
    scale = unused * 0.0 + 2.0
    return np.sum(h) * 2.0


def log_at_zero(x):
    y = np.log(x)
    return np.sum(y) * 2.0


def sqrt_at_zero(x, c):
    r = np.sqrt(x * x + c)
    return np.sum(r)


def clipped(x, limit=1.0):
    total = 0.0
    for k in range(3):
        total = total + np.sum(np.clip(x * k, -limit, limit))
    return total


def smooth(w, b=0.5):
    return np.sum(np.tanh(w) * b)


def corner(A, x):
    return A[0, 0] * np.sum(x)
