"""Write docs/supported.md from the rule registry: every function srcgrad differentiates.

    python tools/gen_supported.py          # rewrite docs/supported.md
    python tools/gen_supported.py --check  # exit 1 if docs/supported.md is out of date

tests/rules/test_registry.py runs the check, so the page cannot drift from the registry.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import json
import math
import sys
from pathlib import Path

import numpy as np

from srcgrad.frontend.refusals import REFUSALS
from srcgrad.rules import NONDIFFERENTIABLE, RULES
from srcgrad.rules.registry import DEFINITIONS, display_name, public_name, spelled

PAGE = Path(__file__).resolve().parent.parent / "docs" / "supported.md"
# The functions HIPS autograd (A), JAX (J) and PyTorch (T) differentiate for real
# floating-point arrays: measured with the peers installed (autograd 1.9.1, jax 0.10.2,
# torch 2.13), each function's gradient checked against finite differences.
PEERS = Path(__file__).resolve().parent / "peers.json"
_PEER_NAMES = {"A": "autograd", "J": "JAX", "T": "PyTorch"}

SECTIONS = [
    ("core", "Arithmetic and assignment"),
    ("elementwise", "Elementwise functions"),
    ("selection", "Absolute value, maximum, minimum, where, clip and casts"),
    ("reductions", "Reductions and running sums"),
    ("shapes", "Shapes, joining and indexing"),
    ("linalg", "Linear algebra"),
    ("items", "Element assignment, append and containers"),
    ("layout", "Triangles, splits, joins and axes"),
    ("defined", "Statistics, quantiles, polynomials and more, defined as code"),
    ("decompositions", "Factorizations and triangular solves"),
    ("scipy_linalg", "scipy.linalg: numpy.linalg's functions with SciPy's arguments"),
    ("special", "scipy.special"),
    ("special_integrals", "scipy.special: integrals, Bessel and zeta functions"),
    ("stats", "scipy.stats distributions, defined as code"),
    ("stats_tails", "scipy.stats: log-cdf, tails and quantiles, defined as code"),
    ("signal", "scipy.signal"),
]

# Library functions srcgrad writes out where they are called, as code the rules above
# differentiate (no rule of their own): (function, arguments, notes).
WRITTEN_OUT = [
    (np.piecewise, "x, condlist, funclist, *args, **kw",
     "NumPy's masked assignments (`srcgrad/frontend/piecewise.py`): each function of "
     "funclist (a lambda, a nested or module function, a NumPy function, listed in the call) "
     "is called on `x[condition]` with `*args, **kw`, a constant assigned; one condition or "
     "a list, and the *otherwise* function when there is one more function than conditions."),
]

HEADER = """\
# Supported functions

Generated from srcgrad's rule registry by `python tools/gen_supported.py`; do not edit
by hand (a test checks this page is up to date).

Every function below has an adjoint rule, checked against finite differences on
the examples registered with it (`tests/test_rules.py`). Arguments are the ones
the rule accepts; a call with others is refused with the line it is on. Python's
operators map to NumPy's functions: `+ - * / ** @ % //` are `np.add`,
`np.subtract`, `np.multiply`, `np.divide`, `np.power`, `np.matmul`,
`np.remainder` and `np.floor_divide`, and unary `-` is `np.negative`.

Every function below also has a tangent rule, so forward mode (`jvp`,
`jacobian(mode="fwd")`) works on it, checked against finite differences and against
reverse mode (`tests/test_tangents.py`). Second derivatives (`hessian`, `hvp`,
`grad(grad(f))`) differentiate the generated gradient code again and work for all of
them (`tests/api/test_second_order.py`); the runtime helpers that code calls have tangent
rules, or srcgrad differentiates their own NumPy source (the adjoints of `np.prod` and
`np.cumprod`, exact at zeros, of `np.linalg.norm` with an `ord`, `qr`, `lstsq` and `svd`:
`tests/api/test_helper_hessians.py`).

