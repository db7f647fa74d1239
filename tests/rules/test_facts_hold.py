"""The facts of rules/facts.py hold at run time: each call an expression makes (the rules'
registered examples, run on their inputs and on hostile ones: lists, tuples, 0-d arrays,
Python floats, views, non-contiguous and float32 and integer arrays; and calls written
here for keys no example reaches) is checked against its key's facts:

- makes_new: the result is no argument, shares no memory with one, holds none as an item;
- writes_none: the arguments (and a method's object) are unchanged;
- shape (an argument's, "broadcast", "matmul", "number"), elementwise, float_result and
  dtype "promote": the result has them.

A fact that does not hold lets a pass rewrite the gradient wrongly (buffer reuse writing
into an argument, a dtype taken for float64): every violation is a bug of the table.
"""

import ast
import builtins
import copy
import inspect
import math
import types
import warnings

import numpy as np
import pytest

import srcgrad.runtime as runtime
from rule_examples import inputs as example_inputs
from srcgrad.rules import RULES
from srcgrad.rules.facts import FACTS, OPERATORS, attribute, facts_of, method

# --- the calls an expression makes, recorded -------------------------------------------


class _Calls(ast.NodeTransformer):
    """Every call, operator, subscript and attribute read goes through the recorder."""

    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute):
            target = [self.visit(node.func.value), ast.Constant(node.func.attr)]
        else:
            target = [self.visit(node.func), ast.Constant(None)]
        args = ast.List([self.visit(a) for a in node.args], ast.Load())
        kwargs = ast.Dict([ast.Constant(k.arg) for k in node.keywords],
                          [self.visit(k.value) for k in node.keywords])
        return ast.Call(ast.Name("__call", ast.Load()), [*target, args, kwargs], [])

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return ast.Call(ast.Name("__binop", ast.Load()),
                        [ast.Constant(type(node.op).__name__), node.left, node.right], [])

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (ast.Not, ast.Invert)):
            return node
        return ast.Call(ast.Name("__unop", ast.Load()),
                        [ast.Constant(type(node.op).__name__), node.operand], [])

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            return ast.Call(ast.Name("__index", ast.Load()), [node.value, node.slice], [])
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            return ast.Call(ast.Name("__attr", ast.Load()),
                            [node.value, ast.Constant(node.attr)], [])
        return node


_GAST_OPS = {cls.__name__: entry for cls, entry in OPERATORS.items()}


