"""Control flow of generated code in the forms `jax.jit` traces: an `if` becomes two
functions of the values its branches bind, joined by `branch` (lax.cond, or a select of
both where they are cheap and safe to compute: flow.py decides from their jaxprs); a
counted `for` loop that fills a tape becomes one `lax.scan` step whose scanned output is
the tape, and the loop replaying that tape in reverse a scan over it; another counted
loop (a tangent sweep's) a scan carrying what it rebinds (so compile time does not grow
with the trip count). A write into an array item becomes `.at[...]`. What
is not converted stays Python: a loop of a known trip count is unrolled by the trace; a
branch on a traced value fails there, and the caller refuses it at the user's line."""

from __future__ import annotations

import itertools

import gast

from ...ir import build
from ..codegen import arguments, function

def convert(body: list, parameters: list, scan=True) -> list:
    """`body` (the statements of one generated function taking `parameters`) in the
    forms above; `scan=False` leaves loops to be unrolled."""
    pairs = _tape_pairs(body) if scan else {}
    body = _Converter(pairs, scan).block(body, set(parameters), [])
    return [_ListIndices().visit(stmt) for stmt in body]


class _ListIndices(gast.NodeTransformer):
    """Each index that may be a list (`x[idx]`, `x[[0, 2], 1:]`) read through `as_index`:
    NumPy takes a list as an integer or boolean array, jax.numpy refuses it. A constant
    or a slice stays as it is."""

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.slice, gast.Tuple):
            node.slice.elts = [_as_index(e) for e in node.slice.elts]
        else:
            node.slice = _as_index(node.slice)
        return node


def _as_index(node):
    if isinstance(node, (gast.Constant, gast.Slice)) or (
            isinstance(node, gast.UnaryOp) and isinstance(node.operand, gast.Constant)):
        return node
    return build.call(build.load("as_index"), node)


def _tape_pairs(body) -> dict:
    """{tape name: True} of tapes filled by one counted loop (its body appends to it once,
    at its top level) and replayed by one `for ... in reversed(tape)`, read nowhere else."""
    appended, replayed, other = {}, {}, set()
    for node in gast.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.For):
            tape = _appended_tape(node)
            if tape is not None and _is_range(node.iter):
                appended[tape] = appended.get(tape, 0) + 1
            iterated = _reversed_of(node.iter)
            if iterated is not None:
                replayed[iterated] = replayed.get(iterated, 0) + 1
    for node in gast.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute):
            owner = node.func.value
            if (isinstance(owner, gast.Name) and owner.id in appended
                    and node.func.attr != "append"):
                other.add(owner.id)
        if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
                and node.func.id not in ("reversed",)):
            other |= {a.id for a in node.args if isinstance(a, gast.Name)}
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
            other.add(node.value.id)
        if isinstance(node, (gast.Attribute,)) and isinstance(node.value, gast.Name) and (
                node.attr != "append"):
            other.add(node.value.id)
    return {t: True for t, n in appended.items()
            if n == 1 and replayed.get(t) == 1 and t not in other}


def _is_range(node) -> bool:
    return (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "range" and not node.keywords and 1 <= len(node.args) <= 3)


def _appended_tape(loop):
    found = [s for s in loop.body if _append_of(s) is not None]
    return _append_of(found[0]) if len(found) == 1 else None


def _append_of(stmt):
    """The tape name of a statement `tape.append(item)`, else None."""
    if (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)
            and isinstance(stmt.value.func, gast.Attribute)
            and stmt.value.func.attr == "append" and len(stmt.value.args) == 1
            and isinstance(stmt.value.func.value, gast.Name)):
        return stmt.value.func.value.id
    return None


def _reversed_of(node):
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Name)
            and node.func.id == "reversed" and len(node.args) == 1
            and isinstance(node.args[0], gast.Name)):
        return node.args[0].id
    return None


def _has_exit(stmts) -> bool:
    return any(isinstance(n, (gast.Return, gast.Break, gast.Continue, gast.Yield,
                              gast.Global, gast.Nonlocal))
               for n in gast.walk(gast.Module(body=list(stmts), type_ignores=[])))


