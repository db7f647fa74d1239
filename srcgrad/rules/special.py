"""scipy.special: each function declared by its slopes (forms.elementwise), written with
functions that have rules themselves, so second derivatives follow (gammaln -> digamma ->
polygamma, i0 <-> i1, log_ndtr -> erfcx). Registered only when SciPy imports.

Formulas: Abramowitz & Stegun, "Handbook of Mathematical Functions" (6.3, 6.5, 7.1, 26.2)
and the NIST DLMF (8.8 for the incomplete gamma functions). More functions in
special_integrals.py.
"""

import numpy as np
import scipy.special

from ..runtime import positive_log, repeat_to, safe_div
from .facts import FLOAT_UNARY, NEW
from .forms import elementwise
from .registry import adjoint, alias, example, nondifferentiable, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_SQRT_PI = np.sqrt(np.pi)
_POSITIVE = (0.5, 3.0)


def _optional(name):
    """scipy.special.<name>, or None where this SciPy lacks it."""
    return getattr(scipy.special, name, None)


# --- logistic, error functions and the normal distribution ------------------------------


@elementwise(scipy.special.expit, domain=(-4, 4))
def expit(z, x):
    return z * (1 - z)


@elementwise(scipy.special.log_expit, domain=(-8, 8))
def log_expit(z, x):
    return scipy.special.expit(-x)  # never 1 - expit(x): it cancels for large x


@elementwise(scipy.special.logit, domain=(0.05, 0.95))
def logit(z, x):
    return safe_div(1, x * (1 - x))


@elementwise(_optional("softplus"), domain=(-4, 4))
def softplus(z, x):
    return scipy.special.expit(x)


@elementwise(scipy.special.erf, domain=(-2, 2))
def erf(z, x):
    return 2 / _SQRT_PI * np.exp(-x * x)


@elementwise(scipy.special.erfc, domain=(-2, 2))
def erfc(z, x):
    return -2 / _SQRT_PI * np.exp(-x * x)


@elementwise(scipy.special.erfcx, domain=(-2, 5))
def erfcx(z, x):
    return 2 * x * z - 2 / _SQRT_PI


@elementwise(scipy.special.erfinv, domain=(-0.9, 0.9))
def erfinv(z, x):
    return _SQRT_PI / 2 * np.exp(z * z)


@elementwise(scipy.special.erfcinv, domain=(0.1, 1.9))
def erfcinv(z, x):
    return -_SQRT_PI / 2 * np.exp(z * z)


@elementwise(scipy.special.dawsn, domain=(-2, 2))
def dawsn(z, x):
    return 1 - 2 * x * z


@elementwise(scipy.special.ndtr, domain=(-3, 3))
def ndtr(z, x):
    return np.exp(-x * x / 2) / np.sqrt(2 * np.pi)


# phi(x) / Phi(x), which is 0 / 0 below x = -38 in the plain form: for x < 0 it is
# sqrt(2 / pi) / erfcx(-x / sqrt(2)) (erfcx is exp(x^2) erfc(x), which never underflows).
@elementwise(scipy.special.log_ndtr, domain=(-3, 3),
             examples=[example("scipy.special.log_ndtr(x)", x=(4,), domain={"x": (-40, -5)})])
def log_ndtr(z, x):
    return np.where(x < 0, np.sqrt(2 / np.pi) / scipy.special.erfcx(-x / np.sqrt(2)),
                    np.exp(-x * x / 2 - z) / np.sqrt(2 * np.pi))


@elementwise(scipy.special.ndtri, domain=(0.05, 0.95))
def ndtri(z, x):
    return np.sqrt(2 * np.pi) * np.exp(z * z / 2)


@elementwise(scipy.special.ndtri_exp, domain=(-3, -0.1))
def ndtri_exp(z, x):
    return np.sqrt(2 * np.pi) * np.exp(x + z * z / 2)


