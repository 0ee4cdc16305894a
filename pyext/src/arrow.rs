//! Arrow interchange through the Arrow C data interface and the Python PyCapsule protocol
//! (`__arrow_c_stream__`, `__arrow_c_array__`), without depending on any Arrow library.
//!
//! Export is zero-copy: one Arrow array per chunk, whose data buffer is the chunk's memory, kept
//! alive by a strong reference to the ChunkArray that the release callback drops. Two cases copy:
//! B1 (Arrow booleans are bit-packed, a ChunkArray stores one byte per bool), and
//! `__arrow_c_array__` of an array spread over several chunks (one Arrow array must be
//! contiguous). Import always copies into chunks the new ChunkArray owns; data with nulls is
//! refused (a ChunkArray has no missing value).

use crate::array::PyChunkArray;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyTuple};
use runtime::{ChunkArray, DType};
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr;
use std::sync::Arc;

// -- the C data interface structs (https://arrow.apache.org/docs/format/CDataInterface.html) --

#[repr(C)]
pub struct ArrowSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut ArrowSchema,
    dictionary: *mut ArrowSchema,
    release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
pub struct ArrowArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut ArrowArray,
    dictionary: *mut ArrowArray,
    release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
pub struct ArrowArrayStream {
    get_schema: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    private_data: *mut c_void,
}

// SAFETY: the structs are moved between threads only as whole values handed to a consumer
// (the C data interface allows release from any thread); the data they point at is either owned
// through `private_data` or kept alive by the ChunkArray reference held there.
unsafe impl Send for ArrowSchema {}
unsafe impl Send for ArrowArray {}
unsafe impl Send for ArrowArrayStream {}

const SCHEMA_CAPSULE: &CStr = c"arrow_schema";
const ARRAY_CAPSULE: &CStr = c"arrow_array";
const STREAM_CAPSULE: &CStr = c"arrow_array_stream";
const EINVAL: c_int = 22;

/// An empty array's data pointer: Arrow wants a non-null, aligned address.
static EMPTY: [u64; 1] = [0];

/// The Arrow format string of a dtype (B1 is Arrow's bit-packed boolean).
fn format_of(dtype: DType) -> &'static CStr {
    match dtype {
        DType::B1 => c"b",
        DType::U1 => c"C",
        DType::U2 => c"S",
        DType::U4 => c"I",
        DType::U8 => c"L",
        DType::S1 => c"c",
        DType::S2 => c"s",
        DType::S4 => c"i",
        DType::S8 => c"l",
        DType::F4 => c"f",
        DType::F8 => c"g",
    }
}

fn dtype_of_format(format: &str) -> Option<DType> {
    Some(match format {
        "b" => DType::B1,
        "C" => DType::U1,
        "S" => DType::U2,
        "I" => DType::U4,
        "L" => DType::U8,
        "c" => DType::S1,
        "s" => DType::S2,
        "i" => DType::S4,
        "l" => DType::S8,
        "f" => DType::F4,
        "g" => DType::F8,
        _ => return None,
    })
}

// -- export: schema -------------------------------------------------------------------------

struct SchemaPrivate {
    _format: CString,
    _name: CString,
}

unsafe extern "C" fn release_schema(schema: *mut ArrowSchema) {
    if schema.is_null() {
        return;
    }
    // SAFETY: `schema` was filled by `new_schema`, whose private data is a boxed SchemaPrivate;
    // the consumer calls release once (the C data interface's contract), and we mark it released.
    unsafe {
        let private = (*schema).private_data.cast::<SchemaPrivate>();
        if !private.is_null() {
            drop(Box::from_raw(private));
        }
        (*schema).private_data = ptr::null_mut();
        (*schema).release = None;
    }
}

fn new_schema(dtype: DType) -> ArrowSchema {
    let format = CString::from(format_of(dtype));
    let name = CString::default();
    let schema = ArrowSchema {
        format: format.as_ptr(),
        name: name.as_ptr(),
        metadata: ptr::null(),
        // Not nullable: a ChunkArray has no missing value.
        flags: 0,
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: Some(release_schema),
        private_data: ptr::null_mut(),
    };
    // The CStrings' heap buffers do not move when the strings move into the box.
    let private = Box::new(SchemaPrivate {
        _format: format,
        _name: name,
    });
    ArrowSchema {
        private_data: Box::into_raw(private).cast(),
        ..schema
    }
}

// -- export: arrays -------------------------------------------------------------------------

/// The ChunkArray an exported buffer points into; the GIL is taken to drop the reference, so a
/// consumer may release its arrays from any thread.
struct Owner(Option<Py<PyAny>>);

impl Drop for Owner {
    fn drop(&mut self) {
        let Some(object) = self.0.take() else { return };
        // SAFETY: `Py_IsInitialized` only reads interpreter state.
        if unsafe { pyo3::ffi::Py_IsInitialized() } == 0 {
            // The interpreter is gone (a consumer released after shutdown): nothing to free.
            std::mem::forget(object);
            return;
        }
        Python::attach(|_| drop(object));
    }
}

