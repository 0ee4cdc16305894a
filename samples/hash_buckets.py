"""An integer hash with wrapping U8 arithmetic, used to spread keys over 16 buckets."""

import time

import numpy as np

from chunkjit import U8, ChunkArray, chunk_kernel

BUCKETS = 16


@chunk_kernel
def mix(x: U8) -> U8:
    # splitmix64's finaliser: multiplications wrap modulo 2**64, as in C
    x ^= x >> 30
    x *= 0xBF58476D1CE4E5B9
    x ^= x >> 27
    x *= 0x94D049BB133111EB
    x ^= x >> 31
    return x


@chunk_kernel
def bucket(x: U8) -> U8:
    return mix(x) % BUCKETS


def python_bucket(x):
    m = (1 << 64) - 1
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & m
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & m
    x ^= x >> 31
    return x % BUCKETS


def main():
    keys = ChunkArray.from_numpy(np.arange(5_000_000, dtype=np.uint64))
    t = time.perf_counter()
    buckets = keys.map(bucket)
    native = time.perf_counter() - t
    counts = np.bincount(buckets.to_numpy().astype(np.int64), minlength=BUCKETS)

    sample = list(range(100_000))
    t = time.perf_counter()
    expected = [python_bucket(k) for k in sample]
    python = (time.perf_counter() - t) * len(keys) / len(sample)
    assert buckets.to_numpy()[: len(sample)].tolist() == expected

    print(f"{len(keys):,} keys into {BUCKETS} buckets (each ideally {len(keys) // BUCKETS:,}):")
    print("  " + " ".join(f"{c:,}" for c in counts))
    print(f"chunkjit: {native * 1e3:.1f} ms   Python (extrapolated): {python * 1e3:.0f} ms"
          f"   x{python / native:,.0f}")


if __name__ == "__main__":
    main()
