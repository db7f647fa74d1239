"""Give every assigned value its own name, so the adjoint can read any of them.

Before::

    err = yhat - y
    if cond:
        err = err * 2.0
    out = np.mean(err)

After::

    err = yhat - y
    if cond:
        err_1 = err * 2.0
    else:
        err_1 = err
    out = np.mean(err_1)

The first assignment of a name keeps the user's name; later ones get
`_1`, `_2`... After an `if`, a name assigned in a branch is merged into one
version, assigned on both paths (a copy on the path that did not assign it).

A loop gets one version per carried variable (assigned in the body and
defined before the loop or read after it): set before the loop, read by the
body, and set again by a *back-edge copy* at the end of the body::

    h_1 = h
    for t in range(n):
        h_2 = np.tanh(h_1)
        h_1 = h_2          # back edge
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import gast

from ..ir import build
from ..ir.naming import Namer


@dataclass
class LoopInfo:
    """A loop's carried variables: (version read by the body, version it ends with)."""

    carried: list = field(default_factory=list)
    backedges: list = field(default_factory=list)  # the back-edge copy statements
    tape: str | None = None  # set by the reverse pass when the loop saves values


def run(body, ctx):
    """The manifest's step: one binding per name; the loops' carried names and the
    result's final version in ctx.unit."""
    unit = ctx.unit
    final = {}
    unit.body, unit.result, unit.loops = to_ssa(body, unit.params, unit.namer, unit.result,
                                                also=(unit.aux,) if unit.aux else (),
                                                final=final)
    unit.aux = final.get(unit.aux, unit.aux)
    return unit.body


def to_ssa(body: list, params: list[str], namer: Namer, keep: str, also=(), final=None):
    """Rename `body`; return (body, final version of `keep`, {loop node: LoopInfo}).
    `also`: other names read at the end; `final` gets {name: final version} of them."""
    renamer = _Renamer(namer, params, body)
    for name in (keep, *also):
        renamer.loads[name] += 1  # the function returns it: it is read after every loop
    env = {p: p for p in params}
    body = renamer.block(body, env)
    if final is not None:
        final.update({name: env.get(name, name) for name in also})
    return body, env.get(keep, keep), renamer.loops


class _Renamer:
    def __init__(self, namer: Namer, params, body):
        self.namer = namer
        self.defined = set(params)
        self.loops = {}
        self.loads = _loads(body)

    def block(self, stmts, env) -> list:
        out, before = [], {}  # name -> its version before the last statement rebound it
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                _rename_uses(stmt.value, env, before)
                target = stmt.targets[0]
                before = {target.id: env.get(target.id)}
                env[target.id] = self.new_version(target.id)
                target.id = env[target.id]
            elif isinstance(stmt, gast.If):
                stmt.test.id = env.get(stmt.test.id, stmt.test.id)
                body_env, else_env = dict(env), dict(env)
                stmt.body = self.block(stmt.body, body_env)
                stmt.orelse = self.block(stmt.orelse, else_env)
                self.merge(stmt, env, body_env, else_env)
            elif isinstance(stmt, (gast.For, gast.While)):
                out.extend(self.loop(stmt, env))
            else:
                _rename_uses(stmt, env)
            out.append(stmt)
        return out

    def new_version(self, name: str) -> str:
        if name in self.defined:
            return self.namer.version(name)
        self.defined.add(name)
        return name

    def merge(self, stmt, env, body_env, else_env):
        for name in sorted(set(body_env) | set(else_env)):
            versions = (body_env.get(name), else_env.get(name))
            if versions[0] == versions[1]:
                continue
            if None in versions:  # assigned on one path only, undefined on the other
                env[name] = versions[0] or versions[1]
                continue
            before = env.get(name)
            fresh = [v for v in versions if v != before]
            merged = fresh[0]
            for branch, version in ((stmt.body, versions[0]), (stmt.orelse, versions[1])):
                if version == before:  # unchanged on this path: copy into the merged name
                    branch.append(build.assign(merged, build.load(before)))  # no user line
                elif version != merged:  # a branch-local version: it becomes the merged name
                    self.rename_everywhere(branch, version, merged)
            env[name] = merged

    def rename_everywhere(self, stmts, old: str, new: str):
        """Rename `old` in `stmts`, and in the records of the loops among them."""
        for stmt in stmts:
            for sub in gast.walk(stmt):
                if isinstance(sub, gast.Name) and sub.id == old:
                    sub.id = new
                if sub in self.loops:
                    info = self.loops[sub]
                    info.carried = [tuple(new if v == old else v for v in pair)
                                    for pair in info.carried]
                    if getattr(sub, "_srcgrad_break", None) == old:
                        sub._srcgrad_break = new

    def loop(self, loop, env) -> list:
        """Rename a loop in place; return the statements that go before it."""
        if isinstance(loop, gast.For):
            _rename_uses(loop.iter, env)
        assigned = _assigned(loop.body) | (
            {loop.target.id} if isinstance(loop, gast.For) else set())
        inside = _loads(loop.body)
        carried = sorted(n for n in assigned  # (or read outside the loop too)
                         if n in env or self.loads[n] > inside[n])
        before, info = [], LoopInfo()
        for name in carried:
            version = self.new_version(name)
            entry = build.load(env[name]) if name in env else build.const(None)
            before.append(build.assign(version, entry))
            env[name] = version
        if isinstance(loop, gast.While):
            loop.test.id = env.get(loop.test.id, loop.test.id)
        body_env = dict(env)
        if isinstance(loop, gast.For):
            body_env[loop.target.id] = self.new_version(loop.target.id)
            loop.target.id = body_env[loop.target.id]
        loop.body = self.block(loop.body, body_env)
        for name in carried:
            if body_env[name] != env[name]:
                copy_back = build.assign(env[name], build.load(body_env[name]))
                loop.body.append(copy_back)
                info.carried.append((env[name], body_env[name]))
                info.backedges.append(copy_back)
        flag = getattr(loop, "_srcgrad_break", None)
        if flag:
            loop._srcgrad_break = body_env[flag]
        self.loops[loop] = info
        return before


def _assigned(body) -> set:
    return build.stored(body)


def _loads(body) -> Counter:
    return Counter(n.id for n in build.names(body) if isinstance(n.ctx, gast.Load))


def previous(name: str) -> gast.Name:
    """A read of `name` as it was before the statement just before this one rebound it:
    the value an update in place started from (aliasing.py), named in SSA form."""
    node = build.load(name)
    node._srcgrad_previous = True
    return node


def original(name: str) -> gast.Name:
    """A read of the argument `name` as the caller gave it, whatever the function bound
    to the name since (in SSA form the first version keeps the argument's name)."""
    node = build.load(name)
    node._srcgrad_original = True
    return node


def _rename_uses(node, env, before=None):
    for sub in build.names(node):
        if getattr(sub, "_srcgrad_previous", False) and before and before.get(sub.id):
            sub.id = before[sub.id]
        elif getattr(sub, "_srcgrad_original", False):
            continue
        elif isinstance(sub.ctx, gast.Load) and sub.id in env:
            sub.id = env[sub.id]
