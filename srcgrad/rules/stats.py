"""scipy.stats distributions as code (registry.define) over functions with rules: each
method is its formula in the standardized z = (x - loc) / scale, so the gradient reaches
x, loc, scale and the shape parameters. Registered only when SciPy imports.

Outside a distribution's support logpdf is -inf and pdf 0, with no gradient (the double
`where` keeps NaN out of it). Counts (k of poisson, binom, ...) carry no gradient; a shape
parameter without a closed-form derivative (the cdf of t in df, of gamma in a) is refused
by name through the special function it reaches (scipy.special.betainc in `a`, ...).
"""

import numpy as np
import scipy.special
import scipy.stats

from .forms import exp_of
from .registry import define, example

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
SHIFTED = {"loc": (-0.5, 0.5), "scale": (0.5, 2.0)}


def calls_of(name, method, shapes=(), domain=(-2, 2), positive_x=False, **fixed):
    """Calls of scipy.stats.<name>.<method>: x alone, then x with the shapes, loc and scale."""
    extra = dict(fixed)
    low, high = domain
    call = f"scipy.stats.{name}.{method}"
    shape_args = ", ".join(shapes)
    first = f"{call}(x{', ' + shape_args if shapes else ''})"
    ranges = {"x": (low, high), **{s: extra.get(s, (0.5, 3.0)) for s in shapes}}
    sizes = {s: () for s in shapes}
    out = [example(first, x=(4,), domain=ranges, **sizes)]
    if positive_x:  # x = loc + scale * z with z in the domain
        ranges = {**ranges, **SHIFTED, "x": (low, high)}
        out.append(example(f"{call}(loc + scale * x{', ' + shape_args if shapes else ''}, "
                           "loc=loc, scale=scale)", x=(2, 3), loc=(3,), scale=(),
                           domain=ranges, **sizes))
    else:
        out.append(example(f"{call}(x{', ' + shape_args if shapes else ''}, loc, scale)",
                           x=(2, 3), loc=(3,), scale=(), domain={**ranges, **SHIFTED}, **sizes))
    return out


# --- norm ---------------------------------------------------------------------------------------


@define(scipy.stats.norm.logpdf, examples=calls_of("norm", "logpdf"))
def norm_logpdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    return -z * z / 2 - _LOG_SQRT_2PI - np.log(scale)


@define(scipy.stats.norm.cdf, examples=calls_of("norm", "cdf"))
def norm_cdf(x, loc=0, scale=1):
    return scipy.special.ndtr((x - loc) / scale)


@define(scipy.stats.norm.logcdf, examples=calls_of("norm", "logcdf", domain=(-6, 3)))
def norm_logcdf(x, loc=0, scale=1):
    return scipy.special.log_ndtr((x - loc) / scale)


@define(scipy.stats.norm.sf, examples=calls_of("norm", "sf"))
def norm_sf(x, loc=0, scale=1):
    return scipy.special.ndtr((loc - x) / scale)


@define(scipy.stats.norm.logsf, examples=calls_of("norm", "logsf", domain=(-3, 6)))
def norm_logsf(x, loc=0, scale=1):
    return scipy.special.log_ndtr((loc - x) / scale)


@define(scipy.stats.norm.ppf, examples=calls_of("norm", "ppf", domain=(0.05, 0.95)))
def norm_ppf(q, loc=0, scale=1):
    return loc + scale * scipy.special.ndtri(q)


# --- location-scale families without shape parameters --------------------------------------


@define(scipy.stats.cauchy.logpdf, examples=calls_of("cauchy", "logpdf"))
def cauchy_logpdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    return -np.log(np.pi) - np.log1p(z * z) - np.log(scale)


@define(scipy.stats.cauchy.cdf, examples=calls_of("cauchy", "cdf"))
def cauchy_cdf(x, loc=0, scale=1):
    return 0.5 + np.arctan((x - loc) / scale) / np.pi


# The kink at z = 0: the gradient of |z| there is 0.
@define(scipy.stats.laplace.logpdf, examples=calls_of("laplace", "logpdf"))
def laplace_logpdf(x, loc=0, scale=1):
    return -np.log(2.0) - np.abs((x - loc) / scale) - np.log(scale)


