"""`odeint`: a differentiable ODE solve.

The value comes from an adaptive Runge-Kutta method (Dormand and Prince's pair of orders 5
and 4, the step chosen from the local error estimate). The gradient comes from the
continuous adjoint method: from the last output time back to the first, the state y, its
adjoint a and the parameters' adjoint are integrated together,

    dy/dt = f(y, t, p),   da/dt = -a . df/dy,   dp_bar/dt = -a . df/dp,

with the products `a . df/dy` and `a . df/dp` from srcgrad's own `vjp` of the user's `f`.
Memory does not grow with the number of steps: nothing of the forward solve is kept but the
outputs. Where y, integrated backward over an interval between two outputs, drifts from the
forward solution (a fast-decaying mode grows backward in time: a stiff system), that
interval's forward steps are redone and kept, and the adjoint integrated step by step from
them. `odeint` has an adjoint rule (`custom_adjoint`), so a function that calls it is
differentiated by `grad` like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..custom import custom_adjoint, d
from ..errors import SrcGradError
from .gradient import GradientFunction

# Dormand-Prince 5(4): the nodes, the stages' coefficients, the 5th-order weights (also
# the last stage's row: the pair is "first same as last") and the difference between the
# 5th- and 4th-order weights (the error estimate).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = ((),
      (1 / 5,),
      (3 / 40, 9 / 40),
      (44 / 45, -56 / 15, 32 / 9),
      (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
      (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
      (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_B = _A[6] + (0.0,)
_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)
_SAFETY, _SHRINK, _GROW = 0.9, 0.2, 10.0


def _rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if np.size(x) else 0.0


class _Solver:
    """Steps of Dormand-Prince over a flat state `y`, `rhs(t, y) -> dy/dt`, ending each
    interval exactly on its end time (the outputs need no interpolation)."""

    def __init__(self, rhs, rtol, atol, max_steps, what):
        self.rhs, self.rtol, self.atol = rhs, rtol, atol
        self.max_steps, self.what = max_steps, what
        self.steps = 0
        self.h = None  # the step size carried over from interval to interval
        self.trail = None  # a list: (t, y) after each accepted step is appended to it

    def _first_step(self, t, y, f, direction, span):
        """A first step size from the sizes of y, f and f's change (Hairer, Norsett and
        Wanner's starting rule)."""
        scale = self.atol + np.abs(y) * self.rtol
        d0, d1 = _rms(y / scale), _rms(f / scale)
        h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
        h0 = min(h0, span)
        f1 = self.rhs(t + direction * h0, y + direction * h0 * f)
        d2 = _rms((f1 - f) / scale) / h0
        if max(d1, d2) <= 1e-15:
            h1 = max(1e-6, h0 * 1e-3)
        else:
            h1 = (0.01 / max(d1, d2)) ** (1 / 5)
        return min(100 * h0, h1, span)

    def advance(self, t0, t1, y, f):
        """(y at t1, f at t1) from y and f = rhs(t0, y) at t0."""
        span = abs(t1 - t0)
        if span == 0:
            return y, f
        direction = 1.0 if t1 > t0 else -1.0
        if not (np.all(np.isfinite(y)) and np.all(np.isfinite(f))):
            raise SrcGradError(f"odeint: {self.what}: the state or func's value is not finite "
                               f"at t={t0:.6g}")
        if self.h is None:
            self.h = self._first_step(t0, y, f, direction, span)
        t = t0
        while (t1 - t) * direction > 0:
            h = min(self.h, abs(t1 - t))
            last = abs(t1 - t) - h <= 1e-12 * max(abs(t), abs(t1))
            if last:
                h = abs(t1 - t)
            y_new, f_new, error = self._step(t, y, f, direction * h)
            scale = self.atol + self.rtol * np.maximum(np.abs(y), np.abs(y_new))
            norm = _rms(error / scale)
            self.steps += 1
            if self.steps > self.max_steps:
                raise SrcGradError(f"odeint: {self.what} took more than max_steps="
                                   f"{self.max_steps} steps (stiff, or a blow-up near "
                                   f"t={t:.6g}?); pass a larger max_steps or looser rtol/atol")
            if not np.isfinite(norm):
                self.h = h * _SHRINK
            elif norm <= 1.0:
                t = t1 if last else t + direction * h
                y, f = y_new, f_new
                if self.trail is not None:
                    self.trail.append((t, y))
                factor = _GROW if norm == 0 else min(_GROW, max(_SHRINK, _SAFETY * norm ** -0.2))
                self.h = max(self.h, h * factor) if last else h * factor  # (last: clipped)
                continue
            else:
                self.h = h * max(_SHRINK, _SAFETY * norm ** -0.2)
            if self.h <= 1e-14 * max(abs(t), 1.0):
                raise SrcGradError(f"odeint: {self.what}: the step size fell below "
                                   f"{self.h:.3g} at t={t:.6g} (a singularity, or a "
                                   "non-finite value of func?)")
        return y, f

    def _step(self, t, y, f, h):
        stages = [f]
        for i in range(1, 7):
            y_i = y + h * sum(a * k for a, k in zip(_A[i], stages) if a)
            stages.append(self.rhs(t + _C[i] * h, y_i))
        y_new = y + h * sum(b * k for b, k in zip(_B, stages) if b)
        return y_new, stages[6], h * sum(e * k for e, k in zip(_E, stages) if e)


