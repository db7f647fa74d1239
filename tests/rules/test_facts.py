"""The facts of the functions (rules/facts.py): one table, which no pass duplicates."""

import ast
import builtins
import math
import pathlib

import numpy as np
import pytest

import srcgrad
from srcgrad.rules import RULES, facts
from srcgrad.rules.facts import FACTS, facts_of, named

PACKAGE = pathlib.Path(srcgrad.__file__).resolve().parent
MODULES = [path for path in sorted(PACKAGE.rglob("*.py"))
           if path.relative_to(PACKAGE).parts[0] not in ("rules", "runtime")]


def _numpy_callable(name) -> bool:
    return isinstance(name, str) and name.isidentifier() and callable(getattr(np, name, None))


def _a_function(node) -> bool:
    """`np.exp`, `np.linalg.norm`, `math.log`, `builtins.len`: a function (not a type)."""
    path = []
    while isinstance(node, ast.Attribute):
        path.append(node.attr)
        node = node.value
    roots = {"np": np, "numpy": np, "math": math, "builtins": builtins}
    if not (isinstance(node, ast.Name) and node.id in roots and path):
        return False
    obj = roots[node.id]
    for name in reversed(path):
        obj = getattr(obj, name, None)
    return callable(obj) and not isinstance(obj, type)


def _lists_of_functions(path):
    """(line, text) of each set, list, tuple or dict literal in the module that names
    functions of NumPy, math or builtins, or methods and attributes of arrays."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            items = node.elts
        else:
            continue
        named_functions = 0
        for item in items:
            if _a_function(item):
                named_functions += 2
            elif (isinstance(item, ast.Call) and isinstance(item.func, ast.Name)
                  and item.func.id in ("method", "attribute")):
                named_functions += 2
            elif isinstance(item, ast.Constant) and _numpy_callable(item.value):
                named_functions += 1
        if named_functions >= 2:
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_no_pass_keeps_its_own_list_of_functions(path):
    assert _lists_of_functions(path) == []


def test_the_test_finds_a_list():
    assert _lists_of_functions(PACKAGE / "rules" / "facts.py")  # OPERATORS


def test_a_function_of_math_has_its_numpy_twins_facts_on_numbers():
    assert facts_of(math.exp).but(shape=0, dtype="promote") == facts_of(np.exp)
    assert facts_of(math.exp).shape == "number" and facts_of(builtins.float).shape == "number"


def test_aliases_are_one_function():
    assert facts_of(np.abs) is facts_of(np.absolute)
    assert "abs" in named("elementwise") and "absolute" in named("elementwise")


def test_every_elementwise_rule_has_the_facts_of_one():
    """A function with an elementwise adjoint rule (the passes read its facts) says so."""
    for key, rule in RULES.items():
        module = getattr(rule.template, "__module__", "")
        if module.endswith((".elementwise", ".selection")) and key is not np.clip:
            assert facts_of(key).shape is not None, key


def test_overridden_facts_come_back():
    before = facts_of(np.cosh)
    with facts.overridden(np.cosh, makes_new=False):
        assert not facts_of(np.cosh).makes_new and "cosh" in named("makes_new")  # math.cosh
    assert facts_of(np.cosh) == before and FACTS[np.cosh] is before


def test_facts_are_declared_once():
    """A key declared again with other facts is refused at import, naming the fields: one
    module describing a function differently from another left one of them silently wrong
    (np.split's `views_listed` overwritten by a plain VIEW declared elsewhere)."""
    key = object()
    facts.declare(key, facts=facts.UNARY)
    facts.declare(key, facts=facts.UNARY)  # the same facts again: fine
    with pytest.raises(ValueError, match=r"declared twice, differently \(makes_new=True then "
                                         r"False\)"):
        facts.declare(key, facts=facts.UNARY.but(makes_new=False))
    assert FACTS.pop(key) == facts.UNARY
