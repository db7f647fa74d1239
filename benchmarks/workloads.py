"""The benchmark workloads: each a NumPy function, its hand-written gradient, and the same
computation written for the peers (HIPS autograd, PyTorch, JAX).

The NumPy function is what srcgrad differentiates. HIPS autograd and eager JAX run the
very same source, re-executed with `np` bound to `autograd.numpy` or `jax.numpy` (and
`math` to a small table of their functions); PyTorch gets an op-for-op translation, so
every system differentiates the same program. Everything is float64.

The hand-written gradients are the reference for correctness and the limit for speed:
each computes only the gradient (not the loss), reuses what it can, works in place where
that saves an allocation, and batches per-step matrix products where the math allows.
Some workloads also have a `plain` hand-written gradient: the same math as ordinary
expressions, one array per operation, the way it is usually first written.
"""

from __future__ import annotations

import inspect
import math
import textwrap
import types
from dataclasses import dataclass, field

import numpy as np


# --- 1. scalar: ~30 float operations and a branch on a computed value ---------------------


def scalar_fn(x, y, z):
    a = x * y + z
    b = math.exp(-0.5 * a * a)
    c = np.sin(x) * np.cos(y)
    d = np.tanh(a + c)
    e = (x - y) / (1.0 + z * z)
    if d > 0.0:
        f = d * d + b * e
    else:
        f = b - d * e
    g = math.exp(0.1 * x) * np.sin(z + f)
    h = np.log(1.0 + g * g)
    return h + f * c - 0.3 * e * e + np.sqrt(1.0 + b)


def scalar_hand(x, y, z):
    # forward, keeping what the adjoints need (same functions as scalar_fn)
    a = x * y + z
    b = math.exp(-0.5 * a * a)
    sx, cy = np.sin(x), np.cos(y)
    c = sx * cy
    d = np.tanh(a + c)
    den = 1.0 + z * z
    e = (x - y) / den
    if d > 0.0:
        f = d * d + b * e
        df_dd, df_db, df_de = 2.0 * d, e, b
    else:
        f = b - d * e
        df_dd, df_db, df_de = -e, 1.0, -d
    ex = math.exp(0.1 * x)
    zf = z + f
    s = np.sin(zf)
    g = ex * s
    # backward
    gg = 2.0 * g / (1.0 + g * g)
    gzf = gg * ex * np.cos(zf)
    gx = gg * s * 0.1 * ex
    gz = gzf
    gf = c + gzf
    gc = f
    ge = -0.6 * e + gf * df_de
    gb = 0.5 / np.sqrt(1.0 + b) + gf * df_db
    gd = gf * df_dd
    ge_den = ge / den
    gx += ge_den
    gy = -ge_den
    gz -= 2.0 * z * e * ge_den
    gu = gd * (1.0 - d * d)
    gc += gu
    ga = gu - gb * b * a
    gx += gc * cy * np.cos(x) + ga * y
    gy += ga * x - gc * sx * np.sin(y)
    gz += ga
    return gx, gy, gz


def scalar_data(rng):
    return dict(x=0.7, y=-0.4, z=0.3)


def scalar_torch(torch):
    def fn(x, y, z):
        a = x * y + z
        b = torch.exp(-0.5 * a * a)
        c = torch.sin(x) * torch.cos(y)
        d = torch.tanh(a + c)
        e = (x - y) / (1.0 + z * z)
        if d > 0.0:
            f = d * d + b * e
        else:
            f = b - d * e
        g = torch.exp(0.1 * x) * torch.sin(z + f)
        h = torch.log(1.0 + g * g)
        return h + f * c - 0.3 * e * e + torch.sqrt(1.0 + b)
    return fn


def scalar_jax_jit(jnp):
    """For jax.jit: the branch on a traced value becomes jnp.where (both sides computed)."""
    def fn(x, y, z):
        a = x * y + z
        b = jnp.exp(-0.5 * a * a)
        c = jnp.sin(x) * jnp.cos(y)
        d = jnp.tanh(a + c)
        e = (x - y) / (1.0 + z * z)
        f = jnp.where(d > 0.0, d * d + b * e, b - d * e)
        g = jnp.exp(0.1 * x) * jnp.sin(z + f)
        h = jnp.log(1.0 + g * g)
        return h + f * c - 0.3 * e * e + jnp.sqrt(1.0 + b)
    return fn