def _times(t):
    times = np.asarray(t, dtype=float)
    if times.ndim != 1 or times.size == 0:
        raise SrcGradError(f"odeint: t must be a 1-d array of output times, got shape "
                           f"{times.shape}")
    steps = np.diff(times)
    if not (np.all(steps >= 0) or np.all(steps <= 0)):  # (a repeated time: the same y)
        raise SrcGradError("odeint: t must be increasing or decreasing (not both)")
    return times


def _state(y0):
    y0 = np.asarray(y0)
    if not np.issubdtype(y0.dtype, np.number) or np.iscomplexobj(y0):
        raise SrcGradError(f"odeint: y0 must be real numbers, got dtype {y0.dtype}")
    return np.asarray(y0, dtype=float)


def _call(func, y, t, params, shape):
    # a copy: a func that writes into its y must not change the solver's state
    value = np.asarray(func(y.reshape(shape).copy(), t, *params), dtype=float)
    if value.shape != shape:
        raise SrcGradError(f"odeint: func returned shape {value.shape}, but y has shape "
                           f"{shape}: func(y, t, *params) must return dy/dt shaped like y")
    return value.ravel()


def odeint(func: Callable[..., Any], y0: Any, t: Any, *params: Any, rtol: float = 1e-7,
           atol: float = 1e-9, max_steps: int = 100_000) -> np.ndarray:
    """y(t) for each time of `t`, where dy/dt = func(y, t, *params) and y(t[0]) = y0.

    The argument order is scipy.integrate.odeint's. `y0` is an array of any shape (or a
    number); the result has shape `(len(t),) + shape(y0)`. `t` may decrease. Inside a
    function given to `grad`, gradients flow to `y0`, to each of `params` (arrays or
    numbers) and to `t`, by the adjoint method with `func` differentiated by srcgrad.
    """
    times, y = _times(t), _state(y0)
    shape, dtype = y.shape, np.result_type(np.asarray(y0).dtype, 1.0)
    solver = _Solver(lambda s, v: _call(func, v, s, params, shape), rtol, atol, max_steps,
                     "the solve")
    y = y.ravel()
    f = solver.rhs(times[0], y)
    out = [y]
    for t0, t1 in zip(times[:-1], times[1:]):
        y, f = solver.advance(t0, t1, y, f)
        out.append(y)
    return np.stack(out).reshape((len(times),) + shape).astype(dtype, copy=False)


@dataclass
class OdeAdjoints:
    """The gradients `odeint`'s rule gives: to y0, to the output times, to each parameter."""
    y0: np.ndarray
    t: np.ndarray
    params: tuple


