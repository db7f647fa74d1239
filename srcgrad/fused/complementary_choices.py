"""Two contributions to one adjoint, selected by a mask and by its complement, as one
choice, in the fused gradient.

The adjoint of `np.where(m, p, q)` sends the seed to `p` where `m` holds and to `q`
elsewhere; when `p` and `q` both depend on `r`, the two contributions to `d_r` are each
a number choice (selected_numbers) times an array, one zero where the other is not::

    d_r = np.where(t2, 0.001, 0.0) * r
    d_t5 = np.where(t2, 0.0, 0.001)            ->      d_r = np.where(t2, r, np.sign(r)) * 0.001
    d_r += d_t5 * np.sign(r)

Each element is then the one nonzero contribution, computed as before (`0.001 * r`), not
added to a zero: one choice and one product instead of two choices, two products and a
sum. Where the unselected factor is infinite or NaN, the two products summed gave NaN;
the choice gives the selected contribution, the derivative of the branch `np.where`
takes. Only for a first contribution `a = choice * x` (or `x * choice`), the next
statement that reads or binds `a` being `a += choice2 * y` of the same mask (a name bound
once), with the complementary zeros; no statement between binds a name `x` or the mask
reads; a named choice is bound once and read once. Only when every argument is float64
or integer (a float32 `x` times a float64 choice is float64; `x * 0.001` would not be).
"""

from __future__ import annotations

import gast

from ..analysis import dtypes
from ..ir import build
from .selected_numbers import binds_name, number, number_choice


def run(body: list, ctx) -> list:
    """`body` with each pair of complementary contributions joined into one choice."""
    if not _float64_or_integer(ctx.kinds):
        return body
    index, keep = ctx.index, ctx.keep | {ctx.seed}
    stores, reads = index.bindings(body), index.read_counts(body)
    choices = {}  # a name bound once to a number choice, read once -> its position
    for k, stmt in enumerate(body):
        call = number_choice(stmt.value, ctx) if binds_name(stmt) else None
        name = stmt.targets[0].id if call is not None else None
        if (call is not None and name not in keep and stores[name] == 1
                and reads.get(name) == 1):
            choices[name] = k
    dropped, replaced = set(), {}
    for k, stmt in enumerate(body):
        if k in dropped or k in replaced or not binds_name(stmt):
            continue
        first = _contribution(stmt.value, body, choices, dropped, stores, ctx)
        if first is None:
            continue
        target = stmt.targets[0].id
        later = _next_use(body, k, target, index)
        if later is None or later in replaced:
            continue
        second_stmt = body[later]
        second = (_contribution(second_stmt.value, body, choices, dropped, stores, ctx)
                  if isinstance(second_stmt, gast.AugAssign)
                  and isinstance(second_stmt.op, gast.Add)
                  and isinstance(second_stmt.target, gast.Name)
                  and second_stmt.target.id == target else None)
        merged = _merged(first, second, ctx) if second is not None else None
        if merged is None:
            continue
        needed = build.loaded(first.factor) | {first.mask}
        if target in needed or any(needed & (index.ids(body[j]) - index.loaded(body[j]))
                                   for j in range(k + 1, later)):  # bound or deleted
            continue
        dropped |= {k} | {j for j in (first.named, second.named) if j is not None}
        replaced[later] = build.assign(target, merged, like=second_stmt)
    if not replaced:
        return body
    return [replaced.get(k, stmt) for k, stmt in enumerate(body) if k not in dropped]


class _Contribution:
    """`choice * factor`: the mask's name, the numbers where it holds and where it does
    not, the factor, and the position of the choice's binding (None: written inline)."""

    def __init__(self, mask, yes, no, factor, named):
        self.mask, self.yes, self.no, self.factor, self.named = mask, yes, no, factor, named


def _contribution(node, body, choices, dropped, stores, ctx):
    if not (isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult)):
        return None
    for choice, factor in ((node.left, node.right), (node.right, node.left)):
        named = None
        if isinstance(choice, gast.Name) and choices.get(choice.id) not in (None, *dropped):
            named = choices[choice.id]
            choice = body[named].value
        call = number_choice(choice, ctx)
        if call is None or not isinstance(call.args[0], gast.Name) or stores[call.args[0].id] > 1:
            continue
        if named is None and isinstance(choice, gast.Name):
            continue
        yes, no = (number(a) for a in call.args[1:])
        return _Contribution(call.args[0].id, yes, no, factor, named)
    return None


def _merged(first, second, ctx):
    """`np.where(mask, x, y) * c` (or with a number for each branch), or None."""
    if first.mask != second.mask:
        return None
    if first.no == 0 and second.yes == 0 and first.yes and second.no:
        yes, no = (first.yes, first.factor), (second.no, second.factor)
    elif first.yes == 0 and second.no == 0 and first.no and second.yes:
        yes, no = (second.yes, second.factor), (first.no, first.factor)
    else:
        return None
    where = build.attr(build.load(ctx.numpy), "where")
    if yes[0] == no[0]:
        choice = build.call(where, build.load(first.mask), build.clone(yes[1]),
                            build.clone(no[1]))
        if yes[0] == 1:
            return choice
        return gast.BinOp(left=choice, op=gast.Mult(), right=build.const(yes[0]))
    scaled = [gast.BinOp(left=build.clone(f), op=gast.Mult(), right=build.const(c))
              for c, f in (yes, no)]
    return build.call(where, build.load(first.mask), *scaled)


def _next_use(body, k, name, index):
    """The position of the first statement after `k` that reads or binds `name`."""
    return next((j for j in range(k + 1, len(body)) if name in index.ids(body[j])), None)


def _float64_or_integer(kinds) -> bool:
    """Every argument's kind (each item's, in a container) is float64 or integer."""
    def fine(kind):
        if isinstance(kind, tuple) and kind[0] == dtypes.ITEMS:
            return all(map(fine, kind[1]))
        if isinstance(kind, tuple) and kind[0] == dtypes.KEYS:
            return all(fine(item) for _, item in kind[1])
        return kind in (dtypes.F64, dtypes.NUMBER, dtypes.INTEGER)
    return bool(kinds) and all(map(fine, kinds.values()))
