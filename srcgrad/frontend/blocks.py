"""srcgrad's own `with` blocks, read before anything else looks at the function:

    with srcgrad.checkpoint():           # its loops are checkpointed (ad/checkpoints.py)
        for t in range(n):
            ...

    with srcgrad.adjoint_of(h) as d_h:   # a gradient hook (ad/hooks.py)
        d_h = np.clip(d_h, -1.0, 1.0)

A checkpoint block is replaced by its statements, each `for` loop among them marked
(`_srcgrad_checkpoint`: how many states to keep, or 0 for the default). A hook becomes
one statement `_hook = adjoint_hook(h, id, *reads)`, which the renaming passes keep up
to date like any other; `unit.hooks[id]` holds its block. Any other `with` is left for
the fence to refuse.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import gast

from ..ir import build
from ..rules.facts import named
from ..runtime.blocks import adjoint_of, checkpoint
from .resolve import Resolver

_LOOP_EXITS = (gast.Return, gast.Break, gast.Continue, gast.Yield, gast.YieldFrom)


@dataclass
class Hook:
    """A `with srcgrad.adjoint_of(h) as d_h:` block of the user's function."""

    node: gast.With  # where it was written (the errors point there)
    value: str  # `h`
    adjoint: str  # `d_h`
    body: list  # its statements, as written
    reads: list  # the function's own values its statements read, in the marker's order
    own: set  # the names the block binds (its own, renamed where it runs)


def run(body, ctx):
    """The manifest's step: srcgrad's blocks out of the source tree (see above)."""
    unit = ctx.unit
    src = unit.src
    resolver = Resolver(src.func, build.local_names(src.tree))
    hooks = {id(node) for node in build.nodes(src.tree) if isinstance(node, gast.With)
             and any(_kind(item, resolver) is adjoint_of for item in node.items)}
    inside = {id(n) for node in build.nodes(src.tree) if id(node) in hooks
              for n in build.names(node.body) + [i.optional_vars for i in node.items]}
    names = {n.id for n in build.names(src.tree) if id(n) not in inside
             and type(n.ctx) in (gast.Store, gast.Param)}  # the function's own variables
    unit.hooks = {}
    src.tree.body = _block(src.tree.body, src, resolver, names, unit, [])
    return body


def _kind(item, resolver):
    """checkpoint or adjoint_of for an item `srcgrad.checkpoint(...)`, else None."""
    call = item.context_expr
    if not isinstance(call, gast.Call):
        return None
    found = resolver.dotted(call.func)
    return found if found in (checkpoint, adjoint_of) else None


def _block(stmts, src, resolver, names, unit, path) -> list:
    """`stmts` with srcgrad's blocks replaced; `path` holds (block, index, statement) of
    each statement enclosing them, outermost first."""
    out = []
    for index, stmt in enumerate(stmts):
        if isinstance(stmt, gast.With):
            kinds = [_kind(item, resolver) for item in stmt.items]
            if any(kinds):
                if len(kinds) > 1:
                    raise src.error(stmt, "write srcgrad's blocks one `with` each",
                                    "Nest them: one `with` statement per block.")
                inner = _block(stmt.body, src, resolver, names, unit,
                               path + [(stmts, index, stmt)])
                if kinds[0] is checkpoint:
                    out.extend(_checkpointed(stmt, inner, src))
                    continue
                first = _same_value_hook(out, stmt)
                if first is not None:  # a second hook on the value: they run in turn
                    stmt, inner, index = _merged(first, stmt, inner, unit)
                    out.pop()
                marker = _hook(stmt, inner, src, names, unit, path + [(stmts, index, None)])
                marker._srcgrad_index = index
                out.append(marker)
                continue
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], gast.stmt):
                setattr(stmt, field, _block(inner, src, resolver, names, unit,
                                            path + [(stmts, index, stmt)]))
        out.append(stmt)
    return out


