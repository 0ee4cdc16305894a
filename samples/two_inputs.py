"""A kernel over two arrays and a broadcast scalar: a weighted distance."""

import math
import time

import numpy as np

from chunkjit import F8, ChunkArray, chunk_kernel


@chunk_kernel
def distance(x: F8, y: F8, scale: F8) -> F8:
    return math.hypot(x, y) * scale


def main():
    rng = np.random.default_rng(3)
    x = ChunkArray.from_numpy(rng.normal(size=2_000_000))
    y = ChunkArray.from_numpy(rng.normal(size=2_000_000))
    t = time.perf_counter()
    d = x.map(distance, y, 0.5)
    native = time.perf_counter() - t

    xs, ys = x.to_numpy()[:100_000].tolist(), y.to_numpy()[:100_000].tolist()
    t = time.perf_counter()
    expected = [distance.py_func(a, b, 0.5) for a, b in zip(xs, ys)]
    python = (time.perf_counter() - t) * len(x) / len(xs)
    assert d.to_numpy()[: len(xs)].tolist() == expected
    print(f"mean distance of {len(d):,} points: {d.sum() / len(d):.6f}")
    print(f"chunkjit {native * 1e3:.1f} ms, Python (extrapolated) {python * 1e3:.0f} ms, x{python / native:,.0f}")


if __name__ == "__main__":
    main()
