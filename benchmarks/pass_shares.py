"""Each step's share of one transformation: the CPU time of every step of the manifest
while the generated function of benchmarks/scaling.py of N statements is transformed.

    python benchmarks/pass_shares.py 800            # straight line
    python benchmarks/pass_shares.py 800 loops      # loops and branches
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

import numpy as np  # noqa: E402
import scaling  # noqa: E402

from srcgrad.pipeline import manifest  # noqa: E402


def shares(n: int, kind: str = "straight") -> tuple:
    """(total CPU seconds, Counter {step: seconds}) of one transformation."""
    times, whole = collections.Counter(), manifest.run

    def timed(steps, body, ctx):
        for step in steps:
            start = time.process_time()
            body = whole((step,), body, ctx)
            times[step.name] += time.process_time() - start
        return body

    data = dict(x=np.ones((8, 4)), W=np.full((4, 4), 0.1))
    make = scaling.straight_source if kind == "straight" else scaling.looping_source
    extra = {} if kind == "straight" else {"c": 0.7}
    manifest.run = timed
    try:
        with tempfile.TemporaryDirectory() as directory:
            warm = scaling._load(scaling.straight_source(10, "warm_up"), "warm_up", directory)
            scaling.transform_seconds(warm, data, ("W",))
            times.clear()
            fn = scaling._load(make(n, f"f{n}"), f"f{n}", directory)
            total = scaling.transform_seconds(fn, {**data, **extra}, ("W",))
    finally:
        manifest.run = whole
    return total, times


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 800
    total, times = shares(n, sys.argv[2] if len(sys.argv) > 2 else "straight")
    print(f"{n} statements: {total * 1e3:.0f} ms, {total / n * 1e3:.2f} ms per statement")
    for name, seconds in times.most_common(15):
        print(f"  {name:24s} {seconds * 1e3:7.0f} ms {seconds / total * 100:5.1f}%")
