"""Rule forms: a function declared by its math, the registry writing the template.

An elementwise function is declared by its slopes, one per argument::

    @elementwise(scipy.special.erf, domain=(-2, 2))
    def erf(z, x):
        return 2 / np.sqrt(np.pi) * np.exp(-x * x)

    @elementwise(scipy.special.gammainc, fixed={"a": 1.5})
    def gammainc(z, a, x):
        return None, np.exp((a - 1) * np.log(x) - x - scipy.special.gammaln(a))

The adjoint template is `d[x] = d[z] * slope` for each slope (`safe_div(num, den)`
becomes `safe_div(d[z] * num, den)`, which keeps a zero adjoint zero where the slope is
infinite; a slope of None, an argument without a derivative, refuses a gradient through
it by name), its tangent is derived from it (derive.py), and its examples, over the
domain, are written from how the function is called. Adding a function is this one
declaration.
"""

from __future__ import annotations

import dataclasses
import inspect
import linecache
import textwrap

import gast
import numpy as np

from ..runtime import not_differentiable
from .facts import BINARY, FLOAT_UNARY, Facts
from .registry import DEFINITIONS, RULES, adjoint, define, display_name, example, spelled

# the shapes of the arguments in the examples: broadcast against each other, and numbers
_SHAPES = {1: [((3, 2),), ((),)], 2: [((3, 1), (4,)), ((), (2, 3))],
           3: [((2, 1), (3,), (2, 3)), ((), (), (3,))]}


def elementwise(*keys, domain=(-1.5, 1.5), fixed=None, examples=(), facts: Facts | None = None):
    """Register the decorated slopes as the rule of the elementwise `keys` (None keys,
    functions this SciPy lacks, are left out).

    `domain`: (low, high) for every argument, or a dict by argument name; `fixed`: values
    written at the call in the examples, by argument name (a tuple: one per example);
    `examples`: more than the ones written from the domain."""
    keys = tuple(k for k in keys if k is not None)

    def register(slopes):
        if not keys:
            return slopes
        result, *params = inspect.signature(slopes).parameters
        found = _slopes(slopes, len(params))
        declared = facts or (FLOAT_UNARY if len(params) == 1 else BINARY.but(
            nargs=len(params), float_result=True)).but(smooth=True)
        written = list(_examples(keys, params, domain, fixed or {})) + list(examples)
        adjoint(*keys, broadcast=len(params) > 1, examples=written, facts=declared)(slopes)
        slopes.__globals__.setdefault("not_differentiable", not_differentiable)  # (for None)
        RULES[keys[0]]._body = [_contribution(param, slope, result, display_name(keys[0]))
                                for param, slope in zip(params, found)]
        return slopes
    return register


def _slopes(function, count) -> list:
    """The expressions the function returns: one per argument (None: no derivative)."""
    tree = gast.parse(textwrap.dedent(inspect.getsource(function)))
    returned = next(node for node in gast.walk(tree) if isinstance(node, gast.Return)).value
    values = returned.elts if count > 1 else [returned]
    if len(values) != count:
        raise ValueError(f"{function.__name__}: one slope per argument, {count} of them")
    return [None if isinstance(v, gast.Constant) and v.value is None else v for v in values]


def _load(name):
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def _ref(table, name, ctx):
    return gast.Subscript(value=_load(table), slice=_load(name), ctx=ctx)


def _call(name, *args):
    return gast.Call(func=_load(name), args=list(args), keywords=[])


def _contribution(param, slope, result, function):
    """`d[param] = d[z] * slope`, `safe_div(d[z] * num, den)` for `safe_div(num, den)`, a
    refusal for None."""
    g = _ref("d", result, gast.Load())
    if slope is None:
        value = _call("not_differentiable", g, gast.Constant(value=function, kind=None),
                      gast.Constant(value=param, kind=None))
    elif (isinstance(slope, gast.Call) and isinstance(slope.func, gast.Name)
            and slope.func.id == "safe_div"):
        num, den = slope.args
        one = isinstance(num, gast.Constant) and num.value == 1
        value = _call("safe_div", g if one else gast.BinOp(left=g, op=gast.Mult(), right=num),
                      den)
    else:
        value = gast.BinOp(left=g, op=gast.Mult(), right=slope)
    return gast.Assign(targets=[_ref("d", param, gast.Store())], value=value, type_comment=None)


def _examples(keys, params, domain, fixed):
    """The function called on arrays of two shapes (broadcast against each other), then
    each other key once; `fixed` arguments written as numbers."""
    ranges = domain if isinstance(domain, dict) else {}
    default = (-1.5, 1.5) if isinstance(domain, dict) else domain
    count = 0
    for i, key in enumerate(keys):
        for shapes in _SHAPES[len(params)][:2 if i == 0 else 1]:
            by_param = dict(zip(params, shapes))
            written = [_fixed(fixed[p], count) if p in fixed else p for p in params]
            count += 1
            yield example(f"{spelled(key)}({', '.join(written)})",
                          domain={p: ranges.get(p, default) for p in params if p not in fixed},
                          **{p: by_param[p] for p in params if p not in fixed})


def _fixed(value, count) -> str:
    if isinstance(value, tuple):
        value = value[count % len(value)]
    return repr(np.float64(value).item()) if not isinstance(value, int) else repr(value)


def exp_of(log_key, key):
    """Define `key` as the exponential of `log_key`'s definition, with its parameters
    (scipy.stats.norm.pdf as exp(logpdf)), tested on its examples spelled with `key`. The
    definition is written as source (registered with linecache, as generated code is) so
    that it is read and differentiated as any other."""
    log = DEFINITIONS[log_key]
    signature = inspect.signature(log.function)
    name = f"exp_of_{log.function.__name__}"
    filename = f"<srcgrad definition {name}>"
    text = (f"def {name}{signature}:\n"
            f"    return np.exp(logarithm({', '.join(signature.parameters)}))\n")
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"__name__": log.function.__module__, "np": np, "logarithm": log_key}
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 (our own text)
    spelled_log, spelled_key = f"{spelled(log_key)}(", f"{spelled(key)}("
    examples = [dataclasses.replace(e, expr=e.expr.replace(spelled_log, spelled_key))
                for e in log.examples]
    define(key, examples=examples)(namespace[name])