def odeint_backward(seed, ys, func, y0, t, params, rtol=1e-7, atol=1e-9,
                    max_steps=100_000) -> OdeAdjoints:
    """The adjoints of odeint's arguments for the adjoint `seed` of its result `ys`: the
    augmented state (y, a, the parameters' adjoints) integrated from each output time back
    to the one before, `seed`'s row added to `a` at each output time."""
    times, shape = _times(t), np.shape(y0)
    seed, ys = np.asarray(seed, dtype=float), np.asarray(ys, dtype=float)
    params = tuple(map(_parameter, params))
    # the parameters holding floats (arrays, numbers, or dicts, lists and tuples of them);
    # the others get no gradient
    carried = [i for i, p in enumerate(params) if _leaves(p)]
    arrays = [np.asarray(leaf) for i in carried for leaf in _leaves(params[i])]
    n, sizes = int(np.prod(shape, dtype=int)), [p.size for p in arrays]
    # The general variant's two sweeps, called directly: vjp's per-call checks and copies
    # would cost more than most right-hand sides (nothing here writes into their arrays).
    generated = GradientFunction(func, (0,) + tuple(2 + i for i in carried),
                                 with_value=True).general()

    def products(y, s, a):
        """(f, a . df/dy, a . df/dp for each p carried), all flat."""
        value, saved = generated.forward(y.reshape(shape), s, *params)
        value = np.asarray(value, dtype=float)
        if value.shape != shape:
            raise SrcGradError(f"odeint: func returned shape {value.shape}, but y has shape "
                               f"{shape}")
        pulled = generated.backward(a.reshape(shape), *saved)
        pulled = pulled if isinstance(pulled, tuple) else (pulled,)
        flat = [pulled[0]] + [g for i, p in zip(carried, pulled[1:])
                              for g in _leaves(p, params[i])]
        return value.ravel(), [np.broadcast_to(np.asarray(g, dtype=float), np.shape(x)).ravel()
                               for g, x in zip(flat, [y.reshape(shape)] + arrays)]

    def rhs(s, state):
        f, pulled = products(state[:n], s, state[n:2 * n])
        return np.concatenate([f, -np.concatenate(pulled)])

    solver = _Solver(rhs, rtol, atol, max_steps, "the adjoint solve")

    def stepwise(t0, t1, y0_, a, p_bar):
        """The augmented state at t0 from (y(t1), a, p_bar), with y taken from the forward
        solve redone from y0_ at t0, step by step: integrating y backward from t1 drifts
        away from the forward solution where a mode decays fast (stiff), and the drift
        would make the gradient wrong."""
        forward = _Solver(lambda s, v: _call(func, v, s, params, shape), rtol, atol,
                          max_steps, "the adjoint solve's recomputation")
        forward.trail = [(t0, y0_)]
        forward.advance(t0, t1, y0_, forward.rhs(t0, y0_))
        state = np.concatenate([y0_, a, p_bar])
        for (s0, _), (s1, y_s1) in reversed(list(zip(forward.trail, forward.trail[1:]))):
            state = np.concatenate([y_s1, state[n:]])
            state, _ = solver.advance(s1, s0, state, rhs(s1, state))
        return state

    rows = seed.reshape(len(times), n)
    a = rows[-1].copy()
    p_bar = np.zeros(sum(sizes))
    t_bar = np.zeros(len(times))
    for i in range(len(times) - 1, 0, -1):
        y_i = ys[i].ravel()
        f_i = _call(func, y_i, times[i], params, shape)
        t_bar[i] = rows[i] @ f_i
        state = np.concatenate([y_i, a, p_bar])
        state, _ = solver.advance(times[i], times[i - 1], state, rhs(times[i], state))
        if _drifted(state[:n], ys[i - 1].ravel(), rtol, atol):
            state = stepwise(times[i - 1], times[i], ys[i - 1].ravel(), a, p_bar)
        a, p_bar = state[n:2 * n], state[2 * n:]
        if i > 1:
            a = a + rows[i - 1]
    f_0 = _call(func, np.asarray(ys[0], dtype=float).ravel(), times[0], params, shape)
    t_bar[0] = -(a @ f_0) if len(times) > 1 else 0.0
    a = a + rows[0] if len(times) > 1 else rows[0].copy()
    parts = iter(np.split(p_bar, np.cumsum(sizes)[:-1]) if sizes else [])
    split = {i: _rebuilt(params[i], parts) for i in carried}
    return OdeAdjoints(a.reshape(shape), t_bar.reshape(np.shape(t)), tuple(
        split.get(i) for i in range(len(params))))


def _drifted(y, expected, rtol, atol) -> bool:
    """Has y, integrated backward over an interval, left the forward solution `expected`
    by more than a few times the tolerance?"""
    return _rms((y - expected) / (atol + rtol * np.abs(expected))) > 10.0


def _parameter(p):
    """A parameter as the adjoint solve passes it to func: a list or tuple of numbers as a
    float array (its gradient is one), anything else as given."""
    if isinstance(p, (list, tuple)) and np.asarray(p).dtype.kind in "fiu":
        return np.asarray(p, dtype=float)
    return p


def _leaves(p, like=None) -> list:
    """The float arrays and numbers of a parameter `like` (a dict, list or tuple of them
    included), in order; with `p` a gradient of `like`, its parts at those places (None
    where it has none: a dict's gradient may lack a key)."""
    like = p if like is None else like
    if isinstance(like, dict):
        return [g for key, v in like.items()
                for g in _leaves(None if p is None else p.get(key), v)]
    if isinstance(like, (list, tuple)):
        return [g for i, v in enumerate(like)
                for g in _leaves(None if p is None else p[i], v)]
    if not _real(like):
        return []
    return [np.zeros(np.shape(like)) if p is None else p]


def _rebuilt(like, parts):
    """A gradient structured like the parameter `like` from its leaves' flat `parts`."""
    if isinstance(like, dict):
        return {key: _rebuilt(v, parts) for key, v in like.items()}
    if isinstance(like, (list, tuple)):
        items = [_rebuilt(v, parts) for v in like]
        return type(like)(*items) if hasattr(like, "_fields") else type(like)(items)
    if not _real(like):
        return None
    part = next(parts).reshape(np.shape(like))
    return float(part) if isinstance(like, float) else part


def _real(p) -> bool:
    """Does the parameter carry a gradient: a float, or an array of floats?"""
    return (isinstance(p, (float, np.floating)) or isinstance(p, np.ndarray)
            and p.dtype.kind == "f")


@custom_adjoint(odeint)
def odeint_adjoint(z, func, y0, t, *params, rtol=1e-7, atol=1e-9, max_steps=100_000):
    adjoints = odeint_backward(d[z], z, func, y0, t, params, rtol, atol, max_steps)
    d[y0] = adjoints.y0
    d[t] = adjoints.t
    d[params] = adjoints.params
