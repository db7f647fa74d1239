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
"""

from __future__ import annotations

import gast

from . import build
from .naming import Namer


def to_ssa(body: list, params: list[str], namer: Namer, keep: str) -> tuple[list, str]:
    """Rename `body` in place; return (body, final version of the name `keep`)."""
    renamer = _Renamer(namer, params)
    env = {p: p for p in params}
    body = renamer.block(body, env)
    return body, env.get(keep, keep)


class _Renamer:
    def __init__(self, namer: Namer, params):
        self.namer = namer
        self.defined = set(params)

    def block(self, stmts, env) -> list:
        for stmt in stmts:
            if isinstance(stmt, gast.Assign):
                _rename_uses(stmt.value, env)
                target = stmt.targets[0]
                env[target.id] = self.new_version(target.id)
                target.id = env[target.id]
            elif isinstance(stmt, gast.If):
                stmt.test.id = env.get(stmt.test.id, stmt.test.id)
                body_env, else_env = dict(env), dict(env)
                stmt.body = self.block(stmt.body, body_env)
                stmt.orelse = self.block(stmt.orelse, else_env)
                self.merge(stmt, env, body_env, else_env)
            else:
                _rename_uses(stmt, env)
        return stmts

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
                    _rename_everywhere(branch, version, merged)
            env[name] = merged


def _rename_uses(node, env):
    for sub in gast.walk(node):
        if isinstance(sub, gast.Name) and isinstance(sub.ctx, gast.Load) and sub.id in env:
            sub.id = env[sub.id]


def _rename_everywhere(stmts, old: str, new: str):
    for stmt in stmts:
        for sub in gast.walk(stmt):
            if isinstance(sub, gast.Name) and sub.id == old:
                sub.id = new
