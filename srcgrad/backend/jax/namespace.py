"""What the names of generated code mean on the JAX backend: `np` is `jax.numpy` (with
NumPy's spellings that jax.numpy lacks), `math` computes on arrays, and each runtime
helper has a JAX form: most are the same NumPy code read over `jax.numpy` (they only
compute new arrays), the few that write into arrays or branch on values are written out
here. A helper with no JAX form is refused by name when the traced code calls it, saying
what to write instead (`REFUSED`)."""

from __future__ import annotations

import functools
import inspect
import math
import types

import jax
import jax.numpy as jnp
import numpy as np

from ... import runtime
from ...runtime import (adjoints, blocks, buffers, containers, factorizations, indexing, layout,
                        linalg, tangents, transposes)
from . import helpers, scipy_forms
from .flow import as_index
from .helpers import summed_to

# Helpers that only compute new arrays from NumPy calls: the same code, `np` read as
# jax.numpy (and the private functions of their module read the same way). Each was read
# for in-place writes and branches on values: none (a check on values that raises fails
# in the trace, refused at the user's line).
PURE_HELPERS = (
    adjoints.unbroadcast, adjoints.broadcast_like, adjoints.repeat_to, adjoints.centered,
    adjoints.split_among_ties, adjoints.reverse_cumsum, adjoints.sinc_slope,
    adjoints.winner, adjoints.positive_log, adjoints.prod_of_others, adjoints.cast_back,
    adjoints.abs_slope, adjoints.abs_slope_jvp, adjoints.abs_slope_vjp, adjoints.conjugated,
    adjoints.stored, layout.boundary_widths,
    adjoints.norm_adjoint, linalg.matmul_adjoint_x, linalg.matmul_adjoint_y,
    linalg.dot_adjoint_x, linalg.dot_adjoint_y, linalg.mT, linalg.triangle, linalg.undiag,
    linalg.lu_tangent, linalg.solve_transposed, linalg.rhs_outer, linalg.einsum_adjoint,
    linalg.einsum_adjoint_by_operands, linalg.einsum_adjoints,
    linalg.einsum_adjoints_by_operands, linalg.einsum_pushed, linalg.tensordot_subscripts,
    linalg.inner_subscripts, linalg.dot_subscripts, layout.reshaped, layout.unbroadcast_each,
    layout.meshgrid_adjoint, layout.imag_adjoint, layout.select_adjoint,
    layout.linspace_adjoints, layout.full_adjoint, layout.placed_in_full, indexing.unstack,
    indexing.hstack_axis,
    indexing.inverse_permutation, indexing.untile, indexing.undiff, tangents.mean_over_ties,
    tangents.within_bounds, tangents.solve_product, tangents.norm_jvp,
    containers.zero_tangent, containers.item_adjoint, containers.field_adjoint,
    containers.record_of_tangents,
    transposes.broadcast_back, transposes.repeat_back, transposes.gathered,
    transposes.take_back, transposes.items_summed, factorizations.lower_half,
    factorizations.svd_adjoint, factorizations.svd_jvp, factorizations.qr_adjoint,
    factorizations.qr_jvp, factorizations.lstsq_adjoints, factorizations.lstsq_tangents,
    blocks.hook_adjoint, blocks.hook_result,
)
# ... and those whose index arithmetic on shapes must stay NumPy (a jax.numpy result is
# traced, and cannot cut or index): {helper: the NumPy names it keeps}
MIXED_HELPERS = {layout.unblock: ("cumsum",)}


class JaxNumpy(types.ModuleType):
    """`np` of generated code on the JAX backend: jax.numpy (whose ufuncs have `.reduce`
    and `.outer`, and refuse `out=` and `where=`), and NumPy's names it lacks from NumPy
    itself when they compute nothing (dtypes, errstate)."""

    def __init__(self):
        super().__init__("numpy", "jax.numpy as generated code reads it")

    def __getattr__(self, name):
        if hasattr(jnp, name):
            value = _taking_lists(getattr(jnp, name))
        else:
            value = getattr(np, name)
            if isinstance(value, types.ModuleType) or (callable(value) and not isinstance(
                    value, type) and name != "errstate"):
                # np.random, ...: run once while tracing, they would be constants
                raise NoJaxForm(f"np.{name} has no JAX form")
        setattr(self, name, value)
        return value


