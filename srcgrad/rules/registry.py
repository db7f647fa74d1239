"""The one registry of adjoint rules: keys (NumPy callables, methods, attributes) -> Rule.

A rule is a plain Python function used as a code template::

    @adjoint(np.multiply, broadcast=True, examples=[example("x * y", x=(3, 1), y=(4,))])
    def multiply(z, x, y):
        d[x] = d[z] * y
        d[y] = d[z] * x

`z` is the result, the other parameters are the call's arguments (keyword
defaults included). `d[x] = ...` states the contribution to `x`'s adjoint;
the engine decides whether it initializes or accumulates it and, when
`broadcast=True`, sums it back to `x`'s shape. An `if` on arguments that are
constants at the call site (`if axis is None:`) is decided while the code is
generated. `examples` are the inputs the test suite differentiates
numerically, so a rule cannot land untested.
"""

from __future__ import annotations

import difflib
import inspect
import textwrap
from dataclasses import dataclass, field

import gast


@dataclass(frozen=True)
class Example:
    """A fair numerical test of a rule: an expression and the shapes of its inputs."""

    expr: str
    shapes: dict
    positive: tuple = ()  # inputs drawn from (0.5, 2) instead of (-1.5, 1.5)
    ints: dict = field(default_factory=dict)  # inactive integer (or boolean) inputs, by value
    domain: dict = field(default_factory=dict)  # inputs drawn from (low, high), by name


def example(expr: str, positive=(), ints=None, domain=None, **shapes) -> Example:
    return Example(expr, shapes, tuple(positive), dict(ints or {}), dict(domain or {}))


@dataclass
class Rule:
    name: str
    template: object
    broadcast: bool
    examples: list
    _body: list | None = None
    _signature: inspect.Signature | None = None

    @property
    def signature(self) -> inspect.Signature:
        if self._signature is None:
            self._signature = inspect.signature(self.template)
        return self._signature

    @property
    def body(self) -> list:
        """The template's statements, parsed once."""
        if self._body is None:
            source = textwrap.dedent(inspect.getsource(self.template))
            self._body = gast.parse(source).body[0].body
        return self._body

    @property
    def differentiable(self) -> frozenset:
        """Parameters the rule gives a contribution to (`d[x] = ...`); found once."""
        cached = self.__dict__.get("_differentiable")
        if cached is None:
            found = set()
            for node in gast.walk(gast.Module(body=self.body, type_ignores=[])):
                if isinstance(node, gast.Assign):
                    for target in node.targets:
                        if _is_adjoint_ref(target):
                            found.add(target.slice.id)
            cached = self.__dict__["_differentiable"] = frozenset(found)
        return cached


def _is_adjoint_ref(node) -> bool:
    return (isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name)
            and node.value.id == "d" and isinstance(node.slice, gast.Name))


RULES: dict = {}
NONDIFFERENTIABLE: set = set()
_NAMES: dict = {}  # key -> display name, for error messages and docs


def method(name: str):
    """Key for a method call on an array: `x.sum(...)`."""
    return ("method", name)


def attribute(name: str):
    """Key for an attribute read on an array: `x.T`."""
    return ("attr", name)


def display_name(key) -> str:
    if isinstance(key, tuple):
        return f".{key[1]}()" if key[0] == "method" else f".{key[1]}"
    if key in _NAMES:
        return _NAMES[key]
    module = getattr(key, "__module__", None) or "numpy"
    module = "numpy" if module.startswith("numpy") else module
    return f"{module}.{getattr(key, '__name__', repr(key))}"


def adjoint(*keys, broadcast=False, examples=()):
    """Register the decorated template as the adjoint rule of every key."""
    def register(template):
        rule = Rule(template.__name__, template, broadcast, list(examples))
        for key in keys:
            if key in RULES:
                raise ValueError(f"two adjoint rules for {display_name(key)}")
            RULES[key] = rule
        return template
    return register


def nondifferentiable(*keys):
    """Functions whose result carries no gradient (comparisons, shapes, rounding)."""
    NONDIFFERENTIABLE.update(keys)


def named(key, name: str):
    _NAMES[key] = name


def literal_sequence(param) -> bool:
    """In a template's `if`: is `param` a list/tuple literal (`np.stack([a, b])`)?

    Decided while the code is generated; a contribution `d[param] = parts`
    to a literal then gives `parts[i]` to its i-th element.
    """
    raise RuntimeError("literal_sequence is decided when code is generated, never called")


def close_matches(key) -> list[str]:
    names = sorted({display_name(k) for k in RULES if not isinstance(k, tuple)})
    wanted = display_name(key)
    short = [n.rsplit(".", 1)[-1] for n in names]
    hits = difflib.get_close_matches(wanted.rsplit(".", 1)[-1], short, n=4, cutoff=0.6)
    return [n for n in names if n.rsplit(".", 1)[-1] in hits]
