"""The arguments and results of a gradient call: how they pick the specialized code
(`variant_key`), which are differentiable (`check_input`), and the gradients shaped,
typed and owned like the arguments (`like_argument`, `distinct`)."""

from __future__ import annotations

import difflib
import inspect

import numpy as np

from ..analysis.shape_inference import describe
from ..errors import SrcGradError
from ..frontend.static_functions import FUNCTION_TYPES, is_function
from ..runtime.array_kind import is_duck, is_real_duck, is_scalar_duck, shape_of, type_name
from ..runtime.containers import field_values, is_dataclass_value, with_fields


_OTHER_NAMES = {"argnums": "wrt", "argnum": "wrt", "wrt_argnums": "wrt", "aux": "has_aux"}


def refuse_unknown(what: str, keywords: dict):
    """A keyword the function does not take: the name srcgrad uses for it, if it has one."""
    for name, value in keywords.items():
        ours = _OTHER_NAMES.get(name)
        if ours:
            raise SrcGradError(f"{what} takes {ours}=, not {name}= (the name JAX or autograd "
                               f"uses): write {what}(f, {ours}={value!r})")
        raise TypeError(f"{what}() got an unexpected keyword argument {name!r}")


def unbound(func, wrt) -> tuple:
    """(function, wrt, receiver) of `jvp(model.loss)` and the like: the class's function
    with positions in `wrt` counted after `self`, and `(model,)` the calls pass first
    (`self` holds constants and configuration, as for grad); else `(func, wrt, ())`."""
    if not (inspect.ismethod(func) and inspect.isfunction(func.__func__)):
        return func, wrt, ()
    return func.__func__, shifted_wrt(wrt, 1), (func.__self__,)


def shifted_wrt(wrt, by: int):
    """`wrt` of a call given `by` leading arguments already, as positions of its function."""
    def shifted(item):
        return item + by if isinstance(item, (int, np.integer)) and not isinstance(
            item, bool) else item
    return type(wrt)(map(shifted, wrt)) if isinstance(wrt, (tuple, list)) else shifted(wrt)


def wrt_names(func, wrt):
    """(positions of positional parameters, wrt names as a tuple, single?)"""
    positional, picks, single = wrt_picks(func, wrt)
    for name, item in picks:
        if item is not None:
            raise SrcGradError(f"wrt={item + len(positional)} is an argument of *{name}: "
                               f"here write wrt={name!r} (the whole tuple); grad and "
                               "value_and_grad take an index into it")
    return positional, tuple(name for name, _ in picks), single


