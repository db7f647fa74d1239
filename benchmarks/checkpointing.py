"""What checkpointing a long loop costs and saves: a 10,000-step tanh RNN.

    python benchmarks/checkpointing.py            # markdown table on stdout (~1 min)
    python benchmarks/checkpointing.py --quick    # a smoke run (1,000 steps)

The loss `sum(h_T ** 2)` of `h_{t+1} = tanh(h_t @ W + x_t @ U)` (hidden 64, batch 32,
inputs 8), differentiated with respect to W and U: srcgrad's plain gradient (the
fused code, which keeps every step's state), and `grad(f, checkpoint=True)` (the
binomial schedule's states only, each step recomputed from the nearest). Peak memory
is what tracemalloc sees allocated during one call, beyond what existed before it (the
data and parameters); time is the best of several calls. The two gradients are
compared element by element.
"""

from __future__ import annotations

import argparse
import os
import sys
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import srcgrad  # noqa: E402
from workloads import best_of  # noqa: E402

HIDDEN, BATCH, INPUTS = 64, 32, 8


def rnn_loss(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(h @ W + xs[t] @ U)
    return np.sum(h ** 2)


def data(steps, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)
    U = rng.normal(size=(INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    h0 = np.zeros((BATCH, HIDDEN))
    xs = rng.normal(size=(steps, BATCH, INPUTS))
    return W, U, h0, xs


def peak_bytes(fn) -> int:
    """Bytes allocated at the peak of one call, beyond those allocated before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--steps", type=int, default=None)
    options = parser.parse_args(argv)
    steps = options.steps or (1_000 if options.quick else 10_000)
    repeats = 2 if options.quick else 5
    args = data(steps)
    plain = srcgrad.grad(rnn_loss, wrt=(0, 1))
    rows = [("plain (every step kept)", plain)]
    rows.append(("checkpoint=True (default schedule)", srcgrad.grad(rnn_loss, wrt=(0, 1),
                                                                   checkpoint=True)))
    for snapshots in (14, 100):
        rows.append((f"checkpoint={snapshots}", srcgrad.grad(rnn_loss, wrt=(0, 1),
                                                            checkpoint=snapshots)))
    reference = plain(*args)
    print(f"{steps:,}-step tanh RNN, hidden {HIDDEN}, batch {BATCH}, inputs {INPUTS}\n")
    print("| gradient | peak memory (MB) | vs plain | time (s) | vs plain | max abs difference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    base_memory = base_time = None
    for label, gradient in rows:
        got = gradient(*args)  # (built and warmed up)
        difference = max(float(np.max(np.abs(a - b))) for a, b in zip(got, reference))
        memory = peak_bytes(lambda: gradient(*args))
        seconds = best_of(lambda: gradient(*args), repeats)
        base_memory = base_memory or memory
        base_time = base_time or seconds
        print(f"| {label} | {memory / 1e6:.1f} | {memory / base_memory:.3f} | {seconds:.3f} | "
              f"{seconds / base_time:.2f} | {difference:.1e} |")


if __name__ == "__main__":
    main()
