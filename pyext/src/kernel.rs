//! Kernel definitions and their compiled specialisations, as the Python package sees them.
//! `KernelDef` holds a function's source and resolved names; `CompiledKernel` is one typed
//! specialisation with its chunk loops (compiled per input layout, cached).

use crate::array::PyChunkArray;
use crate::errors::{compile_error, fault_error, internal_error};
use crate::run::{run_filter, run_map, run_map_with_progress, run_reduce, InputArg, OutArg, ProgressSink};
use crate::scalar::{to_element, to_python};
use frontend::env::{Env, Global, KernelDef};
use frontend::ops::MathFn;
use frontend::{Kernel, Scalar, Source, Ty};
use lower::{Compiled, Input, LoopKind, LoopSpec};
use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use runtime::DType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The storage dtype of a kernel type (`int` is stored as S8).
pub fn dtype_of(ty: Ty) -> DType {
    DType::from_name(ty.storage().name()).unwrap_or(DType::S8)
}

/// The kernel type of a storage dtype.
pub fn ty_of(dtype: DType) -> Ty {
    Ty::from_name(dtype.name()).unwrap_or(Ty::S8)
}

fn ty_from_name(name: &str) -> PyResult<Ty> {
    Ty::from_name(name).ok_or_else(|| PyValueError::new_err(format!("unknown scalar type {name:?}")))
}

/// A Python scalar as a value of `ty`, with the array's strict rules (OverflowError, TypeError).
pub fn scalar_of(obj: &Bound<'_, PyAny>, ty: Ty) -> PyResult<Scalar> {
    let bytes = to_element(obj, dtype_of(ty))?;
    let mut raw = [0u8; 8];
    let b = bytes.as_slice();
    raw[..b.len()].copy_from_slice(b);
    Ok(Scalar::from_bits(u64::from_le_bytes(raw), ty))
}

#[pyclass(frozen, name = "KernelDef", module = "chunkjit._native")]
pub struct PyKernelDef {
    pub def: Arc<KernelDef>,
}

fn global_from_entry(entry: &Bound<'_, PyAny>) -> PyResult<Global> {
    let tuple = entry.cast::<PyTuple>()?;
    let tag: String = tuple.get_item(0)?.extract()?;
    Ok(match tag.as_str() {
        "const" => {
            let ty = ty_from_name(&tuple.get_item(2)?.extract::<String>()?)?;
            Global::Const(scalar_of(&tuple.get_item(1)?, ty)?, ty)
        }
        "math" => Global::MathModule,
        "mathfn" => {
            let name: String = tuple.get_item(1)?.extract()?;
            match MathFn::from_name(&name) {
                Some(f) => Global::MathFn(f),
                None => Global::Other(format!("math.{name}, which is not in the kernel subset")),
            }
        }
        "type" => Global::Type(ty_from_name(&tuple.get_item(1)?.extract::<String>()?)?),
        "kernel" => {
            let callee = tuple.get_item(1)?;
            Global::Kernel(callee.cast::<PyKernelDef>()?.get().def.clone())
        }
        "other" => Global::Other(tuple.get_item(1)?.extract()?),
        other => return Err(PyValueError::new_err(format!("unknown global entry kind {other:?}"))),
    })
}

#[pymethods]
impl PyKernelDef {
    #[new]
    fn new(name: String, text: String, file: String, first_line: u32, env: &Bound<'_, PyDict>) -> PyResult<Self> {
        let mut globals = HashMap::new();
        for (key, entry) in env.iter() {
            globals.insert(key.extract::<String>()?, global_from_entry(&entry)?);
        }
        let source = Arc::new(Source::new(text, file, first_line));
        Ok(PyKernelDef { def: Arc::new(KernelDef { name, source, env: Env { globals } }) })
    }

    /// `([(param, annotation or None)], return annotation or None)`; KernelCompileError when
    /// the text is not one parsable function.
    fn signature(&self, py: Python<'_>) -> PyResult<(Vec<(String, Option<String>)>, Option<String>)> {
        let sig = frontend::signature_of(&self.def).map_err(|d| compile_error(py, &d))?;
        let params = sig.params.into_iter().map(|(name, ty)| (name, ty.map(|t| t.name().to_string()))).collect();
        Ok((params, sig.ret.map(|t| t.name().to_string())))
    }

