"""Portable code only (pipeline/portable.py), the last rewrites and checks of the code
for duck arrays: each `if` and `while` test goes through `runtime.array_kind.concrete`,
which refuses a lazy value at the user's line instead of letting Python compute the
whole graph to branch on it; a runtime helper that computes with NumPy arrays alone is
refused at the line whose adjoint calls it, before anything runs."""

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


def refuse_numpy_only(unit, functions, numpy_only: frozenset, kind):
    """A SrcGradError if the code of `functions` calls a helper named in `numpy_only` (by
    the runtime's name of the object the code's name is bound to)."""
    banned = {code: getattr(obj, "__name__", code) for code, obj in unit.code_names.items()
              if getattr(obj, "__name__", None) in numpy_only}
    if not banned:
        return
    for function in functions:
        for stmt in build.statements(function.body):
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                continue  # (its statements come next)
            calls = [n for n in gast.walk(stmt) if isinstance(n, gast.Call)
                     and isinstance(n.func, gast.Name) and n.func.id in banned]
            if calls:
                helper = banned[calls[0].func.id]
                kinds = ", ".join(f"{name.split('.')[0]} {name.rsplit('.', 1)[-1]}"
                                  for name in kind[1:])
                raise unit.src.error(
                    stmt if getattr(stmt, "lineno", None) else None,
                    f"the gradient of this line needs srcgrad's `{helper}`, which computes "
                    f"with NumPy arrays only: it would convert the {kinds} arrays to NumPy "
                    "(computing a lazy Dask array, copying a CuPy one to the host)",
                    "Compute the data into NumPy arrays first (dask.compute(...), "
                    "cupy.asnumpy(...)), or write this line with other functions.")
