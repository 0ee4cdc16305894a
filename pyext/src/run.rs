//! Running a compiled loop from Python: arguments become driver columns, the work runs with the
//! GIL released, the calling thread watches for Ctrl-C while it waits, and a stop becomes the
//! Python exception.

use crate::array::PyChunkArray;
use crate::errors::{fault_error, internal_error};
use crate::kernel::CompiledKernel;
use lower::Compiled;
use numpy::{PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use runtime::drive::{self, Column, Output, Stop, Waiter};
use runtime::ranges::PARALLEL_THRESHOLD;
use runtime::ChunkArray;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// How often a waiting caller checks for Ctrl-C.
const POLL_SLICE: Duration = Duration::from_millis(20);

/// One loop input as Python handed it.
pub enum InputArg<'py> {
    Array(PyRef<'py, PyChunkArray>),
    /// A 1-d C-contiguous ndarray (checked by the caller).
    Slice(Bound<'py, PyUntypedArray>),
    /// One value, as the bits of its storage type.
    Broadcast(u64),
}

impl InputArg<'_> {
    pub fn len(&self) -> Option<usize> {
        match self {
            InputArg::Array(a) => Some(a.array().len()),
            InputArg::Slice(nd) => Some(nd.len()),
            InputArg::Broadcast(_) => None,
        }
    }

    pub fn first_chunk(&self) -> Option<usize> {
        match self {
            InputArg::Array(a) => Some(a.array().first_chunk()),
            _ => None,
        }
    }

    pub(crate) fn column(&self) -> Column<'_> {
        match self {
            InputArg::Array(a) => Column::Array(a.array()),
            InputArg::Slice(nd) => Column::Slice { ptr: ndarray_data(nd), size: nd.dtype().itemsize() },
            InputArg::Broadcast(bits) => Column::Broadcast(bits as *const u64 as *const u8),
        }
    }
}

