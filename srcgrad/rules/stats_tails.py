"""scipy.stats: the log-cdf, survival functions and quantiles (ppf, isf) of the distributions
stats.py gives densities, and the cdf of those whose densities alone were there; each as code
over functions with rules (registry.define), in the standardized z = (x - loc) / scale.

A log of a probability that is 0 (off the support) is -inf, with no gradient (the double
`where` keeps NaN out of it). The cdf of a shape parameter with no closed-form derivative
(t in df, beta in a and b, gamma in a, nbinom in n) is refused by name through the special
function it reaches (scipy.special.betainc or gammainc in its first arguments).
"""

import inspect

import numpy as np
import scipy.special
import scipy.stats

from ..runtime import not_differentiable
from .registry import DEFINITIONS, RULES, adjoint, array_operands, define, example, tangent
from .stats import SHIFTED, calls_of

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run
_Q = (0.05, 0.95)  # the probabilities ppf and isf are tried at


def log_probability(probability):
    """log(probability): -inf where it is 0, with no gradient (no NaN from the branch not
    taken)."""
    inside = probability > 0
    return np.where(inside, np.log(np.where(inside, probability, 1.0)), -np.inf)


# --- norm, cauchy, logistic: smooth everywhere ------------------------------------------------


@define(scipy.stats.norm.isf, examples=calls_of("norm", "isf", domain=_Q))
def norm_isf(q, loc=0, scale=1):
    return loc - scale * scipy.special.ndtri(q)


@define(scipy.stats.cauchy.logcdf, examples=calls_of("cauchy", "logcdf"))
def cauchy_logcdf(x, loc=0, scale=1):
    return np.log(scipy.stats.cauchy.cdf(x, loc, scale))


@define(scipy.stats.cauchy.sf, examples=calls_of("cauchy", "sf"))
def cauchy_sf(x, loc=0, scale=1):
    return 0.5 - np.arctan((x - loc) / scale) / np.pi


@define(scipy.stats.cauchy.logsf, examples=calls_of("cauchy", "logsf"))
def cauchy_logsf(x, loc=0, scale=1):
    return np.log(scipy.stats.cauchy.sf(x, loc, scale))


@define(scipy.stats.cauchy.ppf, examples=calls_of("cauchy", "ppf", domain=_Q))
def cauchy_ppf(q, loc=0, scale=1):
    return loc + scale * np.tan(np.pi * (q - 0.5))


@define(scipy.stats.cauchy.isf, examples=calls_of("cauchy", "isf", domain=_Q))
def cauchy_isf(q, loc=0, scale=1):
    return loc - scale * np.tan(np.pi * (q - 0.5))


@define(scipy.stats.logistic.logsf, examples=calls_of("logistic", "logsf"))
def logistic_logsf(x, loc=0, scale=1):
    return scipy.special.log_expit((loc - x) / scale)


@define(scipy.stats.logistic.ppf, examples=calls_of("logistic", "ppf", domain=_Q))
def logistic_ppf(q, loc=0, scale=1):
    return loc + scale * scipy.special.logit(q)


@define(scipy.stats.logistic.isf, examples=calls_of("logistic", "isf", domain=_Q))
def logistic_isf(q, loc=0, scale=1):
    return loc - scale * scipy.special.logit(q)


# --- laplace: the two exponential tails meet at loc (where the gradient of |z| is 0) ----------


@define(scipy.stats.laplace.logcdf, examples=calls_of("laplace", "logcdf"))
def laplace_logcdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    below = np.where(z < 0, z, 0.0)  # as in laplace.cdf: smooth through z = 0
    above = np.where(z < 0, 0.0, z)
    return np.where(z < 0, np.log(0.5) + below, np.log1p(-0.5 * np.exp(-above)))


@define(scipy.stats.laplace.sf, examples=calls_of("laplace", "sf"))
def laplace_sf(x, loc=0, scale=1):
    return scipy.stats.laplace.cdf(loc - (x - loc), loc, scale)


