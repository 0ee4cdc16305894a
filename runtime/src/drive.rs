//! The drivers: run a compiled chunk loop (`abi::LoopFn`) over arrays, range by range, on the
//! thread pool. Ranges never cross a chunk boundary of any array involved, so every pointer a
//! loop gets addresses contiguous elements. A fault reports the lowest failing element index
//! whatever the number of threads: a range that starts after a known failure is skipped, every
//! range before it still runs.

use crate::abi::{LoopFn, STATUS_INTERRUPTED, STATUS_OK};
use crate::geometry::Geometry;
use crate::pool;
use crate::ranges::{split, PARALLEL_THRESHOLD, RANGE_LEN};
use crate::xar::ChunkArray;
use crate::DType;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// One input of a loop.
#[derive(Clone, Copy)]
pub enum Column<'a> {
    /// A chunk array of at least the driven length.
    Array(&'a ChunkArray),
    /// Contiguous elements of `size` bytes each (an ndarray's buffer), at least the driven length.
    Slice { ptr: *const u8, size: usize },
    /// One value, read by the loop once per call.
    Broadcast(*const u8),
}

/// Where a map writes its results.
#[derive(Clone, Copy)]
pub enum Output<'a> {
    /// A chunk array already sized to the driven length.
    Array(&'a ChunkArray),
    /// A writable contiguous buffer of elements of `size` bytes.
    Slice { ptr: *mut u8, size: usize },
}

/// Why a drive stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The element at global `index` faulted with loop status `status`.
    Fault { index: u64, status: u32 },
    /// The interrupt flag was set (Ctrl-C).
    Interrupted,
    /// The thread pool could not be started.
    Pool,
}

/// How the calling thread waits: `None` runs on it directly (the loop cannot run long); `Some`
/// runs the work on other threads while the caller wakes every `slice` to ask `poll` whether to
/// interrupt (it returns true to stop; the caller checks for Ctrl-C there).
pub struct Waiter<'p> {
    pub slice: Duration,
    pub poll: &'p mut dyn FnMut() -> bool,
    /// When set, `map` adds the length of every finished range here (one relaxed add per
    /// range), so that `poll` can report progress.
    pub done: Option<&'p AtomicU64>,
}

struct Ptr(*const u8);
// SAFETY: the pointers handed to the drivers address memory that outlives the drive (the caller
// holds the arrays) and each range writes a disjoint part of the output.
unsafe impl Send for Ptr {}
unsafe impl Sync for Ptr {}

impl Ptr {
    /// Through a method, so closures capture the `Ptr` (Send + Sync), not the raw field.
    fn get(&self) -> *mut u8 {
        self.0 as *mut u8
    }
}

// SAFETY: a Column/Output only carries addresses of memory the caller keeps alive for the whole
// drive; reads are shared, and writes of different ranges never overlap.
unsafe impl Send for Column<'_> {}
unsafe impl Sync for Column<'_> {}
unsafe impl Send for Output<'_> {}
unsafe impl Sync for Output<'_> {}

fn element_ptr(array: &ChunkArray, index: usize) -> *mut u8 {
    let (chunk, offset) = array.geometry().locate(index);
    array.chunk_ptr(chunk).wrapping_add(offset * array.dtype().size())
}

impl Column<'_> {
    fn at(&self, index: usize) -> *const u8 {
        match *self {
            Column::Array(a) => element_ptr(a, index),
            Column::Slice { ptr, size } => ptr.wrapping_add(index * size),
            Column::Broadcast(ptr) => ptr,
        }
    }
}

impl Output<'_> {
    fn at(&self, index: usize) -> *mut u8 {
        match *self {
            Output::Array(a) => element_ptr(a, index),
            Output::Slice { ptr, size } => ptr.wrapping_add(index * size),
        }
    }
}

