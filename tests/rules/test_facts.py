"""The facts of the functions (rules/facts.py): one table, which no pass duplicates."""

import ast
import builtins
import math
import pathlib

import numpy as np
import pytest

import srcgrad
from srcgrad.rules import RULES, facts
from srcgrad.rules.facts import DECLARED, FACTS, facts_of, method, named

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


def test_a_later_declaration_loses_no_aliasing_fact():
    """A key declared twice (its rule's module and a list of facts elsewhere) keeps the
    facts the alias analysis relies on: np.split's `views_listed` was overwritten by a
    plain VIEW declared in another module (a silent wrong value)."""
    lost = {}
    for key, declared in DECLARED.items():
        final = declared[-1]
        for field in ("views_listed", "view", "writes_object", "writes_first"):
            if any(getattr(f, field) for f in declared) and not getattr(final, field):
                if field == "view" and key == method("flatten"):
                    continue  # a copy (shapes.py says so after `ravel`'s list of views)
                lost.setdefault(str(key), []).append(field)
    assert not lost, lost
