"""map with several inputs: ChunkArrays (any geometry), ndarrays and broadcast scalars."""

import numpy as np
import pytest

from chunkjit import F8, S8, U1, ChunkArray, chunk_kernel

import kernels_for_tests as K


def test_two_chunk_arrays_same_geometry():
    a = ChunkArray.from_iterable([float(i) for i in range(1000)], F8, first_chunk=16)
    b = ChunkArray.from_iterable([float(2 * i) for i in range(1000)], F8, first_chunk=16)
    assert list(a.map(K.add2, b)) == [3.0 * i for i in range(1000)]


def test_inputs_of_different_geometry():
    a = ChunkArray.from_iterable([float(i) for i in range(1000)], F8, first_chunk=4)
    b = ChunkArray.from_iterable([1.0] * 1000, F8, first_chunk=256)
    out = a.map(K.add2, b)
    assert out.first_chunk == 4
    assert list(out) == [i + 1.0 for i in range(1000)]


def test_ndarray_and_scalar_inputs():
    a = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8)
    assert list(a.map(K.add2, np.array([10.0, 20.0, 30.0]))) == [11.0, 22.0, 33.0]
    assert list(a.map(K.add2, 0.5)) == [1.5, 2.5, 3.5]
    assert list(a.map(K.add2, 2)) == [3.0, 4.0, 5.0]


def test_non_contiguous_ndarray_input():
    a = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8)
    strided = np.arange(6, dtype=np.float64)[::2]
    assert list(a.map(K.add2, strided)) == [1.0, 4.0, 7.0]


def test_length_mismatch_is_value_error():
    a = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8)
    with pytest.raises(ValueError, match="length"):
        a.map(K.add2, ChunkArray.from_iterable([1.0], F8))
    with pytest.raises(ValueError, match="length"):
        a.map(K.add2, np.zeros(4))


def test_wrong_number_of_inputs():
    a = ChunkArray.from_iterable([1.0], F8)
    with pytest.raises(TypeError):
        a.map(K.add2)
    with pytest.raises(TypeError):
        a.map(K.affine, a)


def test_unannotated_two_inputs_mixed_types():
    @chunk_kernel
    def weighted(x, w):
        return x * w

    a = ChunkArray.from_iterable([1, 2, 3], U1)
    w = ChunkArray.from_iterable([0.5, 1.5, 2.0], F8)
    out = a.map(weighted, w)
    assert list(out) == [0.5, 3.0, 6.0]
