//! Rust errors of the runtime -> Python exceptions (the only place they are made).

use frontend::fault::{Fault, PyExc};
use frontend::{DiagKind, Diagnostic};
use pyo3::exceptions::{
    PyIndexError, PyMemoryError, PyOverflowError, PyRuntimeError, PyTypeError, PyValueError,
    PyZeroDivisionError,
};
use pyo3::prelude::*;
use runtime::ArrayError;
use runtime::reduce_builtin::ReduceError;

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

fn diag_kind_name(kind: DiagKind) -> &'static str {
    match kind {
        DiagKind::Syntax => "syntax",
        DiagKind::Unsupported => "unsupported",
        DiagKind::Type => "type",
        DiagKind::Name => "name",
    }
}

/// A diagnostic as `chunkjit.KernelCompileError`, whose attributes name the place: `kind`,
/// `filename`, `lineno`, `col`, `source_line` and `reason` (the message without the place).
pub fn compile_error(py: Python<'_>, diag: &Diagnostic) -> PyErr {
    let class = match py.import("chunkjit._errors").and_then(|m| m.getattr("KernelCompileError")) {
        Ok(class) => class,
        Err(err) => return err,
    };
    let value = match class.call1((diag.render(),)) {
        Ok(value) => value,
        Err(err) => return err,
    };
    let loc = diag.location();
    // Setting attributes on a fresh exception instance cannot fail in practice; if it did, the
    // message still carries everything.
    let _ = value.setattr("kind", diag_kind_name(diag.kind));
    let _ = value.setattr("filename", loc.file);
    let _ = value.setattr("lineno", loc.line);
    let _ = value.setattr("col", loc.col);
    let _ = value.setattr("source_line", loc.line_text);
    let _ = value.setattr("reason", diag.message.as_str());
    PyErr::from_value(value)
}

/// A runtime fault of element `index` (None for a scalar call) as the exception CPython would
/// raise, naming the kernel, the element and the source line.
pub fn fault_error(kernel: &str, fault: &Fault, index: Option<u64>) -> PyErr {
    let loc = fault.site.location();
    let at = index.map(|i| format!(" at element {i}")).unwrap_or_default();
    let msg = format!(
        "{} (kernel '{}'{}, {}, line {}: {})",
        fault.kind.message(),
        kernel,
        at,
        loc.file,
        loc.line,
        loc.line_text.trim()
    );
    match fault.kind.exception() {
        PyExc::ZeroDivisionError => PyZeroDivisionError::new_err(msg),
        PyExc::OverflowError => PyOverflowError::new_err(msg),
        PyExc::ValueError => PyValueError::new_err(msg),
    }
}

/// A failure of ours (the code generator, a poisoned lock), never the user's input.
pub fn internal_error(what: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(format!("chunkjit internal error: {what}"))
}