@define(scipy.stats.laplace.cdf, examples=calls_of("laplace", "cdf"))
def laplace_cdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    # each tail in z itself, not |z|: at z = 0 the slope is the density (|z|'s would be 0)
    below = np.where(z < 0, z, 0.0)
    above = np.where(z < 0, 0.0, z)
    return np.where(z < 0, 0.5 * np.exp(below), 1 - 0.5 * np.exp(-above))


@define(scipy.stats.logistic.logpdf, examples=calls_of("logistic", "logpdf"))
def logistic_logpdf(x, loc=0, scale=1):
    a = np.abs((x - loc) / scale)
    return -a - 2 * np.log1p(np.exp(-a)) - np.log(scale)


@define(scipy.stats.logistic.cdf, examples=calls_of("logistic", "cdf"))
def logistic_cdf(x, loc=0, scale=1):
    return scipy.special.expit((x - loc) / scale)


@define(scipy.stats.logistic.logcdf, examples=calls_of("logistic", "logcdf"))
def logistic_logcdf(x, loc=0, scale=1):
    return scipy.special.log_expit((x - loc) / scale)


@define(scipy.stats.logistic.sf, examples=calls_of("logistic", "sf"))
def logistic_sf(x, loc=0, scale=1):
    return scipy.special.expit((loc - x) / scale)


@define(scipy.stats.expon.logpdf, examples=calls_of("expon", "logpdf", (), (0.1, 3), True))
def expon_logpdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    return np.where(z >= 0, -z - np.log(scale), -np.inf)


@define(scipy.stats.expon.cdf, examples=calls_of("expon", "cdf", (), (0.1, 3), True))
def expon_cdf(x, loc=0, scale=1):
    return -np.expm1(-np.maximum((x - loc) / scale, 0.0))


@define(scipy.stats.expon.sf, examples=calls_of("expon", "sf", (), (0.1, 3), True))
def expon_sf(x, loc=0, scale=1):
    return np.exp(-np.maximum((x - loc) / scale, 0.0))


@define(scipy.stats.halfnorm.logpdf, examples=calls_of("halfnorm", "logpdf", (), (0.1, 3), True))
def halfnorm_logpdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    return np.where(z >= 0, 0.5 * np.log(2 / np.pi) - z * z / 2 - np.log(scale), -np.inf)


@define(scipy.stats.halfnorm.cdf, examples=calls_of("halfnorm", "cdf", (), (0.1, 3), True))
def halfnorm_cdf(x, loc=0, scale=1):
    return scipy.special.erf(np.maximum((x - loc) / scale, 0.0) / np.sqrt(2))


@define(scipy.stats.uniform.logpdf, examples=calls_of("uniform", "logpdf", (), (0.1, 0.9), True))
def uniform_logpdf(x, loc=0, scale=1):
    z = (x - loc) / scale
    return np.where((z >= 0) & (z <= 1), -np.log(scale) + 0 * z, -np.inf)


@define(scipy.stats.uniform.cdf, examples=calls_of("uniform", "cdf", (), (0.1, 0.9), True))
def uniform_cdf(x, loc=0, scale=1):
    return np.clip((x - loc) / scale, 0.0, 1.0)


# --- shape parameters ------------------------------------------------------------------------


@define(scipy.stats.t.logpdf, examples=calls_of("t", "logpdf", ("df",)))
def t_logpdf(x, df, loc=0, scale=1):
    z = (x - loc) / scale
    return (scipy.special.gammaln((df + 1) / 2) - scipy.special.gammaln(df / 2)
            - 0.5 * np.log(df * np.pi) - (df + 1) / 2 * np.log1p(z * z / df) - np.log(scale))


@define(scipy.stats.gamma.logpdf, examples=calls_of("gamma", "logpdf", ("a",), (0.1, 3), True))
def gamma_logpdf(x, a, loc=0, scale=1):
    z = (x - loc) / scale
    inside = z > 0
    safe = np.where(inside, z, 1.0)
    return np.where(inside, scipy.special.xlogy(a - 1, safe) - safe - scipy.special.gammaln(a)
                    - np.log(scale), -np.inf)


# In x (and loc, scale) only: a has no closed-form derivative (scipy.special.gammainc).
@define(scipy.stats.gamma.cdf, examples=[
    example("scipy.stats.gamma.cdf(x, 1.5)", x=(4,), domain={"x": (0.1, 3)}),
    example("scipy.stats.gamma.cdf(loc + scale * x, 0.7, loc=loc, scale=scale)", x=(2, 3),
            loc=(3,), scale=(), domain={"x": (0.1, 3), **SHIFTED})])
