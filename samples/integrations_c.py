"""Calling a kernel's compiled chunk loop from C (here through ctypes), with chunkjit.c_header().

Run: python samples/integrations_c.py
"""

import ctypes

import numpy as np

import chunkjit
from chunkjit import F8, S8, ChunkArray, chunk_kernel

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


def main():
    print(chunkjit.c_header().split("/* Status word")[0].strip().splitlines()[-1])  # last typedef
    print(ratio.c_signature)
    x = np.array([1.0, 4.0, 9.0, 16.0])
    d = np.array([2, 4, 0, 8], dtype=np.int64)
    out = np.zeros(4)
    inputs = (ctypes.c_void_p * 2)(x.ctypes.data, d.ctypes.data)
    interrupt, fail = ctypes.c_uint32(0), ctypes.c_uint64(0)
    status = LOOP(ratio.address)(inputs, out.ctypes.data, 4, ctypes.byref(interrupt), ctypes.byref(fail))
    print(f"status code {status & 0xFF} (1 = CHUNKJIT_ZERO_DIVISION) at element {fail.value}; out = {out.tolist()}")
    try:
        ChunkArray.from_numpy(x).map(ratio, d)
    except ZeroDivisionError as err:
        print("map says:", err)


if __name__ == "__main__":
    main()