struct ArrayPrivate {
    /// Keeps the chunk memory alive (None when the data is `copied`).
    _owner: Option<Arc<Owner>>,
    /// Data this export had to make: packed booleans, or chunks concatenated.
    _copied: Vec<u8>,
    buffers: Box<[*const c_void; 2]>,
}

unsafe extern "C" fn release_array(array: *mut ArrowArray) {
    if array.is_null() {
        return;
    }
    // SAFETY: `array` was filled by `new_array`, whose private data is a boxed ArrayPrivate;
    // released once, then marked released.
    unsafe {
        let private = (*array).private_data.cast::<ArrayPrivate>();
        if !private.is_null() {
            drop(Box::from_raw(private));
        }
        (*array).private_data = ptr::null_mut();
        (*array).release = None;
    }
}

/// An Arrow array over `len` elements at `data` (borrowed from `owner`), or over `copied`.
fn new_array(dtype: DType, data: *const u8, len: usize, owner: Option<Arc<Owner>>) -> ArrowArray {
    let (copied, owner) = if dtype == DType::B1 {
        // SAFETY: `data` addresses `len` initialised B1 elements (one byte each) that `owner`
        // (or the caller, for a copy) keeps alive during this call.
        let bytes = unsafe { std::slice::from_raw_parts(data, len) };
        (pack_bits(bytes), None)
    } else {
        (Vec::new(), owner)
    };
    let data_ptr: *const c_void = if !copied.is_empty() {
        copied.as_ptr().cast()
    } else if dtype == DType::B1 || len == 0 {
        EMPTY.as_ptr().cast()
    } else {
        data.cast()
    };
    let mut private = Box::new(ArrayPrivate {
        _owner: owner,
        _copied: copied,
        buffers: Box::new([ptr::null(), data_ptr]),
    });
    let buffers = private.buffers.as_mut_ptr();
    ArrowArray {
        length: len as i64,
        null_count: 0,
        offset: 0,
        n_buffers: 2,
        n_children: 0,
        buffers,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: Some(release_array),
        private_data: Box::into_raw(private).cast(),
    }
}

/// An array over bytes this export owns (concatenated chunks).
fn new_owned_array(dtype: DType, bytes: Vec<u8>, len: usize) -> ArrowArray {
    if dtype == DType::B1 {
        return new_array(dtype, bytes.as_ptr(), len, None);
    }
    let data_ptr: *const c_void = if len == 0 {
        EMPTY.as_ptr().cast()
    } else {
        bytes.as_ptr().cast()
    };
    let mut private = Box::new(ArrayPrivate {
        _owner: None,
        _copied: bytes,
        buffers: Box::new([ptr::null(), data_ptr]),
    });
    let buffers = private.buffers.as_mut_ptr();
    ArrowArray {
        length: len as i64,
        null_count: 0,
        offset: 0,
        n_buffers: 2,
        n_children: 0,
        buffers,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: Some(release_array),
        private_data: Box::into_raw(private).cast(),
    }
}

fn pack_bits(bytes: &[u8]) -> Vec<u8> {
    let mut packed = vec![0u8; bytes.len().div_ceil(8).max(1)];
    for (i, _) in bytes.iter().enumerate().filter(|&(_, &b)| b != 0) {
        if let Some(slot) = packed.get_mut(i / 8) {
            *slot |= 1 << (i % 8);
        }
    }
    packed
}

// -- export: stream -------------------------------------------------------------------------

struct StreamPrivate {
    owner: Arc<Owner>,
    dtype: DType,
    /// (address, element count) of every filled chunk, in order.
    chunks: Vec<(usize, usize)>,
    next: usize,
    error: CString,
}

unsafe extern "C" fn stream_get_schema(
    stream: *mut ArrowArrayStream,
    out: *mut ArrowSchema,
) -> c_int {
    // SAFETY: `stream` is one we built (private data a StreamPrivate) and not yet released;
    // `out` points at writable ArrowSchema storage (the consumer's contract).
    unsafe {
        let private = (*stream).private_data.cast::<StreamPrivate>();
        if private.is_null() || out.is_null() {
            return EINVAL;
        }
        out.write(new_schema((*private).dtype));
    }
    0
}

unsafe extern "C" fn stream_get_next(stream: *mut ArrowArrayStream, out: *mut ArrowArray) -> c_int {
    // SAFETY: as in `stream_get_schema`; the chunk addresses stay valid while `owner` holds the
    // ChunkArray (chunks never move or shrink).
    unsafe {
        let private = (*stream).private_data.cast::<StreamPrivate>();
        if private.is_null() || out.is_null() {
            return EINVAL;
        }
        let state = &mut *private;
        let array = match state.chunks.get(state.next) {
            Some(&(addr, len)) => {
                state.next += 1;
                new_array(
                    state.dtype,
                    addr as *const u8,
                    len,
                    Some(state.owner.clone()),
                )
            }
            None => released_array(), // end of stream
        };
        out.write(array);
    }
    0
}

