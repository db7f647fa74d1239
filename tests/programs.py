"""Random differentiable programs, as Python source text, for the property tests.

A program is a function `f` of one to three float inputs: a few statements that
assign random expression trees (depth <= 4) over the inputs and earlier values,
optionally inside `if` statements, conditional expressions, `for` and `while`
loops, and a `return` that reduces everything to a scalar. Expressions use a
safe subset of srcgrad's registry: arithmetic with broadcasting, denominators
kept away from 0 (`1.0 + y * y`), `np.exp` of bounded arguments, `np.log` and
`np.sqrt` of `1 + x * x`, reductions with random `axis`/`keepdims`, `@`,
`np.dot`, transposes, reshapes, indexing and slicing.

Non-smooth operations (`np.abs`, `np.maximum`, `np.minimum`, `np.max`, `np.min`,
`np.where` and every branch condition) are allowed, but each program can also
be rendered in "probe" mode, where those operations go through helpers that
record how far the inputs were from the kink (the smallest `|a - b|` of a
comparison or tie). A test runs the probe version first and discards programs
that came within `MIN_MARGIN` of a kink, so finite differences never straddle
one: every remaining program is smooth around its inputs by construction.
Exact ties (a gap of exactly 0.0) are kept: at random inputs they only arise
structurally, from the same value on both sides (`np.maximum(v, v)`, `np.max`
over broadcast copies, two constants), where both sides move together and the
function is smooth; they exercise the rules' tie splitting.

The same program renders for HIPS autograd (`import autograd.numpy as np`),
with augmented assignments spelled out (`v = v + e`), for a second oracle.

In-place augmented assignment (`v += e`) is generated only where Python's
in-place semantics and rebinding agree: on values the function made itself
and that no other variable can alias. A view (`w = v`, `w = v.T`,
`w = np.reshape(v * 2, s)`: any view of an expression that reads `v`, as
srcgrad's syntactic check counts it) makes `v` ineligible.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import os
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

M, N = 3, 4  # the two axis lengths programs use, so shapes can broadcast: (3, 1) + (4,)
PARAM_SHAPES = [(), (M,), (N,), (M, N), (N, M), (M, 1), (1, N)]
TARGET_SHAPES = [(), (M,), (N,), (M, N), (N, M), (M, 1)]
PARAM_NAMES = ["x", "y", "w"]
CONSTANTS = ["0.5", "-0.7", "1.3", "2.0", "-1.1", "0.25"]
THRESHOLDS = ["0.0", "0.5", "-0.5", "1.0"]
MIN_MARGIN = 1e-3  # a kink closer than this to the inputs discards the program

FEATURES = frozenset({"if", "ifexp", "early_return", "for", "rows", "while", "break"})

# --- expression trees -------------------------------------------------------------


@dataclass
class Node:
    """An expression: a format string over its children's rendered text.

    `probe` is the format used in probe mode (non-smooth operations call a
    margin-recording helper there). `fresh` says the value is a new array (or
    an immutable scalar), never a view of or the same object as a variable.
    """

    fmt: str
    kids: tuple = ()
    shape: tuple = ()
    fresh: bool = True
    probe: str | None = None
    name: str | None = None  # set for a variable leaf

    def render(self, mode: str = "plain") -> str:
        fmt = self.probe if mode == "probe" and self.probe else self.fmt
        return fmt.format(*[k.render(mode) for k in self.kids])

    @property
    def aliases(self) -> set:
        """Variables whose array this value may be (or be a view of): for a view, every
        variable in it, as srcgrad's syntactic check counts them (`np.reshape(v * 2, s)`
        may share memory with v as far as the syntax tells)."""
        if self.name is not None:
            return {self.name}
        if self.fresh:
            return set()
        return self.names

    @property
    def names(self) -> set:
        """Every variable the expression reads."""
        found = {self.name} if self.name else set()
        return found.union(*[k.names for k in self.kids])


def broadcastable(shape: tuple, target: tuple) -> bool:
    """`shape` broadcasts to exactly `target`."""
    if len(shape) > len(target):
        return False
    return all(a == 1 or a == b for a, b in zip(reversed(shape), reversed(target)))


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def exact(node: Node, shape: tuple) -> Node:
    """`node` broadcast to exactly `shape`, as a new array."""
    if node.shape == shape:
        return node
    return Node("({0}) * np.ones(%s)" % _shape_text(shape), (node,), shape)


def fresh(node: Node, shape: tuple) -> Node:
    """`node` as a new array (or scalar) of exactly `shape`."""
    node = exact(node, shape)
    if node.fresh:
        return node
    if shape == ():
        return Node("({0}) * 1.0", (node,), ())
    return Node("({0}) * np.ones(%s)" % _shape_text(shape), (node,), shape)


# Unary elementwise functions that are smooth everywhere on their (whole) domain.
_UNARY = [
    "np.sin({0})", "np.cos({0})", "np.tanh({0})", "np.exp(np.tanh({0}))",
    "np.exp(0.5 * np.sin({0}))", "np.log(1.0 + ({0}) * ({0}))", "np.sqrt(1.0 + ({0}) * ({0}))",
    "-({0})", "({0}) ** 2", "np.square({0})", "np.arctan({0})", "1.0 / (1.0 + ({0}) * ({0}))",
    "np.abs(np.tanh({0}) + 1.5)", "np.abs(np.tanh({0}) - 1.5)",
]
_BINARY = [
    "({0}) + ({1})", "({0}) - ({1})", "({0}) * ({1})", "({0}) / (1.0 + ({1}) * ({1}))",
    "({0}) / (2.0 + np.sin({1}))", "np.add({0}, {1})", "np.multiply({0}, {1})",
]


# --- statements ------------------------------------------------------------------


@dataclass
class Var:
    shape: tuple
    owned: bool  # a new array no other variable can alias: `+=` is safe on it


@dataclass
class Stmt:
    kind: str  # assign, aug, if, for, rows, while, break, return
    target: str = ""
    node: Node | None = None
    op: str = ""
    cond: Node | None = None
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)
    count: int = 0
    source: str = ""  # the array iterated by `rows`; the counter of `while`

    def render(self, mode: str, indent: int) -> list[str]:
        pad = " " * indent
        if self.kind == "assign":
            return [f"{pad}{self.target} = {self.node.render(mode)}"]
        if self.kind == "aug":
            if mode == "autograd":  # autograd's boxes are immutable: same value, rebound
                return [f"{pad}{self.target} = {self.target} {self.op} ({self.node.render(mode)})"]
            return [f"{pad}{self.target} {self.op}= {self.node.render(mode)}"]
        if self.kind == "return":
            return [f"{pad}return {self.node.render(mode)}"]
        if self.kind == "break":
            return [f"{pad}if {self.cond.render(mode)}:", f"{pad}    {self.op}"]
        if self.kind == "if":
            lines = [f"{pad}if {self.cond.render(mode)}:"]
            lines += _render_block(self.body, mode, indent + 4)
            if self.orelse:
                lines.append(f"{pad}else:")
                lines += _render_block(self.orelse, mode, indent + 4)
            return lines
        if self.kind == "for":
            lines = [f"{pad}for {self.target} in range({self.count}):"]
            return lines + _render_block(self.body, mode, indent + 4)
        if self.kind == "rows":
            lines = [f"{pad}for {self.target} in {self.source}:"]
            return lines + _render_block(self.body, mode, indent + 4)
        if self.kind == "while":
            test = f"{self.source} < {self.count}"
            if self.cond is not None:
                test += f" and {self.cond.render(mode)}"
            # the counter moves first, so `continue` cannot skip it
            lines = [f"{pad}{self.source} = 0", f"{pad}while {test}:",
                     f"{pad}    {self.source} = {self.source} + 1"]
            return lines + _render_block(self.body, mode, indent + 4)
        raise ValueError(self.kind)


def _render_block(block: list, mode: str, indent: int) -> list[str]:
    lines = [line for stmt in block for line in stmt.render(mode, indent)]
    return lines or [" " * indent + "pass"]


_PROBE_HELPERS = '''
_MARGIN = [float("inf")]


def _gap(diff):
    diff = np.abs(np.asarray(diff, dtype=float))
    diff = diff[diff != 0.0]  # exact ties are structural (see the module's docstring)
    if diff.size:
        _MARGIN[0] = min(_MARGIN[0], float(np.min(diff)))


def _pgt(a, b):
    _gap(np.subtract(a, b))
    return a > b


def _plt(a, b):
    _gap(np.subtract(a, b))
    return a < b


def _pabs(a):
    _gap(a)
    return np.abs(a)


def _pmaximum(a, b):
    _gap(np.subtract(a, b))
    return np.maximum(a, b)


def _pminimum(a, b):
    _gap(np.subtract(a, b))
    return np.minimum(a, b)


def _ptop2(a, axis):
    """The gap between the two largest and the two smallest along `axis` (ties of max/min)."""
    a = np.asarray(a, dtype=float)
    if axis is None:
        a, axis = a.ravel(), 0
    s = np.sort(a, axis=axis)
    if s.shape[axis] >= 2:
        _gap(np.take(s, -1, axis=axis) - np.take(s, -2, axis=axis))
        _gap(np.take(s, 1, axis=axis) - np.take(s, 0, axis=axis))


def _pmax(a, axis=None, keepdims=False):
    _ptop2(a, axis)
    return np.max(a, axis=axis, keepdims=keepdims)


def _pmin(a, axis=None, keepdims=False):
    _ptop2(a, axis)
    return np.min(a, axis=axis, keepdims=keepdims)
'''


@dataclass
class Program:
    params: list  # [(name, shape)]; shape () is passed as a Python float
    body: list  # [Stmt]
    name: str = "f"

    def source(self, mode: str = "plain") -> str:
        """The module text: `plain` (NumPy), `probe` (records kink margins) or `autograd`."""
        head = "import autograd.numpy as np\n" if mode == "autograd" else "import numpy as np\n"
        if mode == "probe":
            head += _PROBE_HELPERS
        signature = ", ".join(name for name, _ in self.params)
        lines = [f"def {self.name}({signature}):"] + _render_block(self.body, mode, 4)
        return head + "\n\n" + "\n".join(lines) + "\n"

    def inputs(self, seed: int) -> list:
        """Inputs drawn uniformly from (-1.5, 1.5): floats for shape (), else float64 arrays."""
        rng = np.random.default_rng(seed)
        values = []
        for _, shape in self.params:
            value = rng.uniform(-1.5, 1.5, size=shape)
            values.append(float(value) if shape == () else value)
        return values

    def __str__(self) -> str:
        return self.source()


# --- the generator ---------------------------------------------------------------


class _Builder:
    """Draws one program; `draw` is Hypothesis's, so every choice shrinks."""

    def __init__(self, draw, features, max_depth=4):
        self.draw = draw
        self.features = frozenset(features)
        self.max_depth = max_depth
        self.counter = itertools.count(1)
        self.loop_vars: list[str] = []

    # small helpers -----------------------------------------------------------
    def pick(self, options):
        return self.draw(st.sampled_from(list(options)))

    def number(self, low, high) -> int:
        return self.draw(st.integers(low, high))

    def flip(self) -> bool:
        return self.draw(st.booleans())

    def new_name(self, prefix="v") -> str:
        return f"{prefix}{next(self.counter)}"

    # expressions -------------------------------------------------------------
    def leaf(self, env: dict, target: tuple) -> Node:
        """A variable (most of the time), a constant, or a loop index as a float."""
        names = [n for n, v in env.items() if broadcastable(v.shape, target)]
        kind = self.number(0, 5)  # shrinks towards a variable
        if names and kind <= 3:
            name = self.pick(names)
            return Node(name, shape=env[name].shape, fresh=False, name=name)
        if self.loop_vars and kind == 4:
            return Node(f"(0.25 * {self.pick(self.loop_vars)})")
        return Node(self.pick(CONSTANTS))

    def expr(self, env: dict, target: tuple, depth: int) -> Node:
        """A random expression whose shape broadcasts to `target`."""
        if depth <= 0:
            return self.leaf(env, target)
        kinds = ["leaf", "unary", "binary", "binary", "reduce", "matmul", "kink"]
        if len(target) == 2:
            kinds += ["transpose", "reshape"]
        if len(target) <= 1:
            kinds += ["index"]
        if "ifexp" in self.features:
            kinds += ["where", "ifexp"]
        kind = self.pick(kinds)
        sub = depth - 1
        if kind == "leaf":
            return self.leaf(env, target)
        if kind == "unary":
            kid = self.expr(env, target, sub)
            return Node(self.pick(_UNARY), (kid,), kid.shape)
        if kind == "binary":
            a, b = self.expr(env, target, sub), self.expr(env, target, sub)
            return Node(self.pick(_BINARY), (a, b), np.broadcast_shapes(a.shape, b.shape))
        if kind == "kink":
            which = self.pick(["abs", "maximum", "minimum"])
            a = self.expr(env, target, sub)
            if which == "abs":
                return Node("np.abs({0})", (a,), a.shape, probe="_pabs({0})")
            b = self.expr(env, target, sub)
            return Node(f"np.{which}({{0}}, {{1}})", (a, b), np.broadcast_shapes(a.shape, b.shape),
                        probe=f"_p{which}({{0}}, {{1}})")
        if kind == "where":
            a, b, c = (self.expr(env, target, sub) for _ in range(3))
            shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
            threshold = self.pick(THRESHOLDS)
            return Node("np.where({0} > %s, {1}, {2})" % threshold, (a, b, c), shape,
                        probe="np.where(_pgt({0}, %s), {1}, {2})" % threshold)
        if kind == "ifexp":
            a, b = self.expr(env, target, sub), self.expr(env, target, sub)
            cond = self.condition(env, sub)
            shape = np.broadcast_shapes(a.shape, b.shape)  # whichever branch runs
            a, b = exact(a, shape), exact(b, shape)
            return Node("({0} if {2} else {1})", (a, b, cond), shape, fresh=False)
        if kind == "reduce":
            return self.reduce(env, target, sub)
        if kind == "matmul":
            return self.matmul(env, target, sub)
        if kind == "transpose":
            kid = exact(self.expr(env, target[::-1], sub), target[::-1])
            fmt = self.pick(["({0}).T", "np.transpose({0})"])
            return Node(fmt, (kid,), target, fresh=False)
        if kind == "reshape":
            size = math.prod(target)
            shape = self.pick([s for s in [(target[1], target[0]), (size,)] if s != target] or
                              [(size,)])
            kid = exact(self.expr(env, shape, sub), shape)
            fmt = self.pick(["np.reshape({0}, %s)" % _shape_text(target),
                             "({0}).reshape(%s)" % ", ".join(map(str, target))])
            return Node(fmt, (kid,), target, fresh=False)
        if kind == "index":
            return self.index(env, target, sub)
        raise AssertionError(kind)

    def reduce(self, env, target, depth) -> Node:
        source = self.pick([s for s in TARGET_SHAPES if s])
        kid = exact(self.expr(env, source, depth), source)
        axis = self.pick([None, 0, -1] + ([1] if len(source) == 2 else []))
        keepdims = self.flip()
        result = _reduced_shape(source, axis, keepdims)
        if not broadcastable(result, target):
            axis, keepdims, result = None, False, ()
        func = self.pick(["sum", "mean", "max", "min", "prod", "method_sum", "method_mean"])
        args = ("" if axis is None else f", axis={axis}") + (", keepdims=True" if keepdims else "")
        if func.startswith("method_"):
            inner = args[2:]
            return Node("({0}).%s(%s)" % (func[7:], inner), (kid,), result)
        if func in ("max", "min"):
            probe = "_p%s({0}, axis=%s, keepdims=%s)" % (func, axis, keepdims)
            return Node("np.%s({0}%s)" % (func, args), (kid,), result, probe=probe)
        return Node("np.%s({0}%s)" % (func, args), (kid,), result)

    def matmul(self, env, target, depth) -> Node:
        k = self.pick([M, N])
        op = self.pick(["({0}) @ ({1})", "np.dot({0}, {1})", "np.matmul({0}, {1})"])
        if target == ():
            shapes = [(k,), (k,)]
            if op.startswith("np.matmul"):
                op = "({0}) @ ({1})"
        elif len(target) == 1:
            shapes = self.pick([[(target[0], k), (k,)], [(k,), (k, target[0])]])
        else:
            shapes = [(target[0], k), (k, target[1])]
        a, b = (exact(self.expr(env, s, depth), s) for s in shapes)
        return Node(op, (a, b), target)

    def index(self, env, target, depth) -> Node:
        options = ["row", "last"]
        if len(target) == 1:
            options += ["column", "slice_front", "slice_back"]
        if self.loop_vars:
            options += ["loop"]
        how = self.pick(options)
        k = self.pick([M, N])
        if how == "column":
            shape = (target[0], k)
            fmt = "({0})[:, %d]" % self.number(0, k - 1)
        elif how in ("slice_front", "slice_back"):
            shape = (target[0] + 1,)
            fmt = "({0})[1:]" if how == "slice_front" else "({0})[:-1]"
        else:
            shape = (k,) + target
            if how == "row":
                fmt = "({0})[%d]" % self.number(0, k - 1)
            elif how == "last":
                fmt = "({0})[-1]"
            else:
                fmt = "({0})[%s %% %d]" % (self.pick(self.loop_vars), k)
        kid = exact(self.expr(env, shape, depth), shape)
        return Node(fmt, (kid,), target, fresh=False)

    def condition(self, env, depth) -> Node:
        """A scalar comparison on intermediate values: `np.sum(...) > 0.5`."""
        source = self.pick(TARGET_SHAPES)
        kid = self.expr(env, source, max(depth, 0))
        reducer = self.pick(["np.sum", "np.mean"])
        threshold = self.pick(THRESHOLDS)
        greater = self.flip()
        sign, helper = (">", "_pgt") if greater else ("<", "_plt")
        return Node(f"{reducer}({{0}}) {sign} {threshold}", (kid,), (),
                    probe=f"{helper}({reducer}({{0}}), {threshold})")

    # statements ----------------------------------------------------------------
    def depth(self) -> int:
        return self.number(1, self.max_depth)

    def block(self, env: dict, count: int, nest: int, in_loop: bool) -> list:
        """`count` statements; `env` (name -> Var) is updated in place."""
        body = []
        for _ in range(count):
            body.append(self.statement(env, nest, in_loop))
        return body

    def statement(self, env, nest, in_loop) -> Stmt:
        kinds = ["assign", "assign", "reassign", "aug"]
        if nest < 2:
            kinds += [k for k in ("if", "for", "rows", "while") if k in self.features]
        kind = self.pick(kinds)
        if kind == "aug" and not [n for n, v in env.items() if v.owned]:
            kind = "reassign"
        if kind == "rows" and not [n for n, v in env.items() if v.shape]:
            kind = "assign"
        if kind == "assign":
            name = self.new_name()
            node = self.expr(env, self.pick(TARGET_SHAPES), self.depth())
            for alias in node.aliases:
                env[alias].owned = False
            # Only a new array is updated in place later: not a view (`w = (v * 2).T` is
            # a view of a temporary, which srcgrad, reading the syntax, cannot tell).
            env[name] = Var(node.shape, owned=node.fresh and not node.aliases)
            return Stmt("assign", name, node)
        if kind == "reassign":
            name = self.pick(list(env))
            shape = env[name].shape
            node = fresh(self.expr(env, shape, self.depth()), shape)
            env[name] = Var(shape, owned=True)
            return Stmt("assign", name, node)
        if kind == "aug":
            name = self.pick([n for n, v in env.items() if v.owned])
            shape = env[name].shape
            node = self.expr(env, shape, self.depth())
            return Stmt("aug", name, node, op=self.pick(["+", "-", "*"]))
        if kind == "if":
            return self.if_statement(env, nest, in_loop)
        return self.loop(kind, env, nest)

    def if_statement(self, env, nest, in_loop) -> Stmt:
        cond = self.condition(env, self.number(0, 2))
        then_env, else_env = _copy_env(env), _copy_env(env)
        body = self.block(then_env, self.number(1, 3), nest + 1, in_loop)
        orelse = self.block(else_env, self.number(0, 2), nest + 1, in_loop)
        _merge(env, then_env, else_env)
        return Stmt("if", cond=cond, body=body, orelse=orelse)

    def loop(self, kind, env, nest) -> Stmt:
        inner = _copy_env(env)
        stmt = Stmt(kind, count=self.number(1, 4))
        if kind == "for":
            stmt.target = self.new_name("i")
            self.loop_vars.append(stmt.target)
        elif kind == "rows":
            stmt.source = self.pick([n for n, v in env.items() if v.shape])
            stmt.target = self.new_name("r")
            env[stmt.source].owned = False  # the rows are views of it
            inner[stmt.source].owned = False
            inner[stmt.target] = Var(env[stmt.source].shape[1:], owned=False)
        else:
            stmt.source = self.new_name("n")
            if self.flip():
                stmt.cond = self.condition(env, self.number(0, 1))
        # Variables assigned in the loop body are carried around the loop; what was
        # owned before the loop stays owned only if the body keeps it owned.
        entry = _copy_env(inner)  # what is bound wherever in the body an exit goes
        stmt.body = self.block(inner, self.number(1, 3), nest + 1, True)
        if "break" in self.features and self.flip():
            position = self.number(0, len(stmt.body))
            exit_stmt = Stmt("break", cond=self.condition(entry, 1),
                             op=self.pick(["break", "continue"]))
            stmt.body.insert(position, exit_stmt)
        if kind == "for":
            self.loop_vars.remove(stmt.target)
        if kind == "rows":
            inner.pop(stmt.target)
        _merge(env, inner, env)
        return stmt

    def final(self, env) -> Node:
        """The scalar result: a sum of reductions of a few values, recent ones first."""
        names = list(env)
        chosen = [names[-1]] + [self.pick(names) for _ in range(self.number(0, 2))]
        terms, kids = [], []
        for i, name in enumerate(chosen):
            var = Node(name, shape=env[name].shape, fresh=False, name=name)
            kids.append(var)
            form = self.pick(["np.sum({%d})", "np.mean({%d})", "np.sum(np.sin({%d}))",
                              "np.sum({%d} * {%d})", "0.5 * np.sum({%d})"])
            terms.append(form.replace("%d", str(i)))
        return Node(" + ".join(terms), tuple(kids), ())