class _Converter:
    def __init__(self, pairs, scan):
        self.pairs, self.scan = pairs, scan
        self.count = itertools.count(1)

    def block(self, stmts, defined: set, after_all: list) -> list:
        """`stmts` converted; `defined`: names bound before them (updated), `after_all`:
        the statements that run after this block (for what a loop leaves behind)."""
        out = []
        for i, stmt in enumerate(stmts):
            rest = list(stmts[i + 1:]) + after_all
            if isinstance(stmt, gast.If) and not _has_exit([stmt]):
                out.extend(self.if_(stmt, defined, rest))
            elif isinstance(stmt, gast.For) and not _has_exit(stmt.body) and not stmt.orelse:
                out.extend(self.for_(stmt, defined, rest))
            elif isinstance(stmt, gast.While) and not _has_exit(stmt.body) and not stmt.orelse:
                # stays a Python loop (its test must be known while tracing); its branches
                # are converted
                body = self._nested(stmt.body, set(defined), rest)
                defined |= build.stored([stmt])
                out.append(build.shallow_copy(stmt, body=body))
            else:
                out.append(_functional(stmt))
                defined |= build.stored([stmt])
        return out

    def _nested(self, stmts, defined, rest):
        return self.block(list(stmts), set(defined), rest)

    def if_(self, stmt, defined, rest):
        n = next(self.count)
        bound = sorted(build.stored(stmt.body) | build.stored(stmt.orelse))
        taken = [v for v in bound if v in defined]  # may be read before a branch rebinds it
        made = []
        for label, branch in (("then", stmt.body), ("otherwise", stmt.orelse)):
            binds = build.stored(branch) | set(taken)
            body = self._nested(branch, set(defined) | set(taken), rest) or [gast.Pass()]
            result = build.tuple_([build.load(v) if v in binds else build.const(None)
                                   for v in bound])
            made.append(function(f"{label}_{n}", arguments(taken),
                                 body + [gast.Return(value=result)]))
        join = build.call(build.load("branch"), build.clone(stmt.test),
                          build.load(made[0].name), build.load(made[1].name),
                          *[build.load(v) for v in taken])
        defined |= set(bound)
        if not bound:
            return made + [gast.Expr(value=join)]
        return made + [_located(build.assign_to(_targets(bound), join, stmt), stmt)]

    def for_(self, stmt, defined, rest):
        tape = _appended_tape(stmt) if _is_range(stmt.iter) else None
        replayed = _reversed_of(stmt.iter)
        if tape in self.pairs and _is_range(stmt.iter):
            made = self.forward_scan(stmt, tape, defined, rest)
        elif replayed in self.pairs:
            made = self.backward_scan(stmt, replayed, defined, rest)
        elif self.scan and _is_range(stmt.iter) and not _grows_a_list(stmt.body):
            made = self.counted_scan(stmt, defined, rest)
        else:
            made = None
        if made is None:  # stays a Python loop (the trace unrolls it)
            body = self._nested(stmt.body, set(defined) | build.stored([stmt.target]), rest)
            defined |= build.stored([stmt])
            return [build.shallow_copy(stmt, body=body)]
        return made

    def _carried(self, stmt, defined, rest, exclude):
        """The names a loop body rebinds that were bound before it; None if a name it binds
        first is read after it (Python leaves the last step's value there)."""
        inner = build.stored(stmt.body) | build.stored([stmt.target])
        after = build.exposed_reads(rest)
        leaked = {v for v in inner - set(defined) - exclude if v in after}
        if leaked or (build.stored([stmt.target]) & after):
            return None
        return sorted((build.stored(stmt.body) & set(defined)) - exclude
                      - build.stored([stmt.target]))

    def forward_scan(self, stmt, tape, defined, rest):
        carried = self._carried(stmt, defined, rest, {tape})
        if carried is None:
            return None
        n = next(self.count)
        item = f"tape_item_{n}"
        body = [build.assign_to(build.store(item), build.clone(s.value.args[0]), s)
                if _append_of(s) == tape else s for s in stmt.body]
        body = self._nested(body, set(defined) | build.stored([stmt.target]) | set(carried),
                            rest)
        step = function(f"step_{n}", arguments(["carry", _target_name(stmt)]), [
            build.assign_to(_targets(carried), build.load("carry"), stmt)] + body + [
            gast.Return(value=build.tuple_([build.tuple_([build.load(v) for v in carried]),
                                            build.load(item)]))])
        call = build.call(build.load("scan_range"), build.load(step.name),
                          build.tuple_([build.load(v) for v in carried]),
                          *[build.clone(a) for a in stmt.iter.args])
        defined |= set(carried) | {tape}
        return [step, _located(build.assign_to(build.tuple_(
            [_targets(carried), build.store(tape)]), call, stmt), stmt)]

    def counted_scan(self, stmt, defined, rest):
        """A counted loop without a `.append` tape (a tangent sweep's, an accumulation) as
        one scan carrying the values it rebinds; a list it grows by `T = appended(T,
        item)` alone (the forward mode of a gradient's loop) as the scan's stacked output
        (flow.Stacked). None if it rebinds nothing."""
        carried = self._carried(stmt, defined, rest, set())
        if not carried:
            return None
        n = next(self.count)
        grown = _grown_lists(stmt.body, carried)
        items = {t: f"tape_item_{n}_{j}" for j, t in enumerate(grown)}
        body = []
        for s in stmt.body:
            tape = _appended_to(s)
            if tape in grown and s.targets[0].id == grown[tape]:
                body.append(build.assign_to(build.store(items[tape]),
                                            build.clone(s.value.args[1]), s))
            elif not (_rebinding(s) in grown and s.value.id == grown[s.targets[0].id]):
                body.append(s)
        carried = [v for v in carried if v not in grown]
        body = self._nested(body, set(defined) | build.stored([stmt.target])
                            | set(carried), rest)
        step = function(f"step_{n}", arguments(["carry", _target_name(stmt)]), [
            build.assign_to(_targets(carried), build.load("carry"), stmt)] + body + [
            gast.Return(value=build.tuple_([build.tuple_([build.load(v) for v in carried]),
                                            build.tuple_([build.load(items[t])
                                                          for t in grown])]))])
        call = build.call(build.load("loop_range"), build.load(step.name),
                          build.tuple_([build.load(v) for v in carried]),
                          build.tuple_([build.load(t) for t in grown]),
                          *[build.clone(a) for a in stmt.iter.args])
        defined |= set(carried) | set(grown)
        targets = build.tuple_([_targets(carried), _targets(list(grown))])
        return [step, _located(build.assign_to(targets, call, stmt), stmt)]

    def backward_scan(self, stmt, tape, defined, rest):
        carried = self._carried(stmt, defined, rest, set())
        if carried is None:
            return None
        n = next(self.count)
        body = self._nested(stmt.body, set(defined) | build.stored([stmt.target])
                            | set(carried), rest)
        step = function(f"replay_{n}", arguments(["carry", "item"]), [
            build.assign_to(_targets(carried), build.load("carry"), stmt),
            build.assign_to(_as_store(stmt.target), build.load("item"), stmt)] + body + [
            gast.Return(value=build.tuple_([build.tuple_([build.load(v) for v in carried]),
                                            build.const(None)]))])
        call = build.call(build.load("scan_reversed"), build.load(step.name),
                          build.tuple_([build.load(v) for v in carried]), build.load(tape))
        defined |= set(carried)
        return [step, _located(build.assign_to(_targets(carried), call, stmt), stmt)]


