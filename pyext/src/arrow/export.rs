//! Export: a ChunkArray as Arrow arrays over its chunk memory (zero-copy, B1 aside), held
//! alive by a strong reference to the ChunkArray that the release callbacks drop.

use super::ffi::*;
use crate::array::PyChunkArray;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};
use runtime::DType;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::ptr;
use std::sync::Arc;

const EINVAL: c_int = 22;

/// An empty array's data pointer: Arrow wants a non-null, aligned address.
static EMPTY: [u64; 1] = [0];

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
