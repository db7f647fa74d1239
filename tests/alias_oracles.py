"""Oracles for programs that update values in place (the aliasing model, srcgrad/aliasing.py).

`judge(f, args, ...)` runs srcgrad on `f` and returns an `Outcome`, never raising:

- "ok": srcgrad's value equals plain NumPy running `f` on copies of the inputs, each
  gradient matches central finite differences (float64, several steps), the grad object
  called again (the specialized code and its entry: buffer reuse, fused passes) gives the
  same, forward mode (jvp) agrees with <grad, v>, autograd agrees where given, and the
  inputs were never changed;
- "refused:caller", "refused:caller-at-run-time", "refused:view": a SrcGradError of the
  aliasing model (the caller's data would change; a view it cannot follow would see the
  change); "refused:other": any other SrcGradError (a construct srcgrad does not support);
- "wrong" (a value or gradient differs, an input was changed, calls disagree) and
  "crash" (an exception other than SrcGradError from inside srcgrad): bugs.

Inputs may be floats, arrays, and dicts/lists/tuples of them (pytrees); gradients are
compared leaf by leaf.
"""

from __future__ import annotations

import copy
import traceback
import warnings
from dataclasses import dataclass

import numpy as np

import srcgrad
from srcgrad import SrcGradError

STEPS = (1e-6, 1e-5, 1e-4, 1e-7)
MAX_FD_SIZE = 64  # larger inputs are checked along two random directions instead


@dataclass
class Outcome:
    kind: str
    detail: str = ""

    @property
    def bug(self) -> bool:
        return self.kind in ("wrong", "crash")

    def __str__(self):
        return f"{self.kind}: {self.detail}"


def refusal_kind(exc: SrcGradError) -> str:
    text = str(exc)
    if "srcgrad cannot update this" in text:  # caller_unchanged, at run time
        return "refused:caller-at-run-time"
    if "would change the caller's data" in text:
        return "refused:caller"
    if "cannot follow this update in place" in text:
        return "refused:view"
    return "refused:other"


# --- pytrees ------------------------------------------------------------------------------


def leaves(tree) -> list:
    """The float leaves of an input, in a fixed order."""
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in leaves(tree[key])]
    if isinstance(tree, (list, tuple)) and not hasattr(tree, "_fields"):
        return [leaf for item in tree for leaf in leaves(item)]
    return [tree]


def flat(tree) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in leaves(tree)]
                          or [np.zeros(0)])


def unflat(vector, like):
    """`vector` (from `flat`) back into the structure and types of `like`."""
    pos = [0]

    def build(node):
        if isinstance(node, dict):
            return {key: build(value) for key, value in node.items()}
        if isinstance(node, (list, tuple)) and not hasattr(node, "_fields"):
            return type(node)(build(item) for item in node)
        size = int(np.size(node))
        part = vector[pos[0]:pos[0] + size]
        pos[0] += size
        if isinstance(node, np.ndarray):
            return part.reshape(node.shape).astype(node.dtype)
        return float(part[0])
    return build(like)


def grad_leaves(g, like) -> np.ndarray:
    """srcgrad's gradient `g` of the input `like`, flattened like `flat(like)` (a dict's
    missing key, a None, is zero)."""
    if isinstance(like, dict):
        g = {} if g is None else g
        return np.concatenate([grad_leaves(g.get(key) if hasattr(g, "get") else None, value)
                               for key, value in like.items()] or [np.zeros(0)])
    if isinstance(like, (list, tuple)) and not hasattr(like, "_fields"):
        items = [None] * len(like) if g is None else list(g)
        if len(items) != len(like):
            raise AssertionError(f"gradient {g!r} has {len(items)} items, input {len(like)}")
        return np.concatenate([grad_leaves(a, b) for a, b in zip(items, like)] or [np.zeros(0)])
    if g is None:
        return np.zeros(np.size(like))
    if np.shape(g) != np.shape(like):
        raise AssertionError(f"gradient shape {np.shape(g)} for an input of shape "
                             f"{np.shape(like)}")
    return np.ravel(np.asarray(g, dtype=np.float64))


