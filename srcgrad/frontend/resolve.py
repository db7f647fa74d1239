"""Bind every operation of the normalized function to its rule, in a side table.

`t1 = np.sin(x)` -> Op(key=numpy.sin, args=[x]); `z = x * y` -> Op(numpy.multiply,
[x, y]); `s = x.sum(axis=0)` -> Op(method("sum"), [x], {axis: 0}); `z = t1[x, 0:2]`
after `t1 = np.r_` -> Op(np.r_, [t1, x, slice(0, 2, None)]). Calls are
resolved against the function's closure, globals and builtins as they are
when the gradient is built.
"""

from __future__ import annotations

import builtins
import types
import weakref
from dataclasses import dataclass, field

import gast
import numpy as np

from ..ir import build
from ..rules import NONDIFFERENTIABLE, RULES
from ..rules.registry import DEFINING_MODULES, DEFINITIONS
from ..rules.facts import OPERATORS, attribute, facts_of, method
from ..runtime.blocks import adjoint_hook
from ..runtime.containers import (appended, caller_unchanged, concatenated, dict_of, in_order,
                                  kept_as, largest, merged, refresh, set_at, smallest,
                                  sort_order, swap_item)
from ..runtime.indexing import scatter_add
from ..runtime.layout import piecewise_start
from ..runtime.methods import same_method


# our own operations, made by normalize.py and aliasing.py
_INTERNAL = {f.__name__: f for f in (set_at, appended, refresh, swap_item, caller_unchanged,
                                      sort_order, largest, smallest, dict_of, merged,
                                      concatenated, kept_as, in_order, same_method,
                                      adjoint_hook, piecewise_start)}
_INTERNAL["as_array"] = np.array  # a list display passed as an array operand (normalize.py)
_INTERNAL["scatter_add"] = scatter_add  # np.add.at(y, i, v) (normalize.py)
NONDIFF = "nondifferentiable"  # the key of operations that carry no gradient
_MISSING = object()


def run(body, ctx):
    """The manifest's step: each operation of the final body to its function and rule
    (ctx.unit.ops), by a resolver that knows every local name; our own helpers called
    under names that shadow none of the user's."""
    unit = ctx.unit
    resolver = Resolver(unit.src.func, set(unit.params) | build.stored(body))
    resolver.callees.update(unit.resolver.callees)  # what helpers written out read: guards
    resolver.defaults.update(unit.resolver.defaults)
    resolver.named.update(unit.resolver.named)
    unit.resolver = resolver
    unit.ops = {stmt: resolver.op(stmt.value, stmt.targets[0])
                for stmt in build.statements(body) if isinstance(stmt, gast.Assign)}
    for stmt in build.statements(body):
        value = getattr(stmt, "value", None)
        if getattr(value, "_srcgrad_internal", None):
            value.func = build.load(unit.code_name(value._srcgrad_internal))
    return body


@dataclass
class Op:
    """One operation: which rule computes its adjoint and what its operands are."""

    key: object
    label: str  # how the user wrote it: "*", "np.sum", ".reshape()"
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    callee: object = None  # the resolved function, for calls

    @property
    def rule(self):
        return RULES.get(self.key)

    @property
    def is_user_call(self) -> bool:
        """A call into one of the user's own functions (transformed too)."""
        return isinstance(self.key, tuple) and self.key[0] == "function"

    @property
    def nondifferentiable(self) -> bool:
        return self.key == NONDIFF or self.key in NONDIFFERENTIABLE


