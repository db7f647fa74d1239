"""Other formulations of run.py's losses (issue 21: code written differently must be as
fast), each with a hand-written gradient: srcgrad / hand-written, paired best-of rounds.

    python benchmarks/formulations.py            # a markdown table on stdout
    python benchmarks/formulations.py --json F   # also the numbers

Not part of run.py: a check that the speed of its workloads carries over to other ways
of writing the same losses (np.where robust losses, cross-entropy without a max shift,
count models, similarity losses, params as lists of tuples, dicts or namedtuples)."""

from __future__ import annotations

import collections
import gc
import json
import os
import sys
import time

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.environ.get("SRCGRAD_ROOT", os.path.dirname(HERE))]  # (another checkout: before/after)
import srcgrad  # noqa: E402
sys.path.insert(0, HERE)
import workloads  # noqa: E402  (benchmarks/ is not a package)

Layer = collections.namedtuple("Layer", "W b")


# --- smooth L1 (a robust loss with np.where, abs written twice, a sum) ---------------------


def smooth_l1(w, X, y):
    r = X @ w - y
    return np.sum(np.where(np.abs(r) < 1.0, 0.5 * r * r, np.abs(r) - 0.5))


def smooth_l1_hand(w, X, y):
    r = X @ w
    r -= y
    np.clip(r, -1.0, 1.0, out=r)
    return r @ X


# --- cross-entropy written with a row logsumexp, no keepdims, no max shift -------------------


def xent_rows(W, X, Y):
    z = X @ W
    return -np.mean(np.sum(Y * z, axis=1) - np.log(np.sum(np.exp(z), axis=1)))


def xent_rows_hand(W, X, Y):
    p = X @ W
    np.exp(p, out=p)
    p /= p.sum(axis=1, keepdims=True)
    p *= Y.sum(axis=1, keepdims=True)
    p -= Y
    p *= 1.0 / X.shape[0]
    return X.T @ p


# --- Poisson regression written with a dot product --------------------------------------


def poisson_dot(w, X, counts):
    eta = X @ w
    return np.sum(np.exp(eta)) - counts @ eta


def poisson_dot_hand(w, X, counts):
    r = X @ w
    np.exp(r, out=r)
    r -= counts
    return r @ X


# --- cosine similarity with np.linalg.norm -------------------------------------------------


def cosine_norm(A, B):
    cos = np.sum(A * B, axis=1) / (np.linalg.norm(A, axis=1) * np.linalg.norm(B, axis=1))
    return -np.mean(cos)


cosine_norm_hand = workloads.cosine_hand  # the same gradient, however the loss spells the norms


# --- logistic regression through an explicit sigmoid and binary cross-entropy ------------


