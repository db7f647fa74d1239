"""What the passes may assume of a function: one record of facts per function, declared
next to its rule, read by every pass that needs one (no pass keeps a list of its own).

    @adjoint(np.exp, math.exp, facts=FLOAT_UNARY.but(smooth=True, shift="exp"), ...)
    def exp(z, x):
        d[x] = d[z] * z

The keys are those of the rules (NumPy, `math` and builtin callables, `method("sum")`,
`attribute("T")`, the runtime helpers generated code calls), and a fact not declared is
False: a function no one described is assumed to do anything. A function of `math` gets
its NumPy twin's facts, on numbers (its shape is a number's).

Generated code spells its calls `np.exp(x)`, `x.sum()`, `unbroadcast(g, x)`: `named`
answers by name, as a pass reads them (`named("makes_new")` holds "exp", "sum", ...).
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import functools
import operator
from dataclasses import dataclass

import gast
import numpy as np


@dataclass(frozen=True)
class Facts:
    elementwise: bool = False  # the result at i reads the operands at i (after broadcasting)
    nargs: int | None = None  # positional operands its shape and dtype rules read
    float_result: bool = False  # any real operands give floats (np.exp of ints)
    shape: object = None  # int k: the shape of argument k; "broadcast" (of the operands),
    # "reduce", "matmul" (of vectors and matrices: np.dot of N-d arrays is not matmul's, and
    # its readers, shape_inference.matmul_shape, take no other), "fill" (the shape it is
    # given), "number" (a Python number)
    dtype: str | None = None  # "promote" (an elementwise result), "product" (matmul),
    # "of_array" (an array's own, as a sum), "like" (zeros_like), "fill" (float64 unless
    # told)
    makes_new: bool = False  # a new array or number, unless given out=: never an operand
    view: bool = False  # may return its operand itself, or a view of it
    views_listed: bool = False  # a list or tuple of views of its arguments (np.split)
    writes_none: bool = False  # changes none of its arguments (nor, a method, its object)
    writes_object: bool = False  # a method that changes its object (list.append, x.fill)
    writes_first: bool = False  # changes its first argument (np.copyto, np.add.at)
    metadata: bool = False  # an attribute of shape or dtype: shares nothing with its value
    chooses_dtype: bool = False  # the result's dtype is the one it is told (x.astype)
    zeros: bool = False  # makes zeros
    correctly_rounded: bool = False  # IEEE correctly rounded: the same numbers at once
    smooth: bool = False  # its adjoint never turns a nonzero adjoint into exactly zero
    integer_closed: bool = False  # integers give an integer
    reduction: str | None = None  # what it reduces to: "total" (a sum), "average" (a mean),
    # "extremum" (a max or min), "product", "spread" (std, var)
    shift: str | None = None  # how a shift of the operands moves the result: "add+"
    # (x + y), "add-" (x - y), "mul+" (x * y), "mul-" (x / y); "add_to_mul" (exp: a shift
    # added to the operand multiplies the result), "mul_to_add" (log)
    subscripted: bool = False  # called by indexing: np.r_[a, b, 0:3]
    linear: bool = False  # linear in each argument that carries a gradient, the others
    # constants: a layout (transpose, flip) or a product (kron, convolve)
    bound: str | None = None  # a lower bound of its result, for operands that are not NaN:
    # "nonnegative" (abs, exp, var: >= 0), "increasing" (sqrt: correctly rounded and
    # increasing, so of a bound of its operand, a bound), "larger" (maximum: the larger of
    # its operands' bounds)

    def but(self, **changes) -> "Facts":
        """These facts with some changed."""
        return dataclasses.replace(self, **changes)


NOTHING = Facts()
UNARY = Facts(elementwise=True, nargs=1, shape=0, dtype="promote", makes_new=True,
              writes_none=True)
FLOAT_UNARY = UNARY.but(float_result=True)
BINARY = Facts(elementwise=True, nargs=2, shape="broadcast", dtype="promote", makes_new=True,
               writes_none=True)
ARITHMETIC = BINARY.but(correctly_rounded=True, smooth=True, integer_closed=True)
REDUCTION = Facts(shape="reduce", dtype="of_array", makes_new=True, writes_none=True)
FILL = Facts(shape="fill", dtype="fill", makes_new=True, writes_none=True)
LIKE = Facts(nargs=1, shape=0, dtype="like", makes_new=True, writes_none=True)
PRODUCT = Facts(nargs=2, shape="matmul", dtype="product", makes_new=True, writes_none=True)
SELECT = Facts(elementwise=True, nargs=3, shape="broadcast", makes_new=True,
               writes_none=True)  # where, clip
VIEW = Facts(view=True, writes_none=True)
NEW = Facts(makes_new=True, writes_none=True)  # a new value, nothing more known

FACTS: dict = {}  # key -> Facts
_version = [0]  # bumped by `declare`: what `named` found is then out of date


def declare(*keys, facts: Facts):
    """The facts of each key (a function of `math` gets them on numbers), once: facts
    declared again must be the same (two modules describing one function differently
    would leave one of them silently wrong)."""
    for key in keys:
        if getattr(key, "__module__", None) == "math" or key is builtins.float:
            found = facts.but(shape="number", dtype=None)
        else:
            found = facts
        before = FACTS.get(key)
        if before is not None and before != found:
            changed = ", ".join(f"{f.name}={getattr(before, f.name)!r} then "
                                f"{getattr(found, f.name)!r}" for f in dataclasses.fields(Facts)
                                if getattr(before, f.name) != getattr(found, f.name))
            raise ValueError(f"the facts of {_name(key)} are declared twice, differently "
                             f"({changed}): declare them once, next to its rule")
        FACTS[key] = found
    _version[0] += 1


def _name(key) -> str:
    if isinstance(key, tuple):
        return f"{key[0]} {key[1]!r}"
    module = getattr(key, "__module__", None) or "numpy"
    return f"{module}.{getattr(key, '__name__', key)}"


@contextlib.contextmanager
def overridden(*keys, **fields):
    """Inside, the keys have these facts changed (to see what a pass does without one)."""
    before = {key: FACTS.get(key) for key in keys}
    for key in keys:
        FACTS[key] = facts_of(key).but(**fields)
    _version[0] += 1
    try:
        yield
    finally:
        for key, found in before.items():
            if found is None:
                FACTS.pop(key, None)
            else:
                FACTS[key] = found
        _version[0] += 1


def facts(*keys, **fields):
    """Declare facts by field: `facts(np.sign, np.floor, facts=UNARY)`, or keywords."""
    declare(*keys, facts=fields.pop("facts", NOTHING).but(**fields))


def numpy_functions(*names) -> list:
    """`np.<name>` (or `np.linalg.<name>` for "linalg.<name>") for the names this NumPy has
    (some came with NumPy 2)."""
    found = []
    for name in names:
        obj = np
        for part in name.split("."):
            obj = getattr(obj, part, None)
        if obj is not None:
            found.append(obj)
    return found


def facts_of(key) -> Facts:
    """The facts of a key (NOTHING for an unknown or unhashable one)."""
    try:
        return FACTS.get(key, NOTHING)
    except TypeError:
        return NOTHING


def method(name: str):
    """Key for a method call on an array (or list, dict): `x.sum(...)`."""
    return ("method", name)


def attribute(name: str):
    """Key for an attribute read on an array: `x.T`."""
    return ("attr", name)


def named(field: str, kind: str = "function") -> frozenset:
    """The names under which generated code calls what has the fact `field`: of
    functions ("function": NumPy's by every name NumPy gives them, the runtime helpers',
    builtins', math's), of methods ("method") or of attributes ("attribute")."""
    return _named(field, kind, _version[0])


@functools.lru_cache(maxsize=None)
def _named(field, kind, version) -> frozenset:
    if kind in ("method", "attribute"):
        tag = "method" if kind == "method" else "attr"
        return frozenset(key[1] for key, found in FACTS.items()
                         if isinstance(key, tuple) and key[0] == tag and getattr(found, field))
    found = {getattr(key, "__name__", None) for key, f in FACTS.items()
             if not isinstance(key, (tuple, str)) and getattr(f, field)}
    for name in dir(np):  # aliases: np.abs is np.absolute, np.amax a max
        if getattr(facts_of(getattr(np, name, None)), field):
            found.add(name)
    # Code is read by name: `x.sort()` and `xs.append(v)` are not np.sort and np.append.
    changing = {key[1] for key, f in FACTS.items()
                if isinstance(key, tuple) and key[0] == "method" and f.writes_object}
    return frozenset(found - {None} - (changing if field == "writes_none" else set()))


def numpy_facts(name: str) -> Facts:
    """The facts of `np.<name>`."""
    return facts_of(getattr(np, name, None))


# Python's operators: the NumPy function each computes on arrays (its facts are theirs),
# how the user writes it, and Python's own on numbers.
OPERATORS = {
    gast.Add: (np.add, "+", operator.add), gast.Sub: (np.subtract, "-", operator.sub),
    gast.Mult: (np.multiply, "*", operator.mul), gast.Div: (np.true_divide, "/", operator.truediv),
    gast.Pow: (np.power, "**", operator.pow), gast.MatMult: (np.matmul, "@", operator.matmul),
    gast.FloorDiv: (np.floor_divide, "//", operator.floordiv),
    gast.Mod: (np.remainder, "%", operator.mod), gast.BitAnd: (np.bitwise_and, "&", operator.and_),
    gast.BitOr: (np.bitwise_or, "|", operator.or_),
    gast.BitXor: (np.bitwise_xor, "^", operator.xor),
    gast.LShift: (np.left_shift, "<<", operator.lshift),
    gast.RShift: (np.right_shift, ">>", operator.rshift),
    gast.USub: (np.negative, "-", operator.neg), gast.UAdd: ("identity", "+", operator.pos),
}


def of_operator(op) -> Facts:
    """The facts of a gast operator (`gast.Add()` or its class): its NumPy function's."""
    found = OPERATORS.get(op if isinstance(op, type) else type(op))
    return facts_of(found[0]) if found else NOTHING


def operators(field: str) -> tuple:
    """The gast operator classes whose functions have the fact `field`."""
    return tuple(op for op, (key, *_) in OPERATORS.items() if getattr(facts_of(key), field))


def python_operator(op):
    """Python's function for a gast operator (`operator.add` for `gast.Add()`), or for the
    NumPy function an operator computes (`operator.add` for np.add); else None."""
    found = OPERATORS.get(op) if isinstance(op, type) else (
        OPERATORS.get(type(op)) if isinstance(op, gast.AST) else None)
    if found is None:
        found = next((entry for entry in OPERATORS.values() if entry[0] is op), None)
    return found[2] if found else None


def unary_ufunc(name: str) -> bool:
    """`np.<name>` is an elementwise ufunc of one array: it can compute into an array."""
    ufunc = getattr(np, name, None)
    return (isinstance(ufunc, np.ufunc) and ufunc.nin == 1 and ufunc.nout == 1
            and numpy_facts(name).elementwise)


def ufunc_name(op) -> str | None:
    """The name of the NumPy ufunc a gast operator computes (`np.multiply`), or None."""
    found = OPERATORS.get(op if isinstance(op, type) else type(op))
    return found[0].__name__ if found and isinstance(found[0], np.ufunc) else None