fn geometries(columns: &[Column<'_>], out: Option<&Output<'_>>) -> Vec<Geometry> {
    let mut gs: Vec<Geometry> = columns
        .iter()
        .filter_map(|c| match c {
            Column::Array(a) => Some(a.geometry()),
            _ => None,
        })
        .collect();
    if let Some(Output::Array(a)) = out {
        gs.push(a.geometry());
    }
    gs.sort_by_key(|g| g.shift());
    gs.dedup_by_key(|g| g.shift());
    gs
}

/// The lowest failure seen so far, shared by the workers.
struct FirstStop {
    index: AtomicU64,
    stop: Mutex<Option<Stop>>,
}

impl FirstStop {
    fn new() -> FirstStop {
        FirstStop { index: AtomicU64::new(u64::MAX), stop: Mutex::new(None) }
    }

    /// Whether a range starting at `start` can still matter.
    fn before_failure(&self, start: usize) -> bool {
        (start as u64) < self.index.load(Ordering::Relaxed)
    }

    fn stopped(&self) -> bool {
        self.index.load(Ordering::Relaxed) != u64::MAX
    }

    fn record(&self, index: u64, stop: Stop) {
        if let Ok(mut slot) = self.stop.lock() {
            let lower = match *slot {
                None => true,
                Some(Stop::Fault { index: old, .. }) => index < old,
                Some(_) => false,
            };
            if lower {
                *slot = Some(stop);
                self.index.fetch_min(index, Ordering::Relaxed);
            }
        }
    }

    fn into_result(self) -> Result<(), Stop> {
        match self.stop.into_inner() {
            Ok(None) => Ok(()),
            Ok(Some(stop)) => Err(stop),
            Err(_) => Err(Stop::Pool),
        }
    }
}

/// Inputs whose pointer table `run_range` keeps on the stack.
const INLINE_INPUTS: usize = 8;

/// Calls the loop on one range and records a stop.
fn run_range(
    loop_fn: LoopFn,
    columns: &[Column<'_>],
    out: *mut u8,
    range: Range<usize>,
    interrupt: &AtomicU32,
    first: &FirstStop,
) {
    if !first.before_failure(range.start) {
        return;
    }
    if interrupt.load(Ordering::Relaxed) != 0 {
        first.record(range.start as u64, Stop::Interrupted);
        return;
    }
    // The input table lives on the stack for the usual few inputs: this runs once per range.
    let mut inline = [std::ptr::null::<u8>(); INLINE_INPUTS];
    let spilled: Vec<*const u8>;
    let inputs = if columns.len() <= INLINE_INPUTS {
        for (slot, c) in inline.iter_mut().zip(columns) {
            *slot = c.at(range.start);
        }
        inline.as_ptr()
    } else {
        spilled = columns.iter().map(|c| c.at(range.start)).collect();
        spilled.as_ptr()
    };
    let mut fail = 0u64;
    // SAFETY: every column and the output address at least `range.end` elements (the caller's
    // contract), the range lies inside one chunk of every chunked array, so the loop reads and
    // writes `range.len()` contiguous elements from each pointer; the code behind `loop_fn` is
    // alive for the whole drive (the caller holds it).
    let status = unsafe {
        loop_fn(inputs, out, range.len() as u64, interrupt, &mut fail)
    };
    match status {
        STATUS_OK => {}
        STATUS_INTERRUPTED => first.record(range.start as u64, Stop::Interrupted),
        status => {
            let index = range.start as u64 + fail.min(range.len() as u64);
            first.record(index, Stop::Fault { index, status });
        }
    }
}

/// Runs `work` on the pool (or here, for one thread or a short job) and waits as `waiter` says.
fn dispatch<F>(work: F, parallel: bool, interrupt: &AtomicU32, waiter: Option<Waiter<'_>>) -> Result<(), Stop>
where
    F: FnOnce(Option<&rayon::ThreadPool>) + Send,
{
    let pool = if parallel { pool::global_pool().map_err(|_| Stop::Pool)? } else { None };
    let Some(waiter) = waiter else {
        match &pool {
            Some(p) => p.install(|| work(Some(p))),
            None => work(None),
        }
        return Ok(());
    };
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            match &pool {
                Some(p) => p.install(|| work(Some(p))),
                None => work(None),
            }
            let _ = done_tx.send(());
        });
        loop {
            match done_rx.recv_timeout(waiter.slice) {
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if (waiter.poll)() {
                        interrupt.store(1, Ordering::Relaxed);
                    }
                }
            }
        }
    });
    Ok(())
}

