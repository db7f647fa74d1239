"""Numbers computed while the code was generated, explained where the decimal hides them.

number_folding.py computes `d_f / 256` of the seed 1.0 to the float the call would
compute; its exact value goes with the constant, and where that reads shorter as a
fraction than as a decimal, the line says it::

    d_log_probs = -0.00390625 * Y   ->  d_log_probs = -0.00390625 * Y  # -1/256

`0.4` (2/5) and `0.001` (1/1000) need no note. Last: a note ends the line of the
statement before it, so nothing may move or drop statements after this.
"""

from __future__ import annotations

from ..ir import build


def run(body: list, ctx) -> list:
    """`body` with a trailing note after each statement holding a folded constant whose
    exact value is shorter written as a fraction."""
    return _block(body, ctx.index.nodes)


def _block(block, nodes) -> list:
    out = []
    for stmt in block:
        inner = {f: _block(getattr(stmt, f), nodes) for f in ("body", "orelse")
                 if isinstance(getattr(stmt, f, None), list)}
        if any(new != getattr(stmt, f) for f, new in inner.items()):
            stmt = build.shallow_copy(stmt, **inner)
        out.append(stmt)
        if not inner:
            notes = [note for node in nodes(stmt) if (note := _note(node))]
            if notes:
                out.append(build.trailing_comment(", ".join(dict.fromkeys(notes))))
    return out


def _note(node) -> str | None:
    if not build.is_folded(node):
        return None
    exact, value = build.exact(node), build.number(node)
    text = f"{exact.numerator}/{exact.denominator}"
    return text if exact.denominator > 1 and len(text) < len(repr(value)) else None
