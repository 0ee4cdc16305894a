//! `reduce`: a left fold of a compiled loop over one column, the accumulator passed through the
//! loop's `out` pointer. Sequential by default (exactly Python's left fold); in parallel when
//! the caller declares the kernel associative: each range then folds from its own first element
//! and the range partials are folded, in order, into the accumulator by the caller's `combine`
//! loop (typically the same kernel).

use crate::abi::LoopFn;
use crate::column::Column;
use crate::drive::{Control, DriveError, Outcome, Work, execute, run_job};
use crate::geometry::Geometry;
use crate::ranges::{self, RANGE_LEN};

/// Folds `input` into `acc` (the accumulator's bytes: read first, written with the result).
///
/// - `associative: None`: one range after another on one thread.
/// - `associative: Some(combine)`: ranges in parallel; `acc` and the elements must then have the
///   same size (a range's partial starts as its first element), and `combine` is a loop with
///   one input that folds the partials (contiguous) into `acc`.
///
/// A fault reports the lowest failing element index; a fault while combining reports the index
/// of the first element of the range whose partial was being combined.
pub fn reduce(
    loop_fn: LoopFn,
    input: Column<'_>,
    acc: &mut [u8],
    associative: Option<LoopFn>,
    control: &mut Control<'_>,
) -> Result<(), DriveError> {
    let len = input.length().ok_or(DriveError::NoColumn)?;
    let geometries: Vec<Geometry> = match input {
        Column::Chunked(array) => vec![array.geometry()],
        _ => Vec::new(),
    };
    let ranges = ranges::split(0..len, &geometries, RANGE_LEN);
    let interrupt = control.interrupt;
    let Some(combine) = associative else {
        let acc_ptr = acc.as_mut_ptr();
        let works: Vec<Work> = ranges
            .iter()
            .map(|r| Work {
                start: r.start,
                len: r.end - r.start,
                inputs: vec![input.element_ptr(r.start)],
                out: acc_ptr,
            })
            .collect();
        // Sequential: the works share the accumulator.
        return run_job(control, 0, |_| execute(&works, loop_fn, interrupt, None))?.into_result();
    };
    let element_size = match input {
        Column::Chunked(array) => array.dtype().size(),
        Column::Contiguous { dtype, .. } => dtype.size(),
        Column::Broadcast(value) => value.len(),
    };
    if element_size != acc.len() {
        return Err(DriveError::Array(crate::ArrayError::ByteLength {
            bytes: acc.len(),
            element_size,
        }));
    }
    // Each partial starts as its range's first element; the loop folds the rest into it.
    let mut partials = vec![0u8; ranges.len() * element_size];
    for (range, partial) in ranges.iter().zip(partials.chunks_exact_mut(element_size)) {
        let first = input.element_ptr(range.start);
        // SAFETY: `first` addresses one element of `element_size` bytes inside the column.
        let bytes = unsafe { std::slice::from_raw_parts(first, element_size) };
        partial.copy_from_slice(bytes);
    }
    let works: Vec<Work> = ranges
        .iter()
        .zip(partials.chunks_exact_mut(element_size))
        .map(|(r, partial)| Work {
            start: r.start + 1,
            len: r.end - r.start - 1,
            inputs: vec![input.element_ptr(r.start + 1)],
            out: partial.as_mut_ptr(),
        })
        .collect();
    let outcome = run_job(control, len, |pool| {
        execute(&works, loop_fn, interrupt, pool)
    })?;
    outcome.into_result()?;
    let combine_work = [Work {
        start: 0,
        len: ranges.len(),
        inputs: vec![partials.as_ptr()],
        out: acc.as_mut_ptr(),
    }];
    match run_job(control, 0, |_| {
        execute(&combine_work, combine, interrupt, None)
    })? {
        Outcome::Fault { index, status } => {
            let range_start = ranges.get(index as usize).map_or(0, |r| r.start as u64);
            Err(DriveError::Fault {
                index: range_start,
                status,
            })
        }
        other => other.into_result(),
    }
}