def _reduced_shape(shape, axis, keepdims) -> tuple:
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    axis %= len(shape)
    if keepdims:
        return tuple(1 if i == axis else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i != axis)


def _copy_env(env):
    return {n: Var(v.shape, v.owned) for n, v in env.items()}


def _merge(env, *paths):
    """After a branch or loop: the names that existed before, owned only if owned on
    every path."""
    for name, var in env.items():
        var.owned = all(p[name].owned for p in paths if name in p) and var.owned


@st.composite
def programs(draw, features=(), max_statements=5):
    """A random `Program` using the control-flow `features` (see FEATURES)."""
    features = frozenset(features)
    assert features <= FEATURES, features - FEATURES
    b = _Builder(draw, features)
    count = draw(st.integers(1, len(PARAM_NAMES)))
    params = [(PARAM_NAMES[i], draw(st.sampled_from(PARAM_SHAPES))) for i in range(count)]
    env = {name: Var(shape, owned=False) for name, shape in params}
    body = b.block(env, draw(st.integers(1, max_statements)), 0, False)
    if "early_return" in features and draw(st.booleans()):
        cond = b.condition(env, 1)
        early = Stmt("return", node=b.final(env))
        body.append(Stmt("if", cond=cond, body=[early]))
    body.append(Stmt("return", node=b.final(env)))
    return Program(params, body)


# --- loading ----------------------------------------------------------------------

_modules = itertools.count()


def load(text: str, directory, stem: str = "prog"):
    """Write `text` to a new module file in `directory` and import it (srcgrad reads
    functions' source from their files)."""
    path = os.path.join(str(directory), f"{stem}_{os.getpid()}_{next(_modules)}.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def numpy_and_autograd(text: str, directory, stem: str, header: str = "") -> tuple:
    """`text` (which calls NumPy `np`) loaded twice: with NumPy (what srcgrad
    differentiates) and with autograd.numpy (HIPS autograd's oracle)."""
    return tuple(load(f"{header}import {numpy} as np\n{text}", directory, stem + suffix)
                 for numpy, suffix in (("numpy", ""), ("autograd.numpy", "_ag")))


def margin(probe_module, args) -> tuple:
    """(value, smallest distance to a kink) of the probe version at `args`."""
    probe_module._MARGIN[0] = float("inf")
    value = probe_module.f(*args)
    return value, probe_module._MARGIN[0]
