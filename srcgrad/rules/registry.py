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
generated, and so is `if literal(y):` (is `y` a number written at the call site?).
`examples` are the inputs the test suite differentiates numerically, so a rule
cannot land untested.

Forward mode reads a second template, the rule's tangent, registered next to
it with the same parameters::

    @tangent(np.multiply)
    def multiply_tangent(z, x, y):
        t[z] = t[x] * y + x * t[y]

`t[x]` is the tangent (directional derivative) of `x`. The right-hand side is
a sum of terms, each linear in ONE operand's tangent; terms of operands that
carry no tangent are dropped, so no zeros are ever computed. Of a `*args`
parameter, `t[args]` is a list of the arguments' tangents, None for those that
carry none (the rule's helper skips them). Rules that exist
only for forward mode (the runtime helpers of generated gradient code, which
`hvp` and `grad(grad(f))` differentiate again) are registered by `tangent`
alone.
"""

from __future__ import annotations

import difflib
import inspect
import sys
import textwrap
from dataclasses import dataclass, field

import gast

from .facts import attribute, declare, method  # noqa: F401  (keys: one vocabulary)


@dataclass(frozen=True)
class Example:
    """A fair numerical test of a rule: an expression and the shapes of its inputs."""

    expr: str
    shapes: dict
    positive: tuple = ()  # inputs drawn from (0.5, 2) instead of (-1.5, 1.5)
    ints: dict = field(default_factory=dict)  # inactive integer (or boolean) inputs, by value
    domain: dict = field(default_factory=dict)  # inputs drawn from (low, high), by name
    setup: str = ""  # module-level code the expression needs (an import, a record type)


def example(expr: str, positive=(), ints=None, domain=None, setup="", **shapes) -> Example:
    return Example(expr, shapes, tuple(positive), dict(ints or {}), dict(domain or {}), setup)


@dataclass
class Rule:
    name: str
    template: object  # the adjoint template; None for a rule of forward mode only
    broadcast: bool
    examples: list
    tangent: object = None  # the tangent template, if forward mode is supported
    facts: object = None  # the facts the rule was declared with (rules/facts.py)
    _body: list | None = None
    _tangent_body: list | None = None
    _signature: inspect.Signature | None = None
    _differentiable: frozenset | None = None

    @property
    def signature(self) -> inspect.Signature:
        if self._signature is None:
            self._signature = inspect.signature(self.template or self.tangent)
        return self._signature

    @property
    def body(self) -> list:
        """The adjoint template's statements, parsed once."""
        if self._body is None:
            self._body = _parse(self.template) if self.template else []
        return self._body

    @property
    def tangent_body(self) -> list:
        """The tangent template's statements, parsed once."""
        if self._tangent_body is None:
            self._tangent_body = _parse(self.tangent) if self.tangent else []
        return self._tangent_body

    @property
    def differentiable(self) -> frozenset:
        """Parameters that carry derivatives: those given a contribution (`d[x] = ...`),
        or, for a rule of forward mode only, those whose tangent it reads (`t[x]`)."""
        if self._differentiable is None:
            if self.template is not None:
                found = {node.slice.id for node in _walk(self.body)
                         if isinstance(node, gast.Assign) for node in node.targets
                         if _is_ref(node, "d")}
            else:
                found = {node.slice.id for node in _walk(self.tangent_body)
                         if _is_ref(node, "t") and isinstance(node.ctx, gast.Load)}
            self._differentiable = frozenset(found)
        return self._differentiable


def _parse(template) -> list:
    source = textwrap.dedent(inspect.getsource(template))
    return gast.parse(source).body[0].body


def _walk(body):
    return gast.walk(gast.Module(body=body, type_ignores=[]))


def _is_ref(node, table: str) -> bool:
    """`d[x]` (table "d", an adjoint) or `t[x]` (table "t", a tangent)."""
    return (isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name)
            and node.value.id == table and isinstance(node.slice, gast.Name))


