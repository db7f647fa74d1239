"""Fit y = 1 + 2x + noise by gradient descent, with a gradient generated from source.

This is the first thing to run:

    python examples/linear_regression.py                 # 1000 steps
    python examples/linear_regression.py --quick         # 300 steps (or SRCGRAD_QUICK=1)
    python examples/linear_regression.py --show-source   # also print the generated code

`grad(mse, wrt=("w", "b"))` reads the source of `mse` and writes a new Python
function that computes d mse / d w and d mse / d b. There is no tape and no
graph: the gradient is ordinary NumPy code, and `--show-source` prints it.

Coming from PyTorch, the same training loop maps like this:

    PyTorch                                   srcgrad
    ---------------------------------------   ------------------------------------------
    w = torch.tensor(.., requires_grad=True)  grad(mse, wrt=("w", "b"))  (name them once)
    loss = mse(w, b, x, y); loss.backward()   dw, db = mse_grad(w, b, x, y)
    w.grad, b.grad                            dw, db  (the return value, shaped like w, b)
    with torch.no_grad(): w -= lr * w.grad    w = w - lr * dw  (plain NumPy, nothing tracked)
    w.grad.zero_()                            nothing: gradients are returned, not accumulated
"""

import argparse
import os

import numpy as np

from srcgrad import grad


def mse(w, b, x, y):
    """Mean squared error of the line y = w * x + b."""
    yhat = w * x + b
    error = yhat - y
    return np.mean(error ** 2)


def quick_mode(args) -> bool:
    return args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer steps (also: SRCGRAD_QUICK=1)")
    parser.add_argument("--show-source", action="store_true",
                        help="print the generated forward and backward code")
    args = parser.parse_args()
    steps = 300 if quick_mode(args) else 1000
    lr = 0.1

    # The data: 100 points on the line y = 1 + 2x, plus Gaussian noise.
    rng = np.random.default_rng(42)
    x = rng.random(100)                        # uniform in [0, 1)
    y = 1 + 2 * x + 0.1 * rng.standard_normal(100)

    # PyTorch: w = torch.randn(1, requires_grad=True), same for b.
    # Here the parameters are plain floats; "requires_grad" is the wrt= below.
    w, b = rng.standard_normal(2).tolist()

    # PyTorch: requires_grad=True on w and b  ->  wrt=("w", "b").
    # The generated function returns (d mse/d w, d mse/d b); x and y are data.
    mse_grad = grad(mse, wrt=("w", "b"))
    if args.show_source:
        print("Generated code for grad(mse, wrt=('w', 'b')):\n")
        print(mse_grad.source)

    print(f"gradient descent: lr={lr}, {steps} steps, start w = {w:.4f}, b = {b:.4f}")
    for step in range(steps + 1):
        if step % 100 == 0 or step == steps:
            print(f"step {step:4d}  loss {mse(w, b, x, y):.6f}  w = {w:.4f}  b = {b:.4f}")
        if step == steps:
            break
        # PyTorch: loss.backward(); then read w.grad and b.grad.
        dw, db = mse_grad(w, b, x, y)
        # PyTorch: with torch.no_grad(): w -= lr * w.grad ...
        # Here the update is ordinary NumPy arithmetic, outside the differentiated function.
        w = w - lr * dw
        b = b - lr * db
        # PyTorch: w.grad.zero_(); b.grad.zero_()  ->  nothing to do.

    # The least-squares line, for comparison: gradient descent should be heading there.
    w_ls, b_ls = np.polyfit(x, y, 1)
    print(f"least squares:  w = {w_ls:.4f}, b = {b_ls:.4f}")
    print(f"final: w = {w:.4f}, b = {b:.4f}  (the data were made with w = 2, b = 1)")


if __name__ == "__main__":
    main()
