"""Every error path of ChunkArray: the right exception, and the array unchanged afterwards."""

import numpy as np
import pytest

from chunkjit import B1, F4, F8, S1, S8, U1, U8, ChunkArray


def snapshot(a):
    return (len(a), list(a), a.chunk_count, a.nbytes)


def test_index_errors():
    a = ChunkArray.from_iterable([1, 2, 3], S8)
    before = snapshot(a)
    for i in [3, -4, 10**30, -(10**30)]:
        with pytest.raises(IndexError):
            a[i]
        with pytest.raises(IndexError):
            a[i] = 0
    with pytest.raises(IndexError):
        ChunkArray(F8)[0]
    assert snapshot(a) == before


def test_index_type_errors():
    a = ChunkArray.from_iterable([1, 2, 3], S8)
    for bad in [1.0, "0", None, slice(0, 2)]:
        with pytest.raises(TypeError):
            a[bad]
        with pytest.raises(TypeError):
            a[bad] = 1
    assert a[np.int64(1)] == 2
    with pytest.raises(TypeError):
        del a[0]


@pytest.mark.parametrize(
    "dtype, value, exc",
    [
        (U1, 256, OverflowError),
        (U1, -1, OverflowError),
        (U8, -1, OverflowError),
        (U8, 2**64, OverflowError),
        (S1, 128, OverflowError),
        (S1, -129, OverflowError),
        (S8, 2**63, OverflowError),
        (S8, 10**40, OverflowError),
        (U1, 1.5, TypeError),
        (S8, 2.0, TypeError),
        (S8, np.float64(2.0), TypeError),
        (U8, "1", TypeError),
        (U8, None, TypeError),
        (U8, 1j, TypeError),
        (F8, "1.0", TypeError),
        (F8, None, TypeError),
        (F8, 1j, TypeError),
        (F8, 10**400, OverflowError),
        (F4, 1e300, OverflowError),
        (B1, 2, OverflowError),
        (B1, 0.0, TypeError),
        (B1, "True", TypeError),
    ],
)
def test_bad_values_raise_and_leave_the_array_unchanged(dtype, value, exc):
    a = ChunkArray(dtype, first_chunk=2)
    a.extend([1, 0, 1])
    before = snapshot(a)
    with pytest.raises(exc):
        a.append(value)
    with pytest.raises(exc):
        a[1] = value
    with pytest.raises(exc):
        a.extend([1, 1, 1, value])  # valid items first: nothing may be committed
    with pytest.raises(exc):
        ChunkArray.from_iterable([value], dtype)
    assert snapshot(a) == before


def test_extend_with_a_failing_iterator_commits_nothing():
    def items():
        yield 1.0
        yield 2.0
        raise RuntimeError("source broke")

    a = ChunkArray.from_iterable([0.0], F8, first_chunk=1)
    with pytest.raises(RuntimeError, match="source broke"):
        a.extend(items())
    assert list(a) == [0.0]


def test_extend_rejects_non_iterables():
    a = ChunkArray(F8)
    with pytest.raises(TypeError):
        a.extend(5)
    with pytest.raises(TypeError):
        a.extend("abc")
    assert len(a) == 0


@pytest.mark.parametrize(
    "target, source",
    [
        (F4, np.float64),
        (S8, np.float64),
        (U8, np.int64),
        (S1, np.int16),
        (U1, np.int8),
        (B1, np.uint8),
        (S8, np.uint64),
    ],
)
def test_extend_from_ndarray_only_casts_safely(target, source):
    a = ChunkArray.from_iterable([1], target)
    with pytest.raises(TypeError, match="safely"):
        a.extend(np.ones(5, dtype=source))
    assert list(a) == [1]


def test_extend_from_ndarray_converts_where_safe():
    a = ChunkArray(F8, first_chunk=2)
    a.extend(np.array([1, 2, 3], dtype=np.int32))
    a.extend(np.array([0.5], dtype=np.float32))
    a.extend(np.array([True]))
    assert list(a) == [1.0, 2.0, 3.0, 0.5, 1.0]
    b = ChunkArray(S8)
    b.extend(np.array([255], dtype=np.uint8))
    assert list(b) == [255]
    with pytest.raises(ValueError, match="one-dimensional"):
        b.extend(np.zeros((2, 2), dtype=np.int64))
    assert list(b) == [255]


def test_impossible_sizes_raise_memory_error():
    a = ChunkArray(F8, first_chunk=2**40)
    with pytest.raises(MemoryError):
        a.append(1.0)
    assert len(a) == 0
    a.extend([])
    assert len(a) == 0


def test_min_max_of_empty_arrays_raise_value_error():
    for dtype in [F8, S8, B1]:
        with pytest.raises(ValueError, match="empty"):
            ChunkArray(dtype).min()
        with pytest.raises(ValueError, match="empty"):
            ChunkArray(dtype).max()
