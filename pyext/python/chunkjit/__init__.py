"""chunkjit: typed Python per-element kernels compiled with Cranelift, run over chunked arrays.

``ChunkArray`` is a typed, growable array stored in the Xar layout (chunks that double in size
and never move); the scalar types U1..U8, S1..S8, F4, F8 and B1 name its element types.
"""

from chunkjit._errors import FallbackWarning, KernelCompileError
from chunkjit._native import ChunkArray, get_num_threads, set_num_threads
from chunkjit._types import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8, ScalarType

__all__ = [
    "ChunkArray",
    "ScalarType",
    "U1",
    "U2",
    "U4",
    "U8",
    "S1",
    "S2",
    "S4",
    "S8",
    "F4",
    "F8",
    "B1",
    "KernelCompileError",
    "FallbackWarning",
    "get_num_threads",
    "set_num_threads",
]
