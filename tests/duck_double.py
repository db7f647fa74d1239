"""A CPU test double of a duck array (Dask, CuPy): a minimal class implementing NEP 18
`__array_function__` and NEP 13 `__array_ufunc__` over a NumPy array it hides. It records
every NumPy function and ufunc it receives, and raises on every way of converting it to
NumPy (`__array__`, `float`, `int`, `bool` when `strict`), so a test that runs srcgrad on it
proves that no call on the portable path converts to NumPy. It also refuses an `out=` that
is not one of its own (a buffer made with NumPy, which would not live on the device)."""

from __future__ import annotations

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin


class Converted(AssertionError):
    """Something asked a duck array for its values as NumPy."""


class Duck(NDArrayOperatorsMixin):
    calls: list = []  # (kind, name) of every NumPy call any Duck received, in order

    def __init__(self, array, strict_truth=False):
        self._a = np.asarray(array)
        self._strict = strict_truth

    # --- the protocols ---------------------------------------------------------------
    def __array_function__(self, func, types, args, kwargs):
        Duck.calls.append(("function", func.__name__))
        if not all(issubclass(t, (Duck, np.ndarray)) for t in types):
            return NotImplemented
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        Duck.calls.append(("ufunc", ufunc.__name__ if method == "__call__"
                           else f"{ufunc.__name__}.{method}"))
        out = kwargs.get("out")
        if out is not None and not all(isinstance(o, Duck) for o in out):
            raise Converted(f"{ufunc.__name__}: out= is not a Duck: {[type(o) for o in out]}")
        result = getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array__(self, *args, **kwargs):
        raise Converted("a Duck was converted to NumPy (__array__)")

    def __float__(self):
        raise Converted("float() of a Duck")

    def __int__(self):
        raise Converted("int() of a Duck")

    def __index__(self):
        raise Converted("a Duck used as an index")

    def __bool__(self):
        if self._strict:
            raise Converted("bool() of a Duck")
        return bool(self._a)

    # --- what array code reads -------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    T = property(lambda self: Duck(self._a.T))
    mT = property(lambda self: Duck(np.swapaxes(self._a, -1, -2)))
    real = property(lambda self: Duck(self._a.real))
    imag = property(lambda self: Duck(self._a.imag))

    def __len__(self):
        return len(self._a)

    def __getitem__(self, key):
        Duck.calls.append(("method", "__getitem__"))
        return _wrap(self._a[_unwrap(key)])

    def __setitem__(self, key, value):
        Duck.calls.append(("method", "__setitem__"))
        self._a[_unwrap(key)] = _unwrap(value)

    def __repr__(self):
        return f"Duck({self._a!r})"

    def numpy(self):
        """The values (for the test's own comparisons: not a protocol NumPy uses)."""
        return self._a.copy()


def _method(name):
    def method(self, *args, **kwargs):
        Duck.calls.append(("method", name))
        return _wrap(getattr(self._a, name)(*_unwrap(args), **_unwrap(kwargs)))
    method.__name__ = name
    return method


for _name in ("sum", "mean", "reshape", "astype", "copy", "transpose", "max", "min", "dot",
              "prod", "ravel", "swapaxes", "squeeze", "var", "std", "clip", "cumsum", "any",
              "all", "take", "conj", "round", "flatten", "repeat", "argmax", "argmin",
              "trace", "diagonal", "conjugate", "cumprod", "nonzero"):
    setattr(Duck, _name, _method(_name))


def _unwrap(value):
    if isinstance(value, Duck):
        return value._a
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


def _wrap(value):
    if isinstance(value, np.ndarray):
        return Duck(value)
    if isinstance(value, np.generic):  # a duck library gives 0-d arrays, not NumPy numbers
        return Duck(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def values(tree):
    """A Duck (in a tuple, list or dict too) as NumPy, for comparisons."""
    if isinstance(tree, Duck):
        return tree.numpy()
    if isinstance(tree, (list, tuple)):
        return type(tree)(values(v) for v in tree)
    if isinstance(tree, dict):
        return {k: values(v) for k, v in tree.items()}
    return tree
