"""What a Hessian-vector product costs, relative to a gradient, on the MLP workload.

    python benchmarks/second_order.py            # markdown table on stdout (~30 s)
    python benchmarks/second_order.py --quick    # a smoke run

srcgrad's hvp is forward mode over the generated gradient code (no Hessian is
formed); the theory says a small constant times one gradient (about 2-4x).
Peers, when installed: HIPS autograd (reverse over reverse), JAX (forward over
reverse, with and without jit), PyTorch (torch.func.jvp over torch.func.grad).
Every hvp is first checked against central differences of srcgrad's gradient.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import srcgrad  # noqa: E402
from workloads import mlp_data, mlp_fn, mlp_plain  # noqa: E402

WRT = ("W1", "b1", "W2", "b2")


def best_time(fn, quick) -> float:
    """Seconds per call: the best of several batches of calls."""
    fn()
    calls, elapsed = 1, 0.0
    while elapsed < (0.01 if quick else 0.1):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        calls *= 2
    calls //= 2
    best = elapsed / calls
    for _ in range(3 if quick else 7):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def peers(data, vs):
    """name -> a function computing the hvp as a tuple of NumPy arrays."""
    made = {}
    params = tuple(data[k] for k in WRT)
    try:
        import autograd
        import autograd.numpy as anp

        shapes = [np.shape(a) for a in params]
        bounds = np.cumsum([np.size(a) for a in params])[:-1]

        def loss(flat):  # autograd's hvp wants one array
            W1, b1, W2, b2 = (anp.reshape(q, s) for q, s in zip(anp.split(flat, bounds), shapes))
            h = anp.tanh(data["X"] @ W1 + b1)
            logits = h @ W2 + b2
            shifted = logits - anp.max(logits, axis=1, keepdims=True)
            log_probs = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
            return -anp.mean(anp.sum(data["Y"] * log_probs, axis=1))

        ag_hvp = autograd.hessian_vector_product(loss)
        flat_p = np.concatenate([np.ravel(a) for a in params])
        flat_v = np.concatenate([np.ravel(a) for a in vs])
        made["autograd (rev over rev)"] = lambda: [
            np.reshape(q, s) for q, s in zip(np.split(ag_hvp(flat_p, flat_v), bounds), shapes)]
    except ImportError:
        pass
    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)

        def jloss(p):
            W1, b1, W2, b2 = p
            h = jnp.tanh(data["X"] @ W1 + b1)
            logits = h @ W2 + b2
            shifted = logits - jnp.max(logits, axis=1, keepdims=True)
            log_probs = shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=1, keepdims=True))
            return -jnp.mean(jnp.sum(data["Y"] * log_probs, axis=1))

        def jhvp(p, v):
            return jax.jvp(jax.grad(jloss), (p,), (v,))[1]

        jp = tuple(jnp.asarray(a) for a in params)
        jv = tuple(jnp.asarray(a) for a in vs)
        jitted = jax.jit(jhvp)
        made["JAX (fwd over rev)"] = lambda: [np.asarray(a) for a in jhvp(jp, jv)]
        made["JAX jit"] = lambda: [np.asarray(a) for a in jitted(jp, jv)]
    except ImportError:
        pass
    try:
        import torch
        from torch.func import grad as tgrad
        from torch.func import jvp as tjvp
        torch.set_num_threads(1)
        X, Y = torch.from_numpy(data["X"]), torch.from_numpy(data["Y"])

        def tloss(W1, b1, W2, b2):
            h = torch.tanh(X @ W1 + b1)
            logits = h @ W2 + b2
            shifted = logits - torch.amax(logits, dim=1, keepdim=True)
            log_probs = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))
            return -torch.mean(torch.sum(Y * log_probs, dim=1))

        tp = tuple(torch.from_numpy(a) for a in params)
        tv = tuple(torch.from_numpy(np.asarray(a)) for a in vs)
        tg = tgrad(tloss, argnums=(0, 1, 2, 3))
        made["PyTorch (torch.func)"] = lambda: [a.numpy() for a in tjvp(
            lambda *p: tg(*p), tp, tv)[1]]
    except ImportError:
        pass
    return made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    data = mlp_data(rng)
    vs = tuple(rng.standard_normal(np.shape(data[k])) for k in WRT)
    gradient = srcgrad.grad(mlp_fn, wrt=WRT)
    product = srcgrad.hvp(mlp_fn, wrt=WRT)
    call = lambda: product(**data, tangent=vs)  # noqa: E731

    h = 1e-5
    plus = gradient(**{**data, **{k: data[k] + h * v for k, v in zip(WRT, vs)}})
    minus = gradient(**{**data, **{k: data[k] - h * v for k, v in zip(WRT, vs)}})
    numeric = [(p - m) / (2 * h) for p, m in zip(plus, minus)]
    rows = {"srcgrad hvp (fwd over rev)": call}
    rows.update(peers(data, vs))
    for name, fn in rows.items():
        for got, want in zip(fn(), numeric):
            if not np.allclose(got, want, rtol=1e-4, atol=1e-7):
                print(f"{name}: the hvp disagrees with finite differences", file=sys.stderr)
                return 1

    t_grad = best_time(lambda: gradient(**data), args.quick)
    t_plain = best_time(lambda: mlp_plain(**data), args.quick)
    print("MLP 64-128-10, batch 256, float64, one thread; hvp along all four parameters.\n")
    print("| computation | time per call | / srcgrad gradient |")
    print("| --- | ---: | ---: |")
    print(f"| hand-written NumPy gradient | {t_plain * 1e3:.3f} ms | {t_plain / t_grad:.2f} |")
    print(f"| srcgrad gradient | {t_grad * 1e3:.3f} ms | 1.00 |")
    for name, fn in rows.items():
        t = best_time(fn, args.quick)
        print(f"| {name} | {t * 1e3:.3f} ms | {t / t_grad:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
