"""Small constructors for the gast nodes the passes emit."""

from __future__ import annotations

import ast
import copy
import math
from collections import Counter
from fractions import Fraction

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


def number(node):
    """The value of a constant that is a Python int or float (not a bool), else None."""
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


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


def head(stmt) -> list:
    """What of a statement runs as one: all of it, or the head of a loop or an `if`."""
    if isinstance(stmt, (gast.If, gast.While)):
        return [stmt.test]
    if isinstance(stmt, gast.For):
        return [stmt.target, stmt.iter]
    return [stmt]


# Fields that hold no name: skipped by `names` (strings, and nodes such as Load() or Add()).
_NO_NAMES = {"ctx", "op", "ops", "id", "attr", "kind", "type_comment"}
_NAME_FIELDS: dict = {}  # gast class -> its other fields


def names(tree) -> list:
    """The gast.Name nodes of `tree` (a node, or a list of nodes one after the other), in
    `gast.walk` order:
    what `[n for n in gast.walk(tree) if isinstance(n, gast.Name)]` gives, several times
    faster (the passes ask it of every statement, again and again)."""
    if isinstance(tree, list):  # each node's names in turn
        return [name for node in tree for name in names(node)]
    queue = [tree]
    found, i, name_class, node_class, fields_of = [], 0, gast.Name, gast.AST, _NAME_FIELDS
    while i < len(queue):
        node = queue[i]
        i += 1
        kind = type(node)
        if kind is name_class:
            found.append(node)
            if node.annotation is None:
                continue
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = tuple(f for f in kind._fields if f not in _NO_NAMES)
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                queue.extend([v for v in value if isinstance(v, node_class)])
            elif isinstance(value, node_class):
                queue.append(value)
    return found


_FIELDS: dict = {}  # gast class -> its fields


def nodes(tree) -> list:
    """Every node of `tree` (a node), in `gast.walk` order, about twice as fast."""
    queue, i, node_class, fields_of = [tree], 0, gast.AST, _FIELDS
    while i < len(queue):
        node = queue[i]
        i += 1
        kind = type(node)
        fields = fields_of.get(kind)
        if fields is None:
            fields = fields_of[kind] = kind._fields
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                queue.extend([v for v in value if isinstance(v, node_class)])
            elif isinstance(value, node_class):
                queue.append(value)
    return queue


def bindings(tree) -> Counter:
    """How many times `tree` binds each name."""
    return Counter(n.id for n in names(tree) if type(n.ctx) is gast.Store)


def loaded(tree) -> set:
    """The names `tree` reads."""
    return {n.id for n in names(tree) if type(n.ctx) is gast.Load}


def stored(tree) -> set:
    """The names `tree` binds."""
    return {n.id for n in names(tree) if type(n.ctx) is gast.Store}


def exposed_reads(stmts, bound=frozenset()) -> set:
    """Names `stmts` read before binding them: what must come from outside."""
    bound, found = set(bound), set()
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            found |= loaded(stmt.test) - bound
            found |= exposed_reads(stmt.body, bound) | exposed_reads(stmt.orelse, bound)
            bound |= stored(stmt.body) & stored(stmt.orelse)
        elif isinstance(stmt, (gast.For, gast.While)):
            head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
            found |= loaded(head) - bound
            inner = bound | (stored([stmt.target]) if isinstance(stmt, gast.For) else set())
            found |= exposed_reads(stmt.body, inner)
        else:
            found |= loaded(stmt) - bound
            bound |= stored([stmt])
    return found


def name_ids(*nodes) -> set:
    """The ids of the names in `nodes`."""
    return {n.id for n in names(list(nodes))}


def local_names(func) -> set:
    """A function's local variables: its parameters and every name it binds or deletes."""
    args = func.args
    params = args.posonlyargs + args.args + args.kwonlyargs + [
        a for a in (args.vararg, args.kwarg) if a is not None]
    return {a.id for a in params} | {
        n.id for n in nodes(func) if isinstance(n, gast.Name) and isinstance(
            n.ctx, (gast.Store, gast.Del))}


def renamed(stmt, mapping: dict):
    """`stmt`, or a copy of it with each name read or bound renamed by `mapping` (following
    its chains: a -> b -> c), if it has one to rename (the original stays as it was)."""
    if not any(n.id in mapping for n in names(stmt)):
        return stmt
    stmt = clone(stmt)
    for node in names(stmt):
        while node.id in mapping:
            node.id = mapping[node.id]
    return stmt


def clone(node):
    """A deep copy of a gast tree, or of a list of them (much faster than copy.deepcopy):
    its fields copied, its other attributes (locations, markers such as _srcgrad_operand)
    shared. A gast node is its __dict__ (its constructor only fills it)."""
    if type(node) is list:
        return [clone(n) for n in node]
    if not isinstance(node, gast.AST):
        return node
    kind = type(node)
    fields = node.__dict__.copy()
    for name in kind._fields:
        value = fields.get(name)
        if type(value) is list or isinstance(value, gast.AST):
            fields[name] = clone(value)
    copied = kind.__new__(kind)
    copied.__dict__ = fields
    return copied