class Resolver:
    """Looks names up in the user function's closure, globals and builtins."""

    def __init__(self, func, local_names):
        self.locals = set(local_names)
        code = func.__code__
        self.closure = dict(zip(code.co_freevars, func.__closure__ or ()))
        self.globals = func.__globals__
        self.callees = {}  # name -> object it named when the code was made (see `unchanged`)
        self.concatenators = {}  # local name -> np.r_ or np.c_ it was bound to (`t1 = np.r_`)
        self.defaults = {func: defaults_guards(func)}  # function -> guards on its defaults
        self.named = {}  # generated code's name -> a function passed in (static_functions.py)

    def lookup(self, name):
        if name in self.named:
            return self.named[name]
        if name in self.closure:
            try:
                return self.closure[name].cell_contents
            except ValueError:
                return _MISSING
        if name in self.globals:
            return self.globals[name]
        return getattr(builtins, name, _MISSING)

    def guards(self) -> list:
        """(namespace, name, object) for every name a call was resolved through, and the
        guards on the default values of the function and of the helpers it resolved
        (`defaults_guards`): if one of them changes, the generated code no longer matches
        and must be rebuilt."""
        out = []
        for name, obj in self.callees.items():
            space = self.closure.get(name, self.globals if name in self.globals else None)
            out.append((space, name, obj))
        return out + [guard for guards in self.defaults.values() for guard in guards]

    def dotted(self, node):
        """The object a dotted path of non-local names refers to, or _MISSING."""
        if isinstance(node, gast.Name):
            if node.id in self.locals:
                return _MISSING
            found = self.lookup(node.id)
            if found is not _MISSING:
                self.callees.setdefault(node.id, found)
                if is_user_function(found) and found not in self.defaults and (
                        found.__defaults__ or found.__kwdefaults__):
                    self.defaults[found] = defaults_guards(found)  # inline.py reads them
            return found
        if isinstance(node, gast.Attribute):
            base = self.dotted(node.value)
            return _MISSING if base is _MISSING else getattr(base, node.attr, _MISSING)
        return _MISSING

    def op(self, value, target=None) -> Op:
        """The Op computed by the right-hand side `value` of a normalized assignment (to
        `target`; statements are resolved in order)."""
        joins = self.concatenator(value) if isinstance(target, gast.Name) else None
        if joins is not None:  # `t1 = np.r_`, as normalize writes it: `t1[a, b]` joins
            self.concatenators[target.id] = joins
        if isinstance(value, (gast.Name, gast.Constant)):
            return Op("identity", "assignment", [value])
        if isinstance(value, gast.BinOp):
            key, label, _ = OPERATORS[type(value.op)]
            return Op(key, label, [value.left, value.right])
        if isinstance(value, gast.UnaryOp):
            if type(value.op) in OPERATORS:  # - and +
                key, label, _ = OPERATORS[type(value.op)]
                return Op(key, label, [value.operand])
            return Op(NONDIFF, "not", [value.operand])
        if isinstance(value, (gast.Compare, gast.JoinedStr)) or _truth(value):
            return Op(NONDIFF, "comparison", build.names(value))
        if isinstance(value, gast.Subscript):
            if self.concatenator(value.value) is not None:
                return self.concatenation(value)
            return Op("getitem", "indexing", [value.value, index_expression(value.slice)])
        if isinstance(value, gast.Attribute):
            return self.attribute(value)
        if isinstance(value, gast.Call):
            return self.call(value)
        if isinstance(value, (gast.Tuple, gast.List)):
            return Op("pack", "a tuple or list", [value])
        kind = {gast.BoolOp: "`and`/`or`", gast.Dict: "a dict",
                gast.Set: "a set"}.get(type(value), type(value).__name__)
        return Op(("construct", kind), kind, build.names(value))

    def concatenator(self, node):
        """np.r_ or np.c_ if `node` (a name or a dotted path) is one of them, else None."""
        if isinstance(node, gast.Name) and node.id in self.concatenators:
            return self.concatenators[node.id]
        if not isinstance(node, (gast.Name, gast.Attribute)) or _local_base(node, self.locals):
            return None
        found = self.lookup(node.id) if isinstance(node, gast.Name) else self.dotted(node)
        if not facts_of(found).subscripted:  # np.r_[a, b, 0:3] joins arrays
            return None
        self.dotted(node)  # a guard, as for a call
        return found

    def concatenation(self, node) -> Op:
        """`np.r_[a, b, 0:3]`: Op(np.r_, [np.r_'s name, a, b, slice(0, 3, None)]); a
        directive that makes a np.matrix ('r', 'c') has no rule."""
        key = self.concatenator(node.value)
        items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        label = "np.r_[...]" if key is np.r_ else "np.c_[...]"
        first = items[0]
        if isinstance(first, gast.Constant) and first.value in ("r", "c"):
            kind = f"{label[:-5]}['{first.value}', ...], which makes a np.matrix,"
            return Op(("construct", kind), kind, build.names(node))
        return Op(key, label, [node.value] + [index_expression(item) for item in items])

    def attribute(self, node) -> Op:
        obj = self.dotted(node)
        if obj is not _MISSING or not _local_base(node, self.locals):
            return Op(NONDIFF, "constant", [])  # np.pi, config.scale: never depends on wrt
        key = attribute(node.attr)
        if node.attr in _ITERATORS:  # an iterator over the array, not a record's field
            return Op(("unknown", f".{node.attr}"), f".{node.attr}", [node.value])
        if key not in RULES and key not in NONDIFFERENTIABLE:  # a record's field: `p.W`
            return Op("field", f".{node.attr}", [node.value, gast.Constant(value=node.attr,
                                                                            kind=None)])
        return Op(key, f".{node.attr}", [node.value])

    def call(self, node) -> Op:
        args, kwargs = list(node.args), {k.arg: k.value for k in node.keywords}
        internal = getattr(node, "_srcgrad_internal", None)
        if internal is not None:
            helper = _INTERNAL[internal]
            return Op(helper, internal, args, kwargs, helper)
        func = node.func
        if isinstance(func, gast.Attribute) and _local_base(func, self.locals):
            if isinstance(func.value, gast.Name):
                return Op(method(func.attr), f".{func.attr}()", [func.value] + args, kwargs)
            return Op(("unknown", _label(func)), _label(func), build.names(node))
        callee = self.dotted(func)
        if callee is _MISSING:
            return Op(("unknown", _label(func)), _label(func), build.names(node))
        if is_helper(callee):
            return Op(("function", callee), _label(func), args, kwargs, callee)
        if is_record_type(callee) and callee not in RULES:  # Pair(x, y): a namedtuple
            fields = list(callee._fields)
            if set(kwargs) <= set(fields[len(args):]):
                args = args + [kwargs[f] for f in fields[len(args):] if f in kwargs]
                if len(args) == len(fields):
                    return Op("record", _label(func), [func] + args, {}, callee)
        key = callee if _hashable(callee) else ("unhashable", id(callee))
        if key in DEFINITIONS:  # written in srcgrad as code (scipy.stats.norm.logpdf)
            definition = DEFINITIONS[key].function
            return Op(("function", definition), _label(func), args, kwargs, definition)
        return Op(key, _label(func), args, kwargs, callee)


