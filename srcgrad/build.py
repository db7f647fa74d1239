"""Small constructors for the gast nodes the passes emit."""

from __future__ import annotations

import gast


def load(name: str) -> gast.Name:
    return gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)


def store(name: str) -> gast.Name:
    return gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)


def const(value) -> gast.Constant:
    return gast.Constant(value=value, kind=None)


def assign(target: str, value, like=None) -> gast.Assign:
    node = gast.Assign(targets=[store(target)], value=value, type_comment=None)
    return _located(node, like)


def assign_to(target, value, like) -> gast.Assign:
    """`target = value` for any target node (a name, a tuple of names, ...)."""
    return gast.copy_location(gast.Assign(targets=[target], value=value, type_comment=None), like)


def if_(test: str, body, orelse, like=None) -> gast.If:
    return _located(gast.If(test=load(test), body=list(body), orelse=list(orelse)), like)


def call(func, *args, **keywords) -> gast.Call:
    return gast.Call(func=func, args=list(args),
                     keywords=[gast.keyword(arg=k, value=v) for k, v in keywords.items()])


def attr(value, name: str) -> gast.Attribute:
    return gast.Attribute(value=value, attr=name, ctx=gast.Load())


def tuple_(elts) -> gast.Tuple:
    return gast.Tuple(elts=list(elts), ctx=gast.Load())


def is_atom(node) -> bool:
    return isinstance(node, (gast.Name, gast.Constant))


def assigned_name(stmt) -> str | None:
    """The name an `x = ...` statement assigns (the first of `x, x_saved = ...`), else None."""
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Tuple):
            target = target.elts[0]
        if isinstance(target, gast.Name):
            return target.id
    return None


def statements(body):
    """Every statement of `body`, those inside `if`s and loops included, in order."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, gast.If):
            yield from statements(stmt.body)
            yield from statements(stmt.orelse)
        elif isinstance(stmt, (gast.For, gast.While)):
            yield from statements(stmt.body)


def _located(node, like):
    if like is not None and getattr(like, "lineno", None) is not None:
        gast.copy_location(node, like)
    return node


COMMENT_PREFIX = "\x00srcgrad-comment:"


def comment(text: str) -> gast.Expr:
    """A marker statement that code generation prints as `# text`."""
    return gast.Expr(value=const(COMMENT_PREFIX + text))
