"""The public entry points: `grad` and `value_and_grad`, compiled once and cached."""

from __future__ import annotations

import functools
import inspect
import threading
import types
import weakref

import numpy as np

from .ad import calls
from .backend import codegen, entry
from .analysis import dtypes
from .frontend import source
from .errors import SrcGradError
from .pipeline.transform import Generated, transform
from .analysis.shape_inference import describe
from .passes.specialize import NotSpecializable

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # func -> {key: Generated}
_LOCK = threading.RLock()
MAX_VARIANTS = 8  # shape-specialized versions per gradient function; then the general code


def grad(func=None, wrt=0):
    """The gradient of a scalar-valued function, by source transformation.

    `wrt` is an argument index, an argument name, or a tuple of them (the
    `requires_grad=True` arguments). A single one gives one gradient; a
    tuple gives a tuple in `wrt` order. Usable as `grad(f)`, `@grad` and
    `@grad(wrt=("w", "b"))`. The result has `.source` (the generated Python).
    """
    if func is None:
        return lambda f: grad(f, wrt)
    if isinstance(func, GradientFunction):
        from .derivatives import SecondGradient
        return SecondGradient(func, wrt, with_value=False)
    return GradientFunction(func, wrt, with_value=False)


def value_and_grad(func=None, wrt=0):
    """Like `grad`, but returns `(value, gradients)` from a single forward sweep."""
    if func is None:
        return lambda f: value_and_grad(f, wrt)
    if isinstance(func, GradientFunction):
        from .derivatives import SecondGradient
        return SecondGradient(func, wrt, with_value=True)
    return GradientFunction(func, wrt, with_value=True)


def vjp(func, *args, wrt=0, **kwargs):
    """`(value, pullback)`: one forward sweep of `func(*args, **kwargs)`, and a function
    that runs the backward sweep for any seed shaped like `value`.

    `pullback(seed)` gives the gradients of `sum(seed * func(...))` with respect to
    `wrt`: PyTorch's `Q.backward(gradient=seed)` for a vector-valued `Q`. It may be
    called any number of times; the forward sweep is not repeated.

    The forward sweep runs on copies of the arrays among the arguments, and `value` is
    the caller's own: changing either in place after `vjp` returns does not change what
    `pullback` computes (autograd's vjp would read the arguments as they are then).
    """
    gradient = GradientFunction(func, wrt, with_value=True)
    generated = gradient._compiled()
    args, kwargs = _copied(args), _copied(kwargs)
    inputs = gradient._wrt_values(args, kwargs)
    value, saved = generated.forward(*args, **kwargs)
    value = _copied(value)

    def pullback(seed):
        if np.shape(seed) != np.shape(value):
            raise SrcGradError(f"the seed has shape {np.shape(seed)}, but "
                               f"{func.__name__} returned shape {np.shape(value)}")
        grads = generated.backward(seed, *saved)
        grads = (grads,) if len(inputs) == 1 else grads
        grads = _distinct(tuple(_like(g, x) for g, x in zip(grads, inputs)))
        return grads[0] if gradient._single else grads

    pullback.source = generated.source
    return value, pullback


def _copied(tree):
    """`tree` with every NumPy array in it (in dicts, lists and tuples too) a copy."""
    if isinstance(tree, np.ndarray):
        return tree.copy()
    if type(tree) is dict:
        return {key: _copied(value) for key, value in tree.items()}
    if type(tree) in (list, tuple):
        return type(tree)(_copied(value) for value in tree)
    return tree


