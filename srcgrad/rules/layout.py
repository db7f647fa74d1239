"""Adjoint rules for NumPy's functions that move, join and split arrays, beyond shapes.py:
triangles, splits, atleast_Nd, column_stack, dstack, block, rot90, rollaxis, meshgrid,
broadcast_arrays, delete, compress, partition, and real and imaginary parts.

Each is linear: the adjoint moves d[z] back the way the values came. Most tangents
are derived (derive.py: the function applied to the tangent); the functions that join
several arrays apply themselves to all their tangents at once, zeros for the absent ones.
"""

import numpy as np

from ..runtime import (filled, full_adjoint, imag_adjoint, inverse_permutation, linspace_adjoints,
                       meshgrid_adjoint, mT, pad_adjoint, pad_constant_adjoint, piecewise_start,
                       reshaped, rollaxis_permutation, select_adjoint, split_like, unblock,
                       unbroadcast, unbroadcast_each, undelete, unique_adjoint, unique_tangent,
                       unpartition, untake)
from .facts import NEW, VIEW, facts, numpy_functions
from .registry import (adjoint, array_operands, attribute, example, method, named,
                       nondifferentiable, tangent)

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

_LINEAR = NEW.but(linear=True)

# --- triangles -----------------------------------------------------------------------------


# A 1-d m is taken as every row of a square matrix: its adjoint sums them.
@adjoint(np.tril, facts=_LINEAR,
         examples=[example("np.tril(x)", x=(3, 3)), example("np.tril(x, -1)", x=(2, 3, 4)),
                   example("np.tril(x, k=1)", x=(4,))])
def tril(z, m, k=0):
    d[m] = unbroadcast(np.tril(d[z], k), m)


@adjoint(np.triu, facts=_LINEAR,
         examples=[example("np.triu(x)", x=(3, 3)), example("np.triu(x, 1)", x=(2, 4, 3)),
                   example("np.triu(x, k=-1)", x=(3,))])
def triu(z, m, k=0):
    d[m] = unbroadcast(np.triu(d[z], k), m)


@adjoint(np.diagflat, facts=_LINEAR,
         examples=[example("np.diagflat(x)", x=(3,)), example("np.diagflat(x, -1)", x=(2, 2))])
def diagflat(z, v, k=0):
    d[v] = np.reshape(np.diagonal(d[z], k), np.shape(v))


# --- splits: the adjoint joins the parts' adjoints (zeros for the parts not read) ------------


@adjoint(np.split, facts=VIEW.but(linear=True, views_listed=True),
         examples=[example("np.split(x, 3)[1]", x=(6,)),
                   example("np.split(x, [1, 3], axis=1)[2]", x=(2, 4)),
                   example("np.stack(np.split(x, 2, axis=-1))", x=(2, 3, 4))])
def split(z, ary, indices_or_sections, axis=0):
    d[ary] = np.concatenate(d[z], axis=axis)


@adjoint(np.array_split, facts=VIEW.but(linear=True, views_listed=True),
         examples=[example("np.array_split(x, 3)[0]", x=(7,)),
                   example("np.array_split(x, 2, axis=1)[1] * 2.0", x=(2, 5))])
def array_split(z, ary, indices_or_sections, axis=0):
    d[ary] = np.concatenate(d[z], axis=axis)


@adjoint(np.hsplit, facts=VIEW.but(linear=True, views_listed=True),
         examples=[example("np.hsplit(x, 2)[1]", x=(3, 4)),
                   example("np.hsplit(x, [1])[0]", x=(3,))])
def hsplit(z, ary, indices_or_sections):
    d[ary] = np.hstack(d[z])


@adjoint(np.vsplit, facts=VIEW.but(linear=True, views_listed=True),
         examples=[example("np.vsplit(x, 2)[0]", x=(4, 3)),
                   example("np.vsplit(x, [1])[1]", x=(3, 2, 2))])
def vsplit(z, ary, indices_or_sections):
    d[ary] = np.vstack(d[z])


@adjoint(np.dsplit, facts=VIEW.but(linear=True, views_listed=True),
         examples=[example("np.dsplit(x, 2)[1]", x=(2, 3, 4))])
