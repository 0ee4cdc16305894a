//! Scalar values as the reference interpreter, constants and the array boundary see them.

use crate::types::Ty;

/// One scalar value. Which variant holds a value of a type is fixed:
/// B1 -> `Bool`; U1..U8 -> `UInt` (zero-extended, always within the type's range);
/// S1..S8 and `Int` -> `Int` (sign-extended, within range); F4 -> `Float` holding a value exactly
/// representable as f32; F8 -> `Float`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Scalar {
    /// The raw little-endian bits of this value stored as an element of `ty` (zero-extended to
    /// 64 bits): what a chunk holds, and what a compiled scalar call reads and writes.
    pub fn to_bits(self, ty: Ty) -> u64 {
        let mask = if ty.size() == 8 { u64::MAX } else { (1u64 << (ty.size() * 8)) - 1 };
        match (self, ty) {
            (Scalar::Float(f), Ty::F4) => (f as f32).to_bits() as u64,
            (Scalar::Float(f), _) => f.to_bits(),
            (Scalar::Bool(b), _) => b as u64,
            (Scalar::Int(i), _) => (i as u64) & mask,
            (Scalar::UInt(u), _) => u & mask,
        }
    }

    /// Reads a value of `ty` from the raw bits an element of `ty` is stored as.
    pub fn from_bits(bits: u64, ty: Ty) -> Scalar {
        match ty {
            Ty::B1 => Scalar::Bool(bits & 0xff != 0),
            Ty::U1 => Scalar::UInt(bits & 0xff),
            Ty::U2 => Scalar::UInt(bits & 0xffff),
            Ty::U4 => Scalar::UInt(bits & 0xffff_ffff),
            Ty::U8 => Scalar::UInt(bits),
            Ty::S1 => Scalar::Int(bits as u8 as i8 as i64),
            Ty::S2 => Scalar::Int(bits as u16 as i16 as i64),
            Ty::S4 => Scalar::Int(bits as u32 as i32 as i64),
            Ty::S8 | Ty::Int => Scalar::Int(bits as i64),
            Ty::F4 => Scalar::Float(f32::from_bits(bits as u32) as f64),
            Ty::F8 => Scalar::Float(f64::from_bits(bits)),
        }
    }

    /// The value as an exact integer, for integer and bool values.
    pub fn as_i128(self) -> Option<i128> {
        match self {
            Scalar::Bool(b) => Some(b as i128),
            Scalar::Int(i) => Some(i as i128),
            Scalar::UInt(u) => Some(u as i128),
            Scalar::Float(_) => None,
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::UInt(u) => u as f64,
            Scalar::Float(f) => f,
        }
    }
}
