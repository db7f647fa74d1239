"""The fast way into a `grad` call: one small generated function per specialized variant.

A cached `grad` call used to describe every argument (`api._key`), look the variant up,
check its guards and then check each gradient (`api._owned`): about 2 µs of work in
Python around a few µs of generated code on small problems. Once a call has gone that
way, the variant gets an *entry*: straight-line code that checks exactly what the
variant was specialized on (the number of arguments, the type of each, and the shape and
dtype of each array), that no name the code resolved was rebound, runs the fused
function, and checks each gradient as `_owned` would. It becomes the `__call__` of the
`grad` object (api.GradientFunction), so a call runs it with nothing in between::

    def scalar_fn_entry(self, *args, **kwargs):
        if kwargs or len(args) != 2:
            return self.general_call(args, kwargs)
        a0, a1 = args
        if type(a0) is not float:
            return self.general_call(args, kwargs)
        if type(a1) is not ndarray or a1.shape != (100,) or a1.dtype is not D1:
            return self.general_call(args, kwargs)
        if G0.get('np', O0) is not O0:
            return self.general_call(args, kwargs)
        try:
            g = fused(a0, a1)
        except ZeroDivisionError:
            return self.general_call(args, kwargs)
        except Exception as exc:
            annotate(exc)
            raise
        g0, g1 = g
        if type(g1) is not ndarray or g1.base is not None or g1.shape != (100,) or (g1.dtype
                is not D1) or (g1 is a1) or (a1.base is not None) or (not g1.flags.writeable):
            return self.finished(None, g, [a0, a1], True)
        return (float(g0), g1)

A gradient the fused gradient certainly makes itself (`Generated.fresh`: bound once to
a new array, `d_W = X.T @ d_t1`) is its own and shared with nothing, so only its type,
shape and dtype are checked.

A miss sends the call the general way (`GradientFunction.general_call`), which gives the same
result or raises the same error; so an entry only has to be right when it answers.
The entry is built from parsed templates (`ast`; `ast.unparse` parenthesizes the later
operands of a long `or`). `self.finished` is the general handling (`_like`, `_distinct`)
of gradients that are not what the variant usually makes.
"""

from __future__ import annotations

import ast
import copy
import functools
import textwrap
import weakref

import numpy as np

from ..frontend.resolve import same_defaults
from . import loading

annotate = loading.annotate


# The entry's parts, as parsed templates: upper-case names are filled in by `_fill`.
_HEAD = """
def NAME(self, *args, **kwargs):
    if kwargs or len(args) != COUNT:
        return self.general_call(args, kwargs)
"""
_MISS = "return self.general_call(args, kwargs)"
_CALL = """
try:
    g = fused(ARGS)
except ZeroDivisionError:
    return self.general_call(args, kwargs)
except Exception as exc:
    annotate(exc)
    raise
"""
_NUMBER = "type(A) is not KIND"
_ARRAY = "type(A) is not ndarray or A.shape != SHAPE or A.dtype is not D"
_GUARD = "SPACE.get(KEY, OBJ) is not OBJ"
_DEFAULTS = "FUNC.ATTR is not OBJ"  # a function's default values (resolve.defaults_guards)
_KEYWORD_DEFAULTS = "not same_defaults(FUNC.__kwdefaults__, OBJ)"
_OWNED = ("type(G) is not ndarray or G.base is not None or G.shape != SHAPE or G.dtype is not D"
          " or G is A or A.base is not None")
_MADE = "type(G) is not ndarray or G.shape != SHAPE or G.dtype is not D"  # a new array
_FINISH = "return self.finished(VALUE, g, INPUTS, True)"
_VALUE = "v, g = g"


