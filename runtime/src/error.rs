//! What can go wrong when a chunk array is built, grown or read.

use std::fmt;

use crate::dtype::DType;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArrayError {
    /// `first_chunk` must be a power of two (1, 2, 4, ...).
    InvalidFirstChunk(usize),
    /// An index at or past the length.
    IndexOutOfRange { index: usize, len: usize },
    /// Typed access with a Rust type that does not store this dtype.
    DTypeMismatch { array: DType, requested: DType },
    /// A byte buffer whose length is not a whole number of elements (or not one element).
    ByteLength { bytes: usize, element_size: usize },
    /// The length would pass the largest an allocation can hold (`isize::MAX` bytes).
    TooLong { requested: usize, max: usize },
    /// The allocator returned no memory for a chunk.
    OutOfMemory { bytes: usize },
}

impl fmt::Display for ArrayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArrayError::InvalidFirstChunk(n) => {
                write!(
                    f,
                    "first_chunk must be a power of two (1, 2, 4, ...), got {n}"
                )
            }
            ArrayError::IndexOutOfRange { index, len } => {
                write!(
                    f,
                    "index {index} out of range for a ChunkArray of length {len}"
                )
            }
            ArrayError::DTypeMismatch { array, requested } => {
                write!(f, "array of {array} accessed as {requested}")
            }
            ArrayError::ByteLength {
                bytes,
                element_size,
            } => write!(
                f,
                "{bytes} bytes is not a whole number of {element_size}-byte elements"
            ),
            ArrayError::TooLong { requested, max } => write!(
                f,
                "a ChunkArray of {requested} elements is longer than the maximum of {max}"
            ),
            ArrayError::OutOfMemory { bytes } => {
                write!(f, "could not allocate a chunk of {bytes} bytes")
            }
        }
    }
}

impl std::error::Error for ArrayError {}
