"""The `backend=` keyword of `grad`, `value_and_grad`, `vjp`, `jvp`, `hessian` and `hvp`:
"numpy" (the default: srcgrad's NumPy code), "jax" (the same specialized code emitted
against jax.numpy and compiled once per variant with `jax.jit`, backend/jax/), "auto"
(JAX where it can run, else NumPy with a warning)."""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from ..errors import SrcGradError
from .arguments import not_scalar_error

BACKENDS = ("numpy", "jax", "auto")


def checked_backend(backend) -> str:
    if backend not in BACKENDS:
        raise SrcGradError(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
    if backend != "numpy":
        try:
            import jax  # noqa: F401
        except ImportError:
            if backend == "auto":
                return "numpy"
            raise SrcGradError("backend='jax' needs JAX: pip install 'srcgrad[jax]'") from None
    return backend


def is_jax_array(value) -> bool:
    return type(value).__module__.startswith("jax")


def _stand_in(value):
    """A NumPy value for a JAX array (a variant is specialized on NumPy descriptions)."""
    if is_jax_array(value):
        return np.asarray(value)
    if type(value) in (list, tuple):
        return type(value)(_stand_in(v) for v in value)
    if type(value) is dict:
        return {k: _stand_in(v) for k, v in value.items()}
    return value


def _leaf_key(value):
    """What picks a call's compiled function: types, shapes and dtypes (not values)."""
    kind = type(value)
    shape = getattr(value, "shape", None)
    if shape is not None and kind not in (list, tuple, dict):
        return kind, shape, value.dtype
    if kind in (list, tuple):
        return (kind,) + tuple(_leaf_key(v) for v in value)
    if kind is dict:
        return (kind,) + tuple((k, _leaf_key(v)) for k, v in value.items())
    return kind


def _key_of(values) -> tuple:
    return tuple(map(_leaf_key, values))


def _is_static(value) -> bool:
    """A Python int, bool, string or None: known while tracing (a trip count, a flag)."""
    return value is None or type(value) in (int, bool, str)


def _float_bits(values):
    """64 if the arguments are float64 (or only Python numbers, as NumPy computes them),
    32 if every float array among them is of a narrower type."""
    floats = [np.dtype(v.dtype) for v in _leaves(values)
              if hasattr(v, "dtype") and np.dtype(v.dtype).kind in "fc"]
    bits = [d.itemsize if d.kind == "f" else d.itemsize // 2 for d in floats]
    return 32 if bits and max(bits) <= 4 else 64


def _leaves(values):
    for v in values:
        if type(v) in (list, tuple):
            yield from _leaves(v)
        elif type(v) is dict:
            yield from _leaves(list(v.values()))
        else:
            yield v


class JaxRunner:
    """Runs a GradientFunction's variants on JAX: one jitted function per variant (kept
    on the variant, pipeline Generated.backends), NumPy in -> NumPy out, JAX in -> JAX
    out, float64 under a scoped `jax.enable_x64` (the user's global flag untouched)."""

    def __init__(self, gradient, backend):
        self.gradient, self.backend = gradient, backend
        self.signature = inspect.signature(gradient.__wrapped__)
        self.plain = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                         for p in self.signature.parameters.values())
        self.count = len(self.signature.parameters)
        # argument key -> [chosen JaxGradient, candidates, x64, JAX in, the variant]
        self.known = {}
        self.last = None  # the JaxGradient of the last variant built (for tests and tools)
        self.why = ""  # under "auto": why the last call ran on NumPy
        self.entries = {}  # argument key -> its entry (install), or None

    def positional(self, args, kwargs) -> list:
        if not self.plain:
            raise SrcGradError(f"{self.gradient.__name__} has *args, **kwargs or keyword-only "
                               "parameters: the JAX backend takes plain parameters only; "
                               "use backend='numpy'")
        if not kwargs and len(args) == self.count:
            return args
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def call(self, given, given_kwargs):
        import jax

        args, kwargs = self.gradient.with_bound(given, given_kwargs)
        try:
            values = self.positional(args, kwargs)
        except SrcGradError:
            if self.backend == "auto":
                return self.numpy_call(given, given_kwargs, "its parameters")
            raise
        key = _key_of(values)
        found = self.known.get(key, False)
        if found is not False and found is not None and not found[4].current():
            found = False  # a function its code calls was rebound: transform again
        if found is False:
            found = self.known[key] = self.build(values)
            self.entries.pop(key, None)  # the entry of a variant transformed again
        if found is None:
            return self.numpy_call(given, given_kwargs, self.why)
        chosen, candidates, x64, jax_in, generated = found
        with jax.enable_x64(x64):
            if chosen is not None:
                out = chosen(*values)
            else:
                out = self.first_call(key, candidates, values)
                if out is None:
                    return self.numpy_call(given, given_kwargs, self.why)
        if values is given:
            self.install(key, found, values)
        return self.finish(out, values, candidates[0].with_value, jax_in)

    def install(self, key, found, values):
        """Make the entry of this call's variant (backend/entry.py build_jax) the gradient
        object's own `__call__` (a class of its own, as the NumPy backend's entries are):
        the next calls of these argument types go straight to its jitted function, JAX's
        dispatch checking shapes and dtypes."""
        from ..backend import entry
        from ..backend.jax.compiled import Retraced

        if key not in self.entries:
            chosen, candidates, x64, jax_in, generated = found
            has_value, gradient = candidates[0].with_value, self.gradient
            # a grad-only result, JAX in: the gradients as the jitted function returns
            # them (the call just made checked the rest, which JAX's dispatch keeps)
            plain = jax_in and not (has_value or gradient.has_aux or gradient.with_value
                                    or any(type(values[i]) in (list, tuple)
                                           for i in gradient.wrt_index))
            self.entries[key] = entry.build_jax(
                gradient.__name__, generated, values, chosen.jitted, x64, Retraced,
                (len(gradient.wrt_index) == 1, gradient.single) if plain else None,
                lambda out, given: self.finish(out, given, has_value, jax_in))
        made = self.entries[key]
        if made is not None:
            self.gradient._own_class().__call__ = made

    def build(self, values):
        from ..backend.jax.compiled import build_gradient

        stand_ins = [_stand_in(v) for v in values]
        generated = self.gradient.variant_for(stand_ins, {})
        static = tuple(i for i, v in enumerate(values) if _is_static(v))
        slot = ("jax", static)
        if slot not in generated.backends:
            code_names, label, origin = generated.compiling
            try:
                generated.backends[slot] = build_gradient(
                    generated.parts, self.gradient.__wrapped__, code_names, label, origin,
                    static)
            except SrcGradError as exc:
                if self.backend != "auto":
                    raise
                self.why = str(exc)
                return None
        candidates = generated.backends[slot]
        self.last = candidates[0]
        return [None, candidates, _float_bits(values) == 64,
                any(is_jax_array(v) for v in _leaves(values)), generated]

    def first_call(self, key, candidates, values):
        from ..backend.jax.compiled import refusal

        failure = None
        for candidate in candidates:
            try:
                out = candidate(*values)
            except SrcGradError:
                raise
            except Exception as exc:  # a trace XLA cannot express: the next form, or refuse
                failure = exc  # the last form's (loops unrolled): the reason itself
                continue
            self.known[key][0] = self.last = candidate
            return out
        error = refusal(self.gradient.__wrapped__, failure)
        if self.backend != "auto":
            raise error from None
        self.known[key], self.why = None, str(error)
        return None

    def source(self, generated) -> str:
        """The JAX code of `generated` (loops as scans), as it would be compiled."""
        from ..backend import codegen
        from ..backend.jax.compiled import gradient_function

        forward, backward, seed, parameters, name = generated.parts
        made, _ = gradient_function(forward, backward, seed, parameters, f"{name}_jax")
        return codegen.render([made])

    def source_for(self, args, kwargs) -> str:
        """The JAX code a call with these arguments runs (built, not run)."""
        args, kwargs = self.gradient.with_bound(args, kwargs)
        values = self.positional(args, kwargs)
        key = tuple(map(_leaf_key, values))
        found = self.known.get(key, False)
        if found is False:
            found = self.known[key] = self.build(values)
        if found is None:
            return self.why
        return (found[0] or found[1][0]).source

    def numpy_call(self, args, kwargs, why):
        warnings.warn(f"srcgrad: {self.gradient.__name__} runs on NumPy, not JAX: {why}",
                      RuntimeWarning, stacklevel=4)
        return self.gradient.numpy_call(args, kwargs)

    def finish(self, out, values, has_value, jax_in):
        """The jitted function's result as the NumPy backend returns it (NumPy in), or
        with its JAX arrays (JAX in)."""
        import jax

        gradient = self.gradient
        value, grads = out if has_value else (None, out)
        if value is not None:  # else the shapes proved it a number (a grad-only variant)
            loss = value[0] if gradient.has_aux else value
            if not (np.ndim(loss) == 0 and np.dtype(loss.dtype).kind in "fiu"):
                raise not_scalar_error(gradient.__wrapped__, loss, gradient.has_aux)
        wrt = [values[i] for i in gradient.wrt_index]
        if not jax_in:
            value, grads = jax.tree.map(_as_numpy_leaf, (value, grads),
                                        is_leaf=lambda v: v is None)
            return gradient.finished(value, grads, wrt, False)
        grads = (grads,) if len(wrt) == 1 else tuple(grads)
        grads = tuple(_shaped_as(g, x) for g, x in zip(grads, wrt))
        if gradient.single:
            grads = grads[0]
        if gradient.has_aux:
            loss, aux = value
            return ((loss, aux), grads) if gradient.with_value else (grads, aux)
        return (value, grads) if gradient.with_value else grads


class LiveJax:
    """Runs live generated functions (a jvp's, vjp's sweeps) on JAX: each read over
    jax.numpy, its control flow converted as the gradient's (an `if` on a computed value
    as `branch`, tape loops as scans), and jitted once per Generated (its `backends`),
    Python arguments that are ints, flags or None static. What still fails to trace (a
    `while` on a computed value) is refused at its line (or, under "auto", runs on NumPy
    with a warning)."""

    def __init__(self, backend, name):
        self.backend, self.name = backend, name

    def call(self, generated, role, made, args, kwargs, on_numpy, jax_out=None):
        import jax

        from ..backend.jax.compiled import refusal

        static = tuple(i for i, v in enumerate(args) if _is_static(v))
        names = tuple(sorted(k for k, v in kwargs.items() if _is_static(v)))
        slot = ("jax-live", role, static, names)
        forms = generated.backends.get(slot)
        if forms is None:
            forms = generated.backends[slot] = self.forms(made, static, names)
        if forms is False:
            return on_numpy()
        values = list(args) + list(kwargs.values())
        failure = None
        with jax.enable_x64(_float_bits(values) == 64):
            for i, jitted in enumerate(forms):
                try:
                    out = jitted(*args, **kwargs)
                except SrcGradError:
                    raise
                except Exception as exc:  # a trace XLA cannot express: the next form
                    failure = exc
                    continue
                del forms[:i]  # the form that traced is tried first from now on
                break
            else:
                error = refusal(made, failure)
                if self.backend != "auto":
                    raise error from None
                generated.backends[slot] = False
                warnings.warn(f"srcgrad: {self.name} runs on NumPy, not JAX: {error}",
                              RuntimeWarning, stacklevel=4)
                return on_numpy()
        if jax_out is None:
            jax_out = any(is_jax_array(v) for v in _leaves(values))
        if jax_out:
            return out
        return jax.tree.map(_as_numpy_leaf, out, is_leaf=lambda v: v is None)

    def forms(self, made, static, names):
        """The jitted forms of `made` to try in turn: its control flow converted with
        counted loops as scans, then unrolled by the trace (backend/jax/compiled.py);
        False if a name it reads has no JAX form and the backend is "auto"."""
        import jax

        from ..backend.jax.compiled import converted_over_jax, over_jax
        from ..backend.jax.namespace import NoJaxForm

        try:
            made_forms = [converted_over_jax(made, f"{self.name} on JAX", scan)
                          for scan in (True, False)]
            if made_forms[0] is None:
                made_forms = [over_jax(made)]
        except NoJaxForm as exc:
            if self.backend != "auto":
                raise SrcGradError(f"{self.name} cannot run on the JAX backend: {exc}; "
                                   "use backend='numpy' (or 'auto')") from None
            return False
        return [jax.jit(f, static_argnums=static, static_argnames=names) for f in made_forms]


def _shaped_as(g, x):
    """The gradient `g` of a list or tuple argument `x` in `x`'s containers (the code
    builds a tuple's adjoint as a list)."""
    if type(x) in (list, tuple) and type(g) in (list, tuple) and len(g) == len(x):
        return type(x)(_shaped_as(a, b) for a, b in zip(g, x))
    return g


def _as_numpy_leaf(value):
    if value is None or not is_jax_array(value):
        return value
    array = np.asarray(value)
    return array[()] if array.ndim == 0 else array


def stand_ins(args, kwargs):
    """(args, kwargs) with JAX arrays as NumPy arrays: what a variant is looked up by."""
    return [_stand_in(v) for v in args], {k: _stand_in(v) for k, v in kwargs.items()}
