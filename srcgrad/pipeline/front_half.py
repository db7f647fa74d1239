"""The front half of the pipeline: from a Python function to the `Unit` the passes read.

    source.load -> manifest.FRONT: fence, normalize, inline, aliasing, ssa, resolve,
    bind_operands, activity
"""

from __future__ import annotations

import gast

from ..analysis.context import Context
from ..analysis.shape_inference import describe
from ..frontend import source
from ..frontend.resolve import Resolver
from ..frontend.unit import HelperCompilers, Unit
from ..ir.naming import Namer, names_in
from . import manifest


def analyze(func, wrt: tuple, mode="rev", inline_helpers=False,
            compilers: HelperCompilers | None = None, has_aux=False, checkpoint=None,
            arguments: dict | None = None, keywords: tuple | None = None,
            statics: tuple = ()) -> Unit:
    """Parse, refuse, normalize, SSA, resolve, activity. `inline_helpers`: calls of the
    user's helpers are written out in place (inline.py); `compilers`: how a helper called
    as a function is transformed (None: none is, as for `graph`); `arguments`: the
    descriptions of the call the code is specialized on (loops over sequences of known
    length are written out: unrolling.py); `keywords`: the names of the keywords a call
    passes to the function's `**kw` (the code for any shapes of such a call); `statics`:
    ((parameter, function), ...) a call passes (static_functions.py), for code not
    specialized on the call's shapes."""
    src = source.load(func)
    signature = src.tree.args
    if keywords is not None and signature.kwarg is not None:  # described as a call's are
        arguments = {**(arguments or {}),
                     signature.kwarg.id: ("dict", tuple((k, None) for k in keywords))}
    if statics:
        arguments = {**(arguments or {}), **{name: describe(f) for name, f in statics}}
    params = [a.id for a in signature.posonlyargs + signature.args
              + ([signature.vararg] if signature.vararg else []) + signature.kwonlyargs
              + ([signature.kwarg] if signature.kwarg else [])]  # (**kw: a dict)
    taken = names_in(gast.Module(body=src.tree.body, type_ignores=[])) | set(params)
    unit = Unit(src, Namer(taken), params, wrt, mode=mode, compilers=compilers,
                resolver=Resolver(src.func, params), has_aux=has_aux,
                checkpoint=checkpoint)
    manifest.run(manifest.FRONT, [], Context(unit, seed="", returned=(),
                                             inline_helpers=inline_helpers, arguments=arguments))
    return unit
