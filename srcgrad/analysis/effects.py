"""What an expression of the generated code does with arrays: is its value a new array
that no other name holds, and does evaluating it write into any array?

One vocabulary for every pass that relies on the answers: accumulate and buffer_reuse
update or donate an array a name owns, sinking and contribution_order move statements,
loop_batching and step_factors keep one array per step of a loop, fresh_returns tells the
entry which gradients need no ownership check. Passes that disagreed (one took
`np.cosh(h)` for a new array, another did not) once made a wrong gradient between them.

The answers come from the facts of the functions (rules/facts.py), matched as the
generated code spells its calls: `np.tanh(x)`, `x.sum()`, the run-time helpers
(`zeros_like(x)`). A user's own functions are called through their generated
`<name>_forward` / `<name>_backward`, never by these names.
"""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import named, numpy_facts


def has_out(call) -> bool:
    """A call with `out=`: its result is the array it names (a row of a stack, say)."""
    return any(k.arg == "out" for k in call.keywords)


def makes_new(value, numpy=None) -> bool:
    """`value` is a new array (or number): arithmetic, or a call of a function or
    method that returns one, without `out=`. With `numpy` (the code's name for NumPy),
    a function counts only as NumPy's: `np.exp(x)`, not `math.exp(x)` or `exp(x)`."""
    if isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return True
    if not isinstance(value, gast.Call) or has_out(value):
        return False
    func = value.func
    if isinstance(func, gast.Attribute):
        return func.attr in named("makes_new", "method") or func.attr in named("makes_new") and (
            numpy is None or isinstance(func.value, gast.Name) and func.value.id == numpy)
    return isinstance(func, gast.Name) and numpy is None and func.id in named("makes_new")


def made_here(body, returned, numpy) -> tuple:
    """For each name in `returned`: it is bound once, at the top level of `body`, to an
    operation that makes a new array or number (never a view, an argument or another
    name), and else only updated in place: an array of it is the function's own,
    writeable and shared with nothing."""
    top, made = {id(stmt) for stmt in body}, {name: [] for name in returned}
    for stmt in build.statements(body):
        if isinstance(stmt, gast.AugAssign):
            continue  # in place: the same array
        targets = (stmt.targets if isinstance(stmt, gast.Assign) else
                   [stmt.target] if isinstance(stmt, gast.For) else [])
        for n in build.names(targets):
            if n.id in made and isinstance(n.ctx, gast.Store):
                simple = (isinstance(stmt, gast.Assign) and len(targets) == 1
                          and targets[0] is n and id(stmt) in top)
                made[n.id].append(stmt.value if simple else None)
    return tuple(len(made[name]) == 1 and made[name][0] is not None
                 and makes_new(made[name][0], numpy) for name in returned)


def fresh_returns(body, ctx):
    """Step: for each returned gradient, whether the fused gradient always returns an
    array it made (ctx.fresh_returns, for the entry's checks)."""
    ctx.fresh_returns = made_here(body, ctx.returned, ctx.numpy)
    return body


def disown(node, owned):
    """Names in `node` that may come out of it shared: anywhere but as an operand of
    arithmetic (a transposed one too: `h.T @ d`, the view dies with the statement) or an
    argument of a function that returns a new array."""
    if isinstance(node, gast.BinOp):
        for side in (node.left, node.right):
            if not isinstance(side, gast.Name) and not _transposed_name(side):
                disown(side, owned)
        return
    if isinstance(node, gast.UnaryOp):
        if not isinstance(node.operand, gast.Name):
            disown(node.operand, owned)
        return
    if isinstance(node, gast.Call) and makes_new(node):
        for arg in node.args + [k.value for k in node.keywords]:
            if not isinstance(arg, gast.Name):
                disown(arg, owned)
        if isinstance(node.func, gast.Attribute):  # g.sum(): reads g
            if not isinstance(node.func.value, gast.Name):
                disown(node.func.value, owned)
        return
    for n in build.names(node):
        owned.discard(n.id)


def _transposed_name(node) -> bool:
    return (isinstance(node, gast.Attribute) and node.attr == "T"
            and isinstance(node.value, gast.Name))


def writes_nothing(node) -> bool:
    """Evaluating the expression `node` writes into no array: each call is of a function
    or method that writes none of its arguments, without `out=`, and it holds nothing but
    expressions (no comprehension)."""
    for n in build.nodes(node):
        if isinstance(n, gast.Call):
            if has_out(n) or not (isinstance(n.func, gast.Attribute) and (
                    n.func.attr in named("writes_none")
                    or n.func.attr in named("writes_none", "method"))):
                return False
        elif not isinstance(n, (gast.expr, gast.operator, gast.unaryop, gast.expr_context,
                                gast.keyword, gast.Slice)):
            return False
    return True


def new_and_pure(value) -> bool:
    """A new array, made by a call or arithmetic that writes into no array."""
    return makes_new(value) and writes_nothing(value)


def pure(node, numpy, nodes=build.nodes) -> bool:
    """Arithmetic on names and constants and NumPy functions that make a new array
    (`nodes`: build.nodes, or an index's)."""
    for n in nodes(node):
        if isinstance(n, gast.Call):
            func = n.func
            if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                    and func.value.id == numpy and numpy_facts(func.attr).makes_new):
                return False
            if has_out(n):
                return False
        elif not isinstance(n, (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp,
                                gast.operator, gast.unaryop, gast.expr_context, gast.keyword,
                                gast.Attribute)):
            return False
        elif isinstance(n, gast.Attribute) and n.attr != "T" and not _is_numpy_attribute(n, numpy):
            return False
    return True


def _is_numpy_attribute(node, numpy) -> bool:
    return isinstance(node.value, gast.Name) and node.value.id == numpy
