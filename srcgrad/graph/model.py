"""The Graph of a function's dataflow: nodes, edges and clusters, as DOT text or rendered
by Graphviz."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

from ..errors import SrcGradError

# kind -> DOT attributes. Colours are Graphviz/X11 colour names.
_NODE_STYLE = {
    "parameter": {"shape": "box", "style": "filled", "fillcolor": "lightblue"},
    "input": {"shape": "box", "style": "filled", "fillcolor": "lightgrey"},
    "operation": {"shape": "box", "style": "rounded"},
    "inactive": {"shape": "box", "style": "rounded,dashed", "color": "gray70",
                 "fontcolor": "gray55"},
    "result": {"shape": "box", "style": "filled", "fillcolor": "palegreen"},
    "constant": {"shape": "plaintext", "fontcolor": "gray40", "fontsize": "9"},
    "global": {"shape": "box", "style": "dashed", "color": "gray60", "fontcolor": "gray40"},
    "empty": {"shape": "plaintext", "fontcolor": "gray55", "fontsize": "9"},
}
_EDGE_STYLE = {
    "data": {},
    "inactive": {"color": "gray70"},
    "adjoint": {"style": "dashed", "color": "firebrick", "fontcolor": "firebrick",
                "constraint": "false"},
    "control": {"style": "dotted", "color": "gray45", "fontcolor": "gray45",
                "arrowhead": "odot"},
}
_CLUSTER_STYLE = {
    "if": {"style": "rounded,dashed", "color": "steelblue", "fontcolor": "steelblue"},
    "else": {"style": "rounded,dashed", "color": "gray50", "fontcolor": "gray35"},
    "loop": {"style": "rounded", "color": "darkorange", "fontcolor": "darkorange3"},
}
_RENDERED = (".svg", ".png", ".pdf")
_DOT_TEXT = (".dot", ".gv")


@dataclass(frozen=True)
class Node:
    """A parameter, operation, constant, global, or the result.

    `kind` is one of "parameter" (a wrt argument), "input" (any other argument),
    "operation", "constant", "global" (a name from the module or closure),
    "result", or "empty" (a placeholder in an empty branch).
    """

    id: str
    kind: str
    label: str  # rule label for operations ("*", "np.sum"), the name for values
    name: str = ""  # the value it stands for: parameter, assigned or result name
    active: bool = False  # carries an adjoint
    line: int | None = None  # line in the user's file
    cluster: str | None = None  # id of the innermost cluster holding it
    tooltip: str = ""


@dataclass(frozen=True)
class Edge:
    """`kind` is "data" (operand -> operation), "adjoint" (reverse, dashed) or
    "control" (condition -> branch or loop)."""

    source: str
    target: str
    kind: str = "data"
    label: str = ""
    active: bool = True
    lhead: str | None = None  # the cluster a control edge points at


@dataclass(frozen=True)
class Cluster:
    """One branch of an `if` (kind "if" / "else") or the body of a loop ("loop")."""

    id: str
    kind: str
    label: str  # "if cond", "else", "for i in range(n)", "while cond"
    parent: str | None = None
    line: int | None = None


@dataclass
class Graph:
    """The dataflow of a function: see the module docstring. Build it with `graph()`."""

    name: str
    wrt: tuple
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    clusters: list = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def nodes_of(self, *kinds) -> list:
        return [n for n in self.nodes if n.kind in kinds]

    def edges_of(self, *kinds) -> list:
        return [e for e in self.edges if e.kind in kinds]

    def to_dot(self) -> str:
        """The graph as Graphviz DOT text."""
        title = f"{self.name}, gradient with respect to {', '.join(self.wrt)}"
        lines = [f"digraph {quote(self.name)} {{",
                 "  graph " + attributes({"compound": "true", "rankdir": "TB", "label": title,
                                          "labelloc": "t", "fontname": "Helvetica",
                                          "fontsize": "12", "newrank": "true"}) + ";",
                 "  node " + attributes({"fontname": "Helvetica", "fontsize": "11"}) + ";",
                 "  edge " + attributes({"fontname": "Helvetica", "fontsize": "9"}) + ";"]
        children: dict = {}
        for cluster in self.clusters:
            children.setdefault(cluster.parent, []).append(cluster)
        members: dict = {}
        for node in self.nodes:
            members.setdefault(node.cluster, []).append(node)

        def emit(cluster_id, indent):
            pad = "  " * indent
            for node in members.get(cluster_id, []):
                lines.append(f"{pad}{quote(node.id)} {attributes(_node_attributes(node))};")
            for cluster in children.get(cluster_id, []):
                lines.append(f"{pad}subgraph {quote(cluster.id)} {{")
                style = dict(_CLUSTER_STYLE[cluster.kind], label=cluster.label, labeljust="l",
                             fontsize="10")
                if cluster.line is not None:
                    style["tooltip"] = f"line {cluster.line}"
                lines.extend(f"{pad}  {key}={quote(value)};" for key, value in style.items())
                emit(cluster.id, indent + 1)
                lines.append(f"{pad}}}")

        emit(None, 1)
        inputs = [n.id for n in self.nodes if n.kind in ("parameter", "input")]
        if inputs:
            lines.append("  { rank=min; " + " ".join(quote(i) + ";" for i in inputs) + " }")
        constants = {n.id for n in self.nodes if n.kind in ("constant", "global")}
        for edge in self.edges:
            attrs = dict(_EDGE_STYLE["inactive" if edge.kind == "data" and not edge.active
                                     else edge.kind])
            if edge.kind == "data" and edge.source in constants:
                attrs.update(color="gray60", arrowsize="0.6")
            if edge.label:
                attrs["label"] = edge.label
            if edge.lhead:
                attrs["lhead"] = edge.lhead
            if edge.kind == "adjoint":
                attrs["tooltip"] = f"adjoint: {edge.label or 'gradient'} flows back"
            suffix = f" {attributes(attrs)}" if attrs else ""
            lines.append(f"  {quote(edge.source)} -> {quote(edge.target)}{suffix};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def render(self, path) -> str:
        """Write the graph to `path`: .dot/.gv as text, .svg/.png/.pdf through Graphviz.

        Rendering needs the `graphviz` Python package and Graphviz's `dot`
        program; without them this raises SrcGradError saying what to install.
        Returns the path written.
        """
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        if ext in _DOT_TEXT:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(self.to_dot())
            return path
        if ext not in _RENDERED:
            raise SrcGradError(f"cannot write {path}: unknown graph format {ext or '(none)'!r}; "
                               "use .dot, .gv, .svg, .png or .pdf")
        data = _run_dot(self.to_dot(), ext[1:], path)
        with open(path, "wb") as fh:
            fh.write(data)
        return path

    def _repr_svg_(self):  # Jupyter shows the graph inline where Graphviz is installed
        try:
            return _run_dot(self.to_dot(), "svg", "the notebook").decode("utf-8")
        except SrcGradError:
            return None


def quote(text) -> str:
    """A DOT double-quoted string: backslashes, quotes and newlines escaped."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\n").replace("\n", "\\n") + '"'