@define(scipy.stats.laplace.logsf, examples=calls_of("laplace", "logsf"))
def laplace_logsf(x, loc=0, scale=1):
    return scipy.stats.laplace.logcdf(loc - (x - loc), loc, scale)


@define(scipy.stats.laplace.ppf, examples=calls_of("laplace", "ppf", domain=_Q))
def laplace_ppf(q, loc=0, scale=1):
    centered = q - 0.5
    return loc - scale * np.sign(centered) * np.log1p(-2 * np.abs(centered))


@define(scipy.stats.laplace.isf, examples=calls_of("laplace", "isf", domain=_Q))
def laplace_isf(q, loc=0, scale=1):
    return scipy.stats.laplace.ppf(1 - q, loc, scale)


# --- expon, halfnorm, lognorm, uniform: supported on z >= 0 (uniform: [0, 1]) -------------------


@define(scipy.stats.expon.logcdf, examples=calls_of("expon", "logcdf", (), (0.1, 3), True))
def expon_logcdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    inside = z > 0
    return np.where(inside, np.log(-np.expm1(-np.where(inside, z, 1.0))), -np.inf)


@define(scipy.stats.expon.logsf, examples=calls_of("expon", "logsf", (), (0.1, 3), True))
def expon_logsf(x, loc=0, scale=1):
    return -np.maximum((x - loc) / scale, 0.0)


@define(scipy.stats.expon.ppf, examples=calls_of("expon", "ppf", domain=_Q))
def expon_ppf(q, loc=0, scale=1):
    return loc - scale * np.log1p(-q)


@define(scipy.stats.expon.isf, examples=calls_of("expon", "isf", domain=_Q))
def expon_isf(q, loc=0, scale=1):
    return loc - scale * np.log(q)


@define(scipy.stats.halfnorm.logcdf, examples=calls_of("halfnorm", "logcdf", (), (0.1, 3), True))
def halfnorm_logcdf(x, loc=0, scale=1):
    return log_probability(scipy.stats.halfnorm.cdf(x, loc, scale))


@define(scipy.stats.halfnorm.sf, examples=calls_of("halfnorm", "sf", (), (0.1, 3), True))
def halfnorm_sf(x, loc=0, scale=1):
    return scipy.special.erfc(np.maximum((x - loc) / scale, 0.0) / np.sqrt(2))


@define(scipy.stats.halfnorm.ppf, examples=calls_of("halfnorm", "ppf", domain=_Q))
def halfnorm_ppf(q, loc=0, scale=1):
    return loc + scale * scipy.special.ndtri((1 + q) / 2)


@define(scipy.stats.lognorm.logcdf, examples=calls_of("lognorm", "logcdf", ("s",), (0.2, 3),
                                                       True))
def lognorm_logcdf(x, s, loc=0, scale=1):
    y = (x - loc) / scale
    inside = y > 0
    return np.where(inside, scipy.special.log_ndtr(np.log(np.where(inside, y, 1.0)) / s), -np.inf)


@define(scipy.stats.lognorm.sf, examples=calls_of("lognorm", "sf", ("s",), (0.2, 3), True))
def lognorm_sf(x, s, loc=0, scale=1):
    y = (x - loc) / scale
    inside = y > 0
    return np.where(inside, scipy.special.ndtr(-np.log(np.where(inside, y, 1.0)) / s), 1.0)


@define(scipy.stats.lognorm.ppf, examples=calls_of("lognorm", "ppf", ("s",), _Q))
def lognorm_ppf(q, s, loc=0, scale=1):
    return loc + scale * np.exp(s * scipy.special.ndtri(q))


@define(scipy.stats.uniform.logcdf, examples=calls_of("uniform", "logcdf", (), (0.1, 0.9), True))
def uniform_logcdf(x, loc=0, scale=1):
    return log_probability(scipy.stats.uniform.cdf(x, loc, scale))


@define(scipy.stats.uniform.sf, examples=calls_of("uniform", "sf", (), (0.1, 0.9), True))
def uniform_sf(x, loc=0, scale=1):
    return np.clip((loc + scale - x) / scale, 0.0, 1.0)


