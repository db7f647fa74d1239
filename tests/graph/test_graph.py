"""srcgrad.graph: the dataflow Graph of a function, its DOT text, and rendering."""

import re
import shutil
import sys

import numpy as np
import pytest

from srcgrad import SrcGradError
from srcgrad.graph import Graph, graph, quote

SCALE = 0.5


def loss(w, b, x, y):
    yhat = x @ w + b
    err = yhat - y
    if np.mean(err) > 0:
        err = err * 2.0
    else:
        err = -err
    return np.sum(err ** 2) + SCALE * np.sum(w.T ** 2)


def nested(x, flag):
    if flag:
        if np.sum(x) > 0:
            y = np.sin(x)
        else:
            y = np.cos(x)
    else:
        y = x * 3.0
    return np.sum(y)


def looped(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.sum(x * x)
    return s


def by_label(g, label):
    return [n for n in g.nodes if n.label == label]


def producer(g, name):
    """The operation nodes that assign `name`."""
    return [n for n in g.nodes if n.kind == "operation" and n.name == name]


def reaches(g, source, target, kind="data"):
    succ = {}
    for e in g.edges_of(kind):
        succ.setdefault(e.source, []).append(e.target)
    seen, todo = {source}, [source]
    while todo:
        for nxt in succ.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return target in seen


def test_a_node_per_parameter_coloured_by_wrt():
    g = graph(loss, wrt=("w", "b"))
    assert isinstance(g, Graph) and g.wrt == ("w", "b")
    params = {n.label: n for n in g.nodes_of("parameter", "input")}
    assert list(params) == ["w", "b", "x", "y"]
    assert params["w"].kind == params["b"].kind == "parameter"
    assert params["x"].kind == params["y"].kind == "input"
    dot = g.to_dot()
    assert re.search(r'"param_w" \[label="w".*fillcolor="lightblue"', dot)
    assert re.search(r'"param_x" \[label="x".*fillcolor="lightgrey"', dot)


def test_one_box_per_operation_named_by_its_rule_label():
    g = graph(loss, wrt="w")
    labels = [n.label for n in g.nodes_of("operation")]
    for label in ("@", "+", "-", "np.mean", "*", "**", "np.sum", ".T"):
        assert label in labels
    matmul, = by_label(g, "@")
    assert matmul.name == "t1" and matmul.active and matmul.line == loss.__code__.co_firstlineno + 1
    # the condition carries no gradient: dimmed
    mean, = by_label(g, "np.mean")
    assert not mean.active
    assert 'color="gray70"' in re.search(rf'"{mean.id}" \[.*\];', g.to_dot()).group(0)


def test_edges_follow_the_dataflow_to_the_result():
    g = graph(loss, wrt=("w", "b"))
    matmul, = by_label(g, "@")
    sources = {e.source for e in g.edges_of("data") if e.target == matmul.id}
    assert sources == {"param_x", "param_w"}
    for param in ("param_w", "param_b", "param_x", "param_y"):
        assert reaches(g, param, "result")
    result = g.node("result")
    assert result.kind == "result" and result.label == "loss"
    # both branches assign err_1: the square after the if reads either
    err_1 = {p.id for p in producer(g, "err_1")}
    assert len(err_1) == 2
    square, = {e.target for e in g.edges_of("data") if e.source in err_1}
    assert g.node(square).label == "**"
    assert err_1 <= {e.source for e in g.edges_of("data") if e.target == square}
    # a module-level constant is an input of its own
    scale, = [n for n in g.nodes if n.kind == "global"]
    assert scale.label == "SCALE"


def test_a_cluster_per_branch():
    g = graph(loss, wrt="w")
    kinds = {c.kind: c for c in g.clusters}
    assert kinds["if"].label == "if cond" and kinds["else"].label == "else"
    assert kinds["if"].line == kinds["else"].line == loss.__code__.co_firstlineno + 3
    in_if = [n.label for n in g.nodes if n.cluster == kinds["if"].id and n.kind == "operation"]
    in_else = [n.label for n in g.nodes if n.cluster == kinds["else"].id
               and n.kind == "operation"]
    assert in_if == ["*"] and in_else == ["-"]
    control = g.edges_of("control")
    assert sorted(e.lhead for e in control) == sorted([kinds["if"].id, kinds["else"].id])
    assert {e.label for e in control} == {"True", "False"}
    assert {g.node(e.source).name for e in control} == {"cond"}


def test_nested_branches_nest_their_clusters():
    g = graph(nested)
    outer_if, inner_if, inner_else, outer_else = g.clusters
    assert (outer_if.label, outer_else.label) == ("if flag", "else")
    assert inner_if.parent == inner_else.parent == outer_if.id
    assert outer_if.parent is None and outer_else.parent is None
    assert [n.label for n in g.nodes if n.cluster == inner_if.id] == ["np.sin"]
    # the flag is a data input steering the outer if
    assert any(e.source == "param_flag" and e.lhead == outer_if.id for e in g.edges_of("control"))


def test_loops_are_clusters():
    g = graph(looped)
    loop, = g.clusters
    assert loop.kind == "loop" and loop.label == "for i in range(n)"
    assert "+" in [n.label for n in g.nodes if n.cluster == loop.id]
    assert reaches(g, "param_x", "result")


def test_adjoint_edges_reverse_active_data_edges_only():
    assert graph(loss, wrt="w").edges_of("adjoint") == []
    g = graph(loss, wrt=("w", "b"), adjoint=True)
    adjoint = g.edges_of("adjoint")
    assert adjoint
    data = {(e.source, e.target) for e in g.edges_of("data")}
    for edge in adjoint:
        assert (edge.target, edge.source) in data
        assert g.node(edge.target).active
    assert {e.target for e in adjoint} >= {"param_w", "param_b"}
    assert not {e.target for e in adjoint} & {"param_x", "param_y"}
    assert ("result", producer(g, "loss")[0].id) in {(e.source, e.target) for e in adjoint}
    assert 'style="dashed"' in g.to_dot()


NODE = re.compile(r'^\s*"([^"]+)" \[(.*)\];$')
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)"(?: \[(.*)\])?;$')