def dsplit(z, ary, indices_or_sections):
    d[ary] = np.dstack(d[z])


@adjoint(*numpy_functions("unstack"), facts=VIEW.but(views_listed=True),  # (NumPy >= 2.1)
         examples=[example("np.unstack(x)[1]", x=(3, 2)),
                   example("np.unstack(x, axis=-1)[0]", x=(2, 3))])
def unstack(z, x, axis=0):
    d[x] = np.stack(d[z], axis=axis)


@tangent(*numpy_functions("unstack"))
def unstack_tangent(z, x, axis=0):  # (axis is keyword-only)
    t[z] = np.unstack(t[x], axis=axis)

# --- joins --------------------------------------------------------------------------------------


# One term reads every argument's tangent (the engine puts zeros in for the absent ones).
@adjoint(np.append, facts=NEW,
         examples=[example("np.append(x, y)", x=(2, 2), y=(3,)),
                   example("np.append(x, y, axis=1)", x=(2, 2), y=(2, 1))])
def append(z, arr, values, axis=None):
    parts = split_like(d[z], [arr, values], axis)
    d[arr] = parts[0]
    d[values] = parts[1]


@tangent(np.append)
def append_tangent(z, arr, values, axis=None):
    t[z] = np.append(t[arr], t[values], axis=axis)


@adjoint(np.column_stack, facts=_LINEAR,
         examples=[example("np.column_stack([x, y])", x=(3,), y=(3, 2)),
                   example("np.column_stack((x, x * y))", x=(2,), y=(2,))])
def column_stack(z, tup):
    d[tup] = split_like(d[z], tup, 1)


@adjoint(np.dstack, facts=_LINEAR,
         examples=[example("np.dstack([x, y])", x=(2, 3), y=(2, 3, 2)),
                   example("np.dstack((x, y))", x=(3,), y=(3,))])
def dstack(z, tup):
    d[tup] = split_like(d[z], tup, 2)


# Nested lists: the innermost join along the last axis, the next ones along the one before.
@adjoint(np.block, facts=_LINEAR,
         examples=[example("np.block([x, y])", x=(2,), y=(3,)),
                   example("np.block([[x, y], [w]])", x=(1, 2), y=(1, 1), w=(3,)),
                   example("np.block([[x], [y]])", x=(2, 2), y=(1, 2))])
def block(z, arrays):
    d[arrays] = unblock(d[z], arrays)


@adjoint(np.atleast_1d, np.atleast_2d, np.atleast_3d, facts=VIEW.but(views_listed=True),
         examples=[example("np.atleast_1d(x)", x=()), example("np.atleast_2d(x)", x=(3,)),
                   example("np.atleast_3d(x)", x=(2, 3)),
                   example("np.atleast_3d(x, y)[0] + np.atleast_3d(x, y)[1]", x=(3,), y=(1, 3)),
                   example("np.atleast_2d(x, y)[1]", x=(), y=(2,))])
def atleast_nd(z, *arys):
    d[arys] = reshaped(d[z], arys)