def _same_value_hook(out, stmt):
    """The marker of a hook right before `stmt` on the same value, if `stmt` hooks it too."""
    marker = out[-1] if out else None
    if not (isinstance(marker, gast.Assign) and getattr(
            marker.value, "_srcgrad_internal", None) == "adjoint_hook"):
        return None
    call = stmt.items[0].context_expr
    value = call.args[0].id if call.args and isinstance(call.args[0], gast.Name) else None
    return marker if marker.value.args[0].id == value else None


def _merged(marker, stmt, body, unit):
    """(with statement, body, index) of one hook doing the work of the hook of `marker`
    and then of `stmt`'s, written right after it on the same value: the second block
    takes what the first left."""
    first = unit.hooks.pop(marker.value.args[1].value)
    target = stmt.items[0].optional_vars
    if not isinstance(target, gast.Name):
        return stmt, body, marker._srcgrad_index
    handed = [build.assign(target.id, build.load(first.adjoint)), *body,
              build.assign(first.adjoint, build.load(target.id))]
    merged = copy.copy(first.node)
    merged.body = first.body + (body if target.id == first.adjoint else handed)
    return merged, merged.body, marker._srcgrad_index


def _checkpointed(stmt, body, src) -> list:
    call = stmt.items[0].context_expr
    if stmt.items[0].optional_vars is not None:
        raise src.error(stmt, "`with srcgrad.checkpoint():` takes no `as` name")
    snapshots = 0
    arguments = list(call.args) + [k.value for k in call.keywords]
    if arguments:
        value = arguments[0]
        if (len(arguments) > 1 or not isinstance(value, gast.Constant)
                or not isinstance(value.value, int) or value.value < 1
                or any(k.arg != "snapshots" for k in call.keywords)):
            raise src.error(call, "srcgrad.checkpoint takes one number: how many states to "
                            "keep", "Write `srcgrad.checkpoint()` or "
                            "`srcgrad.checkpoint(snapshots=100)`.")
        snapshots = value.value
    loops = [s for s in body if isinstance(s, gast.For)]
    if not loops:
        raise src.error(stmt, "`with srcgrad.checkpoint():` holds no `for` loop",
                        "Put the block around a counted loop: `for t in range(n):`.")
    for loop in loops:
        loop._srcgrad_checkpoint = snapshots
    return body


def _hook(stmt, body, src, names, unit, path):
    if any(isinstance(n, gast.With) or getattr(n, "_srcgrad_internal", None)
           for n in build.nodes(gast.Module(body=body, type_ignores=[]))):
        raise src.error(stmt, "a gradient hook's block cannot hold another srcgrad block")
    item = stmt.items[0]
    call, target = item.context_expr, item.optional_vars
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], gast.Name):
        raise src.error(call, "srcgrad.adjoint_of takes one variable",
                        "Name the value first: `h = ...`, then `with srcgrad.adjoint_of(h) "
                        "as d_h:`.")
    if not isinstance(target, gast.Name):
        raise src.error(stmt, "a gradient hook needs an `as` name for the adjoint",
                        "Write `with srcgrad.adjoint_of(h) as d_h:`.")
    value = call.args[0].id
    if value not in names:
        raise src.error(call.args[0], f"`{value}` is not a value of the function: it has no "
                        "adjoint here", "Hook a parameter or a variable the function assigns.")
    for node in build.nodes(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, _LOOP_EXITS):
            raise src.error(node, "a gradient hook's block cannot leave it early",
                            "Compute the new adjoint and assign it to the `as` name.")
        if isinstance(node, (gast.FunctionDef, gast.Lambda)):
            raise src.error(node, "a gradient hook's block cannot define functions",
                            "Define them outside the function.")
    body = _rebound(body)
    own = build.stored(body) | {target.id}
    _check_writes(body, names - own, src)
    for name in sorted(own & names):
        raise src.error(stmt, f"a gradient hook's block assigns `{name}`, a variable of the "
                        "function: the block runs in the backward sweep and may change only "
                        "its own names", f"Give `{name}` in the block a name of its own.")
    _check_position(stmt, value, src, path)
    reads = sorted((build.loaded(body) & names) - own - {target.id})
    _check_bound(stmt, reads, src, path)
    hook_id = max(unit.hooks, default=-1) + 1
    unit.hooks[hook_id] = Hook(copy.deepcopy(stmt), value, target.id, body, reads, own)
    marker = build.call(build.load("adjoint_hook"), build.load(value), build.const(hook_id),
                        *[build.load(n) for n in reads])
    marker._srcgrad_internal = "adjoint_hook"
    return gast.copy_location(build.assign(f"_hook_{hook_id}", marker), stmt)


