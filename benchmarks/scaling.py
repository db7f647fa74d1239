"""Transformation time against the length of the function: generated NumPy functions of
50 to 800 statements, straight-line or with a loop and branches, each transformed as a
first `grad` call does (specialized on the arguments' shapes), on a fresh module.

    python benchmarks/scaling.py            # the table (about a minute)
    python benchmarks/scaling.py 50,800     # some lengths only

Used by run.py (its "Transformation time against length" table). The time is the
process's CPU time (`time.process_time`): on a shared machine the wall-clock time of a
few seconds of work varies more than the quantity measured.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
import tempfile
import time

import numpy as np

LENGTHS = (50, 100, 200, 400, 800)

_STRAIGHT = ("h = np.tanh(h * 0.9 + 0.1)", "h = h * h + 0.5 * h",
             "h = np.sin(h) + np.exp(-h * h)", "h = h / (1.0 + np.abs(h))")


def straight_source(n: int, name: str) -> str:
    """A function of `n` statements, one after the other."""
    lines = [f"def {name}(x, W):", "    h = np.tanh(x @ W)"]
    lines += ["    " + _STRAIGHT[i % len(_STRAIGHT)] for i in range(n - 2)]
    lines.append("    return np.sum(h * h)")
    return "\n".join(lines)


def looping_source(n: int, name: str) -> str:
    """About `n` statements: blocks of a loop of 3 steps with an `if` in it, and
    straight-line statements between."""
    lines = [f"def {name}(x, W, c):", "    h = np.tanh(x @ W)"]
    count = 2
    while count < n - 1:
        lines += ["    for k in range(3):",
                  "        if c > 0.5:",
                  "            h = np.tanh(h * c + 0.1)",
                  "        else:",
                  "            h = h - 0.1 * h * h",
                  "        h = h + 0.01 * np.sin(h)",
                  "    h = h / (1.0 + np.abs(h))",
                  "    h = h * h + 0.5 * h"]
        count += 8
    lines.append("    return np.sum(h * h)")
    return "\n".join(lines)


def _load(source: str, name: str, directory: str):
    path = os.path.join(directory, f"{name}.py")
    with open(path, "w") as fh:
        fh.write("import numpy as np\n\n\n" + source + "\n")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def transform_seconds(fn, data: dict, wrt: tuple) -> float:
    """CPU seconds of the first transformation of `fn` for arguments `data`. The cyclic
    collector is run first: the transformation's time includes the collection of what it
    made (when it ends, the collector runs again), not a full collection of everything the
    transformations timed before it left alive (which of them the collector's schedule
    picks for that depends on their order: it fell on the last, 800 statements with loops,
    and made its time 1.5 times as long)."""
    from srcgrad import pipeline
    from srcgrad.analysis import dtypes, shape_inference
    described = {k: shape_inference.describe(v) for k, v in data.items()}
    kinds = {k: dtypes.kind_of(v) for k, v in data.items()}
    gc.collect()
    start = time.process_time()
    pipeline.specialized(fn, wrt, described, value=False, kinds=kinds)
    return time.process_time() - start


def table(lengths=LENGTHS) -> dict:
    """{kind: {n: seconds}} for kind "straight" and "loops"."""
    data = dict(x=np.ones((8, 4)), W=np.full((4, 4), 0.1))
    out = {"straight": {}, "loops": {}}
    with tempfile.TemporaryDirectory() as directory:
        warm = _load(straight_source(10, "warm_up"), "warm_up", directory)
        transform_seconds(warm, data, ("W",))  # the first transformation imports more
        for n in lengths:
            for kind, make, extra in (("straight", straight_source, {}),
                                      ("loops", looping_source, {"c": 0.7})):
                name = f"{kind}_{n}"
                fn = _load(make(n, name), name, directory)
                out[kind][n] = transform_seconds(fn, {**data, **extra}, ("W",))
    return out


def markdown(results: dict) -> str:
    lengths = sorted(results["straight"])
    rows = ["| statements | " + " | ".join(str(n) for n in lengths) + " |",
            "|" + " --- |" * (len(lengths) + 1)]
    for kind, label in (("straight", "straight line"), ("loops", "loops and branches")):
        times = results[kind]
        rows.append(f"| {label}: ms per statement | "
                    + " | ".join(f"{times[n] / n * 1e3:.2f}" for n in lengths) + " |")
    first, last = lengths[0], lengths[-1]
    growth = {kind: (results[kind][last] / last) / (results[kind][first] / first)
              for kind in results}
    rows.append(f"\nPer statement at {last} / at {first}: straight line "
                f"{growth['straight']:.2f}, loops and branches {growth['loops']:.2f}.")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    wanted = tuple(int(n) for n in sys.argv[1].split(",")) if len(sys.argv) > 1 else LENGTHS
    print(markdown(table(wanted)))
