"""Calling a scalar type casts a Python scalar the way C / numpy's astype do."""

import math

import numpy as np
import pytest

from chunkjit import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8


def test_integer_casts_wrap_modulo_2_to_the_bits():
    assert U1(256) == 0
    assert U1(-1) == 255
    assert U1(300) == 44
    assert S1(128) == -128
    assert S1(255) == -1
    assert U8(-1) == 2**64 - 1
    assert S8(2**63) == -(2**63)
    assert S4(2**40 + 7) == 7
    assert U2(True) == 1
    assert S2(np.int64(-70000)) == -70000 + 2**17 - 2**16 * 2 + 2**16  # == -4464
    assert S2(-70000) == -4464
    for t in [U1, U8, S1, S8]:
        assert type(t(5)) is int


def test_float_to_int_truncates_toward_zero():
    assert U1(3.99) == 3
    assert S1(-3.99) == -3
    assert U1(-0.5) == 0
    assert S8(np.float32(2.5)) == 2
    assert U8(2.0**63) == 2**63


@pytest.mark.parametrize("t", [U1, U8, S1, S8])
def test_float_to_int_of_nan_inf_or_out_of_range_raises(t):
    with pytest.raises(ValueError):
        t(math.nan)
    with pytest.raises(OverflowError):
        t(math.inf)
    with pytest.raises(OverflowError):
        t(-math.inf)
    with pytest.raises(OverflowError):
        t(float(t.max) * 2 + 2)
    with pytest.raises(OverflowError):
        t(float(t.min) - 2.0**12)


def test_float_casts():
    assert F8(1) == 1.0 and type(F8(1)) is float
    assert F4(0.1) == float(np.float32(0.1))
    assert F4(1e300) == math.inf
    assert F4(-1e300) == -math.inf
    assert math.isnan(F4(math.nan))
    with pytest.raises(OverflowError):
        F8(10**400)


def test_bool_cast():
    assert B1(0) is False
    assert B1(2.5) is True
    assert B1(math.nan) is True


@pytest.mark.parametrize("t", [U1, S8, F4, F8])
def test_non_numbers_are_type_errors(t):
    with pytest.raises(TypeError):
        t("1")
    with pytest.raises(TypeError):
        t(None)


def test_attributes():
    assert (U1.name, U1.bits, U1.min, U1.max, U1.kind) == ("U1", 8, 0, 255, "unsigned")
    assert (S8.min, S8.max) == (-(2**63), 2**63 - 1)
    assert B1.bits == 1
    assert F4.itemsize == 4 and F4.kind == "float"
    assert S4.dtype == np.dtype(np.int32)
