"""Logistic regression on a data set larger than memory, with Dask (issue 22).

The rows are made lazily, chunk by chunk, by `dask.array.random` (the default is 3e8 rows
of 20 float64 features, about 48 GB): no step holds more than a few chunks, so memory
stays bounded whatever the number of rows. `srcgrad.optim.fit` sees Dask arrays and
takes each step as one Dask graph: the NumPy gradient of the loss on each row block,
summed with row weights.

    python examples/dask_logistic.py                       # 3e8 rows, threads (slow: hours)
    python examples/dask_logistic.py --rows 2e7 --epochs 3 # a few minutes
    python examples/dask_logistic.py --workers 2           # on a 2-process LocalCluster

Not run in CI. Needs the `dask` extra: pip install "srcgrad[dask]".
"""

import argparse
import resource
import sys
import time

import numpy as np

from srcgrad.optim import Adam, fit

FEATURES = 20


def loss(w, X, y):
    """Mean logistic loss of the linear model `X @ w[:-1] + w[-1]`, labels 0 or 1."""
    z = X @ w[:-1] + w[-1]
    return np.mean(np.logaddexp(0.0, z) - y * z)


def data(rows, chunk, seed=0):
    """(X, y), lazily: each chunk is drawn when a step needs it, and dropped after."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, FEATURES), chunks=(chunk, FEATURES))
    true_w = np.linspace(-1.0, 1.0, FEATURES)
    noise = rng.logistic(size=rows, chunks=chunk)
    y = (X @ true_w + 0.5 + noise > 0).astype(float)
    return X, y, true_w


def peak_memory_mb() -> float:
    """This process's peak resident memory (Linux: KiB; macOS: bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=float, default=3e8)
    parser.add_argument("--chunk", type=float, default=1e6, help="rows per block")
    parser.add_argument("--epochs", type=int, default=2, help="full-batch steps")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes of a LocalCluster (0: Dask's threads)")
    args = parser.parse_args()
    try:
        import dask  # noqa: F401
    except ImportError:
        print('This example needs Dask: pip install "srcgrad[dask]"')
        return
    rows, chunk = int(args.rows), int(args.chunk)
    X, y, true_w = data(rows, chunk)
    print(f"{rows:,} rows x {FEATURES} features ({rows * FEATURES * 8 / 1e9:.1f} GB as "
          f"float64), made lazily in blocks of {chunk:,} rows")
    client = cluster = None
    if args.workers:
        from distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                               dashboard_address=None)
        client = Client(cluster)
        print(f"on a LocalCluster of {args.workers} worker processes")
    start = time.perf_counter()
    try:
        result = fit(loss, np.zeros(FEATURES + 1), (X, y), epochs=args.epochs,
                     optimizer=Adam(0.1), client=client, progress=True)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    seconds = time.perf_counter() - start
    print(result.message)
    print(f"{rows * len(result.history) / seconds:,.0f} rows per second "
          f"({seconds:.1f} s for {len(result.history)} steps)")
    print(f"peak memory of this process: {peak_memory_mb():,.0f} MB")
    print("weights (first 5):", np.round(result.params[:5], 3), "true:", true_w[:5])


if __name__ == "__main__":
    main()
