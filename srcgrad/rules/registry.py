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
import importlib
import inspect
import sys
import textwrap
import types
from dataclasses import dataclass, field

import gast

from .facts import attribute, declare, facts_of, method  # noqa: F401  (keys: one vocabulary)


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
    discrete: frozenset = frozenset()  # parameters declared without a derivative by nature
    user: bool = False  # a user's custom_adjoint rule: DISCRETE's names do not hold for it
    _signature: inspect.Signature | None = None
    _differentiable: frozenset | None = None
    _underived: dict = field(default_factory=dict)

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
            for node in _walk(self._tangent_body):  # (a term kept aside would be lost)
                if isinstance(node, gast.Assign) and not _is_ref(node.targets[0], "t") and any(
                        _is_ref(n, "t") for n in gast.walk(node.value)):
                    self._tangent_body = None
                    raise ValueError(
                        f"the tangent rule {self.tangent.__name__} reads a tangent outside "
                        "`t[z] = ...`: write each term t[x] * ... into that assignment")
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

    def underived(self, forward: bool = False) -> list:
        """Parameters an active value would silently lose its derivative through: no
        contribution `d[x]` (in forward mode: no tangent `t[x]` read, or one refused by
        `not_differentiable`), and not discrete by nature (DISCRETE, `discrete`)."""
        if forward not in self._underived:
            self._underived[forward] = self._find_underived(forward)
        return self._underived[forward]

    def _find_underived(self, forward) -> list:
        found = self.differentiable
        if forward and self.template is not None and self.tangent is not None:
            found = found & {node.slice.id for node in _walk(self.tangent_body)
                             if _is_ref(node, "t") and isinstance(node.ctx, gast.Load)}
        given = [(node.targets[0].slice.id, _refuses(node.value)) for node in _walk(self.body)
                 if isinstance(node, gast.Assign) and _is_ref(node.targets[0], "d")]
        # refused on every path (a refusal on some paths only is left to run time)
        refused = {p for p, _ in given} - {p for p, refusal in given if not refusal}
        # the names of DISCRETE hold for srcgrad's own rules; a user's custom_adjoint rule
        # with a float parameter `k` or `shift` and no d[k] must be refused, not zero
        return [p for p in list(self.signature.parameters)[1:]
                if (p not in found or p in refused) and p not in self.discrete
                and (self.user or p not in DISCRETE)]


# Parameter names whose values are discrete by nature (integers, booleans, strings, shapes,
# dtypes, index and condition arrays) or only say where or how (`like`, tolerances with a
# piecewise-constant effect): an active value reaching one loses no derivative.
DISCRETE = frozenset("""axis axes axis1 axis2 source destination keepdims dtype shape newshape
    order kind mode method casting subok copy index indices indices_or_sections obj k kth n num
    offset ddof reps repeats shift pad_width condition condlist concatenator endpoint sparse
    indexing return_index return_inverse return_counts return_sign UPLO upper lower hermitian
    full_matrices compute_uv trans unit_diagonal overwrite_a overwrite_b check_finite optimize
    boundary key keys name subscripts out like rcond rtol atol max_steps func where""".split())


def _refuses(value) -> bool:
    """Is a contribution a refusal (`not_differentiable(d[z], ...)`), the whole of it?"""
    return (isinstance(value, gast.Call) and isinstance(value.func, gast.Name)
            and value.func.id == "not_differentiable")


def discrete(key, *params):
    """Declare `params` of `key`'s rule discrete by nature, or used only for their shape or
    identity (`np.full_like`'s `a`): an active value there loses no derivative."""
    rule = RULES[key]
    unknown = set(params) - set(list(rule.signature.parameters)[1:])
    if unknown:
        raise ValueError(f"{display_name(key)} has no parameters {sorted(unknown)}")
    rule.discrete = rule.discrete | frozenset(params)


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


def display_name(key) -> str:
    """How errors and docs name a function: where users find it (`numpy.linalg.eig`,
    `scipy.stats.norm.logpdf`), else the helper's or the module's name."""
    if isinstance(key, tuple):
        return f".{key[1]}()" if key[0] == "method" else f".{key[1]}"
    if key in _NAMES:
        return _NAMES[key]
    found = public_name(key)
    if found is not None:
        return found
    name = getattr(key, "__name__", repr(key))
    runtime = sys.modules.get("srcgrad.runtime")  # the helpers generated code calls
    if runtime is not None and getattr(runtime, name, None) is key:
        return f"srcgrad.runtime.{name}"
    module = getattr(key, "__module__", None) or "numpy"  # (a ufunc has no module)
    public = ".".join(part for part in module.split(".") if not part.startswith("_"))
    return f"{public or module}.{name}"


