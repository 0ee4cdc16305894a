//! The process-wide thread count of parallel work, exposed to Python.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Sets the number of threads parallel work uses (default: the available cores, or the
/// `CHUNKJIT_NUM_THREADS` environment variable).
#[pyfunction]
pub fn set_num_threads(threads: usize) -> PyResult<()> {
    runtime::pool::set_num_threads(threads).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The number of threads parallel work uses.
#[pyfunction]
pub fn get_num_threads() -> usize {
    runtime::pool::num_threads()
}
