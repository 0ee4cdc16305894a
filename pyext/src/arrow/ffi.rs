//! The Arrow C data interface structs (ArrowSchema, ArrowArray, ArrowArrayStream), the
//! capsule names of the PyCapsule protocol, and the dtype <-> Arrow format mapping.

use runtime::DType;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::ptr;

// https://arrow.apache.org/docs/format/CDataInterface.html

#[repr(C)]
pub(super) struct ArrowSchema {
    pub(super) format: *const c_char,
    pub(super) name: *const c_char,
    pub(super) metadata: *const c_char,
    pub(super) flags: i64,
    pub(super) n_children: i64,
    pub(super) children: *mut *mut ArrowSchema,
    pub(super) dictionary: *mut ArrowSchema,
    pub(super) release: Option<unsafe extern "C" fn(*mut ArrowSchema)>,
    pub(super) private_data: *mut c_void,
}

#[repr(C)]
pub(super) struct ArrowArray {
    pub(super) length: i64,
    pub(super) null_count: i64,
    pub(super) offset: i64,
    pub(super) n_buffers: i64,
    pub(super) n_children: i64,
    pub(super) buffers: *mut *const c_void,
    pub(super) children: *mut *mut ArrowArray,
    pub(super) dictionary: *mut ArrowArray,
    pub(super) release: Option<unsafe extern "C" fn(*mut ArrowArray)>,
    pub(super) private_data: *mut c_void,
}

#[repr(C)]
pub(super) struct ArrowArrayStream {
    pub(super) get_schema:
        Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowSchema) -> c_int>,
    pub(super) get_next:
        Option<unsafe extern "C" fn(*mut ArrowArrayStream, *mut ArrowArray) -> c_int>,
    pub(super) get_last_error: Option<unsafe extern "C" fn(*mut ArrowArrayStream) -> *const c_char>,
    pub(super) release: Option<unsafe extern "C" fn(*mut ArrowArrayStream)>,
    pub(super) private_data: *mut c_void,
}

// SAFETY: the structs are moved between threads only as whole values handed to a consumer
// (the C data interface allows release from any thread); the data they point at is either owned
// through `private_data` or kept alive by the ChunkArray reference held there.
unsafe impl Send for ArrowSchema {}
unsafe impl Send for ArrowArray {}
unsafe impl Send for ArrowArrayStream {}

pub(super) const SCHEMA_CAPSULE: &CStr = c"arrow_schema";
pub(super) const ARRAY_CAPSULE: &CStr = c"arrow_array";
pub(super) const STREAM_CAPSULE: &CStr = c"arrow_array_stream";

/// The Arrow format string of a dtype (B1 is Arrow's bit-packed boolean).
pub(super) fn format_of(dtype: DType) -> &'static CStr {
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

pub(super) fn dtype_of_format(format: &str) -> Option<DType> {
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

/// An array marked released: the end of a stream, or storage for a producer to fill.
pub(super) fn released_array() -> ArrowArray {
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

/// A schema marked released: storage for a producer to fill.
pub(super) fn released_schema() -> ArrowSchema {
    ArrowSchema {
        format: ptr::null(),
        name: ptr::null(),
        metadata: ptr::null(),
        flags: 0,
        n_children: 0,
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
    }
}

pub(super) trait Releasable {
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
