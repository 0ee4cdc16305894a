"""arr.pipe(): map/filter/reduce chains fused into one native pass, equal to the eager calls
and to plain Python."""

import math

import numpy as np
import pytest

import chunkjit
from chunkjit import B1, F8, S4, S8, U1, U8, ChunkArray, FallbackWarning, chunk_kernel
from chunkjit import _pipeline


@chunk_kernel
def triple(x: S8) -> S8:
    return x * 3


@chunk_kernel
def is_even(x: S8) -> B1:
    return x % 2 == 0


@chunk_kernel
def above(x: S8, y: S8) -> S8:
    return x - y


@chunk_kernel
def positive(x: S8) -> B1:
    return x > 0


@chunk_kernel
def half(x: S8) -> F8:
    return x / 2.0


@chunk_kernel
def big(x: F8) -> B1:
    return x > 10.0


@chunk_kernel
def plus(acc: F8, x: F8) -> F8:
    return acc + x


@chunk_kernel(associative=True)
def plus_int(acc: int, x: S8) -> int:
    return acc + x


@chunk_kernel
def inverse(x: S8) -> S8:
    return 100 // x


@chunk_kernel
def via_helper(x: S8) -> S8:
    return inverse(x) + 1


@chunk_kernel
def not_seven(x: S8) -> B1:
    return x != 7


@chunk_kernel
def hash_bucket(x: U8) -> U8:
    h = x * 0x9E3779B97F4A7C15
    return h >> 60


def _data(n, first_chunk=16):
    xs = [((i * 7919) % 201) - 100 for i in range(n)]
    return xs, ChunkArray.from_iterable(xs, S8, first_chunk=first_chunk)


SIZES = [0, 1, 10, 16, 17, 1000, 70_000]


@pytest.mark.parametrize("n", SIZES)
def test_map_collect_equals_eager_and_python(n):
    xs, arr = _data(n)
    fused = arr.pipe().map(triple).collect()
    assert fused.dtype == S8
    assert list(fused) == list(arr.map(triple)) == [x * 3 for x in xs]
    assert fused.first_chunk == arr.first_chunk


@pytest.mark.parametrize("n", SIZES)
def test_filter_collect(n):
    xs, arr = _data(n)
    fused = arr.pipe().filter(is_even).collect()
    assert list(fused) == list(arr.filter(is_even)) == [x for x in xs if x % 2 == 0]


@pytest.mark.parametrize("n", SIZES)
def test_map_filter_map_collect(n):
    xs, arr = _data(n)
    fused = arr.pipe().map(triple).filter(is_even).map(half).to_numpy()
    eager = arr.map(triple).filter(is_even).map(half).to_numpy()
    expected = [x * 3 / 2.0 for x in xs if (x * 3) % 2 == 0]
    assert fused.dtype == np.float64
    assert fused.tolist() == eager.tolist() == expected


@pytest.mark.parametrize("n", SIZES)
def test_filter_map_reduce(n):
    xs, arr = _data(n)
    got = arr.pipe().filter(positive).map(half).reduce(plus, 0.0)
    expected = 0.0
    for x in xs:
        if x > 0:
            expected += x / 2.0
    assert got == expected
    assert got == arr.filter(positive).map(half).reduce(plus, 0.0)


@pytest.mark.parametrize("n", SIZES)
def test_builtin_terminals(n):
    xs, arr = _data(n)
    kept = [x * 3 for x in xs if x > 0]
    p = arr.pipe().filter(positive).map(triple)
    assert p.sum() == sum(kept)
    assert p.count() == len(kept)
    assert isinstance(p.count(), int)
    if kept:
        assert p.min() == min(kept)
        assert p.max() == max(kept)
    else:
        with pytest.raises(ValueError, match="empty"):
            p.min()
        with pytest.raises(ValueError, match="empty"):
            p.max()


def test_float_sum_min_max():
    xs = [float(i % 37) * 0.5 - 3.0 for i in range(50_000)]
    arr = ChunkArray.from_iterable(xs, F8)
    p = arr.pipe().filter(big)
    kept = [x for x in xs if x > 10.0]
    assert p.sum() == sum(kept)  # multiples of 0.5: every partial sum is exact
    assert p.min() == min(kept) and p.max() == max(kept)
    assert p.count() == len(kept)


def test_min_max_of_extreme_values_are_not_mistaken_for_empty():
    arr = ChunkArray.from_iterable([2**63 - 1, 5], S8)
    assert arr.pipe().filter(positive).max() == 2**63 - 1
    assert ChunkArray.from_iterable([2**63 - 1], S8).pipe().min() == 2**63 - 1
    assert ChunkArray.from_iterable([math.inf], F8).pipe().min() == math.inf