def _grown_lists(body, carried) -> dict:
    """{T: X} of the carried names a loop body grows by `X = appended(T, item)` and
    `T = X` (both at its top level), read nowhere else in it: a tape kept as a list."""
    reads = {}
    for node in gast.walk(gast.Module(body=list(body), type_ignores=[])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
    grown = {}
    for s in body:
        tape = _appended_to(s)
        if tape in carried and reads[tape] == 1:
            grown[tape] = s.targets[0].id
    return {t: x for t, x in grown.items()
            if reads.get(x) == 1 and sum(1 for s in body if t in build.stored([s])) == 1
            and any(_rebinding(s) == t and s.value.id == x for s in body)}


def _appended_to(stmt):
    """T of a statement `X = appended(T, item)`, else None."""
    if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Call)
            and isinstance(stmt.value.func, gast.Name) and stmt.value.func.id == "appended"
            and len(stmt.value.args) == 2 and not stmt.value.keywords
            and isinstance(stmt.value.args[0], gast.Name)):
        return stmt.value.args[0].id
    return None


def _rebinding(stmt):
    """T of a statement `T = X` (names), else None."""
    if (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name) and isinstance(stmt.value, gast.Name)):
        return stmt.targets[0].id
    return None


_GROWING = (list.append, list.extend, list.insert)


def _grows_a_list(stmts) -> bool:
    """A list appended to or extended: its length would change from step to step."""
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
               and getattr(list, n.func.attr, None) in _GROWING
               for n in gast.walk(gast.Module(body=list(stmts), type_ignores=[])))


def _target_name(stmt):
    return stmt.target.id if isinstance(stmt.target, gast.Name) else "step_index"


def _targets(names):
    return build.tuple_([build.store(v) for v in names])


def _as_store(node):
    node = build.clone(node)
    for name in build.names(node):
        name.ctx = gast.Store()
    return node


def _located(node, like):
    return gast.copy_location(node, like) if hasattr(like, "lineno") else node


def _functional(stmt):
    """`x[i] = v` as `x = x.at[i].set(v)`, `x[i] += v` as `x = x.at[i].add(v)`: JAX arrays
    are not written into."""
    target = stmt.targets[0] if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 \
        else getattr(stmt, "target", None)
    if not (isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name)):
        return stmt
    name = target.value.id
    at = gast.Subscript(value=build.attr(build.load(name), "at"),
                        slice=build.clone(target.slice), ctx=gast.Load())
    if isinstance(stmt, gast.Assign):
        value = build.call(build.attr(at, "set"), build.clone(stmt.value))
    elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, (gast.Add, gast.Sub,
                                                                   gast.Mult, gast.Div)):
        operand = build.clone(stmt.value)
        if isinstance(stmt.op, gast.Sub):
            operand = gast.UnaryOp(op=gast.USub(), operand=operand)
        method = {gast.Add: "add", gast.Sub: "add", gast.Mult: "multiply",
                  gast.Div: "divide"}[type(stmt.op)]
        value = build.call(build.attr(at, method), operand)
    else:
        return stmt
    return _located(build.assign(name, value), stmt)
