"""Arrow interchange (PyCapsule protocol): zero-copy export per chunk, copying import."""

import gc

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from chunkjit import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8, ChunkArray  # noqa: E402

ARROW_TYPES = {
    U1: pa.uint8(), U2: pa.uint16(), U4: pa.uint32(), U8: pa.uint64(),
    S1: pa.int8(), S2: pa.int16(), S4: pa.int32(), S8: pa.int64(),
    F4: pa.float32(), F8: pa.float64(), B1: pa.bool_(),
}


def address(view):
    return view.__array_interface__["data"][0]


@pytest.mark.parametrize("dtype", list(ARROW_TYPES))
def test_stream_export_one_arrow_chunk_per_chunk(dtype):
    values = (np.arange(1000) % 7).astype(dtype.dtype)
    arr = ChunkArray.from_numpy(values, first_chunk=64)
    chunked = pa.chunked_array(arr)
    assert chunked.type == ARROW_TYPES[dtype]
    assert chunked.num_chunks == arr.chunk_count
    assert chunked.null_count == 0
    assert np.array_equal(chunked.to_numpy(), values)


@pytest.mark.parametrize("dtype", [U1, S4, U8, F4, F8])
def test_stream_export_is_zero_copy(dtype):
    arr = ChunkArray.from_numpy(np.arange(5000).astype(dtype.dtype), first_chunk=256)
    chunked = pa.chunked_array(arr)
    for piece, view in zip(chunked.chunks, arr.chunks()):
        assert piece.buffers()[1].address == address(view)
        assert len(piece) == len(view)


def test_exported_data_outlives_the_python_reference():
    arr = ChunkArray.from_numpy(np.arange(3000, dtype=np.int64), first_chunk=128)
    chunked = pa.chunked_array(arr)
    del arr
    gc.collect()
    # The release callbacks hold the ChunkArray: its chunks are still there.
    assert chunked.to_pylist() == list(range(3000))


def test_bool_export_is_a_packed_copy():
    values = np.array([True, False, True, True, False, False, True, False, True])
    arr = ChunkArray.from_numpy(values, first_chunk=4)
    chunked = pa.chunked_array(arr)
    assert chunked.type == pa.bool_()
    assert chunked.to_pylist() == values.tolist()
    for piece, view in zip(chunked.chunks, arr.chunks()):
        assert piece.buffers()[1].address != address(view)


def test_array_export_single_chunk_is_zero_copy():
    arr = ChunkArray.from_numpy(np.arange(100, dtype=np.float64), first_chunk=4096)
    assert arr.chunk_count == 1
    out = pa.array(arr)
    assert out.type == pa.float64()
    assert out.buffers()[1].address == address(arr.chunks()[0])
    assert out.to_pylist() == [float(i) for i in range(100)]


def test_array_export_many_chunks_copies_into_one():
    arr = ChunkArray.from_numpy(np.arange(1000, dtype=np.int32), first_chunk=16)
    out = pa.array(arr)
    assert out.to_pylist() == list(range(1000))
    assert out.buffers()[1].address not in [address(v) for v in arr.chunks()]


def test_empty_array_exports():
    arr = ChunkArray(F8)
    assert len(pa.chunked_array(arr)) == 0
    assert len(pa.array(arr)) == 0


@pytest.mark.parametrize("dtype", list(ARROW_TYPES))
def test_import_round_trip(dtype):
    values = (np.arange(777) % 5).astype(dtype.dtype)
    source = pa.chunked_array([values[:100], values[100:500], values[500:]], type=ARROW_TYPES[dtype])
    arr = ChunkArray.from_arrow(source, first_chunk=32)
    assert arr.dtype == dtype
    assert arr.first_chunk == 32
    assert np.array_equal(arr.to_numpy(), values)
    assert ChunkArray.from_arrow(pa.array(values, type=ARROW_TYPES[dtype])) == arr


def test_import_of_a_slice_honours_the_offset():
    sliced = pa.array(np.arange(100, dtype=np.int64)).slice(37, 20)
    assert list(ChunkArray.from_arrow(sliced)) == list(range(37, 57))
    bits = pa.array([i % 3 == 0 for i in range(50)]).slice(5, 30)
    assert list(ChunkArray.from_arrow(bits)) == [i % 3 == 0 for i in range(5, 35)]


def test_import_copies():
    source = pa.array(np.arange(50, dtype=np.float64))
    arr = ChunkArray.from_arrow(source)
    assert address(arr.chunks()[0]) != source.buffers()[1].address


def test_import_with_nulls_raises():
    with pytest.raises(ValueError, match=r"holds 2 null\(s\)"):
        ChunkArray.from_arrow(pa.array([1, None, 3, None], type=pa.int64()))
    # A validity bitmap without nulls is fine.
    assert list(ChunkArray.from_arrow(pa.array([1, None, 3]).slice(2, 1))) == [3]


def test_import_unsupported_types():
    with pytest.raises(TypeError, match='format "u"'):
        ChunkArray.from_arrow(pa.array(["a", "b"]))
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        ChunkArray.from_arrow([1, 2, 3])


def test_chunk_array_to_chunk_array_through_arrow():
    arr = ChunkArray.from_numpy(np.arange(2000, dtype=np.uint16), first_chunk=64)
    assert ChunkArray.from_arrow(arr) == arr


def test_polars_series_from_chunk_array_and_back():
    pl = pytest.importorskip("polars")
    arr = ChunkArray.from_numpy(np.arange(5000, dtype=np.int64), first_chunk=256)
    series = pl.Series(arr)  # polars takes __arrow_c_array__: one contiguous copy
    assert series.dtype == pl.Int64
    assert series.to_list() == list(range(5000))
    assert pl.from_arrow(arr).to_list() == list(range(5000))
    # Through the stream polars keeps one chunk per chunk, sharing the memory.
    chunked = pl.from_arrow(pa.chunked_array(arr), rechunk=False)
    assert chunked.n_chunks() == arr.chunk_count
    polars_addresses = [c.to_arrow().buffers()[1].address for c in chunked.get_chunks()]
    assert polars_addresses == [address(v) for v in arr.chunks()]
    assert chunked.to_list() == list(range(5000))
    # A single-chunk array is zero-copy through pl.Series too.
    one = ChunkArray.from_numpy(np.arange(100, dtype=np.float64))
    assert pl.Series(one).to_arrow().buffers()[1].address == address(one.chunks()[0])
    back = ChunkArray.from_arrow(pl.Series("x", [1.5, 2.5, -1.0]))
    assert back.dtype == F8 and list(back) == [1.5, 2.5, -1.0]
    with pytest.raises(ValueError, match="null"):
        ChunkArray.from_arrow(pl.Series("x", [1, None]))


class ArrayOnly:
    """An Arrow producer with only __arrow_c_array__ (as some libraries are)."""

    def __init__(self, inner):
        self.inner = inner

    def __arrow_c_array__(self, requested_schema=None):
        return self.inner.__arrow_c_array__(requested_schema)


def test_import_through_arrow_c_array():
    values = pa.array([3, 1, 4, 1, 5], type=pa.int16())
    arr = ChunkArray.from_arrow(ArrayOnly(values))
    assert arr.dtype == S2 and list(arr) == [3, 1, 4, 1, 5]
    with pytest.raises(ValueError, match="null"):
        ChunkArray.from_arrow(ArrayOnly(pa.array([1.0, None])))
