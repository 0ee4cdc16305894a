"""Calling a kernel on ndarrays: elementwise, returns an ndarray (ufunc-like)."""

import numpy as np

from chunkjit import F8, chunk_kernel

import kernels_for_tests as K


def test_elementwise_on_ndarray():
    x = np.linspace(-3, 3, 101)
    out = K.affine(x)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert np.array_equal(out, x * 2.0 + 1.0)


def test_two_dimensional_and_broadcast():
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert np.array_equal(K.affine(x), x * 2.0 + 1.0)
    assert np.array_equal(K.add2(x, 1.0), x + 1.0)
    assert np.array_equal(K.add2(x, np.arange(4.0)), x + np.arange(4.0))


def test_empty_ndarray():
    out = K.affine(np.empty(0))
    assert out.shape == (0,) and out.dtype == np.float64


def test_unannotated_on_ndarray():
    out = K.untyped_double(np.array([1, 2, 3], dtype=np.int32))
    assert out.dtype == np.int32
    assert out.tolist() == [2, 4, 6]
