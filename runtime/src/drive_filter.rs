//! Compaction for `filter`: the elements of an array whose mask element (B1) is true, in order.
//! Ranges are compacted in parallel into per-range buffers, then appended in order.

use crate::drive::{Control, DriveError, run_job};
use crate::dtype::DType;
use crate::error::ArrayError;
use crate::ranges::{self, RANGE_LEN};
use crate::xar::ChunkArray;

use rayon::prelude::*;

/// The elements of `input` where `mask` is true, in a new array of the input's geometry.
pub fn compact(
    input: &ChunkArray,
    mask: &ChunkArray,
    control: &mut Control<'_>,
) -> Result<ChunkArray, DriveError> {
    if mask.dtype() != DType::B1 {
        return Err(ArrayError::DTypeMismatch {
            array: mask.dtype(),
            requested: DType::B1,
        }
        .into());
    }
    if mask.len() != input.len() {
        return Err(DriveError::LengthMismatch {
            input: 1,
            expected: input.len(),
            found: mask.len(),
        });
    }
    let size = input.dtype().size();
    let ranges = ranges::split(
        0..input.len(),
        &[input.geometry(), mask.geometry()],
        RANGE_LEN,
    );
    let keep = |range: &std::ops::Range<usize>| -> Vec<u8> {
        let (Ok(mut flags), Ok(mut values)) = (
            mask.slices::<u8>(range.start, range.end),
            input.segments(range.start, range.end),
        ) else {
            return Vec::new();
        };
        let (Some(flags), Some(values)) = (flags.next(), values.next()) else {
            return Vec::new();
        };
        // SAFETY: a segment of filled elements inside one chunk of `input`.
        let values = unsafe { std::slice::from_raw_parts(values.ptr, values.len * size) };
        let mut kept = Vec::with_capacity(flags.iter().filter(|&&f| f != 0).count() * size);
        for (flag, value) in flags.iter().zip(values.chunks_exact(size)) {
            if *flag != 0 {
                kept.extend_from_slice(value);
            }
        }
        kept
    };
    let buffers: Vec<Vec<u8>> = run_job(control, input.len(), |pool| match pool {
        Some(pool) => pool.install(|| ranges.par_iter().map(keep).collect()),
        None => ranges.iter().map(keep).collect(),
    })?;
    if control.interrupt.load(std::sync::atomic::Ordering::Relaxed) != 0 {
        return Err(DriveError::Interrupted);
    }
    let mut out = ChunkArray::with_geometry(input.dtype(), input.geometry());
    out.reserve(buffers.iter().map(Vec::len).sum::<usize>() / size)?;
    for kept in &buffers {
        out.extend_from_bytes(kept)?;
    }
    Ok(out)
}