def gamma_cdf(x, a, loc=0, scale=1):
    return scipy.special.gammainc(a, np.maximum((x - loc) / scale, 0.0))


@define(scipy.stats.beta.logpdf, examples=calls_of("beta", "logpdf", ("a", "b"), (0.05, 0.95),
                                                    True))
def beta_logpdf(x, a, b, loc=0, scale=1):
    z = (x - loc) / scale
    inside = (z > 0) & (z < 1)
    safe = np.where(inside, z, 0.5)
    return np.where(inside, scipy.special.xlogy(a - 1, safe)
                    + scipy.special.xlog1py(b - 1, -safe) - scipy.special.betaln(a, b)
                    - np.log(scale), -np.inf)


@define(scipy.stats.lognorm.logpdf, examples=calls_of("lognorm", "logpdf", ("s",), (0.2, 3),
                                                       True))
def lognorm_logpdf(x, s, loc=0, scale=1):
    y = (x - loc) / scale
    inside = y > 0
    log_y = np.log(np.where(inside, y, 1.0))
    return np.where(inside, -np.log(s) - log_y - _LOG_SQRT_2PI - log_y * log_y / (2 * s * s)
                    - np.log(scale), -np.inf)


@define(scipy.stats.lognorm.cdf, examples=calls_of("lognorm", "cdf", ("s",), (0.2, 3), True))
def lognorm_cdf(x, s, loc=0, scale=1):
    y = (x - loc) / scale
    inside = y > 0
    return np.where(inside, scipy.special.ndtr(np.log(np.where(inside, y, 1.0)) / s), 0.0)


# On one period around loc: kappa cos(z) - log(2 pi I0(kappa)).
@define(scipy.stats.vonmises.logpdf, examples=calls_of("vonmises", "logpdf", ("kappa",)))
def vonmises_logpdf(x, kappa, loc=0, scale=1):
    z = (x - loc) / scale
    return (kappa * (np.cos(z) - 1) - np.log(2 * np.pi) - np.log(scipy.special.i0e(kappa))
            - np.log(scale))


# --- counts: k carries no gradient; off the support logpmf is -inf --------------------------

_COUNTS = {"k": [0, 1, 3, 2]}


def _count_examples(name, method, *shapes, domain=None):
    ranges = domain or {s: (0.2, 0.8) for s in shapes}
    return [example(f"scipy.stats.{name}.{method}(k, {', '.join(shapes)})",
                    ints=_COUNTS, domain=ranges, **{s: () for s in shapes}),
            example(f"scipy.stats.{name}.{method}(k, {', '.join(shapes)})",
                    ints=_COUNTS, domain=ranges, **{s: (4,) for s in shapes})]


@define(scipy.stats.poisson.logpmf, examples=_count_examples("poisson", "logpmf", "mu",
                                                             domain={"mu": (0.5, 3)}))
def poisson_logpmf(k, mu, loc=0):
    k = k - loc
    inside = (k >= 0) & (k == np.floor(k))
    return np.where(inside, scipy.special.xlogy(k, mu) - mu
                    - scipy.special.gammaln(np.where(inside, k, 0) + 1), -np.inf)


@define(scipy.stats.poisson.cdf, examples=_count_examples("poisson", "cdf", "mu",
                                                          domain={"mu": (0.5, 3)}))
def poisson_cdf(k, mu, loc=0):
    k = np.floor(k - loc)
    return np.where(k >= 0, scipy.special.gammaincc(np.maximum(k, 0) + 1, mu), 0.0)


# n, the number of trials, is an integer: no gradient.
@define(scipy.stats.binom.logpmf, examples=[
    example("scipy.stats.binom.logpmf(k, 5, p)", ints=_COUNTS, p=(), domain={"p": (0.2, 0.8)}),
    example("scipy.stats.binom.logpmf(k, 4, p)", ints=_COUNTS, p=(4,), domain={"p": (0.2, 0.8)})])
def binom_logpmf(k, n, p, loc=0):
    k = k - loc
    inside = (k >= 0) & (k <= n) & (k == np.floor(k))
    safe = np.where(inside, k, 0)
    return np.where(inside, scipy.special.gammaln(n + 1.0) - scipy.special.gammaln(safe + 1.0)
                    - scipy.special.gammaln(n - safe + 1.0) + scipy.special.xlogy(safe, p)
                    + scipy.special.xlog1py(n - safe, -p), -np.inf)


