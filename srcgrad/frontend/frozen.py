"""Frozen scipy.stats distributions read as calls of the distribution's own methods.

    d = scipy.stats.norm(mu, scale=s)       d_0 = mu
                                            d_scale = s
    lp = d.logpdf(x)                ->      lp = scipy.stats.norm.logpdf(x, d_0, scale=d_scale)

which is what SciPy's frozen object does (its method passes the parameters after the
method's own arguments). The parameters are bound where the distribution is made, so one
bound again afterwards is read as it was then, as SciPy would. A name bound once, to such a
call, is rewritten; read other than as `d.method(...)`, it is refused at that read.
"""

from __future__ import annotations

import gast

from ..ir import build


def is_distribution(obj) -> bool:
    """A scipy.stats distribution that freezes when called (norm, poisson,
    multivariate_normal...); SciPy is not imported here."""
    return type(obj).__module__.startswith("scipy.stats") and any(
        c.__name__ in ("rv_generic", "multi_rv_generic") for c in type(obj).__mro__)


def rewritten(body: list, known, namer, src) -> list:
    """`body` with its frozen distributions' method calls spelled out (a copy, if it has
    any); `known(node)` is the object a non-local name or dotted path names, or None."""
    frozen = _frozen(gast.Module(body=body, type_ignores=[]), known, src)
    if not frozen:
        return body
    body = build.clone(body)
    made = {}
    _Spelled(made).visit(gast.Module(body=_bound(body, frozen, made, namer), type_ignores=[]))
    return body


def _bound(stmts, frozen, made, namer) -> list:
    """The statements (in place) with each `d = dist(...)` one binding per parameter; `made`
    gets d -> (dist's node, [positional names], {keyword: name})."""
    out = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _bound(getattr(stmt, field), frozen, made, namer))
        if not (isinstance(stmt, gast.Assign) and build.assigned_name(stmt) in frozen):
            out.append(stmt)
            continue
        name, call = stmt.targets[0].id, stmt.value
        positional = [namer.fresh(f"{name}_{i}") for i in range(len(call.args))]
        keywords = {k.arg: namer.fresh(f"{name}_{k.arg}") for k in call.keywords}
        made[name] = (call.func, positional, keywords)
        values = list(call.args) + [k.value for k in call.keywords]
        for target, value in zip(positional + list(keywords.values()), values):
            out.append(gast.copy_location(build.assign(target, value), stmt))
    stmts[:] = out
    return stmts


def _frozen(module, known, src) -> set:
    """Names bound once, to a distribution's call (refused at a read other than
    `name.method(...)`)."""
    stores, candidates = {}, {}
    for node in build.nodes(module):
        if isinstance(node, gast.Name) and not isinstance(node.ctx, gast.Load):
            stores[node.id] = stores.get(node.id, 0) + 1
        if (isinstance(node, gast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], gast.Name) and isinstance(node.value, gast.Call)
                and not any(isinstance(a, gast.Starred) for a in node.value.args)
                and all(k.arg is not None for k in node.value.keywords)
                and is_distribution(known(node.value.func))):
            candidates[node.targets[0].id] = node
    found = {name for name in candidates if stores.get(name) == 1}
    if found:
        called = {id(n.func.value) for n in build.nodes(module) if isinstance(n, gast.Call)
                  and isinstance(n.func, gast.Attribute) and isinstance(n.func.value, gast.Name)}
        for node in build.nodes(module):
            if (isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load)
                    and node.id in found and id(node) not in called):
                raise src.error(node, f"srcgrad reads the frozen distribution `{node.id}` only "
                                f"in calls of its methods (`{node.id}.logpdf(x)`)",
                                "Call its methods where it is made, or pass the parameters "
                                "and call the distribution's function "
                                "(scipy.stats.norm.logpdf(x, loc, scale)).")
    return found


class _Spelled(gast.NodeTransformer):
    """`d.logpdf(x)` -> `scipy.stats.norm.logpdf(x, d_0, scale=d_scale)`."""

    def __init__(self, made):
        self.made = made

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and func.value.id in self.made):
            return node
        distribution, positional, keywords = self.made[func.value.id]
        node.func = gast.copy_location(gast.Attribute(
            value=build.clone(distribution), attr=func.attr, ctx=gast.Load()), func)
        node.args = list(node.args) + [build.load(n) for n in positional]
        node.keywords = list(node.keywords) + [gast.keyword(arg=k, value=build.load(n))
                                               for k, n in keywords.items()]
        for new in build.nodes(node):
            if "lineno" in new._attributes and getattr(new, "lineno", None) is None:
                gast.copy_location(new, node)
        return node
