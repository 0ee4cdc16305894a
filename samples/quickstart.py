"""chunkjit quickstart: build a ChunkArray, look at its chunks, and sum it.

Run: python3 samples/quickstart.py
"""

import time

import numpy as np

from chunkjit import F8, ChunkArray

N = 10_000_000


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    ms = (time.perf_counter() - start) * 1e3
    print(f"  {label:<28} {ms:9.2f} ms   -> {result!r}")
    return result


def main():
    print(f"Building a ChunkArray of {N:,} F8 elements from numpy (one memcpy per chunk)...")
    values = np.arange(N, dtype=np.float64) * 0.5
    arr = ChunkArray.from_numpy(values)
    print(f"  {arr!r}")
    print(f"  nbytes = {arr.nbytes:,}, first_chunk = {arr.first_chunk}, chunks = {arr.chunk_count}")

    sizes = [len(c) for c in arr.chunks()]
    print("\nChunk sizes (the first two hold first_chunk elements, then each doubles;")
    print("appending never moves an element, so every chunk is a zero-copy numpy view):")
    for k, size in enumerate(sizes):
        print(f"  chunk {k:2d}: {size:>10,} elements")

    view = arr.chunks()[0]
    view[0] = 1.25
    print(f"\nWrote 1.25 through a numpy view of chunk 0; arr[0] is now {arr[0]}")
    arr[0] = 0.0

    as_list = values.tolist()
    print("\nsum() of the same 10M floats:")
    expected = timed("ChunkArray.sum() (parallel)", arr.sum)
    timed("numpy values.sum()", lambda: float(values.sum()))
    timed("Python sum(list)", lambda: sum(as_list))
    assert expected == float(values.sum())


if __name__ == "__main__":
    main()