@elementwise(scipy.special.owens_t, domain={"h": (-2, 2), "a": (-2, 2)})
def owens_t(z, h, a):
    return (-np.exp(-h * h / 2) * scipy.special.erf(a * h / np.sqrt(2)) / (2 * np.sqrt(2 * np.pi)),
            np.exp(-h * h * (1 + a * a) / 2) / (2 * np.pi * (1 + a * a)))


# --- gamma and beta functions ----------------------------------------------------------


@elementwise(scipy.special.gamma, domain=_POSITIVE)
def gamma(z, x):
    return z * scipy.special.digamma(x)


@elementwise(scipy.special.gammaln, scipy.special.loggamma, domain=_POSITIVE)
def gammaln(z, x):
    return scipy.special.digamma(x)


@elementwise(scipy.special.rgamma, domain=_POSITIVE)
def rgamma(z, x):
    return -z * scipy.special.digamma(x)


@elementwise(scipy.special.digamma, domain=_POSITIVE)  # (scipy.special.psi is digamma)
def digamma(z, x):
    # polygamma(1, x) is zeta(2, x); polygamma itself would convert a duck array (asarray)
    return scipy.special.zeta(2.0, x)


# The order n is an integer: no derivative.
@elementwise(scipy.special.polygamma, domain={"x": _POSITIVE}, fixed={"n": (1, 2, 0)})
def polygamma(z, n, x):
    return None, scipy.special.polygamma(n + 1, x)


# The sum over j = 1..d of digamma(a + (1 - j) / 2); d, the dimension, is an integer.
@adjoint(scipy.special.multigammaln, facts=FLOAT_UNARY.but(smooth=True),
         examples=[example("scipy.special.multigammaln(a, 3)", a=(4,), domain={"a": (2, 4)}),
                   example("scipy.special.multigammaln(a, 1)", a=(), domain={"a": _POSITIVE})])
def multigammaln(z, a, d):
    d[a] = d[z] * np.sum(scipy.special.digamma(np.expand_dims(a, -1) - np.arange(d) / 2),
                         axis=-1)


@elementwise(scipy.special.beta, domain=_POSITIVE)
def beta(z, a, b):
    return (z * (scipy.special.digamma(a) - scipy.special.digamma(a + b)),
            z * (scipy.special.digamma(b) - scipy.special.digamma(a + b)))


@elementwise(scipy.special.betaln, domain=_POSITIVE)
def betaln(z, a, b):
    return (scipy.special.digamma(a) - scipy.special.digamma(a + b),
            scipy.special.digamma(b) - scipy.special.digamma(a + b))


@elementwise(scipy.special.poch, domain=_POSITIVE)
def poch(z, x, m):
    return (z * (scipy.special.digamma(x + m) - scipy.special.digamma(x)),
            z * scipy.special.digamma(x + m))


# Incomplete gamma and beta functions: the integrand in x; their shape parameters have
# no closed-form derivative (series or Meijer G functions), so none is given.
@elementwise(scipy.special.gammainc, domain={"x": _POSITIVE}, fixed={"a": (1.5, 0.7)})
def gammainc(z, a, x):
    return None, np.exp((a - 1) * np.log(x) - x - scipy.special.gammaln(a))


@elementwise(scipy.special.gammaincc, domain={"x": _POSITIVE}, fixed={"a": (1.5, 0.7)})
def gammaincc(z, a, x):
    return None, -np.exp((a - 1) * np.log(x) - x - scipy.special.gammaln(a))


@elementwise(scipy.special.gammaincinv, domain={"y": (0.1, 0.9)}, fixed={"a": (1.5, 0.7)})
def gammaincinv(z, a, y):
    return None, np.exp(scipy.special.gammaln(a) - (a - 1) * np.log(z) + z)


@elementwise(scipy.special.gammainccinv, domain={"y": (0.1, 0.9)}, fixed={"a": (1.5, 0.7)})
def gammainccinv(z, a, y):
    return None, -np.exp(scipy.special.gammaln(a) - (a - 1) * np.log(z) + z)