    /// Compiles the specialisation for these parameter types, with its default chunk loop (every
    /// input a column of its parameter's storage type), so that it is ready to run.
    fn compile(&self, py: Python<'_>, arg_types: Vec<String>) -> PyResult<CompiledKernel> {
        let types = arg_types.iter().map(|t| ty_from_name(t)).collect::<PyResult<Vec<Ty>>>()?;
        let kernel = frontend::compile(&self.def, &types).map_err(|d| compile_error(py, &d))?;
        let compiled = CompiledKernel { kernel: Arc::new(kernel), loops: Mutex::new(HashMap::new()) };
        compiled.loop_for(&compiled.default_map_spec())?;
        Ok(compiled)
    }
}

/// One typed specialisation of a kernel and the chunk loops compiled for it so far.
#[pyclass(frozen, module = "chunkjit._native")]
pub struct CompiledKernel {
    pub kernel: Arc<Kernel>,
    loops: Mutex<HashMap<LoopSpecKey, Arc<Compiled>>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct LoopSpecKey {
    reduce: bool,
    inputs: Vec<(Ty, bool)>,
}

impl CompiledKernel {
    pub fn name(&self) -> &str {
        &self.kernel.name
    }

    fn default_map_spec(&self) -> LoopSpec {
        LoopSpec {
            kind: LoopKind::Map,
            inputs: self.kernel.params.iter().map(|p| Input { storage: p.ty.storage(), broadcast: false }).collect(),
        }
    }

    /// The compiled loop for a spec, compiled on first use.
    pub fn loop_for(&self, spec: &LoopSpec) -> PyResult<Arc<Compiled>> {
        let key = LoopSpecKey {
            reduce: spec.kind == LoopKind::Reduce,
            inputs: spec.inputs.iter().map(|i| (i.storage, i.broadcast)).collect(),
        };
        let mut loops = self.loops.lock().map_err(|_| internal_error("kernel loop cache poisoned"))?;
        if let Some(found) = loops.get(&key) {
            return Ok(found.clone());
        }
        let compiled = Arc::new(lower::compile(&self.kernel, spec).map_err(internal_error)?);
        loops.insert(key, compiled.clone());
        Ok(compiled)
    }

    /// Checks that data stored as `storage` can feed parameter `index` without loss.
    fn check_input(&self, index: usize, storage: Ty) -> PyResult<()> {
        check_input(&self.kernel, index, storage)
    }

    /// One map input as the driver takes it, with its loop input description.
    fn input_arg<'py>(&self, index: usize, obj: &Bound<'py, PyAny>) -> PyResult<(InputArg<'py>, Input)> {
        input_arg(&self.kernel, index, obj)
    }
}

/// Checks that data stored as `storage` can feed parameter `index` of `kernel` without loss.
pub(crate) fn check_input(kernel: &Kernel, index: usize, storage: Ty) -> PyResult<()> {
    let Some(param) = kernel.params.get(index) else {
        return Err(PyTypeError::new_err(format!("kernel '{}' has no parameter {index}", kernel.name)));
    };
    if storage.converts_losslessly_to(param.ty) {
        return Ok(());
    }
    Err(PyTypeError::new_err(format!(
        "kernel '{}': cannot pass {} data to parameter '{}' of type {} without loss \
         (convert the input, or cast inside the kernel)",
        kernel.name, storage, param.name, param.ty
    )))
}

