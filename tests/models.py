"""Small models the tests of several modules differentiate."""

import numpy as np


def rnn(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


def weighted_square(x):
    return np.sum(3.0 * x * x)


def penalized_logistic(w, X, y):
    """Logistic loss plus an L2 penalty: with NumPy parameters and duck-array data, the
    penalty's adjoint is a NumPy array and the data term's a duck one."""
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 1e-3 * np.sum(w * w)


def softmax_mlp(params, X, Y):
    """A tanh layer and softmax cross-entropy, params a dict {W1, b1, W2, b2}."""
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    logits = hidden @ params["W2"] + params["b2"]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def huber(w, X, y):
    r = X @ w - y
    a = np.abs(r)
    return np.mean(np.where(a < 1.0, 0.5 * r ** 2, a - 0.5))


def huber_data(rng):
    X = rng.standard_normal((8, 3))
    return rng.standard_normal(3), X, X @ rng.standard_normal(3) + 2.0 * rng.standard_normal(8)
