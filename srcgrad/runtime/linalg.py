"""Adjoints of products and linear algebra: matmul, dot, einsum (both of its forms),
tensordot, inner, diagonals, solve."""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError
from .adjoints import unbroadcast
from .array_kind import is_duck, on_kind_of
from .containers import set_at

try:  # SciPy is optional: without it, solve_lower solves as np.linalg.solve does
    from scipy.linalg import solve_triangular as _solve_triangular
except ImportError:  # pragma: no cover
    _solve_triangular = None


def _swap_last(a):
    return np.swapaxes(a, -1, -2)


def matmul_adjoint_x(g, x, y):
    """Adjoint of x in z = x @ y, for vectors, matrices and stacks of matrices."""
    if np.ndim(y) == 1:
        return unbroadcast(np.multiply.outer(g, y) if np.ndim(x) > 1 else g * y, x)
    if np.ndim(x) == 1:
        return unbroadcast(np.matmul(y, g[..., None])[..., 0] if np.ndim(y) > 2 else y @ g, x)
    return unbroadcast(np.matmul(g, _swap_last(y)), x)


def matmul_adjoint_y(g, x, y):
    """Adjoint of y in z = x @ y, for vectors, matrices and stacks of matrices."""
    if np.ndim(x) == 1:
        if np.ndim(y) == 1:
            return g * x
        return unbroadcast(np.multiply.outer(x, g) if np.ndim(y) == 2
                           else x[:, None] * g[..., None, :], y)
    if np.ndim(y) == 1:
        return unbroadcast(np.matmul(_swap_last(x), g[..., None])[..., 0], y)
    return unbroadcast(np.matmul(_swap_last(x), g), y)


