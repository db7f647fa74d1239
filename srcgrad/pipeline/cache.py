"""What the pipeline made, kept per function: each `(wrt, the call's argument shapes, ...)`
is transformed once, and again only when a name its code was resolved through is
rebound. The same cache serves the helpers a function calls (`COMPILERS`, handed down to
the front half), and a helper that calls itself is refused through `calls.transform_stack`.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import threading
import types
import weakref

from ..ad import calls
from ..errors import SrcGradError
from ..frontend import source
from ..frontend.static_functions import functions_of
from ..frontend.unit import HelperCompilers
from ..passes.specialize import NotSpecializable
from ..runtime.array_kind import NUMPY
from . import manifest, persistent
from .forward_mode import transform_jvp
from .generated import Generated
from .portable import steps_left_out
from .reverse_mode import transform

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # func -> {key: Generated}
_LOCK = threading.RLock()  # one transformation at a time (re-entrant: helpers, recursion)
_SKIP: set = set()  # steps of the manifest left out (`skipping`)


def compiled(func, wrt: tuple, rebuild=False, has_aux=False, checkpoint=None,
             inline=False, keywords=None, statics=()) -> Generated:
    """The cached forward/backward pair of `func` for the arguments `wrt` (`has_aux`: it
    returns `(loss, aux)`, `checkpoint`, `inline`: helpers written out in place,
    `keywords`: the names a call passes to its `**kw`, `statics`: the functions it passes,
    ((parameter, function), ...); see reverse_mode.transform)."""
    key = (wrt, "aux") if has_aux else wrt
    if inline:
        key = (key, "inline")
    if checkpoint is not None:
        key = (key, "checkpoint", checkpoint)
    if keywords is not None:
        key = (key, "keywords", keywords)
    if statics:
        key = (key, "statics", statics)
    return _cached(func, wrt, key, None, rebuild, has_aux=has_aux, checkpoint=checkpoint,
                   inline=inline, keywords=keywords, statics=statics)


def specialized(func, wrt: tuple, arguments: dict, rebuild=False, value=True,
                kinds: dict | None = None, fused=False, has_aux=False,
                checkpoint=None, array_kind=NUMPY) -> Generated:
    """Like `compiled`, but specialized on the shapes of one call's arguments
    ({parameter: shape_inference.describe(value)}); the general code if that cannot be
    done. `value=False`: only the gradient is wanted, and the arguments are real numbers
    and arrays (see `transform`); `kinds` ({parameter: dtypes.kind_of(value)}): what that
    code may assume of their dtypes; `fused`: the arguments are real and of one precision,
    and a call may run one function for the value and gradients (see `transform`);
    `array_kind` (runtime.array_kind.kind_of): NumPy's arrays, or the duck arrays the
    portable code is made for (pipeline/portable.py)."""
    kinds = kinds or {}
    key = (wrt, tuple(sorted(arguments.items())), value, tuple(sorted(kinds.items())), fused,
           has_aux) + ((checkpoint,) if checkpoint is not None else ())
    if array_kind != NUMPY:
        key += (array_kind,)
    return _cached(func, wrt, key, arguments, rebuild, value, kinds, fused, has_aux, checkpoint,
                   array_kind)


def compiled_jvp(func, wrt: tuple, rebuild=False, value=True, keywords=None,
                 statics=()) -> Generated:
    """The cached forward-mode function of `func` for the arguments `wrt` (see
    forward_mode.transform_jvp for `value`, `keywords` and `statics`)."""
    if not isinstance(func, types.FunctionType):
        source.load(func)
    _refuse_generator(func)
    key = ("jvp", wrt, value) + ((keywords,) if keywords is not None else ()) + (
        (statics,) if statics else ())
    with _LOCK:
        per_func = _CACHE.setdefault(func, {})
        if rebuild or key not in per_func or not per_func[key].current():
            with _transforming(func):
                per_func[key] = transform_jvp(func, wrt, value, compilers=COMPILERS,
                                               skip=frozenset(_SKIP), keywords=keywords,
                                               statics=statics)
        return per_func[key]


COMPILERS = HelperCompilers(reverse=compiled, forward=compiled_jvp)


def forget_all():
    """Forget every transformation: gradients built before a new rule may have transformed
    a function the rule now covers."""
    with _LOCK:
        _CACHE.clear()


@contextlib.contextmanager
def skipping(*names):
    """Inside, functions are transformed without the steps `names` of the manifest (but
    the essential ones): for tests, and to see what a pass does. What was built before is
    forgotten on entry and on exit."""
    unknown = set(names) - manifest.NAMES
    if unknown:
        raise ValueError(f"no such step: {sorted(unknown)}")
    with _LOCK:
        forget_all()
        _SKIP.update(names)
    try:
        yield
    finally:
        with _LOCK:
            _SKIP.difference_update(names)
            forget_all()


def variants(func) -> dict:
    """{key: Generated} of what is cached for `func` (for tests and tools)."""
    with _LOCK:
        return dict(_CACHE.get(func, {}))


def _refuse_generator(func) -> None:
    """A generator differentiated itself (not a helper, read as the list it yields)."""
    if not calls.transform_stack() and inspect.isgeneratorfunction(func):
        raise SrcGradError(f"{func.__qualname__} is a generator; differentiate a function "
                           "that returns a value")


def cached_functions() -> int:
    """How many functions have something cached."""
    with _LOCK:
        return len(_CACHE)


def _cached(func, wrt, key, arguments, rebuild, value=True, kinds=None,
            fused=False, has_aux=False, checkpoint=None, array_kind=NUMPY,
            inline=False, keywords=None, statics=()) -> Generated:
    if not isinstance(func, types.FunctionType):
        source.load(func)  # raises the SrcGradError that says what to do instead
    _refuse_generator(func)
    with _LOCK:
        per_func = _CACHE.get(func)
        if per_func is None:
            per_func = _CACHE[func] = {}
        if rebuild or key not in per_func or not per_func[key].current():
            skip = frozenset(_SKIP)
            how = (wrt, arguments, value, kinds, fused, has_aux, skip, checkpoint, array_kind,
                   inline, keywords, statics)
            # on disk: NumPy's specialized code without srcgrad's blocks (persistent.py)
            on_disk = None if arguments is None or checkpoint or array_kind != NUMPY else \
                persistent.entry_path(func, (key, sorted(skip)))
            made = None if on_disk is None or rebuild else persistent.load(
                func, on_disk, _later(func, how))
            if made is None:
                made = _transformed(func, *how)
                if on_disk is not None:
                    persistent.store(func, on_disk, made)
            per_func[key] = made
            made.arguments, made.kinds = arguments, kinds
            made.value_asked, made.fused_asked = value, fused
            made.array_kind = array_kind
        return per_func[key]


def _transformed(func, wrt, arguments, value, kinds, fused, has_aux, skip,
                 checkpoint, array_kind, inline, keywords, statics) -> Generated:
    with _transforming(func):
        try:
            return transform(func, wrt, arguments, value, kinds, fused, compilers=COMPILERS,
                             skip=skip | steps_left_out(array_kind), has_aux=has_aux,
                             checkpoint=checkpoint, array_kind=array_kind, inline=inline,
                             keywords=keywords, statics=statics)
        except NotSpecializable:
            return transform(func, wrt, compilers=COMPILERS, skip=skip, has_aux=has_aux,
                             checkpoint=checkpoint, keywords=keywords,
                             statics=statics or _functions_described(arguments))


def _functions_described(arguments) -> tuple:
    """The functions a call passes, from its description: the general code calls them too."""
    return tuple(sorted(functions_of(arguments).items()))


def _later(func, how):
    """() -> `_transformed(func, *how)`, not keeping `func` alive (the cache's key is weak):
    the sweeps and source of a variant loaded from disk, made when first asked for."""
    func_ref = weakref.ref(func)

    def transformed():
        user = func_ref()
        if user is None:
            raise SrcGradError("the function differentiated no longer exists")
        with _LOCK:
            return _transformed(user, *how)
    return transformed


@contextlib.contextmanager
def _transforming(func):
    """`func` is on this thread's stack of functions being transformed while inside; the
    cyclic garbage collector waits until the outermost transformation ends (its full
    collections walk every tree the passes made: on a long function they cost more than
    the passes, and more per statement the longer the function)."""
    stack = calls.transform_stack()
    stack.append(func)
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        stack.pop()
        if collecting:
            gc.enable()
