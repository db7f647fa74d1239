"""Which values of the fused gradient are certainly float64 arrays.

A variant of a `grad` call is specialized on the dtypes of its arguments as well as
their shapes (api._key), so when `W` and `X` are float64 arrays and `b` a float::

    t1 = X @ W          # F64: float64 operands
    z = t1 + b          # F64: a float64 array and a number
    d_z = d_t2 * 0.5 * (1 + np.tanh(z * 0.5))   # F64
    mask = z > 0        # INTEGER: bools, which a float64 operand makes float64

The passes may then compute into such an array (`out=z`) without asking at run time
whether the result would keep its dtype (runtime.spare). The inference is
flow-insensitive: a name has a kind only if every binding gives it that kind, and a
name bound in a way not understood here (a loop's target, tuple unpacking) has none.
Only NumPy's promotion rules that hold on 1.x and 2.x alike are used: a float64 array
with float64 arrays, Python numbers, float64 scalars or integer/bool arrays gives float64;
a number with an integer array is not decided (1.x gives float16 for int8 + 1.5).
"""

from __future__ import annotations

import gast
import numpy as np

from .. import runtime
from ..ir import build
from ..rules.facts import facts_of, method, named, of_operator
from . import exact_adjoints

F64 = "f64"  # a float64 array of one or more dimensions
NUMBER = "number"  # a Python int or float, or a float64 NumPy scalar or 0-d array
INTEGER = "integer"  # an integer or bool array
FLOAT = "float"  # F64 or NUMBER, its shape not known here
ITEMS, KEYS = "items", "keys"  # a list or tuple, a dict: the kinds of its items (kind_of)
_DEPTH = 8  # containers nested deeper (or holding themselves) are not described

def result_is_real_number(unit, shapes) -> bool:
    """The shapes prove the function's value a real number (so `grad` need not check it):
    it is a differentiable value of shape (), and nothing in the function makes complex
    numbers or chooses a dtype."""
    if shapes is None or unit.result not in unit.active:
        return False
    known = shapes.get(unit.result)
    if known is None or known.shape != () or known.integer:
        return False
    return _makes_no_complex(unit)


def all_real(unit, kinds) -> bool:
    """No value of the function is complex: its arguments are real (`kinds`, kind_of's) and
    nothing in it makes complex numbers or chooses a dtype."""
    def real(kind):
        if isinstance(kind, tuple):
            how, items = kind
            return all(real(k[1] if how == KEYS else k) for k in items)
        return kind in (F64, NUMBER, INTEGER)
    return (bool(kinds) and all(real(kinds.get(p)) for p in unit.params)
            and _makes_no_complex(unit))


def _makes_no_complex(unit) -> bool:
    """Nothing in the function makes complex numbers or chooses a dtype: no complex
    constant, `complex(...)`, `dtype=` or method or attribute that chooses one."""
    for node in build.nodes(gast.Module(body=unit.body, type_ignores=[])):
        if isinstance(node, gast.Constant) and isinstance(node.value, complex):
            return False
        if isinstance(node, gast.keyword) and node.arg == "dtype":
            return False
        if isinstance(node, gast.Name) and node.id == "complex":
            return False
        if isinstance(node, gast.Attribute) and (node.attr in named("chooses_dtype", "method")
                                                 or node.attr in named("chooses_dtype",
                                                                       "attribute")):
            return False
    return True


def kind_of(value, _depth=0):
    """The kind of one call argument (None: not one of the kinds). A list or tuple, or a
    dict with string keys, has the kinds of its items, `(ITEMS, (kind, ...))` or
    `(KEYS, ((key, kind), ...))` (the variant key holds its items' dtypes, api.arguments)."""
    if type(value) in (list, tuple) and _depth < _DEPTH:
        return ITEMS, tuple([kind_of(v, _depth + 1) for v in value])
    if (type(value) is dict and _depth < _DEPTH
            and all(type(k) is str for k in value)):
        return KEYS, tuple(sorted((k, kind_of(v, _depth + 1)) for k, v in value.items()))
    if type(value) is np.ndarray:
        if value.dtype.kind in "iub":
            return INTEGER
        if value.dtype == np.float64:
            return F64 if value.ndim else NUMBER
        return None
    if type(value) in (float, int) or type(value) is np.float64:
        return NUMBER
    return None


