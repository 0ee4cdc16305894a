"""filter: kept elements in order."""

import pytest

from chunkjit import F8, S8, ChunkArray, chunk_kernel

import kernels_for_tests as K


@pytest.mark.parametrize("first_chunk", [1, 8, 4096])
def test_filter_keeps_order(first_chunk):
    xs = [float((i * 7919) % 101 - 50) for i in range(3000)]
    arr = ChunkArray.from_iterable(xs, F8, first_chunk=first_chunk)
    kept = arr.filter(K.is_positive)
    assert kept.dtype == F8
    assert list(kept) == [x for x in xs if x > 0.0]


def test_filter_nothing_and_everything():
    arr = ChunkArray.from_iterable([2, 4, 6], S8)
    assert list(arr.filter(K.even)) == [2, 4, 6]
    odd = ChunkArray.from_iterable([1, 3], S8)
    assert len(odd.filter(K.even)) == 0
    assert len(ChunkArray(S8).filter(K.even)) == 0


def test_filter_needs_a_bool_kernel():
    arr = ChunkArray.from_iterable([1.0], F8)
    with pytest.raises(TypeError, match="B1"):
        arr.filter(K.affine)
