"""One sigmoid neuron, y_hat = sigmoid(w * x + b), with a squared-error loss: read the
chain rule in the generated backward code, check it against the formula by hand, then
train the neuron with srcgrad.optim.SGD.

    python examples/sigmoid_neuron.py            # 400 training steps
    python examples/sigmoid_neuron.py --quick    # 150 steps (or SRCGRAD_QUICK=1)

The backpropagation walk-through this follows: z = w * x + b, y_hat = sigmoid(z),
L = (y - y_hat) ** 2, and by the chain rule

    dL/dw = dL/dy_hat * dy_hat/dz * dz/dw
          = -2 (y - y_hat) * y_hat (1 - y_hat) * x
    dL/db = -2 (y - y_hat) * y_hat (1 - y_hat) * 1
"""

import argparse
import os

import numpy as np

from srcgrad import grad, value_and_grad
from srcgrad.optim import SGD


def linear(w, b, x):
    """z = w * x + b: the neuron before its activation."""
    return w * x + b


def neuron_loss(w, b, x, y):
    """Mean squared error of one sigmoid neuron over the samples in x, y."""
    # The sigmoid is written out, not called as sigmoid(z), so that the generated code
    # printed below shows every step of the chain rule through it.
    z = w * x + b
    y_hat = 1.0 / (1.0 + np.exp(-z))
    return np.mean((y - y_hat) ** 2)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def quick_mode(args) -> bool:
    return args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer training steps (also: SRCGRAD_QUICK=1)")
    args = parser.parse_args()
    steps = 150 if quick_mode(args) else 400

    # 1. The walk-through's first step: z = w * x + b at x = 30, w = 40, b = 50.
    #    PyTorch: z.backward(); w.grad is dz/dw = x = 30 and b.grad is dz/db = 1.
    dz_dw, dz_db = grad(linear, wrt=("w", "b"))(40.0, 50.0, 30.0)
    print(f"z = w*x + b at x=30, w=40, b=50: z = {linear(40.0, 50.0, 30.0):g}, "
          f"dz/dw = {dz_dw:g} (= x), dz/db = {dz_db:g}")

    # 2. The whole neuron. The backward sweep walks the function from its last line up,
    #    one primitive operation per line: d_y_hat is dL/dy_hat; d_t4 ... d_z go back
    #    through 1 / (1 + exp(-z)), so d_z = dL/dy_hat * y_hat * (1 - y_hat) = dL/dz;
    #    then d_w = d_z * x and d_b = d_z. That is the chain rule, line by line.
    loss_grad = value_and_grad(neuron_loss, wrt=("w", "b"))
    print("\nGenerated code for value_and_grad(neuron_loss, wrt=('w', 'b')):\n")
    print(loss_grad.source)

    # 3. One sample, one point: the generated gradient against the chain rule by hand.
    w, b, x, y = 0.5, -0.25, 1.5, 1.0
    z = w * x + b
    y_hat = sigmoid(z)
    dL_dyhat = -2.0 * (y - y_hat)
    dyhat_dz = y_hat * (1.0 - y_hat)
    by_hand = (dL_dyhat * dyhat_dz * x, dL_dyhat * dyhat_dz * 1.0)
    _, generated = loss_grad(w, b, np.array([x]), np.array([y]))
    print(f"one sample x={x}, y={y} at w={w}, b={b}: z = {z:.4f}, y_hat = {y_hat:.6f}")
    print(f"  dL/dy_hat = -2(y - y_hat)    = {dL_dyhat:.6f}")
    print(f"  dy_hat/dz = y_hat(1 - y_hat) = {dyhat_dz:.6f}")
    print(f"  dz/dw = x = {x},  dz/db = 1")
    print(f"  chain rule by hand: dL/dw = {by_hand[0]:.12f}, dL/db = {by_hand[1]:.12f}")
    print(f"  generated gradient: dL/dw = {generated[0]:.12f}, dL/db = {generated[1]:.12f}")
    hand_error = max(abs(g - h) for g, h in zip(generated, by_hand))
    print(f"  max difference: {hand_error:.1e}")

    # 4. Train on a tiny dataset. The targets come from a "teacher" neuron with w = 2,
    #    b = -1, so training from w = b = 0 should find those values again.
    xs = np.array([-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    ys = sigmoid(2.0 * xs - 1.0)
    params = (0.0, 0.0)                       # (w, b)
    # PyTorch: torch.optim.SGD([w, b], lr=2.0, momentum=0.9)
    opt = SGD(lr=2.0, momentum=0.9)
    print(f"\ntraining on {len(xs)} samples with SGD(lr=2.0, momentum=0.9), {steps} steps")
    for step in range(steps):
        loss, grads = loss_grad(*params, xs, ys)   # PyTorch: loss.backward()
        if step % 50 == 0:
            print(f"step {step:4d}  loss {loss:.3e}  w = {params[0]:.4f}  b = {params[1]:.4f}")
        params = opt.step(params, grads)           # PyTorch: optimizer.step()
    w, b = params
    print(f"step {steps:4d}  loss {neuron_loss(w, b, xs, ys):.3e}  w = {w:.4f}  b = {b:.4f}")
    print("x:      " + " ".join(f"{v:6.2f}" for v in xs))
    print("target: " + " ".join(f"{v:6.3f}" for v in ys))
    print("output: " + " ".join(f"{v:6.3f}" for v in sigmoid(w * xs + b)))
    print(f"final: w = {w:.4f}, b = {b:.4f}  (teacher: w = 2, b = -1)")


if __name__ == "__main__":
    main()
