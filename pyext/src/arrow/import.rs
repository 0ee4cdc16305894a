//! Import: a copy of any Arrow PyCapsule producer's data into a new ChunkArray; nulls refused.

use super::ffi::*;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};
use runtime::{ChunkArray, DType};
use std::ffi::{CStr, c_int};
use std::ptr;

/// Takes the struct out of a producer's capsule, leaving it marked released (the protocol's
/// "move"): we now own it and must release it.
///
/// # Safety
/// `capsule` must be a PyCapsule protocol capsule of `name` holding a `T`.
unsafe fn take<T>(
    capsule: &Bound<'_, PyAny>,
    name: &CStr,
    mark_released: impl FnOnce(*mut T),
) -> PyResult<T> {
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err(format!("expected a PyCapsule named {name:?}")))?;
    let ptr = capsule.pointer_checked(Some(name))?.cast::<T>().as_ptr();
    // SAFETY: the caller's contract: `ptr` is a live T; after the bitwise copy the original is
    // marked released so that the capsule's destructor does not release it a second time.
    unsafe {
        let value = ptr::read(ptr);
        mark_released(ptr);
        Ok(value)
    }
}

/// Releases an imported struct when dropped.
struct Imported<T: Releasable>(T);

impl<T: Releasable> Drop for Imported<T> {
    fn drop(&mut self) {
        self.0.release_if_live();
    }
}

fn schema_dtype(schema: &ArrowSchema) -> PyResult<DType> {
    if schema.format.is_null() {
        return Err(PyValueError::new_err(
            "from_arrow: the Arrow schema has no format",
        ));
    }
    // SAFETY: a live schema's format is a NUL-terminated string (the C data interface).
    let format = unsafe { CStr::from_ptr(schema.format) }
        .to_string_lossy()
        .into_owned();
    if !schema.dictionary.is_null() {
        return Err(PyTypeError::new_err(
            "from_arrow: dictionary-encoded Arrow data is not supported (decode it first)",
        ));
    }
    dtype_of_format(&format).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "from_arrow: Arrow type with format {format:?} has no chunkjit dtype \
             (supported: bool, int8..int64, uint8..uint64, float32, float64)"
        ))
    })
}

/// Number of zero bits among `len` bits of `bitmap` from bit `offset`.
///
/// # Safety
/// `bitmap` addresses at least `(offset + len).div_ceil(8)` bytes.
unsafe fn count_nulls(bitmap: *const u8, offset: usize, len: usize) -> usize {
    // SAFETY: the caller's contract.
    let bytes = unsafe { std::slice::from_raw_parts(bitmap, (offset + len).div_ceil(8)) };
    (offset..offset + len)
        .filter(|&i| bytes.get(i / 8).is_some_and(|b| b & (1 << (i % 8)) == 0))
        .count()
}

/// Appends one imported Arrow array (of `dtype`, per its schema) to `out`.
fn append_array(
    out: &mut ChunkArray,
    array: &ArrowArray,
    dtype: DType,
    index: usize,
) -> PyResult<()> {
    let bad =
        |what: &str| PyValueError::new_err(format!("from_arrow: Arrow array {index}: {what}"));
    let len = usize::try_from(array.length).map_err(|_| bad("negative length"))?;
    let offset = usize::try_from(array.offset).map_err(|_| bad("negative offset"))?;
    if array.n_children != 0 || array.n_buffers != 2 || array.buffers.is_null() {
        return Err(bad(
            "not a primitive array (expected 2 buffers and no children)",
        ));
    }
    if len == 0 {
        return Ok(());
    }
    // SAFETY: a primitive Arrow array has `n_buffers` (2) buffer pointers: validity and data.
    let (validity, data) = unsafe {
        (
            *array.buffers as *const u8,
            *array.buffers.add(1) as *const u8,
        )
    };
    if array.null_count != 0 && !validity.is_null() {
        // SAFETY: a validity bitmap covers `offset + length` bits.
        let nulls = unsafe { count_nulls(validity, offset, len) };
        if nulls > 0 {
            return Err(PyValueError::new_err(format!(
                "from_arrow: the Arrow data holds {nulls} null(s) (in array {index}); a ChunkArray has no \
                 missing value: fill or drop them first (pyarrow.compute.fill_null, polars fill_null/drop_nulls)"
            )));
        }
    }
    if data.is_null() {
        return Err(bad("null data buffer"));
    }
    if dtype == DType::B1 {
        // SAFETY: a boolean data buffer covers `offset + length` bits.
        let bits = unsafe { std::slice::from_raw_parts(data, (offset + len).div_ceil(8)) };
        let bytes: Vec<u8> = (offset..offset + len)
            .map(|i| bits.get(i / 8).map_or(0, |b| (b >> (i % 8)) & 1))
            .collect();
        return out
            .extend_from_bytes(&bytes)
            .map_err(crate::errors::array_error);
    }
    let size = dtype.size();
    // SAFETY: a fixed-width data buffer holds `offset + length` elements of `size` bytes.
    let bytes = unsafe { std::slice::from_raw_parts(data.add(offset * size), len * size) };
    out.extend_from_bytes(bytes)
        .map_err(crate::errors::array_error)
}

