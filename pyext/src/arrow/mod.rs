//! Arrow interchange through the Arrow C data interface and the Python PyCapsule protocol
//! (`__arrow_c_stream__`, `__arrow_c_array__`), without depending on any Arrow library.
//!
//! Export is zero-copy: one Arrow array per chunk, whose data buffer is the chunk's memory, kept
//! alive by a strong reference to the ChunkArray that the release callback drops. Two cases copy:
//! B1 (Arrow booleans are bit-packed, a ChunkArray stores one byte per bool), and
//! `__arrow_c_array__` of an array spread over several chunks (one Arrow array must be
//! contiguous). Import always copies into chunks the new ChunkArray owns; data with nulls is
//! refused (a ChunkArray has no missing value).

mod export;
mod ffi;
mod import;

pub use export::{export_array, export_stream};
pub use import::import;