def is_adjoint_ref(node) -> bool:
    return _is_ref(node, "d")


def is_tangent_ref(node) -> bool:
    return _is_ref(node, "t")


RULES: dict = {}
NONDIFFERENTIABLE: set = set()
_NAMES: dict = {}  # key -> display name, for error messages and docs


# Where users find the functions they call: a function is named by the first of these
# (already imported) namespaces that holds it, as `numpy.linalg.eig`, `scipy.special.expit`.
_PUBLIC = ("numpy", "numpy.linalg", "numpy.fft", "numpy.random", "math", "builtins",
           "scipy.special", "scipy.stats", "scipy.linalg", "scipy.signal", "scipy.fft",
           "srcgrad.runtime")


def display_name(key) -> str:
    if isinstance(key, tuple):
        return f".{key[1]}()" if key[0] == "method" else f".{key[1]}"
    if key in _NAMES:
        return _NAMES[key]
    name = getattr(key, "__name__", repr(key))
    for space in _PUBLIC:
        module = sys.modules.get(space)
        if module is not None and getattr(module, name, None) is key:
            return f"{space}.{name}"
    module = getattr(key, "__module__", None) or "numpy"  # (a ufunc has no module)
    public = ".".join(part for part in module.split(".") if not part.startswith("_"))
    return f"{public or module}.{name}"


def adjoint(*keys, broadcast=False, examples=(), facts=None):
    """Register the decorated template as the adjoint rule of every key (and `facts`,
    rules/facts.py, as theirs)."""
    if facts is not None:
        declare(*keys, facts=facts)

    def register(template):
        rule = Rule(template.__name__, template, broadcast, list(examples), facts=facts)
        for key in keys:
            if key in RULES:
                raise ValueError(f"two adjoint rules for {display_name(key)}")
            RULES[key] = rule
        return template
    return register


def tangent(*keys, broadcast=False, examples=(), facts=None):
    """Register the decorated template as the tangent (forward-mode) rule of every key.

    A key with an adjoint rule shares that rule (and its examples); a new key makes a
    rule of forward mode only, tested on its own `examples` (and `facts` are theirs).
    """
    if facts is not None:
        declare(*keys, facts=facts)

    def register(template):
        for key in keys:
            rule = RULES.get(key)
            if rule is None:
                rule = RULES[key] = Rule(template.__name__, None, broadcast, list(examples))
            if rule.tangent not in (None, template):
                raise ValueError(f"two tangent rules for {display_name(key)}")
            rule.tangent = template
        return template
    return register


def nondifferentiable(*keys, facts=None):
    """Functions whose result carries no gradient (comparisons, shapes, rounding)."""
    NONDIFFERENTIABLE.update(keys)
    if facts is not None:
        declare(*keys, facts=facts)


def named(key, name: str):
    _NAMES[key] = name


def literal_sequence(param) -> bool:
    """In a template's `if`: is `param` a list/tuple literal (`np.stack([a, b])`)?

    Decided while the code is generated; a contribution `d[param] = parts`
    to a literal then gives `parts[i]` to its i-th element.
    """
    raise RuntimeError("literal_sequence is decided when code is generated, never called")


def literal(param) -> bool:
    """In a template's `if`: is `param` a number written at the call site (`x ** 2`)?

    Decided while the code is generated, so an `if` on the number's value inside it is
    decided too: a rule can give plain code for a constant and general code otherwise.
    """
    raise RuntimeError("literal is decided when code is generated, never called")


def close_matches(key) -> list[str]:
    names = sorted({display_name(k) for k in RULES if not isinstance(k, tuple)})
    wanted = display_name(key)
    short = [n.rsplit(".", 1)[-1] for n in names]
    hits = difflib.get_close_matches(wanted.rsplit(".", 1)[-1], short, n=4, cutoff=0.6)
    return [n for n in names if n.rsplit(".", 1)[-1] in hits]
