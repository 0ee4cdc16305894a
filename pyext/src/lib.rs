//! The native module `chunkjit._native`: registration only; each class and function lives in
//! its own file.

use pyo3::prelude::*;

pub mod array;
pub mod arrow;
pub mod c_entry;
pub mod dtype;
pub mod errors;
pub mod kernel;
pub mod pipeline;
pub mod run;
pub mod scalar;
pub mod threads;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<array::PyChunkArray>()?;
    m.add_class::<array::ChunkArrayIterator>()?;
    m.add_class::<kernel::PyKernelDef>()?;
    m.add_class::<kernel::CompiledKernel>()?;
    m.add_class::<pipeline::PyPipelineLoop>()?;
    m.add_function(wrap_pyfunction!(threads::set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(threads::get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(c_entry::c_header, m)?)?;
    m.add("DEFAULT_FIRST_CHUNK", runtime::DEFAULT_FIRST_CHUNK)?;
    Ok(())
}
