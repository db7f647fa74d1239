"""A dict of keywords whose keys are known, passed on with `**`, spelled out:

    opts = dict(axis=0, keepdims=True)
    np.sum(x, **opts)    ->    np.sum(x, axis=opts["axis"], keepdims=opts["keepdims"])

The keys are known where the dict is made, so the call's keywords are too, and each rule
sees its arguments by name (`dict(k=v)` is read as the literal `{'k': v}`). Only a name
bound once, to `dict(k=v, ...)` or a `{'k': v}` literal with string keys, and read only as
`**name`, `name['k']`, `name.get('k', default)` or `'k' in name`, is rewritten (the last
two decided here: the keys are known); any other `**` keeps its call as written (and a
rule refuses it).

A helper's `**kw` is such a dict: where the helper is written out (inline.py), `kw` is
bound to the literal of the call's other keywords. So is the differentiated function's own
`**kw` where a call tells its keys (the code specialized on it): `params` names it.
"""

from __future__ import annotations

import gast

from ..ir import build
from .refusals import refusal

_READS = ("`**{0}`, `{0}['k']`, `{0}.get('k', default)` or `'k' in {0}`")


def rewritten(body: list, src=None, params=None) -> list:
    """`body` with each `**name` of such a dict replaced by its keywords (a copy, if any).
    `params`: {name: its keys, or None where no call tells them} of dict parameters that
    receive keywords (the function's `**kw`). With `src`, a `**name` of such a parameter,
    or of a dict made in the function but read otherwise, is refused at its line, and so is
    a keyword given twice once spelled out."""
    module = gast.Module(body=body, type_ignores=[])
    params = params or {}
    keys, refused = _keyword_dicts(module, params)
    if src is not None:
        _refuse_splats(module, src, refused, keys, params)
    if not keys:
        return body
    body = build.clone(body)
    module = gast.Module(body=body, type_ignores=[])
    fixed = _fixed_values(module, keys)
    body[:] = [stmt for stmt in body if build.assigned_name(stmt) not in fixed]
    for node in build.nodes(module):
        if (isinstance(node, gast.Assign) and build.assigned_name(node) in keys
                and isinstance(node.value, gast.Call)):  # dict(k=v): as the literal
            node.value = gast.copy_location(gast.Dict(
                keys=[gast.copy_location(build.const(k.arg), k.value) for k in node.value.keywords],
                values=[k.value for k in node.value.keywords]), node.value)
        for field, value in gast.iter_fields(node):  # .get, `in` and fixed items: here
            if isinstance(value, gast.AST):
                setattr(node, field, _decided(value, keys, fixed))
            elif isinstance(value, list):
                setattr(node, field, [_decided(v, keys, fixed) if isinstance(v, gast.AST)
                                      else v for v in value])
        if not isinstance(node, gast.Call):
            continue
        spelled = []
        for keyword in node.keywords:
            name = _splat_name(keyword)
            if name not in keys:
                spelled.append(keyword)
                continue
            for key in keys[name]:
                item = _item(name, key, fixed, keyword.value)
                spelled.append(gast.copy_location(gast.keyword(
                    arg=key, value=item), keyword.value))
        named = [k.arg for k in spelled if k.arg is not None]
        twice = next((k for k in named if named.count(k) > 1), None)
        if twice is not None and src is not None:  # Python's TypeError, said at the line
            raise src.error(node, f"this call gets the keyword '{twice}' twice once the "
                            "keyword dict is spelled out (Python raises TypeError: got "
                            "multiple values)", "Pass each keyword once.")
        node.keywords = spelled
    return body


def _splat_name(keyword):
    """The name `d` of a keyword `**d`, else None."""
    if keyword.arg is None and isinstance(keyword.value, gast.Name):
        return keyword.value.id
    return None


def _fixed_values(module, keys) -> dict:
    """{name: {key: value}} of the dicts among `keys` bound at the top level of `module`
    to a literal whose every value is a constant or a name `module` never binds (a
    caller's operand, where a helper is written out): each item read is that value, and
    the dict itself is not made."""
    stored = {n.id for n in build.names(module) if not isinstance(n.ctx, gast.Load)}
    missing = {node.value.id for node in build.nodes(module)  # (Python's KeyError stays)
               if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name)
               and node.value.id in keys and not (isinstance(node.slice, gast.Constant)
                                                  and node.slice.value in keys[node.value.id])}
    fixed = {}
    for stmt in module.body:
        name = build.assigned_name(stmt) if isinstance(stmt, gast.Assign) else None
        if name not in keys or name in missing:
            continue
        value = stmt.value
        pairs = (list(zip(keys[name], value.values)) if isinstance(value, gast.Dict)
                 else [(k.arg, k.value) for k in value.keywords])
        if all(isinstance(v, gast.Constant) or (isinstance(v, gast.Name) and v.id not in stored)
               for _, v in pairs):
            fixed[name] = dict(pairs)
    return fixed