class GradientFunction:
    """A callable that runs the generated forward and backward sweeps of `__wrapped__`."""

    def __init__(self, func, wrt, with_value):
        if isinstance(func, GradientFunction) or type(func).__module__ == "srcgrad.derivatives":
            raise SrcGradError("reverse mode over generated derivative code (and so third "
                               "derivatives) is not supported; for second derivatives use "
                               "grad(grad(f)) (forward over reverse), srcgrad.hvp or "
                               "srcgrad.hessian")
        if not callable(func):
            raise SrcGradError(f"grad expects a function, got {func!r}")
        functools.update_wrapper(self, func)
        self._positional, self._wrt, self._single = _wrt_names(func, wrt)
        self._varargs = next((p.name for p in inspect.signature(func).parameters.values()
                              if p.kind is p.VAR_POSITIONAL), None)
        self._with_value = with_value
        self._signature = inspect.signature(func)
        self._generated = None
        self._variants = {}  # argument description (shapeinfo.describe) -> Generated
        self._wrt_index = tuple(self._positional.get(n, -1) for n in self._wrt)
        if self._varargs in self._wrt:
            self._wrt_index = ()
        self._entry = None  # the last variant's entry (entry.py): this object's __call__
        self._entries = {}  # key (see _key) -> entry.build(...) or None

    @property
    def source(self) -> str:
        """The generated Python: a forward sweep and a backward sweep."""
        return self._compiled().source

    def source_for(self, *args, **kwargs) -> str:
        """The generated Python that a call with these arguments runs: the code of
        `.source` specialized on the arguments' shapes."""
        return self._variant(*_key(args, kwargs), args, kwargs).source

    def _compiled(self) -> Generated:
        if self._generated is None:
            self._generated = compiled(self.__wrapped__, self._wrt)
        return self._generated

    def _variant(self, key, checked, args, kwargs) -> Generated:
        """The code for arguments described by `key`: specialized on their shapes, or
        the general code once MAX_VARIANTS versions exist."""
        generated = self._variants.get(key)
        if generated is not None:  # a function the code calls was rebound: rebuild
            generated = self._variants[key] = specialized(
                self.__wrapped__, self._wrt, generated.arguments, rebuild=True,
                value=generated.value_asked, kinds=generated.kinds, fused=generated.fused_asked)
            return generated
        if len(self._variants) >= MAX_VARIANTS:
            generated = self._compiled()
            if not generated.current():
                generated = self._generated = compiled(self.__wrapped__, self._wrt, rebuild=True)
            return generated
        try:
            bound = self._signature.bind(*args, **kwargs).arguments
        except TypeError:
            return self._compiled()  # the call itself raises the TypeError
        arguments = {name: describe(value) for name, value in bound.items()
                     if name != self._varargs}
        plain = not all(map(_real, bound.values())) or not _one_precision(bound.values())
        # the key tells float64 arrays, other arrays (by dtype) and numbers apart
        kinds = {name: dtypes.kind_of(v) for name, v in bound.items() if name != self._varargs}
        generated = self._variants[key] = specialized(
            self.__wrapped__, self._wrt, arguments, value=self._with_value or plain,
            kinds=kinds, fused=not plain)
        return generated

    def __call__(self, *args, **kwargs):  # until an entry takes its place (_use_entry)
        return self._call(args, kwargs)

    def _call(self, args, kwargs):
        """A call the last variant's entry did not take: describe the arguments, find (or
        build) their variant, check the inputs and results in general."""
        key, checked = _key(args, kwargs, self._wrt_index)
        generated = self._variants.get(key)
        if generated is None or not generated.current():
            generated = self._variant(key, checked, args, kwargs)
        inputs = [args[i] for i in self._wrt_index] if checked else self._wrt_values(args, kwargs)
        try:
            if generated.call is not None:  # one function: (value and) gradients
                try:
                    result = generated.call(*args, **kwargs)
                except ZeroDivisionError:
                    result = self._general_grads(args, kwargs, generated.has_value)
                value, grads = result if generated.has_value else (None, result)
                if checked and not kwargs and generated.arguments is not None:
                    self._use_entry(key, generated, args)
                return self._finish(value, grads, inputs, checked)
            value, saved = generated.forward(*args, **kwargs)
            if generated.has_value and not _is_real_scalar(value):
                raise _not_scalar(self.__wrapped__, value)
            try:
                grads = generated.backward(1.0, *saved)
            except ZeroDivisionError:
                if generated.arguments is None:
                    raise
                grads = self._general_grads(args, kwargs)
        except Exception as exc:
            codegen.annotate(exc)
            raise
        return self._finish(value, grads, inputs, checked)

    def _use_entry(self, key, generated, args):
        """Send the next calls like this one straight to `generated` (see entry.py)."""
        found = self._entries.get(key, self._entries)
        if found is self._entries or (found is not None and found.generated is not generated):
            found = self._entries[key] = entry.build(
                self.__wrapped__.__name__, generated, args, self._wrt_index, self._single)
        if found is not self._entry:
            self._entry = found
            self._own_class().__call__ = found or GradientFunction.__call__

    def _own_class(self):
        """A subclass for this object alone, whose `__call__` can be the entry of its last
        variant: Python then runs the entry with no frame of srcgrad's in between."""
        cls = type(self)
        if cls is GradientFunction:
            cls = self.__class__ = type(cls.__name__, (cls,), {
                "__module__": cls.__module__, "__qualname__": cls.__qualname__})
        return cls

    def _general_grads(self, args, kwargs, with_value=False):
        """Specialized code divides numbers with plain `/` (specialize._mask_free), which
        raises on a 0.0 of Python's; the general code gives inf or nan as NumPy does."""
        general = self._compiled()
        value, saved = general.forward(*args, **kwargs)
        grads = general.backward(1.0, *saved)
        return (value, grads) if with_value else grads

    def _finish(self, value, grads, inputs, checked):
        if len(inputs) == 1:  # the backward sweep returns one adjoint bare, several as a tuple
            grads = (grads,)
        owned = _owned(grads, inputs) if checked else None
        grads = owned or _distinct(tuple(_like(g, x) for g, x in zip(grads, inputs)))
        if self._single:
            grads = grads[0]
        return (value, grads) if self._with_value else grads

    def _wrt_values(self, args, kwargs) -> list:
        values = []
        for name in self._wrt:
            index = self._positional.get(name)
            if name == self._varargs:
                value = tuple(args[len(self._positional):])
            elif index is not None and index < len(args):
                value = args[index]
            elif name in kwargs:
                value = kwargs[name]
            else:
                value = self._default(name)
            _check_input(self.__wrapped__, name, value)
            values.append(value)
        return values

    def _default(self, name):
        parameter = inspect.signature(self.__wrapped__).parameters[name]
        if parameter.default is inspect.Parameter.empty:
            raise TypeError(f"{self.__name__}() missing required argument: '{name}'")
        return parameter.default

    def __repr__(self):
        kind = "value_and_grad" if self._with_value else "grad"
        return f"<srcgrad.{kind} of {self.__wrapped__.__qualname__} wrt {self._wrt}>"