def _mutable_leaves(value, depth=0):
    """The arrays, lists and dicts a value is or holds (a container's items, deeply)."""
    found = []
    if isinstance(value, (np.ndarray, list, dict)):
        found.append(value)
    if depth < 4:
        if isinstance(value, (list, tuple)):
            for item in value:
                found += _mutable_leaves(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                found += _mutable_leaves(item, depth + 1)
    return found


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return True


def _real_operand(value) -> bool:
    return np.asarray(value).dtype.kind in "biuf"


def _violations(key, facts, operands, kwargs, result):
    """What of the facts does not hold of this call (operands: the object first, for a
    method)."""
    if "out" in kwargs or "where" in kwargs:
        return []
    found = []
    if facts.makes_new:
        given = [leaf for v in list(operands) + list(kwargs.values())
                 for leaf in _mutable_leaves(v)]
        for depth, leaf in enumerate(_mutable_leaves(result)):
            for arg in given:
                if leaf is arg:
                    found.append("makes_new: the result " + ("is" if depth == 0 else "holds")
                                 + f" an argument ({type(arg).__name__})")
                elif (isinstance(leaf, np.ndarray) and isinstance(arg, np.ndarray)
                      and np.shares_memory(leaf, arg)):
                    found.append("makes_new: the result shares memory with an argument")
    args = operands[1:] if isinstance(key, tuple) and key[0] == "method" else operands
    arrays_in = [a for a in args if isinstance(a, (np.ndarray, float, int, np.generic))]
    if facts.shape == "number" and np.shape(result) != ():
        found.append(f"shape number: got {np.shape(result)}")
    found += _reduction_violations(facts, args, kwargs, result, key)
    n = facts.nargs
    plain = (n is not None and len(args) == n and not kwargs
             and all(isinstance(a, (np.ndarray, float, int, np.generic)) for a in args)
             and not isinstance(result, (list, tuple, dict)))
    if plain:
        shapes = [np.shape(a) for a in args]
        got = np.shape(result)
        want = None
        if isinstance(facts.shape, int) and facts.shape < len(args):
            want = shapes[facts.shape]
        elif facts.shape == "broadcast" or facts.elementwise:
            want = np.broadcast_shapes(*shapes)
        elif facts.shape == "matmul" and all(len(s) in (1, 2) for s in shapes):  # (facts.py)
            want = np.matmul(*[np.ones(s) for s in shapes]).shape
        if want is not None and tuple(got) != tuple(want) and facts.shape != "number":
            found.append(f"shape {facts.shape!r}: got {got}, want {want}")
        real = all(_real_operand(a) for a in args)
        kind = np.asarray(result).dtype.kind
        if facts.float_result and real and kind not in "fc":
            found.append(f"float_result: got dtype {np.asarray(result).dtype}")
        if facts.dtype == "promote" and facts.shape != "number" and real and arrays_in:
            want_dtype = np.result_type(*args)
            got_dtype = np.asarray(result).dtype
            if facts.float_result and want_dtype.kind in "biu":  # which float: not said
                pass
            elif got_dtype != want_dtype:
                found.append(f"dtype promote: got {got_dtype}, want {want_dtype}")
    return found


def _reduction_violations(facts, args, kwargs, result, key=None):
    """shape "reduce": the shape np.add.reduce gives with the same axis and keepdims
    (`axis` the parameter of that name: np.linalg.norm's second is `ord`);
    dtype "of_array": a float array's own dtype."""
    if not args or not isinstance(args[0], np.ndarray) or args[0].dtype.kind != "f":
        return []
    found = []
    found_names = _by_name(key, args, kwargs)
    if found_names is not None and "axis" in found_names[0][2:]:  # not the second: by name
        kwargs = {k: v for k, v in found_names[1].items() if k in ("axis", "keepdims")}
        args = args[:1]
    if facts.shape == "reduce" and set(kwargs) <= {"axis", "keepdims", "ddof"}:
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        if axis is None or isinstance(axis, (int, tuple)):
            want = np.add.reduce(np.ones(args[0].shape), axis=axis,
                                 keepdims=kwargs.get("keepdims", False)).shape
            if np.shape(result) != want:
                found.append(f"shape reduce: got {np.shape(result)}, want {want}")
    if facts.dtype == "of_array" and np.asarray(result).dtype != args[0].dtype:
        found.append(f"dtype of_array: got {np.asarray(result).dtype}, want {args[0].dtype}")
    return found


def _by_name(key, args, kwargs):
    """(the parameter names of `key` in order, {parameter: argument} of this call), or
    None if its signature is not known."""
    try:
        signature = inspect.signature(key)
        return list(signature.parameters), signature.bind(*args, **kwargs).arguments
    except (TypeError, ValueError):
        return None


class Recorder:
    """Runs an expression, checking every call it makes against its key's facts."""

    def __init__(self):
        self.seen = set()  # the keys of facts a call reached
        self.found = []  # (key, what, expression)

    def _check(self, key, facts, operands, kwargs, run):
        before = copy.deepcopy(list(operands) + list(kwargs.values()))
        result = run()
        self.seen.add(key)
        for what in _violations(key, facts, operands, kwargs, result):
            self.found.append((key, what))
        if facts.writes_none:
            after = list(operands) + list(kwargs.values())
            if not all(_same(a, b) for a, b in zip(after, before)):
                self.found.append((key, "writes_none: an argument changed"))
        return result

    def _check_linear(self, key, name, obj, func, args, kwargs, result):
        """linear: f(a x + y) = a f(x) + f(y) in the first operand (a method's object)."""
        first = obj if obj is not None else (args[0] if args else None)
        if not (isinstance(first, np.ndarray) and first.dtype.kind == "f"):
            return
        other = np.random.default_rng(1).uniform(-1.0, 1.0, first.shape).astype(first.dtype)
        rtol = 1e-10 if first.dtype == np.float64 else 1e-4

        def at(value):
            if obj is not None:
                return getattr(value, name)(*args, **kwargs)
            return func(value, *args[1:], **kwargs)
        try:
            want = 2.5 * np.asarray(result) + np.asarray(at(other))
            got = np.asarray(at(2.5 * first + other))
        except Exception:
            return
        if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=rtol):
            self.found.append((key, "linear: f(a x + y) != a f(x) + f(y)"))

    def namespace(self, values):
        def call(target, name, args, kwargs):
            if name is None:
                func, obj = target, None
            elif isinstance(target, (types.ModuleType, type)) or target is np.linalg:
                func, obj = getattr(target, name), None
            else:
                func, obj = getattr(target, name), target
            key = method(name) if obj is not None else func
            facts = facts_of(key)
            operands = ([obj] if obj is not None else []) + list(args)
            if facts == facts_of(None) or not (facts.makes_new or facts.writes_none
                                               or facts.shape is not None or facts.linear):
                return func(*args, **kwargs)
            result = self._check(key, facts, operands, kwargs, lambda: func(*args, **kwargs))
            if facts.linear:
                self._check_linear(key, name, obj, func, args, kwargs, result)
            return result

        def binop(name, left, right):
            numpy_func, _, python = _GAST_OPS[name]
            facts = facts_of(numpy_func)
            if not any(isinstance(v, np.ndarray) for v in (left, right)):
                return python(left, right)
            return self._check(numpy_func, facts, [left, right], {},
                               lambda: python(left, right))

        def unop(name, operand):
            numpy_func, _, python = _GAST_OPS[name]
            if not isinstance(operand, np.ndarray) or isinstance(numpy_func, str):
                return python(operand)
            return self._check(numpy_func, facts_of(numpy_func), [operand], {},
                               lambda: python(operand))

        def attr(obj, name):
            value = getattr(obj, name)
            if isinstance(obj, np.ndarray) and not callable(value):
                facts = facts_of(attribute(name))
                if facts.makes_new:
                    self._check(attribute(name), facts, [obj], {}, lambda: value)
            return value

        def index(obj, where):
            facts = facts_of(obj)
            if facts.subscripted:
                items = list(where) if isinstance(where, tuple) else [where]
                return self._check(obj, facts, items, {}, lambda: obj[where])
            return obj[where]

        space = {"np": np, "math": math, "__call": call, "__binop": binop, "__unop": unop,
                 "__attr": attr, "__index": index}
        space.update({n: getattr(runtime, n) for n in dir(runtime) if not n.startswith("_")})
        space.update(values)
        return space

    def run(self, expr, values, setup=""):
        tree = ast.fix_missing_locations(_Calls().visit(ast.parse(expr, mode="eval")))
        space = self.namespace(values)
        if setup:
            exec(setup, space)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return eval(compile(tree, "<facts>", "eval"), space)
            except AssertionError:
                raise
            except Exception:  # a hostile input the function refuses: nothing to check
                return None


