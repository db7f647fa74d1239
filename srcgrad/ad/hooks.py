"""Gradient hooks: `with srcgrad.adjoint_of(h) as d_h:` (frontend/blocks.py) in the
backward sweep. Where the block stands, `h`'s adjoint is complete (the front half made
sure nothing between `h`'s assignment and the block reads `h`), so the backward sweep
runs the block at that point, on that adjoint, and takes what `d_h` holds after it::

    # line 6: with srcgrad.adjoint_of(h) as d_h: (h's adjoint is complete here...)
    d_h = hook_adjoint(d_h_1, h)
    d_h = np.clip(d_h, -1.0, 1.0)
    d_h_1 = hook_result(d_h, h)

The block's own names are renamed apart from the generated code's; the function's
values it reads are those it saw where it stands (their SSA names).
"""

from __future__ import annotations

import gast

from ..ir import build
from ..runtime.blocks import adjoint_hook


def is_marker(stmt, unit) -> bool:
    """`stmt` is where a hook stands (`_hook = adjoint_hook(h, id, *reads)`)."""
    op = unit.ops.get(stmt) if isinstance(stmt, gast.Assign) else None
    return op is not None and op.callee is adjoint_hook


def hook_of(stmt, unit):
    """(the Hook, the SSA name of its value, {name it reads: SSA name}) of a marker."""
    args = stmt.value.args
    hook = unit.hooks[args[1].value]
    reads = {name: node.id for name, node in zip(hook.reads, args[2:])}
    return hook, args[0].id, reads


def emit(stmt, unit, initialized, out) -> None:
    """The hook of the marker `stmt` in the backward sweep, appended to `out`."""
    hook, value, reads = hook_of(stmt, unit)
    if value not in unit.active:
        definition = next((op for s, op in unit.ops.items()
                           if build.assigned_name(s) == value), None)
        if definition is not None and definition.nondifferentiable:
            raise unit.src.error(hook.node, f"`{hook.value}` carries no gradient (it is "
                                 f"made by `{definition.label}`): a gradient hook on it would "
                                 "never run", "Hook a value computed from the arguments "
                                 "differentiated.")
        return  # no adjoint reaches it for these `wrt`: nothing to hook
    adjoint = unit.adjoint(value)
    renames = dict(reads)
    renames.update({name: unit.namer.fresh(name) for name in sorted(hook.own)})
    own = renames[hook.adjoint]
    text = unit.src.line_text(hook.node.lineno).strip()
    line = unit.src.user_line(hook.node)
    out.append(build.comment(f"line {line}: {text} ({hook.value}'s adjoint is complete "
                             "here: the hook runs on it)"))
    # its own copy, structured like the value: another value's adjoint may be the same
    # array, and the block may write into it
    start = build.call(build.load(unit.code_name("hook_adjoint")), build.load(adjoint),
                       build.load(value)) if value in initialized else build.call(
        build.load(unit.code_name("hook_zero")), build.load(value))
    out.append(gast.copy_location(build.assign(own, start), hook.node))
    for statement in hook.body:
        out.append(_renamed(build.clone(statement), renames))
    result = build.call(build.load(unit.code_name("hook_result")), build.load(own),
                        build.load(value))
    out.append(gast.copy_location(build.assign(adjoint, result), hook.node))
    initialized.add(value)
    unit.touched.add(value)


def _renamed(stmt, renames):
    for node in build.names(stmt):
        if node.id in renames:
            node.id = renames[node.id]
    return stmt


def hook_markers(body, ctx):
    """Step: the forward sweep `body` without the markers of the hooks."""
    if not ctx.unit.hooks:
        return body
    return _without_markers(body, ctx.unit)


def _without_markers(stmts, unit):
    out = []
    for stmt in stmts:
        if is_marker(stmt, unit):
            continue
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if isinstance(stmt, (gast.If, gast.For, gast.While)) and inner:
                setattr(stmt, field, _without_markers(inner, unit) or [gast.Pass()])
        out.append(stmt)
    return out
