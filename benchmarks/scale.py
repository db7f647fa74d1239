"""Scaling of a logistic-regression gradient past one NumPy process (issue 22): NumPy,
Dask threads and a LocalCluster of worker processes, the cost of `grad` around the
generated code on Dask arrays, and the per-step communication of data-parallel `fit`.

    python benchmarks/scale.py                 # 1e7 x 20 rows (about 1.6 GB), a few minutes
    python benchmarks/scale.py --rows 2e6      # smaller
    python benchmarks/scale.py --skip-cluster  # no LocalCluster

Markdown tables on stdout; the numbers in benchmarks/README.md come from it. Needs the
`dask` extra. Times are the best of `--repeat` rounds (wall clock), the ways compared timed
in turn within each round; the load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time

import numpy as np

import srcgrad
from srcgrad.api.data_parallel import Plan

FEATURES = 20


def loss(w, X, y):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def best(func, repeat):
    return interleaved({"": func}, repeat)[""]


def interleaved(funcs, repeat):
    """{name: the best time of funcs[name]} over `repeat` rounds, each round running every
    function once in turn (the machine is shared: a slow spell hits every one of them)."""
    times = {name: [] for name in funcs}
    for _ in range(repeat):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}


def numpy_data(rows, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES))
    y = (X @ np.linspace(-1, 1, FEATURES) + rng.logistic(size=rows) > 0).astype(float)
    return X, y


def dask_data(X, y, blocks):
    import dask.array as da
    chunk = -(-len(X) // blocks)
    return da.from_array(X, chunks=(chunk, FEATURES)), da.from_array(y, chunks=chunk)


def lazy_data(rows, blocks, seed=0):
    """(X, y) as Dask arrays drawn where they are computed (on the workers)."""
    import dask.array as da
    rng = da.random.default_rng(seed)
    chunk = -(-rows // blocks)
    X = rng.standard_normal((rows, FEATURES), chunks=(chunk, FEATURES))
    y = (X @ np.linspace(-1, 1, FEATURES) + rng.logistic(size=rows, chunks=chunk) > 0) * 1.0
    return X, y


def throughput(rows, repeat, cluster_workers):
    """Rows per second of one full-batch gradient: NumPy, Dask threads (through `grad`, and
    as a data-parallel `fit` step), a LocalCluster (the `fit` step)."""
    import dask

    X, y = numpy_data(rows)
    w = np.full(FEATURES, 0.05)
    gradient = srcgrad.grad(loss)
    value_and_grad = srcgrad.value_and_grad(loss)
    Xd, yd = dask_data(X, y, blocks=16)
    plan = Plan((Xd, yd), value_and_grad)
    batch = plan.batches[0]
    funcs = {"NumPy, one process": lambda: gradient(w, X, y),
             "Dask threads, through grad (one graph)": lambda: dask.compute(gradient(w, Xd, yd)),
             "Dask threads, data-parallel fit step": lambda: plan.step(w, batch)}
    with contextlib.ExitStack() as stack:
        if cluster_workers:
            from distributed import Client, LocalCluster
            cluster = stack.enter_context(LocalCluster(
                n_workers=cluster_workers, threads_per_worker=1, dashboard_address=None,
                silence_logs=40))
            client = stack.enter_context(Client(cluster))
            Xc, yc = client.persist(lazy_data(rows, blocks=16))  # the data live on the workers
            on_cluster = Plan((Xc, yc), value_and_grad, client=client)
            funcs[f"LocalCluster, {cluster_workers} worker processes, fit step"] = (
                lambda: on_cluster.step(w, on_cluster.batches[0]))
        for func in funcs.values():
            func()  # (made and compiled before the timing)
        times = interleaved(funcs, repeat)
    rows_table = list(times.items())
    numpy_time = times["NumPy, one process"]
    print(f"\n### One gradient of logistic regression on {rows:,.0f} x {FEATURES} rows\n")
    print("| how | time per step | rows per second | time / NumPy's |")
    print("| --- | ---: | ---: | ---: |")
    for name, seconds in rows_table:
        print(f"| {name} | {seconds * 1e3:,.0f} ms | {rows / seconds:,.0f} | "
              f"{seconds / numpy_time:.2f} |")


def overhead(rows, repeat):
    """Dask data through `grad` against the generated code called directly."""
    import dask

    X, y = numpy_data(rows)
    w = np.full(FEATURES, 0.05)
    Xd, yd = dask_data(X, y, blocks=8)
    gradient = srcgrad.grad(loss)
    dask.compute(gradient(w, Xd, yd))
    direct = gradient.variant_for((w, Xd, yd), {}).fused
    gradient(w, X, y)
    times = interleaved({"through": lambda: dask.compute(gradient(w, Xd, yd)),
                         "generated": lambda: dask.compute(direct(w, Xd, yd)),
                         "numpy": lambda: gradient(w, X, y)}, repeat)
    through, generated, numpy_time = times["through"], times["generated"], times["numpy"]
    print(f"\n### {rows:,.0f} x {FEATURES}: Dask data through grad against the generated code\n")
    print("| how | time |")
    print("| --- | ---: |")
    print(f"| the generated code called directly, then dask.compute | {generated * 1e3:,.0f} ms |")
    print(f"| through grad, then dask.compute | {through * 1e3:,.0f} ms |")
    print(f"| ratio (target <= 1.3) | {through / generated:.2f} |")
    print(f"| NumPy data through grad | {numpy_time * 1e3:,.0f} ms |")


def communication(repeat, workers, rows_list):
    """The per-step cost that does not shrink with more workers: a step on blocks of a
    few rows (parameters out, gradients in, scheduling), per block count; and the step
    time against rows."""
    from distributed import Client, LocalCluster

    value_and_grad = srcgrad.value_and_grad(loss)
    w = np.full(FEATURES, 0.05)
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        fixed = {}
        for blocks in (2, 8, 32):
            plan = Plan(tuple(client.persist(lazy_data(blocks * 4, blocks))), value_and_grad,
                        client=client)
            plan.step(w, plan.batches[0])
            fixed[blocks] = best(lambda: plan.step(w, plan.batches[0]), repeat)
        timed = {}
        for rows in rows_list:
            plan = Plan(tuple(client.persist(lazy_data(int(rows), 2 * workers))),
                        value_and_grad, client=client)
            plan.step(w, plan.batches[0])
            timed[rows] = best(lambda: plan.step(w, plan.batches[0]), repeat)
    per_block = (fixed[32] - fixed[2]) / 30
    base = fixed[2] - 2 * per_block
    print(f"\n### Per-step fixed cost on a {workers}-process LocalCluster (blocks of 4 rows)\n")
    print("| row blocks | time per step |")
    print("| ---: | ---: |")
    for blocks, seconds in fixed.items():
        print(f"| {blocks} | {seconds * 1e3:,.1f} ms |")
    print(f"\nfitted: {base * 1e3:.1f} ms per step + {per_block * 1e3:.2f} ms per block")
    print(f"\n### Step time against rows ({workers} workers, {2 * workers} blocks)\n")
    print("| rows | time per step | rows per second |")
    print("| ---: | ---: | ---: |")
    for rows, seconds in timed.items():
        print(f"| {rows:,.0f} | {seconds * 1e3:,.0f} ms | {rows / seconds:,.0f} |")
    largest = max(timed)
    compute_per_row = (timed[largest] - base - 2 * workers * per_block) * workers / largest
    print(f"\n### On paper: communication as a fraction of a step, {largest:,.0f} rows, "
          "one block per worker\n")
    print("(compute per row per worker measured above; the fixed cost per step and per "
          "block as fitted; 20 parameters out and 20 gradients in per block are 320 bytes, "
          "negligible beside the scheduling)\n")
    print("| workers | compute per step | communication per step | fraction |")
    print("| ---: | ---: | ---: | ---: |")
    for n in (10, 100, 1000):
        compute = compute_per_row * largest / n
        talk = base + n * per_block
        print(f"| {n} | {compute * 1e3:,.1f} ms | {talk * 1e3:,.1f} ms | "
              f"{talk / (compute + talk):.0%} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=float, default=1e7)
    parser.add_argument("--overhead-rows", type=float, default=1e6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-cluster", action="store_true")
    args = parser.parse_args()
    print(f"load average at the start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    overhead(int(args.overhead_rows), max(args.repeat, 5))
    throughput(int(args.rows), args.repeat, 0 if args.skip_cluster else args.workers)
    if not args.skip_cluster:
        communication(args.repeat, args.workers, (1e5, 1e6, args.rows))
    print(f"\nload average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
