"""reduce (left fold) and the built-in sum/min/max."""

import functools

import pytest

from chunkjit import F8, S8, ChunkArray, chunk_kernel

import kernels_for_tests as K


def test_reduce_left_fold_float():
    xs = [0.1 * i for i in range(10000)]
    arr = ChunkArray.from_iterable(xs, F8, first_chunk=64)
    assert arr.reduce(K.plus, 0.0) == functools.reduce(lambda a, x: a + x, xs, 0.0)


def test_reduce_associative_parallel_matches():
    xs = list(range(-5000, 100000))
    arr = ChunkArray.from_iterable(xs, S8, first_chunk=64)
    assert arr.reduce(K.plus_assoc, 7) == sum(xs) + 7


def test_reduce_non_commutative_order():
    @chunk_kernel
    def horner(acc: S8, digit: S8) -> S8:
        return acc * 10 + digit

    arr = ChunkArray.from_iterable([1, 2, 3, 4], S8, first_chunk=1)
    assert arr.reduce(horner, 0) == 1234


def test_reduce_empty_returns_initial():
    assert ChunkArray(F8).reduce(K.plus, 2.5) == 2.5


def test_reduce_error_names_element():
    @chunk_kernel
    def div_acc(acc: S8, x: S8) -> S8:
        return acc // x

    arr = ChunkArray.from_iterable([1, 1, 0, 1], S8)
    with pytest.raises(ZeroDivisionError, match="element 2"):
        arr.reduce(div_acc, 100)