def wrt_picks(func, wrt):
    """(positions of positional parameters, [(name, item)] in wrt order, single?): `item`
    is None for a parameter, or the position within `*args` of an index past the named
    positional parameters (`wrt=0` of `f(*xs)` is xs[0], as JAX's argnums counts)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        raise SrcGradError(f"cannot read the signature of {func!r}") from None
    label = getattr(func, "__name__", repr(func))
    names = list(params)
    positional = {n: i for i, n in enumerate(names)
                  if params[n].kind in (params[n].POSITIONAL_ONLY, params[n].POSITIONAL_OR_KEYWORD)}
    varargs = next((n for n in names if params[n].kind is params[n].VAR_POSITIONAL), None)
    single = not isinstance(wrt, (tuple, list))
    chosen = []
    for item in ([wrt] if single else list(wrt)):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if 0 <= item < len(positional):
                chosen.append((names[item], None))
            elif item >= 0 and varargs is not None:
                chosen.append((varargs, int(item) - len(positional)))
            else:
                raise SrcGradError(f"wrt={item} is out of range: "
                                   f"{label} has {len(positional)} positional arguments")
        elif isinstance(item, str) and item in params:
            chosen.append((item, None))
        else:
            hint = _wrt_hint(item, names, func)
            raise SrcGradError(f"wrt={item!r} is not an argument of {label}"
                               f"({', '.join(names)}){hint}")
    if len(set(chosen)) != len(chosen):
        raise SrcGradError(f"wrt names an argument twice: {tuple(n for n, _ in chosen)}")
    if not chosen:
        raise SrcGradError("wrt is empty: name at least one argument to differentiate")
    return positional, chosen, single


def _wrt_hint(item, names, func) -> str:
    """What the user may have meant by a `wrt` that names no argument."""
    params = inspect.signature(func).parameters
    kwarg = next((n for n in names if params[n].kind is params[n].VAR_KEYWORD), None)
    if isinstance(item, str) and kwarg is not None:
        return (f"; `{item}` reaches it through **{kwarg}: name it in the signature "
                f"({func.__name__}(..., {item}, **{kwarg})), or write wrt={kwarg!r} for the "
                "gradients of all its keywords, as a dict")
    if isinstance(item, str):
        parts = [part.strip() for part in item.split(",")]
        if len(parts) > 1 and all(part in names for part in parts):
            return f"; did you mean wrt={tuple(parts)!r}?"
        if item in getattr(func, "__globals__", {}):
            return (f"; `{item}` is a global of {func.__name__}, not a parameter: make it one "
                    f"(def {func.__name__}({item}, ...)) to differentiate with respect to it")
        close = difflib.get_close_matches(item, names, n=1)
        if close:
            return f"; did you mean wrt={close[0]!r}?"
    if isinstance(item, (set, frozenset)):
        return "; give several as a tuple: wrt=(0, 1) or wrt=('w', 'b')"
    return ""


def check_input(func, name, value):
    if isinstance(value, (float, np.floating)):
        return
    if isinstance(value, dict):
        for key, leaf in value.items():
            check_input(func, f"{name}[{key!r}]", leaf)
        return
    if isinstance(value, (list, tuple)) and value:
        for i, leaf in enumerate(value):
            check_input(func, f"{name}[{i}]", leaf)
        return
    if is_dataclass_value(value):
        for field, leaf in field_values(value).items():
            check_input(func, f"{name}.{field}", leaf)
        return
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return
    if is_duck(value):  # a Dask or CuPy array: its dtype, never converted
        kind = value.dtype.kind
        if kind == "f":
            return
        kind = {"b": "a boolean", "i": "an integer", "u": "an integer", "c": "complex"}.get(
            kind, f"a {type(value).__name__} of {value.dtype}")
        raise SrcGradError(
            f"cannot differentiate {func.__name__} with respect to '{name}': it is {kind} "
            f"{type(value).__name__}, not a float one; pass x.astype(float)")
    if isinstance(value, (bool, np.bool_)) or (
            isinstance(value, np.ndarray) and value.dtype.kind == "b"):
        kind = "a boolean"
    elif isinstance(value, (int, np.integer)) or (
            isinstance(value, np.ndarray) and value.dtype.kind in "iu"):
        kind = "an integer"
    elif isinstance(value, (complex, np.complexfloating)) or (
            isinstance(value, np.ndarray) and value.dtype.kind == "c"):
        kind = "complex"
    else:
        kind = f"a {type(value).__name__}"
    raise SrcGradError(
        f"cannot differentiate {func.__name__} with respect to '{name}': it is {kind}, "
        f"not a float; pass a float or a float array (e.g. np.asarray(..., dtype=float))")


def unknown_shapes(func, bound: dict):
    """Refuse a duck array whose shape is not known (a Dask array after a boolean
    selection): neither the specialized code nor the general code's broadcasting can
    work on it."""
    for name, value in bound.items():
        for leaf in _leaves([value]):
            if is_duck(leaf) and shape_of(leaf) is None:
                raise SrcGradError(
                    f"{func.__name__}: the argument '{name}' is a {type(leaf).__name__} of "
                    f"unknown shape {leaf.shape} (a Dask array after a boolean selection); "
                    "srcgrad needs the shapes: call `x.compute_chunk_sizes()` on it first")


def copied(tree):
    """`tree` with every NumPy array in it (in dicts, lists and tuples too) a copy."""
    if isinstance(tree, np.ndarray):
        return tree.copy()
    if type(tree) is dict:
        return {key: copied(value) for key, value in tree.items()}
    if type(tree) in (list, tuple):
        return type(tree)(copied(value) for value in tree)
    return tree


def passed_functions(func, args=None, kwargs=None) -> tuple:
    """((parameter, function), ...): the functions a call of `func` passes as arguments,
    and the defaults it leaves that are functions, as they are now (static: the code is
    made for each one; frontend/static_functions.py). With no call given, the defaults."""
    if not _any_function(args, kwargs, func):
        return ()  # (the common call, at no cost of a signature)
    signature = inspect.signature(func)
    if args is None and kwargs is None:
        given = {name: p.default for name, p in signature.parameters.items()}
    else:
        try:
            bound = signature.bind(*(args or ()), **(kwargs or {}))
        except TypeError:
            return ()  # the call itself raises the TypeError
        bound.apply_defaults()
        given = bound.arguments
    return tuple((name, value) for name, value in given.items() if is_function(value))


def _any_function(args, kwargs, func) -> bool:
    """Does a call pass a function, or leave a default that is one?"""
    for values in (args or (), (kwargs or {}).values(), getattr(func, "__defaults__", None)
                   or (), (getattr(func, "__kwdefaults__", None) or {}).values()):
        for value in values:
            if type(value) in FUNCTION_TYPES:
                return True
    return False


def variant_key(args, kwargs, wrt_index=()) -> tuple:
    """(the description of the arguments that picks the specialized code, whether every
    wrt argument is a positional float or float array, so needs no further check)"""
    ndarray = np.ndarray
    # float64 arrays by shape; others by dtype too, for `_one_precision`
    key = tuple([(a.shape if a.dtype.char == "d" else (a.shape, a.dtype.str))
                 if type(a) is ndarray else () if type(a) is float else _described(a)
                 for a in args])
    if kwargs:
        return key + (tuple([(k, _described(v), is_real(v)) for k, v in kwargs.items()]),), False
    n = len(args)
    for i in wrt_index:
        if not 0 <= i < n:
            return key, False
        a = args[i]
        if type(a) is not float and not (type(a) is ndarray and a.dtype.kind == "f"):
            return key, False
    return key, bool(wrt_index)


def _described(value):
    """`describe(value)`, with the dtype of a NumPy array or number other than float64
    (the items of a dict, list or tuple too)."""
    if type(value) in (dict, list, tuple):
        return describe(value, _described)
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.char != "d":
        return describe(value), value.dtype.str
    if is_duck(value):  # its own code: the portable specialization (pipeline/portable.py)
        return describe(value), str(value.dtype), type_name(value)
    return describe(value)


def _leaves(values, _within=()):
    """The values, and the items of those that are dicts, lists or tuples, all the way
    (a list that holds itself: itself, as a leaf, the second time)."""
    for v in values:
        if type(v) in (dict, list, tuple) and id(v) not in _within:
            yield from _leaves(v.values() if type(v) is dict else v, _within + (id(v),))
        else:
            yield v


def one_precision(values) -> bool:
    """The float arrays and NumPy numbers among `values`, and the floats NumPy makes of
    their integer and bool arrays (np.sin of int8 is float16), have one dtype. Else the
    grad-only code is not used: it adds an adjoint's next contributions in place
    (accumulate.py, contribution_order.py), which would round a float64 one to a first
    float16 one."""
    found = set()
    for v in _leaves(values):
        if (isinstance(v, (np.ndarray, np.generic)) or is_real_duck(v)) and v.dtype.kind in "fiub":
            found.add(v.dtype if v.dtype.kind == "f" else np.result_type(v.dtype, np.float16))
    return len(found) <= 1


def is_real(value) -> bool:
    """A real number or an array of real numbers (told apart from others by `_key`), or
    a dict, list or tuple of them."""
    if type(value) in (dict, list, tuple):
        return all(map(_real_leaf, _leaves([value])))
    return _real_leaf(value)


def _real_leaf(value) -> bool:
    kind = type(value)
    if kind is np.ndarray:
        return value.dtype.kind in "fiub"
    return kind in (float, int) or isinstance(value, np.floating) or is_real_duck(value)


def is_real_scalar(value) -> bool:
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return True
    if is_duck(value):  # (np.asarray would compute a lazy one)
        return is_scalar_duck(value)
    return np.ndim(value) == 0 and np.asarray(value).dtype.kind in "fiu"


def not_scalar_error(func, value, has_aux=False) -> SrcGradError:
    name = func.__name__
    if isinstance(value, tuple) and not has_aux:
        return SrcGradError(
            f"grad needs {name} to return a real scalar, but it returned a tuple of "
            f"{len(value)} values. If the first is the loss and the others are values to "
            f"look at, write grad({name}, has_aux=True): a call then returns (gradients, "
            "aux) (JAX's has_aux). For the gradient of a vector output, use srcgrad.vjp.")
    shape = np.shape(value) if not isinstance(value, (tuple, list, dict)) else None
    what = (f"an array of shape {shape}" if shape else f"a {type(value).__name__}")
    where = " as its first value (the loss)" if has_aux else ""
    return SrcGradError(
        f"grad needs {name} to return a real scalar{where}, but it "
        f"returned {what}. Reduce it inside the function (e.g. np.sum or np.mean), or "
        "use srcgrad.vjp with a seed shaped like the output (the backward(gradient=...) "
        "of PyTorch).")


def owned_gradients(grads, inputs):
    """The gradients as they are, if each is already what `_like` and `_distinct` would
    make of it (a float for a float; for an array, an array of its shape and dtype that
    owns its memory and is no input), else None."""
    out = []
    for g, x in zip(grads, inputs):
        if type(x) is float:
            if is_duck(g):
                return None
            out.append(float(g))
        elif (type(g) is np.ndarray and g.base is None and g.shape == x.shape
              and g.dtype == x.dtype and x.base is None and g is not x
              and g.flags.writeable and all(g is not o for o in out)):
            out.append(g)
        else:
            return None
    return tuple(out)


def like_argument(g, x):
    """`g` with the type, shape and dtype of the argument `x`; never a view of it.

    For a dict, list or tuple argument (a `params` dict), the gradient has the same
    structure, with zeros for entries the function never read.
    """
    if isinstance(x, dict):
        g = g if isinstance(g, dict) else {}
        return {key: like_argument(g[key], leaf) if key in g else _zero(leaf)
                for key, leaf in x.items()}
    if is_dataclass_value(x):  # its adjoint: a dict by field name (or the record itself)
        if g is None or isinstance(g, np.ndarray):
            g = {}  # never read: zeros
        elif not isinstance(g, dict):
            g = field_values(g)
        return with_fields(x, {name: like_argument(g[name], leaf) if name in g else _zero(leaf)
                               for name, leaf in field_values(x).items()})
    if is_duck(x) or (is_duck(g) and not isinstance(x, (list, tuple))):
        return _like_duck(g, x)
    if isinstance(x, (list, tuple)):
        if (isinstance(g, np.ndarray) or is_duck(g)) and g.ndim and len(g) == len(x):
            g = list(g)  # np.exp(p) of a list p: the adjoint is the array NumPy made of it
        parts = g if isinstance(g, (list, tuple)) else [_zero(leaf) for leaf in x]
        out = [like_argument(p, leaf) for p, leaf in zip(parts, x)]
        return type(x)(out) if not hasattr(x, "_fields") else type(x)(*out)
    if isinstance(x, np.ndarray):
        g = np.asarray(g)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape)
        if g.dtype != x.dtype:  # (of a real x, a complex adjoint's real part: d/d(real))
            return (np.real(g) if np.iscomplexobj(g) and not np.iscomplexobj(x) else g).astype(
                x.dtype)
        if not g.flags.writeable or np.may_share_memory(g, x):
            return g.copy()
        return g
    if isinstance(x, np.floating):
        return type(x)(g)
    return float(g)


def _like_duck(g, x):
    """`like_argument` where the gradient or the argument is a duck array: shaped and
    typed with the duck library's own functions, never converted (a lazy Dask gradient
    stays lazy; for a float argument it is the 0-d array the computation gives)."""
    if not is_duck(g):  # a number or a NumPy adjoint of a duck argument: the argument's kind
        g = np.zeros_like(x) + g
    shape = getattr(x, "shape", ())
    if g.shape != shape:
        g = np.broadcast_to(g, shape)
    dtype = getattr(x, "dtype", None)
    if dtype is not None and g.dtype != dtype:
        g = g.astype(dtype)
    if g is x:
        g = g.copy()
    return g


def _zero(x):
    """The gradient of an entry the function never read."""
    if isinstance(x, (dict, list, tuple)) or is_dataclass_value(x):
        return like_argument({} if isinstance(x, dict) else None, x)
    return like_argument(np.zeros_like(x), x)


def distinct(tree, seen=None):
    """`tree` with every array its own: x + y gives x and y the same adjoint object,
    and writing into one returned gradient must never change another."""
    seen = set() if seen is None else seen
    if isinstance(tree, dict):
        return {key: distinct(value, seen) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        items = [distinct(value, seen) for value in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
    if is_dataclass_value(tree):
        return with_fields(tree, {name: distinct(leaf, seen)
                                  for name, leaf in field_values(tree).items()})
    if isinstance(tree, np.ndarray):
        base = tree if tree.base is None else tree.base
        if id(base) in seen:
            return tree.copy()
        seen.add(id(base))
    elif is_duck(tree):  # (its views are not known: the same object only)
        if id(tree) in seen:
            return tree.copy()
        seen.add(id(tree))
    return tree