/// `out[i] = loop(inputs[i])` for `i < len`.
pub fn map(
    loop_fn: LoopFn,
    columns: &[Column<'_>],
    out: Output<'_>,
    len: usize,
    interrupt: &AtomicU32,
    waiter: Option<Waiter<'_>>,
) -> Result<(), Stop> {
    let ranges = split(0..len, &geometries(columns, Some(&out)), RANGE_LEN);
    let first = FirstStop::new();
    let parallel = len >= PARALLEL_THRESHOLD && pool::num_threads() > 1;
    let done = waiter.as_ref().and_then(|w| w.done);
    let work = |pool: Option<&rayon::ThreadPool>| {
        let one = |r: &Range<usize>| {
            run_range(loop_fn, columns, out.at(r.start), r.clone(), interrupt, &first);
            if let Some(done) = done {
                done.fetch_add(r.len() as u64, Ordering::Relaxed);
            }
        };
        match pool {
            Some(_) => ranges.par_iter().for_each(one),
            None => ranges.iter().for_each(one),
        }
    };
    dispatch(work, parallel, interrupt, waiter)?;
    first.into_result()
}

/// A left fold: `acc = loop(acc, column[i])` for `i < len`, `acc` read from and written back to
/// `acc` (one element of the accumulator's storage type, at most 8 bytes).
///
/// Sequential, unless `associative`: then every range folds from its own first element in
/// parallel and the partial results are folded, in order, onto `acc` by the same loop (which
/// needs the column's dtype to be the accumulator's).
#[expect(
    clippy::too_many_arguments,
    reason = "the map drivers' arguments plus the accumulator, its dtype and the associativity flag"
)]
pub fn reduce(
    loop_fn: LoopFn,
    column: Column<'_>,
    acc: &mut [u8; 8],
    elem: DType,
    len: usize,
    associative: bool,
    interrupt: &AtomicU32,
    waiter: Option<Waiter<'_>>,
) -> Result<(), Stop> {
    let gs = geometries(&[column], None);
    let ranges = split(0..len, &gs, RANGE_LEN);
    let first = FirstStop::new();
    let columns = [column];
    let acc_ptr = Ptr(acc.as_mut_ptr());
    if !associative || len < PARALLEL_THRESHOLD || pool::num_threads() <= 1 {
        let work = |_: Option<&rayon::ThreadPool>| {
            for r in &ranges {
                run_range(loop_fn, &columns, acc_ptr.get(), r.clone(), interrupt, &first);
                if first.stopped() {
                    break;
                }
            }
        };
        dispatch(work, false, interrupt, waiter)?;
        return first.into_result();
    }
    // Each range's partial is its first element folded with the rest.
    let size = elem.size();
    let mut partials = vec![0u8; ranges.len() * size];
    let partials_ptr = Ptr(partials.as_mut_ptr());
    let work = |_: Option<&rayon::ThreadPool>| {
        ranges.par_iter().enumerate().for_each(|(k, r)| {
            let slot = partials_ptr.get().wrapping_add(k * size);
            // SAFETY: `slot` is the k-th element of `partials` (one per range, disjoint), and
            // `column.at(r.start)` addresses an element of the column's dtype `elem`.
            unsafe { std::ptr::copy_nonoverlapping(columns[0].at(r.start), slot, size) };
            run_range(loop_fn, &columns, slot, r.start + 1..r.end, interrupt, &first);
        })
    };
    dispatch(work, true, interrupt, waiter)?;
    // A range's first element only meets the loop when the partials are folded, so after a
    // fault inside range k the partials of ranges 0..k (all complete) are still folded: a fault
    // there lies before it.
    let phase = first.into_result();
    let complete = match phase {
        Ok(()) => ranges.len(),
        Err(Stop::Fault { index, .. }) => ranges.iter().take_while(|r| r.end as u64 <= index).count(),
        Err(stop) => return Err(stop),
    };
    // Fold the partials onto the accumulator; a fault there is reported at its range's start.
    let fold = FirstStop::new();
    let partial_col = [Column::Slice { ptr: partials.as_ptr(), size }];
    run_range(loop_fn, &partial_col, acc.as_mut_ptr(), 0..complete, interrupt, &fold);
    fold.into_result().map_err(|stop| match stop {
        Stop::Fault { index, status } => {
            let start = ranges.get(index as usize).map_or(0, |r| r.start) as u64;
            Stop::Fault { index: start, status }
        }
        other => other,
    })?;
    phase
}

