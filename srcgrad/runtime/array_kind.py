"""What kind of arrays a call computes with: NumPy's own, or *duck* arrays (Dask, CuPy,
anything implementing NEP 18 `__array_function__` and NEP 13 `__array_ufunc__`), which
NumPy's functions dispatch to and which must never be converted to NumPy.

The kind of a call's arguments is part of the key of its specialized code
(pipeline/cache.py): NumPy arrays get the NumPy fast path, duck arrays the portable code
(pipeline/portable.py says what that code may not use). Nothing here converts a duck
array: it reads `type`, `shape`, `dtype` and `ndim` only.
"""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError

NUMPY = "numpy"  # the kind of calls whose arrays are all NumPy's (or plain numbers)


def is_duck(value) -> bool:
    """An array of another library that NumPy dispatches to (not a NumPy array or number)."""
    kind = type(value)
    if kind is np.ndarray or isinstance(value, np.generic):
        return False
    return (hasattr(kind, "__array_function__") and hasattr(kind, "__array_ufunc__")
            and hasattr(value, "shape") and hasattr(value, "dtype"))


def type_name(value) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _leaves(value, depth=0):
    if depth > 20:
        return
    if type(value) is dict:
        for item in value.values():
            yield from _leaves(item, depth + 1)
    elif type(value) in (list, tuple):
        for item in value:
            yield from _leaves(item, depth + 1)
    else:
        yield value


def kind_of(values) -> str | tuple:
    """NUMPY, or ("duck", type names...) of the duck arrays among `values` (and in their
    dicts, lists and tuples): what picks the emission of the code a call runs."""
    names = sorted({type_name(v) for value in values for v in _leaves(value) if is_duck(v)})
    return NUMPY if not names else ("duck", *names)


def is_lazy(value) -> bool:
    """A value not computed yet (a Dask collection): its truth is not known."""
    return is_duck(value) and hasattr(value, "__dask_graph__")


def concrete(value):
    """The test of an `if` or `while` in portable code: a lazy value is refused (Python
    would compute the whole graph to branch on it, once per test)."""
    if is_lazy(value):
        raise SrcGradError(
            f"an `if` or `while` tests a lazy {type(value).__name__} (a Dask value not "
            "computed yet): srcgrad does not compute it to choose a branch\n"
            "Compute it first (`value.compute()`, or pass NumPy data), or write the choice "
            "with np.where(condition, a, b), which stays lazy.")
    return value


def shape_of(value):
    """The shape of a duck array if every extent is known (a Dask array with unknown chunk
    sizes has nan extents), else None."""
    shape = getattr(value, "shape", None)
    if not isinstance(shape, tuple):
        return None
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        return None
    return tuple(int(n) for n in shape)


def is_real_duck(value) -> bool:
    """A duck array of real numbers (float, integer or bool)."""
    return is_duck(value) and getattr(value.dtype, "kind", "") in "fiub"


def is_scalar_duck(value) -> bool:
    """A 0-d duck array of real numbers: a loss computed on duck arrays, maybe lazily."""
    return is_duck(value) and getattr(value, "ndim", None) == 0 and value.dtype.kind in "fiu"


def holds_duck(value) -> bool:
    """A duck array, or a list or tuple holding one (an adjoint's parts)."""
    if isinstance(value, (list, tuple)):
        return any(holds_duck(item) for item in value)
    return is_duck(value)


def stacked(value):
    """A list or tuple holding duck arrays as one array of their kind. NumPy's functions
    read a list as NumPy would: they would convert its items, not dispatch to them."""
    if isinstance(value, (list, tuple)) and holds_duck(value):
        return np.stack([stacked(item) for item in value])
    return value


def on_kind_of(value, reference):
    """`value` (a NumPy array or a number) made by the library of the duck array
    `reference` (NEP 35 `like=`): on its device, in its graph; a duck array as it is."""
    return value if is_duck(value) else np.asarray(value, like=reference)


def size_of(value) -> int:
    """The number of elements, without converting a duck array (np.size would)."""
    return value.size if is_duck(value) else int(np.size(value))
