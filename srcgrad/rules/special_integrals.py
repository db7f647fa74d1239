"""scipy.special, continued: Bessel functions, exponential, elliptic, sine and cosine and
Fresnel integrals, zeta and hypergeometric functions, trigonometry in degrees (see
special.py for the form).

Formulas: Abramowitz & Stegun, "Handbook of Mathematical Functions" (5.1, 5.2, 7.3, 9.1,
9.6, 13.4, 17.3) and the NIST DLMF (25.11 for zeta).
"""

import numpy as np
import scipy.special

from .facts import NEW
from .forms import elementwise
from .registry import adjoint, array_operands, example, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_POSITIVE = (0.5, 3.0)
_ORDER = {"v": (0.5, 1.0, 2.0)}  # orders of Bessel functions in the examples


# --- Bessel functions: their order is not differentiable ------------------------------------
# The derivative in x from the recurrences (A&S 9.1.27, 9.6.26): J' = (J_{v-1} - J_{v+1}) / 2,
# I' = (I_{v-1} + I_{v+1}) / 2, K' = -(K_{v-1} + K_{v+1}) / 2, and Y as J.


@elementwise(scipy.special.j0, domain=(-3, 3))
def j0(z, x):
    return -scipy.special.j1(x)


@elementwise(scipy.special.j1, domain=(-3, 3))
def j1(z, x):
    return (scipy.special.j0(x) - scipy.special.jv(2, x)) / 2


@elementwise(scipy.special.y0, domain=_POSITIVE)
def y0(z, x):
    return -scipy.special.y1(x)


@elementwise(scipy.special.y1, domain=_POSITIVE)
def y1(z, x):
    return (scipy.special.y0(x) - scipy.special.yv(2, x)) / 2


@elementwise(scipy.special.i0, np.i0, domain=(-1.5, 1.5))
def i0(z, x):
    return scipy.special.i1(x)


@elementwise(scipy.special.i1, domain=(-1.5, 1.5))
def i1(z, x):
    return (scipy.special.i0(x) + scipy.special.iv(2, x)) / 2


# The scaled ones are exp(-|x|) I(x): the product rule adds -sign(x) z.
@elementwise(scipy.special.i0e, domain=(-1.5, 1.5))
def i0e(z, x):
    return scipy.special.i1e(x) - np.sign(x) * z


@elementwise(scipy.special.i1e, domain=(-1.5, 1.5))
def i1e(z, x):
    return (scipy.special.i0e(x) + scipy.special.ive(2, x)) / 2 - np.sign(x) * z


@elementwise(scipy.special.k0, domain=_POSITIVE)
def k0(z, x):
    return -scipy.special.k1(x)


@elementwise(scipy.special.k1, domain=_POSITIVE)
def k1(z, x):
    return -(scipy.special.k0(x) + scipy.special.kv(2, x)) / 2


@elementwise(scipy.special.k0e, domain=_POSITIVE)
def k0e(z, x):
    return z - scipy.special.k1e(x)


@elementwise(scipy.special.k1e, domain=_POSITIVE)
def k1e(z, x):
    return z - (scipy.special.k0e(x) + scipy.special.kve(2, x)) / 2


@elementwise(scipy.special.jv, domain={"z": _POSITIVE}, fixed=_ORDER)
def jv(out, v, z):
    return None, (scipy.special.jv(v - 1, z) - scipy.special.jv(v + 1, z)) / 2


@elementwise(scipy.special.yv, domain={"z": _POSITIVE}, fixed=_ORDER)
def yv(out, v, z):
    return None, (scipy.special.yv(v - 1, z) - scipy.special.yv(v + 1, z)) / 2


@elementwise(scipy.special.yn, domain={"x": _POSITIVE}, fixed={"n": (1, 2)})
def yn(z, n, x):
    return None, (scipy.special.yn(n - 1, x) - scipy.special.yn(n + 1, x)) / 2


@elementwise(scipy.special.iv, domain={"z": _POSITIVE}, fixed=_ORDER)
def iv(out, v, z):
    return None, (scipy.special.iv(v - 1, z) + scipy.special.iv(v + 1, z)) / 2


@elementwise(scipy.special.ive, domain={"z": _POSITIVE}, fixed=_ORDER)
def ive(out, v, z):
    return None, (scipy.special.ive(v - 1, z) + scipy.special.ive(v + 1, z)) / 2 - np.sign(z) * out


@elementwise(scipy.special.kv, domain={"z": _POSITIVE}, fixed=_ORDER)
def kv(out, v, z):
    return None, -(scipy.special.kv(v - 1, z) + scipy.special.kv(v + 1, z)) / 2


