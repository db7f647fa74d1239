"""Adjoint rules for shape and layout (reshape, transpose, concatenate, tile, ...) and
indexing, each with its tangent (forward-mode) rule: the same move applied to the tangent.

Moving elements around has the inverse move as its adjoint; copying them
(broadcast_to, tile, repeat, indexing with repeated indices) sums the copies'
adjoints.
"""

import numpy as np

from ..runtime import (concatenator_adjoints, concatenator_pushed, hstack_axis,
                       inverse_permutation, scatter_add, split_like, unbroadcast,
                       unrepeat, unsort, unstack, untake, untake_along_axis, untile)
from .facts import NEW, VIEW, Facts, facts, numpy_functions
from .registry import (adjoint, alias, array_operands, attribute, example, literal_sequence,
                       method, named, tangent)

d = t = None  # templates index them as d[x] and t[x]; they are parsed, never run

# --- same elements, new shape --------------------------------------------------------


@adjoint(np.reshape, facts=VIEW.but(dtype="of_array"), examples=[example("np.reshape(x, (6,))", x=(2, 3)),
                               example("np.reshape(x, (3, -1))", x=(6,)),
                               example("np.reshape(x, (2, 3), order='F')", x=(3, 2))])
def reshape(z, x, shape=None, order="C", newshape=None):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=order)


@tangent(np.reshape)
def reshape_tangent(z, x, shape=None, order="C", newshape=None):
    t[z] = np.reshape(t[x], np.shape(z), order=order)


@adjoint(method("reshape"), facts=VIEW.but(dtype="of_array"), examples=[example("x.reshape(3, 2)", x=(6,)),
                                      example("x.reshape((2, 3))", x=(3, 2)),
                                      example("x.reshape((3, 2), order='F')", x=(6,))])
def reshape_method(z, x, *shape, order="C"):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=order)


@tangent(method("reshape"))
def reshape_method_tangent(z, x, *shape, order="C"):
    t[z] = np.reshape(t[x], np.shape(z), order=order)


@adjoint(np.ravel, method("ravel"), facts=VIEW.but(linear=True),
         examples=[example("np.ravel(x)", x=(2, 3)), example("x.ravel()", x=(3, 1, 2)),
                   example("x.flatten()", x=(2, 2)), example("np.ravel(x, order='F')", x=(2, 3)),
                   example("x.ravel('F')", x=(3, 2))])
def ravel(z, x, order="C"):
    if order == "C":
        d[x] = np.reshape(d[z], np.shape(x))
    else:
        d[x] = np.reshape(d[z], np.shape(x), order=order)


@tangent(np.ravel)
def ravel_tangent(z, x, order="C"):
    t[z] = np.ravel(t[x], order=order)


@adjoint(np.squeeze, method("squeeze"), facts=VIEW,
         examples=[example("np.squeeze(x)", x=(1, 3, 1)),
                   example("np.squeeze(x, axis=0)", x=(1, 2)),
                   example("x.squeeze()", x=(2, 1))])
def squeeze(z, x, axis=None):
    d[x] = np.reshape(d[z], np.shape(x))


@tangent(np.squeeze)
def squeeze_tangent(z, x, axis=None):
    t[z] = np.reshape(t[x], np.shape(z))


@adjoint(np.expand_dims, facts=VIEW, examples=[example("np.expand_dims(x, 0)", x=(3,)),
                                   example("np.expand_dims(x, axis=(0, 2))", x=(2, 3))])
def expand_dims(z, x, axis):
    d[x] = np.reshape(d[z], np.shape(x))


@tangent(np.expand_dims)
def expand_dims_tangent(z, x, axis):
    t[z] = np.reshape(t[x], np.shape(z))


# --- permuted axes ---------------------------------------------------------------------------


@adjoint(attribute("T"), facts=VIEW,
         examples=[example("x.T", x=(2, 3)), example("x.T", x=(2, 3, 4))])
def transpose_attribute(z, x):
    d[x] = np.transpose(d[z])


