//! `chunkjit.ChunkArray`: the Python face of `runtime::ChunkArray`. Conversions and exceptions
//! happen here; storage, index maths and reductions live in the runtime crate.

use numpy::ndarray::ArrayView1;
use numpy::{PyArray1, PyArrayDescrMethods, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBool, PyDict, PyList, PySlice, PyTuple};
use runtime::reduce_builtin::{self, Value};
use runtime::{ChunkArray, DEFAULT_FIRST_CHUNK};

use crate::dtype::{self, with_numpy_type};
use crate::errors::{array_error, reduce_error};
use crate::scalar;

/// Elements shown by `repr`.
const REPR_ELEMENTS: usize = 6;

#[pyclass(name = "ChunkArray", module = "chunkjit")]
pub struct PyChunkArray {
    array: ChunkArray,
}

/// Rust-side access for the other pyext modules (map/filter/reduce drivers take the runtime
/// array, its segments and raw chunk pointers from here).
impl PyChunkArray {
    pub fn from_array(array: ChunkArray) -> PyChunkArray {
        PyChunkArray { array }
    }

    pub fn array(&self) -> &ChunkArray {
        &self.array
    }

    pub fn array_mut(&mut self) -> &mut ChunkArray {
        &mut self.array
    }
}

#[pymethods]
impl PyChunkArray {
    #[new]
    #[pyo3(signature = (dtype, first_chunk = DEFAULT_FIRST_CHUNK as i128))]
    fn new(dtype: &Bound<'_, PyAny>, first_chunk: i128) -> PyResult<PyChunkArray> {
        let dtype = dtype::resolve(dtype)?;
        let array = ChunkArray::new(dtype, first_chunk_arg(first_chunk)?).map_err(array_error)?;
        Ok(PyChunkArray { array })
    }

    /// A ChunkArray holding a copy of a 1-D ndarray (any strides), of the ndarray's dtype.
    #[staticmethod]
    #[pyo3(signature = (a, first_chunk = DEFAULT_FIRST_CHUNK as i128))]
    fn from_numpy(a: &Bound<'_, PyAny>, first_chunk: i128) -> PyResult<PyChunkArray> {
        let nd = a.cast::<PyUntypedArray>().map_err(|_| {
            PyTypeError::new_err(format!(
                "from_numpy expects a numpy.ndarray, got {}",
                type_name(a)
            ))
        })?;
        // A byte-swapped input is stored in native order, converted on the way in.
        let native = nd.dtype().call_method1("newbyteorder", ("=",))?;
        let dtype = dtype::resolve(&native)?;
        let mut array =
            ChunkArray::new(dtype, first_chunk_arg(first_chunk)?).map_err(array_error)?;
        extend_from_ndarray(&mut array, nd)?;
        Ok(PyChunkArray { array })
    }

    /// A ChunkArray of `dtype` holding the items of an iterable (or ndarray).
    #[staticmethod]
    #[pyo3(signature = (it, dtype, first_chunk = DEFAULT_FIRST_CHUNK as i128))]
    fn from_iterable(
        py: Python<'_>,
        it: &Bound<'_, PyAny>,
        dtype: &Bound<'_, PyAny>,
        first_chunk: i128,
    ) -> PyResult<Py<PyChunkArray>> {
        let out = Bound::new(py, PyChunkArray::new(dtype, first_chunk)?)?;
        PyChunkArray::extend(&out, it)?;
        Ok(out.unbind())
    }

    fn append(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let element = scalar::to_element(value, self.array.dtype())?;
        self.array
            .push_bytes(element.as_slice())
            .map_err(array_error)
    }

