"""An `if` inside a differentiated function: only the branch that ran contributes.

    python examples/control_flow.py            # also 200 steps of gradient descent
    python examples/control_flow.py --quick    # 60 steps (or SRCGRAD_QUICK=1)

PyTorch tutorials show this with a deliberately nonsensical loss and `make_dot`: the
dynamic graph records the branch that ran, so the picture differs from run to run.
A source transformation cannot wait for the run to pick a branch, so the generated code
keeps the `if`: the forward sweep evaluates the condition once and saves it as `cond`,
and the backward sweep tests the same `cond` to run the adjoint of the branch that was
taken, and only that one. `--quick` only shortens the training at the end.
"""

import argparse
import os

import numpy as np

from srcgrad import value_and_grad

THRESHOLD = 1.0


def nonsense_loss(w, b, x, y):
    yhat = b + w * x
    error = y - yhat
    loss = (error ** 2).mean()
    # This makes no sense (the tutorial says so too), but it is a branch. The tutorial
    # tests `loss > 0`, which a squared error passes almost always; THRESHOLD = 1.0
    # lets the two points below take different branches.
    if loss > THRESHOLD:
        yhat2 = w * x
        error2 = y - yhat2
        loss += error2.mean()
    return loss


def central_difference(f, args, i, eps=1e-6):
    """d f / d args[i] for a scalar argument, from two evaluations: the check."""
    up, down = list(args), list(args)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


def quick_mode(args) -> bool:
    return args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a shorter training run (also: SRCGRAD_QUICK=1)")
    args = parser.parse_args()
    steps = 60 if quick_mode(args) else 200

    rng = np.random.default_rng(42)
    x = rng.random(100)
    y = 1 + 2 * x + 0.1 * rng.standard_normal(100)

    loss_grad = value_and_grad(nonsense_loss, wrt=("w", "b"))
    print("Generated code: the `if cond:` appears in the forward sweep and again, "
          "on the saved\ncondition, in the backward sweep.\n")
    print(loss_grad.source)

    for w, b in [(-1.0, -2.0), (1.8, 1.1)]:
        loss, (dw, db) = loss_grad(w, b, x, y)
        error = y - (b + w * x)
        taken = np.mean(error ** 2) > THRESHOLD
        # by hand: the squared error always contributes; the extra term mean(y - w*x)
        # adds -mean(x) to dL/dw (and nothing to dL/db), but only when its branch runs
        hand_dw = -2 * np.mean(error * x) - (np.mean(x) if taken else 0.0)
        hand_db = -2 * np.mean(error)
        fd_dw = central_difference(nonsense_loss, (w, b, x, y), 0)
        fd_db = central_difference(nonsense_loss, (w, b, x, y), 1)
        print(f"w = {w}, b = {b}: loss = {loss:.4f}, "
              f"branch {'TAKEN' if taken else 'NOT taken'} (mse {'>' if taken else '<='} "
              f"{THRESHOLD})")
        print(f"  generated:          dL/dw = {dw:+.6f}  dL/db = {db:+.6f}")
        print(f"  by hand:            dL/dw = {hand_dw:+.6f}  dL/db = {hand_db:+.6f}"
              f"  (extra term {'included' if taken else 'absent'})")
        print(f"  finite differences: dL/dw = {fd_dw:+.6f}  dL/db = {fd_db:+.6f}")

    # Gradient descent on the nonsense loss: the branch runs while the squared error is
    # above the threshold and stops running once the fit is good enough.
    w, b, lr = -1.0, -2.0, 0.1
    flips, before = [], None
    for step in range(steps):
        loss, (dw, db) = loss_grad(w, b, x, y)
        taken = bool(np.mean((y - (b + w * x)) ** 2) > THRESHOLD)
        if taken != before:
            flips.append(step)
            print(f"step {step:3d}: loss {loss:8.4f}, branch {'TAKEN' if taken else 'NOT taken'}"
                  f" from here on")
            before = taken
        w, b = w - lr * dw, b - lr * db
    mse = np.mean((y - (b + w * x)) ** 2)
    print(f"after {steps} steps: w = {w:.4f}, b = {b:.4f}, mse = {mse:.4f}, "
          f"branch last switched at step {flips[-1]}")


if __name__ == "__main__":
    main()
