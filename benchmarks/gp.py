"""The gradient of a Gaussian process's negative log marginal likelihood (issue 20's line
for the new linear algebra): a squared-exponential kernel on 500 points in 2-d, its
Cholesky factor, `cho_solve` and the log-determinant from the factor's diagonal.

    python benchmarks/gp.py            # srcgrad, hand-written NumPy, HIPS autograd
    python benchmarks/gp.py --n 200

It checks that the three gradients agree, then times them in interleaved rounds (one call
of each per round, so a load on the shared machine hits all alike) and prints the fastest
call of each and its ratio to the hand-written gradient.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import scipy.linalg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import srcgrad  # noqa: E402


def nll(log_ell, log_sf, log_sn, X, y):
    diff = X[:, None, :] - X[None, :, :]
    sq = np.sum(diff * diff, axis=-1)
    K = (np.exp(2 * log_sf) * np.exp(-0.5 * sq / np.exp(2 * log_ell))
         + np.exp(2 * log_sn) * np.eye(len(y)))
    factor = scipy.linalg.cho_factor(K, lower=True)
    alpha = scipy.linalg.cho_solve(factor, y)
    return (0.5 * y @ alpha + np.sum(np.log(np.diag(factor[0])))
            + 0.5 * len(y) * np.log(2 * np.pi))


def by_hand(log_ell, log_sf, log_sn, X, y):
    """d nll / d theta = tr((K^-1 - alpha alpha^T) dK/dtheta) / 2."""
    diff = X[:, None, :] - X[None, :, :]
    sq = np.sum(diff * diff, axis=-1)
    ell2, sf2, sn2 = np.exp(2 * log_ell), np.exp(2 * log_sf), np.exp(2 * log_sn)
    E = sf2 * np.exp(-0.5 * sq / ell2)
    factor = scipy.linalg.cho_factor(E + sn2 * np.eye(len(y)), lower=True)
    alpha = scipy.linalg.cho_solve(factor, y)
    W = scipy.linalg.cho_solve(factor, np.eye(len(y))) - np.outer(alpha, alpha)
    return (0.5 * np.sum(W * E * sq) / ell2, np.sum(W * E), sn2 * np.trace(W))


def autograd_version():
    try:
        import autograd
        import autograd.numpy as anp
        from autograd.scipy.linalg import solve_triangular
    except ImportError:
        return None

    def nll_ag(log_ell, log_sf, log_sn, X, y):
        diff = X[:, None, :] - X[None, :, :]
        sq = anp.sum(diff * diff, axis=-1)
        K = (anp.exp(2 * log_sf) * anp.exp(-0.5 * sq / anp.exp(2 * log_ell))
             + anp.exp(2 * log_sn) * anp.eye(len(y)))
        L = anp.linalg.cholesky(K)
        alpha = solve_triangular(L, solve_triangular(L, y, lower=True), trans="T", lower=True)
        return (0.5 * anp.dot(y, alpha) + anp.sum(anp.log(anp.diag(L)))
                + 0.5 * len(y) * anp.log(2 * anp.pi))

    gradient = autograd.grad(lambda p, X, y: nll_ag(p[0], p[1], p[2], X, y))
    return lambda *args: tuple(gradient(np.array(args[:3]), *args[3:]))


def _interleaved_best(tools, args, rounds):
    """{name: seconds of its fastest call}, one call of each tool per round."""
    best = dict.fromkeys(tools, float("inf"))
    for _ in range(rounds):
        for name, function in tools.items():
            start = time.perf_counter()
            function(*args)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main(argv) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=11)
    options = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(options.n, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=options.n)
    args = (0.1, 0.2, -1.0, X, y)
    tools = {"hand-written NumPy": by_hand, "srcgrad": srcgrad.grad(nll, wrt=(0, 1, 2))}
    found = autograd_version()
    if found is not None:
        tools["HIPS autograd"] = found
    expected = np.array(by_hand(*args))
    for name, function in tools.items():
        got = np.array(function(*args), dtype=float)
        if not np.allclose(got, expected, rtol=1e-6):
            print(f"{name} disagrees: {got} != {expected}", file=sys.stderr)
            return 1
    print(f"GP negative log marginal likelihood, gradient in 3 kernel parameters, "
          f"n = {options.n} (fastest of {options.rounds} interleaved rounds)")
    best = _interleaved_best({"function alone": nll, **tools}, args, options.rounds)
    print("| tool | ms | / hand-written |\n| --- | --- | --- |")
    for name, seconds in best.items():
        print(f"| {name} | {1e3 * seconds:.1f} | "
              f"{seconds / best['hand-written NumPy']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