def _truth(node) -> bool:
    """`a == 2 and not b < 0`: `and`/`or` of comparisons is a bool, never a gradient (a
    condition written into a variable, as in the generated code second derivatives read)."""
    if isinstance(node, gast.BoolOp):
        return all(_truth(v) for v in node.values)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        return True
    return isinstance(node, gast.Compare) or (isinstance(node, gast.Constant)
                                              and isinstance(node.value, bool))


def is_user_function(obj) -> bool:
    """A plain Python function of the user's (not NumPy's or SciPy's, whose source srcgrad
    never reads, not a builtin), one srcgrad generated (the forward and backward
    functions of a definition's helper, which second derivatives differentiate again), or a
    helper of srcgrad's definitions (registry.DEFINING_MODULES)."""
    module = getattr(obj, "__module__", None) or ""
    return isinstance(obj, types.FunctionType) and (
        not module.startswith(("numpy", "scipy", "srcgrad"))
        or obj.__code__.co_filename.startswith("<srcgrad ") or module in DEFINING_MODULES)


def is_record_type(obj) -> bool:
    """A namedtuple class: a tuple whose items have field names."""
    return isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def is_helper(obj) -> bool:
    """A function of the user's that srcgrad transforms from its source: not one given a
    rule of its own (custom_adjoint) or marked as carrying no gradient."""
    return is_user_function(obj) and obj not in RULES and obj not in NONDIFFERENTIABLE


def index_expression(node):
    """An index as a plain expression: `x[1:, None]` -> `(slice(1, None, None), None)`."""
    if isinstance(node, gast.Slice):
        parts = [p if p is not None else gast.Constant(value=None, kind=None)
                 for p in (node.lower, node.upper, node.step)]
        return gast.Call(func=gast.Name(id="slice", ctx=gast.Load(), annotation=None,
                                        type_comment=None), args=parts, keywords=[])
    if isinstance(node, gast.Tuple):
        return gast.Tuple(elts=[index_expression(e) for e in node.elts], ctx=gast.Load())
    return node


_ITERATORS = {"flat"}  # ndarray attributes that are iterators (x.flat[:]: use np.ravel)


def _local_base(node, local_names) -> bool:
    while isinstance(node, gast.Attribute):
        node = node.value
    return isinstance(node, gast.Name) and node.id in local_names


def _label(node) -> str:
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        return f"{_label(node.value)}.{node.attr}"
    return "<expression>"


def _hashable(obj) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def defaults_guards(func) -> list:
    """(weak reference to `func`, attribute, value) for its default values: the code
    generated for `func` takes them from it when it is made, and a helper written out in
    place (inline.py) reads them as constants, so changing them must rebuild the code.
    The keyword-only defaults are kept as a copy: that dict can be changed in place."""
    code, ref, out = func.__code__, weakref.ref(func), []
    if code.co_argcount:
        out.append((ref, "__defaults__", func.__defaults__))
    if code.co_kwonlyargcount:
        keyword = func.__kwdefaults__
        out.append((ref, "__kwdefaults__", None if keyword is None else dict(keyword)))
    return out


def same_defaults(now, then) -> bool:
    """Are the default values `now` (a function's tuple or dict) those kept as `then`?"""
    if now is then:
        return True
    if isinstance(now, dict) and isinstance(then, dict):
        return now.keys() == then.keys() and all(now[k] is then[k] for k in now)
    return False


def unchanged(guards) -> bool:
    """Do the names calls were resolved through still name the same objects, and the
    functions read still have the same default values?"""
    for space, name, obj in guards:
        if space is None:
            continue
        if isinstance(space, weakref.ref):
            func = space()
            if func is None or not same_defaults(getattr(func, name), obj):
                return False
        elif isinstance(space, dict):
            if space.get(name, obj) is not obj:
                return False
        else:
            try:
                if space.cell_contents is not obj:
                    return False
            except ValueError:
                return False
    return True