@tangent(attribute("T"))
def transpose_attribute_tangent(z, x):
    t[z] = np.transpose(t[x])


@adjoint(np.transpose, facts=VIEW.but(linear=True), examples=[example("np.transpose(x)", x=(2, 3)),
                                 example("np.transpose(x, (1, 2, 0))", x=(2, 3, 4)),
                                 example("np.transpose(x, axes=(0, -1, 1))", x=(2, 3, 4))])
def transpose(z, x, axes=None):
    if axes is None:
        d[x] = np.transpose(d[z])
    else:
        d[x] = np.transpose(d[z], inverse_permutation(axes))


@adjoint(method("transpose"), facts=VIEW, examples=[example("x.transpose()", x=(2, 3)),
                                        example("x.transpose(1, 0, 2)", x=(2, 3, 4)),
                                        example("x.transpose((2, 0, 1))", x=(2, 3, 4))])
def transpose_method(z, x, *axes):
    if axes == ():
        d[x] = np.transpose(d[z])
    else:
        d[x] = np.transpose(d[z], inverse_permutation(axes))


@tangent(method("transpose"))
def transpose_method_tangent(z, x, *axes):
    t[z] = t[x].transpose(*axes)


@adjoint(np.swapaxes, method("swapaxes"), facts=VIEW.but(linear=True),
         examples=[example("np.swapaxes(x, 0, 2)", x=(2, 3, 4)),
                   example("x.swapaxes(-1, 0)", x=(2, 3))])
def swapaxes(z, x, axis1, axis2):
    d[x] = np.swapaxes(d[z], axis1, axis2)


@adjoint(np.moveaxis, facts=VIEW.but(linear=True),
         examples=[example("np.moveaxis(x, 0, -1)", x=(2, 3, 4)),
                   example("np.moveaxis(x, (0, 1), (2, 0))", x=(2, 3, 4))])
def moveaxis(z, x, source, destination):
    d[x] = np.moveaxis(d[z], destination, source)


@adjoint(np.flip, facts=VIEW.but(linear=True), examples=[example("np.flip(x)", x=(2, 3)),
                            example("np.flip(x, axis=1)", x=(2, 3)),
                            example("np.flip(x, (0, 2))", x=(2, 2, 2))])
def flip(z, x, axis=None):
    d[x] = np.flip(d[z], axis)


@adjoint(np.fliplr, facts=VIEW.but(linear=True), examples=[example("np.fliplr(x)", x=(2, 3))])
def fliplr(z, x):
    d[x] = np.fliplr(d[z])


@adjoint(np.flipud, facts=VIEW.but(linear=True), examples=[example("np.flipud(x)", x=(3, 2))])
def flipud(z, x):
    d[x] = np.flipud(d[z])


@adjoint(np.roll, facts=NEW.but(linear=True), examples=[example("np.roll(x, 2)", x=(5,)),
                            example("np.roll(x, -1, axis=1)", x=(2, 3)),
                            example("np.roll(x, (1, 2), axis=(0, 1))", x=(3, 4))])
def roll(z, x, shift, axis=None):
    d[x] = np.roll(d[z], np.negative(shift), axis)


# Each element's adjoint comes back from the place sorting moved it to.
@adjoint(np.sort, facts=NEW, examples=[example("np.sort(x)", x=(5,)),
                                       example("np.sort(x, axis=0)", x=(3, 2)),
                                       example("np.sort(x, axis=None)", x=(2, 3))])
def sort(z, x, axis=-1, kind=None, order=None):
    d[x] = unsort(d[z], x, axis)


@tangent(np.sort)
def sort_tangent(z, x, axis=-1, kind=None, order=None):
    t[z] = np.take_along_axis(t[x], np.argsort(x, axis=axis, kind="stable"), axis=axis)


# --- copies: the adjoint sums them ---------------------------------------------------------


# The adjoint of broadcasting is summing over the broadcast axes.
@adjoint(np.broadcast_to, facts=VIEW.but(linear=True),
         examples=[example("np.broadcast_to(x, (2, 3))", x=(3,)),
                   example("np.broadcast_to(x, (2, 3, 4))", x=(3, 1))])