def _item(name, key, fixed, where):
    """The value of `name['k']`: the literal's own where it is fixed, else the read."""
    if name in fixed:
        return gast.copy_location(build.clone(fixed[name][key]), where)
    item = gast.Subscript(value=build.load(name), slice=build.const(key), ctx=gast.Load())
    return gast.copy_location(item, where)


def _decided(node, keys, fixed):
    """`d.get('k', v)` as `d['k']` or `v`, `'k' in d` as True or False, for a dict `d` of
    known keys, and `d['k']` of a fixed one as its value; any other node as it is."""
    if (isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load)
            and isinstance(node.value, gast.Name) and node.value.id in fixed
            and isinstance(node.slice, gast.Constant)
            and node.slice.value in fixed[node.value.id]):
        return _item(node.value.id, node.slice.value, fixed, node)
    got = _get_of(node)
    if got is not None and got[0] in keys:
        name, key, default = got
        if key in keys[name]:
            return _item(name, key, fixed, node)
        return default if default is not None else gast.copy_location(build.const(None), node)
    tested = _membership(node)
    if tested is not None and tested[0] in keys:
        name, key, negated = tested
        return gast.copy_location(build.const((key in keys[name]) != negated), node)
    return node


def _get_of(node):
    """(d, 'k', default node or None) of `d.get('k')` or `d.get('k', default)`, else None."""
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and node.func.attr == "get" and isinstance(node.func.value, gast.Name)
            and not node.keywords and 1 <= len(node.args) <= 2
            and isinstance(node.args[0], gast.Constant) and isinstance(node.args[0].value, str)):
        return node.func.value.id, node.args[0].value, (node.args[1:] or [None])[0]
    return None


def _membership(node):
    """(d, 'k', negated) of `'k' in d` or `'k' not in d`, else None."""
    if (isinstance(node, gast.Compare) and len(node.ops) == 1
            and isinstance(node.ops[0], (gast.In, gast.NotIn))
            and isinstance(node.left, gast.Constant) and isinstance(node.left.value, str)
            and isinstance(node.comparators[0], gast.Name)):
        return node.comparators[0].id, node.left.value, isinstance(node.ops[0], gast.NotIn)
    return None


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


def _keyword_dicts(module, params) -> tuple:
    """({name: its keys} of the dicts the rewrite applies to, {name: the first other read}
    of dicts made in the function or `params` that are read otherwise too)."""
    stores, made = {}, {}
    for node in build.nodes(module):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        if (isinstance(node, gast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], gast.Name)):
            keys = _keys(node.value)
            if keys is not None:
                made[node.targets[0].id] = keys
    for name, keys in params.items():
        stores[name] = stores.get(name, 0) + 1  # (bound by the call)
        made[name] = keys
    if not made:
        return {}, {}
    allowed = set()  # ids of the reads `**name`, `name['k']`, `name.get('k', d)`, `'k' in name`
    for node in build.nodes(module):
        if isinstance(node, gast.keyword) and _splat_name(node) is not None:
            allowed.add(id(node.value))
        if (isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Load)
                and isinstance(node.value, gast.Name) and isinstance(node.slice, gast.Constant)):
            allowed.add(id(node.value))
        if _get_of(node) is not None:
            allowed.add(id(node.func.value))
        if _membership(node) is not None:
            allowed.add(id(node.comparators[0]))
    spread, refused = set(), {}
    for node in build.nodes(module):
        if isinstance(node, gast.Name) and node.id in made and isinstance(node.ctx, gast.Load):
            if id(node) not in allowed:
                refused.setdefault(node.id, node)  # read otherwise: may change or escape
            spread.add(node.id)
    for name, times in stores.items():
        if name in made and times != 1:
            refused.setdefault(name, None)
    keys = {name: keys for name, keys in made.items()
            if keys is not None and name not in refused and name in spread}
    return keys, {name: node for name, node in refused.items() if name in made}


def _refuse_splats(module, src, refused, keys, params):
    """Refuse a `**name` the rewrite leaves: of a dict read otherwise too, or of the
    function's `**kw` where no call tells its keys (`.get`, `in` of that one too)."""
    for node in build.nodes(module):
        name = _splat_name(node) if isinstance(node, gast.keyword) else None
        if name is None:
            got, tested = _get_of(node), _membership(node)
            name = got[0] if got else tested[0] if tested else None
            if name is None or name not in params or name in keys or name in refused:
                continue
        if name in refused:
            other = refused[name]
            where = (f"line {src.user_line(other)} reads `{name}` otherwise"
                     if getattr(other, "lineno", None) else f"`{name}` is bound more than once")
            raise refusal("keyword_dict").error(src, node, f" (`**{name}`: {where}; read it "
                                                "only as " + _READS.format(name) + ")")
        if name in params and name not in keys:
            raise refusal("keyword_dict").error(
                src, node, f" (`**{name}` of {src.name}: the code for no call in "
                "particular, `.source`, does not know which keywords a call passes; "
                "`.source_for(...)` with a call's arguments shows the code that call runs)")
