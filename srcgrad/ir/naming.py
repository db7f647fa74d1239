"""Deterministic, collision-free names for temporaries, versions and adjoints."""

from __future__ import annotations

import builtins

import gast

from . import build


def names_in(tree) -> set[str]:
    """Every identifier that appears in `tree` (names, parameters, attributes of names)."""
    found = set()
    for node in build.nodes(tree):
        if isinstance(node, gast.Name):
            found.add(node.id)
        elif isinstance(node, gast.FunctionDef):
            found.add(node.name)
    return found


class Namer:
    """Hands out names that never collide with the user's names or each other.

    Names are derived from the user's (`err` -> `err_1`, adjoint `d_err`) with
    counters, never random, so the generated code is stable between runs.
    """

    def __init__(self, taken):
        self.taken = set(taken) | set(dir(builtins))
        self._adjoints: dict[str, str] = {}
        self._tangents: dict[str, str] = {}
        self._next: dict[str, int] = {}  # pattern -> the first number _numbered may give

    def fresh(self, base: str) -> str:
        """`base` itself if free, else `base_1`, `base_2`, ..."""
        n = self._next.get(base, 0)  # (keyed apart from the patterns: no "{}" in a base)
        candidate = f"{base}_{n}" if n else base
        while candidate in self.taken:
            n += 1
            candidate = f"{base}_{n}"
        self._next[base] = n + 1
        self.taken.add(candidate)
        return candidate

    def temp(self) -> str:
        """A temporary: `t1`, `t2`, ..."""
        return self._numbered("t{}")

    def version(self, base: str) -> str:
        """A new SSA version of a user variable that is assigned again."""
        return self._numbered(base + "_{}")

    def _numbered(self, pattern: str) -> str:
        # the numbers below the last one given are taken (no name is ever freed): start
        # there, not at 1 (a long function asks thousands of times)
        n = self._next.get(pattern, 1)
        while pattern.format(n) in self.taken:
            n += 1
        self._next[pattern] = n + 1
        self.taken.add(pattern.format(n))
        return pattern.format(n)

    def adjoints(self) -> dict[str, str]:
        """{name: its adjoint's name} for every adjoint named so far."""
        return dict(self._adjoints)

    def adjoint(self, name: str) -> str:
        """The adjoint of `name`: `d_name`, or `d_name_1`... if the user has a `d_name`."""
        if name not in self._adjoints:
            self._adjoints[name] = self.fresh(f"d_{name}")
        return self._adjoints[name]

    def tangent(self, name: str) -> str:
        """The tangent of `name`: `name_dot`, or `name_dot_1`... if that is taken."""
        if name not in self._tangents:
            self._tangents[name] = self.fresh(f"{name}_dot")
        return self._tangents[name]