def broadcast_to(z, x, shape):
    d[x] = unbroadcast(d[z], x)


@adjoint(np.tile, facts=NEW.but(linear=True), examples=[example("np.tile(x, 2)", x=(3,)),
                            example("np.tile(x, (2, 1, 3))", x=(2, 2)),
                            example("np.tile(x, (3,))", x=(2, 1))])
def tile(z, x, reps):
    d[x] = untile(d[z], x, reps)


@adjoint(np.repeat, method("repeat"), facts=NEW.but(linear=True),
         examples=[example("np.repeat(x, 3)", x=(2, 2)),
                   example("np.repeat(x, 2, axis=1)", x=(2, 3)),
                   example("x.repeat(r, axis=0)", x=(3, 2), ints={"r": [1, 0, 2]})])
def repeat(z, x, repeats, axis=None):
    d[x] = unrepeat(d[z], x, repeats, axis)


# --- joining ---------------------------------------------------------------------------------


@adjoint(np.concatenate, facts=NEW,
         examples=[example("np.concatenate([x, y])", x=(2,), y=(3,)),
                   example("np.concatenate((x, y, x), axis=1)", x=(2, 1), y=(2, 3)),
                   example("np.concatenate([x, y], axis=None)", x=(2, 2), y=(3,)),
                   example("np.concatenate(x, axis=-1)", x=(2, 3, 2))])
def concatenate(z, arrays, axis=0):
    d[arrays] = split_like(d[z], arrays, axis)


@tangent(np.concatenate)
def concatenate_tangent(z, arrays, axis=0):
    t[z] = np.concatenate(t[arrays], axis=axis)


@adjoint(np.hstack, facts=NEW, examples=[example("np.hstack([x, y])", x=(2,), y=(3,)),
                              example("np.hstack((x, y))", x=(2, 1), y=(2, 3))])
def hstack(z, tup):
    d[tup] = split_like(d[z], tup, hstack_axis(d[z]))


@tangent(np.hstack)
def hstack_tangent(z, tup):
    t[z] = np.hstack(t[tup])


@adjoint(np.vstack, facts=NEW, examples=[example("np.vstack([x, y])", x=(3,), y=(2, 3)),
                              example("np.vstack((x, y))", x=(1, 2), y=(2, 2))])
def vstack(z, tup):
    d[tup] = split_like(d[z], tup, 0)


@tangent(np.vstack)
def vstack_tangent(z, tup):
    t[z] = np.vstack(t[tup])


if hasattr(np, "row_stack"):  # vstack's old name (deprecated in NumPy 2.0)
    alias(np.vstack, np.row_stack,
          examples=[example("np.row_stack([x, y])", x=(3,), y=(2, 3))])


@adjoint(np.stack, facts=NEW, examples=[example("np.stack([x, y])", x=(3,), y=(3,)),
                             example("np.stack((x, y, x), axis=1)", x=(2, 3), y=(2, 3)),
                             example("np.stack([x, y], axis=-1)", x=(), y=())])
def stack(z, arrays, axis=0):
    d[arrays] = unstack(d[z], axis)


@tangent(np.stack)
def stack_tangent(z, arrays, axis=0):
    t[z] = np.stack(t[arrays], axis=axis)


# np.r_[a, b, 0:3] and np.c_[a, b]: arrays, numbers, lists and slices (constant ranges),
# after a directive ('0,2', not the 'r' or 'c' of a np.matrix). NumPy, joining arrays of
# element numbers the same way, says which part of d[z] is each item's.
@adjoint(np.r_, np.c_, facts=Facts(subscripted=True, makes_new=True, writes_none=True),
         examples=[example("np.r_[x, y * 2.0]", x=(3,), y=(2,)),
                   example("np.r_[x, 1:3, y, 5.0, [7.0, 8.0]]", x=(2,), y=()),
                   example("np.r_[x, y]", x=(2, 3), y=(1, 3)),
                   example("np.r_['-1', x, y]", x=(2, 2), y=(2, 1)),
                   example("np.r_['0,2,0', x, y, 0:4:2j]", x=(2,), y=(2,)),
                   example("np.c_[x, y, x * y]", x=(3,), y=(3,)),
                   example("np.c_[x, y]", x=(2, 2), y=(2, 1)),
                   example("np.c_[x, 0:3, x * 2.0]", x=(3,))])