def test_dot_text_lists_every_node_and_edge_once():
    g = graph(loss, wrt=("w", "b"), adjoint=True)
    dot = g.to_dot()
    assert dot.startswith('digraph "loss" {') and dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")
    nodes = [m.group(1) for m in map(NODE.match, dot.splitlines()) if m]
    edges = [m.groups()[:2] for m in map(EDGE.match, dot.splitlines()) if m]
    assert sorted(nodes) == sorted(n.id for n in g.nodes) and len(set(nodes)) == len(nodes)
    assert edges == [(e.source, e.target) for e in g.edges]
    assert 'subgraph "cluster_if1" {' in dot and 'label="if cond";' in dot
    assert graph(loss, wrt=("w", "b"), adjoint=True).to_dot() == dot  # deterministic


def test_quote_escapes_dot_strings():
    assert quote('say "hi"') == '"say \\"hi\\""'
    assert quote("a\\b") == '"a\\\\b"'
    assert quote("two\nlines") == '"two\\nlines"'
    assert quote(3) == '"3"'


def test_render_writes_dot_text(tmp_path):
    g = graph(loss, wrt="w")
    path = g.render(tmp_path / "loss.dot")
    assert open(path, encoding="utf-8").read() == g.to_dot()


def test_render_refuses_unknown_formats(tmp_path):
    with pytest.raises(SrcGradError, match=r"\.dot"):
        graph(loss).render(tmp_path / "loss.txt")


def test_render_without_graphviz_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` fails
    with pytest.raises(SrcGradError) as info:
        graph(loss).render(tmp_path / "loss.svg")
    message = str(info.value)
    assert "pip install graphviz" in message and "apt-get install graphviz" in message
    assert "brew install graphviz" in message and ".dot" in message
    assert not (tmp_path / "loss.svg").exists()


def test_render_without_dot_says_what_to_install(tmp_path, monkeypatch):
    pytest.importorskip("graphviz")
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(SrcGradError, match="apt-get install graphviz"):
        graph(loss).render(tmp_path / "loss.png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg(tmp_path):
    pytest.importorskip("graphviz")
    path = graph(loss, wrt=("w", "b"), adjoint=True).render(tmp_path / "loss.svg")
    text = open(path, encoding="utf-8").read()
    assert "<svg" in text and "np.sum" in text


def test_graph_refuses_what_srcgrad_refuses():
    with pytest.raises(SrcGradError):
        graph(loss, wrt="nope")
    with pytest.raises(SrcGradError):
        graph(np.sum)
