"""Helpers of the rules for matrix factorizations (rules/decompositions.py)."""

import numpy as np


def lower_half(x):
    """The lower triangle of x with its diagonal halved (Phi in the Cholesky adjoint)."""
    return np.tril(x) - 0.5 * x * np.eye(np.shape(x)[-1])