def bce_sigmoid(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def bce_sigmoid_hand(w, X, y):
    p = X @ w
    p *= -1.0
    np.exp(p, out=p)
    p += 1.0
    np.divide(1.0, p, out=p)
    p -= y
    p *= 1.0 / p.size
    return p @ X


# --- an MLP on a list of (W, b) tuples, a loop over the list ---------------------------------


def _mlp_forward(layers, X):
    hs = [X]
    for W, b in layers[:-1]:
        hs.append(np.tanh(hs[-1] @ W + b))
    return hs


def _mlp_backward(layers, hs, d):
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        W = layers[k][0]
        grads.append((hs[k].T @ d, d.sum(axis=0)))
        if k:
            d = d @ W.T
            d *= 1.0 - hs[k] * hs[k]
    return grads[::-1]


def mlp_tuples(params, X, Y):
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    return np.mean((h @ W + b - Y) ** 2)


def mlp_tuples_hand(params, X, Y):
    hs = _mlp_forward(params, X)
    W, b = params[-1]
    d = hs[-1] @ W
    d += b
    d -= Y
    d *= 2.0 / d.size
    return [tuple(g) for g in _mlp_backward(params, hs, d)]


# --- the same MLP on a dict of arrays ------------------------------------------------------


def mlp_dict(params, X, Y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    h = np.tanh(h @ params["W2"] + params["b2"])
    return np.mean((h @ params["W3"] + params["b3"] - Y) ** 2)


def mlp_dict_hand(params, X, Y):
    layers = [(params[f"W{k}"], params[f"b{k}"]) for k in (1, 2, 3)]
    hs = _mlp_forward(layers, X)
    d = hs[-1] @ params["W3"]
    d += params["b3"]
    d -= Y
    d *= 2.0 / d.size
    grads = _mlp_backward(layers, hs, d)
    return {f"{n}{k + 1}": g[i] for k, g in enumerate(grads) for i, n in enumerate("Wb")}


# --- the same MLP on a list of namedtuples, through a helper -------------------------------


def _dense(layer, h):
    return h @ layer.W + layer.b


def mlp_records(params, X, Y):
    h = np.tanh(_dense(params[0], X))
    h = np.tanh(_dense(params[1], h))
    return np.mean((_dense(params[2], h) - Y) ** 2)


def mlp_records_hand(params, X, Y):
    grads = mlp_tuples_hand([tuple(p) for p in params], X, Y)
    return [Layer(*g) for g in grads]


# --- data, checks, timing ---------------------------------------------------------------


def _layers(rng, sizes):
    return [(rng.standard_normal((m, n)) / np.sqrt(m), 0.1 * rng.standard_normal(n))
            for m, n in zip(sizes[:-1], sizes[1:])]


def cases(rng):
    X = rng.standard_normal((1000, 20))
    w = 0.1 * rng.standard_normal(20)
    y_reg = X @ rng.standard_normal(20) + rng.standard_t(2, 1000)
    y01 = (X @ rng.standard_normal(20) > 0).astype(float)
    Xc = 0.3 * rng.standard_normal((1000, 20))
    counts = rng.poisson(np.exp(Xc @ rng.standard_normal(20))).astype(float)
    Xs, Ys = rng.standard_normal((256, 64)), np.eye(10)[rng.integers(0, 10, 256)]
    A, B = rng.standard_normal((512, 64)), rng.standard_normal((512, 64))
    Xm, Ym = rng.standard_normal((128, 16)), rng.standard_normal((128, 4))
    layers = _layers(rng, [16, 64, 64, 4])
    as_dict = {f"{n}{k + 1}": p[i] for k, p in enumerate(layers) for i, n in enumerate("Wb")}
    return [
        ("smooth_l1 (np.where, sum)", smooth_l1, smooth_l1_hand, (w, X, y_reg), 0),
        ("xent_rows (no max shift, no keepdims)", xent_rows, xent_rows_hand,
         (0.1 * rng.standard_normal((64, 10)), Xs, Ys), 0),
        ("poisson_dot (counts @ eta)", poisson_dot, poisson_dot_hand, (w, Xc, counts), 0),
        ("cosine_norm (np.linalg.norm)", cosine_norm, cosine_norm_hand, (A, B), 0),
        ("bce_sigmoid (explicit sigmoid)", bce_sigmoid, bce_sigmoid_hand, (w, X, y01), 0),
        ("mlp_tuples (loop over (W, b))", mlp_tuples, mlp_tuples_hand, (layers, Xm, Ym), 0),
        ("mlp_dict (dict params)", mlp_dict, mlp_dict_hand, (as_dict, Xm, Ym), 0),
        ("mlp_records (namedtuples, helper)", mlp_records, mlp_records_hand,
         ([Layer(*p) for p in layers], Xm, Ym), 0),
    ]


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in _leaves(tree[key])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _batch(fn, number):
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number
    finally:
        gc.enable()


def paired_ratio(a, b, rounds=41, min_time=0.003):
    """min over rounds of a's per-call time / min of b's, each round a batch of each,
    the order alternating."""
    number = max(1, int(min_time / max(_batch(a, 3), _batch(b, 3), 1e-7)))
    best_a = best_b = float("inf")
    for r in range(rounds):
        pair = (a, b) if r % 2 else (b, a)
        times = [_batch(f, number) for f in pair]
        ta, tb = times if r % 2 else times[::-1]
        best_a, best_b = min(best_a, ta), min(best_b, tb)
    return best_a / best_b, best_a, best_b


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    rows = []
    for title, fn, hand, args, wrt in cases(np.random.default_rng(0)):
        g = srcgrad.grad(fn, wrt=wrt)
        got, want = _leaves(g(*args)), _leaves(hand(*args))
        assert len(got) == len(want), title
        for x, h in zip(got, want):
            np.testing.assert_allclose(x, h, rtol=1e-6, atol=1e-9 * np.max(np.abs(h)))
        ratio, t_src, t_hand = paired_ratio(lambda: g(*args), lambda: hand(*args))
        rows.append((title, ratio, t_src, t_hand))
    print("| formulation | srcgrad / hand | srcgrad | hand-written |")
    print("| --- | --- | --- | --- |")
    for title, ratio, t_src, t_hand in rows:
        print(f"| {title} | {ratio:.2f} | {t_src * 1e6:.1f} µs | {t_hand * 1e6:.1f} µs |")
    if "--json" in argv:
        with open(argv[argv.index("--json") + 1], "w") as fh:
            json.dump({title: ratio for title, ratio, *_ in rows}, fh, indent=1)


if __name__ == "__main__":
    main()