def test_nan_makes_min_nan_like_chunkarray_min():
    arr = ChunkArray.from_iterable([3.0, math.nan, 1.0], F8)
    assert math.isnan(arr.pipe().min()) and math.isnan(arr.min())


def test_all_filtered_out():
    xs, arr = _data(1000)
    p = arr.pipe().filter(positive).filter(is_even).filter(positive)
    none = ChunkArray.from_iterable([-1, -3, -5], S8).pipe().filter(positive)
    assert len(none.collect()) == 0
    assert none.collect().dtype == S8
    assert none.count() == 0
    assert none.sum() == 0
    assert none.reduce(plus_int, 0) == 0
    assert p.count() == len([x for x in xs if x > 0 and x % 2 == 0])


def test_multi_input_stages_index_the_original_elements():
    n = 5000
    xs, arr = _data(n)
    ys = ChunkArray.from_iterable([i % 13 for i in range(n)], S8)
    zs = np.arange(n, dtype=np.int64)
    got = arr.pipe().filter(positive).map(above, ys).map(above, zs).collect()
    expected = [x - (i % 13) - i for i, x in enumerate(xs) if x > 0]
    assert list(got) == expected
    # a broadcast scalar
    assert list(arr.pipe().map(above, 7).filter(positive).collect()) == [x - 7 for x in xs if x - 7 > 0]


def test_length_mismatch_is_a_value_error():
    _, arr = _data(10)
    with pytest.raises(ValueError, match="length"):
        arr.pipe().map(above, np.zeros(3, dtype=np.int64))


@pytest.mark.parametrize("first_chunk", [1, 4, 4096, 1 << 20])
def test_one_chunk_and_many_chunks(first_chunk):
    xs, arr = _data(40_000, first_chunk=first_chunk)
    got = arr.pipe().map(triple).filter(is_even).collect()
    assert list(got) == [x * 3 for x in xs if (x * 3) % 2 == 0]
    assert arr.pipe().map(triple).filter(is_even).sum() == sum(x * 3 for x in xs if (x * 3) % 2 == 0)


def test_results_identical_for_1_2_and_8_threads():
    xs = [((i * 2654435761) % 1000) / 7.0 for i in range(300_000)]
    arr = ChunkArray.from_iterable(xs, F8, first_chunk=1024)
    results = []
    before = chunkjit.get_num_threads()
    try:
        for threads in (1, 2, 8):
            chunkjit.set_num_threads(threads)
            p = arr.pipe().filter(big)
            results.append((p.collect().to_numpy().tobytes(), p.sum(), p.min(), p.max(), p.count()))
    finally:
        chunkjit.set_num_threads(before)
    assert results[0] == results[1] == results[2]


def test_an_int_sum_is_exact_and_raises_on_overflow():
    arr = ChunkArray.from_iterable([2**62, 2**62, 2**62], S8)
    with pytest.raises(OverflowError):
        arr.pipe().sum()
    small = ChunkArray.from_iterable([255] * 1000, U1)
    assert small.pipe().sum() == 255_000  # U1 values are summed in int, not wrapped


def test_error_names_the_stage_and_the_input_index():
    xs = [5] * 100
    xs[70] = 0
    xs[30] = 7  # filtered out before the division
    arr = ChunkArray.from_iterable(xs, S8)
    with pytest.raises(ZeroDivisionError) as info:
        arr.pipe().filter(not_seven).map(inverse).collect()
    message = str(info.value)
    assert "kernel 'inverse'" in message
    assert "at element 70" in message
    assert "return 100 // x" in message
    assert any("stage 2 (map 'inverse')" in note for note in info.value.__notes__)
    assert list(arr) == xs


def test_error_in_a_kernel_called_by_a_stage_names_that_kernel():
    arr = ChunkArray.from_iterable([1, 2, 0, 4], S8)
    with pytest.raises(ZeroDivisionError) as info:
        arr.pipe().map(triple).map(via_helper).sum()
    assert "kernel 'inverse' at element 2" in str(info.value)
    assert any("stage 2 (map 'via_helper')" in note for note in info.value.__notes__)


def test_int_sum_overflow_names_the_pipeline():
    arr = ChunkArray.from_iterable([2**62] * 3, S8)
    with pytest.raises(OverflowError) as info:
        arr.pipe().sum()
    assert "<pipeline>" in str(info.value) and "pipe().sum()" in str(info.value)


