"""C entry points of a kernel: the address and prototype of its compiled chunk loop.

The loop is the one ``ChunkArray.map`` runs for the kernel's compiled specialisation (every input
a column of its parameter's type); the scalar entry point is the same loop compiled with every
input broadcast, called with ``len = 1``. Both stay valid while the kernel object lives. The ABI,
types and status codes are declared by ``chunkjit.c_header()``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntryPoint:
    address: int
    c_signature: str
    scalar_address: int
    scalar_c_signature: str


def entry(kernel) -> EntryPoint:
    """The entry points of the kernel's specialisation compiled at decoration (annotated
    kernels), or of its first specialisation (unannotated kernels, after a first call)."""
    if kernel._def is None or (not kernel._compiled and kernel._failed):
        raise TypeError(
            f"kernel '{kernel.__name__}' runs interpreted and has no native entry point: "
            f"{kernel.fallback_reason}"
        )
    compiled = kernel._any_compiled()
    if compiled is None:
        raise TypeError(
            f"kernel '{kernel.__name__}' is not compiled yet: an unannotated kernel compiles per "
            f"input type at its first call; annotate its parameters, or call it once"
        )
    name = kernel.__name__
    return EntryPoint(
        address=compiled.loop_address,
        c_signature=compiled.c_prototype(f"{name}_chunk_loop"),
        scalar_address=compiled.scalar_loop_address,
        scalar_c_signature=compiled.c_prototype(f"{name}_scalar", True),
    )
