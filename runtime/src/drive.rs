//! Running a compiled chunk loop (`abi::LoopFn`) over arrays: the shared machinery (work ranges,
//! parallel execution, lowest-failure bookkeeping, interrupt and polling) and `map`.
//!
//! Work is cut into ranges (see `ranges`) that never cross a chunk boundary of any chunked input
//! or the output, so every range is one call of the loop with plain pointers. Ranges run in
//! parallel; a fault reports the LOWEST failing element index whatever the thread count: a range
//! is skipped only when it starts after a failure already found, so every range before the final
//! answer ran to completion.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use rayon::ThreadPool;
use rayon::prelude::*;

use crate::abi::{LoopFn, STATUS_INTERRUPTED, STATUS_OK};
use crate::column::Column;
use crate::dtype::DType;
use crate::error::ArrayError;
use crate::geometry::{DEFAULT_FIRST_CHUNK, Geometry};
use crate::pool::{self, PoolError};
use crate::ranges::{self, PARALLEL_THRESHOLD, RANGE_LEN};
use crate::xar::ChunkArray;

/// Why a driver stopped without a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DriveError {
    /// A column input's length differs from the others' (`input` counts from 0).
    LengthMismatch {
        input: usize,
        expected: usize,
        found: usize,
    },
    /// A map needs at least one column input to know its length.
    NoColumn,
    /// The loop returned a fault status at global element `index` (the lowest failing one).
    Fault {
        index: u64,
        status: u32,
    },
    /// The interrupt flag was set (by the caller, or by its poll callback).
    Interrupted,
    Pool(PoolError),
    Array(ArrayError),
}