# --- the inputs -------------------------------------------------------------------------


def _noncontiguous(v):
    if isinstance(v, np.ndarray) and v.ndim:
        wide = np.empty(v.shape[:-1] + (2 * v.shape[-1],), v.dtype)
        wide[..., ::2] = v
        return wide[..., ::2]
    return v


def _hostile(values):
    """The inputs, then the same made hostile."""
    arrays = [isinstance(v, np.ndarray) for v in values]
    yield "plain", values
    yield "float32", [v.astype(np.float32) if a else np.float32(v) if isinstance(v, float)
                      else v for v, a in zip(values, arrays)]
    yield "noncontiguous", [_noncontiguous(v) for v in values]
    yield "reversed", [v[::-1] if a and v.ndim else v for v, a in zip(values, arrays)]
    yield "fortran", [np.asfortranarray(v) if a else v for v, a in zip(values, arrays)]
    yield "zero_d", [np.array(v) if isinstance(v, float) else v for v in values]
    yield "ints", [np.round(3 * v).astype(np.int64) if a and v.dtype.kind == "f"
                   else int(round(3 * v)) if isinstance(v, float) else v
                   for v, a in zip(values, arrays)]
    yield "lists", [v.tolist() if a and v.dtype.kind == "f" else v
                    for v, a in zip(values, arrays)]
    yield "tuples", [tuple(v.tolist()) if a and v.ndim == 1 and v.dtype.kind == "f" else v
                     for v, a in zip(values, arrays)]
    shared = [v for v, a in zip(values, arrays) if a and v.dtype.kind == "f"]
    if shared:  # every array a view of one buffer
        buffer = np.concatenate([v.ravel() for v in shared] + [np.zeros(1)])
        views, start = [], 0
        for v, a in zip(values, arrays):
            if a and v.dtype.kind == "f":
                views.append(buffer[start:start + v.size].reshape(v.shape))
                start += v.size
            else:
                views.append(v)
        yield "views_of_one_buffer", views