/// An array marked released: the end of a stream, or storage for a producer to fill.
fn released_array() -> ArrowArray {
    ArrowArray {
        length: 0,
        null_count: 0,
        offset: 0,
        n_buffers: 0,
        n_children: 0,
        buffers: ptr::null_mut(),
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    }
}

unsafe extern "C" fn stream_get_last_error(stream: *mut ArrowArrayStream) -> *const c_char {
    // SAFETY: as in `stream_get_schema`.
    unsafe {
        let private = (*stream).private_data.cast::<StreamPrivate>();
        if private.is_null() {
            return ptr::null();
        }
        (*private).error.as_ptr()
    }
}

unsafe extern "C" fn release_stream(stream: *mut ArrowArrayStream) {
    if stream.is_null() {
        return;
    }
    // SAFETY: built by `new_stream`; released once, then marked released.
    unsafe {
        let private = (*stream).private_data.cast::<StreamPrivate>();
        if !private.is_null() {
            drop(Box::from_raw(private));
        }
        (*stream).private_data = ptr::null_mut();
        (*stream).release = None;
    }
}

// -- capsules -------------------------------------------------------------------------------

/// Owns an exported struct inside its capsule: releases it if no consumer took it.
struct Exported<T: Releasable>(T);

trait Releasable {
    fn release_if_live(&mut self);
}

impl Releasable for ArrowSchema {
    fn release_if_live(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: a live struct of ours; its release callback is called once.
            unsafe { release(self) };
        }
    }
}

impl Releasable for ArrowArray {
    fn release_if_live(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: as above.
            unsafe { release(self) };
        }
    }
}

impl Releasable for ArrowArrayStream {
    fn release_if_live(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: as above.
            unsafe { release(self) };
        }
    }
}

impl<T: Releasable> Drop for Exported<T> {
    fn drop(&mut self) {
        self.0.release_if_live();
    }
}

fn capsule<'py, T: Releasable + Send + 'static>(
    py: Python<'py>,
    value: T,
    name: &'static CStr,
) -> PyResult<Bound<'py, PyCapsule>> {
    // `Exported<T>` is the capsule's value and its first (only) field is the struct, so the
    // capsule's pointer is the struct's address, as the PyCapsule protocol requires.
    PyCapsule::new_with_value(py, Exported(value), name)
}

/// `ChunkArray.__arrow_c_stream__`: one Arrow array per filled chunk, zero-copy (B1 aside).
pub fn export_stream<'py>(slf: &Bound<'py, PyChunkArray>) -> PyResult<Bound<'py, PyCapsule>> {
    let py = slf.py();
    let this = slf.try_borrow()?;
    let array = this.array();
    let chunks = (0..array.chunk_count())
        .map(|c| (array.chunk_ptr(c) as usize, array.chunk_filled(c)))
        .filter(|&(_, len)| len > 0)
        .collect();
    let private = Box::new(StreamPrivate {
        owner: Arc::new(Owner(Some(slf.clone().into_any().unbind()))),
        dtype: array.dtype(),
        chunks,
        next: 0,
        error: CString::default(),
    });
    let stream = ArrowArrayStream {
        get_schema: Some(stream_get_schema),
        get_next: Some(stream_get_next),
        get_last_error: Some(stream_get_last_error),
        release: Some(release_stream),
        private_data: Box::into_raw(private).cast(),
    };
    capsule(py, stream, STREAM_CAPSULE)
}

/// `ChunkArray.__arrow_c_array__`: one Arrow array; zero-copy when the elements sit in one
/// chunk (and are not B1), a contiguous copy otherwise.
pub fn export_array<'py>(slf: &Bound<'py, PyChunkArray>) -> PyResult<Bound<'py, PyTuple>> {
    let py = slf.py();
    let this = slf.try_borrow()?;
    let array = this.array();
    let dtype = array.dtype();
    let arrow = if array.chunk_count() <= 1 {
        let data = if array.chunk_count() == 1 {
            array.chunk_ptr(0).cast_const()
        } else {
            EMPTY.as_ptr().cast()
        };
        let owner = Arc::new(Owner(Some(slf.clone().into_any().unbind())));
        new_array(dtype, data, array.len(), Some(owner))
    } else {
        new_owned_array(dtype, array.to_bytes(), array.len())
    };
    let schema = capsule(py, new_schema(dtype), SCHEMA_CAPSULE)?;
    let arrow = capsule(py, arrow, ARRAY_CAPSULE)?;
    PyTuple::new(py, [schema.into_any(), arrow.into_any()])
}

// -- import ---------------------------------------------------------------------------------

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
    let mut schema = Imported(ArrowSchema {
        format: ptr::null(),
        name: ptr::null(),
        metadata: ptr::null(),
        flags: 0,
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    });
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
