"""The kernel object: mode, reason, signatures, dumps, scalar calls."""

import pytest

from chunkjit import F8, S8, U1, chunk_kernel

import kernels_for_tests as K


def test_attributes():
    assert K.affine.mode == "native"
    assert K.affine.fallback_reason is None
    assert K.affine.py_func(1.0) == 3.0
    assert "F8" in K.affine.ir
    assert "function" in K.affine.clif
    assert "affine" in repr(K.affine)


def test_scalar_calls_return_python_scalars():
    assert K.affine(1.5) == 4.0 and type(K.affine(1.5)) is float
    assert K.brighten(100) == 160 and type(K.brighten(100)) is int
    assert K.is_positive(1.0) is True
    assert K.mix_hash(0) == 0


def test_scalar_call_converts_ints_to_float_params():
    assert K.affine(2) == 5.0


def test_wrong_argument_count():
    with pytest.raises(TypeError):
        K.affine(1.0, 2.0)
