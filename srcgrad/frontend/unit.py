"""The function being transformed, as the front half leaves it for the passes: its
normalized statements, each operation's rule, loops, activity, and the names its
generated code gives to the objects it calls."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import runtime
from ..ir import build
from ..ir.naming import Namer
from .resolve import Resolver
from .source import Source

# what a name of generated code may be bound to: the runtime helpers, and NumPy
RUNTIME = {**vars(runtime), "np": np}


@dataclass(frozen=True)
class HelperCompilers:
    """How a user's helper called in the function is transformed on its own (the cache of
    the pipeline, handed down so that the front half and `ad` never import it)."""

    reverse: Callable  # (function, wrt) -> its Generated forward and backward sweeps
    forward: Callable  # (function, wrt) -> its Generated jvp function


@dataclass
class Unit:
    """Everything known about the function being transformed, shared by the passes."""

    src: Source
    namer: Namer
    params: list
    wrt: tuple
    body: list = field(default_factory=list)
    result: str = ""
    ops: dict = field(default_factory=dict)  # assignment statement -> Op
    bindings: dict = field(default_factory=dict)  # assignment statement -> rule parameters
    active: set = field(default_factory=set)
    cancelled: set = field(default_factory=set)  # active values the result does not depend on
    loops: dict = field(default_factory=dict)  # loop node -> ssa.LoopInfo
    hooks: dict = field(default_factory=dict)  # gradient hooks: id -> blocks.Hook
    checkpoint: int | None = None  # grad(f, checkpoint=...): every counted loop's (0: default)
    functions: list = field(default_factory=list)  # defined beside the sweeps (checkpoints)
    touched: set = field(default_factory=set)  # names given adjoint contributions so far
    called: list = field(default_factory=list)  # Generated of the helpers it calls
    mode: str = "rev"  # "fwd" for forward mode: which rules a call needs
    code_names: dict = field(default_factory=dict)  # name in generated code -> object
    resolver: Resolver | None = None
    compilers: HelperCompilers | None = None  # None: no helper is transformed (graph, cli)
    has_aux: bool = False  # it returns (loss, aux): `result` is the loss (auxiliary.py)
    aux: str = ""  # the aux value's name (has_aux)

    def returned_value(self):
        """What the code returns as the function's value: the result, or (loss, aux)."""
        if not self.aux:
            return build.load(self.result)
        return build.tuple_([build.load(self.result), build.load(self.aux)])

    @property
    def backedge_heads(self) -> set:
        return {stmt for info in self.loops.values() for stmt in info.backedges}

    def adjoint(self, name: str) -> str:
        return self.namer.adjoint(name)

    def tangent(self, name: str) -> str:
        return self.namer.tangent(name)

    def code_name_for(self, base: str, obj) -> str:
        """A name in the generated code for `obj` (e.g. a helper's forward function)."""
        for code_name, bound in self.code_names.items():
            if bound is obj:
                return code_name
        code_name = self.namer.fresh(base)
        self.code_names[code_name] = obj
        return code_name

    def code_name(self, name: str, namespace=None) -> str:
        """The generated code's name for a helper (np, unbroadcast, ...), never shadowing
        one of the user's names."""
        space = namespace or RUNTIME
        obj = space[name] if name in space else getattr(builtins, name)
        for code_name, bound in self.code_names.items():
            if bound is obj:
                return code_name
        user_sees = self.resolver.lookup(name) if name not in self.resolver.locals else None
        if name in self.namer.taken and user_sees is not obj:
            code_name = self.namer.fresh(name)
        else:
            code_name = name
            self.namer.taken.add(name)
        self.code_names[code_name] = obj
        return code_name
