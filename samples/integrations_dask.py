"""A kernel on a dask.distributed cluster of two worker processes.

The workers never import this file: the kernel travels by its source and recompiles there.
Run: python samples/integrations_dask.py
"""

import math
import time

import numpy as np

from chunkjit import F8, S8, ChunkArray, chunk_kernel

DAMPING = 1000.0


@chunk_kernel
def wave(x: F8) -> F8:
    return math.sin(x) * math.exp(-abs(x) / DAMPING)


@chunk_kernel(associative=True)
def add(acc: F8, x: F8) -> F8:
    return acc + x


@chunk_kernel
def inverse(n: S8) -> S8:
    return 1000 // (n - 777)


def main():
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import chunkjit.dask as cjd

    # The data is made on the workers (a lazy dask array), and once here for the comparison.
    dx = da.linspace(-5000.0, 5000.0, 4_000_001, chunks=500_000)
    x = dx.compute(scheduler="synchronous")
    t = time.perf_counter()
    local = ChunkArray.from_numpy(x).map(wave)
    single = time.perf_counter() - t

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as client:
        t = time.perf_counter()
        result = client.compute(cjd.map_blocks(wave, dx)).result()
        on_cluster = time.perf_counter() - t
        print("cluster result equals single process:", np.array_equal(result, local.to_numpy()))
        print(f"single process {single * 1e3:.1f} ms; cluster (2 workers, incl. making the data and transfer) {on_cluster * 1e3:.1f} ms")

        # The plain dask recipe: a kernel is elementwise on ndarrays.
        plain = client.compute(da.map_blocks(wave, dx, dtype=np.float64)).result()
        print("plain da.map_blocks equals too:", np.array_equal(plain, result))

        total = client.compute(cjd.reduce(add, abs(dx), 0.0)).result()
        expected = ChunkArray.from_numpy(abs(x)).reduce(add, 0.0)
        print(f"sum of |x| on the cluster {total:.1f}, locally {expected:.1f}")

        try:
            client.compute(cjd.map_blocks(inverse, da.arange(1000, chunks=300))).result()
        except ZeroDivisionError as err:
            print("the worker's error reached the client:", str(err).split(" (")[0], "...", "at element" in str(err))


if __name__ == "__main__":
    main()
