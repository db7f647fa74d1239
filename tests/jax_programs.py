"""Functions the JAX backend's tests differentiate (a module of their own: srcgrad reads
their source)."""

import math

import numpy as np
import scipy.linalg
import scipy.special
import scipy.stats
from scipy.special import gammaln


def logistic(W, b, X, y):
    z = X @ W + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def mlp(W1, b1, W2, X):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return -np.mean(shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)))


def rnn(Wx, Wh, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh)
    return np.mean(h * h)


def scalar(x, y):
    a = x * y + 0.5
    if np.tanh(a) > 0.0:  # a branch on a computed value: jax.jit refuses it
        f = a * a + math.exp(-a)
    else:
        f = math.sin(a) - y * a
    return f * x


def branchy_loop(w, X):
    total = 0.0
    for i in range(X.shape[0]):
        s = X[i] @ w
        if s > 0:
            total = total + np.tanh(s)
        else:
            total = total - 0.5 * s * s
    return total


def long_branch(x):
    if np.sum(x) > 1.0:
        a = np.sin(x)
        b = a * x
        c = np.exp(-b)
        d = c * a
        e = d + x
        r = np.sum(e * e)
    else:
        r = np.sum(np.cos(x))
    return r


def until_small(x):
    while np.sum(x * x) > 1e-3:  # data-dependent exit: no XLA loop of srcgrad's
        x = 0.5 * x
    return np.sum(x)


def stepped(x, n):
    for _ in range(n):
        x = np.sin(x) + 0.1 * x
    return np.sum(x)


def on_records(params, x):
    return np.sum(np.tanh(params["w"] * x + params["b"]) ** 2)


def scalar_out(x):
    return x * x


def own_write(x):
    y = np.zeros(4)
    y[1:] = x * 2.0
    y[0] = np.sum(x)
    y[2] += x[0] ** 2
    return np.sum(np.sin(y))


def fancy(x, idx):
    return np.sum(x[idx] ** 2)


def through_a_view(x):
    y = x * 1.0
    v = y[1:]
    v[0] = v[0] * 3.0  # changes y too: NumPy's views, which JAX arrays do not have
    return np.sum(y * y)


def draws(x):
    return np.sum(x * np.random.rand(3))


def smooth(x, y):
    return np.sin(x) * y * y + x ** 3


def counted_while(x, n):
    i = 0
    while i < n:  # the count is a static argument: the trace unrolls it
        if np.sum(x) > 0:
            x = np.sin(x) + 0.5 * x
        else:
            x = x * x
        i = i + 1
    return np.sum(x)


def guarded(x, y):
    if x > 0.0:  # what the branch computes is NaN or infinite where it is not taken
        f = np.log(x) * y + np.sqrt(x) / x
    else:
        f = x * x * y
    return f


def with_scipy(x, m):
    spread = scipy.stats.norm.logpdf(x, 0.5, 2.0) + gammaln(x * x + 1.0)
    return np.sum(spread * scipy.special.expit(x)) + scipy.linalg.norm(m * x[0])


def with_bessel(x):
    return np.sum(scipy.special.yv(1.0, x))  # no JAX form: refused by its name


def scale(v):
    return 2.0 * v


def through_global(x, pairs):
    total = np.sum(scale(x) ** 2)
    for W, b in pairs:
        total = total + np.sum(np.tanh(W @ x + b))
    return total


def smallest_two(x):
    return np.sum(np.partition(x, 2)[:2] ** 2)


def through_a_second_name(x):
    y = x * 1.0
    z = y
    y[0] = 5.0 * y[1]
    return np.sum(z * z)


def piecewise(x):
    return np.sum(np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v * v]))


def with_lists(x, M):
    idx = [0, 2]
    y = x[idx] * M[[1, 0], 1:]
    z = np.sum([x[0] * x[1], np.sin(x[2])]) + np.sum(np.add(x, [1.0, 2.0, 3.0]) ** 2)
    return np.sum(y ** 2) + z + np.sum(np.argsort([3, 1, 2]) * np.negative((x[0], x[1], 0.5)))
