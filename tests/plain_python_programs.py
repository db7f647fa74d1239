"""Random programs of plain Python (issue 19's constructs) mixed with in-place updates, on
arrays larger than buffer_reuse.MIN_SIZE so the fused gradient's buffer reuse and in-place
ufuncs act: tests/end_to_end/test_attack_fused.py runs them.

`generate(seed)` returns (source text of a module with `f(x, y)`, features used). Each
statement is drawn from a pool: arithmetic, in-place updates (`+=`, `*=`, `a[i] = ...`),
aliases (`b = a`, a helper that returns its parameter), containers (lists, dicts,
comprehensions, generator expressions, `sum`/`max`/`zip`/`enumerate`/`map`/`reversed`),
closures and lambdas (reading names later updated in place or rebound), nested
functions with defaults, namedtuple records, `functools.partial`/`reduce`, loops and
`if`s on computed values, helpers that write their arguments. Values stay bounded (tanh,
sin, small factors) and smooth, so central finite differences judge every gradient.
"""

from __future__ import annotations

import random

SHAPE = (128, 130)

HEADER = '''import functools
from collections import namedtuple

import numpy as np

Rec = namedtuple("Rec", "a b")


def ident(a):
    return a


def scaled(a, k=0.5):
    return a * k


def bump(a, v):
    a += v * 0.25
    return 0.0


def bump_ret(a, v):
    a *= 0.5
    a += np.tanh(v)
    return a


def twice_helper(a, v):
    t = ident(a)
    t = t * 0.5 + np.sin(v)
    return t
'''