# --- 2. linreg: the tutorial's mean squared error of a line, 100 points --------------------


def linreg_fn(w, b, x, y):
    yhat = w * x + b
    error = yhat - y
    return np.mean(error ** 2)


def linreg_hand(w, b, x, y):
    r = w * x
    r += b
    r -= y
    scale = 2.0 / r.size
    return float(np.dot(r, x)) * scale, float(r.sum()) * scale


def linreg_data(rng):
    x = rng.random(100)
    return dict(w=0.5, b=-0.2, x=x, y=1.0 + 2.0 * x + 0.1 * rng.standard_normal(100))


def linreg_torch(torch):
    def fn(w, b, x, y):
        yhat = w * x + b
        error = yhat - y
        return torch.mean(error ** 2)
    return fn


# --- 3. logistic: logistic regression, X 1000x20, mean log-loss written stably ------------


def logistic_fn(W, b, X, y):
    z = X @ W + b
    return np.mean(np.logaddexp(0.0, z) - y * z)  # log(1 + e^z) - y z


def logistic_hand(W, b, X, y):
    p = X @ W
    p += b
    p *= 0.5
    np.tanh(p, out=p)  # sigmoid(z) = (1 + tanh(z / 2)) / 2, stable
    p += 1.0
    p *= 0.5
    p -= y
    p *= 1.0 / p.size
    return p @ X, float(p.sum())


def logistic_plain(W, b, X, y):
    z = X @ W + b
    r = (np.exp(z - np.logaddexp(0.0, z)) - y) / z.size
    return X.T @ r, np.sum(r)


def logistic_data(rng):
    X = rng.standard_normal((1000, 20))
    w_true = rng.standard_normal(20)
    y = (X @ w_true + 0.5 * rng.standard_normal(1000) > 0).astype(float)
    return dict(W=0.1 * rng.standard_normal(20), b=0.1, X=X, y=y)


def logistic_torch(torch):
    def fn(W, b, X, y):
        z = X @ W + b
        return torch.mean(torch.logaddexp(torch.zeros((), dtype=z.dtype), z) - y * z)
    return fn


# --- 4. mlp: 2-layer tanh MLP, batch 256, 64-128-10, softmax cross-entropy ----------------


def mlp_fn(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def mlp_hand(W1, b1, W2, b2, X, Y):
    n = X.shape[0]
    h = X @ W1
    h += b1
    np.tanh(h, out=h)
    p = h @ W2
    p += b2
    p -= p.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)  # softmax
    # d loss / d logits = (p * sum_k Y - Y) / n; no assumption that Y rows are one-hot
    p *= Y.sum(axis=1, keepdims=True)
    p -= Y
    p *= 1.0 / n
    dW2 = h.T @ p
    db2 = p.sum(axis=0)
    dh = p @ W2.T
    h *= h
    np.subtract(1.0, h, out=h)
    dh *= h  # d loss / d (X @ W1 + b1)
    return X.T @ dh, dh.sum(axis=0), dW2, db2


def mlp_plain(W1, b1, W2, b2, X, Y):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    dlogits = (p * np.sum(Y, axis=1, keepdims=True) - Y) / n
    da = (dlogits @ W2.T) * (1.0 - h * h)
    return X.T @ da, np.sum(da, axis=0), h.T @ dlogits, np.sum(dlogits, axis=0)


def mlp_data(rng):
    n, d_in, d_h, d_out = 256, 64, 128, 10
    labels = rng.integers(0, d_out, n)
    return dict(W1=rng.standard_normal((d_in, d_h)) / np.sqrt(d_in), b1=np.zeros(d_h),
                W2=rng.standard_normal((d_h, d_out)) / np.sqrt(d_h), b2=np.zeros(d_out),
                X=rng.standard_normal((n, d_in)), Y=np.eye(d_out)[labels])


def mlp_torch(torch):
    def fn(W1, b1, W2, b2, X, Y):
        h = torch.tanh(X @ W1 + b1)
        logits = h @ W2 + b2
        shifted = logits - torch.amax(logits, dim=1, keepdim=True)
        log_probs = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))
        return -torch.mean(torch.sum(Y * log_probs, dim=1))
    return fn


# --- 5. rnn: tanh RNN, a Python loop over 50 steps, hidden 32, batch 16, input 8 ----------