    /// Appends the items of an iterable, ndarray or ChunkArray. Every item is converted before
    /// anything is appended, so a failure leaves the array as it was.
    fn extend(slf: &Bound<'_, Self>, items: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(nd) = items.cast::<PyUntypedArray>() {
            return extend_from_ndarray(&mut slf.try_borrow_mut()?.array, nd);
        }
        if let Ok(other) = items.cast::<PyChunkArray>() {
            return extend_from_chunk_array(slf, other);
        }
        let dtype = slf.try_borrow()?.array.dtype();
        let mut bytes = Vec::new();
        for item in items.try_iter()? {
            bytes.extend_from_slice(scalar::to_element(&item?, dtype)?.as_slice());
        }
        slf.try_borrow_mut()?
            .array
            .extend_from_bytes(&bytes)
            .map_err(array_error)
    }

    fn __len__(&self) -> usize {
        self.array.len()
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let index = element_index(index, self.array.len())?;
        let bytes = self.array.get_bytes(index).map_err(array_error)?;
        scalar::to_python(py, self.array.dtype(), bytes)
    }

    fn __setitem__(&mut self, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let index = element_index(index, self.array.len())?;
        let element = scalar::to_element(value, self.array.dtype())?;
        self.array
            .set_bytes(index, element.as_slice())
            .map_err(array_error)
    }

    fn __delitem__(&mut self, _index: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "ChunkArray does not support item deletion: its elements never move",
        ))
    }

    fn __iter__(slf: Bound<'_, Self>) -> ChunkArrayIterator {
        ChunkArrayIterator {
            array: slf.unbind(),
            next: 0,
        }
    }

    fn __richcmp__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let Ok(other) = other.cast::<PyChunkArray>() else {
            return Ok(py.NotImplemented());
        };
        let equal = runtime::compare::values_equal(&self.array, &other.try_borrow()?.array);
        let result = match op {
            CompareOp::Eq => equal,
            CompareOp::Ne => !equal,
            _ => return Ok(py.NotImplemented()),
        };
        Ok(PyBool::new(py, result).to_owned().into_any().unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let len = self.array.len();
        let mut shown = Vec::new();
        for index in 0..len.min(REPR_ELEMENTS) {
            let bytes = self.array.get_bytes(index).map_err(array_error)?;
            shown.push(
                scalar::to_python(py, self.array.dtype(), bytes)?
                    .repr()?
                    .to_string(),
            );
        }
        if len > REPR_ELEMENTS {
            shown.push("...".to_owned());
        }
        Ok(format!(
            "ChunkArray({}, len={}, first_chunk={}, [{}])",
            self.array.dtype(),
            len,
            self.array.first_chunk(),
            shown.join(", ")
        ))
    }

    /// The chunkjit scalar type of the elements (`chunkjit.F8`, ...).
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        dtype::scalar_type(py, self.array.dtype())
    }

    #[getter]
    fn first_chunk(&self) -> usize {
        self.array.first_chunk()
    }

    #[getter]
    fn chunk_count(&self) -> usize {
        self.array.chunk_count()
    }

    #[getter]
    fn nbytes(&self) -> usize {
        self.array.nbytes()
    }

    /// The filled part of every chunk as a writable numpy view sharing the chunk's memory; each
    /// view keeps this ChunkArray alive.
    fn chunks<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyList>> {
        let py = slf.py();
        let this = slf.try_borrow()?;
        let dtype = this.array.dtype();
        let views = PyList::empty(py);
        for chunk in 0..this.array.chunk_count() {
            let ptr = this.array.chunk_ptr(chunk);
            let len = this.array.chunk_filled(chunk);
            let view = with_numpy_type!(dtype, T => {
                // SAFETY: chunk `chunk` is allocated, 64-byte aligned and filled to `len`
                // elements of T's size. Chunks never move and are freed only when the ChunkArray
                // is dropped, which the view's base (a reference to `slf`) prevents while the
                // view lives. Writes through the view race only with Rust work that another
                // thread runs detached (sum/min/max), as with any numpy view.
                let nd = unsafe { ArrayView1::<T>::from_shape_ptr(len, ptr.cast::<T>().cast_const()) };
                // SAFETY: see above; `borrow_from_array` sets `slf` as the array's base.
                unsafe { PyArray1::<T>::borrow_from_array(&nd, slf.clone().into_any()) }.into_any()
            });
            views.append(view)?;
        }
        Ok(views)
    }

    /// All elements as one contiguous ndarray (a copy).
    fn to_numpy<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        to_ndarray(py, &self.array)
    }

    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if copy == Some(false) {
            return Err(PyValueError::new_err(
                "a ChunkArray is stored in chunks: it converts to one ndarray only by copying",
            ));
        }
        let out = to_ndarray(py, &self.array);
        match dtype {
            Some(dtype) => out.call_method1("astype", (dtype,)),
            None => Ok(out),
        }
    }

    /// Sum of all elements: an exact Python int for integer and B1 arrays, a float (computed in
    /// f64 by pairwise summation) for float arrays.
    fn sum<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let array = &self.array;
        value_to_python(py, py.detach(|| reduce_builtin::sum(array)))
    }

    /// Smallest element; NaN if any element is NaN; ValueError when empty.
    fn min<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let array = &self.array;
        let value = py
            .detach(|| reduce_builtin::min(array))
            .map_err(reduce_error)?;
        value_to_python(py, value)
    }

    /// Largest element; NaN if any element is NaN; ValueError when empty.
    fn max<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let array = &self.array;
        let value = py
            .detach(|| reduce_builtin::max(array))
            .map_err(reduce_error)?;
        value_to_python(py, value)
    }

    // map / filter / reduce: argument handling and the interpreted fallback live in Python
    // (`chunkjit._map`); the compiled path comes back here through `CompiledKernel`.

    /// A new ChunkArray (or `out`) of `kernel` applied to every element (and to the matching
    /// elements of `others`: ChunkArrays, ndarrays or broadcast scalars).
    /// `progress`: True for a progress bar (tqdm if installed, else a line on stderr), or a
    /// callable `progress(done, total)`.
    #[pyo3(signature = (kernel, *others, out = None, progress = None))]
    fn map<'py>(
        slf: &Bound<'py, Self>,
        kernel: &Bound<'py, PyAny>,
        others: &Bound<'py, PyTuple>,
        out: Option<Bound<'py, PyAny>>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        python_side(slf.py(), "map_array")?.call1((slf, kernel, others, out, progress))
    }

    /// The elements for which the B1 kernel `predicate` is true, in order.
    fn filter<'py>(slf: &Bound<'py, Self>, predicate: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        python_side(slf.py(), "filter_array")?.call1((slf, predicate))
    }

    /// `kernel(acc, x)` folded over the elements from `initial`, left to right.
    fn reduce<'py>(
        slf: &Bound<'py, Self>,
        kernel: &Bound<'py, PyAny>,
        initial: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        python_side(slf.py(), "reduce_array")?.call1((slf, kernel, initial))
    }

    /// A lazy, fused pipeline over the elements (`chunkjit._pipeline.Pipeline`): `.map`,
    /// `.filter`, then a terminal (`collect`, `to_numpy`, `reduce`, `sum`, `min`, `max`,
    /// `count`) that runs every stage in one native pass.
    fn pipe<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("chunkjit._pipeline")?.getattr("Pipeline")?.call1((slf,))
    }

        // -- interchange: pickle and Arrow (pyext/python/chunkjit/_pickle.py, arrow.rs) ---------

    /// Pickles as its chunks: out-of-band buffers over the chunk memory with protocol 5.
    fn __reduce_ex__<'py>(slf: &Bound<'py, Self>, protocol: i64) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("chunkjit._pickle")?.getattr("reduce_chunk_array")?.call1((slf, protocol))
    }

    /// The Arrow PyCapsule stream protocol: one Arrow array per chunk, sharing its memory.
    /// `requested_schema` is ignored: the array exports its own type.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, pyo3::types::PyCapsule>> {
        let _ = requested_schema;
        crate::arrow::export_stream(slf)
    }

    /// The Arrow PyCapsule array protocol: (schema, array); zero-copy for one chunk.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        slf: &Bound<'py, Self>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let _ = requested_schema;
        crate::arrow::export_array(slf)
    }

    /// A ChunkArray holding a copy of Arrow data (anything with `__arrow_c_stream__` or
    /// `__arrow_c_array__`); ValueError if it holds nulls.
    #[staticmethod]
    #[pyo3(signature = (obj, first_chunk = DEFAULT_FIRST_CHUNK as i128))]
    fn from_arrow(obj: &Bound<'_, PyAny>, first_chunk: i128) -> PyResult<PyChunkArray> {
        let array = crate::arrow::import(obj, first_chunk_arg(first_chunk)?)?;
        Ok(PyChunkArray { array })
    }
}