def joined_by_index(z, concatenator, *items):
    d[items] = concatenator_adjoints(d[z], concatenator, *items)


@tangent(np.r_, np.c_)
def joined_by_index_tangent(z, concatenator, *items):
    t[z] = concatenator_pushed(t[items], concatenator, *items)


@adjoint(np.array, np.asarray, facts=VIEW,
         examples=[example("np.array([x, y, x * y])", x=(), y=()), example("np.asarray(x)", x=(3,)),
                   example("np.array([[x, y], [y, x]])", x=(), y=())])
def array(z, object, dtype=None):
    if literal_sequence(object):
        d[object] = unstack(d[z])
    else:
        d[object] = d[z]


@tangent(np.array)
def array_tangent(z, object, dtype=None):
    t[z] = np.array(t[object])


# --- indexing ----------------------------------------------------------------------------------


# Repeated integer indices accumulate.
@adjoint("getitem", facts=VIEW, examples=[example("x[1]", x=(3, 4)), example("x[:, 1:3]", x=(3, 4)),
                              example("x[::-2, None]", x=(5,)),
                              example("x[-1, ..., 0]", x=(2, 3, 2)),
                              example("x[i]", x=(4,), ints={"i": [0, 2, 2]}),
                              example("x[i, j]", x=(3, 4), ints={"i": [0, 2, 0], "j": [1, 1, 1]}),
                              example("x[m]", x=(2, 3), ints={"m": [[True, False, True],
                                                                   [False, False, True]]}),
                              example("x[1:, np.newaxis, ::2]", x=(3, 5))])
def getitem(z, x, index):
    d[x] = scatter_add(x, index, d[z])


@tangent("getitem")
def getitem_tangent(z, x, index):
    t[z] = t[x][index]


@adjoint(np.take, method("take"), facts=NEW.but(linear=True),
         examples=[example("np.take(x, i)", x=(2, 3), ints={"i": [0, 5, 5]}),
                   example("np.take(x, i, axis=1)", x=(2, 3), ints={"i": [[2, 0], [2, 2]]}),
                   example("x.take(i, axis=0)", x=(3, 2), ints={"i": [1]})])
def take(z, x, indices, axis=None):
    d[x] = untake(d[z], x, indices, axis)


@adjoint(np.take_along_axis, facts=NEW.but(linear=True),
         examples=[example("np.take_along_axis(x, i, axis=1)", x=(3, 4),
                           ints={"i": [[0], [3], [3]]}),
                   example("np.take_along_axis(x, i, 0)", x=(3, 2), ints={"i": [[2, 0], [2, 2]]})])
def take_along_axis(z, x, indices, axis):
    d[x] = untake_along_axis(d[z], x, indices, axis)


named("getitem", "indexing")
named(np.r_, "numpy.r_")
named(np.c_, "numpy.c_")
alias(np.ravel, method("flatten"), facts=NEW.but(linear=True))  # a copy, where ravel may view
# (the splits, unstack, atleast_*d and broadcast_arrays: lists of views, with their rules)
facts(*numpy_functions(
    "asanyarray", "ascontiguousarray", "asfortranarray", "asarray_chkfinite",
    "require", "matrix_transpose", "trim_zeros",
    "nan_to_num", "meshgrid", "ix_"),
    np.lib.stride_tricks.as_strided, np.lib.stride_tricks.sliding_window_view,
    facts=VIEW)  # may return their argument or a view of it

array_operands(np.sort, params=("x",))  # (registry.array_operands)
