"""Calls into the user's own functions: each helper is transformed too, and called as a
forward/backward pair (or, in forward mode, as its jvp function).

`h = layer(W, x)` in the forward sweep becomes::

    h, h_saved = layer_forward(W, x)

and in the backward sweep::

    d_W, d_x = layer_backward(d_h, *h_saved)

Helpers are transformed for the parameters that carry gradients at the call
site, cached per helper like any gradient, and recursion is refused.
"""

from __future__ import annotations

import inspect
import threading

import gast

from ..errors import SrcGradError
from ..frontend.refusals import refusal
from ..frontend.static_functions import passed_at
from ..ir import build

_STACK = threading.local()  # functions being transformed in this thread, outermost first
MAX_DEPTH = 32


def transform_stack() -> list:
    """The functions being transformed in this thread, outermost first."""
    return _STACK.__dict__.setdefault("stack", [])


def _carries_gradient(node, unit) -> bool:
    if isinstance(node, gast.Tuple):
        return any(_carries_gradient(e, unit) for e in node.elts)
    return isinstance(node, gast.Name) and node.id in unit.active


def bind(op, src, node) -> dict:
    """The helper's parameters -> operand nodes at this call."""
    if None in op.kwargs:
        raise refusal("keyword_dict").error(src, node, f" (this call of `{op.label}` passes "
                                            "`**` a dict whose keys srcgrad does not know "
                                            "where it transforms the function)")
    signature = inspect.signature(op.callee)
    kwarg = next((p.name for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD),
                 None)
    if kwarg is not None:  # written out in place when it can be (inline.py); not here
        raise refusal("kwargs").error(src, node, f" (`{op.label}` takes **{kwarg})")
    try:
        bound = signature.bind(*op.args, **op.kwargs)
    except TypeError as exc:
        raise src.error(node, f"call to `{op.label}` does not match its signature "
                        f"({exc})") from None
    return dict(bound.arguments)


def _helper_for(stmt, op, unit, build_helper):
    """(binding, wrt, the helper's Generated) for a call; wrt is empty if no operand is
    active. `build_helper(callee, wrt)` transforms (or finds cached) the helper."""
    binding = unit.bindings[stmt]
    binding = {name: build.tuple_(list(node)) if isinstance(node, tuple) else node
               for name, node in binding.items()}  # *args: one tuple of operands
    wrt = tuple(name for name, node in binding.items() if _carries_gradient(node, unit))
    for name, node in binding.items():
        if not isinstance(node, (gast.Name, gast.Tuple)) and any(
                isinstance(n, gast.Name) and n.id in unit.active for n in gast.walk(node)):
            raise unit.src.error(node, f"pass `{name}` to {op.label} as a plain variable")
    if not wrt:
        return binding, wrt, None
    stack = transform_stack()
    if op.callee in stack:
        cycle = [f.__name__ for f in stack[stack.index(op.callee):]] + [op.callee.__name__]
        raise refusal("recursion").error(unit.src, stmt.value, f": `{op.label}` calls itself "
                                         f"({' -> '.join(cycle)}), and srcgrad transforms "
                                         "helpers by their source, once, never as deep as a "
                                         "call goes")
    if len(stack) >= MAX_DEPTH:
        raise unit.src.error(stmt.value, f"helpers nested more than {MAX_DEPTH} deep")
    try:
        statics = passed_at(binding, unit.resolver, unit.body)
        generated = (build_helper(op.callee, wrt, statics=statics) if statics
                     else build_helper(op.callee, wrt))
    except SrcGradError as exc:
        raise unit.src.error(stmt.value, f"cannot differentiate the call to `{op.label}`",
                             f"In {op.label}: {exc}") from None
    if generated not in unit.called:
        unit.called.append(generated)
    return binding, wrt, generated


def tangent(stmt, op, unit, tangent_of) -> list:
    """Forward mode: `h = layer(W, x)` becomes `h, h_dot = layer_jvp(W, x, W_dot=W_dot)`."""
    # the helper's own cached forward-mode function
    binding, wrt, generated = _helper_for(stmt, op, unit, unit.compilers.forward)
    target = stmt.targets[0].id
    if generated is None:
        return [stmt]
    stmt.value.func = build.load(unit.code_name_for(generated.forward.__name__,
                                                    generated.forward))
    stmt.value.keywords = list(stmt.value.keywords) + [
        gast.keyword(arg=code, value=tangent_of(binding[name]))
        for code, name in zip(generated.tangents, wrt)]
    stmt.targets = [gast.Tuple(elts=[build.store(target), build.store(unit.tangent(target))],
                               ctx=gast.Store())]
    return [stmt]


def adjoint(stmt, op, unit, contribute, out):
    """Rewrite the forward call into the helper's forward function; emit the backward call."""
    # the helper's own cached forward/backward pair
    binding, wrt, generated = _helper_for(stmt, op, unit, unit.compilers.reverse)
    if generated is None:
        return
    # by the names its code has (`.source` shows both), unless they shadow one here
    forward = unit.code_name_for(generated.forward.__name__, generated.forward)
    backward = unit.code_name_for(generated.backward.__name__, generated.backward)
    target = stmt.targets[0].id
    saved = unit.namer.fresh(f"{target}_saved")
    stmt.targets = [gast.Tuple(elts=[build.store(target), build.store(saved)], ctx=gast.Store())]
    stmt.value.func = build.load(forward)
    value = build.call(build.load(backward), build.load(unit.adjoint(target)),
                       gast.Starred(value=build.load(saved), ctx=gast.Load()))
    operands = [binding[name] for name in wrt]
    receiver = operands[0] if len(operands) == 1 else build.tuple_(operands)
    contribute(receiver, value, out)
