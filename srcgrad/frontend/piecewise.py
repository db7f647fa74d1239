"""`np.piecewise(x, condlist, funclist, *args, **kw)` written out where it is called, as the
masked assignments NumPy makes::

    y = np.piecewise(x, [x < 0, x > 1], [lambda v: -v, f, 0.5], a)
->
    x_1 = x
    y_1, conditions_1 = piecewise_start(x_1, [x < 0, x > 1], 3)   # constants
    condition_1 = conditions_1[0]
    if condition_1.any():
        y_1[condition_1] = (lambda v: -v)(x_1[condition_1], a)
    condition_2 = conditions_1[1]
    if condition_2.any():
        y_1[condition_2] = f(x_1[condition_2], a)
    condition_3 = conditions_1[2]
    y_1[condition_3] = 0.5
    y = y_1

The rules of indexing and item assignment then differentiate it in every mode, and each
function is called as the user's code would call it: a lambda or a nested `def` written out,
a helper of the user's transformed, a NumPy function by its rule. (A definition,
rules/defined.py, is differentiated once for every call and cannot see which functions a
call passes it.) The functions are listed in the call (a list or tuple literal); as NumPy,
the code calls one only where its condition holds somewhere, and a later condition's value
wins where two hold.
"""

from __future__ import annotations

import gast
import numpy as np

from ..ir import build


def is_piecewise(obj) -> bool:
    return obj is np.piecewise


def written_out(src, node, namer, is_function) -> tuple[list, str]:
    """(statements, result name) computing the call `node` of np.piecewise, for normalize.py
    to normalize; `is_function(item)`: does an item of funclist name a function (else it is
    a value)? Its names are `namer`'s, its statements at the call's line of `src`."""
    x, condlist, funclist, args, keywords = _bound(src, node)
    if not isinstance(funclist, (gast.List, gast.Tuple)):
        raise src.error(funclist, "srcgrad writes np.piecewise out with its functions listed "
                        "in the call", "Write them there: `np.piecewise(x, conds, [f, g])`.")
    array, result, conditions = namer.fresh("x"), namer.fresh("y"), namer.fresh("conditions")
    start = build.call(build.load("piecewise_start"), build.load(array), condlist,
                       build.const(len(funclist.elts)))
    start._srcgrad_internal = "piecewise_start"
    out = [build.assign(array, x, node),
           build.assign_to(build.tuple_([build.store(result), build.store(conditions)]),
                           start, node)]
    passed = []  # the functions' other arguments, evaluated once
    for arg in args + [k.value for k in keywords]:
        passed.append(build.load(namer.fresh("arg")))
        out.append(build.assign(passed[-1].id, arg, arg))
    for i, item in enumerate(funclist.elts):
        condition = namer.fresh("condition")
        out.append(build.assign(condition, gast.Subscript(
            value=build.load(conditions), slice=build.const(i), ctx=gast.Load()), node))
        target = gast.Subscript(value=build.load(result), slice=build.load(condition),
                                ctx=gast.Store())
        if not is_function(item):
            out.append(build.assign_to(target, item, item))
            continue
        picked = gast.Subscript(value=build.load(array), slice=build.load(condition),
                                ctx=gast.Load())
        call = gast.Call(func=item, args=[picked] + build.clone(passed[:len(args)]), keywords=[
            gast.keyword(arg=k.arg, value=build.clone(v))
            for k, v in zip(keywords, passed[len(args):])])
        nonempty = build.call(build.attr(build.load(condition), "any"))
        out.append(gast.copy_location(gast.If(test=nonempty, orelse=[], body=[
            build.assign_to(target, gast.copy_location(call, item), item)]), item))
    for stmt in out:  # the new parts at the line of the part they stand for
        gast.fix_missing_locations(stmt)
    return out, result


def _bound(src, node):
    """x, condlist, funclist, the other arguments and keywords of the call, by NumPy's
    signature `piecewise(x, condlist, funclist, *args, **kw)`."""
    given = dict(zip(("x", "condlist", "funclist"), node.args))
    args = list(node.args[3:])
    keywords = []
    for keyword in node.keywords:
        if keyword.arg in ("x", "condlist", "funclist") and keyword.arg not in given:
            given[keyword.arg] = keyword.value
        else:
            keywords.append(keyword)
    spread = [a for a in node.args if isinstance(a, gast.Starred)] + [
        k.value for k in node.keywords if k.arg is None]
    if spread or len(given) < 3:
        raise src.error(spread[0] if spread else node, "srcgrad writes np.piecewise out with "
                        "each argument given", "Pass x, condlist, funclist and the functions' "
                        "arguments one by one.")
    return given["x"], given["condlist"], given["funclist"], args, keywords