/// Keeps the elements of `input` whose predicate is true, in order: `loop_fn` is a map from the
/// input to a B1 mask, run range by range into a small buffer, and the kept elements of each
/// range are gathered into a buffer of their own; the buffers are appended in order.
pub fn filter(
    loop_fn: LoopFn,
    input: &ChunkArray,
    interrupt: &AtomicU32,
    waiter: Option<Waiter<'_>>,
) -> Result<ChunkArray, Stop> {
    let len = input.len();
    let ranges = split(0..len, &[input.geometry()], RANGE_LEN);
    let size = input.dtype().size();
    let first = FirstStop::new();
    let kept: Vec<Mutex<Vec<u8>>> = ranges.iter().map(|_| Mutex::new(Vec::new())).collect();
    let parallel = len >= PARALLEL_THRESHOLD && pool::num_threads() > 1;
    let columns = [Column::Array(input)];
    let work = |pool: Option<&rayon::ThreadPool>| {
        let one = |(k, r): (usize, &Range<usize>)| {
            let mut mask = vec![0u8; r.len()];
            run_range(loop_fn, &columns, mask.as_mut_ptr(), r.clone(), interrupt, &first);
            if !first.before_failure(r.start) {
                return;
            }
            let base = columns[0].at(r.start);
            // SAFETY: the range lies inside one chunk of `input`, so `r.len()` elements of
            // `size` bytes are contiguous from `base`.
            let src = unsafe { std::slice::from_raw_parts(base, r.len() * size) };
            let buf = compact(src, &mask, size);
            if let Some(slot) = kept.get(k)
                && let Ok(mut slot) = slot.lock()
            {
                *slot = buf;
            }
        };
        match pool {
            Some(_) => ranges.par_iter().enumerate().for_each(one),
            None => ranges.iter().enumerate().for_each(one),
        }
    };
    dispatch(work, parallel, interrupt, waiter)?;
    first.into_result()?;
    let mut out = ChunkArray::with_geometry(input.dtype(), input.geometry());
    for slot in kept {
        let bytes = slot.into_inner().map_err(|_| Stop::Pool)?;
        out.extend_from_bytes(&bytes).map_err(|_| Stop::Pool)?;
    }
    Ok(out)
}