/// Input `obj` (a ChunkArray, a 1-d contiguous ndarray or a broadcast scalar) for parameter
/// `index` of `kernel`, as the driver takes it, with its loop input description.
pub(crate) fn input_arg<'py>(kernel: &Kernel, index: usize, obj: &Bound<'py, PyAny>) -> PyResult<(InputArg<'py>, Input)> {
    if let Ok(arr) = obj.cast::<PyChunkArray>() {
        let storage = ty_of(arr.borrow().array().dtype());
        check_input(kernel, index, storage)?;
        return Ok((InputArg::Array(arr.borrow()), Input { storage, broadcast: false }));
    }
    if let Ok(nd) = obj.cast::<PyUntypedArray>() {
        let dtype = crate::dtype::from_descr(&nd.dtype())
            .ok_or_else(|| PyTypeError::new_err(format!("unsupported ndarray dtype {}", nd.dtype())))?;
        if nd.ndim() != 1 || !nd.is_c_contiguous() {
            return Err(PyValueError::new_err("map takes 1-d contiguous ndarrays"));
        }
        let storage = ty_of(dtype);
        check_input(kernel, index, storage)?;
        return Ok((InputArg::Slice(nd.clone()), Input { storage, broadcast: false }));
    }
    let param_ty = kernel.params.get(index).map(|p| p.ty).unwrap_or(Ty::F8);
    let value = scalar_of(obj, param_ty).map_err(|e| {
        PyTypeError::new_err(format!("kernel '{}', broadcast argument {index}: {e}", kernel.name))
    })?;
    let storage = param_ty.storage();
    Ok((InputArg::Broadcast(value.to_bits(storage)), Input { storage, broadcast: true }))
}

#[pymethods]
impl CompiledKernel {
    #[getter]
    fn param_types(&self) -> Vec<String> {
        self.kernel.params.iter().map(|p| p.ty.name().to_string()).collect()
    }

    #[getter]
    fn ret_type(&self) -> String {
        self.kernel.ret.name().to_string()
    }

