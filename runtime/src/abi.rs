//! The chunk-loop ABI: the one native function a compiled kernel specialisation exposes, and the
//! status word it returns. `lower` produces functions of this shape; the drivers in this crate
//! call them over ranges of elements. No trap, no unwinding and no allocation happen inside.

use std::sync::atomic::AtomicU32;

/// A compiled chunk loop.
///
/// - `inputs`: one pointer per kernel input. For a column input it points at the range's first
///   element (elements are contiguous, of the input's storage type); for a broadcast input it
///   points at the one value (of its storage type), read once.
/// - `out`: for a map, the range's first output element (of the output's storage type); for a
///   collect, a buffer of `len` output elements; for a reduce, the accumulator (one element),
///   read at entry and written back before returning 0.
/// - `len`: number of elements in the range.
/// - `interrupt`: polled at entry and on every back-edge of a loop inside the kernel; non-zero
///   makes the function return `STATUS_INTERRUPTED`.
/// - `fail_index`: written when the status is not 0: the index within the range of the
///   element that failed (elements before it are complete; elements after it are not written).
///   A collect loop (a fused pipeline) also writes it on success: the number of elements it
///   wrote to `out`, compacted from `out[0]` (at most `len`; elements a filter stage rejected
///   write nothing).
///
/// Returns `STATUS_OK`, `STATUS_INTERRUPTED`, or a fault: `code | site << 8`, where `code` (1..=254)
/// says what went wrong and `site` which construct of the kernel raised it; the code generator
/// that produced the function knows what both mean.
pub type LoopFn = unsafe extern "C" fn(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    interrupt: *const AtomicU32,
    fail_index: *mut u64,
) -> u32;

pub const STATUS_OK: u32 = 0;
pub const STATUS_INTERRUPTED: u32 = 255;

/// The fault code (low 8 bits) of a status word.
pub fn status_code(status: u32) -> u8 {
    (status & 0xff) as u8
}

/// The fault site (the upper 24 bits) of a status word.
pub fn status_site(status: u32) -> u32 {
    status >> 8
}

/// Builds a fault status word; `site` must fit in 24 bits.
pub fn fault_status(code: u8, site: u32) -> u32 {
    debug_assert!(code != 0 && code as u32 != STATUS_INTERRUPTED);
    debug_assert!(site < (1 << 24));
    code as u32 | (site << 8)
}