def _taking_lists(fn):
    """`fn` (of jax.numpy) taking a list or tuple where NumPy takes one for an array (each
    parameter jax.numpy types as an array, not a sequence: `np.sum([a, b])`, `np.add(x,
    [1, 2])`), converted with jnp.asarray; the same object if it has none. What it makes
    is traced once: the compiled code does not convert."""
    if isinstance(fn, jnp.ufunc):
        return _UfuncTakingLists(fn)
    if isinstance(fn, type) or not callable(fn):
        return fn
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return fn
    named = _ARRAY_PARAMETERS.get(getattr(fn, "__name__", None))
    arrays = [p for p in parameters if p.name in named] if named else [
        p for p in parameters if _array_like(str(p.annotation))]
    if not arrays:
        return fn
    positions = {i for i, p in enumerate(parameters) if p in arrays
                 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)}
    every = any(p.kind == p.VAR_POSITIONAL for p in arrays)
    names = {p.name for p in arrays}

    @functools.wraps(fn)
    def taking_lists(*args, **kwargs):
        args = [_as_array(a) if every or i in positions else a for i, a in enumerate(args)]
        kwargs = {k: _as_array(v) if k in names else v for k, v in kwargs.items()}
        return fn(*args, **kwargs)
    return taking_lists


# jax.numpy functions whose array parameters carry no annotation
_ARRAY_PARAMETERS = {"where": ("condition", "x", "y")}


def _array_like(annotation: str) -> bool:
    """A parameter's annotation (as jax.numpy writes it) says an array, not a sequence or
    a shape."""
    return (("ArrayLike" in annotation or "_jax.Array" in annotation)
            and not any(word in annotation for word in ("Sequence", "Shape", "list[", "Pad")))


def _as_array(value):
    return as_index(list(value)) if type(value) in (list, tuple) else value


class _UfuncTakingLists:
    """A jax.numpy ufunc whose call takes lists as NumPy's does (`reduce`, `outer`... as
    jax.numpy has them)."""

    def __init__(self, ufunc):
        self.ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return self.ufunc(*map(_as_array, args), **kwargs)

    def __getattr__(self, name):
        return getattr(self.ufunc, name)


class JaxMath(types.ModuleType):
    """`math` of generated code: its functions on arrays (a traced value is no float)."""

    def __init__(self):
        super().__init__("math", "math on jax arrays")

    def __getattr__(self, name):
        value = getattr(math, name)
        if callable(value):
            value = _MATH.get(name) or getattr(jnp, name, value)
        setattr(self, name, value)
        return value


# math's functions jax.numpy has under no name of its own
_MATH = {"lgamma": jax.scipy.special.gammaln, "erf": jax.scipy.special.erf,
         "erfc": jax.scipy.special.erfc}

NP, MATH = JaxNumpy(), JaxMath()


def safe_div(g, den):
    """g / den, but 0 wherever g is 0 (runtime.adjoints.safe_div), as a select."""
    g, den = jnp.asarray(g), jnp.asarray(den)
    zero = g == 0
    return jnp.where(zero, jnp.zeros((), jnp.result_type(g, den, 1.0)),
                     g / jnp.where(zero, jnp.ones((), den.dtype), den))


def zeros_like(x):
    """A zero adjoint shaped like `x` (runtime.containers.zeros_like)."""
    if isinstance(x, dict) or containers.is_dataclass_value(x):
        return containers.Fields()
    if isinstance(x, (list, tuple)):
        return containers.Parts(zeros_like(v) for v in x)
    if type(x) is float or x is None:  # (None: a name bound on every path, never read)
        return 0.0
    return jnp.zeros_like(x)


def set_at(x, index, value):
    """runtime.containers.set_at: a copy of `x` with `x[index] = value`."""
    if isinstance(x, (dict, list, tuple)):
        return containers.set_at(x, index, value)
    return jnp.asarray(x).at[as_index(index)].set(value)


def without(g, index):
    """runtime.containers.without: `g` with zeros at `index`."""
    if isinstance(g, (dict, list)):
        return _CONTAINERS_WITHOUT(g, index)
    return jnp.asarray(g).at[as_index(index)].set(0)


def take(g, index):
    """runtime.containers.take: `g[index]`, 0 where a later element of the selection
    overwrote the slot. Which one wins is worked out with NumPy from the index alone,
    known while tracing."""
    if isinstance(g, dict):
        return g.get(index, 0.0)
    index = as_index(index)
    part = g[index]
    places = np.arange(np.size(part)).reshape(np.shape(part))
    owner = np.empty(np.shape(g), dtype=places.dtype)
    owner[index] = places
    return jnp.where(owner[index] == places, part, 0)


def split_ties_kept(g, x, z, axis):
    """runtime.adjoints.split_ties_kept without its branch on values: each tie's share."""
    hit = x == z
    return hit * (g / jnp.sum(hit, axis=axis, keepdims=True))


def scatter_add(x, index, g):
    """Adjoint of `x[index]` (runtime.indexing.scatter_add): zeros with g added at index."""
    if isinstance(x, (dict, list, tuple)):
        return _FORMS[containers.item_adjoint](x, index, g)
    index = as_index(index)
    dtype = jnp.result_type(x, g, 1.0)
    window = _window(jnp.shape(x), index)
    if window is not None:  # a block of x: g padded with zeros (XLA fuses a pad)
        kept, widths = window
        block = jnp.broadcast_to(g, np.broadcast_to(0, jnp.shape(x))[index].shape)
        return jnp.pad(jnp.reshape(block, kept).astype(dtype), widths)
    return jnp.zeros(jnp.shape(x), dtype=dtype).at[index].add(g)