fn python_side<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("chunkjit._map")?.getattr(name)
}

/// Iterates a ChunkArray, reading each element when it is reached (like a list iterator).
#[pyclass(module = "chunkjit")]
pub struct ChunkArrayIterator {
    array: Py<PyChunkArray>,
    next: usize,
}

#[pymethods]
impl ChunkArrayIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let owner = self.array.bind(py).try_borrow()?;
        let array = owner.array();
        if self.next >= array.len() {
            return Ok(None);
        }
        let bytes = array.get_bytes(self.next).map_err(array_error)?;
        self.next += 1;
        scalar::to_python(py, array.dtype(), bytes).map(Some)
    }
}

fn first_chunk_arg(value: i128) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| {
        PyValueError::new_err(format!(
            "first_chunk must be a power of two (1, 2, 4, ...), got {value}"
        ))
    })
}

/// A Python index (negative counts from the end) -> an element index below `len`.
fn element_index(obj: &Bound<'_, PyAny>, len: usize) -> PyResult<usize> {
    if obj.is_instance_of::<PySlice>() {
        return Err(PyTypeError::new_err(
            "ChunkArray does not support slicing: use chunks() or to_numpy()",
        ));
    }
    let out_of_range = |shown: String| {
        PyIndexError::new_err(format!(
            "index {shown} is out of range for a ChunkArray of length {len}"
        ))
    };
    let index: i128 = match obj.extract() {
        Ok(index) => index,
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(obj.py()) => {
            return Err(out_of_range(obj.to_string()));
        }
        Err(_) => {
            return Err(PyTypeError::new_err(format!(
                "ChunkArray indices must be integers, not {}",
                type_name(obj)
            )));
        }
    };
    let resolved = if index < 0 {
        index + len as i128
    } else {
        index
    };
    usize::try_from(resolved)
        .ok()
        .filter(|&i| i < len)
        .ok_or_else(|| out_of_range(index.to_string()))
}

