"""What the names of generated code mean on the JAX backend: `np` is `jax.numpy` (with
NumPy's spellings that jax.numpy lacks), `math` computes on arrays, and each runtime
helper has a JAX form: most are the same NumPy code read over `jax.numpy` (they only
compute new arrays), the few that write into arrays or branch on values are written out
here. A helper with no JAX form is refused by name (see `jax_value`)."""

from __future__ import annotations

import math
import types

import jax
import jax.numpy as jnp
import numpy as np

from ... import runtime
from ...runtime import adjoints, containers, indexing, layout, linalg, tangents

# Helpers that only compute new arrays from NumPy calls: the same code, `np` read as
# jax.numpy. (Each was read for in-place writes and branches on values: none.)
PURE_HELPERS = (
    adjoints.unbroadcast, adjoints.broadcast_like, adjoints.repeat_to, adjoints.centered,
    adjoints.split_among_ties, adjoints.reverse_cumsum, adjoints.sinc_slope,
    adjoints.winner, adjoints.positive_log, adjoints.prod_of_others, adjoints.cast_back,
    linalg.matmul_adjoint_x, linalg.matmul_adjoint_y, linalg.dot_adjoint_x,
    linalg.dot_adjoint_y, linalg.mT, layout.reshaped, layout.unbroadcast_each,
    indexing.unstack, indexing.hstack_axis, indexing.inverse_permutation,
    indexing.untile, indexing.undiff, tangents.mean_over_ties, tangents.within_bounds,
    tangents.solve_product, containers.zero_tangent, containers.item_adjoint,
    containers.field_adjoint,
)


class JaxNumpy(types.ModuleType):
    """`np` of generated code on the JAX backend: jax.numpy (whose ufuncs have `.reduce`
    and `.outer`, and refuse `out=` and `where=`), and NumPy's names it lacks from NumPy
    itself when they compute nothing (dtypes, errstate)."""

    def __init__(self):
        super().__init__("numpy", "jax.numpy as generated code reads it")

    def __getattr__(self, name):
        if hasattr(jnp, name):
            value = getattr(jnp, name)
        else:
            value = getattr(np, name)
            if isinstance(value, types.ModuleType) or (callable(value) and not isinstance(
                    value, type) and name != "errstate"):
                # np.random, ...: run once while tracing, they would be constants
                raise NoJaxForm(f"np.{name} has no JAX form")
        setattr(self, name, value)
        return value


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
    return jnp.asarray(x).at[index].set(value)


def without(g, index):
    """runtime.containers.without: `g` with zeros at `index`."""
    if isinstance(g, (dict, list)):
        return _CONTAINERS_WITHOUT(g, index)
    return jnp.asarray(g).at[index].set(0)


def take(g, index):
    """runtime.containers.take: `g[index]`, 0 where a later element of the selection
    overwrote the slot. Which one wins is worked out with NumPy from the index alone,
    known while tracing."""
    if isinstance(g, dict):
        return g.get(index, 0.0)
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
    out = jnp.zeros(jnp.shape(x), dtype=jnp.result_type(x, g, 1.0))
    return out.at[index].add(g)


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
        return jnp.broadcast_to(_summed_to(g, items.shape[1:]), items.shape)
    return containers.Parts(_summed_to(g, jnp.shape(item)) for item in items)


def _summed_to(g, shape):
    g = jnp.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def spare(v, *others):
    """No array is computed into on the JAX backend."""
    return None


WRITTEN_OUT = {adjoints.safe_div: safe_div, containers.zeros_like: zeros_like,
               adjoints.split_ties_kept: split_ties_kept, indexing.scatter_add: scatter_add,
               runtime.spare: spare, indexing.split_like: split_like,
               containers.spread_to_items: spread_to_items, containers.set_at: set_at,
               containers.without: without, containers.take: take}

# srcgrad's adjoints of containers cross a jitted function's boundary as JAX pytrees
jax.tree_util.register_pytree_node(
    containers.Fields, lambda f: (list(f.values()), list(f.keys())),
    lambda keys, values: containers.Fields(zip(keys, values)))
jax.tree_util.register_pytree_node(
    containers.Parts, lambda p: (list(p), None), lambda _, values: containers.Parts(values))


def _read_over_jax(fn):
    """`fn` (a runtime helper) with its module's `np` read as jax.numpy, and the helpers it
    calls in their JAX forms."""
    namespace = dict(fn.__globals__)
    namespace["np"] = NP
    for name, value in fn.__globals__.items():
        if isinstance(value, types.FunctionType) and value in WRITTEN_OUT:
            namespace[name] = WRITTEN_OUT[value]
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                              fn.__closure__)


_CONTAINERS_WITHOUT = _read_over_jax(containers.without)  # its dict and list cases
_FORMS = dict(WRITTEN_OUT)
_FORMS.update({fn: _read_over_jax(fn) for fn in PURE_HELPERS})
for _fn in PURE_HELPERS:  # a pure helper calling another calls its JAX form
    _FORMS[_fn].__globals__.update(
        {name: _FORMS[v] for name, v in _fn.__globals__.items()
         if isinstance(v, types.FunctionType) and v in _FORMS})


# Follow a write through references and views of one array (frontend/aliasing.py): they
# ask NumPy which arrays share memory, which JAX arrays never do
SHARED_MEMORY = (containers.refresh, containers.swap_item, containers.refresh_adjoint_new,
                 containers.refresh_adjoint_refs, containers.refresh_tangent)


class NoJaxForm(Exception):
    """A name of generated code whose value has no JAX form (the message says which)."""


_RUNTIME_VALUES = {id(v) for v in vars(runtime).values()}


def _reads_numpy(code) -> bool:
    """The code (or a function or comprehension inside it) reads `np`."""
    return "np" in code.co_names or any(
        _reads_numpy(c) for c in code.co_consts if isinstance(c, types.CodeType))


def jax_value(name, value):
    """What `value`, bound to `name` in generated code or the user's globals, is on the JAX
    backend; NoJaxForm for a runtime helper that has none."""
    if value is np:
        return NP
    if value is math:
        return MATH
    if isinstance(value, types.FunctionType) and value in _FORMS:
        return _FORMS[value]
    if isinstance(value, types.FunctionType) and value in SHARED_MEMORY:
        raise NoJaxForm(f"srcgrad's helper `{name}` follows a write into an array to the "
                        "names that share its memory, which JAX arrays never do")
    if id(value) in _RUNTIME_VALUES and callable(value) and not isinstance(value, type):
        if isinstance(value, types.FunctionType) and not _reads_numpy(value.__code__):
            return value  # plain Python on containers: a JAX array passes through it
        raise NoJaxForm(f"srcgrad's helper `{name}` has no JAX form yet")
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