def same_tree(a, b) -> bool:
    """Equal values (arrays bitwise, NaN equal to NaN) and structure."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same_tree(a[k], b[k])
                                                                 for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same_tree, a, b))
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=True))
    return type(a) is type(b) and (a == b or (a != a and b != b))


# --- the oracles ---------------------------------------------------------------------------


def plain(f, args):
    """f run by NumPy on copies of the inputs."""
    return f(*copy.deepcopy(list(args)))


def finite_differences(f, args, i, eps):
    args = list(args)
    x0 = flat(args[i])
    g = np.zeros_like(x0)
    for k in range(x0.size):
        for sign in (1, -1):
            xs = x0.copy()
            xs[k] += sign * eps
            trial = list(args)
            trial[i] = unflat(xs, args[i])
            g[k] += sign * float(plain(f, trial))
    return g / (2 * eps)


def fd_mismatch(f, args, i, got, scale, rtol=1e-5):
    """None if `got` (flat) matches central differences at one of the steps; else a
    description. Steps that disagree among themselves (f too curved or too large for
    differences to judge) give None too, with the reason kept in `fd_mismatch.unjudged`."""
    atol = 1e-6 * scale
    estimates = []
    for step in STEPS:
        with np.errstate(all="ignore"):
            numeric = finite_differences(f, args, i, step)
        if np.allclose(got, numeric, rtol=rtol, atol=atol):
            return None
        estimates.append(numeric)
    first = estimates[0]
    spread = max(np.max(np.abs(e - first), initial=0.0) for e in estimates)
    if not np.all(np.isfinite(first)) or spread > 1e-4 * (np.max(np.abs(first), initial=0)
                                                          + scale):
        return None
    return f"gradient of input {i}: srcgrad {got!r}, finite differences {first!r}"


def directional_mismatch(f, args, i, got, scale):
    """`got` against central differences along two random directions (large inputs)."""
    x0 = flat(args[i])
    rng = np.random.default_rng(x0.size)
    for _ in range(2):
        v = rng.normal(size=x0.size)
        estimates = []
        for step in STEPS:
            diffs = []
            for sign in (1, -1):
                trial = list(args)
                trial[i] = unflat(x0 + sign * step * v, args[i])
                diffs.append(float(plain(f, trial)))
            estimates.append((diffs[0] - diffs[1]) / (2 * step))
        want = float(np.dot(got, v))
        size = scale + float(np.sum(np.abs(got * v)))
        if not any(abs(want - e) <= 1e-5 * size for e in estimates):
            return f"input {i} along a direction: srcgrad {want!r}, finite differences " \
                   f"{estimates!r}"
    return None


def _general(f, args, wrt, flats, scale):
    """vjp runs the general (unspecialized) code: it must agree with the specialized."""
    before = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"):
            value, pullback = srcgrad.vjp(f, *args, wrt=wrt)
            grads = pullback(1.0)
    except SrcGradError as exc:
        return Outcome("wrong", "vjp (the general code) refused what grad ran: " + _short(exc))
    except Exception as exc:
        return Outcome("crash", "vjp: " + "".join(traceback.format_exception(exc))[-3000:])
    if not all(same_tree(a, b) for a, b in zip(args, before)):
        return Outcome("wrong", "vjp changed an input")
    if not np.isclose(float(value), float(plain(f, args)), rtol=1e-12, atol=1e-12 * scale):
        return Outcome("wrong", f"vjp value {value!r}")
    try:
        other = [grad_leaves(g, args[i]) for g, i in zip(grads, wrt)]
    except AssertionError as exc:
        return Outcome("wrong", "vjp: " + str(exc))
    for a, b in zip(flats, other):
        if not np.allclose(a, b, rtol=1e-8, atol=1e-10 * scale):
            return Outcome("wrong", f"vjp (general code) gradient {b!r}, grad {a!r}")
    return None


def _run(gradient, args):
    before = copy.deepcopy(list(args))
    with np.errstate(all="ignore"):
        result = gradient(*args)
    changed = [k for k, (a, b) in enumerate(zip(args, before)) if not same_tree(a, b)]
    return result, changed


def judge(f, args, wrt=None, calls=3, autograd_f=None, forward=True, hessian=False,
          rtol=1e-5, gradient=None) -> Outcome:
    """Run every oracle on `f(*args)` (see the module docstring). `wrt`: argument indices
    (default: every argument); `calls`: how many times the grad object is called;
    `gradient`: the `value_and_grad(f, wrt)` object to call (default: a new one)."""
    args = list(args)
    wrt = tuple(range(len(args))) if wrt is None else tuple(wrt)
    try:
        with np.errstate(all="ignore"):
            expected = plain(f, args)
    except Exception as exc:  # the program itself is broken: not srcgrad's doing
        return Outcome("invalid", f"plain NumPy raised {exc!r}")
    if not isinstance(expected, (float, int, np.number, np.ndarray)) or np.ndim(expected) != 0:
        return Outcome("invalid", f"not a scalar: {expected!r}")
    expected = float(expected)
    if not np.isfinite(expected) or abs(expected) > 1e6:
        return Outcome("invalid", f"value {expected}")
    scale = max(1.0, abs(expected))
    results = []
    try:
        gradient = gradient or srcgrad.value_and_grad(f, wrt=wrt)
        for _ in range(calls):
            result, changed = _run(gradient, args)
            if changed:
                return Outcome("wrong", f"srcgrad changed input(s) {changed}")
            results.append(result)
    except SrcGradError as exc:
        if results:  # the first call ran, a later one refused
            return Outcome("crash", "a later call refused what the first one ran: "
                           + _short(exc))
        return Outcome(refusal_kind(exc), _short(exc))
    except Exception as exc:
        return Outcome("crash", "".join(traceback.format_exception(exc))[-3000:])
    value, grads = results[0]
    if not np.isclose(float(value), expected, rtol=1e-12, atol=1e-12 * scale):
        return Outcome("wrong", f"value: srcgrad {value!r}, NumPy {expected!r}")
    try:
        flats = [grad_leaves(g, args[i]) for g, i in zip(grads, wrt)]
    except AssertionError as exc:
        return Outcome("wrong", str(exc))
    for k, (v, gs) in enumerate(results[1:], 2):
        if not np.isclose(float(v), float(value), rtol=1e-12, atol=1e-12 * scale):
            return Outcome("wrong", f"call {k} value {v!r}, first call {value!r}")
        other = [grad_leaves(g, args[i]) for g, i in zip(gs, wrt)]
        for a, b in zip(flats, other):
            if not np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale):
                return Outcome("wrong", f"call {k} gradient {b!r}, first call {a!r}")
    for g, i in zip(flats, wrt):
        problem = (fd_mismatch(f, args, i, g, scale, rtol) if g.size <= MAX_FD_SIZE
                   else directional_mismatch(f, args, i, g, scale))
        if problem:
            return Outcome("wrong", problem)
    outcome = _general(f, args, wrt, flats, scale)
    if outcome is not None:
        return outcome
    if autograd_f is not None:
        problem = _autograd(autograd_f, args, wrt, flats, scale)
        if problem:
            return Outcome("wrong", problem)
    if forward:
        outcome = _forward(f, args, wrt, flats, scale)
        if outcome is not None:
            return outcome
    if hessian:
        outcome = _hessian(f, args, wrt[0])
        if outcome is not None:
            return outcome
    return Outcome("ok")


def _autograd(fa, args, wrt, flats, scale):
    import autograd
    for g, i in zip(flats, wrt):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                expected = autograd.grad(fa, i)(*copy.deepcopy(args))
        except Exception as exc:  # autograd's own limits
            return None
        expected = grad_leaves(expected, args[i])
        if not np.allclose(g, expected, rtol=1e-8, atol=1e-10 * scale):
            return f"input {i}: srcgrad {g!r}, autograd {expected!r}"
    return None


def _forward(f, args, wrt, flats, scale):
    """jvp along a fixed direction against <grad, direction>, for array/float inputs."""
    if not all(isinstance(args[i], (float, np.ndarray)) for i in wrt):
        return None
    rng = np.random.default_rng(len(flats))
    dirs = tuple(unflat(rng.normal(size=np.size(args[i])), args[i]) for i in wrt)
    before = copy.deepcopy(args)
    try:
        with np.errstate(all="ignore"):
            value, slope = srcgrad.jvp(f, wrt=wrt)(*args, tangent=dirs)
    except SrcGradError as exc:
        if "no forward-mode" in str(exc):
            return None
        return Outcome("wrong", "jvp refused what grad ran: " + _short(exc))
    except Exception as exc:
        return Outcome("crash", "jvp: " + "".join(traceback.format_exception(exc))[-3000:])
    if not all(same_tree(a, b) for a, b in zip(args, before)):
        return Outcome("wrong", "jvp changed an input")
    expected = sum(float(np.dot(g, flat(d))) for g, d in zip(flats, dirs))
    size = scale + sum(float(np.sum(np.abs(g * flat(d)))) for g, d in zip(flats, dirs))
    if abs(float(slope) - expected) > 1e-7 * size:
        return Outcome("wrong", f"jvp {slope!r}, <grad, v> {expected!r}")
    return None


def _hessian(f, args, i):
    if not isinstance(args[i], np.ndarray):
        return None
    try:
        with np.errstate(all="ignore"):
            got = np.asarray(srcgrad.hessian(f, wrt=i)(*args))
    except SrcGradError as exc:
        return Outcome("wrong", "hessian refused what grad ran: " + _short(exc))
    except Exception as exc:
        return Outcome("crash", "hessian: " + "".join(traceback.format_exception(exc))[-3000:])
    gradient = srcgrad.grad(f, wrt=i)
    n = np.size(args[i])
    columns = []
    for k in range(n):
        def part(*a, k=k):
            return float(np.ravel(gradient(*copy.deepcopy(list(a))))[k])
        columns.append(finite_differences(part, args, i, 1e-5))
    expected = np.reshape(columns, got.shape)
    if not np.allclose(got, expected, rtol=1e-5, atol=1e-6):
        return Outcome("wrong", f"hessian {got!r}, finite differences {expected!r}")
    return None


def _short(exc) -> str:
    return str(exc).strip().splitlines()[0][:300] + (
        " | " + " ".join(str(exc).split())[-200:] if "\n" in str(exc) else "")
