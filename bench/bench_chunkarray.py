"""ChunkArray against list, array.array and numpy: append, extend, indexed reads, sum.

One run, single process; prints ns/element and the ratio to ChunkArray (>1: ChunkArray faster).
Run on a release build: python3 -m pip install . && python3 bench/bench_chunkarray.py [N]
"""

import array
import sys
import time

import numpy as np

import chunkjit
from chunkjit import F8, ChunkArray

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
READS = 1_000_000


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def append_chunkarray(floats):
    a = ChunkArray(F8)
    append = a.append
    for x in floats:
        append(x)


def append_list(floats):
    out = []
    append = out.append
    for x in floats:
        append(x)


def append_array(floats):
    out = array.array("d")
    append = out.append
    for x in floats:
        append(x)


def reads(container, indices):
    for i in indices:
        container[i]


def main():
    values = np.random.default_rng(1).standard_normal(N)
    floats = values.tolist()
    ca = ChunkArray.from_numpy(values)
    lst = list(floats)
    arr = array.array("d", floats)
    indices = np.random.default_rng(2).integers(0, N, READS).tolist()

    rows = []  # (operation, elements, {peer: seconds})
    rows.append(("append (Python floats)", N, {
        "ChunkArray": best_of(lambda: append_chunkarray(floats), 1),
        "list": best_of(lambda: append_list(floats), 1),
        "array.array": best_of(lambda: append_array(floats), 1),
    }))
    rows.append(("extend from ndarray", N, {
        "ChunkArray": best_of(lambda: ChunkArray(F8).extend(values)),
        "list": best_of(lambda: [].extend(values.tolist()), 1),
        "array.array": best_of(lambda: array.array("d").frombytes(values.tobytes())),
        "numpy": best_of(lambda: values.copy()),
    }))
    rows.append(("indexed reads (random)", READS, {
        "ChunkArray": best_of(lambda: reads(ca, indices)),
        "list": best_of(lambda: reads(lst, indices)),
        "array.array": best_of(lambda: reads(arr, indices)),
        "numpy": best_of(lambda: reads(values, indices)),
    }))
    rows.append(("sum()", N, {
        "ChunkArray": best_of(ca.sum),
        "list": best_of(lambda: sum(lst)),
        "array.array": best_of(lambda: sum(arr)),
        "numpy": best_of(values.sum),
    }))

    peers = ["ChunkArray", "list", "array.array", "numpy"]
    print(f"N = {N:,} F8 elements, {chunkjit.get_num_threads()} threads; ns/element "
          "(ratio = peer time / ChunkArray time)")
    header = f"{'operation':<24}" + "".join(f"{p:>22}" for p in peers)
    print(header)
    print("-" * len(header))
    for name, count, times in rows:
        base = times["ChunkArray"]
        cells = []
        for peer in peers:
            if peer not in times:
                cells.append(f"{'-':>22}")
                continue
            ns = times[peer] / count * 1e9
            ratio = "" if peer == "ChunkArray" else f" ({times[peer] / base:5.2f}x)"
            cells.append(f"{ns:>13.2f}{ratio:>9}")
        print(f"{name:<24}" + "".join(cells))


if __name__ == "__main__":
    main()