def attributes(attrs: dict) -> str:
    """`[key="value", ...]` with every value quoted."""
    return "[" + ", ".join(f"{key}={quote(value)}" for key, value in attrs.items()) + "]"


def _node_attributes(node: Node) -> dict:
    style = "inactive" if node.kind == "operation" and not node.active else node.kind
    attrs = {"label": node.label if node.kind != "operation" or not node.name
             else f"{node.label}\n{node.name}"}
    attrs.update(_NODE_STYLE[style])
    if node.tooltip:
        attrs["tooltip"] = node.tooltip
    return attrs


def _run_dot(text: str, fmt: str, what: str) -> bytes:
    try:
        import graphviz
    except ImportError:
        raise SrcGradError(
            f"cannot write {what}: rendering needs the graphviz Python package "
            "(pip install graphviz) and Graphviz's dot program (apt-get install graphviz, "
            "or brew install graphviz); or write a .dot file instead") from None
    if shutil.which("dot") is None:
        raise SrcGradError(
            f"cannot write {what}: Graphviz's dot program is not on PATH (apt-get install "
            "graphviz, or brew install graphviz); or write a .dot file instead") from None
    try:
        return graphviz.Source(text).pipe(format=fmt)
    except Exception as exc:  # ExecutableNotFound, CalledProcessError, bad format
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SrcGradError(f"cannot write {what}: Graphviz failed: {first}") from None


# --- building the graph from the analyzed unit ------------------------------------