/// Appends a 1-D ndarray at memcpy speed: directly when it already has the array's dtype and is
/// contiguous, else after numpy converts it, which is allowed only where numpy's
/// `can_cast(..., "safe")` is.
fn extend_from_ndarray(array: &mut ChunkArray, nd: &Bound<'_, PyUntypedArray>) -> PyResult<()> {
    if nd.ndim() != 1 {
        return Err(PyValueError::new_err(format!(
            "a ChunkArray is one-dimensional: got an ndarray of {} dimensions",
            nd.ndim()
        )));
    }
    let py = nd.py();
    let target = dtype::descr(py, array.dtype());
    let source = nd.dtype();
    let contiguous = if source.is_equiv_to(&target) && nd.is_c_contiguous() {
        nd.clone()
    } else {
        let numpy = py.import("numpy")?;
        let safe: bool = numpy
            .call_method1("can_cast", (&source, &target, "safe"))?
            .extract()?;
        if !safe {
            return Err(PyTypeError::new_err(format!(
                "cannot extend a {} ChunkArray with an ndarray of {}: numpy does not cast it \
                 safely (convert it explicitly with astype)",
                array.dtype(),
                source.str()?
            )));
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("dtype", &target)?;
        numpy
            .call_method("ascontiguousarray", (nd,), Some(&kwargs))?
            .cast_into::<PyUntypedArray>()?
    };
    let len = contiguous.len();
    if len == 0 {
        return Ok(());
    }
    // SAFETY: `contiguous` is a C-contiguous 1-D array of `len` elements of the array's dtype,
    // so its buffer holds `len * size` initialised bytes; we hold a reference and the GIL, so it
    // is neither freed nor resized while we copy.
    let bytes = unsafe {
        let data = (*contiguous.as_array_ptr())
            .fields
            .data
            .cast::<u8>()
            .cast_const();
        std::slice::from_raw_parts(data, len * array.dtype().size())
    };
    array.extend_from_bytes(bytes).map_err(array_error)
}

fn extend_from_chunk_array(
    slf: &Bound<'_, PyChunkArray>,
    other: &Bound<'_, PyChunkArray>,
) -> PyResult<()> {
    let py = slf.py();
    if other.is(slf) {
        // a.extend(a): copy first, as list.extend does.
        let bytes = slf.try_borrow()?.array.to_bytes();
        return slf
            .try_borrow_mut()?
            .array
            .extend_from_bytes(&bytes)
            .map_err(array_error);
    }
    let source = other.try_borrow()?;
    let mut target = slf.try_borrow_mut()?;
    if source.array.dtype() != target.array.dtype() {
        let converted = to_ndarray(py, &source.array);
        return extend_from_ndarray(&mut target.array, converted.cast::<PyUntypedArray>()?);
    }
    let before = target.array.len();
    target
        .array
        .reserve(source.array.len())
        .map_err(array_error)?;
    for bytes in source.array.chunk_bytes() {
        if let Err(e) = target.array.extend_from_bytes(bytes) {
            target.array.truncate(before);
            return Err(array_error(e));
        }
    }
    Ok(())
}

/// One contiguous ndarray copy of the array, one memcpy per chunk.
fn to_ndarray<'py>(py: Python<'py>, array: &ChunkArray) -> Bound<'py, PyAny> {
    with_numpy_type!(array.dtype(), T => {
        // SAFETY: every byte of the new array is written below before it is handed out.
        let out = unsafe { PyArray1::<T>::new(py, array.len(), false) };
        let dst = out.data().cast::<u8>();
        let mut offset = 0;
        for bytes in array.chunk_bytes() {
            // SAFETY: the destination holds `len * size` bytes and the chunks' filled bytes
            // add up to exactly that; the regions are distinct allocations.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst.add(offset), bytes.len()) };
            offset += bytes.len();
        }
        out.into_any()
    })
}

fn value_to_python(py: Python<'_>, value: Value) -> PyResult<Bound<'_, PyAny>> {
    Ok(match value {
        Value::Int(v) => v.into_pyobject(py)?.into_any(),
        Value::Float(v) => v.into_pyobject(py)?.into_any(),
        Value::Bool(v) => PyBool::new(py, v).to_owned().into_any(),
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}
