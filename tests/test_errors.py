"""A failing element raises CPython's exception, naming kernel, element and source line."""

import math

import numpy as np
import pytest

from chunkjit import F8, S1, S8, U1, U8, ChunkArray, chunk_kernel

import kernels_for_tests as K


def test_zero_division_names_everything():
    xs = ChunkArray.from_iterable([4, 5, 6], S8)
    ys = ChunkArray.from_iterable([2, 0, 0], S8)
    with pytest.raises(ZeroDivisionError) as info:
        xs.map(K.safe_div, ys)
    msg = str(info.value)
    assert "kernel 'safe_div'" in msg
    assert "element 1" in msg
    assert "return x // y" in msg
    assert "kernels_for_tests.py" in msg


def test_inputs_untouched_after_error():
    xs = ChunkArray.from_iterable([4, 5, 6], S8)
    ys = ChunkArray.from_iterable([2, 0, 3], S8)
    before = (list(xs), list(ys))
    with pytest.raises(ZeroDivisionError):
        xs.map(K.safe_div, ys)
    assert (list(xs), list(ys)) == before


def test_int_overflow_raises_instead_of_wrapping():
    arr = ChunkArray.from_iterable([3, 2**32], S8)
    with pytest.raises(OverflowError, match="element 1"):
        arr.map(K.int_square)


def test_float_division_by_zero():
    @chunk_kernel
    def inv(x: F8) -> F8:
        return 1.0 / x

    with pytest.raises(ZeroDivisionError):
        ChunkArray.from_iterable([1.0, -0.0], F8).map(inv)


def test_math_domain_and_range():
    @chunk_kernel
    def lg(x: F8) -> F8:
        return math.log(x)

    @chunk_kernel
    def ex(x: F8) -> F8:
        return math.exp(x)

    with pytest.raises(ValueError, match="math domain error"):
        ChunkArray.from_iterable([1.0, -1.0], F8).map(lg)
    with pytest.raises(OverflowError, match="math range error"):
        ChunkArray.from_iterable([1.0, 1000.0], F8).map(ex)


@pytest.mark.parametrize("value, exc", [(float("nan"), ValueError), (float("inf"), OverflowError), (1e30, OverflowError)])
def test_float_to_int_conversions(value, exc):
    @chunk_kernel
    def to_int(x: F8) -> S8:
        return int(x)

    with pytest.raises(exc):
        ChunkArray.from_iterable([1.5, value], F8).map(to_int)


def test_min_div_minus_one_wraps_for_width_types():
    @chunk_kernel
    def div(x: S1, y: S1) -> S1:
        return x // y

    out = ChunkArray.from_iterable([-128, 7], S1).map(div, ChunkArray.from_iterable([-1, -2], S1))
    assert list(out) == [-128, -4]


def test_negative_shift():
    @chunk_kernel
    def shl(x: S8, n: S8) -> S8:
        return x << n

    with pytest.raises(ValueError, match="negative shift"):
        ChunkArray.from_iterable([1], S8).map(shl, -1)


def test_scalar_call_errors():
    with pytest.raises(ZeroDivisionError, match="safe_div"):
        K.safe_div(1, 0)
    with pytest.raises(OverflowError):
        K.mix_hash(-1)
    with pytest.raises(TypeError):
        K.mix_hash(1.5)
