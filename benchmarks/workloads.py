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
import time
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


# --- 7. softplus_logistic: logistic regression as log1p(exp(.)), labels in {-1, 1} ---------


def softplus_logistic_fn(w, X, y):
    return np.mean(np.log1p(np.exp(-y * (X @ w))))


def softplus_logistic_hand(w, X, y):
    # d/dw = -X.T (y sigmoid(-y z)) / n, and -sigmoid(-m) = (tanh(m / 2) - 1) / 2
    p = X @ w
    p *= y
    p *= 0.5
    np.tanh(p, out=p)
    p -= 1.0
    p *= y
    p *= 0.5 / p.size
    return p @ X


def softplus_logistic_data(rng):
    X = rng.standard_normal((1000, 20))
    y = np.where(X @ rng.standard_normal(20) + 0.5 * rng.standard_normal(1000) > 0, 1.0, -1.0)
    return dict(w=0.1 * rng.standard_normal(20), X=X, y=y)


def softplus_logistic_torch(torch):
    def fn(w, X, y):
        return torch.mean(torch.log1p(torch.exp(-y * (X @ w))))
    return fn


# --- 8. elementwise_log1p: x ** 2 twice, and a term the gradient alone does not need -------


def elementwise_log1p_fn(x):
    return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))


def elementwise_log1p_hand(x):
    # (cos x - 2 x sin x) e^(-x^2) + 2 x / (1 + x^2), with three arrays of x's size
    sq = np.multiply(x, x)
    e = np.negative(sq)
    np.exp(e, out=e)
    s = np.sin(x)
    s *= x
    s *= -2.0
    out = np.cos(x)
    out += s
    out *= e
    sq += 1.0
    np.divide(x, sq, out=sq)
    sq *= 2.0
    out += sq
    return out


def elementwise_log1p_torch(torch):
    def fn(x):
        return torch.sum(torch.sin(x) * torch.exp(-x ** 2) + torch.log1p(x ** 2))
    return fn


# --- 9. huber: a robust regression loss written with np.where on a comparison --------------


def huber_fn(w, X, y):
    r = X @ w - y
    a = np.abs(r)
    return np.mean(np.where(a < 1.0, 0.5 * r ** 2, a - 0.5))


def huber_hand(w, X, y):
    r = X @ w
    r -= y
    np.clip(r, -1.0, 1.0, out=r)  # where(|r| < 1, r, sign(r))
    r *= 1.0 / r.size
    return r @ X


def huber_data(rng):
    X = rng.standard_normal((1000, 20))
    return dict(w=0.1 * rng.standard_normal(20), X=X,
                y=X @ rng.standard_normal(20) + rng.standard_t(2, 1000))


def huber_torch(torch):
    def fn(w, X, y):
        r = X @ w - y
        a = torch.abs(r)
        return torch.mean(torch.where(a < 1.0, 0.5 * r ** 2, a - 0.5))
    return fn


# --- 10. xent: softmax cross-entropy without the max shift, a linear model ----------------


def xent_fn(W, b, X, Y):
    logits = X @ W + b
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def xent_hand(W, b, X, Y):
    p = X @ W
    p += b
    p -= p.max(axis=1, keepdims=True)
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)
    p *= Y.sum(axis=1, keepdims=True)
    p -= Y
    p *= 1.0 / X.shape[0]
    return X.T @ p, p.sum(axis=0)


def xent_data(rng):
    labels = rng.integers(0, 10, 256)
    return dict(W=0.1 * rng.standard_normal((64, 10)), b=np.zeros(10),
                X=rng.standard_normal((256, 64)), Y=np.eye(10)[labels])


def xent_torch(torch):
    def fn(W, b, X, Y):
        logits = X @ W + b
        log_probs = logits - torch.log(torch.sum(torch.exp(logits), dim=1, keepdim=True))
        return -torch.mean(torch.sum(Y * log_probs, dim=1))
    return fn


# --- 11. poisson: a count model, Poisson regression's negative log-likelihood -------------


def poisson_fn(w, X, counts):
    eta = X @ w
    return np.mean(np.exp(eta) - counts * eta)