@define(scipy.stats.uniform.ppf, examples=calls_of("uniform", "ppf", domain=_Q))
def uniform_ppf(q, loc=0, scale=1):
    return loc + scale * q


# --- shape parameters: the cdf in x (and loc, scale) -----------------------------------------

# A rule: its slope is the density (through betainc, 0 * inf at z = 0). In x, loc and scale;
# df has no closed-form derivative, and a gradient to it is refused.
@adjoint(scipy.stats.t.cdf, broadcast=True, examples=[
    example("scipy.stats.t.cdf(x, 2.5)", x=(4,), domain={"x": (-2, 2)}),
    example("scipy.stats.t.cdf(x, 4.0, loc, scale)", x=(2, 3), loc=(3,), scale=(),
            domain={"x": (-2, 2), **SHIFTED})])
def t_cdf(z, x, df, loc=0, scale=1):
    slope = d[z] * scipy.stats.t.pdf(x, df, loc, scale)
    d[x] = slope
    d[loc] = -slope
    d[scale] = -slope * (x - loc) / scale
    d[df] = not_differentiable(d[z], "scipy.stats.t.cdf", "df", "no closed form")


@tangent(scipy.stats.t.cdf)
def t_cdf_tangent(z, x, df, loc=0, scale=1):
    t[z] = (scipy.stats.t.pdf(x, df, loc, scale) * t[x]
            - scipy.stats.t.pdf(x, df, loc, scale) * t[loc]
            - scipy.stats.t.pdf(x, df, loc, scale) * t[scale] * (x - loc) / scale
            + not_differentiable(t[df], "scipy.stats.t.cdf", "df", "no closed form"))


@define(scipy.stats.t.logcdf, examples=[
    example("scipy.stats.t.logcdf(x, 3.0)", x=(4,), domain={"x": (-2, 2)})])
def t_logcdf(x, df, loc=0, scale=1):
    return np.log(scipy.stats.t.cdf(x, df, loc, scale))


@define(scipy.stats.t.sf, examples=[
    example("scipy.stats.t.sf(x, 3.0, loc, scale)", x=(2, 3), loc=(3,), scale=(),
            domain={"x": (-2, 2), **SHIFTED})])
def t_sf(x, df, loc=0, scale=1):
    return scipy.stats.t.cdf(loc - (x - loc), df, loc, scale)


@define(scipy.stats.gamma.logcdf, examples=[
    example("scipy.stats.gamma.logcdf(x, 1.5)", x=(4,), domain={"x": (0.1, 3)})])
def gamma_logcdf(x, a, loc=0, scale=1):
    return log_probability(scipy.stats.gamma.cdf(x, a, loc, scale))


@define(scipy.stats.gamma.sf, examples=[
    example("scipy.stats.gamma.sf(loc + scale * x, 0.7, loc=loc, scale=scale)", x=(2, 3),
            loc=(3,), scale=(), domain={"x": (0.1, 3), **SHIFTED})])
def gamma_sf(x, a, loc=0, scale=1):
    return scipy.special.gammaincc(a, np.maximum((x - loc) / scale, 0.0))


@define(scipy.stats.gamma.logsf, examples=[
    example("scipy.stats.gamma.logsf(x, 2.0)", x=(4,), domain={"x": (0.1, 3)})])
def gamma_logsf(x, a, loc=0, scale=1):
    return np.log(scipy.stats.gamma.sf(x, a, loc, scale))


@define(scipy.stats.beta.cdf, examples=[
    example("scipy.stats.beta.cdf(x, 1.5, 2.5)", x=(4,), domain={"x": (0.05, 0.95)}),
    example("scipy.stats.beta.cdf(loc + scale * x, 0.7, 3.0, loc, scale)", x=(2, 3), loc=(3,),
            scale=(), domain={"x": (0.05, 0.95), **SHIFTED})])
def beta_cdf(x, a, b, loc=0, scale=1):
    return scipy.special.betainc(a, b, np.clip((x - loc) / scale, 0.0, 1.0))


@define(scipy.stats.beta.logcdf, examples=[
    example("scipy.stats.beta.logcdf(x, 1.5, 2.5)", x=(4,), domain={"x": (0.05, 0.95)})])