class _Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.lines = []
        self.names = ["x", "y"]  # live arrays of SHAPE (x and y: the arguments)
        self.owned = []  # arrays made here: may be updated in place
        self.count = 0
        self.features = set()

    def new(self, prefix="h"):
        self.count += 1
        return f"{prefix}{self.count}"

    def pick(self):
        return self.rng.choice(self.names)

    def emit(self, text, indent=1):
        for line in text.strip("\n").split("\n"):
            self.lines.append("    " * indent + line)

    def fresh(self, expr, feature):
        name = self.new()
        self.emit(f"{name} = {expr}")
        self.names.append(name)
        self.owned.append(name)
        self.features.add(feature)
        return name

    # --- statements -------------------------------------------------------------------
    def arith(self):
        a, b = self.pick(), self.pick()
        expr = self.rng.choice([f"np.tanh({a}) * {b}", f"np.sin({a} + {b})",
                                f"{a} * 0.5 - np.cos({b})", f"np.exp(np.tanh({a})) * 0.3"])
        self.fresh(expr, "arith")

    def inplace(self):
        if not self.owned:
            return self.arith()
        a, b = self.rng.choice(self.owned), self.pick()
        op = self.rng.choice([f"{a} += np.tanh({b}) * 0.5", f"{a} *= 0.75",
                              f"{a} -= {b} * 0.25", f"{a}[0] = np.sin({b}[1])",
                              f"{a}[2:5] += np.cos({b}[2:5])", f"{a}[:, 3] = {b}[:, 4] * 0.5"])
        self.emit(op)
        self.features.add("inplace")

    def alias(self):
        a = self.rng.choice(self.owned) if self.owned else self.pick()
        kind = self.rng.choice(["plain", "ident", "ifexp"])
        expr = {"plain": a, "ident": f"ident({a})",
                "ifexp": f"{a} if np.sum({self.pick()}) > -1e9 else {self.pick()} * 2.0"}[kind]
        name = self.fresh(expr, "alias_" + kind)
        if self.rng.random() < 0.5:
            self.emit(f"{name} += np.sin({self.pick()}) * 0.5")

    def container(self):
        a, b = self.pick(), self.pick()
        hs = self.new("hs")
        kind = self.rng.choice(["list", "comp", "dict", "genexp", "zip", "enumerate",
                                "map", "reversed", "max"])
        self.features.add("container_" + kind)
        if kind == "list":
            self.emit(f"{hs} = [{a}, {b}]")
            if self.rng.random() < 0.5:
                self.emit(f"{hs}[0] *= 0.5" if a in self.owned else f"{hs}.append({a} * 0.5)")
            self.fresh(f"{hs}[0] * {hs}[-1]", "container_list")
        elif kind == "comp":
            self.emit(f"{hs} = [np.tanh({a} * k) for k in (0.5, 1.0, 1.5) if k > 0.6]")
            if self.rng.random() < 0.5:
                self.emit(f"{hs}[1] += {b} * 0.5")
            self.fresh(f"np.stack([v * 2.0 for v in {hs}]).sum(axis=0)", "container_comp")
        elif kind == "dict":
            self.emit(f"{hs} = {{'a': {a}, 'b': {b} * 0.5}}")
            self.emit(f"{hs} = {{k: np.tanh(v) for k, v in {hs}.items()}}")
            self.emit(f"{hs}2 = {{**{hs}, 'c': {a}}}")
            self.fresh(f"{hs}2['a'] * {hs}2['c'] + {hs}['b']", "container_dict")
        elif kind == "genexp":
            self.fresh(f"sum((np.sin(v) * w for v, w in zip([{a}, {b}], [0.5, 0.25])), {a} * 0.1)",
                       "container_genexp")
        elif kind == "zip":
            s = self.new("s")
            self.emit(f"{s} = 0.0\nfor u, v in zip([{a}, {b}], [{b}, {a}]):\n"
                      f"    {s} = {s} + np.sum(np.tanh(u) * v) * 1e-4")
            self.fresh(f"{a} * {s}", "container_zip")
        elif kind == "enumerate":
            self.fresh(f"sum(np.tanh(v) * (i + 1.0) for i, v in enumerate([{a}, {b}]))",
                       "container_enumerate")
        elif kind == "map":
            self.fresh(f"sum(map(lambda v: np.sin(v) * 0.5, [{a}, {b}]))", "container_map")
        elif kind == "reversed":
            self.emit(f"{hs} = [{a} * 1.0, np.tanh({b})]")
            self.emit(f"for v in reversed({hs}):\n    v *= 0.5")
            self.fresh(f"{hs}[0] + {hs}[1]", "container_reversed")
        else:
            m = self.new("m")
            self.emit(f"{m} = max(np.sum({a}) * 1e-4, np.sum({b}) * 1e-4, -1.0)")
            self.fresh(f"{a} * {m}", "container_max")

    def closure(self):
        a, b = self.pick(), self.pick()
        g = self.new("g")
        kind = self.rng.choice(["lambda", "def", "default", "partial", "reduce"])
        self.features.add("closure_" + kind)
        if kind == "lambda":
            self.emit(f"{g} = lambda u: np.tanh(u) * {a}")
        elif kind == "def":
            self.emit(f"def {g}(u):\n    t = np.sin(u) + {a} * 0.5\n    return t * 0.5")
        elif kind == "default":
            self.emit(f"def {g}(u, k=0.5, w={a}):\n    return np.tanh(u * k) * w")
        elif kind == "partial":
            self.emit(f"{g} = functools.partial(scaled, k=0.25)")
        else:
            self.fresh(f"functools.reduce(lambda p, q: np.tanh(p) * q, [{a}, {b}, {a}])",
                       "closure_reduce")
            return
        if a in self.owned and self.rng.random() < 0.5:  # the closure sees the update
            self.emit(f"{a} *= 0.5")
            self.features.add("closure_sees_update")
        self.fresh(f"{g}({b})", "closure_call")

    def record(self):
        a, b = self.pick(), self.pick()
        r = self.new("r")
        self.emit(f"{r} = Rec({a}, np.tanh({b}))")
        self.fresh(f"{r}.a * {r}.b + {r}[1]", "record")

    def helper(self):
        a, b = self.pick(), self.pick()
        kind = self.rng.choice(["bump", "bump_ret", "twice", "scaled"])
        self.features.add("helper_" + kind)
        if kind in ("bump", "bump_ret"):
            target = self.fresh(f"{a} * 1.0", "helper_copy")
            if kind == "bump":
                self.emit(f"bump({target}, {b})")
            else:
                self.fresh(f"bump_ret({target}, {b})", "helper_bump_ret")
        elif kind == "twice":
            self.fresh(f"twice_helper({a}, {b})", "helper_twice")
        else:
            self.fresh(f"scaled({a}) + scaled({b}, 0.25)", "helper_scaled")

    def loop(self):
        a = self.rng.choice(self.owned) if self.owned else self.fresh("x * 1.0", "copy")
        b = self.pick()
        acc = self.fresh("np.zeros_like(x)", "loop")
        self.emit(f"for i in range(3):\n    {acc} += np.tanh({a} + {b} * i) * 0.25\n"
                  f"    {a} = np.sin({a}) * 0.9")

    def branch(self):
        a = self.rng.choice(self.owned) if self.owned else self.fresh("x * 1.0", "copy")
        b = self.pick()
        self.features.add("branch")
        self.emit(f"if np.sum({b}) > 0.0:\n    {a} *= 0.5\nelse:\n    {a} = np.tanh({a}) + {b}")

    def program(self, statements):
        choices = [self.arith, self.inplace, self.alias, self.container, self.closure,
                   self.record, self.helper, self.loop, self.branch]
        weights = [2, 3, 2, 3, 3, 1, 2, 1, 1]
        for _ in range(statements):
            self.rng.choices(choices, weights)[0]()
        terms = self.rng.sample(self.names, min(3, len(self.names)))
        result = " + ".join(f"np.sum(np.tanh({t}) * x)" for t in terms)
        body = "\n".join(self.lines)
        return f"{HEADER}\n\ndef f(x, y):\n{body}\n    return {result}\n"


def generate(seed: int, statements: int = 6):
    """(module text with `f(x, y)`, the features it uses)."""
    gen = _Gen(seed)
    text = gen.program(statements)
    return text, gen.features
