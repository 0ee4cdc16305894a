//! Fused pipelines (`arr.pipe().map(f).filter(p).sum()`, see `chunkjit._pipeline`): one
//! synthetic kernel calling every stage (`frontend::pipeline`), compiled once per pipeline shape
//! into a `Collect` or `Reduce` loop and run by the drivers in `runtime::drive`.

use crate::array::PyChunkArray;
use crate::errors::{fault_error, internal_error};
use crate::kernel::{CompiledKernel, dtype_of, input_arg};
use crate::run::{InputArg, detached};
use crate::scalar::to_python;
use frontend::pipeline::{self, Stage, Terminal};
use frontend::{Kernel, Scalar, Ty};
use lower::{Compiled, Input, LoopKind, LoopSpec};
use pyo3::exceptions::{PyKeyboardInterrupt, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use runtime::drive::{self, Column, Stop};
use runtime::ranges::PARALLEL_THRESHOLD;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

/// One compiled loop with the kernel it runs.
struct Loop {
    kernel: Arc<Kernel>,
    compiled: Arc<Compiled>,
}

impl Loop {
    fn new(kernel: Kernel, spec: &LoopSpec) -> PyResult<Loop> {
        let compiled = lower::compile(&kernel, spec).map_err(internal_error)?;
        Ok(Loop {
            kernel: Arc::new(kernel),
            compiled: Arc::new(compiled),
        })
    }
}

/// A compiled pipeline: its loop, and for reduce terminals the loops that fold per-range
/// partials and (min/max) count the kept elements.
#[pyclass(frozen, name = "PipelineLoop", module = "chunkjit._native")]
pub struct PyPipelineLoop {
    main: Loop,
    terminal: Terminal,
    /// `Some`: the main loop folds each range from an identity, this loop folds the partials.
    combine: Option<Loop>,
    /// min/max: a count of the kept elements, run when the result is the identity (is it empty?).
    count: Option<Loop>,
    /// Per stage kernel (and every kernel it calls): the stage and its number, for naming the
    /// kernel whose source a fault is in.
    stages: Vec<(Arc<Kernel>, String, usize)>,
    description: String,
}

fn terminal_of(name: &str, reduce: Option<&CompiledKernel>) -> PyResult<Terminal> {
    Ok(match (name, reduce) {
        ("collect", _) => Terminal::Collect,
        ("sum", _) => Terminal::Sum,
        ("min", _) => Terminal::Min,
        ("max", _) => Terminal::Max,
        ("count", _) => Terminal::Count,
        ("reduce", Some(k)) => Terminal::Reduce(k.kernel.clone()),
        (other, _) => {
            return Err(PyValueError::new_err(format!(
                "unknown pipeline terminal {other:?}"
            )));
        }
    })
}

/// The identity of a built-in fold over accumulators of type `acc`.
fn identity(terminal: &Terminal, acc: Ty) -> Option<Scalar> {
    let (lo, hi) = acc.int_range().unwrap_or((0, 0));
    Some(match terminal {
        Terminal::Sum | Terminal::Count if acc.is_float() => Scalar::Float(0.0),
        Terminal::Sum | Terminal::Count => Scalar::Int(0),
        Terminal::Min if acc.is_float() => Scalar::Float(f64::INFINITY),
        Terminal::Max if acc.is_float() => Scalar::Float(f64::NEG_INFINITY),
        Terminal::Min if acc.is_unsigned() => Scalar::UInt(hi as u64),
        Terminal::Min => Scalar::Int(hi as i64),
        Terminal::Max if acc.is_unsigned() => Scalar::UInt(0),
        Terminal::Max => Scalar::Int(lo as i64),
        Terminal::Collect | Terminal::Reduce(_) => return None,
    })
}

fn pipeline_error(e: frontend::pipeline::PipelineError) -> PyErr {
    PyTypeError::new_err(e.to_string())
}

#[pymethods]
impl PyPipelineLoop {
    /// `source`: the element type of the piped array; `stages`: `("map" | "filter", compiled
    /// kernel)`; `terminal`: collect, sum, min, max, count or reduce (with `reduce_kernel`);
    /// `layout`: per loop input (the array, then every map stage's extra inputs) the storage
    /// type name of a column, or None for a broadcast value.
    #[new]
    #[pyo3(signature = (source, stages, terminal, reduce_kernel, associative, layout))]
    fn new(
        source: &str,
        stages: Vec<(String, Bound<'_, CompiledKernel>)>,
        terminal: &str,
        reduce_kernel: Option<Bound<'_, CompiledKernel>>,
        associative: bool,
        layout: Vec<Option<String>>,
    ) -> PyResult<Self> {
        let source_ty = Ty::from_name(source)
            .ok_or_else(|| PyValueError::new_err(format!("unknown type {source:?}")))?;
        let mut built = Vec::with_capacity(stages.len());
        let mut named = Vec::new();
        for (n, (kind, compiled)) in stages.iter().enumerate() {
            let k = compiled.get().kernel.clone();
            let what = format!("{kind} '{}'", k.name);
            for callee in pipeline::kernels_called(&k) {
                named.push((callee, what.clone(), n + 1));
            }
            named.push((k.clone(), what, n + 1));
            built.push(match kind.as_str() {
                "map" => Stage::Map(k),
                "filter" => Stage::Filter(k),
                other => {
                    return Err(PyValueError::new_err(format!(
                        "unknown pipeline stage {other:?}"
                    )));
                }
            });
        }
        let terminal = terminal_of(terminal, reduce_kernel.as_ref().map(|k| k.get()))?;
        if let Terminal::Reduce(k) = &terminal {
            let what = format!("reduce '{}'", k.name);
            for callee in pipeline::kernels_called(k) {
                named.push((callee, what.clone(), built.len() + 1));
            }
            named.push((k.clone(), what, built.len() + 1));
        }
        let kernel = pipeline::build(source_ty, &built, &terminal).map_err(pipeline_error)?;
        let acc = !matches!(terminal, Terminal::Collect);
        let skip = usize::from(acc);
        if layout.len() + skip != kernel.params.len() {
            return Err(PyTypeError::new_err(format!(
                "the pipeline takes {} inputs, {} given",
                kernel.params.len() - skip,
                layout.len()
            )));
        }
        let mut inputs = Vec::with_capacity(layout.len());
        for (i, (slot, param)) in layout
            .iter()
            .zip(kernel.params.iter().skip(skip))
            .enumerate()
        {
            inputs.push(match slot {
                Some(name) => {
                    let storage = Ty::from_name(name)
                        .ok_or_else(|| PyValueError::new_err(format!("unknown type {name:?}")))?;
                    crate::kernel::check_input(&kernel, i + skip, storage)?;
                    Input {
                        storage,
                        broadcast: false,
                    }
                }
                None => Input {
                    storage: param.ty.storage(),
                    broadcast: true,
                },
            });
        }
        // Without a filter every element is written where it is: a plain map, straight into
        // the result (no per-range buffers to concatenate).
        let filters = built.iter().any(|s| matches!(s, Stage::Filter(_)));
        let kind = match (acc, filters) {
            (true, _) => LoopKind::Reduce,
            (false, true) => LoopKind::Collect,
            (false, false) => LoopKind::Map,
        };
        let spec = LoopSpec {
            kind,
            inputs: inputs.clone(),
        };
        let acc_ty = kernel.params.first().map(|p| p.ty).filter(|_| acc);
        let description = kernel.source.text.clone();
        let main = Loop::new(kernel, &spec)?;

        let parallel = match &terminal {
            Terminal::Collect => false,
            Terminal::Reduce(_) => associative,
            _ => true,
        };
        let combine = match acc_ty {
            Some(acc_ty) if parallel => match pipeline::build(acc_ty, &[], &terminal.combiner()) {
                Ok(k) => {
                    let spec = LoopSpec {
                        kind: LoopKind::Reduce,
                        inputs: vec![Input {
                            storage: acc_ty.storage(),
                            broadcast: false,
                        }],
                    };
                    Some(Loop::new(k, &spec)?)
                }
                // A reduce kernel whose element type is not its accumulator's folds in order.
                Err(_) => None,
            },
            _ => None,
        };
        let count = match terminal {
            Terminal::Min | Terminal::Max => {
                let k =
                    pipeline::build(source_ty, &built, &Terminal::Count).map_err(pipeline_error)?;
                Some(Loop::new(
                    k,
                    &LoopSpec {
                        kind: LoopKind::Reduce,
                        inputs,
                    },
                )?)
            }
            _ => None,
        };
        Ok(PyPipelineLoop {
            main,
            terminal,
            combine,
            count,
            stages: named,
            description,
        })
    }

    /// The fused kernel as IR text.
    #[getter]
    fn ir(&self) -> String {
        frontend::dump::dump(&self.main.kernel)
    }

    /// The CLIF of the fused loop.
    #[getter]
    fn clif(&self) -> String {
        self.main.compiled.clif().to_string()
    }

    /// Whether per-range partial results are folded (a parallel reduce).
    #[getter]
    fn parallel_reduce(&self) -> bool {
        self.combine.is_some()
    }

    /// Runs a collect pipeline over `inputs` (the array, then the map stages' extra inputs).
    fn collect<'py>(
        &self,
        py: Python<'py>,
        inputs: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (args, len) = self.args(inputs)?;
        let like = match args.first() {
            Some(InputArg::Array(a)) => a.array().geometry(),
            _ => return Err(PyTypeError::new_err("a pipeline starts from a ChunkArray")),
        };
        let columns: Vec<Column<'_>> = args.iter().map(InputArg::column).collect();
        let out = dtype_of(self.main.kernel.ret);
        let loop_fn = self.main.compiled.loop_fn();
        let interrupt = AtomicU32::new(0);
        // No filter: a map straight into the sized result; else per-range compacted buffers.
        let mut mapped = None;
        if self.main.compiled.kind() == LoopKind::Map {
            let mut array = runtime::ChunkArray::with_geometry(out, like);
            // SAFETY: a successful map writes every element of 0..len before the array reaches
            // Python; on any error (fault, Ctrl-C) the `?` below drops it unread. Not zeroing
            // also leaves the first touch of each page to the workers, in parallel.
            unsafe { array.resize_uninit(len) }.map_err(crate::errors::array_error)?;
            mapped = Some(array);
        }
        let mut collected = None;
        let (status, pending) = detached(py, self.watch(len), |waiter| match &mapped {
            Some(array) => drive::map(
                loop_fn,
                &columns,
                drive::Output::Array(array),
                len,
                &interrupt,
                waiter,
            ),
            None => {
                collected = Some(drive::collect(
                    loop_fn, &columns, out, like, len, &interrupt, waiter,
                )?);
                Ok(())
            }
        });
        status.map_err(|stop| self.stop_error(py, &self.main, stop, pending))?;
        let array = mapped
            .or(collected)
            .ok_or_else(|| internal_error("collect produced no result"))?;
        Ok(Bound::new(py, PyChunkArray::from_array(array))?.into_any())
    }

    /// Runs a reduce pipeline; `initial` is the accumulator's start (reduce only).
    #[pyo3(signature = (inputs, initial=None))]
    fn reduce<'py>(
        &self,
        py: Python<'py>,
        inputs: &Bound<'py, PyList>,
        initial: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let acc_ty = self.main.kernel.ret;
        let start = match (identity(&self.terminal, acc_ty), &initial) {
            (Some(id), _) => id,
            (None, Some(obj)) => crate::kernel::scalar_of(obj, acc_ty)?,
            (None, None) => return Err(PyTypeError::new_err("reduce needs an initial value")),
        };
        let acc = self.fold(py, &self.main, inputs, start)?;
        let unchanged = acc == Scalar::from_bits(start.to_bits(acc_ty.storage()), acc_ty);
        if let (Terminal::Min | Terminal::Max, Some(count), true) =
            (&self.terminal, &self.count, unchanged)
        {
            let n = self.fold(py, count, inputs, Scalar::Int(0))?;
            if n == Scalar::Int(0) {
                let what = if matches!(self.terminal, Terminal::Min) {
                    "min"
                } else {
                    "max"
                };
                return Err(PyValueError::new_err(format!(
                    "{what}() of an empty pipeline result ({}): the reduction has no identity",
                    self.description
                )));
            }
        }
        let ret = dtype_of(acc_ty);
        to_python(
            py,
            ret,
            &acc.to_bits(acc_ty.storage()).to_le_bytes()[..ret.size()],
        )
    }
}