def rnn_fn(Wx, Wh, b, xs):
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ Wx + h @ Wh + b)
    return np.mean(h * h)


def rnn_hand(Wx, Wh, b, xs):
    steps, batch, n_in = xs.shape
    n_h = Wh.shape[0]
    flat_x = xs.reshape(steps * batch, n_in)
    # forward: the input projections of all steps in one product
    hs = np.empty((steps + 1, batch, n_h))
    hs[0] = 0.0
    hs[1:] = (flat_x @ Wx).reshape(steps, batch, n_h)
    hs[1:] += b
    for t in range(steps):
        hs[t + 1] += hs[t] @ Wh
        np.tanh(hs[t + 1], out=hs[t + 1])
    # backward through time, keeping each step's pre-activation adjoint
    da = np.empty((steps, batch, n_h))
    dh = hs[steps] * (2.0 / (batch * n_h))
    for t in range(steps - 1, -1, -1):
        np.multiply(hs[t + 1], hs[t + 1], out=da[t])
        np.subtract(1.0, da[t], out=da[t])
        da[t] *= dh
        if t:
            dh = da[t] @ Wh.T
    flat_da = da.reshape(steps * batch, n_h)
    return (flat_x.T @ flat_da, hs[:-1].reshape(steps * batch, n_h).T @ flat_da,
            flat_da.sum(axis=0))


def rnn_plain(Wx, Wh, b, xs):
    hs = [np.zeros((xs.shape[1], Wh.shape[0]))]
    for t in range(xs.shape[0]):
        hs.append(np.tanh(xs[t] @ Wx + hs[-1] @ Wh + b))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh = 2.0 * hs[-1] / hs[-1].size
    for t in reversed(range(xs.shape[0])):
        da = dh * (1.0 - hs[t + 1] ** 2)
        dWx += xs[t].T @ da
        dWh += hs[t].T @ da
        db += np.sum(da, axis=0)
        dh = da @ Wh.T
    return dWx, dWh, db


def rnn_data(rng):
    steps, batch, n_in, n_h = 50, 16, 8, 32
    return dict(Wx=rng.standard_normal((n_in, n_h)) / np.sqrt(n_in),
                Wh=rng.standard_normal((n_h, n_h)) / np.sqrt(n_h) * 0.9,
                b=0.1 * rng.standard_normal(n_h),
                xs=rng.standard_normal((steps, batch, n_in)))


def rnn_torch(torch):
    def fn(Wx, Wh, b, xs):
        h = torch.zeros((xs.shape[1], Wh.shape[0]), dtype=xs.dtype)
        for t in range(xs.shape[0]):
            h = torch.tanh(xs[t] @ Wx + h @ Wh + b)
        return torch.mean(h * h)
    return fn


# --- 6. elementwise: one expression over 1e6 floats --------------------------------------


def elementwise_fn(x):
    return np.sum(np.sin(x) * np.exp(-x * x) + x * x)