# Calls no registered example makes, and hostile calls of the keys most passes lean on:
# (expression, inputs). x: (4, 3) floats, v: (5,) floats, k: (4,) ints.
EXTRA = [
    "np.round(k)", "np.around(k)", "k.round()", "np.round(x, 0)", "x.round()",
    "np.fix(k)", "np.floor(k)", "np.ceil(k)", "np.trunc(k)", "np.rint(k)", "np.sign(k)",
    "np.diff(v, n=0)", "np.diff(v)", "np.tile(v, 1)", "np.tile(x, (1, 1))",
    "np.repeat(v, 1)", "v.repeat(1)", "np.roll(v, 0)", "np.roll(x, 0, axis=0)",
    "np.sort(v)", "np.take(v, [0, 1])", "v.take([0, 1])", "np.take_along_axis(x, "
    "np.zeros((4, 1), int), 1)", "np.concatenate([v])", "np.hstack([v])", "np.vstack([x])",
    "np.stack([v])", "np.concatenate((x,), axis=None)", "np.where(v > 0, v, v)",
    "np.clip(v, -10.0, 10.0)", "v.clip(-10.0, 10.0)", "np.clip(v, None, 10.0)",
    "np.maximum(v, v)", "np.minimum(v, -10.0)", "np.fmax(v, v)", "np.abs(v)",
    "np.sum(v, axis=())", "np.sum(x, axis=())", "x.sum(axis=())", "np.mean(x, axis=())",
    "np.max(x, axis=())", "x.max(axis=())", "np.prod(x, axis=())", "np.cumsum(v)",
    "np.cumsum(np.array(2.0))", "np.max(np.array(2.0))", "np.sum(np.array(2.0))",
    "np.copy(v)", "np.copy([v, v])", "v.copy()", "[v, x].copy()", "{'a': v}.copy()",
    "(v, x).__len__()", "sum([v])", "sum([], v)", "sum([v], 0.0)", "sum((v, v))",
    "pow(v, 1)", "pow(v, 2)", "float(2.0)", "float(np.array(2.0))", "round(2.5)",
    "divmod(7.0, 2.0)", "abs(v)", "np.positive(v)", "+v", "-v", "v ** 1", "v ** 1.0",
    "v * 1.0", "v + 0.0", "x @ np.eye(3)", "np.dot(x, np.eye(3))", "x.dot(np.eye(3))",
    "np.dot(2.0, x)", "np.dot(x, 2.0)", "np.inner(v, v)", "np.outer(v, v)",
    "np.tensordot(x, x, 0)", "np.trace(x)", "x.trace()", "np.linalg.norm(v)",
    "np.linalg.inv(np.eye(3))", "np.linalg.solve(np.eye(4), x)", "np.linalg.det(np.eye(2))",
    "np.linalg.slogdet(np.eye(2))", "np.var(x)", "x.var()", "np.std(x)", "x.std(axis=0)",
    "np.cumprod(v)", "x.cumprod()", "x.cumsum(axis=1)", "x.flatten()", "x.argmax()",
    "x.argmin(axis=0)", "v.argsort()", "x.any()", "x.all()", "x.tolist()", "x.item(0)",
    "x.nonzero()", "np.ptp(x)", "v.searchsorted(0.0)", "[v].count(v)", "[v].index(v)",
    "v.compress(v > 0)", "k.clip(0, 1).choose([v[:4], v[1:]])", "len(x)", "list(range(3))",
    "np.full_like(x, 2.0)", "np.full(3, 2.0)", "np.ones(3)", "np.zeros(3)", "np.empty(3)",
    "np.ones_like(x)", "np.zeros_like(x)", "np.empty_like(x)", "np.exp(k)", "np.sqrt(k)",
    "np.log(v * v)", "np.tanh(np.float32(1.0))", "np.exp(np.array(1, np.int8))",
    "np.exp(np.array([True]))", "np.sqrt(np.array([4], np.int16))", "np.add(k, 1.5)",
    "np.multiply(x.astype(np.float32), 2.0)", "np.power(k, 2)", "np.power(x, k[:3])",
    "np.divide(k, k + 1)", "np.floor_divide(x, 2.0)", "np.remainder(k, 2)",
    "np.logaddexp(v, v)", "np.arctan2(v, 1.0)", "np.hypot(v, v)", "np.sinc(v)",
    "np.deg2rad(k)", "np.square(k)", "np.reciprocal(v)", "np.cbrt(k)",
    "safe_div(v, v)", "zeros_like(v)", "zero_tangent(v)", "hook_zero(v)", "appended([v], x)",
    "set_at([v, x], 0, v)", "set_at(v.copy(), 0, 1.0)", "scatter_add([v, x], 0, v)",
    "scatter_add(v, 0, 1.0)", "isinstance(v, float)", "hasattr(v, 'T')", "str(v)",
    "repr(v)", "format(1.0)", "hash(1.0)", "id(v)", "callable(v)", "type(v)", "int(2.0)",
    "bool(1.0)", "any([1.0])", "all([1.0])", "{'a': v}.keys()", "np.r_[v, v]",
    "np.c_[v, v]", "np.r_[v]", "np.rad2deg(v)", "np.rad2deg(k)",
    # the keys declared twice, differently, until each got one record (settled by NumPy's
    # behaviour; view and chooses_dtype: test_settled_facts_are_numpys)
    "np.fabs(k)", "math.fabs(2)", "np.radians(k)", "np.degrees(v)", "x.view()", "x.conj()",
    "x.conjugate()", "np.conjugate(x)", "np.real(x)", "np.imag(x)", "np.rot90(x)",
    "np.rollaxis(x, 1)", "np.transpose(x)", "float(k[0])", "max(v[0], v[1])", "min(1, 2.0)",
    "x.copy()", "np.copy(k)", "np.positive(k)", "piecewise_start(x, [x > 0], 2)",
] + (["x.ptp()"] if hasattr(np.ndarray, "ptp") else [])
UNCALLED = {"builtins.print",  # makes_new keys no call here makes (nothing to check)
            "numpy.tril_indices", "numpy.tril_indices_from", "numpy.triu_indices",
            "numpy.triu_indices_from"}  # index arrays: constants
