//! An input of a driver: a chunk array, a contiguous slice (an ndarray's buffer), or one value
//! broadcast to every element.

use crate::dtype::DType;
use crate::xar::ChunkArray;

#[derive(Clone, Copy, Debug)]
pub enum Column<'a> {
    Chunked(&'a ChunkArray),
    /// Elements of `dtype`, contiguous, native-endian.
    Contiguous {
        bytes: &'a [u8],
        dtype: DType,
    },
    /// One element's bytes, passed to every call as is.
    Broadcast(&'a [u8]),
}

impl Column<'_> {
    /// Number of elements, `None` for a broadcast value.
    pub fn length(&self) -> Option<usize> {
        match self {
            Column::Chunked(array) => Some(array.len()),
            Column::Contiguous { bytes, dtype } => Some(bytes.len() / dtype.size()),
            Column::Broadcast(_) => None,
        }
    }

    /// The address of element `index` (which must be below `len()`), or of the broadcast value.
    /// Elements `index..` up to the end of the index's chunk are contiguous from there.
    pub(crate) fn element_ptr(&self, index: usize) -> *const u8 {
        match self {
            Column::Chunked(array) => array
                .segments(index, index + 1)
                .ok()
                .and_then(|mut s| s.next())
                .map_or(std::ptr::null(), |s| s.ptr.cast_const()),
            Column::Contiguous { bytes, dtype } => bytes
                .get(index * dtype.size()..)
                .map_or(std::ptr::null(), <[u8]>::as_ptr),
            Column::Broadcast(value) => value.as_ptr(),
        }
    }
}