def infer(body: list, kinds: dict, code_names: dict, shape, tapes=frozenset(), prior=None) -> dict:
    """{name: kind} for the names of `body` (the fused gradient's statements) whose kind
    is certain. `kinds`: the parameters'; `code_names`: the code's names -> the objects they
    are bound to (np, the runtime helpers); `shape(node)`: its shape or None; `tapes`:
    the names of the loops' tapes (lists of tuples, only appended to and replayed);
    `prior`: kinds found before for these names (a first guess, checked like the rest).

    Each name's kind is the one all its bindings give. The bindings are looked at again
    until nothing changes, first taking a name not decided yet as whatever its readers
    need (so a loop-carried value can be decided), then, for those still undecided, as
    unknown: what is left is consistent, so by induction over the run every value has
    its kind."""
    assigned, unknown = {}, set(kinds)
    stmts = list(build.statements(body))
    entries = _tape_entries(stmts, tapes)
    for node in stmts:
        replayed = _replayed(node, entries)
        if replayed is not None:  # `for h_1, h_2 in reversed(tape)`: what was appended
            for name, value in replayed:
                assigned.setdefault(name, []).append(value)
            continue
        binding = build.name_binding(node)
        if binding is not None:
            assigned.setdefault(binding[0], []).append(binding[1])
        elif isinstance(node, (gast.Assign, gast.AugAssign, gast.For)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            unknown |= {n.id for t in targets for n in build.names(t)
                        if isinstance(n.ctx, gast.Store)}
        elif not isinstance(node, (gast.Expr, gast.Delete, gast.If, gast.While, gast.Return)):
            unknown |= {n.id for n in build.names(node) if isinstance(n.ctx, gast.Store)}
    env = {name: kind for name, kind in kinds.items() if kind is not None and name not in assigned}
    pending = {name: values for name, values in assigned.items() if name not in unknown}
    prior = prior or {}
    env.update({name: prior.get(name, _TOP) for name in pending})
    typer = _Kinds(env, code_names, shape)
    for optimistic in (True, False):
        if not optimistic:
            undecided = [n for n, k in env.items() if k is _TOP]
            if not undecided:
                break  # consistent already
            for name in undecided:
                del env[name]
        changed = True
        while changed:  # each round only lowers a kind: undecided -> a kind -> unknown
            changed = False
            for name, values in pending.items():
                if name not in env:
                    continue
                seen = {typer.bound(name, v) for v in values} - {_TOP}
                new = _TOP if not seen else seen.pop() if len(seen) == 1 else None
                if new is None or (new is _TOP and not optimistic):
                    del env[name]
                    changed = True
                elif new != env[name]:  # decided, or (if it was) no longer certain
                    if env[name] is _TOP:
                        env[name] = new
                    else:
                        del env[name]
                    changed = True
    return dict(env)


_TOP = "undecided"


def _tape_entries(stmts, tapes) -> dict:
    """{tape: [the tuples appended to it]} for the tapes bound once (to `[]`); a value
    appended as it is (tape_slimming.py: the one entry left), as the node itself."""
    bound, entries = {}, {}
    for node in stmts:
        if (isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name)
                and node.targets[0].id in tapes):
            empty = isinstance(node.value, gast.List) and not node.value.elts
            bound[node.targets[0].id] = bound.get(node.targets[0].id, 0) + (1 if empty else 2)
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
            call = node.value
            if (isinstance(call.func, gast.Attribute) and call.func.attr == "append"
                    and isinstance(call.func.value, gast.Name) and len(call.args) == 1):
                record = call.args[0]
                entries.setdefault(call.func.value.id, []).append(
                    record.elts if isinstance(record, gast.Tuple) else record)
    return {name: found for name, found in entries.items() if bound.get(name) == 1}


def _replayed(node, entries):
    """[(name, value)] that a `for` over a tape binds, or None if `node` is none."""
    if not (isinstance(node, gast.For) and isinstance(node.target, (gast.Tuple, gast.Name))):
        return None
    it = node.iter
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "reversed":
        it = it.args[0] if len(it.args) == 1 else None
    if not isinstance(it, gast.Name) or it.id not in entries:
        return None
    if isinstance(node.target, gast.Name):  # the entries as they are
        if any(isinstance(entry, list) for entry in entries[it.id]):
            return None
        return [(node.target.id, entry) for entry in entries[it.id]]
    names = node.target.elts
    if not all(isinstance(n, gast.Name) for n in names):
        return None
    if any(not isinstance(elts, list) or len(elts) != len(names) for elts in entries[it.id]):
        return None
    return [(n.id, elts[k]) for elts in entries[it.id] for k, n in enumerate(names)]


