//! Dtype resolution: what a Python user may pass where a dtype is expected, and the numpy and
//! chunkjit objects that stand for each storage type.

use numpy::{PyArrayDescr, PyArrayDescrMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};
use runtime::{DType, Kind};

/// Runs `$body` with `$t` the numpy element type that stores `$dtype` (`bool` for B1).
macro_rules! with_numpy_type {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            runtime::DType::B1 => { type $t = bool; $body }
            runtime::DType::U1 => { type $t = u8; $body }
            runtime::DType::U2 => { type $t = u16; $body }
            runtime::DType::U4 => { type $t = u32; $body }
            runtime::DType::U8 => { type $t = u64; $body }
            runtime::DType::S1 => { type $t = i8; $body }
            runtime::DType::S2 => { type $t = i16; $body }
            runtime::DType::S4 => { type $t = i32; $body }
            runtime::DType::S8 => { type $t = i64; $body }
            runtime::DType::F4 => { type $t = f32; $body }
            runtime::DType::F8 => { type $t = f64; $body }
        }
    };
}
pub(crate) use with_numpy_type;

/// Resolves a dtype argument: a chunkjit scalar type (or its name, `"U8"`), a numpy dtype, type
/// object or string (`np.float64`, `np.dtype("u8")`, `"float32"`), or the builtins `float`
/// (F8), `int` (S8) and `bool` (B1). Anything else: TypeError.
pub fn resolve(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    let py = obj.py();
    if obj.is_instance(scalar_type_class(py)?)? {
        let name: String = obj.getattr("name")?.extract()?;
        return DType::from_name(&name).ok_or_else(|| unsupported(obj));
    }
    if let Ok(name) = obj.cast::<PyString>() {
        if let Some(dtype) = DType::from_name(name.to_str()?) {
            return Ok(dtype);
        }
    }
    if let Ok(ty) = obj.cast::<PyType>() {
        let builtins = py.import("builtins")?;
        for (name, dtype) in [("float", DType::F8), ("int", DType::S8), ("bool", DType::B1)] {
            if ty.is(&builtins.getattr(name)?) {
                return Ok(dtype);
            }
        }
    }
    if obj.is_none() {
        return Err(unsupported(obj));
    }
    let descr = match obj.cast::<PyArrayDescr>() {
        Ok(descr) => descr.clone(),
        Err(_) => py
            .import("numpy")?
            .call_method1("dtype", (obj,))
            .and_then(|d| Ok(d.cast_into::<PyArrayDescr>()?))
            .map_err(|_| unsupported(obj))?,
    };
    from_descr(&descr).ok_or_else(|| unsupported(obj))
}

/// The storage type of a numpy dtype, if chunkjit has one (native byte order only).
pub fn from_descr(descr: &Bound<'_, PyArrayDescr>) -> Option<DType> {
    if descr.is_native_byteorder() == Some(false) || descr.has_fields() || descr.has_subarray() {
        return None;
    }
    let kind = match descr.kind() {
        b'b' => Kind::Bool,
        b'u' => Kind::Unsigned,
        b'i' => Kind::Signed,
        b'f' => Kind::Float,
        _ => return None,
    };
    DType::from_kind_size(kind, descr.itemsize())
}

/// The numpy dtype that stores `dtype`.
pub fn descr(py: Python<'_>, dtype: DType) -> Bound<'_, PyArrayDescr> {
    with_numpy_type!(dtype, T => numpy::dtype::<T>(py))
}

/// The chunkjit scalar type object (`chunkjit.F8`) of a storage type.
pub fn scalar_type(py: Python<'_>, dtype: DType) -> PyResult<Bound<'_, PyAny>> {
    py.import("chunkjit._types")?.getattr(dtype.name())
}

fn scalar_type_class(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static CLASS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    CLASS.import(py, "chunkjit._types", "ScalarType")
}

fn unsupported(obj: &Bound<'_, PyAny>) -> PyErr {
    let shown = obj
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "<object>".to_owned());
    PyTypeError::new_err(format!(
        "unsupported dtype {shown}: expected a chunkjit scalar type (U1..U8, S1..S8, F4, F8, B1), \
         a numpy bool/integer/float32/float64 dtype, or float, int or bool"
    ))
}
