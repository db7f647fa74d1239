"""scipy.signal's convolutions and correlations: bilinear, so the adjoint of each input is
the full result's adjoint correlated with the other input (correlate(a, v) being
convolve(a, flip(v))). Registered only when SciPy imports.

convolve2d and correlate2d (convolve2d with in2 flipped, a definition) pad in1 with
fillvalue (boundary='fill'), or with copies of itself ('wrap', 'symm').
"""

import numpy as np
import scipy.signal

from ..runtime import boundary_widths, pad_adjoint, placed_in_full
from .facts import NEW
from .registry import adjoint, define, example, tangent

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run


def _examples(name):
    call = f"scipy.signal.{name}"
    return [example(f"{call}(x, y)", x=(5,), y=(3,)),
            example(f"{call}(x, y, 'same')", x=(2, 3), y=(4, 5)),
            example(f"{call}(x, y, mode='same')", x=(4, 5), y=(2, 3)),
            example(f"{call}(x, y, 'valid')", x=(3, 4), y=(4, 5)),
            example(f"{call}(x, y, 'valid')", x=(4, 4), y=(3, 2))]


@adjoint(scipy.signal.convolve, facts=NEW, examples=_examples("convolve"))
def convolve(z, in1, in2, mode="full", method="auto"):
    g = placed_in_full(d[z], in1, in2, mode)
    d[in1] = scipy.signal.correlate(g, in2, "valid")
    d[in2] = scipy.signal.correlate(g, in1, "valid")


@tangent(scipy.signal.convolve)
def convolve_tangent(z, in1, in2, mode="full", method="auto"):
    t[z] = scipy.signal.convolve(t[in1], in2, mode) + scipy.signal.convolve(in1, t[in2], mode)


@adjoint(scipy.signal.correlate, facts=NEW, examples=_examples("correlate"))
def correlate(z, in1, in2, mode="full", method="auto"):
    g = placed_in_full(d[z], in1, in2, mode)
    d[in1] = scipy.signal.convolve(g, in2, "valid")
    d[in2] = np.flip(scipy.signal.correlate(g, in1, "valid"))


@tangent(scipy.signal.correlate)
def correlate_tangent(z, in1, in2, mode="full", method="auto"):
    t[z] = scipy.signal.correlate(t[in1], in2, mode) + scipy.signal.correlate(in1, t[in2], mode)


def _examples_2d(name):
    call = f"scipy.signal.{name}"
    return [example(f"{call}(x, y)", x=(4, 5), y=(2, 3)),
            example(f"{call}(x, y, 'same')", x=(2, 3), y=(4, 5)),
            example(f"{call}(x, y, mode='same', boundary='fill')", x=(5, 6), y=(3, 4)),
            example(f"{call}(x, y, 'valid')", x=(3, 3), y=(3, 2)),
            example(f"{call}(x, np.ones((2, 3)) - 0.25, 'same', 'fill', c)", x=(4, 5), c=()),
            example(f"{call}(x, y, 'same', 'wrap')", x=(5, 7), y=(4, 2)),
            example(f"{call}(x, y, 'full', 'wrap')", x=(3, 4), y=(2, 3)),
            example(f"{call}(x, y, 'same', 'symm')", x=(4, 5), y=(3, 3)),
            example(f"{call}(x, y, boundary='symm')", x=(3, 3), y=(2, 2)),
            example(f"{call}(x, y, 'valid', 'wrap')", x=(4, 4), y=(2, 3))]


@adjoint(scipy.signal.convolve2d, facts=NEW, examples=_examples_2d("convolve2d"))
def convolve2d(z, in1, in2, mode="full", boundary="fill", fillvalue=0):
    if boundary == "fill" or mode == "valid":  # in1's fill is a constant term: its adjoint
        g = placed_in_full(d[z], in1, in2, mode)  # is that of fill 0 ('valid' reads no fill)
        d[in1] = scipy.signal.correlate(g, in2, "valid")
        if fillvalue == 0:
            d[in2] = scipy.signal.correlate(g, in1, "valid")
        else:  # in1 is read as in1 - fillvalue inside, fillvalue everywhere
            d[in2] = scipy.signal.correlate(g, in1 - fillvalue, "valid") + fillvalue * np.sum(g)
    else:  # 'wrap', 'symm': the 'valid' convolution of in1 padded by copies of itself
        pads = boundary_widths(in2, mode)
        padding = "wrap" if boundary == "wrap" else "symmetric"
        padded = np.pad(in1, pads, padding)
        g = placed_in_full(d[z], padded, in2, "valid")
        d[in1] = pad_adjoint(scipy.signal.correlate(g, in2, "valid"), in1, pads, padding)
        d[in2] = scipy.signal.correlate(g, padded, "valid")
    d[fillvalue] = np.sum(d[z] * scipy.signal.convolve2d(np.zeros_like(in1), in2, mode, boundary,
                                                       1.0))


@tangent(scipy.signal.convolve2d)
def convolve2d_tangent(z, in1, in2, mode="full", boundary="fill", fillvalue=0):
    # (in1's fill is a constant term: its tangent has fill 0)
    t[z] = (scipy.signal.convolve2d(t[in1], in2, mode, boundary, 0)
            + scipy.signal.convolve2d(in1, t[in2], mode, boundary, fillvalue)
            + t[fillvalue] * scipy.signal.convolve2d(np.zeros_like(in1), in2, mode, boundary, 1.0))


# convolve2d with in2 flipped; 'same' is the full result's middle, centred on in2's middle
# rounded up (convolve2d's rounds down).
@define(scipy.signal.correlate2d, examples=_examples_2d("correlate2d"))
def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    if mode != "same":
        return scipy.signal.convolve2d(in1, np.flip(in2), mode, boundary, fillvalue)
    full = scipy.signal.convolve2d(in1, np.flip(in2), "full", boundary, fillvalue)
    top, left = np.shape(in2)[0] // 2, np.shape(in2)[1] // 2
    return full[top:top + np.shape(in1)[0], left:left + np.shape(in1)[1]]


@tangent(placed_in_full,
         examples=[example("placed_in_full(g, np.ones((2, 3)), np.ones((2, 2)), 'same')",
                           g=(2, 3)),
                   example("placed_in_full(g, np.ones(4), np.ones(2), 'valid')", g=(3,))])
def placed_in_full_tangent(z, g, in1, in2, mode):
    t[z] = placed_in_full(t[g], in1, in2, mode)