@elementwise(scipy.special.kve, domain={"z": _POSITIVE}, fixed=_ORDER)
def kve(out, v, z):
    return None, out - (scipy.special.kve(v - 1, z) + scipy.special.kve(v + 1, z)) / 2


# --- exponential integrals and others -----------------------------------------------------


@elementwise(scipy.special.expi, domain=_POSITIVE)
def expi(z, x):
    return np.exp(x) / x


@elementwise(scipy.special.exp1, domain=_POSITIVE)
def exp1(z, x):
    return -np.exp(-x) / x


# E_n' = -E_{n-1}, and E_0 = exp(-x) / x.
@elementwise(scipy.special.expn, domain={"x": _POSITIVE}, fixed={"n": (1, 2, 0)})
def expn(z, n, x):
    return None, -np.where(n > 0, scipy.special.expn(np.maximum(n - 1, 0), x), z * (1 + 1 / x))


@elementwise(scipy.special.spence, domain=(0.2, 0.8))
def spence(z, x):
    return np.log(x) / (1 - x)


# Complete elliptic integrals of parameter m (A&S 17.3.11, 17.3.12).
@elementwise(scipy.special.ellipk, domain=(0.1, 0.9))
def ellipk(z, m):
    return (scipy.special.ellipe(m) - (1 - m) * z) / (2 * m * (1 - m))


@elementwise(scipy.special.ellipe, domain=(0.1, 0.9))
def ellipe(z, m):
    return (z - scipy.special.ellipk(m)) / (2 * m)


# The Hurwitz zeta function in q (DLMF 25.11.17); the exponent x has no closed form.
@elementwise(scipy.special.zeta, domain={"q": _POSITIVE}, fixed={"x": (2.5, 3.0)})
def zeta(z, x, q):
    return None, -x * scipy.special.zeta(x + 1, q)


@elementwise(scipy.special.hyp1f1, domain={"x": (-1, 1)}, fixed={"a": (0.5, 1.5), "b": (1.5, 2.0)})
def hyp1f1(z, a, b, x):
    return None, None, a / b * scipy.special.hyp1f1(a + 1, b + 1, x)


@elementwise(scipy.special.stdtr, domain={"t": (-2, 2)}, fixed={"df": (3.0, 1.5)})
def stdtr(z, df, t):
    return None, np.exp(scipy.special.gammaln((df + 1) / 2) - scipy.special.gammaln(df / 2)
                        - (df + 1) / 2 * np.log1p(t * t / df)) / np.sqrt(df * np.pi)


# --- exponentials, angles in degrees -------------------------------------------------------


@elementwise(scipy.special.exp10)
def exp10(z, x):
    return z * np.log(10)


@elementwise(scipy.special.cosm1)
def cosm1(z, x):
    return -np.sin(x)


@elementwise(scipy.special.sindg, domain=(-80, 80))
def sindg(z, x):
    return np.pi / 180 * scipy.special.cosdg(x)


@elementwise(scipy.special.cosdg, domain=(-80, 80))
def cosdg(z, x):
    return -np.pi / 180 * scipy.special.sindg(x)


@elementwise(scipy.special.tandg, domain=(-60, 60))
def tandg(z, x):
    return np.pi / 180 * (1 + z * z)


@elementwise(scipy.special.cotdg, domain=(20, 70))
def cotdg(z, x):
    return -np.pi / 180 * (1 + z * z)


# Functions of two results: sine and cosine integrals, Fresnel integrals.
@adjoint(scipy.special.sici, facts=NEW,
         examples=[example("scipy.special.sici(x)[0] + 2.0 * scipy.special.sici(x)[1]", x=(4,),
                           positive="x")])
def sici(z, x):
    d[x] = (d[z][0] * np.sin(x) + d[z][1] * np.cos(x)) / x


@adjoint(scipy.special.fresnel, facts=NEW,
         examples=[example("scipy.special.fresnel(x)[0] - scipy.special.fresnel(x)[1]", x=(4,))])
def fresnel(z, x):
    d[x] = d[z][0] * np.sin(np.pi * x * x / 2) + d[z][1] * np.cos(np.pi * x * x / 2)


@tangent(scipy.special.sici)
def sici_tangent(z, x):
    t[z] = [t[x] * np.sin(x) / x, t[x] * np.cos(x) / x]


@tangent(scipy.special.fresnel)
def fresnel_tangent(z, x):
    t[z] = [t[x] * np.sin(np.pi * x * x / 2), t[x] * np.cos(np.pi * x * x / 2)]

array_operands(scipy.special.fresnel, params=("x",))  # (registry.array_operands)
