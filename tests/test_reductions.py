"""sum/min/max: exact integer sums, pairwise float sums, numpy's NaN rule."""

import math

import numpy as np
import pytest

import chunkjit
from chunkjit import B1, F4, F8, S1, S8, U1, U4, U8, ChunkArray


def test_integer_sums_are_exact_python_ints():
    a = ChunkArray.from_numpy(np.full(100_000, 2**64 - 1, dtype=np.uint64))
    total = a.sum()
    assert type(total) is int
    assert total == (2**64 - 1) * 100_000  # numpy would wrap
    b = ChunkArray.from_numpy(np.full(70_000, -(2**63), dtype=np.int64), first_chunk=16)
    assert b.sum() == -(2**63) * 70_000
    assert ChunkArray.from_iterable([-128, -128, 127], S1).sum() == -129
    assert ChunkArray.from_iterable([255] * 1000, U1).sum() == 255_000


def test_float_sums():
    n = 1_000_000
    a = ChunkArray.from_numpy(np.arange(n, dtype=np.float64), first_chunk=1024)
    assert a.sum() == n * (n - 1) / 2
    tenths = ChunkArray.from_numpy(np.full(n, 0.1))
    assert abs(tenths.sum() - 100_000.0) < 1e-8
    assert math.isclose(tenths.sum(), math.fsum([0.1] * n), rel_tol=1e-15)
    f4 = ChunkArray.from_numpy(np.ones(2**24 + 1, dtype=np.float32))
    assert f4.sum() == 2**24 + 1  # summed in f64
    assert type(f4.sum()) is float
    assert ChunkArray(F8).sum() == 0.0
    assert ChunkArray(S8).sum() == 0 and type(ChunkArray(S8).sum()) is int


def test_min_max_values_and_types():
    src = np.array([3, -7, 12, 0], dtype=np.int64)
    a = ChunkArray.from_numpy(src)
    assert (a.min(), a.max()) == (-7, 12)
    u = ChunkArray.from_iterable([5, 2**64 - 1, 0], U8)
    assert (u.min(), u.max()) == (0, 2**64 - 1)
    f = ChunkArray.from_iterable([0.5, -1.5], F4)
    assert (f.min(), f.max()) == (-1.5, 0.5)
    b = ChunkArray.from_iterable([True, False], B1)
    assert (b.min(), b.max(), b.sum()) == (False, True, 1)


def test_nan_propagates_through_min_max_and_sum():
    values = np.arange(200_000, dtype=np.float64)
    values[123_456] = np.nan
    a = ChunkArray.from_numpy(values, first_chunk=256)
    assert math.isnan(a.min()) and math.isnan(a.max()) and math.isnan(a.sum())
    assert math.isnan(np.min(values))  # the rule we follow


@pytest.mark.parametrize("threads", [1, 2, 8])
def test_results_are_the_same_for_any_thread_count(threads):
    rng = np.random.default_rng(7)
    values = rng.standard_normal(400_000)
    a = ChunkArray.from_numpy(values, first_chunk=512)
    before = chunkjit.get_num_threads()
    try:
        chunkjit.set_num_threads(1)
        expected = (a.sum(), a.min(), a.max())
        chunkjit.set_num_threads(threads)
        assert (a.sum(), a.min(), a.max()) == expected
        assert chunkjit.get_num_threads() == threads
    finally:
        chunkjit.set_num_threads(before)
    assert math.isclose(expected[0], math.fsum(values), rel_tol=1e-12, abs_tol=1e-9)
    assert expected[1:] == (values.min(), values.max())


def test_set_num_threads_rejects_zero():
    with pytest.raises((ValueError, OverflowError)):
        chunkjit.set_num_threads(0)
    with pytest.raises(OverflowError):
        chunkjit.set_num_threads(-1)


def test_u4_sum_over_many_chunks_matches_python():
    values = list(range(0, 2**32, 2**32 // 5000))
    a = ChunkArray.from_iterable(values, U4, first_chunk=8)
    assert a.sum() == sum(values)
