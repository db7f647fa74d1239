"""A two-layer perceptron (64-64-10, tanh) on scikit-learn's handwritten digits, trained
with mini-batch Adam through srcgrad.optim.fit.

    python examples/mlp_digits.py                    # 20 epochs, a few seconds
    python examples/mlp_digits.py --quick            # 4 epochs (or SRCGRAD_QUICK=1)
    python examples/mlp_digits.py --plot loss.png    # also save the loss curve (matplotlib)

The full run reaches about 98% test accuracy (tests/test_examples.py requires >= 95%);
the quick run about 95% (required: >= 90%).

The parameters are a dict {"W1", "b1", "W2", "b2"} of float arrays; `fit` differentiates
`loss(params, X, Y)` with respect to it (srcgrad's `value_and_grad(loss)`), so each step
gets a dict of gradients with the same keys, from one forward and one backward sweep.

Coming from PyTorch: nn.Linear(64, 64) is the pair (W1, b1) and `X @ W1 + b1`;
loss.backward() and optimizer.step() are both inside `fit`; model.parameters() is
the dict; there is no zero_grad() because gradients are returned, not accumulated.
"""

import argparse
import os
import sys

import numpy as np

from srcgrad import grad
from srcgrad.optim import Adam, CosineAnnealingLR, fit

HIDDEN = 64
BATCH_SIZE = 32
LR = 1e-2
SEED = 0


def loss(params, X, Y):
    """Mean softmax cross-entropy of the network's logits against one-hot labels Y."""
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    logits = hidden @ params["W2"] + params["b2"]
    shifted = logits - np.max(logits, axis=1, keepdims=True)  # exp cannot overflow
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def predict(params, X):
    hidden = np.tanh(X @ params["W1"] + params["b1"])
    return np.argmax(hidden @ params["W2"] + params["b2"], axis=1)


def accuracy(params, X, labels):
    return float(np.mean(predict(params, X) == labels))


def init_params(rng, sizes):
    """{"W1", "b1", "W2", "b2"}: normal weights scaled by 1/sqrt(fan_in), zero biases."""
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
        params[f"W{layer}"] = rng.normal(0.0, 1.0 / np.sqrt(fan_in), (fan_in, fan_out))
        params[f"b{layer}"] = np.zeros(fan_out)
    return params


def save_plot(path, history, steps_per_epoch):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"--plot: matplotlib is not installed, so {path} was not written "
              "(pip install matplotlib)")
        return
    steps = np.arange(1, len(history) + 1)
    epochs = len(history) // steps_per_epoch
    epoch_means = np.mean(np.reshape(history[:epochs * steps_per_epoch], (epochs, -1)), axis=1)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps, history, lw=0.6, alpha=0.5, label="mini-batch loss")
    ax.plot(np.arange(1, epochs + 1) * steps_per_epoch, epoch_means, "o-", label="epoch mean")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy")
    ax.set_title("64-64-10 tanh MLP on the digits, Adam")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"saved the loss curve to {path}")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def quick_mode(args) -> bool:
    return args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer epochs (also: SRCGRAD_QUICK=1)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="number of passes over the training set (default 20, quick 4)")
    parser.add_argument("--plot", metavar="PATH", help="save a loss-curve PNG (needs matplotlib)")
    parser.add_argument("--show-source", action="store_true",
                        help="print the generated gradient code of the loss and exit")
    args = parser.parse_args()
    if args.show_source:
        print(grad(loss).source)
        return
    epochs = args.epochs or (4 if quick_mode(args) else 20)

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

    params = init_params(np.random.default_rng(SEED), (X.shape[1], HIDDEN, 10))
    steps_per_epoch = -(-len(X_train) // BATCH_SIZE)
    total_steps = epochs * steps_per_epoch
    print(f"digits: {len(X_train)} training and {len(X_test)} test images; "
          f"MLP {X.shape[1]}-{HIDDEN}-10 (tanh), {sum(p.size for p in params.values())} parameters")
    print(f"Adam, lr {LR} with cosine decay, batches of {BATCH_SIZE}, "
          f"{epochs} epochs = {total_steps} steps")

    result = fit(
        loss, params, (X_train, Y_train),
        epochs=epochs, batch_size=BATCH_SIZE, seed=SEED,
        optimizer=Adam(lr=CosineAnnealingLR(LR, T_max=total_steps)))
    if result.stopped_early:
        print(f"training stopped early: {result.message}")

    history = np.asarray(result.history)
    for epoch in range(len(history) // steps_per_epoch):
        chunk = history[epoch * steps_per_epoch:(epoch + 1) * steps_per_epoch]
        print(f"epoch {epoch + 1:3d}  mean training loss {chunk.mean():.4f}")

    params = result.params
    print(f"train accuracy: {accuracy(params, X_train, y_train):.4f}")
    print(f"test accuracy: {accuracy(params, X_test, y_test):.4f}")
    if args.plot:
        save_plot(args.plot, history, steps_per_epoch)


if __name__ == "__main__":
    main()
