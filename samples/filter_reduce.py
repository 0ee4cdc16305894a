"""Filter, then fold: the sum of squares of the readings inside a valid band."""

import time

import numpy as np

from chunkjit import F8, B1, ChunkArray, chunk_kernel

LOW, HIGH = -2.0, 2.0


@chunk_kernel
def in_band(x: F8) -> B1:
    return LOW <= x <= HIGH


@chunk_kernel(associative=True)
def add(acc: F8, x: F8) -> F8:
    return acc + x


@chunk_kernel
def square(x: F8) -> F8:
    return x * x


def main():
    readings = ChunkArray.from_numpy(np.random.default_rng(7).normal(scale=1.5, size=3_000_000))
    t = time.perf_counter()
    kept = readings.filter(in_band)
    total = kept.map(square).reduce(add, 0.0)
    native = time.perf_counter() - t

    values = readings.to_numpy().tolist()
    t = time.perf_counter()
    expected_kept = [x for x in values if LOW <= x <= HIGH]
    expected = sum(x * x for x in expected_kept)
    python = time.perf_counter() - t
    assert len(kept) == len(expected_kept)
    print(f"kept {len(kept):,} of {len(readings):,} readings; sum of squares {total:.6f}"
          f" (Python: {expected:.6f})")
    print(f"chunkjit {native * 1e3:.1f} ms, Python {python * 1e3:.0f} ms, x{python / native:,.0f}")


if __name__ == "__main__":
    main()