def elementwise_hand(x):
    # d/dx = (cos x - 2 x sin x) e^(-x^2) + 2 x, with three arrays of x's size
    e = np.multiply(x, x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    s = np.sin(x)
    s *= x
    s *= -2.0
    out = np.cos(x)
    out += s
    out *= e
    np.add(x, x, out=s)
    out += s
    return out


def elementwise_plain(x):
    e = np.exp(-x * x)
    return (np.cos(x) - 2.0 * x * np.sin(x)) * e + 2.0 * x


def elementwise_data(rng):
    return dict(x=rng.standard_normal(1_000_000))


def elementwise_torch(torch):
    def fn(x):
        return torch.sum(torch.sin(x) * torch.exp(-x * x) + x * x)
    return fn


# --- the transformation-time function: 30 lines with a loop and a branch -------------------


def thirty_lines_fn(W1, b1, W2, b2, X, Y, decay):
    h = np.tanh(X @ W1 + b1)
    total = 0.0
    for k in range(3):
        z = h @ W2 + b2
        if k % 2 == 0:
            z = z * decay
        else:
            z = z - np.mean(z, axis=0)
        r = np.tanh(z)
        r = np.clip(r, -0.95, 0.95)
        h = h + 0.5 * r
        total = total + 0.01 * np.sum(r * r)
    s = h @ W2.T
    m = np.max(s, axis=1, keepdims=True)
    e = np.exp(s - m)
    p = e / np.sum(e, axis=1, keepdims=True)
    err = p - Y
    sq = np.sum(err * err, axis=1)
    scale = np.sqrt(np.mean(sq) + 1e-6)
    reg = np.sum(W1 * W1) + np.sum(W2 * W2)
    if scale > 0.5:
        loss = scale + 1e-3 * reg
    else:
        loss = scale * scale + 1e-3 * reg
    spread = np.std(h, axis=0)
    loss = loss + 0.1 * np.mean(spread)
    loss = loss + total
    loss = loss + 1e-4 * np.sum(b1 * b1 + b2 * b2)
    return loss


def thirty_lines_data(rng):
    n, d = 32, 16
    return dict(W1=rng.standard_normal((8, d)) / 3, b1=np.zeros(d),
                W2=rng.standard_normal((d, d)) / 4, b2=np.zeros(d),
                X=rng.standard_normal((n, 8)), Y=np.eye(d)[rng.integers(0, d, n)],
                decay=0.9)


def trivial_fn(x):
    return x * x


# --- the table of workloads ----------------------------------------------------------------


@dataclass
class Workload:
    name: str
    title: str
    fn: object  # the NumPy function srcgrad differentiates
    wrt: tuple
    data: object  # rng -> {argument: value}, in the order of fn's parameters
    hand: object = None  # hand-written gradient: same arguments -> gradients in wrt order
    plain: object = None  # the same, written as plain expressions (a reference row)
    torch: object = None  # torch module -> function of tensors
    jax_jit: object = None  # jax.numpy -> function for jax.jit where the NumPy source can't be
    memory: bool = False  # measure peak memory of the gradient call
    extra: dict = field(default_factory=dict)


WORKLOADS = [
    Workload("scalar", "scalar function, ~30 float ops and an `if`, wrt x, y, z",
             scalar_fn, ("x", "y", "z"), scalar_data, scalar_hand, torch=scalar_torch,
             jax_jit=scalar_jax_jit),
    Workload("linreg", "linear-regression MSE, 100 points, wrt w, b (floats)",
             linreg_fn, ("w", "b"), linreg_data, linreg_hand, torch=linreg_torch),
    Workload("logistic", "logistic regression, X 1000x20, mean log-loss, wrt W (20,), b",
             logistic_fn, ("W", "b"), logistic_data, logistic_hand, logistic_plain,
             torch=logistic_torch),
    Workload("mlp", "2-layer tanh MLP 64-128-10, batch 256, softmax cross-entropy",
             mlp_fn, ("W1", "b1", "W2", "b2"), mlp_data, mlp_hand, mlp_plain, torch=mlp_torch),
    Workload("rnn", "tanh RNN, Python loop of 50 steps, hidden 32, batch 16, input 8",
             rnn_fn, ("Wx", "Wh", "b"), rnn_data, rnn_hand, rnn_plain, torch=rnn_torch,
             memory=True),
    Workload("elementwise", "sum(sin(x) exp(-x^2) + x^2) over 1e6 floats, wrt x",
             elementwise_fn, ("x",), elementwise_data, elementwise_hand, elementwise_plain,
             torch=elementwise_torch, memory=True),
]

EXTRA = {  # transformed and timed for the transformation and overhead tables only
    "thirty_lines": Workload("thirty_lines", "30-line function with a loop and two branches",
                             thirty_lines_fn, ("W1", "b1", "W2", "b2"), thirty_lines_data),
    "trivial": Workload("trivial", "x * x of a float", trivial_fn, ("x",),
                        lambda rng: dict(x=1.5)),
}


def rebind(fn, np_module, math_module):
    """`fn` re-executed from its source with `np` and `math` bound to other modules."""
    namespace = {"np": np_module, "math": math_module}
    exec(compile(textwrap.dedent(inspect.getsource(fn)), f"<{fn.__name__} rebound>", "exec"),
         namespace)
    return namespace[fn.__name__]


def math_like(np_module):
    """The `math` functions the workloads use, taken from an array module."""
    return types.SimpleNamespace(exp=np_module.exp, sin=np_module.sin, cos=np_module.cos,
                                 tanh=np_module.tanh, log=np_module.log, sqrt=np_module.sqrt)