The sections *defined as code* hold library functions srcgrad writes as a few lines of
NumPy over functions with rules (`srcgrad/rules/defined.py`, `stats.py`, `stats_tails.py`,
`scipy_linalg.py`): a call runs that code, so its gradient, forward mode and second
derivatives come from those rules (checked against finite differences,
`tests/rules/test_definitions.py`, `tests/api/test_second_order.py`). A frozen distribution
(`d = scipy.stats.norm(mu, s); d.logpdf(x)`) is read as the distribution's function with
its parameters. SciPy is optional: its functions are supported when it imports. srcgrad
never reads NumPy's or SciPy's own source: a library function with no rule is refused by
its public name (`scipy.special.hyp2f1`, `numpy.linalg.eig`), with the closest supported
ones. Complex intermediates of real arguments (`x + 1j * y`, `complex(0, 1) * x`) are
followed, both modes, as JAX does (the adjoint of a complex value is d/d(real) - 1j
d/d(imag)): arithmetic, `**`, exp, log, sqrt, the trigonometric and hyperbolic functions,
sums and means, `np.real`/`np.imag`/`np.conj` (and `.real`, `.imag`, `.conj()`), abs,
vector `np.linalg.norm`s, dot and `@` (tests/attack/test_dtype_programs.py). Complex
arguments to differentiate, `np.angle`, matrix norms of a complex matrix, `np.fft` and
`numpy.linalg.eig` are refused. A float written into an integer or bool array
(`h[0] = x[0] * 10` of `h = np.zeros(4, dtype=int)`) is truncated there: no derivative.
Arguments without a closed-form derivative are refused by name: the shape parameters of
`gammainc`, `gammaincc` and `betainc` (and so of the cdfs of `scipy.stats.gamma` in `a`,
`beta` in `a` and `b`, `nbinom` in `n`, and `t` in `df`), the orders of `polygamma` and the
Bessel functions.

The *Peers* column says which of HIPS autograd, JAX and PyTorch differentiate the function
for real floating-point arrays (measured with autograd 1.9.1, JAX 0.10.2 and PyTorch 2.13,
each gradient checked against finite differences; `tools/peers.json`).
"""

NOTES = """\
## How the edge cases behave

**Ties in `max` and `min`.** `np.max`, `np.amax`, `x.max()` (and the `min`s) give
the gradient to every element equal to the result, split equally: the maximum
of `[1, 3, 3]` has gradient `[0, 0.5, 0.5]`. `np.maximum(x, y)`, `np.fmax` and
Python's `max(x, y)` give half to each side where `x == y`.

**`np.clip(x, a_min, a_max)`.** The gradient passes to `x` where
`a_min <= x <= a_max`, bounds included; a bound that is an array or variable
gets the gradient where it replaced `x` (`x < a_min`, `x > a_max`).

