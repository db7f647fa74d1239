"""Keep the adjoint of a full reduction a number where every use broadcasts it anyway.

The adjoint of `s = np.sum(t)` is an array of `t`'s shape filled with `d_s`. When
each use of it is an elementwise operation with an operand of that full shape (or
with numbers, whose result is used the same way), the number alone gives the same
result, and saves an array and a pass over it. With `t` and `error` of shape (100,)::

    d_t = np.full_like(t, d_loss / 100)     ->  d_t = d_loss / 100
    d_error = d_t * 2 * error                   d_error = d_t * 2 * error

Any other use (a reduction, a call, a partial broadcast, the returned gradient)
keeps the array. Runs on the shape-specialized backward sweep, whose adjoints are
known to have the shapes of their values.
"""

from __future__ import annotations

import gast

from . import build

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div)
LAZY, OTHER, BAD = "lazy", "other", "bad"


def keep_scalar(body: list, returned: set, shape, is_full_like) -> list:
    """`body` with the fills that may stay numbers replaced by the number.

    `returned`: the adjoints the sweep returns (they must be arrays); `shape(node)`:
    the (nominal) shape of an expression; `is_full_like(call)`: whether a call is
    `np.full_like`."""
    candidates = []
    counts = _assignment_counts(body)
    for stmt in body:  # top level only: assigned once, outside loops and branches
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Call) and is_full_like(stmt.value)
                and len(stmt.value.args) == 2 and not stmt.value.keywords
                and counts.get(stmt.targets[0].id) == 1
                and shape(stmt.value.args[1]) == ()
                and shape(stmt.value.args[0]) not in (None, ())):
            candidates.append(stmt)
    accepted: list = []
    for stmt in candidates:
        roots = {s.targets[0].id for s in accepted} | {stmt.targets[0].id}
        if _valid(body, roots, returned, shape):
            accepted.append(stmt)
    for stmt in accepted:
        stmt.value = stmt.value.args[1]
    return body


def _valid(body, roots, returned, shape) -> bool:
    """Whether every use of the names in `roots`, and of the names assigned from them
    as numbers, gives the value it would give with the filled arrays."""
    lazy = set(roots)
    while True:
        before = len(lazy)
        for stmt in build.statements(body):
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                kind = _kind(stmt.value, lazy, shape)
                if kind == BAD:
                    return False
                if kind == LAZY:
                    lazy.add(stmt.targets[0].id)
            elif _mentions(stmt, lazy, headers_only=True):
                return False
        if len(lazy) == before:
            return not lazy & returned


def _kind(node, lazy, shape):
    """LAZY: a number standing for an array of the expression's shape; OTHER: the value
    it would have anyway; BAD: a use that needs the array."""
    if isinstance(node, gast.Name):
        return LAZY if node.id in lazy else OTHER
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _kind(node.operand, lazy, shape)
    if isinstance(node, gast.BinOp) and isinstance(node.op, _ELEMENTWISE):
        left, right = _kind(node.left, lazy, shape), _kind(node.right, lazy, shape)
        if BAD in (left, right):
            return BAD
        if LAZY not in (left, right):
            return OTHER
        if left == right == LAZY:
            return LAZY
        other = node.right if left == LAZY else node.left
        other_shape, full = shape(other), shape(node)
        if other_shape is None or full is None:
            return BAD
        if other_shape == ():
            return LAZY
        return OTHER if other_shape == full else BAD
    return BAD if _mentions(node, lazy) else OTHER


def _mentions(node, names, headers_only=False) -> bool:
    if headers_only and isinstance(node, (gast.If, gast.While)):
        node = node.test
    elif headers_only and isinstance(node, gast.For):
        node = gast.Tuple(elts=[node.target, node.iter], ctx=gast.Load())
    return any(isinstance(n, gast.Name) and n.id in names for n in gast.walk(node))


def _assignment_counts(body) -> dict:
    counts: dict = {}
    for stmt in build.statements(body):
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            targets = [stmt.target] if isinstance(stmt, gast.For) else []
        else:
            targets = [stmt]
        for target in targets:
            for n in gast.walk(target):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                    counts[n.id] = counts.get(n.id, 0) + 1
    return counts
