"""A user module whose helpers are imported by tests/test_calls.py."""

import numpy as np


def softplus(z, beta=1.0):
    return np.log(1.0 + np.exp(beta * z)) / beta


def two_layers(W1, W2, x):
    h = np.tanh(x @ W1)
    return h @ W2
