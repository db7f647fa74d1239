"""SciPy on the JAX backend, in one table: each scipy.special, scipy.linalg and
scipy.signal function, and each scipy.stats distribution's method, by its public name,
and its JAX form (a jax.scipy function of the same arguments and result, or a jax.numpy
spelling of the same function). A SciPy function with none is refused by its public name
when the code calls it (NoJaxForm): SciPy computes on NumPy arrays only."""

from __future__ import annotations

import types

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import jax.scipy.linalg  # noqa: F401 (the submodules, imported for their attributes)
import jax.scipy.signal  # noqa: F401
import jax.scipy.special  # noqa: F401
import jax.scipy.stats  # noqa: F401


def _same(module, names):
    return {name: getattr(module, name) for name in names.split()}


# public name (without "scipy.") -> the JAX form
TABLE = {f"special.{name}": form for name, form in _same(jsp.special, """
    beta betainc betaln boxcox boxcox1p dawsn digamma entr erf erfc erfcx erfinv exp1
    expi expit expn fresnel gamma gammainc gammaincc gammaln gammasgn hyp1f1 i0 i0e i1
    i1e kl_div log_ndtr log_softmax loggamma logit logsumexp multigammaln ndtr ndtri
    owens_t poch polygamma rel_entr sici softmax spence xlog1py xlogy zeta""").items()}
TABLE.update({
    "special.psi": jsp.special.digamma, "special.log_expit": jax.nn.log_sigmoid,
    "special.softplus": jax.nn.softplus, "special.expm1": jnp.expm1,
    "special.log1p": jnp.log1p, "special.exp2": jnp.exp2, "special.cbrt": jnp.cbrt,
    "special.round": jnp.round,
})
TABLE.update({f"linalg.{name}": form for name, form in _same(jsp.linalg, """
    cho_factor cho_solve cholesky det eigh expm inv lu_factor lu_solve solve
    solve_triangular svd""").items()})
TABLE.update({"linalg.norm": jnp.linalg.norm, "linalg.pinv": jnp.linalg.pinv,
              "linalg.eigvalsh": jnp.linalg.eigvalsh})
TABLE.update({f"signal.{name}": form for name, form in _same(
    jsp.signal, "convolve convolve2d correlate correlate2d").items()})
# scipy.stats: `<distribution>.<method>` -> jax.scipy.stats's function of that name
_STATS_METHODS = ("pdf", "logpdf", "pmf", "logpmf", "cdf", "logcdf", "sf", "logsf", "ppf",
                  "isf")
for _name in dir(jsp.stats):
    _module = getattr(jsp.stats, _name)
    if isinstance(_module, types.ModuleType) and not _name.startswith("_"):
        TABLE.update({f"stats.{_name}.{m}": getattr(_module, m) for m in _STATS_METHODS
                      if hasattr(_module, m)})


class NoScipyForm(Exception):
    """Raised when generated code calls a SciPy function the table has no JAX form of."""


def refused(public: str):
    """What a SciPy function without a JAX form is on the backend: refused when called."""
    def call(*args, **kwargs):
        raise NoScipyForm(f"{public} has no JAX form (SciPy computes on NumPy arrays)")
    call.__name__ = public.rsplit(".", 1)[-1]
    return call


class ScipyOnJax(types.ModuleType):
    """A SciPy module (or distribution) as generated code reads it on the backend: each
    name its JAX form from TABLE, a function without one `refused`, a submodule or
    distribution the same kind of view."""

    def __init__(self, public: str, value):
        super().__init__(public, f"{public} on the JAX backend")
        self._public, self._value = public, value

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._value, name)
        form = form_of(f"{self._public}.{name}", value)
        setattr(self, name, form)
        return form


def form_of(public: str, value):
    """The JAX form of `value`, SciPy's `public` (e.g. "scipy.special.gammaln")."""
    key = public.removeprefix("scipy.")
    if key in TABLE:
        return TABLE[key]
    if isinstance(value, types.ModuleType) or _is_distribution(value):
        return ScipyOnJax(public, value)
    if callable(value) and not isinstance(value, type):
        return refused(public)
    return value  # a constant, a class


def _is_distribution(value) -> bool:
    return type(value).__module__.startswith("scipy.stats.") and hasattr(value, "cdf")


def form_of_value(value):
    """The JAX form of a SciPy module, distribution or function reached by a name of the
    user's (`import scipy.special as sp`, `from scipy.special import gammaln`), or None
    if `value` is not SciPy's."""
    if isinstance(value, types.ModuleType):
        name = value.__name__
        return ScipyOnJax(name, value) if name.split(".")[0] == "scipy" else None
    if _is_distribution(value):
        public = _public_names().get(id(value))
        return None if public is None else ScipyOnJax(public, value)
    public = _public_names().get(id(value)) if callable(value) else None
    return None if public is None else form_of(public, value)


_NAMES: dict = {}


def _public_names() -> dict:
    """{id of a function or distribution of SciPy's public submodules: its public name},
    of the submodules imported (SciPy is optional)."""
    import sys

    if not _NAMES:
        for module in ("scipy.special", "scipy.linalg", "scipy.signal", "scipy.stats"):
            if module in sys.modules:
                for name, value in vars(sys.modules[module]).items():
                    if not name.startswith("_") and not isinstance(value, types.ModuleType):
                        _NAMES.setdefault(id(value), f"{module}.{name}")
    return _NAMES
