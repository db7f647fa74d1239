"""Build the Graph of a function from its analyzed Unit (the front half's normalized,
SSA form)."""

from __future__ import annotations

import types
from typing import Any, Callable

import gast

from ..analysis import activity
from ..api.arguments import wrt_names
from ..api.hints import Wrt
from ..ir import build
from ..pipeline import analyze
from .model import Cluster, Edge, Graph, Node


def graph(func: Callable[..., Any], wrt: Wrt = 0, adjoint: bool = False) -> Graph:
    """The dataflow graph of `func` as srcgrad differentiates it with respect to `wrt`.

    `wrt` takes the same forms as `srcgrad.grad` (index, name, or a tuple of them).
    With `adjoint=True`, dashed reverse edges show where adjoints flow.
    """
    _, names, _ = wrt_names(func, wrt)
    unit = analyze(func, names)
    return GraphBuilder(unit, adjoint).build()


# --- DOT text -----------------------------------------------------------------------


class GraphBuilder:
    def __init__(self, unit, adjoint):
        self.unit = unit
        self.adjoint = adjoint
        self.active = set(unit.active)
        self.graph = Graph(unit.src.name, tuple(unit.wrt))
        self.ids: dict = {}  # statement -> node id
        self.by_id: dict = {}  # node id -> Node
        self.counts: dict = {}
        self.globals: dict = {}  # name -> node id
        self.edge_keys: set = set()
        self.cluster_ids: dict = {}  # if/loop statement -> (cluster id, else cluster id)

    def build(self) -> Graph:
        unit, g = self.unit, self.graph
        env = {}
        for name in unit.params:
            wrt = name in unit.wrt
            node_id = f"param_{name}"
            self.add(Node(node_id, "parameter" if wrt else "input", name, name,
                          active=name in self.active,
                          tooltip=f"{'wrt ' if wrt else ''}argument {name}"))
            env[name] = [node_id]
        self.place(unit.body, None)
        env = self.flow(unit.body, env, emit=True)
        self.add(Node("result", "result", unit.result, unit.result,
                      active=unit.result in self.active, tooltip="the returned value"))
        for source in self.sources(unit.result, env):
            self.edge(source, "result", active=unit.result in self.active)
            if self.adjoint and unit.result in self.active:
                self.edge("result", source, "adjoint", "seed")
        return g

    def add(self, node: Node):
        self.graph.nodes.append(node)
        self.by_id[node.id] = node

    def fresh(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]}"

    # Pass 1: a node per statement, a cluster per branch and loop body, in source order.

    def place(self, body, cluster):
        for stmt in body:
            if isinstance(stmt, gast.If):
                line = self.unit.src.user_line(stmt)
                number = self.fresh("if")[2:]
                ids = (f"cluster_if{number}", f"cluster_else{number}" if stmt.orelse else None)
                self.cluster_ids[stmt] = ids
                self.cluster(ids[0], "if", f"if {build.source_text(stmt.test)}", cluster, line,
                             stmt.body)
                if stmt.orelse:
                    self.cluster(ids[1], "else", "else", cluster, line, stmt.orelse)
            elif isinstance(stmt, (gast.For, gast.While)):
                line = self.unit.src.user_line(stmt)
                if isinstance(stmt, gast.For):
                    label = (f"for {build.source_text(stmt.target)} "
                             f"in {build.source_text(stmt.iter)}")
                else:
                    label = f"while {build.source_text(stmt.test)}"
                cluster_id = f"cluster_{self.fresh('loop')}"
                self.cluster_ids[stmt] = (cluster_id, None)
                self.graph.clusters.append(Cluster(cluster_id, "loop", label, cluster, line))
                if isinstance(stmt, gast.For):
                    target = build.source_text(stmt.target)
                    node_id = self.fresh("op")
                    self.ids[stmt] = node_id
                    self.add(Node(
                        node_id, "operation", "loop variable", target, active=False, line=line,
                        cluster=cluster_id, tooltip=self.tooltip(stmt, label)))
                self.place(stmt.body, cluster_id)
                if not stmt.body:
                    self.placeholder(cluster_id)
            else:
                node_id = self.fresh("op")
                self.ids[stmt] = node_id
                label, name = self.describe(stmt)
                self.add(Node(
                    node_id, "operation", label, name, active=name in self.active and bool(name),
                    line=self.unit.src.user_line(stmt), cluster=cluster,
                    tooltip=self.tooltip(stmt, build.source_text(stmt))))

    def cluster(self, cluster_id, kind, label, parent, line, body):
        self.graph.clusters.append(Cluster(cluster_id, kind, label, parent, line))
        self.place(body, cluster_id)
        if not body:
            self.placeholder(cluster_id)

    def placeholder(self, cluster_id):
        self.add(Node(f"empty_{cluster_id}", "empty", "(nothing)",
                                     cluster=cluster_id))

    def describe(self, stmt) -> tuple:
        """(label, assigned name) of a statement."""
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            return self.op(stmt).label, stmt.targets[0].id
        if isinstance(stmt, gast.Expr):
            return self.op(stmt).label, ""
        return type(stmt).__name__.lower(), ""

    def op(self, stmt):
        op = self.unit.ops.get(stmt)
        if op is None:
            op = self.unit.resolver.op(stmt.value)
        return op

    def tooltip(self, stmt, code: str) -> str:
        line = self.unit.src.user_line(stmt)
        if line is None:
            return f"{code}  (added by srcgrad)"
        user = self.unit.src.line_text(stmt.lineno).strip()
        return f"{code}\nline {line}: {user}" if user else f"{code}\nline {line}"

    # Pass 2: edges, following which statement last assigned each name on each path.

    def flow(self, body, env, emit):
        for stmt in body:
            if isinstance(stmt, gast.If):
                env = self.flow_if(stmt, env, emit)
            elif isinstance(stmt, (gast.For, gast.While)):
                env = self.flow_loop(stmt, env, emit)
            elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                target = stmt.targets[0].id
                if emit:
                    self.operation_edges(stmt, target, env)
                env[target] = [self.ids[stmt]]
            elif emit and isinstance(stmt, gast.Expr) and stmt in self.ids:
                self.operation_edges(stmt, None, env)
            elif emit and stmt in self.ids:
                for name in values_read(stmt):
                    for source in self.sources(name, env):
                        self.edge(source, self.ids[stmt], active=False)
        return env

    def flow_if(self, stmt, env, emit):
        if emit:
            if_id, else_id = self.cluster_ids[stmt]
            for name in values_read(stmt.test):
                for source in self.sources(name, env):
                    self.control(source, if_id, "True" if else_id else "")
                    if else_id:
                        self.control(source, else_id, "False")
        body_env = self.flow(stmt.body, dict(env), emit)
        else_env = self.flow(stmt.orelse, dict(env), emit)
        return _merge(body_env, else_env)

    def flow_loop(self, stmt, env, emit):
        entry = dict(env)
        if isinstance(stmt, gast.For):
            entry[build.source_text(stmt.target)] = [self.ids[stmt]]
        # One dry pass finds the values that reach the top of the body from its end.
        after_one = self.flow(stmt.body, dict(entry), emit=False)
        top = _merge(entry, after_one)
        if emit:
            cluster_id = self.cluster_ids[stmt][0]
            if isinstance(stmt, gast.For):
                for name in values_read(stmt.iter):
                    for source in self.sources(name, env):
                        self.edge(source, self.ids[stmt], active=False)
            else:
                for name in values_read(stmt.test):
                    for source in self.sources(name, top):
                        self.control(source, cluster_id, "")
        end = self.flow(stmt.body, dict(top), emit)
        return _merge(entry, end)  # a loop may run zero times

    def operation_edges(self, stmt, target, env):
        node_id = self.ids[stmt]
        op = self.op(stmt)
        active = target is not None and target in self.active
        operands = list(op.args) + list(op.kwargs.items())
        for operand in operands:
            label, expr = operand if isinstance(operand, tuple) else ("", operand)
            names = values_read(expr)
            if not names:
                const_id = self.fresh("const")
                self.add(Node(const_id, "constant", build.source_text(expr),
                                             cluster=self.by_id[node_id].cluster))
                self.edge(const_id, node_id, label=label, active=active)
            for name in names:
                for source in self.sources(name, env):
                    self.edge(source, node_id, label=label, active=active)
        if self.adjoint and active:
            try:
                differentiable = activity.differentiable_operands(
                    op, self.unit.bindings.get(stmt, {}))
            except Exception:  # a rule the bindings do not cover: draw no adjoint edges
                differentiable = []
            for name in dict.fromkeys(n.id for n in differentiable):
                if name in self.active:
                    for source in self.sources(name, env):
                        self.edge(node_id, source, "adjoint", f"d {name}")

    def sources(self, name, env) -> list:
        """The nodes whose value `name` may hold here: one per path that assigns it."""
        if name in env:
            return env[name]
        value = self.unit.resolver.lookup(name)
        if isinstance(value, types.ModuleType) or callable(value):
            return []  # `np` of np.pi, a function: not data
        return [self.free(name)]

    def free(self, name) -> str:
        """A node for a name the function reads from its module or closure."""
        if name not in self.globals:
            node_id = f"global_{name}"
            self.globals[name] = node_id
            self.add(Node(node_id, "global", name, name,
                                         tooltip=f"{name}: read from the module or closure"))
        return self.globals[name]

    def edge(self, source, target, kind="data", label="", active=True):
        key = (source, target, kind, label)
        if key not in self.edge_keys:
            self.edge_keys.add(key)
            self.graph.edges.append(Edge(source, target, kind, label, active))

    def control(self, source, cluster_id, label):
        inside = self.inside(cluster_id)
        first = next(n.id for n in self.graph.nodes if n.cluster in inside)
        # An edge can point at a cluster only from outside it (a while loop's test
        # recomputed in its body points back at the body's first node instead).
        lhead = None if self.by_id[source].cluster in inside else cluster_id
        key = (source, first, "control", cluster_id)
        if key not in self.edge_keys:
            self.edge_keys.add(key)
            self.graph.edges.append(Edge(source, first, "control", label, True, lhead))

    def inside(self, cluster_id) -> set:
        """`cluster_id` and the clusters nested in it."""
        inside = {cluster_id}
        for cluster in self.graph.clusters:  # parents come before their children
            if cluster.parent in inside:
                inside.add(cluster.id)
        return inside


def _merge(a: dict, b: dict) -> dict:
    merged = dict(a)
    for name, sources in b.items():
        merged[name] = list(dict.fromkeys(merged.get(name, []) + sources))
    return merged


def values_read(node) -> list:
    """Names whose values `node` reads, each once: not the functions it calls."""
    found = []

    def visit(sub):
        if isinstance(sub, gast.Name):
            if not isinstance(sub.ctx, gast.Store):
                found.append(sub.id)
        elif isinstance(sub, gast.Call):
            if isinstance(sub.func, gast.Attribute):  # x.sum() reads x; np.sum() reads nothing
                visit(sub.func.value)
            for arg in list(sub.args) + [k.value for k in sub.keywords]:
                visit(arg)
        else:
            for child in gast.iter_child_nodes(sub):
                visit(child)

    visit(node)
    return list(dict.fromkeys(found))