def test_lowest_failing_index_first_on_many_threads():
    xs = [5] * 200_000
    for i in (150_000, 90_000, 120_001):
        xs[i] = 0
    arr = ChunkArray.from_iterable(xs, S8, first_chunk=256)
    before = chunkjit.get_num_threads()
    try:
        chunkjit.set_num_threads(8)
        with pytest.raises(ZeroDivisionError, match="at element 90000"):
            arr.pipe().map(inverse).sum()
    finally:
        chunkjit.set_num_threads(before)


def test_compile_cache_is_hit_for_a_repeated_shape():
    _, arr = _data(100)
    before = _pipeline.cache_info()["compiles"]
    hits = []
    for _ in range(5):
        p = arr.pipe().map(triple).filter(is_even).map(half)
        p.collect()
        hits.append(p.cache_hit)
    assert _pipeline.cache_info()["compiles"] == before + 1 or hits[0] is True
    assert hits[1:] == [True] * 4
    # a different terminal is a different shape
    p = arr.pipe().map(triple).filter(is_even).map(half)
    p.sum()
    q = arr.pipe().map(triple).filter(is_even).map(half)
    q.sum()
    assert q.cache_hit is True


def test_ir_and_clif_dumps():
    _, arr = _data(10)
    p = arr.pipe().map(triple).filter(is_even)
    assert "skip" in p.ir
    assert "triple" in p.ir and "is_even" in p.ir
    assert "Collect" in p.clif


def test_nothing_runs_before_a_terminal():
    arr = ChunkArray.from_iterable([0], S8)
    p = arr.pipe().map(inverse)  # running it would divide by zero
    assert isinstance(p, _pipeline.Pipeline)
    assert p.cache_hit is None


def test_interpreted_stage_falls_back_stage_by_stage():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def via_python(x: S8) -> S8:
            return int(str(x)) + 1  # str() is outside the subset

    n = 2000
    xs, arr = _data(n)
    ys = ChunkArray.from_iterable(list(range(n)), S8)
    p = arr.pipe().filter(positive).map(via_python).map(above, ys)
    with pytest.warns(FallbackWarning, match="via_python") as record:
        got = p.collect()
    assert len(record) == 1
    assert list(got) == [x + 1 - i for i, x in enumerate(xs) if x > 0]
    with pytest.warns(FallbackWarning):
        assert p.count() == len([x for x in xs if x > 0])


def test_stage_type_errors():
    _, arr = _data(10)
    with pytest.raises(TypeError, match="B1"):
        arr.pipe().filter(triple).collect()
    with pytest.raises(TypeError):
        arr.pipe().map(triple, arr).collect()
    with pytest.raises(TypeError):
        arr.pipe().map(len)


def test_hash_buckets_with_sums():
    n = 10_000
    data = ChunkArray.from_numpy(np.arange(n, dtype=np.uint64) * np.uint64(2654435761))
    counts = [
        data.pipe().map(hash_bucket).filter(_bucket_is[b]).count() for b in range(4)
    ]
    vals = [(int(v) * 0x9E3779B97F4A7C15 % 2**64) >> 60 for v in data.to_numpy()]
    assert counts == [vals.count(b) for b in range(4)]


@chunk_kernel
def _b0(h: U8) -> B1:
    return h == U8(0)


@chunk_kernel
def _b1(h: U8) -> B1:
    return h == U8(1)


@chunk_kernel
def _b2(h: U8) -> B1:
    return h == U8(2)


@chunk_kernel
def _b3(h: U8) -> B1:
    return h == U8(3)


_bucket_is = [_b0, _b1, _b2, _b3]


def test_bool_sum_counts_and_f4_sums_in_f4():
    xs, arr = _data(5000)
    assert arr.pipe().map(is_even).sum() == sum(1 for x in xs if x % 2 == 0)
    halves = ChunkArray.from_numpy(np.arange(4000, dtype=np.float32) * np.float32(0.5))
    got = halves.pipe().sum()
    assert got == float(np.float32(sum(i * 0.5 for i in range(4000))))


def test_reduce_associative_in_parallel_and_sequential_with_any_initial():
    xs, arr = _data(200_000, first_chunk=1024)
    before = chunkjit.get_num_threads()
    try:
        got = []
        for threads in (1, 2, 8):
            chunkjit.set_num_threads(threads)
            got.append(arr.pipe().map(triple).reduce(plus_int, 0))
            # not associative: folds in order from any initial value
            got.append(arr.pipe().map(half).reduce(plus, 1.5))
    finally:
        chunkjit.set_num_threads(before)
    expected_half = 1.5
    for x in xs:
        expected_half += x / 2.0
    assert got == [sum(3 * x for x in xs), expected_half] * 3