def build(name, generated, args, wrt_index, single):
    """The entry for calls shaped like `args` (positional only) that run the fused
    `generated.fused`, whose wrt arguments are at `wrt_index` (floats or float arrays):
    a `__call__` for the GradientFunction, which returns `(value, gradients)` if
    `generated.has_value`; None when the arguments are of a kind an entry does not
    check (then every call takes the general path)."""
    name = (name if name.isidentifier() else "f") + "_entry"
    env = {"ndarray": np.ndarray, "fused": generated.fused, "annotate": annotate,
           "same_defaults": same_defaults}
    names = [f"a{i}" for i in range(len(args))]
    func = _fill(_HEAD, NAME=name, COUNT=ast.Constant(len(args)))[0]
    body = func.body
    if args:
        body.append(ast.Assign(targets=[_tuple(names, ast.Store())], value=_name("args")))
    for i, a in enumerate(args):
        if type(a) is float or type(a) is int:
            test = _fill(_NUMBER, A=f"a{i}", KIND=type(a).__name__)
        elif type(a) is np.ndarray and a.dtype.kind in "fiub":
            env[f"D{i}"] = a.dtype
            test = _fill(_ARRAY, A=f"a{i}", SHAPE=ast.Constant(a.shape), D=f"D{i}")
        else:
            return None
        body.append(_miss_if(test))
    body += _guards_test(generated, env)
    body += _fill(_CALL, ARGS=[_name(n) for n in names])
    value = _name("v") if generated.has_value else ast.Constant(None)
    if generated.has_value:  # value_and_grad: `call` returns (value, gradients)
        body += _fill(_VALUE)
    outs = [f"g{k}" for k in range(len(wrt_index))]
    body.append(ast.Assign(targets=[_name("g0", ast.Store()) if len(outs) == 1
                                    else _tuple(outs, ast.Store())], value=_name("g")))
    inputs = _tuple([f"a{j}" for j in wrt_index])
    inputs = ast.List(elts=inputs.elts, ctx=ast.Load())
    results, arrays = [], []
    fresh = generated.fresh or (False,) * len(wrt_index)
    for k, i in enumerate(wrt_index):
        a = args[i]
        if type(a) is float:
            results.append(ast.Call(_name("float"), [_name(f"g{k}")], []))
            continue
        if fresh[k]:  # an array the function made: its own, shared with nothing
            tests = [_fill(_MADE, G=f"g{k}", SHAPE=ast.Constant(a.shape), D=f"D{i}")]
        else:
            test = _fill(_OWNED, G=f"g{k}", A=f"a{i}", SHAPE=ast.Constant(a.shape), D=f"D{i}")
            tests = [test] + [ast.Compare(_name(f"g{k}"), [ast.Is()], [_name(other)])
                              for other in arrays]
            tests.append(ast.UnaryOp(ast.Not(), ast.Attribute(
                ast.Attribute(_name(f"g{k}"), "flags", ast.Load()), "writeable", ast.Load())))
        body.append(ast.If(test=_any(tests), body=_fill(_FINISH, VALUE=value, INPUTS=inputs),
                           orelse=[]))
        arrays.append(f"g{k}")
        results.append(_name(f"g{k}"))
    grads = results[0] if single else _tuple(results)
    body.append(ast.Return(_tuple([value, grads]) if generated.has_value else grads))
    return _compiled(func, env, name, generated)


# The JAX backend's entry: the arguments' types checked, leaf by leaf through lists and
# tuples (JAX's own dispatch checks shapes and dtypes, and a call it would trace anew
# raises RETRACED: backend/jax/compiled.py), then the jitted function under the
# variant's float width.
_JAX_CALL = """
try:
    if config.jax_enable_x64 == X64:
        g = jitted(ARGS)
    else:
        with enable_x64(X64):
            g = jitted(ARGS)
except RETRACED:
    return self.general_call(args, kwargs)
"""
# the gradients of a grad-only result, JAX in, as the general path gives them: by
# (one wrt argument, `single`)
_JAX_GRADS = {(True, True): "g", (True, False): "(g,)", (False, False): "tuple(g)",
              (False, True): "g[0]"}
_JAX_LEAVES = (float, int, bool, str, type(None), np.ndarray, np.float64, np.float32)


def build_jax(name, generated, args, jitted, x64, retraced, grads_only, finish):
    """The entry of a JAX variant for calls shaped like `args` (positional; leaves JAX
    or NumPy arrays, NumPy or Python numbers, None, in lists and tuples): it runs
    `jitted` (which raises `retraced` where JAX would trace it anew) and returns the
    gradients as `_JAX_GRADS[grads_only]` says, or without `grads_only`
    `finish(g, args)`; None for arguments of another kind."""
    import jax  # (only the JAX backend calls this: it is installed)

    name = (name if name.isidentifier() else "f") + "_entry"
    env = {"jitted": jitted, "config": jax.config, "enable_x64": jax.enable_x64,
           "RETRACED": retraced, "finish": finish}
    names = [f"a{i}" for i in range(len(args))]
    func = _fill(_HEAD, NAME=name, COUNT=ast.Constant(len(args)))[0]
    body = func.body
    if args:
        body.append(ast.Assign(targets=[_tuple(names, ast.Store())], value=_name("args")))
    tests = []
    if not all(_leaf_tests(_name(n), a, env, tests) for n, a in zip(names, args)):
        return None
    if tests:
        body.append(_miss_if(_any(tests)))
    body += _guards_test(generated, env)
    body += _fill(_JAX_CALL, X64=ast.Constant(x64), ARGS=[_name(n) for n in names])
    result = (ast.parse(_JAX_GRADS[grads_only], mode="eval").body if grads_only
              else ast.Call(_name("finish"), [_name("g"), _name("args")], []))
    body.append(ast.Return(result))
    return _compiled(func, env, name, generated)


