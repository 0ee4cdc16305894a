"""Dtype resolution and every dtype's storage, round trip and numpy mapping."""

import numpy as np
import pytest

from chunkjit import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8, ChunkArray

NUMPY_OF = {
    U1: np.uint8, U2: np.uint16, U4: np.uint32, U8: np.uint64,
    S1: np.int8, S2: np.int16, S4: np.int32, S8: np.int64,
    F4: np.float32, F8: np.float64, B1: np.bool_,
}


@pytest.mark.parametrize(
    "spec, expected",
    [
        (F8, F8), (U1, U1), (B1, B1),
        (float, F8), (int, S8), (bool, B1),
        (np.float64, F8), (np.float32, F4), (np.uint8, U1), (np.int16, S2), (np.bool_, B1),
        (np.dtype("u8"), U8), (np.dtype("i4"), S4), (np.dtype("f4"), F4),
        ("u8", U8), ("float32", F4), ("int64", S8), ("bool", B1), ("f8", F8), ("uint16", U2),
        ("U8", U8), ("S4", S4), ("F8", F8), ("B1", B1),
    ],
)
def test_dtype_resolution(spec, expected):
    assert ChunkArray(spec).dtype is expected


@pytest.mark.parametrize(
    "spec",
    [None, complex, str, object, np.float16, np.complex64, "float16", "c16", "O", "nonsense",
     np.dtype(">f8"), 3, [F8], np.longdouble],
)
def test_unsupported_dtypes_are_type_errors(spec):
    with pytest.raises(TypeError, match="unsupported dtype"):
        ChunkArray(spec)


@pytest.mark.parametrize("t", list(NUMPY_OF))
def test_scalar_types_describe_their_numpy_dtype(t):
    assert t.dtype == np.dtype(NUMPY_OF[t])
    assert t.itemsize == np.dtype(NUMPY_OF[t]).itemsize
    assert repr(t) == f"chunkjit.{t.name}"
    # numpy accepts the scalar types as dtypes too
    assert np.zeros(2, dtype=t).dtype == t.dtype


VALUES = {
    U1: [0, 1, 255], U2: [0, 65535, 7], U4: [0, 2**32 - 1, 12345], U8: [0, 2**64 - 1, 2**63],
    S1: [-128, 127, 0], S2: [-(2**15), 2**15 - 1, -1], S4: [-(2**31), 2**31 - 1, 5],
    S8: [-(2**63), 2**63 - 1, -1],
    F4: [0.5, -1.25, 3.4028234663852886e38], F8: [0.1, -1e308, float("inf")],
    B1: [True, False, True],
}


@pytest.mark.parametrize("t", list(VALUES))
def test_every_dtype_round_trips_exact_values(t):
    values = VALUES[t]
    a = ChunkArray(t, first_chunk=1)
    for v in values:
        a.append(v)
    a.extend(values)
    assert list(a) == values * 2
    assert [type(x) for x in a] == [type(v) for v in values * 2]
    assert a.nbytes == 6 * t.itemsize
    assert [len(c) for c in a.chunks()] == [1, 1, 2, 2]  # the last chunk holds 4
    np.testing.assert_array_equal(a.to_numpy(), np.array(values * 2, dtype=t.dtype))
    assert ChunkArray.from_numpy(a.to_numpy()) == a
    for chunk in a.chunks():
        assert chunk.dtype == t.dtype


def test_f4_rounds_to_float32():
    a = ChunkArray.from_iterable([0.1], F4)
    assert a[0] == float(np.float32(0.1))
    assert a[0] != 0.1


def test_int_arrays_take_numpy_and_bool_scalars():
    a = ChunkArray(U1)
    a.extend([True, np.uint8(200), np.int64(5), np.True_])
    assert list(a) == [1, 200, 5, 1]


def test_b1_takes_bools_and_0_and_1():
    a = ChunkArray(B1)
    a.extend([True, False, 1, 0, np.True_])
    assert list(a) == [True, False, True, False, True]
    assert a.to_numpy().dtype == np.bool_