# Where users find the functions rules are keyed by: (public module, how code spells it).
PUBLIC_MODULES = [("numpy", "np"), ("numpy.linalg", "np.linalg"), ("numpy.fft", "np.fft"),
                  ("numpy.random", "np.random"), ("math", "math"),
                  ("scipy.special", "scipy.special"), ("scipy.fft", "scipy.fft"),
                  ("scipy.linalg", "scipy.linalg"), ("scipy.signal", "scipy.signal"),
                  ("scipy.stats", "scipy.stats")]
_PUBLIC: dict = {}  # id(object) -> (public name, spelling), of every public module's callables


def _public_names() -> dict:
    if not _PUBLIC:
        for module_name, spelled in PUBLIC_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:  # SciPy is optional
                continue
            names = sorted((n for n in dir(module) if not n.startswith("_")),
                           key=lambda n: n != getattr(getattr(module, n), "__name__", n))
            for name in names:  # its own name first (np.absolute, not np.abs)
                obj = getattr(module, name)
                if not isinstance(obj, types.ModuleType):
                    _PUBLIC.setdefault(id(obj), (f"{module_name}.{name}", f"{spelled}.{name}"))
    return _PUBLIC


def _public(key):
    """(public name, spelling) of a key, or None: `numpy.linalg.eig`, `scipy.stats.norm.logpdf`
    (a method of a distribution, spelled as the user calls it)."""
    owner = getattr(key, "__self__", None)
    if owner is not None and not isinstance(owner, types.ModuleType) and hasattr(key, "__func__"):
        found = _public_names().get(id(owner))
        return None if found is None else tuple(f"{n}.{key.__name__}" for n in found)
    return _public_names().get(id(key))


def public_name(key) -> str | None:
    """`numpy.linalg.eig`, `scipy.special.logsumexp`: where users find the function."""
    found = _public(key)
    return found and found[0]


def spelled(key) -> str | None:
    """How code calls the function: `np.linalg.eig`, `scipy.special.logsumexp`."""
    found = _public(key)
    return found and found[1]


def adjoint(*keys, broadcast=False, examples=(), facts=None):
    """Register the decorated template as the adjoint rule of every key (and `facts`,
    rules/facts.py, as theirs)."""
    if facts is not None:
        declare(*keys, facts=facts)

    def register(template):
        rule = Rule(template.__name__, template, broadcast, list(examples), facts=facts)
        for key in keys:
            found = RULES.get(key)
            if found is not None and found.template is None and len(keys) == 1:
                # a helper of generated code whose tangent rule came first: one rule, both
                rule.tangent, rule.examples = found.tangent, found.examples + rule.examples
            elif found is not None:
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


def alias(key, *others, examples=(), facts=None):
    """`others` compute what `key` does (scipy.special.expm1 and np.expm1): they share its
    rule and its facts, or have `facts` of their own (np.fabs: np.abs's, but floats of
    integers); `examples` spell them."""
    rule = RULES[key]
    for other in others:
        if other in RULES:
            raise ValueError(f"two adjoint rules for {display_name(other)}")
        RULES[other] = rule
        declare(other, facts=facts or facts_of(key))
    rule.examples.extend(examples)


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


# The libraries whose functions stand in for one another in a suggestion: numpy.linalg's for
# scipy.linalg's, NumPy's for math's; never scipy.special's struve for numpy's triu.
_FAMILIES = [("numpy.linalg.", "linalg"), ("scipy.linalg.", "linalg"), ("numpy.fft.", "fft"),
             ("scipy.fft.", "fft"), ("numpy.random.", "random"), ("scipy.special.", "special"),
             ("scipy.stats.", "stats"), ("scipy.signal.", "signal"), ("numpy.", "numpy"),
             ("math.", "numpy"), ("srcgrad.runtime.", None), ("srcgrad.", "srcgrad")]


def library_family(name: str):
    """The family of a display name (`scipy.linalg.expm`: "linalg"); None for a runtime helper."""
    return next((family for prefix, family in _FAMILIES if name.startswith(prefix)), "other")


