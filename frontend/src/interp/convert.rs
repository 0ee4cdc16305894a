//! `ops::Convert`: every conversion the checker makes explicit, on one value.

use super::int_ops::{fits, wrap};
use super::scalar::{int_value, make_float, make_int, truth};
use crate::fault::FaultKind;
use crate::ops::{Convert, RoundMode};
use crate::types::Ty;
use crate::value::Scalar;

/// A converted value, and whether it equals what Python would hold.
pub struct Converted {
    pub value: Scalar,
    pub exact: bool,
}

/// Converts `v` (a value of `from`) to `to` as `conv` says.
pub fn convert(conv: Convert, v: Scalar, from: Ty, to: Ty) -> Result<Converted, FaultKind> {
    let done = |value: Scalar, exact: bool| Ok(Converted { value, exact });
    match conv {
        Convert::IntWrap => {
            let x = int_value(v);
            let w = wrap(x, to);
            done(make_int(w, to), w == x)
        }
        Convert::IntChecked => {
            let x = int_value(v);
            if fits(x, to) {
                done(make_int(x, to), true)
            } else {
                Err(FaultKind::IntOverflow)
            }
        }
        Convert::IntToFloat => {
            let x = int_value(v);
            // One rounding, straight from the integer (to F4 too: i64/u64 -> f32 is direct).
            let f = match to {
                Ty::F4 => int_to_f32(x) as f64,
                _ => int_to_f64(x),
            };
            // Python's int -> float rounds the same way, but `/` and comparisons on ints are
            // exact in Python: an inexact conversion may change what Python computes.
            done(Scalar::Float(f), f_equals_int(f, x))
        }
        Convert::FloatToFloat => {
            let f = v.as_f64();
            let r = make_float(f, to);
            let exact = match r {
                Scalar::Float(g) => g == f || (g.is_nan() && f.is_nan()),
                _ => true,
            };
            // F4 -> F8 is exact; F8 -> F4 rounds, and Python has no float32.
            done(r, exact || from == to)
        }
        Convert::FloatToInt(mode) => {
            let r = float_to_int(v.as_f64(), mode, to)?;
            done(make_int(r, to), true)
        }
        Convert::Truth => done(Scalar::Bool(truth(v)), true),
        Convert::FromBool => {
            let b = truth(v);
            let value = if to.is_float() {
                Scalar::Float(b as u8 as f64)
            } else {
                make_int(b as i128, to)
            };
            done(value, true)
        }
    }
}

/// Rounds a float to an integer of `to` with `mode`: NaN -> NanToInt; an infinity or a rounded
/// value outside `to`'s range -> FloatToIntOverflow.
pub fn float_to_int(f: f64, mode: RoundMode, to: Ty) -> Result<i128, FaultKind> {
    if f.is_nan() {
        return Err(FaultKind::NanToInt);
    }
    if f.is_infinite() {
        return Err(FaultKind::FloatToIntOverflow);
    }
    let r = match mode {
        RoundMode::Trunc => f.trunc(),
        RoundMode::Floor => f.floor(),
        RoundMode::Ceil => f.ceil(),
        RoundMode::HalfEven => f.round_ties_even(),
    };
    // |r| < 2**128 here or it is out of every range; `as` saturates, so compare first.
    if r.abs() >= 2f64.powi(100) {
        return Err(FaultKind::FloatToIntOverflow);
    }
    let x = r as i128;
    if fits(x, to) {
        Ok(x)
    } else {
        Err(FaultKind::FloatToIntOverflow)
    }
}

/// An exact integer (within 64 bits, signed or unsigned) rounded to nearest f64.
pub fn int_to_f64(x: i128) -> f64 {
    if x < 0 {
        x as i64 as f64
    } else {
        x as u64 as f64
    }
}

/// An exact integer rounded to nearest f32 in one step.
pub fn int_to_f32(x: i128) -> f32 {
    if x < 0 {
        x as i64 as f32
    } else {
        x as u64 as f32
    }
}

/// Whether the float holds exactly the integer x.
fn f_equals_int(f: f64, x: i128) -> bool {
    f.is_finite() && f.abs() < 2f64.powi(100) && f.trunc() == f && f as i128 == x
}