/// Calls a collect loop (`abi::LoopFn` of a fused pipeline) on one range into `buf`, whose
/// spare capacity must hold `range.len()` elements; on success `buf` holds the elements written
/// and the count is returned, `None` after a stop (recorded).
fn run_collect_range(
    loop_fn: LoopFn,
    columns: &[Column<'_>],
    buf: &mut Vec<u8>,
    size: usize,
    range: Range<usize>,
    interrupt: &AtomicU32,
    first: &FirstStop,
) -> Option<usize> {
    if !first.before_failure(range.start) {
        return None;
    }
    if interrupt.load(Ordering::Relaxed) != 0 {
        first.record(range.start as u64, Stop::Interrupted);
        return None;
    }
    let inputs: Vec<*const u8> = columns.iter().map(|c| c.at(range.start)).collect();
    let mut count = 0u64;
    buf.clear();
    buf.reserve(range.len() * size);
    // SAFETY: as in `run_range`; `buf` has room for `range.len()` output elements, the most a
    // collect loop writes for a range of that length.
    let status = unsafe {
        loop_fn(inputs.as_ptr(), buf.as_mut_ptr(), range.len() as u64, interrupt, &mut count)
    };
    match status {
        STATUS_OK => {
            let n = (count as usize).min(range.len());
            // SAFETY: the loop wrote `n` elements of `size` bytes from the start of the reserved
            // space; any byte pattern is a valid u8.
            unsafe { buf.set_len(n * size) };
            Some(n)
        }
        STATUS_INTERRUPTED => {
            first.record(range.start as u64, Stop::Interrupted);
            None
        }
        status => {
            let index = range.start as u64 + count.min(range.len() as u64);
            first.record(index, Stop::Fault { index, status });
            None
        }
    }
}

/// The elements of `src` (of `size` bytes each) whose `mask` byte is non-zero, in order.
fn compact(src: &[u8], mask: &[u8], size: usize) -> Vec<u8> {
    let count = mask.iter().filter(|&&m| m != 0).count();
    match size {
        1 => compact_typed::<u8>(src, mask, count),
        2 => compact_typed::<u16>(src, mask, count),
        4 => compact_typed::<u32>(src, mask, count),
        8 => compact_typed::<u64>(src, mask, count),
        _ => {
            let mut buf = Vec::with_capacity(count * size);
            for (element, _) in src.chunks_exact(size).zip(mask).filter(|(_, m)| **m != 0) {
                buf.extend_from_slice(element);
            }
            buf
        }
    }
}

/// Runs a collect loop (a fused map/filter pipeline) over `len` elements of `columns`: every
/// range writes its kept results, compacted, into a buffer of its own, and the buffers are
/// appended in order (as `filter` does) to a new array of `out` elements shaped like `like`.
pub fn collect(
    loop_fn: LoopFn,
    columns: &[Column<'_>],
    out: DType,
    like: Geometry,
    len: usize,
    interrupt: &AtomicU32,
    waiter: Option<Waiter<'_>>,
) -> Result<ChunkArray, Stop> {
    let ranges = split(0..len, &geometries(columns, None), RANGE_LEN);
    let size = out.size();
    let first = FirstStop::new();
    let kept: Vec<Mutex<Vec<u8>>> = ranges.iter().map(|_| Mutex::new(Vec::new())).collect();
    let parallel = len >= PARALLEL_THRESHOLD && pool::num_threads() > 1;
    let work = |pool: Option<&rayon::ThreadPool>| {
        // One scratch buffer per worker (no allocation and no zeroing per range); each range's
        // kept elements are copied out at their exact size.
        let one = |scratch: &mut Vec<u8>, (k, r): (usize, &Range<usize>)| {
            if run_collect_range(loop_fn, columns, scratch, size, r.clone(), interrupt, &first).is_none() {
                return;
            }
            if let Some(Ok(mut slot)) = kept.get(k).map(|s| s.lock()) {
                slot.extend_from_slice(scratch);
            }
        };
        match pool {
            Some(_) => ranges.par_iter().enumerate().for_each_init(Vec::new, one),
            None => {
                let mut scratch = Vec::new();
                ranges.iter().enumerate().for_each(|item| one(&mut scratch, item));
            }
        }
    };
    dispatch(work, parallel, interrupt, waiter)?;
    first.into_result()?;
    let mut array = ChunkArray::with_geometry(out, like);
    for slot in kept {
        let bytes = slot.into_inner().map_err(|_| Stop::Pool)?;
        array.extend_from_bytes(&bytes).map_err(|_| Stop::Pool)?;
    }
    Ok(array)
}

/// A left fold of a reduce loop over several columns (a fused pipeline): `acc` (one element of
/// the accumulator's storage type) is read, folded over `len` elements range by range in order
/// on one thread, and written back.
pub fn fold(
    loop_fn: LoopFn,
    columns: &[Column<'_>],
    acc: &mut [u8; 8],
    len: usize,
    interrupt: &AtomicU32,
    waiter: Option<Waiter<'_>>,
) -> Result<(), Stop> {
    let ranges = split(0..len, &geometries(columns, None), RANGE_LEN);
    let first = FirstStop::new();
    let acc_ptr = Ptr(acc.as_mut_ptr());
    let work = |_: Option<&rayon::ThreadPool>| {
        for r in &ranges {
            run_range(loop_fn, columns, acc_ptr.get(), r.clone(), interrupt, &first);
            if first.stopped() {
                break;
            }
        }
    };
    dispatch(work, false, interrupt, waiter)?;
    first.into_result()
}

/// Per-range partial folds of a reduce loop over several columns, in parallel: every range
/// folds from `identity` (the fold's identity element, `acc_size` bytes), and the partials come
/// back in range order, with each range's first element index (the caller folds them, in
/// order, with a combining loop). Ranges depend on the arrays' geometry only, never on the
/// thread count, so the result does not either.
pub fn partials(
    loop_fn: LoopFn,
    columns: &[Column<'_>],
    identity: [u8; 8],
    acc_size: usize,
    len: usize,
    interrupt: &AtomicU32,
    waiter: Option<Waiter<'_>>,
) -> Result<(Vec<u8>, Vec<usize>), Stop> {
    let ranges = split(0..len, &geometries(columns, None), RANGE_LEN);
    let first = FirstStop::new();
    let slots: Vec<Mutex<[u8; 8]>> = ranges.iter().map(|_| Mutex::new(identity)).collect();
    let parallel = len >= PARALLEL_THRESHOLD && pool::num_threads() > 1;
    let work = |pool: Option<&rayon::ThreadPool>| {
        let one = |(k, r): (usize, &Range<usize>)| {
            if let Some(Ok(mut slot)) = slots.get(k).map(|s| s.lock()) {
                run_range(loop_fn, columns, slot.as_mut_ptr(), r.clone(), interrupt, &first);
            }
        };
        match pool {
            Some(_) => ranges.par_iter().enumerate().for_each(one),
            None => ranges.iter().enumerate().for_each(one),
        }
    };
    dispatch(work, parallel, interrupt, waiter)?;
    first.into_result()?;
    let mut out = Vec::with_capacity(ranges.len() * acc_size);
    for slot in slots {
        let bytes = slot.into_inner().map_err(|_| Stop::Pool)?;
        out.extend_from_slice(&bytes[..acc_size.min(8)]);
    }
    Ok((out, ranges.iter().map(|r| r.start).collect()))
}

/// Branch-free compaction (the mask is often unpredictable): every element is written at the
/// next free slot, and the slot advances only when the element is kept; `count` is the number
/// of kept elements. The buffer has one spare slot for the writes past the last kept element.
fn compact_typed<T: Copy>(src: &[u8], mask: &[u8], count: usize) -> Vec<u8> {
    let size = std::mem::size_of::<T>();
    let n = (src.len() / size).min(mask.len());
    let mut buf = vec![0u8; (count + 1) * size];
    let (src_ptr, dst_ptr) = (src.as_ptr(), buf.as_mut_ptr());
    let mut at = 0usize;
    for (i, &m) in mask.iter().enumerate().take(n) {
        // SAFETY: `i < n` elements of `src`; `at` counts the kept elements before `i`, so
        // `at <= count` and the slot lies inside `buf`'s `count + 1` elements. Unaligned
        // accesses accept any address.
        unsafe {
            let value = std::ptr::read_unaligned(src_ptr.add(i * size).cast::<T>());
            std::ptr::write_unaligned(dst_ptr.add(at * size).cast::<T>(), value);
        }
        at += usize::from(m != 0);
    }
    buf.truncate(count * size);
    buf
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn compact_keeps_the_marked_elements_in_order_for_every_size() {
        let n = 37;
        for size in [1usize, 2, 4, 8, 3] {
            let src: Vec<u8> = (0..n * size).map(|b| (b % 251) as u8).collect();
            let mask: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0 || i == n - 1)).collect();
            let want: Vec<u8> = (0..n)
                .filter(|&i| mask[i] != 0)
                .flat_map(|i| src[i * size..(i + 1) * size].to_vec())
                .collect();
            assert_eq!(compact(&src, &mask, size), want, "size {size}");
        }
        assert_eq!(compact(&[1, 2, 3], &[0, 0, 0], 1), Vec::<u8>::new());
        assert_eq!(compact(&[1, 2, 3], &[1, 2, 1], 1), vec![1, 2, 3]);
        assert_eq!(compact(&[], &[], 8), Vec::<u8>::new());
    }
}