    /// The numpy dtype of the kernel's results.
    #[getter]
    fn ret_numpy_dtype<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        crate::dtype::descr(py, dtype_of(self.kernel.ret)).into_any()
    }

    /// `"(F8, F8) -> F8"`
    #[getter]
    fn signature(&self) -> String {
        let params: Vec<&str> = self.kernel.params.iter().map(|p| p.ty.name()).collect();
        format!("({}) -> {}", params.join(", "), self.kernel.ret.name())
    }

    #[getter]
    fn ir(&self) -> String {
        frontend::dump::dump(&self.kernel)
    }

    /// The CLIF of the default chunk loop.
    #[getter]
    fn clif(&self) -> PyResult<String> {
        Ok(self.loop_for(&self.default_map_spec())?.clif().to_string())
    }

    /// Seconds the default chunk loop took to compile (IR -> machine code).
    #[getter]
    fn compile_seconds(&self) -> PyResult<f64> {
        Ok(self.loop_for(&self.default_map_spec())?.compile_time().as_secs_f64())
    }

    // -- C entry points (see c_entry.rs) -----------------------------------------------------

    /// Address of the default chunk loop (every input a column of its parameter's storage
    /// type); valid while this object lives.
    #[getter]
    fn loop_address(&self) -> PyResult<usize> {
        Ok(self.loop_for(&self.default_map_spec())?.loop_fn() as usize)
    }

    /// Address of the scalar entry point: the loop with every input broadcast (call with
    /// `len = 1`); valid while this object lives.
    #[getter]
    fn scalar_loop_address(&self) -> PyResult<usize> {
        Ok(self.loop_for(&LoopSpec::scalar(&self.kernel, LoopKind::Map))?.loop_fn() as usize)
    }

    /// The C prototype of the chunk loop (or of the scalar entry point) under `name`.
    #[pyo3(signature = (name, scalar=false))]
    fn c_prototype(&self, name: &str, scalar: bool) -> String {
        crate::c_entry::c_prototype(&self.kernel, name, scalar)
    }

    /// Calls the kernel on one set of Python scalars.
    fn call<'py>(&self, py: Python<'py>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let params = &self.kernel.params;
        if args.len() != params.len() {
            return Err(PyTypeError::new_err(format!(
                "kernel '{}' takes {} argument(s), {} given",
                self.name(),
                params.len(),
                args.len()
            )));
        }
        let mut inputs = Vec::with_capacity(params.len());
        for (arg, p) in args.iter().zip(params) {
            let value = scalar_of(&arg, p.ty).map_err(|e| {
                let msg = format!("kernel '{}', argument '{}' ({}): {}", self.name(), p.name, p.ty, e.value(py));
                if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) {
                    pyo3::exceptions::PyOverflowError::new_err(msg)
                } else {
                    PyTypeError::new_err(msg)
                }
            })?;
            inputs.push(InputArg::Broadcast(value.to_bits(p.ty.storage())));
        }
        // The default map loop (every input a column of its parameter's storage type) called
        // with len = 1 on pointers to the values is the scalar call: no second compile.
        let compiled = self.loop_for(&self.default_map_spec())?;
        let mut out = [0u8; 8];
        run_map(py, self, &compiled, &inputs, OutArg::Scalar(&mut out), 1)?;
        to_python(py, dtype_of(self.kernel.ret), &out[..dtype_of(self.kernel.ret).size()])
    }

    /// Test hook: runs the reference interpreter (`frontend::interp`) on one set of Python
    /// scalars, returning `(value, python_exact)`; a fault raises the exception a compiled
    /// scalar call raises. `max_steps` bounds statements and loop iterations (RuntimeError past
    /// it); None runs unbounded, as `call` does.
    #[pyo3(signature = (args, max_steps=None))]
    fn interpret<'py>(&self, py: Python<'py>, args: &Bound<'py, PyTuple>, max_steps: Option<u64>) -> PyResult<(Bound<'py, PyAny>, bool)> {
        let params = &self.kernel.params;
        if args.len() != params.len() {
            return Err(PyTypeError::new_err(format!(
                "kernel '{}' takes {} argument(s), {} given",
                self.name(),
                params.len(),
                args.len()
            )));
        }
        let values = args.iter().zip(params).map(|(arg, p)| scalar_of(&arg, p.ty)).collect::<PyResult<Vec<Scalar>>>()?;
        let outcome = frontend::interp::call_with_budget(&self.kernel, &values, max_steps.unwrap_or(u64::MAX)).map_err(|e| match e {
            frontend::interp::InterpError::Fault(fault) => fault_error(self.name(), &fault, None),
            frontend::interp::InterpError::StepBudgetExceeded => {
                pyo3::exceptions::PyRuntimeError::new_err(format!("kernel '{}': step budget exceeded", self.name()))
            }
        })?;
        let ret = dtype_of(self.kernel.ret);
        let bits = outcome.value.to_bits(self.kernel.ret.storage()).to_le_bytes();
        Ok((to_python(py, ret, &bits[..ret.size()])?, outcome.python_exact))
    }

    /// Maps over `inputs` (ChunkArrays, 1-d contiguous ndarrays, broadcast scalars) into `out`
    /// (None: a new ChunkArray shaped like the first ChunkArray input; a ChunkArray; an ndarray).
    /// `progress`: a callable `progress(done, total)` called from the waiting thread about every
    /// 20 ms with the number of elements finished so far.
    #[pyo3(signature = (inputs, out=None, progress=None))]
    fn map<'py>(
        &self,
        py: Python<'py>,
        inputs: &Bound<'py, PyList>,
        out: Option<Bound<'py, PyAny>>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if inputs.len() != self.kernel.params.len() {
            return Err(PyTypeError::new_err(format!(
                "kernel '{}' takes {} input(s), {} given",
                self.name(),
                self.kernel.params.len(),
                inputs.len()
            )));
        }
        let mut args = Vec::with_capacity(inputs.len());
        let mut spec = Vec::with_capacity(inputs.len());
        for (i, obj) in inputs.iter().enumerate() {
            let (arg, input) = self.input_arg(i, &obj)?;
            args.push(arg);
            spec.push(input);
        }
        let len = args.iter().find_map(InputArg::len).unwrap_or(1);
        for (i, arg) in args.iter().enumerate() {
            if let Some(n) = arg.len()
                && n != len
            {
                return Err(PyValueError::new_err(format!("map input {i} has length {n}, expected {len}")));
            }
        }
        let compiled = self.loop_for(&LoopSpec { kind: LoopKind::Map, inputs: spec })?;
        let ret = dtype_of(self.kernel.ret);
        let sink = progress.as_ref().map(|sink| ProgressSink { sink, total: len as u64 });
        match out {
            None => {
                let first_chunk = args.iter().find_map(InputArg::first_chunk).unwrap_or(runtime::DEFAULT_FIRST_CHUNK);
                let mut array = runtime::ChunkArray::new(ret, first_chunk).map_err(crate::errors::array_error)?;
                // SAFETY: a successful map writes every element of 0..len before the array
                // reaches Python; on any error (fault, Ctrl-C) `?` drops it unread.
                unsafe { array.resize_uninit(len) }.map_err(crate::errors::array_error)?;
                run_map_with_progress(py, self, &compiled, &args, OutArg::Array(&array), len, sink.as_ref())?;
                Ok(Bound::new(py, PyChunkArray::from_array(array))?.into_any())
            }
            Some(target) => {
                if let Ok(arr) = target.cast::<PyChunkArray>() {
                    let held = arr.borrow();
                    check_out(held.array().dtype(), held.array().len(), ret, len)?;
                    run_map_with_progress(py, self, &compiled, &args, OutArg::Array(held.array()), len, sink.as_ref())?;
                } else if let Ok(nd) = target.cast::<PyUntypedArray>() {
                    let dtype = crate::dtype::from_descr(&nd.dtype()).ok_or_else(|| PyTypeError::new_err("unsupported out dtype"))?;
                    check_out(dtype, nd.len(), ret, len)?;
                    if nd.ndim() != 1 || !nd.is_c_contiguous() || !crate::run::is_writeable(nd) {
                        return Err(PyValueError::new_err("out must be a writable, 1-d, contiguous ndarray"));
                    }
                    run_map_with_progress(py, self, &compiled, &args, OutArg::Slice(nd.clone()), len, sink.as_ref())?;
                } else {
                    return Err(PyTypeError::new_err("out must be a ChunkArray or an ndarray"));
                }
                Ok(target)
            }
        }
    }

    /// The elements of `arr` for which the (B1) kernel is true, in order.
    fn filter<'py>(&self, py: Python<'py>, arr: &Bound<'py, PyChunkArray>) -> PyResult<Bound<'py, PyAny>> {
        if self.kernel.ret != Ty::B1 || self.kernel.params.len() != 1 {
            return Err(PyTypeError::new_err(format!(
                "filter needs a one-parameter kernel returning B1; '{}' is {}",
                self.name(),
                self.signature()
            )));
        }
        let held = arr.borrow();
        let storage = ty_of(held.array().dtype());
        self.check_input(0, storage)?;
        let compiled = self.loop_for(&LoopSpec { kind: LoopKind::Map, inputs: vec![Input { storage, broadcast: false }] })?;
        let kept = run_filter(py, self, &compiled, held.array())?;
        Ok(Bound::new(py, PyChunkArray::from_array(kept))?.into_any())
    }

    /// `kernel(acc, x)` folded over `arr` from `initial`; parallel when `associative` and the
    /// array's dtype is the accumulator's.
    fn reduce<'py>(&self, py: Python<'py>, arr: &Bound<'py, PyChunkArray>, initial: &Bound<'py, PyAny>, associative: bool) -> PyResult<Bound<'py, PyAny>> {
        let params = &self.kernel.params;
        let acc_ty = self.kernel.ret;
        if params.len() != 2 || params[0].ty != acc_ty {
            return Err(PyTypeError::new_err(format!(
                "reduce needs a kernel (acc, x) -> acc whose result has the accumulator's type; '{}' is {}",
                self.name(),
                self.signature()
            )));
        }
        let held = arr.borrow();
        let storage = ty_of(held.array().dtype());
        self.check_input(1, storage)?;
        let init = scalar_of(initial, acc_ty)?;
        let compiled = self.loop_for(&LoopSpec { kind: LoopKind::Reduce, inputs: vec![Input { storage, broadcast: false }] })?;
        let parallel = associative && storage == acc_ty.storage();
        let mut acc = init.to_bits(acc_ty.storage()).to_le_bytes();
        run_reduce(py, self, &compiled, held.array(), &mut acc, parallel)?;
        let ret = dtype_of(acc_ty);
        to_python(py, ret, &acc[..ret.size()])
    }
}

fn check_out(dtype: DType, out_len: usize, ret: DType, len: usize) -> PyResult<()> {
    if dtype != ret {
        return Err(PyTypeError::new_err(format!("out has dtype {dtype}, the kernel returns {ret}")));
    }
    if out_len != len {
        return Err(PyValueError::new_err(format!("out has length {out_len}, expected {len}")));
    }
    Ok(())
}
