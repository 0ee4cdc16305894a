//! One element between Python and storage: strict conversion of a Python scalar into a dtype's
//! bytes (no silent wrap, no float truncation), and element bytes back into a Python scalar.

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat};
use runtime::{DType, Kind};

/// The native-endian bytes of one element (at most 8).
#[derive(Clone, Copy)]
pub struct ElementBytes {
    bytes: [u8; 8],
    len: usize,
}

impl ElementBytes {
    fn new(bytes: &[u8]) -> ElementBytes {
        let mut out = ElementBytes {
            bytes: [0; 8],
            len: bytes.len().min(8),
        };
        out.bytes[..out.len].copy_from_slice(&bytes[..out.len]);
        out
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Converts a Python scalar into an element of `dtype`:
/// - integer dtypes take ints and bools (numpy integer scalars too); a float is a TypeError, an
///   int outside the dtype's range an OverflowError;
/// - float dtypes take anything with `__float__` (ints, bools, numpy scalars); a finite value
///   too large for F4 is an OverflowError (never a silent inf);
/// - B1 takes bools, and the ints 0 and 1.
pub fn to_element(obj: &Bound<'_, PyAny>, dtype: DType) -> PyResult<ElementBytes> {
    match dtype.kind() {
        Kind::Float => float_element(obj, dtype),
        Kind::Bool | Kind::Signed | Kind::Unsigned => int_element(obj, dtype),
    }
}

fn float_element(obj: &Bound<'_, PyAny>, dtype: DType) -> PyResult<ElementBytes> {
    // An int too large for a float keeps Python's OverflowError; a non-number is a TypeError.
    let value: f64 = obj.extract().map_err(|e: PyErr| {
        if e.is_instance_of::<PyOverflowError>(obj.py()) { e } else { type_error(obj, dtype) }
    })?;
    if dtype == DType::F4 {
        let narrow = value as f32;
        if narrow.is_infinite() && value.is_finite() {
            return Err(PyOverflowError::new_err(format!(
                "{value} is out of range for F4 (float32)"
            )));
        }
        return Ok(ElementBytes::new(&narrow.to_ne_bytes()));
    }
    Ok(ElementBytes::new(&value.to_ne_bytes()))
}

fn int_element(obj: &Bound<'_, PyAny>, dtype: DType) -> PyResult<ElementBytes> {
    let value: i128 = if let Ok(b) = obj.extract::<bool>() {
        i128::from(b)
    } else if obj.is_instance_of::<PyFloat>() {
        return Err(type_error(obj, dtype));
    } else {
        match obj.extract::<i128>() {
            Ok(v) => v,
            Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
                return Err(out_of_range(&obj.to_string(), dtype));
            }
            Err(_) => return Err(type_error(obj, dtype)),
        }
    };
    let (low, high) = dtype.int_range().unwrap_or((0, 0));
    if value < low || value > high {
        return Err(out_of_range(&value.to_string(), dtype));
    }
    let bytes = value.to_ne_bytes();
    // The low `size` bytes of the two's complement value, wherever they sit in memory.
    let size = dtype.size();
    let low_bytes = if cfg!(target_endian = "little") {
        &bytes[..size]
    } else {
        &bytes[16 - size..]
    };
    Ok(ElementBytes::new(low_bytes))
}

/// The Python scalar (int, float or bool) of an element's bytes.
pub fn to_python<'py>(py: Python<'py>, dtype: DType, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let mut raw = [0u8; 8];
    let size = bytes.len().min(8);
    raw[..size].copy_from_slice(&bytes[..size]);
    let obj = match dtype {
        DType::B1 => PyBool::new(py, raw[0] != 0).to_owned().into_any(),
        DType::U1 => raw[0].into_pyobject(py)?.into_any(),
        DType::S1 => i8::from_ne_bytes([raw[0]]).into_pyobject(py)?.into_any(),
        DType::U2 => u16::from_ne_bytes([raw[0], raw[1]]).into_pyobject(py)?.into_any(),
        DType::S2 => i16::from_ne_bytes([raw[0], raw[1]]).into_pyobject(py)?.into_any(),
        DType::U4 => u32::from_ne_bytes(first4(raw)).into_pyobject(py)?.into_any(),
        DType::S4 => i32::from_ne_bytes(first4(raw)).into_pyobject(py)?.into_any(),
        DType::F4 => f64::from(f32::from_ne_bytes(first4(raw))).into_pyobject(py)?.into_any(),
        DType::U8 => u64::from_ne_bytes(raw).into_pyobject(py)?.into_any(),
        DType::S8 => i64::from_ne_bytes(raw).into_pyobject(py)?.into_any(),
        DType::F8 => f64::from_ne_bytes(raw).into_pyobject(py)?.into_any(),
    };
    Ok(obj)
}

fn first4(raw: [u8; 8]) -> [u8; 4] {
    [raw[0], raw[1], raw[2], raw[3]]
}

fn type_error(obj: &Bound<'_, PyAny>, dtype: DType) -> PyErr {
    let type_name = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    let expected = match dtype.kind() {
        Kind::Float => "a real number",
        Kind::Bool => "a bool",
        Kind::Signed | Kind::Unsigned => "an int (floats are not truncated implicitly)",
    };
    PyTypeError::new_err(format!(
        "cannot store a value of type {type_name} in a {dtype} ChunkArray: expected {expected}"
    ))
}

fn out_of_range(value: &str, dtype: DType) -> PyErr {
    let (low, high) = dtype.int_range().unwrap_or((0, 0));
    PyOverflowError::new_err(format!(
        "Python integer {value} out of bounds for {dtype} ({low}..={high})"
    ))
}