**Repeated indices.** Reading `x[[0, 0, 1]]` sends the adjoint of every copy back to
`x[0]`. Writing `h[[0, 0, 1]] = v` or `h[[0, 0, 1]] += v` leaves one element of `v` in
each slot (NumPy's buffered assignment keeps the last): that element gets the slot's
gradient, the ones it overwrote get none.

**Integer division.** `x // y` (`np.floor_divide`) is piecewise constant, so its
derivative is zero wherever it exists: it is registered as non-differentiable and
its result carries no gradient at all (no code is generated for it). `x % y`
(`np.remainder`) has `d/dx = 1` and `d/dy = -floor(x / y)`.

**`np.where` and NaN.** `np.where(c, x, y)` sends the gradient to `x` where `c`
holds and to `y` elsewhere. Rules whose derivative is infinite at the edge of
their domain (`sqrt`, `log`, `log1p`, `log2`, `log10`, `arcsin`, `arccos`,
`arccosh`, `arctanh`, `cbrt`, `reciprocal`, `/`, `hypot`, `arctan2`, `std`,
`norm`) keep a zero adjoint zero instead of computing `0 * inf = nan`, so

```python
import numpy as np
from srcgrad import grad

def roots(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))   # gradient 0 where x <= 0, not NaN

def ratios(x, y):
    return np.sum(np.where(y != 0, x / y, 0.0))       # gradient 0 where y == 0

print(grad(roots)(np.array([-1.0, 4.0])), grad(ratios)(np.ones(2), np.array([0.0, 2.0])))
```

<!-- output -->
```text
[0.   0.25] [0.  0.5]
```

have finite gradients everywhere. When the untaken branch's NaN flows through
further operations first (`np.where(x > 0, w * np.log(x), 0.0)`: the product's
rule multiplies the zero adjoint of `w` by `log(x) = nan`), use the *double
where*: make the input safe before the function, then select the result.

```python
def loss(x, w):
    safe = np.where(x > 0, x, 1.0)                      # any value inside the domain
    return np.sum(np.where(x > 0, w * np.log(safe), 0.0))   # finite gradient for x and w

print(grad(loss, wrt=(0, 1))(np.array([-1.0, 2.0]), 3.0))
```

<!-- output -->
```text
(array([0. , 1.5]), 0.6931471805599453)
```

`x ** y` is not guarded: write `np.sqrt(x)` rather than `x ** 0.5` under a `where`,
or use the double where. The same holds for a value that overflows to `inf` where the
result does not read it (`np.where(x < 50, np.exp(x), 0.0)` at `x = 1000`, or a value
computed in a loop's first step and overwritten in the next): its zero adjoint times
an infinite slope is `nan`, as in PyTorch and JAX. Keep it finite with the double where
(`np.exp(np.minimum(x, 50.0))`).

**Powers.** `x ** 0` is 1 for every `x`, so its gradient is 0, at `x = 0` too; an
exponent array gives 0 where it holds a 0 (`np.power(x, y)`). A power below one
(`x ** 0.5`, `x ** -1`) has gradient `inf` at `x = 0`, as `np.sqrt`, a Python float too.

**Products.** `np.prod` and `np.cumprod` give exact gradients where `x` has zeros
(the product of the other elements), not `prod / x`.

**Norms.** `np.linalg.norm` supports every `ord` NumPy has, with any `axis` and
`keepdims`: the 2-norm and Frobenius norm (`ord=None` or `'fro'`; gradient 0 at
`x = 0`), vector p-norms (any p, `inf`, `-inf`; `ord=0` counts nonzeros and has
gradient 0) and matrix norms (`'nuc'`: U V^T of the SVD; `2`, `-2`: the top or bottom
singular pair; `1`, `-1`, `inf`, `-inf`: the largest or smallest column or row sum).
Where the norm picks one of several equal singular values or sums, the gradient is
shared equally among them.

**Tuple results.** `sign, logdet = np.linalg.slogdet(a)` works as written: the
sign is piecewise constant and carries no gradient.

**`np.einsum`.** Explicit (`'ij,jk->ik'`) and implicit (`'ij,jk'`) subscripts and the
sublist form (`np.einsum(a, [0, 1], b, [1, 2], [0, 2])`, `Ellipsis` too), ellipses,
repeated indices (`'ii'`) and size-1 broadcasting, any number of operands, `optimize=`.

**Casts.** `x.astype(float)` (any float type) passes the gradient, cast back to
`x`'s dtype; `x.astype(int)` carries none.

**Repeated eigenvalues.** The eigenvalues of a symmetric matrix (`np.linalg.eigh`,
`np.linalg.eigvalsh`, `scipy.linalg.eigh`) are continuous but not differentiable where two
are equal; their adjoint `V diag(d[w]) V^T` is used there as elsewhere, which is the
derivative of any function symmetric in the equal ones (`np.sum(w ** 2)`, a trace).
The eigenvectors of a repeated eigenvalue are not unique and have no derivative: the
terms `1 / (w[j] - w[i])` of two exactly equal eigenvalues are 0, never `inf` or NaN.
That is the gradient when the loss does not depend on the basis NumPy picks within the
eigenspace (a projector `V[:, S] @ V[:, S].T` onto all of it, or the eigenvectors of the
other, distinct eigenvalues), and one of many otherwise. Eigenvalues close but not equal
give terms as large as `1 / (w[j] - w[i])`. `np.linalg.svd` does the same with the
terms `1 / (s[j]**2 - s[i]**2)` of equal singular values
(`tests/rules/test_decompositions.py`).

**Standard deviation at zero spread.** Where `x` is constant along the reduced
axes `np.std` is not differentiable; its gradient there is 0.
"""


def spelling(key) -> str:
    """How a user writes the call a key stands for."""
    if key == "identity":
        return "`y = x` (assignment), unary `+`"
    if key == "pack":
        return "`(a, b)`, `[a, b]` (tuples and lists of values)"
    if getattr(key, "__module__", None) in ("srcgrad.custom", "srcgrad.api.ode"):
        return f"`srcgrad.{key.__name__}`"
    if getattr(key, "__module__", None) == "srcgrad.runtime.containers":
        return {"set_at": "`h[i] = v`, `h[i] += v` (into an array made in the function)",
                "appended": "`items.append(x)` (to a list made in the function)",
                "refresh": "the same value seen through another name, an item or a record "
                           "after an update in place (`hs = [h]; h[0] = v` changes `hs[0]`)",
                "swap_item": "an item updated in place (`hs[0] += e`) seen through another name",
                "concatenated": "`items + [x]`, `t += (x,)` (lists and tuples)",
                "kept_as": "`x += v` (x keeps its type, dtype and shape)",
                "in_order": "`for x in items` (a dict's keys)",
                "largest": "`max(items)`, `max(a, b, c)`",
                "smallest": "`min(items)`, `min(a, b, c)`",
                "dict_of": "`{k: v, ...}` (dict literals and comprehensions)",
                "merged": "`{**a, **b}`"}[key.__name__]
    if key is np.r_ or key is np.c_:
        return f"`np.{'r_' if key is np.r_ else 'c_'}[a, b, ...]`"
    if key == "getitem":
        return "`x[index]` (ints, slices, `...`, `None`/`np.newaxis`, integer arrays, masks)"
    if isinstance(key, tuple):
        return f"`x.{key[1]}`" if key[0] == "attr" else f"`x.{key[1]}()`"
    for prefix, namespace in (("np.", np), ("np.linalg.", np.linalg), ("math.", math),
                              ("", builtins)):
        name = getattr(key, "__name__", None)
        if name and getattr(namespace, name, None) is key:
            return f"`{prefix}{name}`"
        for other in sorted(dir(namespace)):
            if not other.startswith("_") and getattr(namespace, other, None) is key:
                return f"`{prefix}{other}`"
    found = spelled(key)  # scipy.special.erf, scipy.stats.norm.logpdf
    return f"`{found}`" if found else f"`{display_name(key)}`"


def arguments(rule) -> str:
    if rule in DEFINITIONS.values():  # a definition's parameters are the call's
        params = list(inspect.signature(rule.function).parameters.values())
    else:
        params = list(rule.signature.parameters.values())[1:]
    return ", ".join(str(p) for p in params)


def notes(rule) -> str:
    comment = inspect.getcomments(rule.template) or ""
    return " ".join(line.lstrip("# ").strip() for line in comment.splitlines()).replace("|", "\\|")


def _resolved(name):
    """The object a public name stands for (`scipy.stats.norm.logpdf`), or None."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
        return obj
    return None


def peers() -> dict:
    """{public name: the peers that differentiate it ("AJT")}."""
    return json.loads(PEERS.read_text())


def _peer_table():
    """[(key object, public name, peers)] of the peers' functions this NumPy and SciPy have."""
    out = []
    for name, which in peers().items():
        obj = _resolved(name)
        if obj is not None:
            out.append((obj, name, which))
    return out


def _same(a, b) -> bool:
    try:
        return a is b or (type(a) is type(b) and hasattr(a, "__self__") and a == b)
    except Exception:  # (objects whose == is elementwise)
        return False


def _peers_of(keys, table) -> str:
    found = set()
    for key in keys:
        for obj, _, which in table:
            if _same(obj, key):
                found |= set(which)
    return ", ".join(_PEER_NAMES[c] for c in "AJT" if c in found)


def _library_keys(entries) -> list:
    """The keys of `entries` that are library functions (NumPy, SciPy, math), each once."""
    out = []
    for rule, keys in entries:
        for key in keys:
            if public_name(key) is not None and not any(_same(key, k) for k in out):
                out.append(key)
    return out


def _entries():
    """{module: {id: (rule or definition, [keys])}} of srcgrad's own rules and definitions."""
    by_module = {}
    for table in (RULES, DEFINITIONS):
        for key, rule in table.items():
            module = rule.template and rule.template.__module__
            if (module is None or not module.startswith("srcgrad.")
                    or module.endswith(".helper_adjoints") or module.startswith("srcgrad.runtime")):
                continue  # runtime helpers (of generated code), or a user's custom_adjoint rule
            module = rule.template.__module__.rsplit(".", 1)[-1]
            by_module.setdefault(module, {}).setdefault(id(rule), (rule, []))[1].append(key)
    return by_module


def counts(by_module, table) -> str:
    entries = [entry for rules in by_module.values() for entry in rules.values()]
    functions = _library_keys(entries) + [f for f, _, _ in WRITTEN_OUT]
    have = [any(_same(obj, key) for key in functions) for obj, _, _ in table]
    per_peer = []
    for letter in "AJT":
        theirs = [h for h, (_, _, which) in zip(have, table) if letter in which]
        per_peer.append(f"{_PEER_NAMES[letter]} {len(theirs)} (srcgrad has {sum(theirs)})")
    return (f"**{len(functions)} differentiable library functions** (NumPy, SciPy and `math` "
            "functions with a rule or a definition, each counted once under all its names), "
            "besides the operators, methods and attributes. Of the "
            f"{len(table)} functions the peers differentiate (their union), srcgrad has "
            f"{sum(have)}; per peer: {', '.join(per_peer)}.")


def render() -> str:
    by_module = _entries()
    table = _peer_table()
    out = [HEADER, counts(by_module, table), ""]
    for module, title in SECTIONS + [(m, m) for m in sorted(set(by_module) - {
            m for m, _ in SECTIONS})]:
        rules = by_module.pop(module, {})
        if not rules:
            continue
        out += [f"## {title}", "", "| Call | Arguments | Peers | Notes |",
                "| --- | --- | --- | --- |"]
        for rule, keys in rules.values():
            calls = ", ".join(spelling(k) for k in keys)
            out.append(f"| {calls} | `{arguments(rule)}` | {_peers_of(keys, table)} "
                       f"| {notes(rule)} |")
        out.append("")
    out += ["## Written out where it is called", "",
            "These become, at the line that calls them, code the rules above differentiate, "
            "so reverse mode, forward mode and second derivatives follow "
            "(`tests/frontend/test_piecewise.py`).", "",
            "| Call | Arguments | Peers | Notes |", "| --- | --- | --- | --- |"]
    out += [f"| {spelling(f)} | `{arguments}` | {_peers_of([f], table)} | {note} |"
            for f, arguments, note in WRITTEN_OUT] + [""]
    constants = sorted({spelling(k) for k in NONDIFFERENTIABLE
                        if not getattr(k, "__module__", "").startswith("srcgrad.")})
    out += ["## No gradient (results are constants)", "",
            "These run as usual; their results carry no gradient (comparisons, rounding, "
            "integer division, indices, shapes, and constructors of constant arrays such as "
            "`np.zeros`, `np.eye`, `np.arange`):", "", ", ".join(constants), ""]
    out += refused()
    out.append(NOTES)
    return "\n".join(out)


def refused() -> list:
    """The section of what srcgrad refuses, from the table its errors are made from."""
    out = ["## What it refuses, and how to write it instead", "",
           "Each of these stops the transformation with a `SrcGradError` at the line that "
           "uses it, saying what to write instead (`srcgrad/frontend/refusals.py`, which "
           "this table is generated from):", "", "| Refused | Write instead |", "| --- | --- |"]
    seen = set()
    for entry in REFUSALS.values():
        if entry not in seen:
            seen.add(entry)
            instead = entry.instead[0].upper() + entry.instead[1:]
            out.append(f"| {entry.what[0].upper() + entry.what[1:]} | {instead}. |")
    return out + [""]


def main(argv) -> int:
    text = render()
    if "--check" in argv:
        if not PAGE.exists() or PAGE.read_text() != text:
            print(f"{PAGE} is out of date: run python tools/gen_supported.py", file=sys.stderr)
            return 1
        return 0
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