/// Where a map writes.
pub enum OutArg<'a, 'py> {
    Array(&'a ChunkArray),
    /// A writable 1-d C-contiguous ndarray (checked by the caller).
    Slice(Bound<'py, PyUntypedArray>),
    /// One element (a scalar call).
    Scalar(&'a mut [u8; 8]),
}

fn ndarray_data(nd: &Bound<'_, PyUntypedArray>) -> *mut u8 {
    // SAFETY: `as_array_ptr` is a live PyArrayObject while `nd` is held; reading its `data`
    // field does not touch the elements.
    unsafe { (*nd.as_array_ptr()).fields.data as *mut u8 }
}

pub fn is_writeable(nd: &Bound<'_, PyUntypedArray>) -> bool {
    nd.getattr("flags").and_then(|f| f.getattr("writeable")).and_then(|w| w.extract::<bool>()).unwrap_or(false)
}

/// Runs `work` with the GIL released. When `watch`, the caller wakes every `POLL_SLICE` to run
/// the signal handlers; a KeyboardInterrupt stops the loops and is returned.
pub(crate) fn detached<F>(py: Python<'_>, watch: bool, work: F) -> (Result<(), Stop>, Option<PyErr>)
where
    F: FnOnce(Option<Waiter<'_>>) -> Result<(), Stop> + Send,
{
    detached_with_progress(py, watch, None, work)
}

/// Where a map reports progress: `sink(done, total)` is called from the waiting thread (with
/// the GIL) at every poll; `done` counts the elements of finished ranges.
pub struct ProgressSink<'a> {
    pub sink: &'a Bound<'a, PyAny>,
    pub total: u64,
}

fn detached_with_progress<F>(
    py: Python<'_>,
    watch: bool,
    progress: Option<&ProgressSink<'_>>,
    work: F,
) -> (Result<(), Stop>, Option<PyErr>)
where
    F: FnOnce(Option<Waiter<'_>>) -> Result<(), Stop> + Send,
{
    let mut pending: Option<PyErr> = None;
    let done = AtomicU64::new(0);
    // The sink crosses into the detached closure as an owned reference and is only touched
    // with the GIL held (inside `Python::attach`).
    let sink: Option<(Py<PyAny>, u64)> = progress.map(|p| (p.sink.clone().unbind(), p.total));
    let result = py.detach(|| {
        if !watch && sink.is_none() {
            return work(None);
        }
        let mut poll = || {
            Python::attach(|py| {
                let mut result = py.check_signals();
                if let (true, Some((sink, total))) = (result.is_ok(), &sink) {
                    result = sink.bind(py).call1((done.load(Ordering::Relaxed), *total)).map(|_| ());
                }
                match result {
                    Ok(()) => false,
                    Err(err) => {
                        pending = Some(err);
                        true
                    }
                }
            })
        };
        let done_ref = sink.as_ref().map(|_| &done);
        work(Some(Waiter { slice: POLL_SLICE, poll: &mut poll, done: done_ref }))
    });
    (result, pending)
}

fn stop_error(kernel: &CompiledKernel, compiled: &Compiled, stop: Stop, pending: Option<PyErr>, element: bool) -> PyErr {
    match stop {
        Stop::Fault { index, status } => match compiled.decode(status) {
            Some(fault) => fault_error(kernel.name(), &fault, element.then_some(index)),
            None => internal_error(format!("undecodable loop status {status:#x}")),
        },
        Stop::Interrupted => pending.unwrap_or_else(|| PyKeyboardInterrupt::new_err("interrupted")),
        Stop::Pool => internal_error("the thread pool could not be started"),
    }
}

fn must_watch(kernel: &CompiledKernel, len: usize) -> bool {
    len >= PARALLEL_THRESHOLD || kernel.kernel.has_loops()
}

pub fn run_map(
    py: Python<'_>,
    kernel: &CompiledKernel,
    compiled: &Compiled,
    args: &[InputArg<'_>],
    out: OutArg<'_, '_>,
    len: usize,
) -> PyResult<()> {
    run_map_with_progress(py, kernel, compiled, args, out, len, None)
}

pub fn run_map_with_progress(
    py: Python<'_>,
    kernel: &CompiledKernel,
    compiled: &Compiled,
    args: &[InputArg<'_>],
    out: OutArg<'_, '_>,
    len: usize,
    progress: Option<&ProgressSink<'_>>,
) -> PyResult<()> {
    let columns: Vec<Column<'_>> = args.iter().map(InputArg::column).collect();
    let element = !matches!(out, OutArg::Scalar(_));
    let ret_size = crate::kernel::dtype_of(kernel.kernel.ret).size();
    let output = match out {
        OutArg::Array(a) => Output::Array(a),
        OutArg::Slice(ref nd) => Output::Slice { ptr: ndarray_data(nd), size: ret_size },
        OutArg::Scalar(slot) => Output::Slice { ptr: slot.as_mut_ptr(), size: ret_size },
    };
    let loop_fn = compiled.loop_fn();
    let interrupt = AtomicU32::new(0);
    let (result, pending) = detached_with_progress(py, must_watch(kernel, len), progress, |waiter| {
        drive::map(loop_fn, &columns, output, len, &interrupt, waiter)
    });
    result.map_err(|stop| stop_error(kernel, compiled, stop, pending, element))
}

pub fn run_filter(py: Python<'_>, kernel: &CompiledKernel, compiled: &Compiled, input: &ChunkArray) -> PyResult<ChunkArray> {
    let loop_fn = compiled.loop_fn();
    let interrupt = AtomicU32::new(0);
    let mut kept = None;
    let (result, pending) = detached(py, must_watch(kernel, input.len()), |waiter| {
        kept = Some(drive::filter(loop_fn, input, &interrupt, waiter)?);
        Ok(())
    });
    result.map_err(|stop| stop_error(kernel, compiled, stop, pending, true))?;
    kept.ok_or_else(|| internal_error("filter produced no result"))
}

pub fn run_reduce(
    py: Python<'_>,
    kernel: &CompiledKernel,
    compiled: &Compiled,
    input: &ChunkArray,
    acc: &mut [u8; 8],
    associative: bool,
) -> PyResult<()> {
    let loop_fn = compiled.loop_fn();
    let interrupt = AtomicU32::new(0);
    let elem = input.dtype();
    let (result, pending) = detached(py, must_watch(kernel, input.len()), |waiter| {
        drive::reduce(loop_fn, Column::Array(input), acc, elem, input.len(), associative, &interrupt, waiter)
    });
    result.map_err(|stop| stop_error(kernel, compiled, stop, pending, true))
}