def poisson_hand(w, X, counts):
    r = X @ w
    np.exp(r, out=r)
    r -= counts
    r *= 1.0 / r.size
    return r @ X


def poisson_data(rng):
    X = 0.3 * rng.standard_normal((1000, 20))
    return dict(w=0.1 * rng.standard_normal(20), X=X,
                counts=rng.poisson(np.exp(X @ rng.standard_normal(20))).astype(float))


def poisson_torch(torch):
    def fn(w, X, counts):
        eta = X @ w
        return torch.mean(torch.exp(eta) - counts * eta)
    return fn


# --- 12. cosine: a similarity loss, 1 - cosine of paired rows -----------------------------


def cosine_fn(A, B):
    na = np.sqrt(np.sum(A * A, axis=1))
    nb = np.sqrt(np.sum(B * B, axis=1))
    cos = np.sum(A * B, axis=1) / (na * nb)
    return np.mean(1.0 - cos)


def cosine_hand(A, B):
    # d cos / dA = B / (|a| |b|) - cos A / |a|^2, for each row; the loss is -mean(cos)
    na = np.sqrt(np.einsum("ij,ij->i", A, A))
    nb = np.sqrt(np.einsum("ij,ij->i", B, B))
    inv = 1.0 / (na * nb)
    cos = np.einsum("ij,ij->i", A, B) * inv
    scale = -1.0 / A.shape[0]
    out = B * (inv * scale)[:, None]
    out -= A * (cos / (na * na) * scale)[:, None]
    return out


def cosine_data(rng):
    return dict(A=rng.standard_normal((512, 64)), B=rng.standard_normal((512, 64)))


def cosine_torch(torch):
    def fn(A, B):
        na = torch.sqrt(torch.sum(A * A, dim=1))
        nb = torch.sqrt(torch.sum(B * B, dim=1))
        cos = torch.sum(A * B, dim=1) / (na * nb)
        return torch.mean(1.0 - cos)
    return fn


# --- 13. gan: generator and discriminator, 3 layers each, params as lists of (W, b) -------


def batch_norm(x):
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5)


def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def generate(gen_params, z):
    W1, b1 = gen_params[0]
    W2, b2 = gen_params[1]
    W3, b3 = gen_params[2]
    h = np.maximum(0.0, batch_norm(z @ W1 + b1))
    h = np.maximum(0.0, batch_norm(h @ W2 + b2))
    return np.tanh(h @ W3 + b3)


def discriminate(disc_params, x):
    W1, b1 = disc_params[0]
    W2, b2 = disc_params[1]
    W3, b3 = disc_params[2]
    h = np.tanh(x @ W1 + b1)
    h = np.tanh(h @ W2 + b2)
    return h @ W3 + b3


def gan_fn(gen_params, disc_params, z, real):
    fake = generate(gen_params, z)
    d_real = discriminate(disc_params, real)
    d_fake = discriminate(disc_params, fake)
    return -np.mean(log_sigmoid(d_real)) - np.mean(log_sigmoid(-d_fake))


def gan_hand(gen_params, disc_params, z, real):
    # the generator, keeping each batch norm's input, output and scale
    h, kept = z, []
    for W, b in gen_params[:-1]:
        a = h @ W
        a += b
        a -= a.mean(axis=0, keepdims=True)
        s = np.sqrt((a * a).mean(axis=0, keepdims=True) + 1e-5)
        a /= s
        kept.append((h, a, s))
        h = np.maximum(a, 0.0)
    W, b = gen_params[-1]
    fake = h @ W
    fake += b
    np.tanh(fake, out=fake)
    # the discriminator on real and fake rows at once (no batch statistics in it)
    n = real.shape[0]
    x = np.concatenate([real, fake])
    outs = [x]
    for W, b in disc_params[:-1]:
        x = x @ W
        x += b
        np.tanh(x, out=x)
        outs.append(x)
    W, b = disc_params[-1]
    logits = x @ W
    logits += b
    # d/d real logit: -sigmoid(-l) / n = (tanh(l / 2) - 1) / 2n; fake: (tanh(l / 2) + 1) / 2n
    g = np.tanh(0.5 * logits)
    g[:n] -= 1.0
    g[n:] += 1.0
    g *= 0.5 / n
    disc = [(outs[-1].T @ g, g.sum(axis=0))]
    dx = g @ W.T
    for (W, b), x_in, x_out in zip(disc_params[-2::-1], outs[-2::-1], outs[:0:-1]):
        dx *= 1.0 - x_out * x_out
        disc.append((x_in.T @ dx, dx.sum(axis=0)))
        dx = dx @ W.T
    disc.reverse()
    # back through the generator, from the fake rows' adjoint
    da = dx[n:]
    da *= 1.0 - fake * fake
    W, b = gen_params[-1]
    gen = [(h.T @ da, da.sum(axis=0))]
    dh = da @ W.T
    for k in range(len(gen_params) - 2, -1, -1):
        h_in, y, s = kept[k]
        dh *= y > 0.0
        dh -= dh.mean(axis=0, keepdims=True) + y * (dh * y).mean(axis=0, keepdims=True)
        dh /= s
        gen.append((h_in.T @ dh, dh.sum(axis=0)))
        if k:
            dh = dh @ gen_params[k][0].T
    gen.reverse()
    return gen, disc