def _rebound(body) -> list:
    """The block with `d_h += g` written `d_h = d_h + g`: the backward sweep's passes take
    an augmented assignment's target for a store only, and would drop the copy of the
    adjoint it starts from. The names are the block's own: rebinding one is as good as
    changing it in place."""
    class Rebind(gast.NodeTransformer):
        def visit_AugAssign(self, node):
            if not isinstance(node.target, gast.Name):
                return node
            value = gast.BinOp(left=build.load(node.target.id), op=node.op, right=node.value)
            return gast.copy_location(build.assign(node.target.id, value), node)
    return [Rebind().visit(stmt) for stmt in body]


def _check_writes(body, names, src):
    """Refuse a change in place of one of the function's values `names` in a hook's block:
    the backward sweep around it reads them (appending to a list is allowed: a log)."""
    for node in build.nodes(gast.Module(body=body, type_ignores=[])):
        changed = None
        if isinstance(node, (gast.Subscript, gast.Attribute)) and type(node.ctx) is gast.Store:
            changed = _root(node)
        elif isinstance(node, gast.Call):
            out = next((k.value for k in node.keywords if k.arg == "out"), None)
            func = node.func
            if out is not None:
                changed = _root(out)
            elif isinstance(func, gast.Attribute) and func.attr != "append" and (
                    func.attr in named("writes_object", "method")):
                changed = _root(func.value)
        if changed in names:
            raise src.error(node, f"a gradient hook's block changes `{changed}` in place: the "
                            "backward sweep reads the function's values", "Change only the "
                            "block's own names (the `as` name is its own copy).")


def _root(node):
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _check_bound(stmt, reads, src, path):
    """Each of the function's values the block reads is bound before it (run plainly, the
    block would fail on one that is not)."""
    bound = {a.id for a in build.names(src.tree.args)}
    for block, index, enclosing in path:
        for before in block[:index]:
            bound |= build.stored(before)
        if isinstance(enclosing, gast.For):
            bound |= build.stored(enclosing.target)
    for name in reads:
        if name not in bound:
            raise src.error(stmt, f"the gradient hook reads `{name}`, which is assigned only "
                            "after it", f"Assign `{name}` before the `with` block.")


def _check_position(stmt, value, src, path):
    """The hook runs where it is written, in the backward sweep: `value`'s adjoint must be
    complete there. So nothing between `value`'s assignment and the block reads it, the
    block is not inside a loop that `value` comes from outside of, and nothing after the
    block assigns `value` again."""
    later = []
    for block, index, _ in path:
        later.extend(block[index + 1:])
    for node in build.names(later):
        if node.id == value and type(node.ctx) is gast.Store:
            raise src.error(node, f"`{value}` is assigned again after its gradient hook: "
                            "the hook would see the adjoint of the new value",
                            f"Give the new value its own name, or hook it where it is "
                            f"assigned last.")
    for block, index, enclosing in reversed(path):
        if isinstance(enclosing, (gast.For, gast.While)):
            raise src.error(stmt, f"the gradient hook of `{value}` is inside a loop, but "
                            f"`{value}` comes from before it: its adjoint is complete only "
                            "after the whole loop", "Put the hook outside the loop.")
        if isinstance(enclosing, gast.If) and value in build.loaded(enclosing.test):
            raise src.error(enclosing, f"`{value}` is read here, before its gradient hook",
                            f"Put the hook right after `{value}` is assigned.")
        for before in reversed(block[:index]):
            if value in build.stored(before):
                return
            if value in build.loaded(before):
                raise src.error(before, f"`{value}` is read here, before its gradient hook: "
                                "the hook would run before this use adds to the adjoint",
                                f"Put the `with srcgrad.adjoint_of({value})` block right "
                                f"after `{value}` is assigned.")
