"""chunkjit quickstart: a kernel compiled and mapped over 10 million elements, timed against the
same function in a Python loop; a fallback with its reason; the chunk array underneath.

Run: python3 samples/quickstart.py
"""

import math
import time
import warnings

import numpy as np

import chunkjit
from chunkjit import F8, ChunkArray, FallbackWarning, chunk_kernel

N = 10_000_000


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    # 1. Decorating compiles: parse, type-check, Cranelift -> machine code for a whole chunk.
    start = time.perf_counter()

    @chunk_kernel
    def smooth(x: F8) -> F8:
        if x < 0.0:
            return 0.0
        return math.sqrt(x) * 2.0 + 1.0

    decorate_ms = (time.perf_counter() - start) * 1e3
    print(f"@chunk_kernel smooth: mode={smooth.mode}, signatures={smooth.signatures}, "
          f"ready in {decorate_ms:.2f} ms")

    # 2. Map it over a ChunkArray of 10M elements, on 1 thread and on all cores.
    values = np.linspace(-1.0, 1e6, N)
    arr = ChunkArray.from_numpy(values)
    print(f"\n{arr!r}")
    print(f"  {arr.chunk_count} chunks of sizes {[len(c) for c in arr.chunks()][:4]} ... "
          f"{len(arr.chunks()[-1]):,}: the first two hold first_chunk={arr.first_chunk} "
          f"elements, then each doubles, and nothing ever moves")

    threads = chunkjit.get_num_threads()
    chunkjit.set_num_threads(1)
    arr.map(smooth)  # warm the pages once
    out, one = timed(lambda: arr.map(smooth))
    chunkjit.set_num_threads(threads)
    _, many = timed(lambda: arr.map(smooth))

    sample = values[:1_000_000].tolist()
    expected, python = timed(lambda: [smooth.py_func(x) for x in sample])
    python *= N / len(sample)
    assert out.to_numpy()[: len(sample)].tolist() == expected, "compiled != Python"

    print(f"\nmap(smooth) over {N:,} F8 elements (results identical to Python's):")
    print(f"  chunkjit, 1 thread     {one * 1e3:9.1f} ms  {one / N * 1e9:6.2f} ns/element")
    print(f"  chunkjit, {threads} threads    {many * 1e3:9.1f} ms  {many / N * 1e9:6.2f} ns/element")
    print(f"  Python loop            {python * 1e3:9.1f} ms  {python / N * 1e9:6.2f} ns/element"
          f"  (1M elements, extrapolated)")
    print(f"  speed-up over Python: x{python / one:,.0f} on 1 thread, x{python / many:,.0f} on {threads}")

    # 3. Outside the subset: it still works, interpreted, and says exactly why.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        @chunk_kernel
        def chatty(x: F8) -> F8:
            label = f"x={x}"
            return x * 2.0

    print(f"\n@chunk_kernel chatty: mode={chatty.mode}")
    print(f"  {caught[0].category.__name__}: {caught[0].message}")
    small = ChunkArray.from_iterable([1.0, 2.5], F8)
    print(f"  chatty still maps, interpreted: {list(small.map(chatty))}")

    # 4. A failing element names the kernel, the element and the line.
    @chunk_kernel
    def inverse(x: F8) -> F8:
        return 1.0 / x

    try:
        ChunkArray.from_iterable([4.0, 2.0, 0.0, 1.0], F8).map(inverse)
    except ZeroDivisionError as err:
        print(f"\nZeroDivisionError: {err}")


if __name__ == "__main__":
    main()
