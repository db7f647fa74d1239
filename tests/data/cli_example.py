"""A small user file for the command-line tests (`srcgrad show/graph/check`)."""

import numpy as np

import srcgrad

SCALE = 0.1  # a module-level constant the functions read


def loss(w, b, x, y):
    yhat = x @ w + b
    err = yhat - y
    if np.mean(err) > 0:
        err = err * 2.0
    else:
        err = -err
    return np.sum(err ** 2) + SCALE * np.sum(w * w)


def square(x):
    return x ** 2


def step(x):
    """Discontinuous at np.sum(x) == 0: finite differences disagree with the gradient there."""
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    return np.sum(x ** 2) + 1.0


def refused(x):
    with open("log.txt") as fh:
        fh.write("x")
    return x


@srcgrad.grad(wrt="x")
def decorated(w, x):
    return np.sum(w * x ** 2)


NOT_A_FUNCTION = 3


if __name__ == "__main__":
    raise SystemExit("imported by the CLI, never run as a script")
