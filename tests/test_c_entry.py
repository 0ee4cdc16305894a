"""C entry points: the compiled chunk loop called from ctypes (and from C built with gcc)."""

import ctypes
import shutil
import subprocess

import numpy as np
import pytest

import chunkjit
from chunkjit import F8, S8, ChunkArray, FallbackWarning, chunk_kernel

LOOP = ctypes.CFUNCTYPE(
    ctypes.c_uint32,
    ctypes.POINTER(ctypes.c_void_p),
    ctypes.c_void_p,
    ctypes.c_uint64,
    ctypes.POINTER(ctypes.c_uint32),
    ctypes.POINTER(ctypes.c_uint64),
)


@chunk_kernel
def ratio(x: F8, d: S8) -> F8:
    return x / d


@chunk_kernel
def spin(n: S8) -> S8:
    total = 0
    i = 0
    while i < n:
        total += i
        i += 1
    return total


def call_loop(address, columns, out, interrupt=0):
    inputs = (ctypes.c_void_p * len(columns))(*[c.ctypes.data for c in columns])
    flag = ctypes.c_uint32(interrupt)
    fail = ctypes.c_uint64(0)
    status = LOOP(address)(inputs, out.ctypes.data, len(out), ctypes.byref(flag), ctypes.byref(fail))
    return status, fail.value


def test_chunk_loop_matches_map():
    x = np.linspace(-3.0, 3.0, 1000)
    d = np.arange(1, 1001, dtype=np.int64)
    out = np.empty(1000)
    status, _ = call_loop(ratio.address, [x, d], out)
    assert status == 0
    assert np.array_equal(out, ChunkArray.from_numpy(x).map(ratio, d).to_numpy())


def test_fault_status_and_index_match_map():
    x = np.ones(10)
    d = np.array([1, 2, 3, 4, 5, 6, 0, 8, 0, 10], dtype=np.int64)
    out = np.zeros(10)
    status, fail = call_loop(ratio.address, [x, d], out)
    assert status & 0xFF == 1  # CHUNKJIT_ZERO_DIVISION
    assert fail == 6
    assert out[:6].tolist() == [1.0, 0.5, 1 / 3, 0.25, 0.2, 1 / 6]
    with pytest.raises(ZeroDivisionError, match="at element 6"):
        ChunkArray.from_numpy(x).map(ratio, d)


def test_interrupt_flag_stops_the_loop():
    n = np.array([10**12], dtype=np.int64)
    out = np.zeros(1, dtype=np.int64)
    status, _ = call_loop(spin.address, [n], out, interrupt=1)
    assert status == 255  # CHUNKJIT_INTERRUPTED


def test_scalar_entry_point():
    x = np.array([7.0])
    d = np.array([2], dtype=np.int64)
    out = np.zeros(1)
    status, _ = call_loop(ratio.scalar_address, [x, d], out)
    assert status == 0 and out[0] == 3.5 == ratio(7.0, 2)


def test_signatures():
    assert ratio.c_signature == (
        "/* inputs[0]: const F8 *x (column), inputs[1]: const S8 *d (column); "
        "out: F8 * (len elements) */\n"
        "U4 ratio_chunk_loop(const void *const *inputs, void *out, U8 len, const U4 *interrupt, "
        "U8 *fail_index);"
    )
    assert ratio.scalar_c_signature.startswith(
        "/* inputs[0]: const F8 *x (value), inputs[1]: const S8 *d (value); out: F8 * (one element) */"
    )
    assert "U4 ratio_scalar(" in ratio.scalar_c_signature


def test_header_declares_types_statuses_and_abi():
    h = chunkjit.c_header()
    for line in [
        "typedef uint64_t U8;",
        "typedef int32_t  S4;",
        "typedef double   F8;",
        "typedef uint8_t  B1;",
        "#define CHUNKJIT_OK 0u",
        "#define CHUNKJIT_ZERO_DIVISION 1u /* division by zero */",
        "#define CHUNKJIT_MATH_DOMAIN 6u /* math domain error */",
        "#define CHUNKJIT_INTERRUPTED 255u",
    ]:
        assert line in h
    assert "typedef uint32_t (*chunkjit_loop)(const void *const *inputs, void *out, uint64_t len," in h


def test_no_entry_point_for_interpreted_or_uncompiled_kernels():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def py_only(x: F8) -> F8:
            return float(len(str(x)))

    with pytest.raises(TypeError, match="runs interpreted"):
        py_only.address

    @chunk_kernel
    def untyped(x):
        return x + 1

    with pytest.raises(TypeError, match="not compiled yet"):
        untyped.address
    untyped(1.5)
    assert untyped.address > 0


C_SOURCE = r"""
#include "chunkjit.h"
int sizes_ok(void) {
    return sizeof(U1) == 1 && sizeof(U2) == 2 && sizeof(U4) == 4 && sizeof(U8) == 8 &&
           sizeof(S8) == 8 && sizeof(F4) == 4 && sizeof(F8) == 8 && sizeof(B1) == 1;
}
U4 run_ratio(void *loop_address, const F8 *x, const S8 *d, F8 *out, U8 len, U8 *fail_index) {
    chunkjit_loop loop = (chunkjit_loop)loop_address;
    const void *inputs[2] = {x, d};
    U4 interrupt = 0;
    return loop(inputs, out, len, &interrupt, fail_index);
}
int code_of(U4 status) { return CHUNKJIT_STATUS_CODE(status) == CHUNKJIT_ZERO_DIVISION; }
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_c_program_against_the_header(tmp_path):
    (tmp_path / "chunkjit.h").write_text(chunkjit.c_header())
    (tmp_path / "user.c").write_text(C_SOURCE)
    lib_path = tmp_path / "libuser.so"
    subprocess.run(
        ["gcc", "-std=c11", "-Wall", "-Werror", "-shared", "-fPIC", "-o", str(lib_path), str(tmp_path / "user.c")],
        check=True,
        timeout=60,
    )
    lib = ctypes.CDLL(str(lib_path))
    assert lib.sizes_ok() == 1
    lib.run_ratio.restype = ctypes.c_uint32
    lib.run_ratio.argtypes = [ctypes.c_void_p] * 4 + [ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint64)]
    x = np.array([1.0, 4.0, 9.0])
    d = np.array([2, 0, 3], dtype=np.int64)
    out = np.zeros(3)
    fail = ctypes.c_uint64(0)
    status = lib.run_ratio(ratio.address, x.ctypes.data, d.ctypes.data, out.ctypes.data, 3, ctypes.byref(fail))
    assert lib.code_of(ctypes.c_uint32(status)) == 1
    assert fail.value == 1 and out[0] == 0.5
    d[1] = 4
    status = lib.run_ratio(ratio.address, x.ctypes.data, d.ctypes.data, out.ctypes.data, 3, ctypes.byref(fail))
    assert status == 0 and out.tolist() == [0.5, 1.0, 3.0]