def compiled(func, wrt: tuple, rebuild=False) -> Generated:
    """The cached forward/backward pair of `func` for the arguments `wrt`."""
    return _cached(func, wrt, wrt, None, rebuild)


def specialized(func, wrt: tuple, arguments: dict, rebuild=False, value=True,
                kinds: dict | None = None, fused=False) -> Generated:
    """Like `compiled`, but specialized on the shapes of one call's arguments
    ({parameter: shapeinfo.describe(value)}); the general code if that cannot be done.
    `value=False`: only the gradient is wanted, and the arguments are real numbers and
    arrays (see `transform`); `kinds` ({parameter: dtypes.kind_of(value)}): what that
    code may assume of their dtypes; `fused`: the arguments are real and of one precision,
    and a call may run one function for the value and gradients (see `transform`)."""
    kinds = kinds or {}
    key = (wrt, tuple(sorted(arguments.items())), value, tuple(sorted(kinds.items())), fused)
    return _cached(func, wrt, key, arguments, rebuild, value, kinds, fused)


def _cached(func, wrt, key, arguments, rebuild, value=True, kinds=None,
            fused=False) -> Generated:
    if not isinstance(func, types.FunctionType):
        source.load(func)  # raises the SrcGradError that says what to do instead
    with _LOCK:
        per_func = _CACHE.get(func)
        if per_func is None:
            per_func = _CACHE[func] = {}
        if rebuild or key not in per_func or not per_func[key].current():
            stack = calls.transform_stack()
            stack.append(func)
            try:
                try:
                    per_func[key] = transform(func, wrt, arguments, value, kinds, fused)
                except NotSpecializable:
                    per_func[key] = transform(func, wrt)
                per_func[key].arguments, per_func[key].kinds = arguments, kinds
                per_func[key].value_asked, per_func[key].fused_asked = value, fused
            finally:
                stack.pop()
        return per_func[key]