if not hasattr(np.ndarray, "ptp"):
    UNCALLED.add("method ptp")  # (removed in NumPy 2)


def _extra_values(seed=0):
    rng = np.random.default_rng(seed)
    return {"x": rng.uniform(-1.5, 1.5, (4, 3)), "v": rng.uniform(-1.5, 1.5, 5),
            "k": np.array([0, 3, -2, 5])}


def _example_runs():
    seen = set()
    for rule in RULES.values():
        if id(rule) in seen:
            continue
        seen.add(id(rule))
        for example in rule.examples:
            names = sorted(example.shapes) + sorted(example.ints)
            values = example_inputs(example)
            for label, hostile in _hostile(values):
                yield example.expr, dict(zip(names, hostile)), example.setup, label


def _extra_runs():
    base = _extra_values()
    names = sorted(base)
    for expr in EXTRA:
        for label, hostile in _hostile([base[n] for n in names]):
            yield expr, dict(zip(names, hostile)), "", label


def _audit():
    recorder = Recorder()
    violations = {}
    for expr, values, setup, label in list(_example_runs()) + list(_extra_runs()):
        recorder.found = []
        recorder.run(expr, values, setup)
        for key, what in recorder.found:
            violations.setdefault((_name(key), what), []).append(f"{expr}  [{label}]")
    return recorder.seen, violations


