"""A dict of keywords built in the function and passed on with `**`, spelled out:

    opts = dict(axis=0, keepdims=True)
    np.sum(x, **opts)    ->    np.sum(x, axis=opts["axis"], keepdims=opts["keepdims"])

The keys are known where the dict is made, so the call's keywords are too, and each rule
sees its arguments by name (`dict(k=v)` is read as the literal `{'k': v}`). Only a name
bound once, to `dict(k=v, ...)` or a `{'k': v}` literal with string keys, and read only as
`**name` or `name['k']`, is rewritten; any other `**` keeps its call as written (and a rule
refuses it).
"""

from __future__ import annotations

import gast

from ..ir import build


def rewritten(body: list) -> list:
    """`body` with each `**name` of such a dict replaced by its keywords (a copy, if any)."""
    module = gast.Module(body=body, type_ignores=[])
    keys = _keyword_dicts(module)
    if not keys:
        return body
    body = build.clone(body)
    for node in build.nodes(gast.Module(body=body, type_ignores=[])):
        if (isinstance(node, gast.Assign) and build.assigned_name(node) in keys
                and isinstance(node.value, gast.Call)):  # dict(k=v): as the literal
            node.value = gast.copy_location(gast.Dict(
                keys=[gast.copy_location(build.const(k.arg), k.value) for k in node.value.keywords],
                values=[k.value for k in node.value.keywords]), node.value)
        if not isinstance(node, gast.Call):
            continue
        spelled = []
        for keyword in node.keywords:
            name = keyword.value.id if (keyword.arg is None and isinstance(
                keyword.value, gast.Name)) else None
            if name not in keys:
                spelled.append(keyword)
                continue
            for key in keys[name]:
                item = gast.Subscript(value=build.load(name), slice=build.const(key),
                                      ctx=gast.Load())
                spelled.append(gast.copy_location(gast.keyword(
                    arg=key, value=gast.copy_location(item, keyword.value)), keyword.value))
        node.keywords = spelled
    return body


def _keys(value):
    """The string keys of `dict(k=v, ...)` or `{'k': v, ...}`, in order, else None."""
    if isinstance(value, gast.Dict) and all(
            isinstance(k, gast.Constant) and isinstance(k.value, str) for k in value.keys):
        return [k.value for k in value.keys]
    if (isinstance(value, gast.Call) and isinstance(value.func, gast.Name)
            and value.func.id == "dict" and not value.args
            and all(k.arg is not None for k in value.keywords)):
        return [k.arg for k in value.keywords]
    return None


def _keyword_dicts(module) -> dict:
    """{name: its keys} of the dicts the rewrite applies to."""
    stores, made = {}, {}
    for node in build.nodes(module):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        if (isinstance(node, gast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], gast.Name)):
            keys = _keys(node.value)
            if keys is not None:
                made[node.targets[0].id] = keys
    if not made:
        return {}
    allowed = set()  # ids of the reads `**name` and `name['k']`
    for node in build.nodes(module):
        if isinstance(node, gast.keyword) and node.arg is None and isinstance(node.value,
                                                                                gast.Name):
            allowed.add(id(node.value))
        if (isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load)
                and isinstance(node.value, gast.Name) and isinstance(node.slice, gast.Constant)):
            allowed.add(id(node.value))
    spread = set()
    for node in build.nodes(module):
        if isinstance(node, gast.Name) and node.id in made and isinstance(node.ctx, gast.Load):
            if id(node) not in allowed:
                made[node.id] = None  # read otherwise: the dict may change or escape
            spread.add(node.id)
    return {name: keys for name, keys in made.items()
            if keys is not None and stores.get(name) == 1 and name in spread}
