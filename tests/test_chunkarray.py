"""ChunkArray: construction, growth, element access, iteration, equality, repr, reductions."""

import math

import numpy as np
import pytest

import chunkjit
from chunkjit import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8, ChunkArray


def test_a_new_array_is_empty_with_the_default_first_chunk():
    a = ChunkArray(F8)
    assert len(a) == 0
    assert a.dtype is F8
    assert a.first_chunk == 4096
    assert a.chunk_count == 0
    assert a.nbytes == 0
    assert list(a) == []


@pytest.mark.parametrize("bad", [0, 3, 100, 4097, -4])
def test_first_chunk_must_be_a_power_of_two(bad):
    with pytest.raises(ValueError, match="power of two"):
        ChunkArray(F8, first_chunk=bad)


def test_first_chunk_must_be_an_int():
    with pytest.raises(TypeError):
        ChunkArray(F8, first_chunk=4.0)


def test_append_and_index():
    a = ChunkArray(S4, first_chunk=2)
    for v in [5, -7, 0, 2**31 - 1, -(2**31)]:
        a.append(v)
    assert len(a) == 5
    assert [a[i] for i in range(5)] == [5, -7, 0, 2**31 - 1, -(2**31)]
    assert a[-1] == -(2**31)
    assert a[-5] == 5
    assert a.nbytes == 20


def test_extend_from_iterables_of_every_kind():
    a = ChunkArray(F8, first_chunk=4)
    a.extend([1.0, 2, True])
    a.extend((x / 2 for x in range(3)))
    a.extend(range(2))
    assert list(a) == [1.0, 2.0, 1.0, 0.0, 0.5, 1.0, 0.0, 1.0]


def test_from_iterable_and_from_numpy():
    a = ChunkArray.from_iterable(range(10), U2, first_chunk=4)
    assert a.dtype is U2 and a.first_chunk == 4
    assert list(a) == list(range(10))
    b = ChunkArray.from_numpy(np.arange(10, dtype=np.uint16))
    assert b.dtype is U2 and b.first_chunk == 4096
    assert a == b


def test_from_numpy_copies_strided_and_byte_swapped_arrays():
    base = np.arange(20, dtype=np.int64)
    a = ChunkArray.from_numpy(base[::3], first_chunk=2)
    assert list(a) == list(range(0, 20, 3))
    swapped = np.arange(5, dtype=">f8")
    b = ChunkArray.from_numpy(swapped)
    assert b.dtype is F8
    assert list(b) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_from_numpy_copies_so_later_writes_do_not_leak():
    src = np.arange(5.0)
    a = ChunkArray.from_numpy(src)
    src[0] = 99.0
    assert a[0] == 0.0


def test_from_numpy_rejects_other_inputs():
    with pytest.raises(TypeError, match="ndarray"):
        ChunkArray.from_numpy([1, 2, 3])
    with pytest.raises(ValueError, match="one-dimensional"):
        ChunkArray.from_numpy(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="unsupported dtype"):
        ChunkArray.from_numpy(np.zeros(3, dtype=np.complex128))
    with pytest.raises(TypeError, match="unsupported dtype"):
        ChunkArray.from_numpy(np.zeros(3, dtype=np.float16))


def test_setitem_with_negative_indices():
    a = ChunkArray.from_iterable([1, 2, 3], S8)
    a[0] = 10
    a[-1] = -30
    assert list(a) == [10, 2, -30]


def test_iteration_is_live_like_a_list_iterator():
    a = ChunkArray.from_iterable([1, 2, 3], U1)
    it = iter(a)
    assert next(it) == 1
    a[1] = 20
    a.append(4)
    assert list(it) == [20, 3, 4]


def test_extend_with_itself_doubles_like_a_list():
    a = ChunkArray.from_iterable([1, 2, 3], U1, first_chunk=2)
    a.extend(a)
    assert list(a) == [1, 2, 3, 1, 2, 3]


