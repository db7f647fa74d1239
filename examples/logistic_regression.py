"""Softmax (multinomial logistic) regression on scikit-learn's handwritten digits,
trained with srcgrad.optim.Adam in a plain loop.

    python examples/logistic_regression.py            # 200 full-batch Adam steps
    python examples/logistic_regression.py --quick    # 50 steps (or SRCGRAD_QUICK=1)

The digits are 1797 8x8 grey-scale images (64 features, values 0..16) that ship with
scikit-learn, so nothing is downloaded. The model is one linear layer, logits = X @ W + b,
with W of shape (64, 10) and b of shape (10,); the loss is the softmax cross-entropy.
The full run gets about 96.7% of the 450 test digits right, the quick run about 95%
(tests/test_examples.py requires >= 95% and >= 93%). examples/mlp_digits.py adds a
hidden layer.
"""

import argparse
import os
import sys

import numpy as np

from srcgrad import value_and_grad
from srcgrad.optim import Adam


def cross_entropy(W, b, X, Y):
    """Mean softmax cross-entropy of the logits X @ W + b against one-hot labels Y.

    log softmax(z) = z - log(sum(exp(z))). The usual overflow guard (subtracting the row
    maximum first) is left out to keep the example short: here the logits stay well
    below 700, where exp would overflow in float64.
    """
    logits = X @ W + b
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def accuracy(W, b, X, labels):
    return float(np.mean(np.argmax(X @ W + b, axis=1) == labels))


def quick_mode(args) -> bool:
    return args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer steps (also: SRCGRAD_QUICK=1)")
    args = parser.parse_args()
    steps = 50 if quick_mode(args) else 200

    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError:
        print("This example needs scikit-learn for its digits data set:\n"
              "    pip install scikit-learn\n"
              "(or install srcgrad with its extras: pip install -e '.[examples]')")
        sys.exit(0)

    digits = load_digits()
    X = digits.data / 16.0                    # pixel values scaled to [0, 1]
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
    Y_train = np.eye(10)[y_train]             # one-hot labels, shape (n, 10)
    print(f"digits: {len(X_train)} training and {len(X_test)} test images, "
          f"{X.shape[1]} pixels, 10 classes")

    # The parameters are separate float arrays; wrt names the ones to differentiate.
    W = np.zeros((X.shape[1], 10))
    b = np.zeros(10)
    loss_and_grads = value_and_grad(cross_entropy, wrt=("W", "b"))
    opt = Adam(lr=0.05)

    print(f"Adam(lr=0.05), full batch, {steps} steps")
    for step in range(steps):
        loss, grads = loss_and_grads(W, b, X_train, Y_train)   # grads = (dW, db)
        if step % 25 == 0:
            print(f"step {step:4d}  loss {loss:.4f}  "
                  f"train accuracy {accuracy(W, b, X_train, y_train):.4f}")
        W, b = opt.step((W, b), grads)                          # new arrays, same shapes

    print(f"step {steps:4d}  loss {cross_entropy(W, b, X_train, Y_train):.4f}")
    print(f"train accuracy: {accuracy(W, b, X_train, y_train):.4f}")
    print(f"test accuracy: {accuracy(W, b, X_test, y_test):.4f}")


if __name__ == "__main__":
    main()
