"""Portable code only (pipeline/portable.py): each `if` and `while` test of the code goes
through `runtime.array_kind.concrete`, which refuses a lazy value at the user's line
instead of letting Python compute the whole graph to branch on it."""

from __future__ import annotations

import gast

from ..ir import build


def guard_tests(function, code_name: str):
    """Wrap the tests of `function` (a gast FunctionDef, changed in place) in a call of
    `code_name` (the code's name for `concrete`)."""
    for node in gast.walk(function):
        if isinstance(node, (gast.If, gast.While, gast.IfExp)):
            test = node.test
            if not (isinstance(test, gast.Call) and getattr(test.func, "id", None) == code_name):
                node.test = build.call(build.load(code_name), test)
    return function
