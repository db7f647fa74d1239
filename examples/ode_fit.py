"""Fit the four rates of a predator-prey model (Lotka-Volterra) to noisy observations.

The model is solved by `srcgrad.odeint` (adaptive Dormand-Prince steps); the gradient of
the mismatch with respect to the rates and the initial populations comes from the
continuous adjoint method, with the right-hand side `rates` differentiated by srcgrad.
SciPy's L-BFGS-B does the fitting with those gradients.

    python examples/ode_fit.py                  # the fit (about 50 iterations)
    python examples/ode_fit.py --quick          # 25 iterations (or SRCGRAD_QUICK=1)
    python examples/ode_fit.py --show-source    # also print the gradient's generated code
"""

import argparse
import os
import time

import numpy as np
from scipy.optimize import minimize

from srcgrad import odeint, value_and_grad

TIMES = np.linspace(0.0, 10.0, 21)


def rates(y, t, theta):
    """d(prey, predators)/dt for the rates (prey growth, predation, conversion, death)."""
    prey, predators = y[0], y[1]
    return np.array([theta[0] * prey - theta[1] * prey * predators,
                     theta[2] * prey * predators - theta[3] * predators])


def mismatch(theta, y0, observed):
    """Mean squared log-distance between the model's populations and the observed ones."""
    ys = odeint(rates, y0, TIMES, theta, rtol=1e-6, atol=1e-8)
    return np.mean((np.log(ys) - np.log(observed)) ** 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a shorter run (SRCGRAD_QUICK=1)")
    parser.add_argument("--show-source", action="store_true", help="print the generated code")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("SRCGRAD_QUICK", "") not in ("", "0")

    true_theta, true_y0 = np.array([1.0, 0.1, 0.075, 1.5]), np.array([10.0, 5.0])
    rng = np.random.default_rng(0)
    observed = odeint(rates, true_y0, TIMES, true_theta) * np.exp(
        0.05 * rng.normal(size=(len(TIMES), 2)))

    loss_and_grad = value_and_grad(mismatch, wrt=("theta", "y0"))
    if args.show_source:
        print(loss_and_grad.source)

    def objective(packed):  # the rates, then the initial populations
        loss, (g_theta, g_y0) = loss_and_grad(packed[:4], packed[4:], observed)
        return loss, np.concatenate([g_theta, g_y0])

    guess = np.array([0.8, 0.12, 0.06, 1.3, 9.0, 6.0])  # 10-20% off
    print(f"start: loss {objective(guess)[0]:.5f}")
    start = time.perf_counter()
    fitted = minimize(objective, guess, jac=True, method="L-BFGS-B",
                      bounds=[(1e-3, None)] * 6, options={"maxiter": 25 if quick else 200})
    seconds = time.perf_counter() - start
    theta = fitted.x[:4]
    print(f"fit: {fitted.nit} iterations, {fitted.nfev} gradients in {seconds:.2f} s, "
          f"loss {fitted.fun:.5f}")
    print("rates:  " + "  ".join(f"{v:.4f}" for v in theta)
          + "   (true: " + "  ".join(f"{v:.4f}" for v in true_theta) + ")")
    print(f"worst relative error of the rates: {np.max(np.abs(theta / true_theta - 1)):.4f}")


if __name__ == "__main__":
    main()