def _window(shape, index):
    """(the block's shape with every axis kept, the zeros before and after it on each
    axis) if `index` selects a block of an array of `shape`, one stride apart on every
    axis (slices of step 1 and integers), else None."""
    parts = index if isinstance(index, tuple) else (index,)
    at = [i for i, p in enumerate(parts) if p is Ellipsis]
    if len(at) > 1:
        return None
    if at:
        at = at[0]
        parts = parts[:at] + (slice(None),) * (len(shape) - len(parts) + 1) + parts[at + 1:]
    if len(parts) > len(shape):
        return None
    parts = parts + (slice(None),) * (len(shape) - len(parts))
    kept, widths = [], []
    for part, n in zip(parts, shape):
        if isinstance(part, slice) and part.step in (None, 1):
            start, stop, _ = part.indices(n)
            stop = max(start, stop)
        elif isinstance(part, (int, np.integer)) and not isinstance(part, bool) and -n <= part < n:
            start = int(part) % n
            stop = start + 1
        else:
            return None
        kept.append(stop - start)
        widths.append((start, n - stop))
    return tuple(kept), widths


def split_like(g, arrays, axis):
    """runtime.indexing.split_like: g cut along `axis` into pieces shaped like `arrays`
    (the cut points are known from the shapes while tracing)."""
    g = jnp.asarray(g)
    if axis is None:
        g, axis = jnp.ravel(g), 0
    others = max(g.size // max(g.shape[axis], 1), 1)
    bounds = np.cumsum([jnp.size(a) // others for a in arrays])[:-1].tolist()
    pieces = [jnp.reshape(p, jnp.shape(a)) for p, a in zip(jnp.split(g, bounds, axis), arrays)]
    return jnp.stack(pieces) if isinstance(arrays, (np.ndarray, jax.Array)) else (
        containers.Parts(pieces))  # added item by item to another adjoint of the list


def spread_to_items(g, items):
    """runtime.containers.spread_to_items: the adjoint of `items` in `sum(items)`."""
    if isinstance(items, dict):  # sum(d) adds its keys, constants
        return containers.Fields()
    if isinstance(items, (np.ndarray, jax.Array)):
        return jnp.broadcast_to(summed_to(g, items.shape[1:]), items.shape)
    return containers.Parts(summed_to(g, jnp.shape(item)) for item in items)


def spare(v, *others):
    """No array is computed into on the JAX backend."""
    return None


WRITTEN_OUT = {adjoints.safe_div: safe_div, containers.zeros_like: zeros_like,
               adjoints.split_ties_kept: split_ties_kept, indexing.scatter_add: scatter_add,
               runtime.spare: spare, indexing.split_like: split_like,
               containers.spread_to_items: spread_to_items, containers.set_at: set_at,
               containers.without: without, containers.take: take}
WRITTEN_OUT.update({getattr(module, name): getattr(helpers, name) for module, names in (
    (adjoints, ["cumprod_adjoint"]), (tangents, ["cumprod_jvp"]),
    (indexing, ["unsort", "untake", "untake_along_axis", "unrepeat", "concatenator_adjoints"]),
    (linalg, ["place_diagonal", "lu_permutation", "solve_lower"]),
    (layout, ["undelete", "pad_adjoint", "pad_constant_adjoint", "unpartition"]),
    (containers, ["changes_in_place", "kept_as"]), (buffers, ["row_out", "rows_of"]))
    for name in names})

# srcgrad's adjoints of containers cross a jitted function's boundary as JAX pytrees
jax.tree_util.register_pytree_node(
    containers.Fields, lambda f: (list(f.values()), list(f.keys())),
    lambda keys, values: containers.Fields(zip(keys, values)))
jax.tree_util.register_pytree_node(
    containers.Parts, lambda p: (list(p), None), lambda _, values: containers.Parts(values))


class _MixedNumpy(types.ModuleType):
    """`np` of a helper whose index arithmetic stays NumPy: `kept` names from NumPy, the
    rest from jax.numpy."""

    def __init__(self, kept):
        super().__init__("numpy", "jax.numpy, with some of NumPy's names")
        for name in kept:
            setattr(self, name, getattr(np, name))

    def __getattr__(self, name):
        return getattr(NP, name)


def _read_over_jax(fn, kept=()):
    """`fn` (a runtime helper) with its module's `np` read as jax.numpy, the private
    functions of its module read the same way, and the helpers it calls in their JAX
    forms."""
    namespace = dict(fn.__globals__)
    namespace["np"] = _MixedNumpy(kept) if kept else NP
    for name, value in fn.__globals__.items():
        if isinstance(value, types.FunctionType) and value in WRITTEN_OUT:
            namespace[name] = WRITTEN_OUT[value]
        elif (isinstance(value, types.FunctionType) and name.startswith("_")
              and value.__module__ == fn.__module__):
            namespace[name] = _rebound(value, namespace)
    return _rebound(fn, namespace)


def _rebound(fn, namespace):
    made = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    made.__kwdefaults__ = fn.__kwdefaults__
    return made


_CONTAINERS_WITHOUT = _read_over_jax(containers.without)  # its dict and list cases
_FORMS = dict(WRITTEN_OUT)
_FORMS.update({fn: _read_over_jax(fn) for fn in PURE_HELPERS})
_FORMS.update({fn: _read_over_jax(fn, kept) for fn, kept in MIXED_HELPERS.items()})
for _fn in (*PURE_HELPERS, *MIXED_HELPERS):  # a pure helper calling another calls its JAX form
    _FORMS[_fn].__globals__.update(
        {name: _FORMS[v] for name, v in _fn.__globals__.items()
         if isinstance(v, types.FunctionType) and v in _FORMS})


# Follow a write through references and views of one array (frontend/aliasing.py): they
# ask NumPy which arrays share memory, which JAX arrays never do
SHARED_MEMORY = (containers.refresh, containers.swap_item, containers.refresh_adjoint_new,
                 containers.refresh_adjoint_refs, containers.refresh_tangent)


class NoJaxForm(Exception):
    """A name of generated code whose value has no JAX form (the message says which)."""


_UNSHARED = ("it follows a write into an array to the other names sharing its memory (a "
             "view, a second reference), which JAX arrays never do: write `x = x.copy()` "
             "before writing into x, or make the new value without writing in place "
             "(np.where, np.concatenate)")
_UNIQUE = ("np.unique has as many items as the values have distinct ones, which XLA must "
           "know before it runs: compute it outside the function and pass it in")
# Helpers without a JAX form, and what to write instead: each is refused when the code
# calls it while it is traced, at the user's line it computes (compiled.refusal)
REFUSED = {
    containers.picked_adjoint: "Python's max() or min() of arrays compares their values in "
    "Python: write np.maximum(a, b), or np.max(np.stack(items), axis=0)",
    layout.piecewise_start: "np.piecewise is written out as masked assignments whose sizes "
    "depend on the values: write np.where(condition, f(x), g(x))",
    layout.unique_adjoint: _UNIQUE, layout.unique_tangent: _UNIQUE,
    **{fn: _UNSHARED for fn in SHARED_MEMORY},
}


def _refused(name, reason):
    """The JAX form of a helper that has none: raises NoJaxForm (`reason`) when called."""
    def refused(*args, **kwargs):
        raise NoJaxForm(f"srcgrad's helper `{name}` has no JAX form: {reason}")
    refused.__name__ = refused.__qualname__ = name
    return refused


_RUNTIME_VALUES = {id(v) for v in vars(runtime).values()}


def _reads_numpy(code) -> bool:
    """The code (or a function or comprehension inside it) reads `np`."""
    return "np" in code.co_names or any(
        _reads_numpy(c) for c in code.co_consts if isinstance(c, types.CodeType))


def jax_value(name, value):
    """What `value`, bound to `name` in generated code or the user's globals, is on the JAX
    backend; NoJaxForm for a runtime helper that has none (a SciPy function without one
    is refused when called: scipy_forms.py)."""
    if value is np:
        return NP
    if value is math:
        return MATH
    if value is np.array:  # runtime.as_array: a list display read as an array
        return NP.array
    if isinstance(value, types.FunctionType) and value in _FORMS:
        return _FORMS[value]
    if isinstance(value, types.FunctionType) and value in REFUSED:
        return _refused(name, REFUSED[value])
    if id(value) in _RUNTIME_VALUES and callable(value) and not isinstance(value, type):
        if isinstance(value, types.FunctionType) and not _reads_numpy(value.__code__):
            return value  # plain Python on containers: a JAX array passes through it
        return _refused(name, "it computes with NumPy alone (not written for JAX yet)")
    scipy_form = scipy_forms.form_of_value(value)
    if scipy_form is not None:
        return scipy_form
    if isinstance(value, np.ufunc) and hasattr(jnp, value.__name__):
        return getattr(NP, value.__name__)
    module = getattr(value, "__module__", None) or ""
    if callable(value) and module.startswith("numpy") and not isinstance(value, type):
        found = getattr(jnp, getattr(value, "__name__", ""), None)
        if found is not None:
            return found
    if getattr(value, "__module__", None) == "math" and callable(value):
        return getattr(MATH, value.__name__)
    return value