def dot_adjoint_x(g, x, y):
    """Adjoint of x in np.dot(x, y)."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * y, x)
    if np.ndim(y) > 2:  # a sum over x's last axis and y's second-to-last
        return einsum_adjoint(g, dot_subscripts(x, y), 0, x, y)
    return matmul_adjoint_x(g, x, y)


def dot_adjoint_y(g, x, y):
    """Adjoint of y in np.dot(x, y)."""
    if np.ndim(x) == 0 or np.ndim(y) == 0:
        return unbroadcast(g * x, y)
    if np.ndim(y) > 2:
        return einsum_adjoint(g, dot_subscripts(x, y), 1, x, y)
    return matmul_adjoint_y(g, x, y)


def mT(a):
    """The matrix transpose of a (of each matrix in a stack)."""
    return np.swapaxes(a, -1, -2)


def triangle(x, lower, unit_diagonal=False):
    """The triangle of x a triangular solve reads: lower or upper, without the diagonal
    where it is taken as ones."""
    if lower:
        return np.tril(x, -1 if unit_diagonal else 0)
    return np.triu(x, 1 if unit_diagonal else 0)


def lu_permutation(piv):
    """The row order of P^T A (A[order] = L U) for LAPACK's pivots `piv` of
    scipy.linalg.lu_factor: row i was swapped with row piv[i], in turn."""
    if np.ndim(piv) != 1:
        raise SrcGradError("srcgrad differentiates scipy.linalg.lu_factor of one matrix, not "
                           "of a batch; factor each matrix in a loop")
    order = np.arange(len(piv))
    for i, p in enumerate(piv):
        order[i], order[p] = order[p], order[i]
    return order


def lu_tangent(factor, e):
    """The tangent of lu_factor's combined factor L - I + U along e = P^T t[A]:
    L tril(X, -1) + triu(X) U with X = L^-1 e U^-1."""
    lower = np.tril(factor, -1) + np.eye(np.shape(factor)[-1])
    upper = np.triu(factor)
    x = mT(np.linalg.solve(mT(upper), mT(np.linalg.solve(lower, e))))
    return lower @ np.tril(x, -1) + np.triu(x) @ upper


def place_diagonal(g, x, offset=0, axis1=0, axis2=1):
    """Zeros shaped like x with g (or its broadcast) on the diagonal `np.diagonal` reads:
    the adjoint of np.diagonal and, with g[..., None], of np.trace."""
    if is_duck(g) or is_duck(x):
        return _duck_place_diagonal(g, x, offset, axis1, axis2)
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    rows, cols = view.shape[-2:]
    k = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    i = np.arange(k)
    view[..., i - min(offset, 0), i + max(offset, 0)] = g
    return out


def _duck_place_diagonal(g, x, offset, axis1, axis2):
    """place_diagonal without item assignment (Dask's cannot take these indices): g
    spread along the columns its diagonal crosses, then kept on the diagonal only."""
    ref = g if is_duck(g) else x
    shape = np.moveaxis(np.empty(x.shape, dtype=bool), (axis1, axis2), (-2, -1)).shape
    *lead, rows, cols = shape
    before = max(offset, 0)
    k = max(0, min(rows + min(offset, 0), cols - before))
    dtype = np.result_type(x.dtype, getattr(g, "dtype", g), 1.0)
    g = np.broadcast_to(on_kind_of(g, ref).astype(dtype), (*lead, k))
    zeros = [np.zeros_like(ref, dtype=dtype, shape=(*lead, n)) for n in (before, cols - k - before)]
    columns = np.concatenate([zeros[0], g, zeros[1]], axis=-1)
    cut = np.arange(cols, like=ref)[None, :] - np.arange(rows, like=ref)[:, None]
    view = np.where(cut == offset, columns[..., None, :], np.zeros_like(ref, dtype=dtype, shape=()))
    return np.moveaxis(view, (-2, -1), (axis1, axis2))


def undiag(g, v, k):
    """Adjoint of np.diag(v, k): the k-th diagonal of g if v is a vector (np.diag built a
    matrix), else g placed on v's k-th diagonal (np.diag read it)."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k).copy()
    return place_diagonal(g, v, k)


def solve_transposed(a, g, b):
    """The adjoint of b in z = solve(a, b): solve(a^T, g), b a vector or a matrix."""
    if np.ndim(b) == 1:
        return np.linalg.solve(mT(a), g[..., None])[..., 0]
    return np.linalg.solve(mT(a), g)


def solve_lower(low, b, trans=False):
    """low^-1 b (low^-T b with `trans`) for a lower-triangular `low` and a matrix `b` (or
    batches of both): a triangular solve where SciPy imports and both are NumPy's 2-d
    arrays (a third of np.linalg.solve's work, which the others get)."""
    if (_solve_triangular is not None and type(low) is np.ndarray and type(b) is np.ndarray
            and low.ndim == 2 and b.ndim == 2):
        return _solve_triangular(low, b, trans=1 if trans else 0, lower=True)
    return np.linalg.solve(mT(low) if trans else low, b)


def rhs_outer(g_b, z, b):
    """g_b z^T per right-hand side: the adjoint of a in z = solve(a, b) is -rhs_outer(...)."""
    if np.ndim(b) == 1:
        return g_b[..., :, None] * z[..., None, :]
    return g_b @ mT(z)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_spec(subscripts, operands):
    """(input subscripts, output subscripts) with the implicit output and `...` spelled out."""
    spec = subscripts.replace(" ", "")
    left, arrow, output = spec.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum {subscripts!r} names {len(inputs)} operands, got {len(operands)}")
    if not arrow:
        letters = left.replace(".", "").replace(",", "")
        once = sorted(c for c in set(letters) if letters.count(c) == 1)
        output = ("..." if "..." in left else "") + "".join(once)
    if "..." in spec:
        free = [c for c in _LETTERS if c not in spec]
        dims = [np.ndim(op) - len(s.replace("...", "")) for s, op in zip(inputs, operands)]
        n = max([k for s, k in zip(inputs, dims) if "..." in s], default=0)
        ellipsis = "".join(free[:n])
        inputs = [s.replace("...", ellipsis[n - k:]) for s, k in zip(inputs, dims)]
        output = output.replace("...", ellipsis)
    return inputs, output


def einsum_adjoint(g, subscripts, k, *operands, optimize=False):
    """Adjoint of the k-th operand of np.einsum(subscripts, *operands).

    It is an einsum of the result's adjoint with the other operands, the k-th
    operand's subscripts as output. Letters only that operand has were summed
    away (the adjoint is constant along them); repeated letters (a diagonal)
    put the adjoint on that diagonal; broadcast size-1 axes are summed.
    """
    inputs, output = _einsum_spec(subscripts, operands)
    mine, x = inputs[k], operands[k]
    others = [s for i, s in enumerate(inputs) if i != k]
    known = set(output).union(*others)
    unique = "".join(dict.fromkeys(mine))
    kept = "".join(c for c in unique if c in known)
    value = np.einsum(",".join([output] + others) + "->" + kept, g,
                      *[op for i, op in enumerate(operands) if i != k], optimize=optimize)
    size = dict(zip(mine, np.shape(x)))
    value = np.reshape(value, [value.shape[kept.index(c)] if c in kept else 1 for c in unique])
    summed = tuple(i for i, c in enumerate(unique) if size[c] == 1 and value.shape[i] != 1)
    if summed:
        value = np.sum(value, axis=summed, keepdims=True)
    value = np.broadcast_to(value, [size[c] for c in unique])
    if len(unique) == len(mine):
        return value
    if is_duck(value):
        return _duck_on_diagonals(value, unique, mine, size)
    grids = np.ix_(*[np.arange(size[c]) for c in unique])
    return set_at(np.zeros(np.shape(x), dtype=np.result_type(x, g, 1.0)),
                  tuple(grids[unique.index(c)] for c in mine), value)


def _duck_on_diagonals(value, unique, mine, size):
    """`value` (subscripts `unique`) placed on the diagonals the repeated letters of `mine`
    make, zeros elsewhere, without item assignment: each repeat of a letter is a new
    letter tied to it by an identity matrix of the duck array's kind."""
    fresh = iter(c for c in _LETTERS if c not in mine)
    seen, output, ties = set(), "", []
    for c in mine:
        if c in seen:
            new = next(fresh)
            output += new
            ties.append(c + new)
        else:
            seen.add(c)
            output += c
    eyes = [_identity(size[tie[0]], value) for tie in ties]
    return np.einsum(",".join([unique] + ties) + "->" + output, value, *eyes)


def _identity(n, like):
    i = np.arange(n, like=like)  # (np.eye(like=) passes `order`, which Dask refuses)
    return (i[:, None] == i[None, :]).astype(like.dtype)


def einsum_adjoint_by_operands(g, subscripts, k, operands, tangents):
    """The part of einsum_adjoint's tangent that comes from its operands: einsum_adjoint
    is linear in each operand other than the k-th, so one term per operand with a
    tangent (None: it has none). With none (one operand: `np.einsum("ii", a)`), zeros
    shaped like the k-th operand, not 0.0: a matmul reads it next."""
    total = None
    for i, dot in enumerate(tangents):
        if i != k and dot is not None:
            replaced = [dot if j == i else op for j, op in enumerate(operands)]
            term = einsum_adjoint(g, subscripts, k, *replaced)
            total = term if total is None else total + term
    if total is None:
        return np.zeros_like(operands[k], dtype=np.result_type(operands[k], g, 1.0))
    return total


# Sublist axis numbers 0-25 and 26-51 as NumPy spells them: 'A'-'Z', then 'a'-'z' (so an
# implicit output, sorted, keeps their order).
_SUBLIST_LETTERS = _LETTERS[26:] + _LETTERS[:26]


def einsum_form(args):
    """(subscripts, operands, positions) of np.einsum's arguments in either of its forms:
    `(subscripts, *operands)`, or each operand followed by its sublist of axis numbers
    (and Ellipsis), then, optionally, the output's sublist. `positions`: where each
    operand is in `args`."""
    if isinstance(args[0], str):
        return args[0], list(args[1:]), list(range(1, len(args)))
    positions = list(range(0, len(args) - 1, 2))
    spec = ",".join(_sublist_letters(args[i + 1]) for i in positions)
    if len(args) % 2:
        spec += "->" + _sublist_letters(args[-1])
    return spec, [args[i] for i in positions], positions


def _sublist_letters(sublist):
    return "".join("..." if axis is Ellipsis else _SUBLIST_LETTERS[axis] for axis in sublist)


class OnDemand:
    """The adjoints of a call's arguments, one per argument, each computed when it is
    read: the backward sweep reads only those of the arguments that carry a gradient.
    Two of them add item by item (the tangent of the helper that made them)."""

    def __init__(self, item, count):
        self._item, self._count = item, count

    def __len__(self):
        return self._count

    def __getitem__(self, i):
        if not -self._count <= i < self._count:
            raise IndexError(i)
        return self._item(i % self._count)

    def __add__(self, other):
        if not isinstance(other, OnDemand):
            return NotImplemented
        return OnDemand(lambda i: _plus(self[i], other[i]), self._count)


def _plus(a, b):
    return b if a is None else a if b is None else a + b


def einsum_adjoints(g, *args, optimize=False):
    """The adjoints of the arguments of z = np.einsum(*args), in either form, `g` being
    z's: einsum_adjoint for each operand, None for subscripts and sublists."""
    subscripts, operands, positions = einsum_form(args)
    where = {position: k for k, position in enumerate(positions)}

    def item(i):
        if i not in where:
            return None
        return einsum_adjoint(g, subscripts, where[i], *operands, optimize=optimize)
    return OnDemand(item, len(args))


def einsum_adjoints_by_operands(g, args, tangents, optimize=False):
    """The part of einsum_adjoints's tangent that comes from the operands (`tangents`, one
    per argument, None where there is none): einsum_adjoint is linear in each operand
    but its own."""
    subscripts, operands, positions = einsum_form(args)
    where = {position: k for k, position in enumerate(positions)}
    pushed = [tangents[position] for position in positions]

    def item(i):
        if i not in where:
            return None
        return einsum_adjoint_by_operands(g, subscripts, where[i], operands, pushed)
    return OnDemand(item, len(args))


def einsum_pushed(tangents, *args, optimize=False):
    """The tangent of np.einsum(*args), in either form: one einsum per operand with a
    tangent (`tangents`, one per argument, None where there is none), the operand
    replaced by it."""
    _, _, positions = einsum_form(args)
    total = 0.0
    for i in positions:
        if tangents[i] is not None:
            total = total + np.einsum(*args[:i], tangents[i], *args[i + 1:], optimize=optimize)
    return total


def _contraction(x_letters, y_letters, contracted):
    return f"{x_letters},{y_letters}->" + "".join(
        c for c in x_letters + y_letters if c not in contracted)


def tensordot_subscripts(x, y, axes):
    """np.tensordot(x, y, axes) as einsum subscripts."""
    nx, ny = np.ndim(x), np.ndim(y)
    if np.ndim(axes) == 0:
        ax_x, ax_y = list(range(nx - axes, nx)), list(range(axes))
    else:
        ax_x, ax_y = ([a] if np.ndim(a) == 0 else list(a) for a in axes)
        ax_x, ax_y = [a % nx for a in ax_x], [a % ny for a in ax_y]
    x_letters = _LETTERS[:nx]
    y_letters = list(_LETTERS[nx:nx + ny])
    for a, b in zip(ax_x, ax_y):
        y_letters[b] = x_letters[a]
    return _contraction(x_letters, "".join(y_letters), {x_letters[a] for a in ax_x})


def dot_subscripts(x, y):
    """np.dot(x, y) of an N-d y as einsum subscripts: x's last axis and y's second-to-last
    are contracted; the result has x's other axes, then y's."""
    return tensordot_subscripts(x, y, ([-1], [-2]))


def inner_subscripts(x, y):
    """np.inner(x, y) as einsum subscripts: the last axes are contracted."""
    nx, ny = np.ndim(x), np.ndim(y)
    if nx == 0 or ny == 0:
        return f"{_LETTERS[:nx]},{_LETTERS[nx:nx + ny]}->{_LETTERS[:nx + ny]}"
    x_letters = _LETTERS[:nx]
    y_letters = _LETTERS[nx:nx + ny - 1] + x_letters[-1]
    return _contraction(x_letters, y_letters, {x_letters[-1]})
