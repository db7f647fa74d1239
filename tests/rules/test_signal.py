"""scipy.signal's 2-d convolutions: boundaries other than zeros are refused by name."""

import numpy as np
import pytest

import srcgrad

scipy_signal = pytest.importorskip("scipy.signal")


def wrapped(x, k):
    return np.sum(scipy_signal.convolve2d(x, k, "same", boundary="wrap") ** 2)


def test_convolve2d_refuses_the_wrap_boundary():
    x, k = np.ones((3, 3)), np.ones((2, 2))
    with pytest.raises(srcgrad.SrcGradError, match="boundary='fill'"):
        srcgrad.grad(wrapped)(x, k)