def beta_logcdf(x, a, b, loc=0, scale=1):
    return log_probability(scipy.stats.beta.cdf(x, a, b, loc, scale))


@define(scipy.stats.beta.sf, examples=[
    example("scipy.stats.beta.sf(x, 2.0, 0.8)", x=(4,), domain={"x": (0.05, 0.95)})])
def beta_sf(x, a, b, loc=0, scale=1):
    return scipy.special.betainc(b, a, np.clip(1 - (x - loc) / scale, 0.0, 1.0))


# --- counts: the cdf in the rate or probability (k and n carry no gradient) ------------------

def _count_cases(call, **shapes):
    """k below, inside and above the support; a log-cdf's k inside (its value is finite)."""
    k = [0, 1, 3, 2, 6, 4] if ".logcdf" in call else [-1, 0, 1, 3, 2, 6]
    return [example(call, ints={"k": k}, domain={name: (0.2, 0.8) for name in shapes},
                    **shapes)]


@define(scipy.stats.poisson.logcdf, examples=_count_cases("scipy.stats.poisson.logcdf(k, mu)",
                                                          mu=(6,)))
def poisson_logcdf(k, mu, loc=0):
    return log_probability(scipy.stats.poisson.cdf(k, mu, loc))


@define(scipy.stats.poisson.sf, examples=_count_cases("scipy.stats.poisson.sf(k, mu)", mu=()))
def poisson_sf(k, mu, loc=0):
    k = np.floor(k - loc)
    return np.where(k >= 0, scipy.special.gammainc(np.maximum(k, 0) + 1, mu), 1.0)


# P(K <= k) = I_{1-p}(n - k, k + 1) for 0 <= k < n.
@define(scipy.stats.binom.cdf, examples=_count_cases("scipy.stats.binom.cdf(k, 5, p)", p=(6,)))
def binom_cdf(k, n, p, loc=0):
    k = np.floor(k - loc)
    inside = (k >= 0) & (k < n)
    safe = np.where(inside, k, 0)
    return np.where(inside, scipy.special.betainc(n - safe, safe + 1, 1 - p),
                    np.where(k < 0, 0.0, 1.0))


@define(scipy.stats.binom.logcdf, examples=_count_cases("scipy.stats.binom.logcdf(k, 4, p)",
                                                        p=()))
def binom_logcdf(k, n, p, loc=0):
    return log_probability(scipy.stats.binom.cdf(k, n, p, loc))


@define(scipy.stats.nbinom.cdf, examples=_count_cases("scipy.stats.nbinom.cdf(k, 2.5, p)",
                                                      p=(6,)))
def nbinom_cdf(k, n, p, loc=0):
    k = np.floor(k - loc)
    return np.where(k >= 0, scipy.special.betainc(n, np.maximum(k, 0) + 1, p), 0.0)


@define(scipy.stats.bernoulli.cdf, examples=_count_cases("scipy.stats.bernoulli.cdf(k, p)",
                                                         p=(6,)))
def bernoulli_cdf(k, p, loc=0):
    k = k - loc
    return np.where(k < 0, 0.0, np.where(k < 1, 1 - p, 1.0))


@define(scipy.stats.bernoulli.logcdf, examples=_count_cases("scipy.stats.bernoulli.logcdf(k, p)",
                                                            p=()))
def bernoulli_logcdf(k, p, loc=0):
    k = k - loc
    return np.where(k < 0, -np.inf, np.where(k < 1, np.log1p(-p), 0.0))


def _univariate_operands():
    """A univariate distribution's functions read each argument as an array (its values
    and parameters broadcast): a list there is one (registry.array_operands)."""
    kinds = (scipy.stats.rv_continuous, scipy.stats.rv_discrete)
    for key, function in [(k, d.function) for k, d in DEFINITIONS.items()] + [
            (k, r.template) for k, r in RULES.items() if r.template is not None]:
        if isinstance(getattr(key, "__self__", None), kinds):
            array_operands(key, params=inspect.signature(function).parameters)


_univariate_operands()