def _key(args, kwargs, wrt_index=()) -> tuple:
    """(the description of the arguments that picks the specialized code, whether every
    wrt argument is a positional float or float array, so needs no further check)"""
    ndarray = np.ndarray
    # float64 arrays by shape; others by dtype too, for `_one_precision`
    key = tuple([(a.shape if a.dtype.char == "d" else (a.shape, a.dtype.str))
                 if type(a) is ndarray else () if type(a) is float else _described(a)
                 for a in args])
    if kwargs:
        return key + (tuple([(k, _described(v), _real(v)) for k, v in kwargs.items()]),), False
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
    return describe(value)


def _leaves(values, _within=()):
    """The values, and the items of those that are dicts, lists or tuples, all the way
    (a list that holds itself: itself, as a leaf, the second time)."""
    for v in values:
        if type(v) in (dict, list, tuple) and id(v) not in _within:
            yield from _leaves(v.values() if type(v) is dict else v, _within + (id(v),))
        else:
            yield v


def _one_precision(values) -> bool:
    """The float arrays and NumPy numbers among `values`, and the floats NumPy makes of
    their integer and bool arrays (np.sin of int8 is float16), have one dtype. Else the
    grad-only code is not used: it adds an adjoint's next contributions in place
    (inplace.py, defer.py), which would round a float64 one to a first float16 one."""
    found = set()
    for v in _leaves(values):
        if isinstance(v, (np.ndarray, np.generic)) and v.dtype.kind in "fiub":
            found.add(v.dtype if v.dtype.kind == "f" else np.result_type(v.dtype, np.float16))
    return len(found) <= 1


def _real(value) -> bool:
    """A real number or an array of real numbers (told apart from others by `_key`), or
    a dict, list or tuple of them."""
    if type(value) in (dict, list, tuple):
        return all(map(_real_leaf, _leaves([value])))
    return _real_leaf(value)


def _real_leaf(value) -> bool:
    kind = type(value)
    if kind is np.ndarray:
        return value.dtype.kind in "fiub"
    return kind in (float, int) or isinstance(value, np.floating)


def _owned(grads, inputs):
    """The gradients as they are, if each is already what `_like` and `_distinct` would
    make of it (a float for a float; for an array, an array of its shape and dtype that
    owns its memory and is no input), else None."""
    out = []
    for g, x in zip(grads, inputs):
        if type(x) is float:
            out.append(float(g))
        elif (type(g) is np.ndarray and g.base is None and g.shape == x.shape
              and g.dtype == x.dtype and x.base is None and g is not x
              and g.flags.writeable and all(g is not o for o in out)):
            out.append(g)
        else:
            return None
    return tuple(out)


