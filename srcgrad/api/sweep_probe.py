"""Watch the backward sweep run, statement by statement, and find where an adjoint turns
zero or not finite: the user's line that made it so.

The general variant's backward sweep groups its statements under `# line N: ...`
comments, one group per line of the user's function. A tracer (`sys.settrace`, on that
function's frames only) reads the adjoints each statement assigns, right after it runs,
and compares them with the adjoints the statement read: entries that are zero where what
flowed in was not (a ReLU's dead units, the branch `np.where` did not take, a clip's flat
ends), or not finite where what flowed in was (log or division at 0, sqrt at 0).
"""

from __future__ import annotations

import ast
import linecache
import re
import sys
from dataclasses import dataclass, field

import numpy as np

_LINE = re.compile(r"\s*# line (\d+): (.*)$")


@dataclass
class Finding:
    """One place where the backward sweep made an adjoint zero or not finite."""

    kind: str  # "zero" or "not finite"
    line: int  # the user's line
    code: str  # its text
    adjoint: str  # the generated adjoint, e.g. "d_z"
    entries: int  # how many entries turned (at the first time the statement did it)
    size: int  # of how many
    times: int = 1  # how many times the statement did it (each run in a loop counts)
    mask: object = field(default=None, repr=False, compare=False)  # the entries it turned

    def describe(self) -> str:
        of = self.adjoint[2:] if self.adjoint.startswith("d_") else self.adjoint
        of = f"the intermediate value {of}" if re.fullmatch(r"t\d+", of) else f"`{of}`"
        part = "all" if self.entries == self.size else f"{self.entries} of {self.size}"
        where = f"line {self.line}: {self.code}"
        cause = ("where the adjoint flowing in was not" if self.kind == "zero"
                 else "where the adjoints flowing in were finite")
        again = f" ({self.times} times)" if self.times > 1 else ""
        return f"{where}\n    the adjoint of {of} is {self.kind} in {part} entries, {cause}{again}"


class _Statements:
    """Per line of the generated backward function: the adjoints its statement assigns
    and reads, and the user's line (number, text) the statement belongs to."""

    def __init__(self, code):
        lines = linecache.getlines(code.co_filename)
        tree = ast.parse("".join(lines))
        function = next(node for node in ast.walk(tree)
                        if isinstance(node, ast.FunctionDef) and node.name == code.co_name
                        and node.lineno == code.co_firstlineno)
        user, self.owner = None, {}
        for number in range(function.lineno, (function.end_lineno or function.lineno) + 1):
            found = _LINE.match(lines[number - 1])
            if found:
                user = (int(found.group(1)), found.group(2).strip())
            self.owner[number] = user
        self.effects = {}
        for node in ast.walk(function):
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                written = [n.id for t in targets for n in ast.walk(t)
                           if isinstance(n, ast.Name) and n.id.startswith("d_")]
                read = sorted({n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)
                               and n.id.startswith("d_")})
                if isinstance(node, ast.AugAssign):
                    read = sorted(set(read) | set(written))
                if written and read:
                    self.effects[node.lineno] = (written, read)


def _numbers(value):
    """`value` as a float array, or None if it is no array of numbers."""
    try:
        array = np.asarray(value)
    except Exception:  # a container the sweep uses: not watched
        return None
    return array if array.dtype.kind in "fc" else None


class _Watcher:
    def __init__(self, backward):
        self.code = backward.__code__
        self.statements = _Statements(self.code)
        self.findings: dict = {}
        self.before: dict = {}  # frame -> (line, values of the adjoints it reads)

    def trace(self, frame, event, arg):
        if frame.f_code is not self.code:
            return None
        return self.local

    def local(self, frame, event, arg):
        pending = self.before.pop(frame, None)
        if pending is not None:
            self.judge(frame, *pending)
        if event == "return":
            self.settle(frame)
        elif event == "line" and frame.f_lineno in self.statements.effects:
            written, read = self.statements.effects[frame.f_lineno]
            self.before[frame] = (frame.f_lineno, {n: frame.f_locals.get(n) for n in read})
        return self.local

    def judge(self, frame, line, read):
        written, _ = self.statements.effects[line]
        owner = self.statements.owner.get(line)
        if owner is None:
            return
        inputs = [a for a in map(_numbers, read.values()) if a is not None]
        if not inputs:
            return
        for name in written:
            out = _numbers(frame.f_locals.get(name))
            if out is None or out.size == 0:
                continue
            same = [a for a in inputs if a.shape == out.shape]
            with np.errstate(invalid="ignore"):
                if same:
                    flowing = np.logical_or.reduce([a != 0 for a in same])
                    finite_in = np.logical_and.reduce([np.isfinite(a) for a in same]) & all(
                        np.all(np.isfinite(a)) for a in inputs if a.shape != out.shape)
                    zero = (out == 0) & flowing
                    bad = ~np.isfinite(out) & finite_in
                else:
                    nonzero_in = any(np.any(a != 0) for a in inputs)
                    zero = (out == 0) & (nonzero_in and not np.any(out))
                    finite = all(np.all(np.isfinite(a)) for a in inputs)
                    bad = ~np.isfinite(out) & finite
            for kind, mask in (("zero", zero), ("not finite", bad)):
                if np.any(mask):
                    self.found(kind, owner, name, mask)

    def found(self, kind, owner, name, mask):
        key = (kind, owner[0], name)
        if key in self.findings:
            self.findings[key].times += 1
        else:
            self.findings[key] = Finding(kind, owner[0], owner[1], name, int(np.sum(mask)),
                                         mask.size, mask=mask)

    def settle(self, frame):
        """Keep the entries an adjoint still has at the end of the sweep: a zero that a
        later contribution filled (another use of the same value) explains nothing."""
        for key, finding in list(self.findings.items()):
            final = _numbers(frame.f_locals.get(finding.adjoint))
            if final is None or final.shape != finding.mask.shape:
                continue
            with np.errstate(invalid="ignore"):
                still = finding.mask & ((final == 0) if finding.kind == "zero"
                                        else ~np.isfinite(final))
            if np.any(still):
                finding.entries, finding.mask = int(np.sum(still)), still
            else:
                del self.findings[key]


def watched_backward(backward, seed, saved) -> tuple:
    """(the backward sweep's result, [Finding]) for `backward(seed, *saved)`, in the order
    the sweep met them (from the result back to the inputs)."""
    watcher = _Watcher(backward)
    previous = sys.gettrace()
    sys.settrace(watcher.trace)
    try:
        result = backward(seed, *saved)
    finally:
        sys.settrace(previous)
    return result, list(watcher.findings.values())
