//! Reading and making `Scalar`s by type. Total functions: a value of an unexpected variant
//! (which checked IR never produces) is read as the nearest sensible number, never a panic.

use super::int_ops::wrap;
use crate::types::Ty;
use crate::value::Scalar;

/// The exact integer a value holds (a float is truncated, saturating; NaN reads as 0).
pub fn int_value(v: Scalar) -> i128 {
    match v.as_i128() {
        Some(x) => x,
        None => v.as_f64() as i128,
    }
}

/// The value of an integer type `ty` holding `x` (already in range; wrapped if not). A float
/// `ty` gets the integer's nearest float.
pub fn make_int(x: i128, ty: Ty) -> Scalar {
    match ty {
        Ty::B1 => Scalar::Bool(x != 0),
        Ty::F4 => Scalar::Float(super::convert::int_to_f32(x) as f64),
        Ty::F8 => Scalar::Float(super::convert::int_to_f64(x)),
        Ty::U1 | Ty::U2 | Ty::U4 | Ty::U8 => Scalar::UInt(wrap(x, ty) as u64),
        Ty::S1 | Ty::S2 | Ty::S4 | Ty::S8 | Ty::Int => Scalar::Int(wrap(x, ty) as i64),
    }
}

/// The value of a float type `ty` holding `f`: F4 rounds it to f32. An integer `ty` gets the
/// truncated value.
pub fn make_float(f: f64, ty: Ty) -> Scalar {
    match ty {
        Ty::F4 => Scalar::Float(f as f32 as f64),
        Ty::F8 => Scalar::Float(f),
        other => make_int(f as i128, other),
    }
}

/// Python truthiness: non-zero is true, NaN is true.
pub fn truth(v: Scalar) -> bool {
    match v {
        Scalar::Bool(b) => b,
        Scalar::Int(i) => i != 0,
        Scalar::UInt(u) => u != 0,
        Scalar::Float(f) => f != 0.0,
    }
}

/// Zero of a type (the value of a local before its first assignment).
pub fn zero(ty: Ty) -> Scalar {
    make_int(0, ty)
}

/// Normalises a value to the variant `ty` holds, without changing a value of `ty`.
pub fn coerce(v: Scalar, ty: Ty) -> Scalar {
    if ty.is_float() {
        make_float(v.as_f64(), ty)
    } else {
        make_int(int_value(v), ty)
    }
}
