"""Refuse unsupported constructs up front, with the user's file:line and a caret."""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import named
from .source import Source

# construct -> (what it is, what to do instead)
_REFUSED = {
    gast.AsyncFor: ("an `async for` loop", "use a plain function"),
    gast.Try: ("a `try` statement", "move error handling outside the differentiated function"),
    gast.With: ("a `with` statement", "move the `with` block outside the differentiated function"),
    gast.AsyncWith: ("an `async with` statement", "use a plain function"),
    gast.Global: ("a `global` statement",
                  "pass the value in as an argument and return results"),
    gast.Nonlocal: ("a `nonlocal` statement",
                    "pass the value in as an argument and return results"),
    gast.AsyncFunctionDef: ("a nested async function", "define the helper at module level"),
    gast.ClassDef: ("a class definition", "define the class at module level"),
    gast.Delete: ("a `del` statement", "drop the `del`; names are freed when the function returns"),
    gast.Import: ("an `import` inside the function", "import at module level"),
    gast.ImportFrom: ("an `import` inside the function", "import at module level"),
    gast.Yield: ("`yield`", "return a value instead"),
    gast.YieldFrom: ("`yield from`", "return a value instead"),
    gast.Await: ("`await`", "use a plain function"),
    gast.NamedExpr: ("an assignment expression (:=)", "assign in a statement of its own"),
    gast.Starred: ("a starred expression", "pass the arguments one by one"),
}


_INTROSPECTION = {"eval", "exec", "locals", "vars", "globals", "compile", "__import__"}


def run(body, ctx):
    """The manifest's step: the function refused before anything rewrites it."""
    check(ctx.unit.src)
    return body


def check(src: Source) -> None:
    """Raise SrcGradError at the first construct srcgrad cannot differentiate."""
    fn = src.tree
    args = fn.args
    if args.kwarg:
        raise src.error(
            args.kwarg, f"{src.name} takes **kwargs, which srcgrad cannot differentiate",
            "Give each argument a name in the signature.")
    local = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs} | (
        {args.vararg.id} if args.vararg else set()) | build.stored(fn.body)
    for stmt in fn.body:
        for node in build.nodes(stmt):
            kind = _REFUSED.get(type(node))
            if kind:
                what, hint = kind
                raise src.error(node, f"srcgrad cannot differentiate {what}", f"Instead: {hint}.")
            if isinstance(node, (gast.Assign, gast.AugAssign)):
                _check_targets(src, node)
            if isinstance(node, gast.Call):
                _check_writes(src, node, local)
            if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                    and node.func.id in _INTROSPECTION):
                raise src.error(node, f"srcgrad cannot differentiate through "
                                f"`{node.func.id}()`: it reads variables by name, out of "
                                "sight of the transformation", "Use the variables directly.")


def _check_writes(src, call, local):
    """Refuse a call that changes a value of the function in place."""
    out = next((k for k in call.keywords if k.arg == "out"), None)
    if out is not None:
        raise src.error(out.value, "srcgrad cannot differentiate a result written into "
                        "`out=`: it does not follow writes into an existing array",
                        "Assign the result instead: `y = np.multiply(a, b)`.")
    func = call.func
    if not isinstance(func, gast.Attribute):
        return
    # srcgrad computes every value anew and would not follow the change (its gradient
    # would be silently wrong); `append` it follows (normalize.py)
    if func.attr in named("writes_object", "method") and func.attr != "append":
        changed = _root(func.value)
    elif func.attr in named("writes_first") and call.args:
        changed = _root(call.args[0])
    else:
        return
    if changed in local:
        raise src.error(
            call, f"srcgrad cannot differentiate `.{func.attr}(...)`, which changes "
            f"`{changed}` in place: srcgrad computes every value anew and would not see the "
            "change", "Make a new value instead: `y = np.sort(y)`, `y = y[::-1]`, "
            "`ys = ys + [v]`, `y = np.where(mask, v, y)`.")


def _root(node):
    """The variable an expression such as `a.b[0].T` starts from, or None."""
    while isinstance(node, (gast.Attribute, gast.Subscript)):
        node = node.value
    return node.id if isinstance(node, gast.Name) else None


def _check_targets(src, node):
    targets = node.targets if isinstance(node, gast.Assign) else [node.target]
    for target in targets:
        leaves = target.elts if isinstance(target, (gast.Tuple, gast.List)) else [target]
        for leaf in leaves:
            element = (isinstance(leaf, gast.Subscript) and isinstance(leaf.value, gast.Name)
                       and leaf is target)
            if not isinstance(leaf, gast.Name) and not element:
                raise src.error(
                    leaf, "srcgrad cannot differentiate assignment into an attribute or a "
                    "nested element", "Assign to a variable, or to `array[index]` of an array "
                    "made in the function.")
        if len(targets) > 1:
            raise src.error(node, "srcgrad cannot differentiate chained assignment (a = b = ...)",
                            "Assign each name in a statement of its own.")
