//! Rust errors of the runtime -> Python exceptions (the only place they are made).

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::PyErr;
use runtime::reduce_builtin::ReduceError;
use runtime::ArrayError;

pub fn array_error(error: ArrayError) -> PyErr {
    let message = error.to_string();
    match error {
        ArrayError::InvalidFirstChunk(_) | ArrayError::ByteLength { .. } => {
            PyValueError::new_err(message)
        }
        ArrayError::IndexOutOfRange { .. } => PyIndexError::new_err(message),
        ArrayError::DTypeMismatch { .. } => PyTypeError::new_err(message),
        ArrayError::TooLong { .. } => PyOverflowError::new_err(message),
        ArrayError::OutOfMemory { .. } => PyMemoryError::new_err(message),
    }
}

pub fn reduce_error(error: ReduceError) -> PyErr {
    // numpy raises ValueError for min/max of an empty array.
    PyValueError::new_err(error.to_string())
}