def float64_arrays(body: list, kinds: dict, code_names: dict, shape, tapes=frozenset(),
                   prior=None):
    """A test `node -> bool`: the expression's value is certainly a float64 array (see
    `infer`); for the names of `body` as bound there. `prior`: an earlier test's, whose
    kinds are a first guess here (the same function after another pass)."""
    typer = _Kinds(infer(body, kinds, code_names, shape, tapes, prior and prior.kinds),
                   code_names, shape)

    def test(node):
        return typer.decided(typer.kind(node), node) == F64
    test.kinds = typer.env
    return test


class _Kinds:
    """The kind of an expression, given those of the names (`_TOP` in a name's place
    stands for whatever kind makes the expression's kind certain)."""

    def __init__(self, env, code_names, shape):
        self.env, self.code_names, self._shape, self._shapes, self._names = (
            env, code_names, shape, {}, {})

    def shape(self, node):  # asked again on every round of `infer`; the node is kept with
        found = self._shapes.get(id(node), self)  # its shape, so its id is not reused
        if found is self:
            found = self._shapes[id(node)] = (node, self._shape(node))
        return found[1]

    def bound(self, name, value):
        """The kind `name` gets from `value`."""
        kind = self.kind(value)
        if kind != FLOAT:
            return kind
        node = self._names.get(name)  # one node per name: its shape is asked once
        if node is None:
            node = self._names[name] = build.load(name)
        return self.decided(kind, node)

    def decided(self, kind, node):
        """FLOAT as F64 or NUMBER by the shape of `node`, if it is known."""
        if kind != FLOAT:
            return kind
        shape = self.shape(node)
        return FLOAT if shape is None else F64 if len(shape) else NUMBER

    def kind(self, node):
        if isinstance(node, gast.Name):
            return self.env.get(node.id)
        if isinstance(node, gast.Constant):
            return NUMBER if type(node.value) in (int, float) else None
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.kind(node.operand)
        if isinstance(node, gast.BinOp):
            if isinstance(node.op, gast.MatMult):
                return self._product(node, [node.left, node.right])
            if of_operator(node.op).dtype == "promote":
                return _promoted([self.kind(node.left), self.kind(node.right)])
            return None
        if isinstance(node, gast.Attribute) and node.attr == "T":
            return self._of_array(self.kind(node.value), lambda: F64)
        if isinstance(node, gast.Subscript):
            within = self.kind(node.value)
            if isinstance(within, tuple):
                return _item(within, node.slice)
            return self._of_array(within, lambda: self._array_or_number(node))
        if isinstance(node, gast.Call):
            return self._call(node)
        return None

    def _call(self, node):
        func = self._callee(node.func)
        keywords = {k.arg: k.value for k in node.keywords}
        if "out" in keywords and not self._out_ok(keywords.pop("out")):
            return None
        args, found = node.args, facts_of(func)
        if func is None:  # a method: `x.sum(axis=0)`, `x.reshape((4, 8))`: x's dtype
            found = facts_of(method(node.func.attr)) if isinstance(node.func, gast.Attribute) \
                else None
            if (found is not None and found.dtype == "of_array"
                    and (not args and set(keywords) <= {"axis", "keepdims"}
                         or found.view and not keywords)):
                return self._of_array(self.kind(node.func.value),
                                      lambda: self._array_or_number(node))
            return None
        if func is runtime.set_at and len(args) == 3 and not keywords:  # a copy of x
            return self._of_array(self.kind(args[0]), lambda: self._array_or_number(node))
        rule = found.dtype
        if rule == "promote" and len(args) == found.nargs == 1 and not keywords:
            found = self.kind(args[0])  # (of an integer array: not decided)
            return found if found in (F64, NUMBER, FLOAT, _TOP) else None
        if rule == "promote" and len(args) == found.nargs == 2 and not keywords:
            return _promoted([self.kind(a) for a in args])
        if rule == "product" and len(args) == 2 and not keywords:
            return self._product(node, args)
        if rule == "fill" and len(args) == 1 and set(keywords) <= {"dtype"}:
            dtype = keywords.get("dtype")
            if dtype is None:
                return self._array_or_number(node)
            if isinstance(dtype, gast.Attribute) and dtype.attr == "dtype":  # x.dtype
                return self._of_array(self.kind(dtype.value), lambda: self._array_or_number(node))
            return None
        if rule == "like" and len(args) == found.nargs and not keywords:  # the dtype of the
            found = self.kind(args[0])  # array it is like (of a Python int: an int64 0-d one)
            return found if found in (F64, _TOP) else None
        if rule == "of_array" and args and set(keywords) <= {"axis", "keepdims"}:
            return self._of_array(self.kind(args[0]), lambda: self._array_or_number(node))
        return None

    def _callee(self, func):
        """The object a call's function names: a helper, or an attribute of NumPy."""
        if isinstance(func, gast.Name):
            return self.code_names.get(func.id)
        if (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and self.code_names.get(func.value.id) is np):
            return getattr(np, func.attr, None)
        return None

    def _out_ok(self, out):
        """`out=` of an array the result goes into only if it has the result's dtype
        (runtime.spare, runtime.row_out), or of a float64 array (a row of one, `buffer[k]`,
        whose shape is not known here, included: `out=` can only be an array)."""
        if isinstance(out, gast.Call) and isinstance(out.func, gast.Name):
            return self.code_names.get(out.func.id) in (runtime.spare, runtime.row_out)
        return self.kind(out) in (F64, FLOAT, _TOP)

    def _product(self, node, args):
        kinds = [self.kind(a) for a in args]
        if not all(k in (F64, FLOAT, _TOP) for k in kinds):
            return None
        return _TOP if kinds == [_TOP, _TOP] else self._array_or_number(node)

    @staticmethod
    def _of_array(kind, result):
        """`result()` for an operation that needs a float64 array (or number)."""
        return _TOP if kind is _TOP else result() if kind in (F64, FLOAT) else None

    def _array_or_number(self, node):
        """A float64 result: an array, or a NumPy scalar if it has no dimensions."""
        shape = self.shape(node)
        if shape is None:
            return FLOAT
        return F64 if len(shape) else NUMBER