def _wrt_names(func, wrt):
    """(positions of positional parameters, wrt names as a tuple, single?)"""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        raise SrcGradError(f"cannot read the signature of {func!r}") from None
    label = getattr(func, "__name__", repr(func))
    names = list(params)
    positional = {n: i for i, n in enumerate(names)
                  if params[n].kind in (params[n].POSITIONAL_ONLY, params[n].POSITIONAL_OR_KEYWORD)}
    single = not isinstance(wrt, (tuple, list))
    chosen = []
    for item in ([wrt] if single else list(wrt)):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 <= item < len(positional):
                raise SrcGradError(f"wrt={item} is out of range: "
                                   f"{label} has {len(positional)} positional arguments")
            chosen.append(names[item])
        elif isinstance(item, str) and item in params:
            chosen.append(item)
        else:
            raise SrcGradError(f"wrt={item!r} is not an argument of {label}"
                               f"({', '.join(names)})")
    if len(set(chosen)) != len(chosen):
        raise SrcGradError(f"wrt names an argument twice: {tuple(chosen)}")
    if not chosen:
        raise SrcGradError("wrt is empty: name at least one argument to differentiate")
    return positional, tuple(chosen), single


def _check_input(func, name, value):
    if isinstance(value, (float, np.floating)):
        return
    if isinstance(value, dict):
        for key, leaf in value.items():
            _check_input(func, f"{name}[{key!r}]", leaf)
        return
    if isinstance(value, (list, tuple)) and value:
        for i, leaf in enumerate(value):
            _check_input(func, f"{name}[{i}]", leaf)
        return
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return
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


def _is_real_scalar(value) -> bool:
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return True
    return np.ndim(value) == 0 and np.asarray(value).dtype.kind in "fiu"


def _not_scalar(func, value) -> SrcGradError:
    shape = np.shape(value)
    what = f"an array of shape {shape}" if shape else f"a {type(value).__name__}"
    return SrcGradError(
        f"grad needs {func.__name__} to return a real scalar, but it returned {what}. "
        "Reduce it inside the function (e.g. np.sum or np.mean), or use srcgrad.vjp with a "
        "seed shaped like the output (the backward(gradient=...) of PyTorch).")


def _like(g, x):
    """`g` with the type, shape and dtype of the argument `x`; never a view of it.

    For a dict, list or tuple argument (a `params` dict), the gradient has the same
    structure, with zeros for entries the function never read.
    """
    if isinstance(x, dict):
        g = g if isinstance(g, dict) else {}
        return {key: _like(g[key], leaf) if key in g else _zero(leaf) for key, leaf in x.items()}
    if isinstance(x, (list, tuple)):
        if isinstance(g, np.ndarray) and g.ndim and len(g) == len(x):
            g = list(g)  # np.exp(p) of a list p: the adjoint is the array NumPy made of it
        parts = g if isinstance(g, (list, tuple)) else [_zero(leaf) for leaf in x]
        out = [_like(p, leaf) for p, leaf in zip(parts, x)]
        return type(x)(out) if not hasattr(x, "_fields") else type(x)(*out)
    if isinstance(x, np.ndarray):
        g = np.asarray(g)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape)
        if g.dtype != x.dtype:
            return g.astype(x.dtype)
        if not g.flags.writeable or np.may_share_memory(g, x):
            return g.copy()
        return g
    if isinstance(x, np.floating):
        return type(x)(g)
    return float(g)


def _zero(x):
    """The gradient of an entry the function never read."""
    if isinstance(x, (dict, list, tuple)):
        return _like({} if isinstance(x, dict) else None, x)
    return _like(np.zeros_like(x), x)


def _distinct(tree, seen=None):
    """`tree` with every array its own: x + y gives x and y the same adjoint object,
    and writing into one returned gradient must never change another."""
    seen = set() if seen is None else seen
    if isinstance(tree, dict):
        return {key: _distinct(value, seen) for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        items = [_distinct(value, seen) for value in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
    if isinstance(tree, np.ndarray):
        base = tree if tree.base is None else tree.base
        if id(base) in seen:
            return tree.copy()
        seen.add(id(base))
    return tree
