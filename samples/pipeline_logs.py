"""Log analytics without parsing: already-columnar request logs (status, latency, user id),
"how many slow server errors per user bucket?" as fused pipelines, against plain Python.

Each count is ONE native pass: the predicate over two columns, the filter, the hash of a third
column (read at each kept row's original index) and the count, with no intermediate array."""

import time

import numpy as np

from chunkjit import B1, F4, U2, U8, ChunkArray, chunk_kernel
from chunkjit import _pipeline

BUCKETS = 8
SLOW_MS = 250.0


@chunk_kernel
def slow_error(status: U2, latency: F4) -> B1:
    return (status >= 500) & (latency > SLOW_MS)  # `&`, not `and`: no branch per row


@chunk_kernel
def kept(flag: B1) -> B1:
    return flag


@chunk_kernel
def user_bucket(flag: B1, user: U8) -> U8:
    h = user * 0x9E3779B97F4A7C15  # Fibonacci hashing: the top bits are well mixed
    return h >> 61


@chunk_kernel
def is_bucket(bucket: U8, wanted: U8) -> B1:
    return bucket == wanted


def main():
    n = 5_000_000
    rng = np.random.default_rng(7)
    status = ChunkArray.from_numpy(rng.choice(np.array([200, 200, 200, 404, 500, 503], dtype=np.uint16), n))
    latency = ChunkArray.from_numpy(rng.exponential(120.0, n).astype(np.float32))
    users = ChunkArray.from_numpy(rng.integers(0, 1 << 40, n, dtype=np.uint64))

    slow_errors = status.pipe().map(slow_error, latency).filter(kept).map(user_bucket, users)
    slow_errors.count()  # compiles the shape once (the first run of a new shape does)
    t = time.perf_counter()
    counts = [slow_errors.map(is_bucket, b).sum() for b in range(BUCKETS)]
    native = time.perf_counter() - t

    columns = status.to_numpy().tolist(), latency.to_numpy().tolist(), users.to_numpy().tolist()
    t = time.perf_counter()
    expected = [0] * BUCKETS
    for s, lat, u in zip(*columns):
        if s >= 500 and lat > SLOW_MS:
            expected[((u * 0x9E3779B97F4A7C15) % 2**64) >> 61] += 1
    python = time.perf_counter() - t

    assert counts == expected, (counts, expected)
    print(f"{sum(counts):,} slow server errors among {n:,} requests; per user bucket:")
    print("  " + "  ".join(f"{b}:{c:,}" for b, c in enumerate(counts)))
    print(f"chunkjit ({BUCKETS} fused passes) {native * 1e3:.1f} ms, "
          f"plain Python (one loop) {python * 1e3:.0f} ms, x{python / native:,.0f}")
    print(f"pipeline shapes compiled: {_pipeline.cache_info()['compiles']}")


if __name__ == "__main__":
    main()