/// `ChunkArray.from_arrow(obj)`: a copy of anything exporting `__arrow_c_stream__` or
/// `__arrow_c_array__` (pyarrow arrays, chunked arrays, polars Series, another ChunkArray).
pub fn import(obj: &Bound<'_, PyAny>, first_chunk: usize) -> PyResult<ChunkArray> {
    if obj.hasattr("__arrow_c_stream__")? {
        return import_stream(&obj.call_method0("__arrow_c_stream__")?, first_chunk);
    }
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair
            .cast::<PyTuple>()
            .map_err(|_| PyTypeError::new_err("__arrow_c_array__ must return a tuple"))?;
        // SAFETY: the PyCapsule protocol: these capsules hold an ArrowSchema and an ArrowArray.
        let schema = Imported(unsafe {
            take::<ArrowSchema>(&pair.get_item(0)?, SCHEMA_CAPSULE, |p| (*p).release = None)?
        });
        let array = Imported(unsafe {
            take::<ArrowArray>(&pair.get_item(1)?, ARRAY_CAPSULE, |p| (*p).release = None)?
        });
        let dtype = schema_dtype(&schema.0)?;
        let mut out = ChunkArray::new(dtype, first_chunk).map_err(crate::errors::array_error)?;
        append_array(&mut out, &array.0, dtype, 0)?;
        return Ok(out);
    }
    Err(PyTypeError::new_err(format!(
        "from_arrow expects an object with __arrow_c_stream__ or __arrow_c_array__ \
         (a pyarrow Array/ChunkedArray, a polars Series, ...), got {}",
        obj.get_type().name()?
    )))
}

fn stream_error(stream: &mut ArrowArrayStream, code: c_int) -> PyErr {
    let message = match stream.get_last_error {
        // SAFETY: a live stream's get_last_error returns null or a NUL-terminated string valid
        // until the next call on the stream.
        Some(get) => unsafe {
            let text = get(stream);
            if text.is_null() {
                String::new()
            } else {
                CStr::from_ptr(text).to_string_lossy().into_owned()
            }
        },
        None => String::new(),
    };
    PyValueError::new_err(format!(
        "from_arrow: the Arrow stream failed (error {code}): {message}"
    ))
}

fn import_stream(capsule: &Bound<'_, PyAny>, first_chunk: usize) -> PyResult<ChunkArray> {
    // SAFETY: the PyCapsule protocol: an "arrow_array_stream" capsule holds an ArrowArrayStream.
    let mut stream = Imported(unsafe {
        take::<ArrowArrayStream>(capsule, STREAM_CAPSULE, |p| (*p).release = None)?
    });
    let (Some(get_schema), Some(get_next)) = (stream.0.get_schema, stream.0.get_next) else {
        return Err(PyValueError::new_err(
            "from_arrow: the Arrow stream is released",
        ));
    };
    let mut schema = Imported(released_schema());
    // SAFETY: a live stream; `schema` is writable storage for one ArrowSchema.
    let code = unsafe { get_schema(&mut stream.0, &mut schema.0) };
    if code != 0 {
        return Err(stream_error(&mut stream.0, code));
    }
    let dtype = schema_dtype(&schema.0)?;
    let mut out = ChunkArray::new(dtype, first_chunk).map_err(crate::errors::array_error)?;
    for index in 0.. {
        let mut array = Imported(released_array());
        // SAFETY: a live stream; `array` is writable storage for one ArrowArray.
        let code = unsafe { get_next(&mut stream.0, &mut array.0) };
        if code != 0 {
            return Err(stream_error(&mut stream.0, code));
        }
        if array.0.release.is_none() {
            break; // end of stream
        }
        append_array(&mut out, &array.0, dtype, index)?;
    }
    Ok(out)
}