impl fmt::Display for DriveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DriveError::LengthMismatch {
                input,
                expected,
                found,
            } => write!(
                f,
                "input {input} has {found} elements where {expected} were expected"
            ),
            DriveError::NoColumn => f.write_str("a map needs at least one array input"),
            DriveError::Fault { index, status } => {
                write!(f, "element {index} failed with status {status:#x}")
            }
            DriveError::Interrupted => f.write_str("interrupted"),
            DriveError::Pool(e) => e.fmt(f),
            DriveError::Array(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DriveError {}

impl From<PoolError> for DriveError {
    fn from(e: PoolError) -> DriveError {
        DriveError::Pool(e)
    }
}

impl From<ArrayError> for DriveError {
    fn from(e: ArrayError) -> DriveError {
        DriveError::Array(e)
    }
}

/// How a driver runs: on how many threads, with which interrupt flag, and whether the calling
/// thread waits in slices calling `poll` (returning true requests an interrupt; pyext checks
/// for Ctrl-C there).
pub struct Control<'a> {
    /// Worker threads; 0 = `pool::num_threads()`; 1 = the calling thread (or one worker when
    /// polling). Arrays shorter than `PARALLEL_THRESHOLD` never use more than one.
    pub threads: usize,
    /// Passed to every loop call and checked between ranges; non-zero stops the work.
    pub interrupt: &'a AtomicU32,
    /// `Some((slice, poll))`: run the work on the pool while this thread calls `poll` every
    /// `slice`; when it returns true the interrupt flag is set.
    pub poll: Option<(Duration, &'a mut dyn FnMut() -> bool)>,
}

impl<'a> Control<'a> {
    pub fn new(threads: usize, interrupt: &'a AtomicU32) -> Control<'a> {
        Control {
            threads,
            interrupt,
            poll: None,
        }
    }
}

/// One call of the loop: pointers to the range's first element in each input and the output.
pub(crate) struct Work {
    /// Global index of the first element the call processes.
    pub start: usize,
    pub len: usize,
    pub inputs: Vec<*const u8>,
    pub out: *mut u8,
}

// SAFETY: a Work only carries addresses into memory its driver borrows for the whole run (inputs
// shared, output exclusive); parallel works write disjoint output ranges, except the sequential
// reduce whose works share one accumulator and never run concurrently.
unsafe impl Send for Work {}
// SAFETY: as above; a &Work is only read.
unsafe impl Sync for Work {}

/// What executing a list of works found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Done,
    Fault { index: u64, status: u32 },
    Interrupted,
}

impl Outcome {
    pub(crate) fn into_result(self) -> Result<(), DriveError> {
        match self {
            Outcome::Done => Ok(()),
            Outcome::Fault { index, status } => Err(DriveError::Fault { index, status }),
            Outcome::Interrupted => Err(DriveError::Interrupted),
        }
    }
}

/// Runs the works (in parallel on `pool` if given, else in order on this thread) and reports
/// the lowest failure, or an interrupt (which wins: ranges may have been skipped).
pub(crate) fn execute(
    works: &[Work],
    loop_fn: LoopFn,
    interrupt: &AtomicU32,
    pool: Option<&ThreadPool>,
) -> Outcome {
    let lowest = AtomicU64::new(u64::MAX);
    let fault: Mutex<Option<(u64, u32)>> = Mutex::new(None);
    let interrupted = AtomicBool::new(false);
    let run = |work: &Work| {
        if interrupt.load(Ordering::Relaxed) != 0 {
            interrupted.store(true, Ordering::Relaxed);
            return;
        }
        if work.start as u64 > lowest.load(Ordering::Relaxed) || work.len == 0 {
            return;
        }
        let mut fail_index = 0u64;
        // SAFETY: each input pointer addresses `len` contiguous elements of its column (or one
        // broadcast value), `out` addresses `len` output elements (or the accumulator), all
        // borrowed by the driver for the whole run; `LoopFn` neither traps nor unwinds.
        let status = unsafe {
            loop_fn(
                work.inputs.as_ptr(),
                work.out,
                work.len as u64,
                interrupt,
                &mut fail_index,
            )
        };
        match status {
            STATUS_OK => {}
            STATUS_INTERRUPTED => interrupted.store(true, Ordering::Relaxed),
            status => {
                let index = work.start as u64 + fail_index.min(work.len as u64 - 1);
                lowest.fetch_min(index, Ordering::Relaxed);
                if let Ok(mut slot) = fault.lock()
                    && slot.is_none_or(|(i, _)| index < i)
                {
                    *slot = Some((index, status));
                }
            }
        }
    };
    match pool {
        Some(pool) => pool.install(|| works.par_iter().for_each(run)),
        None => works.iter().for_each(run),
    }
    if interrupted.load(Ordering::Relaxed) {
        return Outcome::Interrupted;
    }
    match fault.into_inner().ok().flatten() {
        Some((index, status)) => Outcome::Fault { index, status },
        None => Outcome::Done,
    }
}

/// Runs `job` (given the pool to spread over, if any) as `control` says: directly, or on a
/// pool worker while this thread polls.
pub(crate) fn run_job<R: Send>(
    control: &mut Control<'_>,
    len: usize,
    job: impl FnOnce(Option<&ThreadPool>) -> R + Send,
) -> Result<R, DriveError> {
    let threads = match control.threads {
        0 => pool::num_threads(),
        n => n,
    };
    let parallel = threads > 1 && len >= PARALLEL_THRESHOLD;
    let Some((slice, poll)) = control.poll.as_mut() else {
        let pool = if parallel {
            Some(pool::pool_with(threads)?)
        } else {
            None
        };
        return Ok(job(pool.as_deref()));
    };
    // The calling thread must stay free to poll, so even one-thread work runs on a worker.
    let pool = pool::pool_with(if parallel { threads } else { 1 })?;
    let interrupt = control.interrupt;
    let (done, result) = mpsc::channel();
    let spread = parallel.then_some(&*pool);
    pool.in_place_scope(|scope| {
        scope.spawn(move |_| {
            // The receiver outlives the scope; a failed send cannot happen.
            let _ = done.send(job(spread));
        });
        loop {
            match result.recv_timeout(*slice) {
                Ok(value) => return Ok(value),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if poll() {
                        interrupt.store(1, Ordering::Relaxed);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(DriveError::Interrupted),
            }
        }
    })
}

/// The common length of the column inputs (`None` if there is none).
pub(crate) fn column_len(inputs: &[Column<'_>]) -> Result<Option<usize>, DriveError> {
    let mut expected = None;
    for (input, column) in inputs.iter().enumerate() {
        if let Some(found) = column.length() {
            match expected {
                None => expected = Some(found),
                Some(expected) if expected != found => {
                    return Err(DriveError::LengthMismatch {
                        input,
                        expected,
                        found,
                    });
                }
                Some(_) => {}
            }
        }
    }
    Ok(expected)
}

pub(crate) fn chunked_geometries(inputs: &[Column<'_>]) -> Vec<Geometry> {
    inputs
        .iter()
        .filter_map(|c| match c {
            Column::Chunked(array) => Some(array.geometry()),
            _ => None,
        })
        .collect()
}

/// Maps the loop over the inputs into a new array of `out_dtype`, shaped like the first chunked
/// input (or with the default first chunk when all columns are contiguous slices).
pub fn map(
    loop_fn: LoopFn,
    inputs: &[Column<'_>],
    out_dtype: DType,
    control: &mut Control<'_>,
) -> Result<ChunkArray, DriveError> {
    let len = column_len(inputs)?.ok_or(DriveError::NoColumn)?;
    let geometry = match chunked_geometries(inputs).first() {
        Some(g) => *g,
        None => Geometry::from_first_chunk(DEFAULT_FIRST_CHUNK)?,
    };
    let mut out = ChunkArray::with_geometry(out_dtype, geometry);
    out.resize_zeroed(len)?;
    map_into(loop_fn, inputs, &mut out, control)?;
    Ok(out)
}

/// Maps the loop over the inputs into `out`, whose length must equal theirs. On a fault,
/// elements of `out` before the failing index are written and later ones unspecified.
pub fn map_into(
    loop_fn: LoopFn,
    inputs: &[Column<'_>],
    out: &mut ChunkArray,
    control: &mut Control<'_>,
) -> Result<(), DriveError> {
    let len = out.len();
    if let Some(found) = column_len(inputs)?
        && found != len
    {
        return Err(DriveError::LengthMismatch {
            input: 0,
            expected: len,
            found,
        });
    }
    let mut geometries = chunked_geometries(inputs);
    geometries.push(out.geometry());
    let ranges = ranges::split(0..len, &geometries, RANGE_LEN);
    let mut works = Vec::with_capacity(ranges.len());
    for range in ranges {
        let out_ptr = out
            .segments(range.start, range.end)?
            .next()
            .map_or(std::ptr::null_mut(), |s| s.ptr);
        works.push(Work {
            start: range.start,
            len: range.end - range.start,
            inputs: inputs.iter().map(|c| c.element_ptr(range.start)).collect(),
            out: out_ptr,
        });
    }
    let interrupt = control.interrupt;
    run_job(control, len, |pool| {
        execute(&works, loop_fn, interrupt, pool)
    })?
    .into_result()
}