class Transformer(gast.NodeTransformer):
    """gast.NodeTransformer, the same visit, its method found once per node class and its
    walk without ast.iter_fields' generator (the passes visit every statement)."""

    _methods: dict = {}  # (transformer class, node class) -> its visit_ method, or None

    def visit(self, node):
        kind = type(node)
        method = Transformer._methods.get((type(self), kind), Transformer)
        if method is Transformer:
            method = Transformer._methods[type(self), kind] = getattr(
                type(self), "visit_" + kind.__name__, None)
        return self.generic_visit(node) if method is None else method(self, node)

    def generic_visit(self, node):
        ast_class, visit = gast.AST, self.visit
        for field in node._fields:
            old = getattr(node, field, Transformer)
            if type(old) is list:
                new = []
                for value in old:
                    if isinstance(value, ast_class):
                        value = visit(value)
                        if value is None:
                            continue
                        if not isinstance(value, ast_class):
                            new.extend(value)
                            continue
                    new.append(value)
                old[:] = new
            elif isinstance(old, ast_class):
                value = visit(old)
                if value is None:
                    delattr(node, field)
                else:
                    setattr(node, field, value)
        return node


def shallow_copy(node, **fields):
    """A copy of `node` sharing its children but for `fields` (a compound statement with
    a block changed: the original, a statement of the sweeps, stays as it was)."""
    copied = copy.copy(node)
    for name, value in fields.items():
        setattr(copied, name, value)
    return copied


def rewritten(body, transformer, found) -> list:
    """`body` with the statements where `found(node)` for some node rewritten by
    `transformer`, as copies: the sweeps' own statements stay as they were."""
    return [transformer.visit(clone(stmt)) if any(map(found, nodes(stmt))) else stmt
            for stmt in body]


def _located(node, like):
    if like is not None and getattr(like, "lineno", None) is not None:
        gast.copy_location(node, like)
    return node


def mark_written_out(node, helper: str) -> None:
    """Say that `node` is a statement (or part of one) of the helper `helper`, written out
    in its caller (inline.py): its location is the helper's own line."""
    node._srcgrad_helper = helper


def written_out_from(node) -> str | None:
    """The name of the helper `node` was written out from, or None."""
    return getattr(node, "_srcgrad_helper", None)


def exact(node):
    """The exact number (a Fraction) a constant stands for: what arithmetic folded into it
    was (number_folding.py), else its value as written; None for no finite number."""
    found = getattr(node, "_srcgrad_exact", None)
    value = number(node)
    if found is not None or value is None or not math.isfinite(value):
        return found
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def folded(value, exact_value) -> gast.Constant:
    """The constant `value`, computed while the code is generated from numbers whose exact
    result is `exact_value`."""
    node = const(value)
    node._srcgrad_exact = exact_value
    return node


def is_folded(node) -> bool:
    return getattr(node, "_srcgrad_exact", None) is not None


COMMENT_PREFIX = "\x00srcgrad-comment:"


def comment(text: str) -> gast.Expr:
    """A marker statement that code generation prints as `# text` (a line of it each)."""
    return gast.Expr(value=const(COMMENT_PREFIX + text))


TRAILING = "\x01"  # a comment that ends the line before it


def trailing_comment(text: str) -> gast.Expr:
    """A marker printed as `  # text` at the end of the statement before it."""
    return comment(TRAILING + text)


def comment_text(stmt) -> str:
    """The text of a marker made by `comment`."""
    return stmt.value.value[len(COMMENT_PREFIX):]


def is_comment(stmt) -> bool:
    """`stmt` is a marker made by `comment`."""
    return (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant)
            and isinstance(stmt.value.value, str) and stmt.value.value.startswith(COMMENT_PREFIX))


def delete(names) -> gast.Delete:
    """`del a, b, ...`."""
    return gast.Delete(targets=[gast.Name(id=n, ctx=gast.Del(), annotation=None,
                                          type_comment=None) for n in names])


def source_text(node) -> str:
    """Source text of a gast node (statements the passes built have no line numbers)."""
    try:
        return ast.unparse(ast.fix_missing_locations(gast.gast_to_ast(node))).strip()
    except Exception:  # an unusual node: still draw something
        return type(node).__name__



def name_binding(stmt):
    """`(name, value)` of `name = value`, with `name op= value` as `name op value`; else
    None (a tuple or subscript target, any other statement)."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(
            stmt.targets[0], gast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return stmt.target.id, gast.BinOp(left=load(stmt.target.id), op=stmt.op,
                                          right=stmt.value)
    return None


class NotStatic(Exception):
    """A test that is not made only of constants."""


def static_value(node):
    """The value of a test made only of constants, else raise NotStatic."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple):
        return tuple(static_value(e) for e in node.elts)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.Not):
        return not static_value(node.operand)
    if isinstance(node, gast.BoolOp):  # decided by its leading constants, as Python reads it
        deciding = isinstance(node.op, gast.Or)
        for operand in node.values:
            if bool(static_value(operand)) is deciding:
                return deciding
        return not deciding
    if isinstance(node, gast.Compare) and len(node.ops) == 1:
        left, right = static_value(node.left), static_value(node.comparators[0])
        if isinstance(node.ops[0], (gast.Is, gast.IsNot)) and not any(
                v is None or isinstance(v, bool) for v in (left, right)):
            raise NotStatic  # `is` of other constants depends on interning
        compare = {gast.Is: lambda a, b: a is b, gast.IsNot: lambda a, b: a is not b,
                   gast.Eq: lambda a, b: a == b, gast.NotEq: lambda a, b: a != b,
                   gast.In: lambda a, b: a in b, gast.NotIn: lambda a, b: a not in b,
                   gast.Lt: lambda a, b: a < b, gast.LtE: lambda a, b: a <= b,
                   gast.Gt: lambda a, b: a > b, gast.GtE: lambda a, b: a >= b}
        if type(node.ops[0]) in compare:
            return compare[type(node.ops[0])](left, right)
    raise NotStatic