def gan_data(rng):
    def layers(sizes):
        return [(rng.standard_normal((m, n)) / np.sqrt(m), 0.1 * rng.standard_normal(n))
                for m, n in zip(sizes[:-1], sizes[1:])]
    return dict(gen_params=layers([16, 128, 128, 64]), disc_params=layers([64, 128, 128, 1]),
                z=rng.standard_normal((100, 16)), real=rng.standard_normal((100, 64)))


def gan_torch(torch):
    def batch_norm(x):
        mu = torch.mean(x, dim=0, keepdim=True)
        var = torch.var(x, dim=0, keepdim=True, unbiased=False)
        return (x - mu) / torch.sqrt(var + 1e-5)

    def log_sigmoid(x):
        return torch.nn.functional.logsigmoid(x)

    def generate(gen_params, z):
        (W1, b1), (W2, b2), (W3, b3) = gen_params
        h = torch.relu(batch_norm(z @ W1 + b1))
        h = torch.relu(batch_norm(h @ W2 + b2))
        return torch.tanh(h @ W3 + b3)

    def discriminate(disc_params, x):
        (W1, b1), (W2, b2), (W3, b3) = disc_params
        h = torch.tanh(x @ W1 + b1)
        h = torch.tanh(h @ W2 + b2)
        return h @ W3 + b3

    def fn(gen_params, disc_params, z, real):
        fake = generate(gen_params, z)
        return (-torch.mean(log_sigmoid(discriminate(disc_params, real)))
                - torch.mean(log_sigmoid(-discriminate(disc_params, fake))))
    return fn


# --- 14. bnn: a Bayesian neural net's negative ELBO, weights unpacked from one vector -----


def unpack_bnn(w):
    W1 = w[:128].reshape((4, 32))
    b1 = w[128:160]
    W2 = w[160:192].reshape((32, 1))
    b2 = w[192:193]
    return W1, b1, W2, b2


def bnn_fn(mean, log_std, noise, X, y):
    w = mean + np.exp(log_std) * noise  # one sample of the weights (reparameterized)
    W1, b1, W2, b2 = unpack_bnn(w)
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    log_lik = -50.0 * np.sum((pred[:, 0] - y) ** 2)  # noise variance 0.01
    log_prior = -0.5 * np.sum(w * w)
    entropy = np.sum(log_std)
    return -(log_lik + log_prior + entropy)


def bnn_hand(mean, log_std, noise, X, y):
    s = np.exp(log_std)
    w = s * noise
    w += mean
    W1, b1, W2, b2 = unpack_bnn(w)
    h = X @ W1
    h += b1
    np.tanh(h, out=h)
    r = h @ W2[:, 0]
    r += b2[0] - y
    r *= 100.0  # d(-log_lik)/d pred
    dh = np.outer(r, W2[:, 0])
    dh *= 1.0 - h * h
    g = w.copy()  # d(-log_prior)/dw
    g[:128] += (X.T @ dh).ravel()
    g[128:160] += dh.sum(axis=0)
    g[160:192] += r @ h
    g[192] += r.sum()
    dlog_std = g * noise
    dlog_std *= s
    dlog_std -= 1.0
    return g, dlog_std