def _name(key):
    if isinstance(key, tuple):
        return f"{key[0]} {key[1]}"
    name = getattr(key, "__name__", None) or type(key).__name__  # (np.r_: an RClass)
    return f"{getattr(key, '__module__', '') or ''}.{name}"


_AUDIT = []


def audit():
    if not _AUDIT:
        _AUDIT.append(_audit())
    return _AUDIT[0]


# The facts that do not hold today, by key: (what, why it matters). Each test is an xfail
# (strict): fixing the fact (or the function) makes it pass, and the mark must go.
KNOWN = {}


def _checked_keys():
    return sorted({_name(k) for k, f in FACTS.items()
                   if f.makes_new or f.writes_none or f.shape is not None})


def _param(name):
    if name in KNOWN:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    return name


@pytest.mark.parametrize("key", [_param(n) for n in _checked_keys()])
def test_facts_hold(key):
    _, found = audit()
    wrong = {what: where[:3] for (name, what), where in found.items() if name == key}
    assert not wrong, wrong


def _numpy_or_builtin(key) -> bool:
    """Keys this audit calls: NumPy's, Python's and srcgrad's own (SciPy's, registered
    when SciPy imports, are checked by their rules' examples in tests/rules)."""
    if isinstance(key, np.ufunc):
        return getattr(np, key.__name__, None) is key
    return not (getattr(key, "__module__", "") or "").startswith("scipy")


def test_every_makes_new_key_is_called():
    seen, _ = audit()
    missing = {_name(k) for k, f in FACTS.items() if f.makes_new and k not in seen
               and _numpy_or_builtin(k)}
    assert missing <= UNCALLED, sorted(missing - UNCALLED)


def test_settled_facts_are_numpys():
    """The facts of the keys once declared twice, differently (rules/facts.py now refuses
    that), as NumPy and Python behave; what the audit above does not check (view,
    chooses_dtype, a list's copy)."""
    x, k = _extra_values()["x"], _extra_values()["k"]
    assert x.conj() is x and x.conjugate() is x and np.real(x) is x and x.real is x
    assert all(facts_of(key).view for key in (method("conj"), method("conjugate"), np.real,
                                               attribute("real"), attribute("imag")))
    assert all(facts_of(key).linear for key in (np.real, np.imag, attribute("real"),
                                                 np.rot90, np.rollaxis, np.transpose))
    assert not np.shares_memory(x.flatten(), x) and facts_of(method("flatten")).makes_new
    assert not facts_of(method("flatten")).view and facts_of(method("flatten")).linear
    assert x.view(np.int64).dtype == np.int64 and facts_of(method("view")).chooses_dtype
    assert np.rint(k).dtype.kind == "f" and facts_of(np.rint).float_result
    assert np.fabs(k).dtype.kind == "f" and facts_of(np.fabs).float_result
    assert not facts_of(np.abs).float_result and np.abs(k).dtype == k.dtype
    a, b = np.array(1.0), np.array(2.0)
    assert max(a, b) is b and min(a, b) is a and facts_of(builtins.max).view
    items = [x]
    assert items.copy()[0] is x and not facts_of(method("copy")).makes_new
    assert facts_of(np.copy).makes_new and not np.shares_memory(np.copy(x), x)
    assert type(float(k[0])) is float and facts_of(builtins.float).shape == "number"


if __name__ == "__main__":  # the list, for a report
    seen, found = audit()
    for (key, what), where in sorted(found.items()):
        print(f"{key}: {what}\n    e.g. {where[0]}  ({len(where)} calls)")
    missing = [k for k, f in FACTS.items() if f.makes_new and k not in seen]
    print("makes_new keys no call reached:", sorted(map(_name, missing)))