@elementwise(scipy.special.betainc, domain={"x": (0.05, 0.95)},
             fixed={"a": (1.5, 0.8), "b": (2.5, 1.2)})
def betainc(z, a, b, x):
    return None, None, np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x)
                              - scipy.special.betaln(a, b))


@elementwise(scipy.special.betaincinv, domain={"y": (0.1, 0.9)},
             fixed={"a": (1.5, 0.8), "b": (2.5, 1.2)})
def betaincinv(z, a, b, y):
    return None, None, np.exp(scipy.special.betaln(a, b) - (a - 1) * np.log(z)
                              - (b - 1) * np.log1p(-z))


# --- log-sum-exp and softmax ------------------------------------------------------------------


# z = log(sum(b exp(a))) over `axis`: dz/da = b exp(a - z) and dz/db = exp(a - z), times the
# sign of the sum with return_sign=True (the sign itself is piecewise constant).
@adjoint(scipy.special.logsumexp, facts=NEW, broadcast=True,
         examples=[example("scipy.special.logsumexp(a)", a=(3, 4)),
                   example("scipy.special.logsumexp(a, axis=1)", a=(3, 4)),
                   example("scipy.special.logsumexp(a, axis=0, keepdims=True)", a=(3, 2)),
                   example("scipy.special.logsumexp(a, axis=(0, 2))", a=(2, 3, 2)),
                   example("scipy.special.logsumexp(a, axis=-1, b=b)", a=(2, 3), b=(3,),
                           positive="b"),
                   example("scipy.special.logsumexp(a, b=b, return_sign=True)[0]", a=(4,),
                           b=(4,), domain={"b": (-1, 2)}),
                   example("scipy.special.logsumexp(a, 1, b, True, True)[0]", a=(2, 3),
                           b=(2, 3), domain={"b": (-2, 1)}),
                   example("scipy.special.logsumexp(a, axis=0, b=2.0, keepdims=True)",
                           a=(3, 2)),
                   example("scipy.special.logsumexp(a, 1, keepdims=True, return_sign=True)[0]",
                           a=(2, 3)),
                   example("scipy.special.logsumexp(a, 1, -0.5, True, True)[0]", a=(2, 3))])