@tangent(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd_tangent(z, *arys):
    t[z] = reshaped(filled(t[arys], arys), z)


@adjoint(np.broadcast_arrays, facts=VIEW.but(views_listed=True),
         examples=[example("np.broadcast_arrays(x, y)[0]", x=(3, 1), y=(4,)),
                   example("np.stack(np.broadcast_arrays(x, y, w))", x=(2, 1), y=(3,), w=())])
def broadcast_arrays(z, *args, subok=False):
    d[args] = unbroadcast_each(d[z], args)


@tangent(np.broadcast_arrays)
def broadcast_arrays_tangent(z, *args, subok=False):
    t[z] = np.broadcast_arrays(*filled(t[args], args))


@adjoint(np.meshgrid, facts=VIEW,  # (copy=False: views of the inputs)
         examples=[example("np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1]", x=(3,), y=(2,)),
                   example("np.stack(np.meshgrid(x, y, w, indexing='ij'))", x=(2,), y=(3,),
                           w=(2,)),
                   example("np.meshgrid(x, y, sparse=True)[1]", x=(2,), y=(3,))])
def meshgrid(z, *xi, copy=True, sparse=False, indexing="xy"):
    d[xi] = meshgrid_adjoint(d[z], xi, indexing)


@tangent(np.meshgrid)
def meshgrid_tangent(z, *xi, copy=True, sparse=False, indexing="xy"):
    t[z] = np.meshgrid(*filled(t[xi], xi), sparse=sparse, indexing=indexing)


# The first true condition picks its choice; none true: the default. Conditions carry none.
@adjoint(np.select, facts=NEW,
         examples=[example("np.select([x > 0.5, x < -0.5], [x * y, y])", x=(4,), y=(4,)),
                   example("np.select((x > 0, x > -0.5), (x, 2 * x), default=y)", x=(2, 3), y=()),
                   example("np.select([x > 0], [y], x)", x=(2, 3), y=(3,))])
def select(z, condlist, choicelist, default=0):
    adjoints = select_adjoint(d[z], condlist, choicelist, default)
    d[choicelist] = adjoints[:-1]
    d[default] = adjoints[-1]


@tangent(np.select)
def select_tangent(z, condlist, choicelist, default=0):
    t[z] = np.select(condlist, filled(t[choicelist], choicelist), t[default])


# Modes that pad with constants or copies of the array: constant (its values get the sum of
# the cells they fill), edge, reflect, symmetric, wrap (each copy's adjoint goes back).
@adjoint(np.pad, facts=NEW,
         examples=[example("np.pad(x, 2)", x=(3,)),
                   example("np.pad(x, ((1, 0), (2, 1)), constant_values=c)", x=(2, 3), c=(2,)),
                   example("np.pad(x, 1, 'constant', constant_values=c)", x=(2, 2), c=()),
                   example("np.pad(x, (1, 2), 'edge')", x=(2, 3)),
                   example("np.pad(x, 3, mode='reflect')", x=(3,)),
                   example("np.pad(x, ((2, 1), (0, 3)), 'symmetric')", x=(3, 2)),
                   example("np.pad(x, (4, 5), 'wrap')", x=(3,))])
def pad(z, array, pad_width, mode="constant", constant_values=0):
    d[array] = pad_adjoint(d[z], array, pad_width, mode)
    if mode == "constant":
        d[constant_values] = pad_constant_adjoint(d[z], array, pad_width, constant_values)


@tangent(np.pad)
def pad_tangent(z, array, pad_width, mode="constant", constant_values=0):
    if mode == "constant":
        t[z] = np.pad(t[array], pad_width) + np.pad(
            np.zeros_like(array), pad_width, constant_values=t[constant_values])
    else:
        t[z] = np.pad(t[array], pad_width, mode)


# Linear in its ends (arrays too); retstep= is not accepted.
@adjoint(np.linspace, facts=NEW,
         examples=[example("np.linspace(x, y, 5)", x=(), y=()),
                   example("np.linspace(x, y, 4, endpoint=False)", x=(3,), y=()),
                   example("np.linspace(x, y, num=3, axis=-1)", x=(2, 1), y=(2,)),
                   example("np.linspace(x, 2.0, 1)", x=(2,))])
def linspace(z, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    adjoints = linspace_adjoints(d[z], start, stop, num, endpoint, axis)
    d[start] = adjoints[0]
    d[stop] = adjoints[1]


@tangent(np.linspace)
def linspace_tangent(z, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    t[z] = (np.linspace(t[start], np.zeros_like(stop), num, endpoint, axis=axis)
            + np.linspace(np.zeros_like(start), t[stop], num, endpoint, axis=axis))


# --- convolution and correlation of vectors: bilinear ----------------------------------------
# The full result's adjoint correlates back with the other input: d[a] = correlate(g, v).


@adjoint(np.convolve, facts=NEW,
         examples=[example("np.convolve(x, y)", x=(5,), y=(3,)),
                   example("np.convolve(x, y, 'same')", x=(2,), y=(5,)),
                   example("np.convolve(x, y, mode='same')", x=(4,), y=(4,)),
                   example("np.convolve(x, y, 'valid')", x=(3,), y=(5,))])
def convolve(z, a, v, mode="full"):
    g = full_adjoint(d[z], a, v, mode)
    d[a] = np.correlate(g, v, "valid")
    d[v] = np.correlate(g, a, "valid")


@tangent(np.convolve)
def convolve_tangent(z, a, v, mode="full"):
    t[z] = np.convolve(t[a], v, mode) + np.convolve(a, t[v], mode)


# correlate(a, v) is convolve(a, v[::-1]); only 'same' places its slice otherwise.
@adjoint(np.correlate, facts=NEW,
         examples=[example("np.correlate(x, y)", x=(5,), y=(3,)),
                   example("np.correlate(x, y, 'same')", x=(2,), y=(5,)),
                   example("np.correlate(x, y, mode='same')", x=(6,), y=(3,)),
                   example("np.correlate(x, y, 'full')", x=(3,), y=(4,))])
def correlate(z, a, v, mode="valid"):
    g = full_adjoint(d[z], a, v, mode, True)
    d[a] = np.convolve(g, v, "valid")
    d[v] = np.flip(np.correlate(g, a, "valid"))


@tangent(np.correlate)
def correlate_tangent(z, a, v, mode="valid"):
    t[z] = np.correlate(t[a], v, mode) + np.correlate(a, t[v], mode)


# --- axes, deletions, selections ----------------------------------------------------------------


@adjoint(np.rot90, facts=VIEW.but(linear=True),  # (a view: flips and a transpose)
         examples=[example("np.rot90(x)", x=(2, 3)), example("np.rot90(x, 3, (2, 0))", x=(2, 3, 2)),
                   example("np.rot90(x, k=-2)", x=(3, 2))])
def rot90(z, m, k=1, axes=None):  # (None: NumPy's default axes (0, 1))
    if axes is None:
        d[m] = np.rot90(d[z], -k)
    else:
        d[m] = np.rot90(d[z], -k, axes)


@tangent(np.rot90)
def rot90_tangent(z, m, k=1, axes=None):
    if axes is None:
        t[z] = np.rot90(t[m], k)
    else:
        t[z] = np.rot90(t[m], k, axes)


@adjoint(np.rollaxis, facts=VIEW.but(linear=True),
         examples=[example("np.rollaxis(x, 2)", x=(2, 3, 4)),
                   example("np.rollaxis(x, 0, 3)", x=(2, 3, 4)),
                   example("np.rollaxis(x, -1, 1)", x=(2, 3, 2))])
def rollaxis(z, a, axis, start=0):
    d[a] = np.transpose(d[z], inverse_permutation(rollaxis_permutation(np.ndim(a), axis, start)))


@adjoint(np.delete, facts=_LINEAR,
         examples=[example("np.delete(x, 1)", x=(4,)),
                   example("np.delete(x, [0, 2], axis=1)", x=(2, 4)),
                   example("np.delete(x, slice(0, 3, 2))", x=(2, 2))])
def delete(z, arr, obj, axis=None):
    d[arr] = undelete(d[z], arr, obj, axis)


@adjoint(np.compress, facts=_LINEAR,
         examples=[example("np.compress(c, x, axis=0)", x=(3, 2), ints={"c": [True, False, True]}),
                   example("np.compress(c, x)", x=(2, 2), ints={"c": [False, True, True]})])
def compress(z, condition, a, axis=None):
    d[a] = untake(d[z], a, np.flatnonzero(condition), axis)


@adjoint(np.extract, facts=_LINEAR,
         examples=[example("np.extract(c, x)", x=(2, 3), ints={"c": [[1, 0, 1], [0, 0, 1]]})])
def extract(z, condition, arr):
    d[arr] = untake(d[z], arr, np.flatnonzero(condition), None)


# Each element's adjoint comes back from where the partition put it.
@adjoint(np.partition, facts=NEW,
         examples=[example("np.partition(x, 2)", x=(5,)),
                   example("np.partition(x, (0, 2), axis=0)", x=(4, 3))])
def partition(z, a, kth, axis=-1):
    d[a] = unpartition(d[z], a, kth, axis)


@tangent(np.partition)
def partition_tangent(z, a, kth, axis=-1):
    t[z] = np.take_along_axis(t[a], np.argpartition(a, kth, axis=axis), axis=axis)


# The sorted distinct values, each from the first element holding it (equal elements after
# it get no gradient); the indices, inverse and counts carry none.
@adjoint(np.unique, facts=NEW,
         examples=[example("np.unique(np.round(x * 2) / 2 + x * 0.01)", x=(6,)),
                   example("np.unique(np.concatenate([x, x[:2]]))", x=(2, 3)),
                   example("np.unique(x, return_counts=True)[0]", x=(4,)),
                   example("np.unique(x, True, True)[0] * 2", x=(3,))])
def unique(z, ar, return_index=False, return_inverse=False, return_counts=False):
    if return_index or return_inverse or return_counts:
        d[ar] = unique_adjoint(d[z][0], ar)
    else:
        d[ar] = unique_adjoint(d[z], ar)


@tangent(np.unique)
def unique_tangent_rule(z, ar, return_index=False, return_inverse=False, return_counts=False):
    t[z] = unique_tangent(t[ar], ar, z)


# Rolls by half of each axis: the other one rolls back.
@adjoint(np.fft.fftshift, facts=_LINEAR,
         examples=[example("np.fft.fftshift(x)", x=(5,)),
                   example("np.fft.fftshift(x, axes=1)", x=(2, 4)),
                   example("np.fft.fftshift(x, (0, 1))", x=(3, 2, 2))])
def fftshift(z, x, axes=None):
    d[x] = np.fft.ifftshift(d[z], axes)


@adjoint(np.fft.ifftshift, facts=_LINEAR,
         examples=[example("np.fft.ifftshift(x)", x=(5,)),
                   example("np.fft.ifftshift(x, axes=(0,))", x=(3, 2))])
def ifftshift(z, x, axes=None):
    d[x] = np.fft.fftshift(d[z], axes)


# --- real and imaginary parts: NumPy's real arrays are their own real part -------------------


@adjoint(np.real, attribute("real"), facts=VIEW.but(linear=True, chooses_dtype=True),
         examples=[example("np.real(x)", x=(3,)), example("x.real", x=(2, 2))])
def real(z, val):
    d[val] = d[z]


@adjoint(np.imag, attribute("imag"), facts=VIEW.but(linear=True, chooses_dtype=True),
         examples=[example("np.imag(x) + x", x=(3,)), example("x.imag * x", x=(2,))])
def imag(z, val):
    d[val] = imag_adjoint(d[z], val)


@adjoint(np.conjugate, method("conj"), method("conjugate"), facts=VIEW.but(linear=True),
         examples=[example("np.conj(x)", x=(3,)), example("np.conjugate(x)", x=()),
                   example("x.conj() * x", x=(2,)), example("x.conjugate()", x=(2, 1))])
def conjugate(z, x):
    d[x] = np.conjugate(d[z])


@adjoint(*numpy_functions("matrix_transpose", "linalg.matrix_transpose"), facts=VIEW,
         examples=[example("np.matrix_transpose(x)", x=(2, 3)),
                   example("np.linalg.matrix_transpose(x)", x=(2, 3, 2))])
def matrix_transpose(z, x):
    d[x] = mT(d[z])


@tangent(*numpy_functions("matrix_transpose", "linalg.matrix_transpose"))
def matrix_transpose_tangent(z, x):
    t[z] = mT(t[x])


# --- the helpers' tangents (second derivatives): each is linear in the adjoint it moves ----


@tangent(reshaped, examples=[example("reshaped(g, (np.ones((2, 1)),))[0]", g=(2,))])
def reshaped_tangent(z, values, like):
    t[z] = reshaped(t[values], like)


@tangent(unbroadcast_each,
         examples=[example("unbroadcast_each([g, g], (np.ones(3), 1.0))[0]", g=(2, 3))])
def unbroadcast_each_tangent(z, g, arrays):
    t[z] = unbroadcast_each(t[g], arrays)


@tangent(meshgrid_adjoint,
         examples=[example("meshgrid_adjoint([g, g], (np.ones(3), np.ones(2)))[1]", g=(2, 3)),
                   example("meshgrid_adjoint([g, g], (np.ones(2), np.ones(3)), 'ij')[1]",
                           g=(2, 3))])
def meshgrid_adjoint_tangent(z, g, arrays, indexing="xy"):
    t[z] = meshgrid_adjoint(t[g], arrays, indexing)


@tangent(unblock, examples=[example("unblock(g, [np.ones(2), np.ones(1)])[0]", g=(3,))])
def unblock_tangent(z, g, arrays):
    t[z] = unblock(t[g], arrays)


@tangent(undelete, examples=[example("undelete(g, np.ones(4), [1, 2])", g=(2,)),
                             example("undelete(g, np.ones((2, 3)), [1], axis=1)", g=(2, 2))])
def undelete_tangent(z, g, arr, obj, axis=None):
    t[z] = undelete(t[g], arr, obj, axis)


@tangent(unpartition,
         examples=[example("unpartition(g, np.array([3.0, 1.0, 2.0]), 1)", g=(3,)),
                   example("unpartition(g, np.array([[3.0, 1.0], [0.5, 2.0]]), 1, axis=0)",
                           g=(2, 2))])
def unpartition_tangent(z, g, a, kth, axis=-1):
    t[z] = unpartition(t[g], a, kth, axis)


@tangent(select_adjoint,
         examples=[example("select_adjoint(g, [g > 0], [np.ones(3)], 0.0)[0]", g=(3,))])
def select_adjoint_tangent(z, g, condlist, choicelist, default=0):
    t[z] = select_adjoint(t[g], condlist, choicelist, default)


@tangent(full_adjoint, examples=[example("full_adjoint(g, np.ones(4), np.ones(3), 'same')", g=(4,)),
                                 example("full_adjoint(g, np.ones(2), np.ones(3), 'valid', True)",
                                         g=(1,))])
def full_adjoint_tangent(z, g, a, v, mode, correlation=False):
    t[z] = full_adjoint(t[g], a, v, mode, correlation)


@tangent(pad_adjoint, examples=[example("pad_adjoint(g, np.ones(2), 1, 'reflect')", g=(4,)),
                                example("pad_adjoint(g, np.ones((1, 2)), (1, 0))", g=(2, 3))])
def pad_adjoint_tangent(z, g, array, pad_width, mode="constant"):
    t[z] = pad_adjoint(t[g], array, pad_width, mode)


@tangent(pad_constant_adjoint,
         examples=[example("pad_constant_adjoint(g, np.ones(2), (1, 2), 0.0)", g=(5,))])
def pad_constant_adjoint_tangent(z, g, array, pad_width, constant_values=0):
    t[z] = pad_constant_adjoint(t[g], array, pad_width, constant_values)


@tangent(linspace_adjoints,
         examples=[example("linspace_adjoints(g, np.ones(2), 1.0, 3, axis=1)[0]", g=(2, 3)),
                   example("linspace_adjoints(g, 0.0, np.ones(2), 4, False)[1]", g=(4, 2))])
def linspace_adjoints_tangent(z, g, start, stop, num=50, endpoint=True, axis=0):
    t[z] = linspace_adjoints(t[g], start, stop, num, endpoint, axis)


@tangent(unique_adjoint, examples=[example("unique_adjoint(g, np.array([2.0, 1.0, 2.0]))",
                                           g=(2,))])
def unique_adjoint_tangent(z, g, ar):
    t[z] = unique_adjoint(t[g], ar)


@tangent(imag_adjoint, examples=[example("imag_adjoint(g, np.ones(3))", g=(3,))])
def imag_adjoint_tangent(z, g, x):
    t[z] = imag_adjoint(t[g], x)


nondifferentiable(np.tril_indices, np.triu_indices, np.tril_indices_from, np.triu_indices_from,
                  np.diag_indices, np.diag_indices_from, np.indices, np.unravel_index,
                  np.ravel_multi_index, np.argpartition, np.lexsort, rollaxis_permutation)
facts(np.tril_indices, np.triu_indices, np.tril_indices_from, np.triu_indices_from,
      facts=NEW)

# np.piecewise is written out where it is called (frontend/piecewise.py): its zero start
# and conditions are constants, its pieces indexing and item assignment.
nondifferentiable(piecewise_start, facts=NEW)
named(piecewise_start, "np.piecewise's conditions")

array_operands(np.hsplit, params=("ary",))  # (registry.array_operands)
array_operands(np.convolve, params=("a", "v"))
