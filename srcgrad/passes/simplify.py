"""Simplify generated code: fold constants and multiplications by one, drop dead code.

Before::

    d_t2 = d_loss * 2 * err ** (2 - 1)
    t9 = np.cos(x)          # never read

After::

    d_t2 = d_loss * 2 * err

Runs to a fixed point; both passes only remove work, never change a value's
meaning.
"""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import python_operator

# the operators it folds on numbers (`/` is left: NumPy divides by zero where Python raises)
_FOLDED = (gast.Add, gast.Sub, gast.Mult, gast.Pow)


def run(body: list, ctx) -> list:
    """`body` simplified, keeping what it returns (ctx.live_out) and the identities of the
    user's values (ctx.identities)."""
    return simplify(body, set(ctx.live_out), ctx.identities)


def simplify(body: list, live_out: set[str], values=frozenset()) -> list:
    """Fold constants in `body`, then drop assignments nothing reads. `values`: names of
    the user's values, whose identity the code may test (containers.refresh): `h = x * 1.0`
    stays a new array, never `h = x`."""
    folder = _Fold()
    body = _fuse_twins([_folded(folder, stmt, values) for stmt in body])
    return _drop_orphan_comments(_dead_code(body, set(live_out)))


def _folded(folder, stmt, values):
    if (isinstance(stmt, gast.Assign) and not isinstance(stmt.value, gast.Name)
            and build.assigned_name(stmt) in values):
        original = build.clone(stmt.value)
        folder.visit(stmt)
        if isinstance(stmt.value, gast.Name):  # the same object as another name's
            stmt.value = original
        return stmt
    return folder.visit(stmt)


class _Fold(build.Transformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, type(node.op)
        if (build.number(left) is not None) and (build.number(right) is not None) and op in _FOLDED:
            return build.const(python_operator(op)(left.value, right.value))
        if op is gast.Pow and (build.number(right) is not None) and right.value == 1:
            return left
        if op is gast.Mult and (build.number(right) is not None) and right.value == 1:
            return left
        if op is gast.Mult and (build.number(left) is not None) and left.value == 1:
            return right
        if op in (gast.Add, gast.Sub) and (build.number(right) is not None) and right.value == 0:
            return left
        if op is gast.Add and _negated(right) is not None:  # a + -b  ->  a - b
            return gast.BinOp(left=left, op=gast.Sub(), right=_negated(right))
        return node


def _negated(node):
    """`e` for `-e` or `-a * b` (as `a * b`), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    if (isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult)
            and isinstance(node.left, gast.UnaryOp) and isinstance(node.left.op, gast.USub)):
        return gast.BinOp(left=node.left.operand, op=gast.Mult(), right=node.right)
    return None


def _fuse_twins(body) -> list:
    """Two equal contributions in a row become one, doubled (the adjoint of `x * x`)::

        d_x = d_t * x                  ->  d_x = 2 * d_t * x
        d_x = d_x + d_t * x
    """
    out = []
    for stmt in body:
        if isinstance(stmt, gast.If):
            stmt.body, stmt.orelse = _fuse_twins(stmt.body), _fuse_twins(stmt.orelse)
        elif isinstance(stmt, (gast.For, gast.While)):
            stmt.body = _fuse_twins(stmt.body)
        previous = out[-1] if out else None
        term = _accumulated(stmt)
        if term is not None and isinstance(previous, gast.Assign):
            name = stmt.targets[0].id
            earlier = _accumulated(previous)
            first = previous.value if _assigns(previous, name) else None
            twin = earlier if earlier is not None and previous.targets[0].id == name else first
            if (twin is not None and gast.dump(twin) == gast.dump(term)
                    and name not in build.loaded(term)):
                doubled = _doubled(term)
                previous.value = (doubled if twin is first
                                  else gast.BinOp(left=build.load(name), op=gast.Add(),
                                                  right=doubled))
                continue
        out.append(stmt)
    return out


def _assigns(stmt, name) -> bool:
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == name)


def _accumulated(stmt):
    """`e` for `d = d + e`, else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)):
        return None
    value = stmt.value
    if (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add)
            and isinstance(value.left, gast.Name) and value.left.id == stmt.targets[0].id):
        return value.right
    return None


def _doubled(term):
    """`2 * term`, as `2 * a * b` for a product."""
    if isinstance(term, gast.BinOp) and isinstance(term.op, gast.Mult):
        return gast.BinOp(left=gast.BinOp(left=build.const(2), op=gast.Mult(), right=term.left),
                          op=gast.Mult(), right=term.right)
    return gast.BinOp(left=build.const(2), op=gast.Mult(), right=term)


def _dead_code(body, live) -> list:
    """Remove assignments whose names are never read afterwards (walks backwards)."""
    out = []
    for stmt in reversed(body):
        if isinstance(stmt, (gast.For, gast.While)):
            # Values flow around the loop: everything the loop reads stays live in it.
            loop_live = live | build.loaded(stmt)
            stmt.body = _dead_code(stmt.body, loop_live)
            if _only_comments(stmt.body):
                stmt.body.append(gast.Pass())
            live |= build.loaded(stmt)
        elif isinstance(stmt, gast.If):
            body_live, else_live = set(live), set(live)
            stmt.body = _dead_code(stmt.body, body_live)
            stmt.orelse = _dead_code(stmt.orelse, else_live)
            if _only_comments(stmt.orelse):
                stmt.orelse = []
            if _only_comments(stmt.body):
                if not stmt.orelse:
                    continue
                stmt.body = [gast.Pass()]
            live |= body_live | else_live | build.loaded(stmt.test)
        else:
            targets = build.stored(stmt)
            if targets and not targets & live:
                continue
            live -= targets
            live |= build.loaded(stmt)
        out.append(stmt)
    out.reverse()
    return out


def _only_comments(stmts) -> bool:
    return all(build.is_comment(s) or isinstance(s, gast.Pass) for s in stmts)




def _drop_orphan_comments(body) -> list:
    """Drop comments whose code was removed (followed by another comment or nothing)."""
    out = []
    for i, stmt in enumerate(body):
        if isinstance(stmt, gast.If):
            stmt.body = _drop_orphan_comments(stmt.body)
            stmt.orelse = _drop_orphan_comments(stmt.orelse)
        if build.is_comment(stmt) and (i + 1 == len(body) or build.is_comment(body[i + 1])):
            continue
        out.append(stmt)
    return out