impl PyPipelineLoop {
    fn watch(&self, len: usize) -> bool {
        len >= PARALLEL_THRESHOLD || self.main.kernel.has_loops()
    }

    fn args<'py>(&self, inputs: &Bound<'py, PyList>) -> PyResult<(Vec<InputArg<'py>>, usize)> {
        let kernel = &self.main.kernel;
        let skip = kernel.params.len().saturating_sub(inputs.len());
        let mut args = Vec::with_capacity(inputs.len());
        for (i, obj) in inputs.iter().enumerate() {
            args.push(input_arg(kernel, i + skip, &obj)?.0);
        }
        let len = args.first().and_then(InputArg::len).unwrap_or(0);
        for (i, arg) in args.iter().enumerate() {
            if let Some(n) = arg.len()
                && n != len
            {
                return Err(PyValueError::new_err(format!(
                    "pipeline input {i} has length {n}, the array has length {len}"
                )));
            }
        }
        Ok((args, len))
    }

    /// Folds `lp` (a reduce loop over the pipeline's inputs) from `start`: per range then the
    /// partials in order when `lp` is the main loop of a parallel reduce, else in one pass.
    fn fold(
        &self,
        py: Python<'_>,
        lp: &Loop,
        inputs: &Bound<'_, PyList>,
        start: Scalar,
    ) -> PyResult<Scalar> {
        let (args, len) = self.args(inputs)?;
        let columns: Vec<Column<'_>> = args.iter().map(InputArg::column).collect();
        let acc_ty = lp.kernel.ret;
        let size = dtype_of(acc_ty).size();
        let mut acc = start.to_bits(acc_ty.storage()).to_le_bytes();
        let loop_fn = lp.compiled.loop_fn();
        let interrupt = AtomicU32::new(0);
        let combine = self
            .combine
            .as_ref()
            .filter(|_| std::ptr::eq(lp, &self.main));
        let Some(combine) = combine else {
            let (status, pending) = detached(py, self.watch(len), |waiter| {
                drive::fold(loop_fn, &columns, &mut acc, len, &interrupt, waiter)
            });
            status.map_err(|stop| self.stop_error(py, lp, stop, pending))?;
            return Ok(Scalar::from_bits(u64::from_le_bytes(acc), acc_ty));
        };
        // Every range folds from the identity (for `reduce`, from `initial`, which an
        // associative kernel's user gives as its identity), then the partials fold onto it.
        let mut parts = None;
        let (status, pending) = detached(py, self.watch(len), |waiter| {
            parts = Some(drive::partials(
                loop_fn, &columns, acc, size, len, &interrupt, waiter,
            )?);
            Ok(())
        });
        status.map_err(|stop| self.stop_error(py, lp, stop, pending))?;
        let (parts, starts) = parts.ok_or_else(|| internal_error("no partial results"))?;
        let part_col = [Column::Slice {
            ptr: parts.as_ptr(),
            size,
        }];
        let result = drive::fold(
            combine.compiled.loop_fn(),
            &part_col,
            &mut acc,
            starts.len(),
            &interrupt,
            None,
        );
        result.map_err(|stop| {
            // A fault folding the partials is reported at the first element of its range.
            let stop = match stop {
                Stop::Fault { index, status } => Stop::Fault {
                    index: starts.get(index as usize).copied().unwrap_or(0) as u64,
                    status,
                },
                other => other,
            };
            self.stop_error(py, combine, stop, None)
        })?;
        Ok(Scalar::from_bits(u64::from_le_bytes(acc), acc_ty))
    }

    /// A stop as the Python exception, naming the stage whose kernel's source the fault is in.
    fn stop_error(&self, py: Python<'_>, lp: &Loop, stop: Stop, pending: Option<PyErr>) -> PyErr {
        match stop {
            Stop::Fault { index, status } => {
                let Some(fault) = lp.compiled.decode(status) else {
                    return internal_error(format!("undecodable loop status {status:#x}"));
                };
                // The last entry of a source wins: a stage kernel is listed after its callees.
                let stage = self
                    .stages
                    .iter()
                    .rev()
                    .find(|(k, _, _)| Arc::ptr_eq(&k.source, &fault.site.source));
                let name = stage.map_or("pipeline", |(k, _, _)| k.name.as_str());
                let err = fault_error(name, &fault, Some(index));
                let note = match stage {
                    Some((_, what, n)) => {
                        format!("in pipeline stage {n} ({what}) of {}", self.description)
                    }
                    None => format!(
                        "in the pipeline {} (input element {index})",
                        self.description
                    ),
                };
                let _ = err.value(py).call_method1("add_note", (note,));
                err
            }
            Stop::Interrupted => {
                pending.unwrap_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))
            }
            Stop::Pool => internal_error("the thread pool could not be started"),
        }
    }
}
