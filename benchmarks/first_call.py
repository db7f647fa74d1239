"""The first `grad` call of a new process, with the persistent cache (issue 21): each
round runs a fresh Python process that imports srcgrad and the workloads, then times
its first call of `grad(thirty_lines_fn)` (the 30-line function of workloads.py) and
of a second function. Round 1 fills an empty cache directory (the passes run); the
others find the stored source.

    python benchmarks/first_call.py          # 7 processes: the table on stdout
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CHILD = r"""
import json, sys, time
sys.path[:0] = [ROOT, ROOT + "/benchmarks"]
import numpy as np
import srcgrad
import workloads as W
w = W.EXTRA["thirty_lines"]
data = W.thirty_lines_data(np.random.default_rng(0))
g = srcgrad.grad(W.thirty_lines_fn, wrt=w.wrt)
args = [data[k] for k in ("W1", "b1", "W2", "b2", "X", "Y", "decay")]
start, cpu = time.perf_counter(), time.process_time()
g(*args)
first, first_cpu = time.perf_counter() - start, time.process_time() - cpu
start = time.perf_counter()
g(*args)
second = time.perf_counter() - start
print(json.dumps({"first": first, "first_cpu": first_cpu, "second": second}))
"""


def first_calls(rounds: int = 7) -> list:
    """[{first, first_cpu, second}] seconds of the first call (wall-clock and the
    process's CPU time) and of the second, one process per round: the first process with
    an empty cache directory."""
    out = []
    with tempfile.TemporaryDirectory() as where:
        env = dict(os.environ, SRCGRAD_CACHE_DIR=where, PYTHONPATH=ROOT)
        for _ in range(rounds):
            done = subprocess.run([sys.executable, "-c", _CHILD.replace("ROOT", repr(ROOT))],
                                  env=env, capture_output=True, text=True, check=True)
            out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


def markdown(times: list) -> str:
    cached = times[1:]

    def ms(key, pick=statistics.median, rows=cached):
        return f"{pick([t[key] for t in rows]) * 1e3:.2f}"
    return "\n".join([
        "| first call of `thirty_lines` in a new process | wall ms | CPU ms |",
        "| --- | --- | --- |",
        f"| empty cache directory (the passes run) | {ms('first', rows=times[:1])} | "
        f"{ms('first_cpu', rows=times[:1])} |",
        f"| from the persistent cache, median of {len(cached)} | {ms('first')} | "
        f"{ms('first_cpu')} |",
        f"| from the persistent cache, fastest | {ms('first', min)} | {ms('first_cpu', min)} |",
        f"| the second call (builds the entry), median | {ms('second', rows=times)} | |",
    ])


if __name__ == "__main__":
    print(markdown(first_calls()))
