"""What a pass knows of the function it rewrites: the facts, as typed fields, that every
pass reads through one object instead of callbacks made for it.

The pipeline makes one Context per transformation from the front half's Unit, and the
steps of the manifest (pipeline/manifest.py) that establish a fact write it here: which
step writes which field is said next to the field. A pass reads, for example::

    ctx.shape(node)         the shape of an expression of the generated code, or None
    ctx.is_array(name)      the name holds an array (not a number, not of unknown shape)
    ctx.keep                names never renamed away, released or computed into
    ctx.numpy               the code's name for NumPy (always a str)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable

import gast

from ..frontend.unit import Unit
from ..ir import build
from ..ir.index import Index
from ..rules.facts import facts_of
from .adjoint_shapes import AdjointShapes, arithmetic_of

@dataclass
class Context:
    """The facts of one transformation (see the module docstring)."""

    unit: Unit
    seed: str  # the adjoint of the result: `d_loss`
    returned: tuple  # the adjoints of the wrt arguments, in wrt order
    shapes: dict | None = None  # {name: shape_inference.Value} of the forward values; None:
    # general code, shapes not known
    kinds: dict = field(default_factory=dict)  # {parameter: dtypes.kind_of}; {}: not known
    value_wanted: bool = True  # the caller wants the function's value too
    fused: bool = False  # a fused gradient is made: arguments real, the value a number
    live_out: frozenset = frozenset()  # names simplify keeps: what the code returns
    identities: frozenset = frozenset()  # the user's values whose identity the code may
    # test (runtime.refresh): simplify never makes one of them a copy of another name
    skip: frozenset = frozenset()  # steps of the manifest left out (not the essential ones)
    inline_helpers: bool = False  # the front half writes out every helper it can (the code
    # is specialized on shapes: the passes then see through the calls)
    arguments: dict | None = None  # {parameter: shape_inference.describe} of the call the
    # code is specialized on (the front half's unrolling reads the lengths of sequences)
    # -- written by steps --------------------------------------------------------------
    sweep_shapes: AdjointShapes | None = None  # specialize: the sweep's own names too
    code_shapes: AdjointShapes | None = None  # code_shapes, and the fused gradient's start
    saved: tuple = ()  # saved_values: what the forward sweep hands the backward sweep
    numpy: str | None = None  # the fused gradient's start: its name for NumPy
    value: str | None = None  # the fused gradient's start: its copy of the value
    primal: dict = field(default_factory=dict)  # the fused gradient's start: {d_t3: t3}
    numbers: frozenset = frozenset()  # numbers: names bound once to arithmetic of numbers
    float64: Callable | None = None  # float64: dtypes.float64_arrays of the body
    exact: frozenset = frozenset()  # float64: adjoints certainly of their value's shape
    fresh_returns: tuple = ()  # fresh_returns: each returned gradient is an array made here
    result_tangent: object = None  # result_tangent (forward mode): what the jvp returns
    changed: set = field(default_factory=set)  # the runner: steps that changed statements
    index: Index = field(default_factory=Index)  # the statements' names, each walked once:
    # for the fused gradient's passes, which change no statement in place (ir/index.py)

    @property
    def grad_only(self) -> bool:
        """Only the gradient is wanted, and the value is a number: the forward sweep
        computes only what the backward sweep reads."""
        return self.fused and not self.value_wanted

    @property
    def keep(self) -> frozenset:
        """Names never renamed away, released or computed into: the parameters, the
        returned gradients, the kept value."""
        return frozenset(self.unit.params) | frozenset(self.returned) | (
            {self.value} if self.value else frozenset()) | (
            {self.unit.aux} if self.unit.aux else frozenset())

    # --- shapes ------------------------------------------------------------------------

    def shape(self, node):
        """The shape of an expression of the generated code (its nominal shape for an
        adjoint), () for arithmetic of numbers, or None."""
        if arithmetic_of(node, self.numbers):
            return ()
        return self.code_shapes.shape(node) if self.code_shapes is not None else None

    def knowing_shapes(self, extra: dict) -> "Context":
        """This context, also knowing the shapes of the names in `extra` (arrays a pass
        makes)."""
        if not extra:
            return self
        shapes = AdjointShapes({**self.code_shapes.env, **extra}, self.code_shapes.code_names)
        return dataclasses.replace(self, code_shapes=shapes)

    def is_forward(self, name) -> bool:
        """A value of the forward sweep (not an adjoint, whose shape is nominal)."""
        return name not in self.primal

    def is_array(self, name) -> bool:
        """The name holds an array: its value's shape is known, not (), not a number's."""
        known = (self.shapes or {}).get(self.primal.get(name, name))
        return (name not in self.numbers and known is not None
                and known.shape not in (None, ()) and not known.integer)

    def length(self, node):
        """The int a name or constant is known to hold, or None."""
        known = (self.shapes or {}).get(node.id) if isinstance(node, gast.Name) else None
        value = node.value if isinstance(node, gast.Constant) else getattr(known, "const", None)
        return value if type(value) is int else None

    # --- dtypes ------------------------------------------------------------------------

    def certainly_float64(self, node) -> bool:
        """The expression is certainly a float64 array, for expressions of forward values,
        numbers and exact adjoints only: an adjoint's shape here is its value's, but
        small_adjoints may have kept it smaller (`d_t9[:, None]`), which only
        runtime.spare's check sees, unless it is known exact (exact_adjoints.py)."""
        return (self.float64 is not None and self.float64(node)
                and all(n.id not in self.primal or n.id in self.numbers or n.id in self.exact
                        for n in build.names(node)))

    def kind_of(self, name):
        """The dtypes kind of a name of the body, or None."""
        return self.float64.kinds.get(name) if self.float64 is not None else None

    # --- names of the generated code ---------------------------------------------------

    def code_name(self, name) -> str:
        """The code's name for a runtime helper or a builtin, bound on first ask."""
        return self.unit.code_name(name)

    def existing_code_name(self, obj):
        """The code's name for `obj` if it calls it, else None."""
        return next((name for name, bound in self.unit.code_names.items() if bound is obj), None)

    def fresh(self, base) -> str:
        return self.unit.namer.fresh(base)

    def names_builtin(self, name, obj) -> bool:
        """`name` in the code is the builtin `obj` (no local or global shadows it)."""
        resolver = self.unit.resolver
        return name not in resolver.locals and resolver.lookup(name) is obj

    def writes_none(self, name) -> bool:
        """The function the code calls by `name` changes none of its arguments."""
        obj = self.unit.code_names.get(name)
        if obj is None and name not in self.unit.resolver.locals:
            obj = self.unit.resolver.lookup(name)
        return facts_of(obj).writes_none
