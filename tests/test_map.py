"""ChunkArray.map with compiled kernels: exact results against CPython running the function."""

import math

import numpy as np
import pytest

from chunkjit import F4, F8, S4, S8, U1, U8, B1, ChunkArray, chunk_kernel

import kernels_for_tests as K


def python_map(kernel, *columns):
    return [kernel.py_func(*row) for row in zip(*columns)]


@pytest.mark.parametrize("first_chunk", [1, 4, 64, 4096])
def test_affine_over_many_chunks(first_chunk):
    xs = [float(i) * 0.5 - 100.0 for i in range(5000)]
    arr = ChunkArray.from_iterable(xs, F8, first_chunk=first_chunk)
    out = arr.map(K.affine)
    assert out.dtype == F8
    assert len(out) == len(arr)
    assert out.first_chunk == first_chunk
    assert list(out) == python_map(K.affine, xs)


def test_branchy_with_sqrt():
    xs = [-20.0, -10.0, -1.5, 0.0, 2.25, 1e300, float("inf")]
    out = ChunkArray.from_iterable(xs, F8).map(K.branchy)
    assert list(out) == python_map(K.branchy, xs)


def test_mix_hash_wraps_like_c():
    xs = [0, 1, 2**63, 2**64 - 1, 12345678901234567]
    out = ChunkArray.from_iterable(xs, U8).map(K.mix_hash)

    def reference(x):
        m = 2**64 - 1
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & m
        x ^= x >> 33
        x = (x * 0xC4CEB9FE1A85EC53) & m
        x ^= x >> 33
        return x

    assert out.dtype == U8
    assert list(out) == [reference(x) for x in xs]


def test_brighten_pixels():
    pixels = list(range(256))
    out = ChunkArray.from_iterable(pixels, U1).map(K.brighten)
    assert list(out) == [min(p * 3 // 2 + 10, 255) for p in pixels]


def test_loop_inside_kernel():
    cs = [-2.0, -1.0, -0.5, 0.0, 0.25, 0.3, 1.0]
    out = ChunkArray.from_iterable(cs, F8).map(K.escape_count)
    assert out.dtype == S4
    assert list(out) == python_map(K.escape_count, cs)


def test_f4_kernel_computes_in_float32():
    xs = [1.0, 3.0, 1e-45, 3.4e38]
    out = ChunkArray.from_iterable(xs, F4).map(K.halve)
    expected = (np.array(xs, dtype=np.float32) / np.float32(2.0)).tolist()
    assert out.dtype == F4
    assert list(out) == expected


def test_map_into_out():
    arr = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8)
    out = ChunkArray.from_iterable([0.0, 0.0, 0.0], F8)
    result = arr.map(K.affine, out=out)
    assert result is out
    assert list(out) == [3.0, 5.0, 7.0]


def test_out_of_wrong_length_or_type():
    arr = ChunkArray.from_iterable([1.0, 2.0, 3.0], F8)
    with pytest.raises(ValueError):
        arr.map(K.affine, out=ChunkArray.from_iterable([0.0], F8))
    with pytest.raises(TypeError):
        arr.map(K.affine, out=ChunkArray.from_iterable([0, 0, 0], S8))


def test_empty_array():
    out = ChunkArray(F8).map(K.affine)
    assert len(out) == 0 and out.dtype == F8


def test_lossless_input_conversion():
    # U1 data into an F8 kernel converts losslessly inside the loop
    out = ChunkArray.from_iterable([1, 2, 255], U1).map(K.affine)
    assert list(out) == [3.0, 5.0, 511.0]


def test_lossy_input_conversion_is_a_type_error():
    with pytest.raises(TypeError, match="U8"):
        ChunkArray.from_iterable([1, 2], U8).map(K.affine)
    with pytest.raises(TypeError):
        ChunkArray.from_iterable([1.0], F8).map(K.mix_hash)


def test_map_requires_a_kernel():
    arr = ChunkArray.from_iterable([1.0], F8)
    with pytest.raises(TypeError):
        arr.map(lambda x: x)


def test_int_kernel_on_s8_data():
    xs = [0, 3, -4, 3037000499]
    out = ChunkArray.from_iterable(xs, S8).map(K.int_square)
    assert list(out) == [x * x for x in xs]


def test_bool_output():
    out = ChunkArray.from_iterable([-1.0, 0.0, 2.0], F8).map(K.is_positive)
    assert out.dtype == B1
    assert list(out) == [False, False, True]
