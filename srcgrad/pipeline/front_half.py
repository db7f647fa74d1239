"""The front half of the pipeline: from a Python function to the `Unit` the passes read.

    source.load -> fence.check -> normalize -> inline.helpers -> aliasing.follow -> to_ssa
    -> resolve every operation -> bind it to its rule -> activity
"""

from __future__ import annotations

import gast

from ..ad import reverse
from ..analysis import activity
from ..backend.codegen import debug_print
from ..frontend import aliasing, fence, inline, source
from ..frontend.normalize import normalize
from ..frontend.resolve import Resolver
from ..frontend.ssa import to_ssa
from ..frontend.unit import RUNTIME, HelperCompilers, Unit
from ..ir import build
from ..ir.naming import Namer, names_in


def analyze(func, wrt: tuple, mode="rev", inline_helpers=False,
            compilers: HelperCompilers | None = None) -> Unit:
    """Parse, refuse, normalize, SSA, resolve, activity. `inline_helpers`: calls of the
    user's helpers are written out in place (inline.py); `compilers`: how a helper called
    as a function is transformed (None: none is, as for `graph`)."""
    src = source.load(func)
    fence.check(src)
    signature = src.tree.args
    params = [a.id for a in signature.posonlyargs + signature.args
              + ([signature.vararg] if signature.vararg else []) + signature.kwonlyargs]
    taken = names_in(gast.Module(body=src.tree.body, type_ignores=[])) | set(params)
    unit = Unit(src, Namer(taken), params, wrt, mode=mode, compilers=compilers)
    body, result = normalize(unit.src, unit.namer)
    resolver = Resolver(func, params)
    body = inline.helpers(body, func, params, unit.namer, resolver,
                          compilers.reverse if compilers else None,
                          only_writers=not inline_helpers)
    resolver.locals |= build.stored(body)
    body = aliasing.follow(body, params, result, src, resolver, unit.namer)
    unit.body, unit.result, unit.loops = to_ssa(body, params, unit.namer, result)
    debug_print("normalized", unit.body)
    locals_ = params + [n.id for n in build.names(unit.body) if isinstance(n.ctx, gast.Store)]
    unit.resolver = Resolver(func, locals_)
    unit.resolver.callees.update(resolver.callees)  # what helpers written out read: guards too
    unit.resolver.defaults.update(resolver.defaults)
    unit.ops = {stmt: unit.resolver.op(stmt.value, stmt.targets[0])
                for stmt in build.statements(unit.body) if isinstance(stmt, gast.Assign)}
    for stmt in build.statements(unit.body):  # our own helpers, under names that shadow nothing
        value = getattr(stmt, "value", None)
        if getattr(value, "_srcgrad_internal", None):
            value.func = build.load(unit.code_name(value._srcgrad_internal, RUNTIME))
    unit.bindings = reverse.bindings(unit)
    unit.active = activity.analyze(unit)
    return unit