def close_matches(key) -> list[str]:
    """Functions with rules whose names are close to the key's, those of its own module
    (numpy.linalg, scipy.special) first: of a library function, only those of its library
    (family); never a helper only generated code calls."""
    keys = [k for k in list(RULES) + list(DEFINITIONS) if not isinstance(k, tuple)]
    names = sorted({n for n in map(display_name, keys) if library_family(n) is not None})
    wanted = display_name(key)
    library = public_name(key) is not None or library_family(wanted) != "other"
    if library:
        names = [n for n in names if library_family(n) == library_family(wanted)]
    module = wanted.rsplit(".", 1)[0] if "." in wanted else ""
    short = sorted({n.rsplit(".", 1)[-1] for n in names})
    mine = wanted.rsplit(".", 1)[-1]
    # (alike at 0.6 are struve and triu, factorial and tril: below 0.7 a name must hold the
    # other, as float_power holds power)
    hits = [h for h in difflib.get_close_matches(mine, short, n=6, cutoff=0.6)
            if h in mine or mine in h or difflib.SequenceMatcher(None, mine, h).ratio() >= 0.7]
    found = [n for n in names if n.rsplit(".", 1)[-1] in hits]
    # (among equal names of a library's function, the closest whole one first:
    # scipy.stats.norm.logpdf for scipy.stats.skewnorm.logpdf)
    found.sort(key=lambda n: (n.rsplit(".", 1)[0] != module, hits.index(n.rsplit(".", 1)[-1]),
                              -difflib.SequenceMatcher(None, wanted, n).ratio() if library
                              else 0))
    return found[:4]


# --- definitions: functions srcgrad writes out in NumPy and differentiates as code -------

DEFINITIONS: dict = {}  # key -> Definition
# The modules definitions are written in: their plain functions are helpers a definition
# may call (`log_probability` of rules/stats_tails.py), transformed or written out in it as
# a user's helpers are (frontend/resolve.py, inline.py).
DEFINING_MODULES: set = set()


@dataclass
class Definition:
    """A library function defined in srcgrad as Python code over functions with rules
    (`scipy.stats.norm.logpdf` as a few lines of NumPy): a call to the key runs and
    differentiates the definition, as a helper of the user's would be; its tangent and
    second derivatives come with it."""

    name: str
    function: object
    examples: list

    @property
    def template(self):  # (the tests' cases read rules and definitions alike)
        return self.function


def define(*keys, examples=()):
    """Register the decorated function as the definition of every key."""
    def register(function):
        definition = Definition(function.__name__, function, list(examples))
        DEFINING_MODULES.add(function.__module__)
        for key in keys:
            if key in RULES or key in DEFINITIONS:
                raise ValueError(f"two rules for {display_name(key)}")
            DEFINITIONS[key] = definition
        return function
    return register


def from_own_source(helper, examples=()):
    """A runtime helper of generated code whose own body is NumPy over functions with rules
    (prod_of_others, svd_adjoint): differentiating code that calls it writes the helper out
    and differentiates that, as a definition, so hessian, hvp and grad(grad(f)) of what it
    serves need no rule of its own. Its module's other plain functions are written out with
    it (as a definition's helpers are)."""
    define(helper, examples=examples)(helper)


# --- array operands: where a list display is read as an array --------------------------------

ARRAY_OPERANDS: dict = {}  # key -> names of the parameters that read an array


def array_operands(*keys, params):
    """The parameters of each key that NumPy reads as one array (np.dot's a and b): a list
    or tuple display there, or a local variable given one, is made an array where it is
    passed (frontend/normalize.py), so the rule's code computes with an array, not a list.
    An elementwise function's operands are array operands without being declared. Never
    a sequence parameter (np.stack's arrays, np.select's choicelist)."""
    for key in keys:
        ARRAY_OPERANDS[key] = tuple(params)


def array_operand_positions(key) -> tuple[set, set]:
    """(positions, keyword names) of the key's array operands; empty for a key unknown."""
    try:
        names = ARRAY_OPERANDS.get(key)
        table = RULES.get(key) or DEFINITIONS.get(key)
    except TypeError:  # an unhashable callee
        return set(), set()
    if table is None:
        return set(), set()
    function = table.function if isinstance(table, Definition) else (table.template
                                                                       or table.tangent)
    params = [p.name for p in inspect.signature(function).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    params = params if isinstance(table, Definition) else params[1:]  # (a template's z)
    if names is None:
        facts = facts_of(key)
        names = params[:facts.nargs or 0] if facts.elementwise else ()
    return {i for i, p in enumerate(params) if p in names}, set(names)
