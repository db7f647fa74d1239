"""What a loop of the fused gradient does, for the passes that rewrite loops
(loop_batching.py, step_factors.py, tapes.py): the names it binds and changes, whether it can leave
early, the tape it fills or replays."""

from __future__ import annotations

import gast

from ..ir import build
from ..rules.facts import named



def written(body, harmless) -> set:
    """Names whose array may be changed or that are rebound after a first binding."""
    bound = {}
    for node in build.nodes(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Assign):
            for target in node.targets:
                if isinstance(target, gast.Name):
                    bound[target.id] = bound.get(target.id, 0) + 1
        elif isinstance(node, gast.For):
            for n in gast.walk(node.target):
                if isinstance(n, gast.Name):
                    bound[n.id] = 2  # bound again in each iteration
    return mutated(body, harmless, appended=True) | {n for n, c in bound.items() if c > 1}


def mutated(body, harmless, appended=False, nodes=None) -> set:
    """Names whose array may be changed: the base of an updated subscript or attribute,
    an `out=`, an argument of a mutating method (`appended`: also a list's `append`) or
    of a call we know nothing of. `nodes`: those of `body`, if the caller has them."""
    names = set()
    for node in nodes or build.nodes(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.AugAssign):
            names |= _base_names(node.target)
        elif isinstance(node, gast.Assign):
            for target in node.targets:
                if not isinstance(target, gast.Name):
                    names |= _base_names(target)
        elif isinstance(node, gast.Call):
            func = node.func
            for k in node.keywords:
                if k.arg == "out":
                    names |= build.name_ids(k.value)
            if isinstance(func, gast.Attribute):
                if func.attr == "append" and not appended:
                    names |= build.name_ids(func.value)  # the list, not what it holds
                elif (func.attr in named("writes_object", "method")
                      or func.attr in named("writes_first")):  # its object, an argument
                    names |= build.name_ids(func.value) | build.name_ids(*node.args)
            elif not (isinstance(func, gast.Name) and harmless(func.id)):
                names |= build.name_ids(*node.args, *[k.value for k in node.keywords])
    return names


def _base_names(target) -> set:
    while isinstance(target, (gast.Subscript, gast.Attribute)):
        target = target.value
    return build.name_ids(target)


def binding_list(stmts) -> list:
    """Every name a block binds, once per binding (loop targets too; `x += ...` updates)."""
    nodes = build.nodes(gast.Module(body=stmts, type_ignores=[]))
    updated = {id(n.target) for n in nodes if isinstance(n, gast.AugAssign)}
    return [n.id for n in nodes
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and id(n) not in updated]


def bound(stmts) -> set:
    return set(binding_list(stmts))


def exits(stmts, *kinds) -> bool:
    return any(isinstance(n, kinds) for n in build.nodes(gast.Module(body=stmts, type_ignores=[])))


def counted(loop, is_range) -> bool:
    """`for t in range(n)`: t runs 0, 1, ..., n - 1."""
    it = loop.iter
    return (isinstance(loop.target, gast.Name) and isinstance(it, gast.Call)
            and isinstance(it.func, gast.Name) and is_range(it.func.id)
            and len(it.args) == 1 and not it.keywords and not loop.orelse)


def replayed(loop):
    """The tape a backward loop `for ... in reversed(tape)` replays, else None."""
    it = loop.iter
    if (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "reversed"
            and len(it.args) == 1 and isinstance(it.args[0], gast.Name) and not loop.orelse):
        return it.args[0].id
    return None


def appended(stmt):
    """(tape, the tuple) of `tape.append((...))`, else (None, None)."""
    if (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)
            and isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == "append"
            and isinstance(stmt.value.func.value, gast.Name) and len(stmt.value.args) == 1
            and isinstance(stmt.value.args[0], gast.Tuple)):
        return stmt.value.func.value.id, stmt.value.args[0]
    return None, None


def rows_read(stmts, index, local) -> dict:
    """{name: (array, position)} for top-level `name = array[index]` whose array the loop
    never binds and whose name it binds once."""
    rows = {}
    for k, stmt in enumerate(stmts):
        if (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Subscript)
                and isinstance(stmt.value.value, gast.Name)
                and isinstance(stmt.value.slice, gast.Name) and stmt.value.slice.id == index
                and stmt.value.value.id not in local):
            rows[stmt.targets[0].id] = (stmt.value.value.id, k)
    if rows:
        once = binding_list(stmts)
        rows = {name: row for name, row in rows.items() if once.count(name) == 1}
    return rows
