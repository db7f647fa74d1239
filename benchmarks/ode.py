"""What the gradient of an ODE solve costs: srcgrad.odeint's adjoint method against finite
differences and against differentiating through a fixed-step solver.

    python benchmarks/ode.py            # markdown table on stdout (~1 min)
    python benchmarks/ode.py --quick    # a smoke run

The workload is a small neural ODE, dy/dt = tanh(W y + b) - y / 2, with y of 8 entries
(72 parameters), solved over [0, 2] with 5 output times; the loss is the sum of squares of
the outputs. Each gradient's error is measured against the adjoint gradient at tight
tolerances (rtol 1e-11). The fixed-step solver is classical RK4 (the step count chosen to
reach about the accuracy odeint gets at its default tolerances), differentiated by HIPS
autograd (when installed) and by srcgrad (its loop taped).
"""

from __future__ import annotations

import argparse
import os
import sys
import tracemalloc

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import srcgrad  # noqa: E402
from workloads import best_of  # noqa: E402

N = 8
TIMES = np.linspace(0.0, 2.0, 5)
RK4_STEPS = 12  # per output interval


def dynamics(y, t, W, b):
    return np.tanh(W @ y + b) - 0.5 * y


def loss_adjoint(y0, W, b):
    return np.sum(odeint_default(y0, W, b) ** 2)


def odeint_default(y0, W, b):
    return srcgrad.odeint(dynamics, y0, TIMES, W, b)


def loss_tight(y0, W, b):
    return np.sum(srcgrad.odeint(dynamics, y0, TIMES, W, b, rtol=1e-11, atol=1e-13) ** 2)


def loss_rk4(y0, W, b):
    """The same loss through classical RK4 steps: a loop any tool can differentiate."""
    total = np.sum(y0 ** 2)
    y = y0
    for i in range(len(TIMES) - 1):
        h = (TIMES[i + 1] - TIMES[i]) / RK4_STEPS
        t = TIMES[i]
        for _ in range(RK4_STEPS):
            k1 = np.tanh(W @ y + b) - 0.5 * y
            k2 = np.tanh(W @ (y + 0.5 * h * k1) + b) - 0.5 * (y + 0.5 * h * k1)
            k3 = np.tanh(W @ (y + 0.5 * h * k2) + b) - 0.5 * (y + 0.5 * h * k2)
            k4 = np.tanh(W @ (y + h * k3) + b) - 0.5 * (y + h * k3)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            t = t + h
        total = total + np.sum(y ** 2)
    return total


def finite_differences(loss, args, eps=1e-6):
    grads = []
    for i, x in enumerate(args):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            for sign in (1, -1):
                moved = x.copy()
                moved[idx] += sign * eps
                g[idx] += sign * loss(*args[:i], moved, *args[i + 1:]) / (2 * eps)
        grads.append(g)
    return tuple(grads)


def peak_memory(fn) -> float:
    """Peak bytes Python allocated during one call (tracemalloc: NumPy's arrays included)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def error(grads, reference) -> float:
    flat = np.concatenate([np.ravel(g) for g in grads])
    ref = np.concatenate([np.ravel(g) for g in reference])
    return float(np.max(np.abs(flat - ref)) / np.max(np.abs(ref)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5

    rng = np.random.default_rng(0)
    inputs = (rng.normal(size=N), rng.normal(size=(N, N)) / np.sqrt(N), 0.1 * rng.normal(size=N))
    wrt = (0, 1, 2)
    reference = srcgrad.grad(loss_tight, wrt=wrt)(*inputs)
    rows = []

    def row(name, fn, extra=""):
        seconds = best_of(fn, repeats, warm=True)
        rows.append((name, seconds, error(fn(), reference), peak_memory(fn), extra))

    value_time = best_of(lambda: loss_adjoint(*inputs), repeats, warm=True)
    row("srcgrad.odeint, adjoint method", lambda: srcgrad.grad(loss_adjoint, wrt=wrt)(*inputs))
    row("central finite differences of odeint",
        lambda: finite_differences(loss_adjoint, inputs),
        f"{2 * sum(np.size(x) for x in inputs)} solves")
    row(f"srcgrad through RK4 ({RK4_STEPS * (len(TIMES) - 1)} steps)",
        lambda: srcgrad.grad(loss_rk4, wrt=wrt)(*inputs))
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        autograd = None
    if autograd is not None:
        namespace = dict(globals(), np=anp)
        rk4 = type(loss_rk4)(loss_rk4.__code__, namespace)
        row(f"autograd through RK4 ({RK4_STEPS * (len(TIMES) - 1)} steps)",
            lambda: autograd.grad(lambda *a: rk4(*a), argnum=wrt)(*inputs))

    print(f"value (odeint, default tolerances): {value_time * 1e3:.1f} ms\n")
    print("| gradient | time | / adjoint | max error / max entry | peak memory | note |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, seconds, err, peak, extra in rows:
        print(f"| {name} | {seconds * 1e3:.1f} ms | {seconds / rows[0][1]:.2f} | {err:.1e} "
              f"| {peak / 1e3:.0f} kB | {extra} |")


if __name__ == "__main__":
    main()