def logsumexp(z, a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign:
        g = repeat_to(d[z][0] * z[1], a, axis, keepdims) * np.exp(
            a - repeat_to(z[0], a, axis, keepdims))
    else:
        g = repeat_to(d[z], a, axis, keepdims) * np.exp(a - repeat_to(z, a, axis, keepdims))
    if b is None:
        d[a] = g
    else:
        d[a] = g * b
        d[b] = g


@tangent(scipy.special.logsumexp)
def logsumexp_tangent(z, a, axis=None, b=None, keepdims=False, return_sign=False):
    if return_sign:
        w = np.exp(a - repeat_to(z[0], a, axis, keepdims)) * repeat_to(z[1], a, axis, keepdims)
        if b is None:
            t[z] = [np.sum(t[a] * w, axis=axis, keepdims=keepdims), np.zeros_like(z[1])]
        else:
            t[z] = [np.sum((t[a] * b + t[b]) * w, axis=axis, keepdims=keepdims),
                    np.zeros_like(z[1])]
    else:
        w = np.exp(a - repeat_to(z, a, axis, keepdims))
        if b is None:
            t[z] = np.sum(t[a] * w, axis=axis, keepdims=keepdims)
        else:
            t[z] = (np.sum(t[a] * b * w, axis=axis, keepdims=keepdims)
                    + np.sum(t[b] * w, axis=axis, keepdims=keepdims))


@adjoint(scipy.special.softmax, facts=NEW,
         examples=[example("scipy.special.softmax(x)", x=(3, 2)),
                   example("scipy.special.softmax(x, axis=1)", x=(3, 4)),
                   example("scipy.special.softmax(x, axis=(0, 2))", x=(2, 2, 3))])
def softmax(z, x, axis=None):
    d[x] = z * (d[z] - np.sum(d[z] * z, axis=axis, keepdims=True))


@tangent(scipy.special.softmax)
def softmax_tangent(z, x, axis=None):
    t[z] = z * (t[x] - np.sum(t[x] * z, axis=axis, keepdims=True))


@adjoint(scipy.special.log_softmax, facts=NEW,
         examples=[example("scipy.special.log_softmax(x)", x=(4,)),
                   example("scipy.special.log_softmax(x, axis=0)", x=(3, 4)),
                   example("scipy.special.log_softmax(x, axis=-1)", x=(2, 2, 3))])
def log_softmax(z, x, axis=None):
    d[x] = d[z] - np.exp(z) * np.sum(d[z], axis=axis, keepdims=True)


@tangent(scipy.special.log_softmax)
def log_softmax_tangent(z, x, axis=None):
    t[z] = t[x] - np.sum(np.exp(z) * t[x], axis=axis, keepdims=True)


# --- x log y and entropies ---------------------------------------------------------------


# z is 0 on the line x = 0 (y = 0 too): the slope in y is 0 there.
@elementwise(scipy.special.xlogy, domain={"x": (-1.5, 1.5), "y": (0.5, 2)},
             examples=[example("scipy.special.xlogy(x * 0.0, y)", x=(3,), y=(3,),
                               domain={"y": (0.5, 2)})])
def xlogy(z, x, y):
    return positive_log(y), safe_div(x, y)


@elementwise(scipy.special.xlog1py, domain={"x": (-1.5, 1.5), "y": (-0.5, 1)})
def xlog1py(z, x, y):
    return np.log1p(y), safe_div(x, 1 + y)


@elementwise(scipy.special.entr, domain=(0.5, 2))
def entr(z, x):
    return -(np.log(x) + 1)


@elementwise(scipy.special.rel_entr, domain=(0.5, 2))
def rel_entr(z, x, y):
    return np.log(x / y) + 1, -safe_div(x, y)


@elementwise(scipy.special.kl_div, domain=(0.5, 2))
def kl_div(z, x, y):
    return np.log(x / y), 1 - x / y


@elementwise(scipy.special.huber, domain={"delta": (0.5, 1), "r": (-2, 2)})
def huber(z, delta, r):
    return (np.where(np.abs(r) <= delta, 0.0, np.abs(r) - delta),
            np.where(np.abs(r) <= delta, r, delta * np.sign(r)))


@elementwise(scipy.special.pseudo_huber, domain={"delta": (0.5, 2), "r": (-2, 2)})
def pseudo_huber(z, delta, r):
    return (2 * z / delta - r * r / (delta * np.sqrt(1 + (r / delta) ** 2)),
            r / np.sqrt(1 + (r / delta) ** 2))


@elementwise(scipy.special.boxcox, domain={"x": (0.5, 2), "lmbda": (0.2, 1.5)})
def boxcox(z, x, lmbda):
    return x ** (lmbda - 1), (x ** lmbda * np.log(x) - z) / lmbda


@elementwise(scipy.special.boxcox1p, domain={"x": (-0.5, 1.5), "lmbda": (0.2, 1.5)})
def boxcox1p(z, x, lmbda):
    return (1 + x) ** (lmbda - 1), ((1 + x) ** lmbda * np.log1p(x) - z) / lmbda


# --- SciPy's own exponentials and logarithms: NumPy's under other names ----------------------


alias(np.exp2, scipy.special.exp2, examples=[example("scipy.special.exp2(x)", x=(3,))])
alias(np.expm1, scipy.special.expm1, examples=[example("scipy.special.expm1(x)", x=(3,))])
alias(np.log1p, scipy.special.log1p,
      examples=[example("scipy.special.log1p(x)", x=(3,), domain={"x": (-0.5, 1)})])
alias(np.cbrt, scipy.special.cbrt,
      examples=[example("scipy.special.cbrt(x)", x=(3,), positive="x")])

nondifferentiable(scipy.special.gammasgn, scipy.special.round, scipy.special.factorial,
                  scipy.special.comb, scipy.special.perm)
