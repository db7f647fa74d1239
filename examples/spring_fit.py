"""Fit a damped spring's stiffness and damping through its simulation loop.

The simulation is an ordinary Python `for` loop (semi-implicit Euler steps). srcgrad
differentiates the loop itself: the forward sweep saves each step's state on a tape and
the backward sweep replays the steps in reverse, so the gradient of the mismatch with
the observed trajectory flows back through all 200 steps to `k` and `c`.

    python examples/spring_fit.py              # 300 Adam steps
    python examples/spring_fit.py --quick      # 120 steps (or SRCGRAD_QUICK=1)
    python examples/spring_fit.py --show-source
"""

import argparse
import os

import numpy as np

from srcgrad import optim, value_and_grad

DT = 0.05
STEPS = 200


def simulate(k, c, x0, v0):
    """Positions of a unit mass on a spring (stiffness k, damping c) over STEPS steps."""
    xs = []
    x, v = x0, v0
    for _ in range(STEPS):
        a = -k * x - c * v
        v = v + DT * a
        x = x + DT * v
        xs.append(x)
    return np.stack(xs)


def mismatch(k, c, x0, v0, observed):
    """Mean squared distance between the simulated and the observed trajectory."""
    xs = simulate(k, c, x0, v0)
    return np.mean((xs - observed) ** 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (SRCGRAD_QUICK=1)")
    parser.add_argument("--show-source", action="store_true", help="print the generated code")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")

    true_k, true_c = 4.0, 0.3
    rng = np.random.default_rng(0)
    observed = simulate(true_k, true_c, 1.0, 0.0) + 0.01 * rng.normal(size=STEPS)

    loss_and_grad = value_and_grad(mismatch, wrt=("k", "c"))
    if args.show_source:
        print(loss_and_grad.source)

    params = (2.0, 1.0)                        # a poor first guess
    opt = optim.Adam(lr=0.05)
    steps = 120 if quick else 300
    for step in range(steps + 1):
        loss, grads = loss_and_grad(*params, 1.0, 0.0, observed)
        if step % (steps // 6) == 0:
            print(f"step {step:4d}  loss {loss:.6f}  k = {params[0]:.4f}  c = {params[1]:.4f}")
        if step < steps:
            params = opt.step(params, grads)
    k, c = params
    print(f"final: k = {k:.4f}, c = {c:.4f}  (the data were made with k = {true_k}, c = {true_c})")


if __name__ == "__main__":
    main()
