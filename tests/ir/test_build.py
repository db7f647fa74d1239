"""build.py: the node constructors and the name walker the passes share."""

import inspect

import gast

from srcgrad.ir import build
from srcgrad.pipeline import analyze


def annotated(x: "Sequence[int]", *rest, k=lambda q: q + 1, **more):
    for i, (a, b) in enumerate(zip(x, rest)):
        if a > b:
            x[i] = {a: b, **more}[a]
        else:
            del x[i]
    return [k(v) for v in x if v], f"{x!r:>{k(1)}}"


def test_names_are_those_gast_walk_finds_in_the_same_order():
    tree = gast.parse(inspect.getsource(annotated))
    for node in [tree] + list(gast.walk(tree)):
        expected = [n for n in gast.walk(node) if isinstance(n, gast.Name)]
        found = build.names(node)
        assert [id(n) for n in found] == [id(n) for n in expected]
        assert [id(n) for n in build.nodes(node)] == [id(n) for n in gast.walk(node)]
    assert [n.id for n in build.names(tree.body[0].args)] == ["x", "rest", "k", "more", "q", "q"]


def test_names_of_a_list_of_statements():
    body = gast.parse("a = b + c\nd, e = f(a)\n").body
    assert [n.id for n in build.names(body)] == ["a", "b", "c", "d", "e", "f", "a"]
    assert build.loaded(body) == {"b", "c", "f", "a"}
    assert build.stored(body) == {"a", "d", "e"}
    assert build.stored(body[1].targets[0]) == {"d", "e"}


def test_names_of_a_whole_pipeline_body():
    unit = analyze(annotated_free, ("x",))
    expected = [n for s in unit.body for n in gast.walk(s) if isinstance(n, gast.Name)]
    assert [n.id for n in build.names(unit.body)] == [n.id for n in expected]


def annotated_free(x):
    y = x * 2.0
    if y > 1.0:
        y = y + x
    return y * y


def test_clone_is_deep_and_keeps_locations_and_markers():
    stmt = gast.parse("d[x] = f(a, b=-1.5)\n").body[0]
    stmt.targets[0]._srcgrad_operand = True
    copied = build.clone(stmt)
    assert gast.dump(copied, include_attributes=True) == gast.dump(stmt, include_attributes=True)
    assert copied.targets[0]._srcgrad_operand is True
    originals = {id(n) for n in gast.walk(stmt)}
    assert not originals & {id(n) for n in gast.walk(copied)}
    copied.value.args[0].id = "changed"
    assert stmt.value.args[0].id == "a"


def test_instantiating_a_rule_leaves_its_template_as_it_was():
    from srcgrad.ad import templates
    unit = analyze(annotated_free, ("x",))
    stmt = next(s for s in unit.ops if unit.ops[s].rule is not None
                and unit.ops[s].rule.template is not None)
    rule = unit.ops[stmt].rule
    before = [gast.dump(s) for s in templates._prepared(rule)[2]]
    first = templates.instantiate(rule, unit.bindings[stmt], "y", unit)
    second = templates.instantiate(rule, unit.bindings[stmt], "y", unit)
    assert [gast.dump(s) for s in templates._prepared(rule)[2]] == before
    assert [gast.dump(s) for s in first] != [] and first[0] is not second[0]
    assert not {id(n) for s in first for n in gast.walk(s)} & {id(n) for s in second
                                                               for n in gast.walk(s)}
