"""The product of a transformation: live functions, their readable source, and what a
call needs to know to run them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..frontend.resolve import unchanged


@dataclass(frozen=True)
class FusedText:
    """The fused function as text, and what it is compiled over: what the persistent
    cache writes to disk (persistent.py)."""

    rendered: tuple  # (text, codegen.LineMap)
    name: str
    code_names: dict  # name in the text -> object
    src: object  # the user's frontend.source.Source, without its function


@dataclass
class Generated:
    """The product of a transformation: live functions and their readable source."""

    _forward: object  # see `forward`
    _backward: object
    _own_source: str | None
    wrt: tuple
    helpers: list = field(default_factory=list)  # Generated of the helpers it calls
    guards: list = field(default_factory=list)  # see resolve.Resolver.guards
    arguments: dict | None = None  # the argument shapes it is specialized on (see api)
    kinds: dict | None = None  # and what it assumes of their dtypes (dtypes.kind_of)
    has_value: bool = True  # False: the forward sweep returns None for the value (grad only)
    tangents: tuple = ()  # forward mode: the keyword parameters taking the wrt tangents
    make_gradient: object = None  # () -> one function computing the gradient, compiled on demand
    fused: object = None  # the fused gradient: (*args) -> gradients (or value, gradients)
    fresh: tuple = ()  # per gradient `fused` returns: always an array it made (see _made_here)
    _gradient: object = None
    # grad only: () -> (forward, backward, own source), which only a caller asking for
    # them (or for the source) waits for: a grad call runs `fused` alone
    make_sweeps: object = None
    value_asked: bool = True  # what the cache was asked for (see cache.specialized)
    fused_asked: bool = False
    # other backends (backend/jax): the sweeps' gast (forward, backward, seed, parameters,
    # name) and what compiling them needs (code names, label, origin), and what each
    # backend made of them, by its own key
    parts: tuple | None = None
    compiling: tuple | None = None
    backends: dict = field(default_factory=dict)
    stored: object = None  # FusedText: what the persistent cache keeps (persistent.py)
    cold: bool = False  # loaded from disk and not called yet: the first call builds no entry
    array_kind: object = "numpy"  # the arrays it is made for (runtime/array_kind.py)

    @property
    def forward(self):
        """(*args) -> (value, saved): the forward sweep."""
        if self._forward is None and self.make_sweeps is not None:
            self._made_sweeps()
        return self._forward

    @property
    def backward(self):
        """(seed, *saved) -> gradients: the backward sweep."""
        if self._backward is None and self.make_sweeps is not None:
            self._made_sweeps()
        return self._backward

    @property
    def own_source(self) -> str:
        """The generated code of this function alone (not of its helpers)."""
        if self._own_source is None and self.make_sweeps is not None:
            self._made_sweeps()
        return self._own_source

    def _made_sweeps(self):
        self._forward, self._backward, self._own_source = self.make_sweeps()
        self.make_sweeps = None

    @property
    def gradient(self):
        """The gradient as ONE function (forward sweep, seed 1.0, backward sweep), for
        forward mode to differentiate again (hvp, hessian, grad of grad)."""
        if self._gradient is None:
            self._gradient = self.make_gradient()
        return self._gradient

    def current(self) -> bool:
        """Still valid: no name a call was resolved through (here or in a helper) rebound."""
        if not unchanged(self.guards):
            return False
        return not self.helpers or all(h.current() for h in self.helpers)

    @property
    def source(self) -> str:
        """This function's generated code, then that of every helper it calls."""
        seen, texts = set(), []

        def visit(generated):
            if id(generated) not in seen:
                seen.add(id(generated))
                texts.append(generated.own_source)
                for helper in generated.helpers:
                    visit(helper)

        visit(self)
        return "\n\n".join(texts)