def bnn_data(rng):
    X = rng.standard_normal((100, 4))
    return dict(mean=0.1 * rng.standard_normal(193), log_std=np.full(193, -3.0),
                noise=rng.standard_normal(193), X=X, y=np.sin(X @ np.ones(4)))


def bnn_torch(torch):
    def fn(mean, log_std, noise, X, y):
        w = mean + torch.exp(log_std) * noise
        W1, b1 = w[:128].reshape((4, 32)), w[128:160]
        W2, b2 = w[160:192].reshape((32, 1)), w[192:193]
        pred = torch.tanh(X @ W1 + b1) @ W2 + b2
        log_lik = -50.0 * torch.sum((pred[:, 0] - y) ** 2)
        return -(log_lik - 0.5 * torch.sum(w * w) + torch.sum(log_std))
    return fn


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
    helpers: tuple = ()  # the functions `fn` calls: rebound with it for the peers


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
    Workload("softplus_logistic", "logistic regression as mean(log1p(exp(-y * (X @ w)))), "
             "X 1000x20", softplus_logistic_fn, ("w",), softplus_logistic_data,
             softplus_logistic_hand, torch=softplus_logistic_torch),
    Workload("elementwise_log1p", "sum(sin(x) exp(-x ** 2) + log1p(x ** 2)) over 1e6 floats",
             elementwise_log1p_fn, ("x",), elementwise_data, elementwise_log1p_hand,
             torch=elementwise_log1p_torch, memory=True),
    Workload("huber", "Huber loss of a linear model with np.where, X 1000x20", huber_fn,
             ("w",), huber_data, huber_hand, torch=huber_torch),
    Workload("xent", "softmax cross-entropy without the max shift, linear 64-10, batch 256",
             xent_fn, ("W", "b"), xent_data, xent_hand, torch=xent_torch),
    Workload("poisson", "Poisson regression (a count model), X 1000x20", poisson_fn, ("w",),
             poisson_data, poisson_hand, torch=poisson_torch),
    Workload("cosine", "1 - cosine similarity of paired rows, 512x64, wrt A", cosine_fn,
             ("A",), cosine_data, cosine_hand, torch=cosine_torch),
    Workload("gan", "GAN: 3-layer generator and discriminator, params lists of (W, b), batch "
             "norm, batch 100", gan_fn, ("gen_params", "disc_params"), gan_data, gan_hand,
             torch=gan_torch, helpers=(batch_norm, log_sigmoid, generate, discriminate)),
    Workload("bnn", "Bayesian neural net 4-32-1, negative ELBO, weights unpacked from one "
             "vector", bnn_fn, ("mean", "log_std"), bnn_data, bnn_hand, torch=bnn_torch,
             helpers=(unpack_bnn,)),
]

EXTRA = {  # transformed and timed for the transformation and overhead tables only
    "thirty_lines": Workload("thirty_lines", "30-line function with a loop and two branches",
                             thirty_lines_fn, ("W1", "b1", "W2", "b2"), thirty_lines_data),
    "trivial": Workload("trivial", "x * x of a float", trivial_fn, ("x",),
                        lambda rng: dict(x=1.5)),
}


def rebind(fn, np_module, math_module, helpers=()):
    """`fn` re-executed from its source with `np` and `math` bound to other modules (and
    the `helpers` it calls with it)."""
    namespace = {"np": np_module, "math": math_module}
    for f in (*helpers, fn):
        exec(compile(textwrap.dedent(inspect.getsource(f)), f"<{f.__name__} rebound>", "exec"),
             namespace)
    return namespace[fn.__name__]


def math_like(np_module):
    """The `math` functions the workloads use, taken from an array module."""
    return types.SimpleNamespace(exp=np_module.exp, sin=np_module.sin, cos=np_module.cos,
                                 tanh=np_module.tanh, log=np_module.log, sqrt=np_module.sqrt)


def best_of(fn, repeats: int, warm: bool = False) -> float:
    """Seconds of the fastest of `repeats` calls of `fn` (after one call first if `warm`)."""
    if warm:
        fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