def test_extend_with_another_chunk_array():
    a = ChunkArray.from_iterable([1, 2], S8, first_chunk=2)
    a.extend(ChunkArray.from_iterable(range(10), S8, first_chunk=8))
    assert list(a) == [1, 2, *range(10)]
    a.extend(ChunkArray.from_iterable([7, 8], S4))  # S4 -> S8 is a safe cast
    assert list(a)[-2:] == [7, 8]
    with pytest.raises(TypeError):
        a.extend(ChunkArray.from_iterable([1.5], F8))
    assert len(a) == 14


def test_equality():
    a = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8, first_chunk=1)
    b = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8, first_chunk=4096)
    assert a == b
    assert not (a != b)
    b[2] = 3.5
    assert a != b
    assert ChunkArray.from_iterable([1, 2, 3], S8) != ChunkArray.from_iterable([1, 2, 3], U8)
    assert ChunkArray.from_iterable([1, 2], S8) != ChunkArray.from_iterable([1, 2, 3], S8)
    assert ChunkArray(F8) == ChunkArray(F8)
    nan = ChunkArray.from_iterable([math.nan], F8)
    assert nan != nan  # numpy's array_equal: NaN is never equal
    assert ChunkArray.from_iterable([-0.0], F8) == ChunkArray.from_iterable([0.0], F8)
    assert (a == [1.0, 2.0, 3.0]) is False
    assert a != "text"


def test_chunk_arrays_are_unhashable_like_lists():
    with pytest.raises(TypeError):
        hash(ChunkArray(F8))


def test_repr_shows_dtype_length_and_first_values():
    assert repr(ChunkArray(F8)) == "ChunkArray(F8, len=0, first_chunk=4096, [])"
    a = ChunkArray.from_iterable(range(100), U8, first_chunk=16)
    assert repr(a) == "ChunkArray(U8, len=100, first_chunk=16, [0, 1, 2, 3, 4, 5, ...])"
    b = ChunkArray.from_iterable([0.5, True], F4)
    assert repr(b) == "ChunkArray(F4, len=2, first_chunk=4096, [0.5, 1.0])"
    c = ChunkArray.from_iterable([True, False], B1)
    assert repr(c) == "ChunkArray(B1, len=2, first_chunk=4096, [True, False])"


def test_to_numpy_is_one_contiguous_copy():
    a = ChunkArray.from_iterable(range(1000), S2, first_chunk=8)
    out = a.to_numpy()
    assert out.dtype == np.int16
    assert out.flags["C_CONTIGUOUS"] and out.flags["OWNDATA"]
    np.testing.assert_array_equal(out, np.arange(1000, dtype=np.int16))
    out[0] = 7
    assert a[0] == 0
    assert ChunkArray(F8).to_numpy().shape == (0,)


def test_numpy_conversion_protocol():
    a = ChunkArray.from_iterable([1, 2, 3], U4)
    np.testing.assert_array_equal(np.asarray(a), np.array([1, 2, 3], dtype=np.uint32))
    assert np.asarray(a, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="copying"):
        np.array(a, copy=False)


def test_large_arrays_span_many_chunks():
    n = 3_000_000
    src = np.arange(n, dtype=np.int64) * 3 - n
    a = ChunkArray.from_numpy(src, first_chunk=1024)
    assert len(a) == n
    assert a.chunk_count == 13  # 1024 * 2**12 >= 3e6 > 1024 * 2**11
    assert sum(len(c) for c in a.chunks()) == n
    np.testing.assert_array_equal(a.to_numpy(), src)
    for i in [0, 1023, 1024, 2047, 2048, 4095, 4096, n // 2, n - 1]:
        assert a[i] == i * 3 - n
    assert a.sum() == int(src.sum())
    assert a.min() == -n and a.max() == 3 * (n - 1) - n


ALL_TYPES = [U1, U2, U4, U8, S1, S2, S4, S8, F4, F8, B1]


def test_module_exports():
    for t in ALL_TYPES:
        assert getattr(chunkjit, t.name) is t
    assert issubclass(chunkjit.KernelCompileError, Exception)
    assert issubclass(chunkjit.FallbackWarning, UserWarning)