def _leaf_tests(expr, value, env, tests) -> bool:
    """Append to `tests` those that `expr` is not of `value`'s kind: its type, a list's or
    tuple's length and items; False for a value of another kind."""
    kind = type(value)
    if kind in (list, tuple):
        tests.append(_fill("type(A) is not KIND or len(A) != N", A=expr, KIND=kind.__name__,
                           N=ast.Constant(len(value))))
        return all(_leaf_tests(ast.Subscript(expr, ast.Constant(j), ast.Load()), v, env, tests)
                   for j, v in enumerate(value))
    if kind not in _JAX_LEAVES and not kind.__module__.startswith("jax"):
        return False
    key = f"K{sum(k.startswith('K') for k in env)}"
    env[key] = kind
    tests.append(_fill("type(A) is not KIND", A=expr, KIND=key))
    return True


def _guards_test(generated, env) -> list:
    """The statement leaving the entry (for the general call) if a name the code of
    `generated` or of a helper it calls was resolved through is rebound."""
    guards = _guards(generated)
    if guards is None:
        env["current"] = generated.current
        return [_miss_if(ast.UnaryOp(ast.Not(), ast.Call(_name("current"), [], [])))]
    tests = []
    for j, (space, key, obj) in enumerate(guards):
        env[f"G{j}"], env[f"O{j}"] = space, obj
        tests.append(_guard_test(f"G{j}", key, f"O{j}", obj))
    return [_miss_if(_any(tests))] if tests else []


def _compiled(func, env, name, generated):
    """The entry function `func` compiled over `env`, with its text as `source`."""
    module = ast.fix_missing_locations(ast.Module(body=[func], type_ignores=[]))
    text = ast.unparse(module) + "\n"
    exec(compile(module, f"<srcgrad entry of {name[:-len('_entry')]}>", "exec"), env)
    entry = env[name]
    entry.source = text
    entry.generated = generated
    return entry


def _fill(template, **parts):
    """The statements (or the expression) of `template` with each upper-case name in
    `parts` replaced: a str by a name, a list by its elements (call arguments), a node by
    itself."""
    return _Fill(parts).visit(copy.deepcopy(_parsed(template))).body


@functools.lru_cache(maxsize=None)
def _parsed(template):
    text = textwrap.dedent(template).strip()
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError:
        return ast.parse(text)


class _Fill(ast.NodeTransformer):
    def __init__(self, parts):
        self.parts = parts

    def visit_FunctionDef(self, node):
        node.name = self.parts.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        node.args = [new for arg in node.args
                     for new in (arg if isinstance(arg, list) else [arg])]
        return node

    def visit_Name(self, node):
        part = self.parts.get(node.id)
        if part is None:
            return node
        if isinstance(part, str):
            return ast.Name(id=part, ctx=node.ctx)
        return part


def _miss_if(test):
    return ast.If(test=test, body=_fill(_MISS), orelse=[])


def _any(tests):
    return tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.Or(), values=_flat_or(tests))


def _flat_or(tests):
    return [v for t in tests
            for v in (t.values if isinstance(t, ast.BoolOp) and isinstance(t.op, ast.Or) else [t])]


def _name(name, ctx=None):
    return ast.Name(id=name, ctx=ctx or ast.Load())


def _tuple(names, ctx=None):
    ctx = ctx or ast.Load()
    return ast.Tuple(elts=[_name(n, ctx) if isinstance(n, str) else n for n in names], ctx=ctx)


def _guard_test(space, key, obj_name, obj):
    """The test that the guard (space, key, obj) fails, on the entry's names for them."""
    if not key.startswith("__"):
        return _fill(_GUARD, SPACE=space, KEY=ast.Constant(key), OBJ=obj_name)
    if key == "__kwdefaults__" and obj is not None:  # a copy: compared item by item
        return _fill(_KEYWORD_DEFAULTS, FUNC=space, OBJ=obj_name)
    test = _fill(_DEFAULTS, FUNC=space, OBJ=obj_name)
    test.left.attr = key
    return test


def _guards(generated):
    """The (namespace dict or function, name, object) guards of `generated` and its
    helpers, each once; None if some guard is on something else, a closure cell (then
    the entry calls `current()`), or on a function that no longer exists."""
    out, seen, stack, visited = [], set(), [generated], set()
    while stack:
        g = stack.pop()
        if id(g) in visited:
            continue
        visited.add(id(g))
        for space, key, obj in g.guards:
            if space is None:
                continue
            if isinstance(space, weakref.ref):  # default values: the entry holds the function
                space = space()
                if space is None:
                    return None
            elif not isinstance(space, dict):
                return None
            if (id(space), key) not in seen:
                seen.add((id(space), key))
                out.append((space, key, obj))
        stack.extend(g.helpers)
    return out