@define(scipy.stats.nbinom.logpmf, examples=_count_examples("nbinom", "logpmf", "n", "p", domain={
    "n": (0.5, 3), "p": (0.2, 0.8)}))
def nbinom_logpmf(k, n, p, loc=0):
    k = k - loc
    inside = (k >= 0) & (k == np.floor(k))
    safe = np.where(inside, k, 0)
    return np.where(inside, scipy.special.gammaln(safe + n) - scipy.special.gammaln(n)
                    - scipy.special.gammaln(safe + 1.0) + scipy.special.xlogy(n, p)
                    + scipy.special.xlog1py(safe, -p), -np.inf)


@define(scipy.stats.bernoulli.logpmf, examples=[
    example("scipy.stats.bernoulli.logpmf(k, p)", ints={"k": [0, 1, 1, 0]}, p=(4,),
            domain={"p": (0.2, 0.8)}),
    example("scipy.stats.bernoulli.logpmf(k, p)", ints={"k": [1, 0, 1]}, p=(),
            domain={"p": (0.2, 0.8)})])
def bernoulli_logpmf(k, p, loc=0):
    k = k - loc
    inside = (k == 0) | (k == 1)
    return np.where(inside, scipy.special.xlogy(k, p) + scipy.special.xlog1py(1 - k, -p),
                    -np.inf)


# --- several variables ------------------------------------------------------------------------


# x: (K,) or (K, N), the components along axis 0 (SciPy checks that they sum to 1).
@define(scipy.stats.dirichlet.logpdf, examples=[
    example("scipy.stats.dirichlet.logpdf(scipy.special.softmax(u), alpha)", u=(3,),
            alpha=(3,), domain={"alpha": (0.5, 3)}),
    example("scipy.stats.dirichlet.logpdf(scipy.special.softmax(u, axis=0), alpha)", u=(3, 2),
            alpha=(3,), domain={"alpha": (0.5, 3)})])
def dirichlet_logpdf(x, alpha):
    shaped = np.reshape(alpha, np.shape(alpha) + (1,) * (np.ndim(x) - 1))
    return (np.sum(scipy.special.xlogy(shaped - 1, x), axis=0)
            - np.sum(scipy.special.gammaln(alpha)) + scipy.special.gammaln(np.sum(alpha)))


# Samples along the last axis of x; cov a (k, k) matrix, a vector of variances or a number.
@define(scipy.stats.multivariate_normal.logpdf, examples=[
    example("scipy.stats.multivariate_normal.logpdf(x, mean, c @ c.T + np.eye(3))", x=(4, 3),
            mean=(3,), c=(3, 3)),
    example("scipy.stats.multivariate_normal.logpdf(x, mean, c @ c.T + np.eye(2))", x=(2,),
            mean=(2,), c=(2, 2)),
    example("scipy.stats.multivariate_normal.logpdf(x, mean, cov)", x=(3, 2), mean=(2,),
            cov=(2,), domain={"cov": (0.5, 2)}),
    example("scipy.stats.multivariate_normal.logpdf(x, np.zeros(2), cov=cov)", x=(3, 2), cov=(),
            domain={"cov": (0.5, 2)})])
def multivariate_normal_logpdf(x, mean=None, cov=1, allow_singular=False):
    k = np.shape(x)[-1]
    r = x if mean is None else x - mean
    matrix = cov if np.ndim(cov) == 2 else cov * np.eye(k)
    solved = np.linalg.solve(matrix, np.transpose(r))
    squared = np.sum(r * np.transpose(solved), axis=-1)
    return -0.5 * (k * np.log(2 * np.pi) + np.linalg.slogdet(matrix)[1] + squared)


# pdf (pmf) = exp(logpdf): each defined from its logarithm (forms.exp_of), with its examples.
for _name, _method in [(name, "pdf") for name in (
        "norm", "cauchy", "laplace", "logistic", "expon", "halfnorm", "uniform", "t", "gamma",
        "beta", "lognorm", "vonmises", "dirichlet", "multivariate_normal")] + [
        (name, "pmf") for name in ("poisson", "binom", "nbinom", "bernoulli")]:
    _family = getattr(scipy.stats, _name)
    exp_of(getattr(_family, "log" + _method), getattr(_family, _method))