def _item(kind, index):
    """The kind of item `index` (a constant) of a container of kind `kind`."""
    if not isinstance(index, gast.Constant):
        return None
    how, items = kind
    key = index.value
    if how == ITEMS and type(key) is int and -len(items) <= key < len(items):
        return items[key]
    if how == KEYS and type(key) is str:
        return dict(items).get(key)
    return None


def _promoted(kinds):
    """The kind of an elementwise result of operands of these kinds."""
    if None in kinds:
        return None
    kinds = [k for k in kinds if k is not _TOP]
    if not kinds:
        return _TOP
    if F64 in kinds:
        return F64  # numbers, float64 scalars and integer arrays all give float64
    if all(k == NUMBER for k in kinds):
        return NUMBER
    if all(k in (NUMBER, FLOAT) for k in kinds):
        return FLOAT
    return None  # an integer array with numbers: float16 for int8 + 1.5 on NumPy 1.x


def float64(body, ctx):
    """Step: which expressions of the fused gradient are certainly float64 arrays
    (ctx.float64), from the dtypes of the call's arguments (ctx.kinds)."""
    ctx.float64 = float64_arrays(body, ctx.kinds, ctx.unit.code_names, ctx.shape, _tapes(ctx))
    ctx.exact = exact_adjoints.exact(body, ctx)
    return body


def float64_again(body, ctx):
    """Step: ctx.float64 again, for the names the loop rewrites bound (the kinds found
    before are a first guess)."""
    ctx.float64 = float64_arrays(body, ctx.kinds, ctx.unit.code_names, ctx.shape, _tapes(ctx),
                                 ctx.float64)
    ctx.exact = exact_adjoints.exact(body, ctx)
    return body


def _tapes(ctx) -> set:
    """The names of the loops' tapes (lists of tuples, only appended to and replayed)."""
    return {info.tape for info in ctx.unit.loops.values() if info.tape}
