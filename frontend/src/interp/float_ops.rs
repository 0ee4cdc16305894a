//! Python's float operators as CPython 3.11's floatobject.c computes them: `/` (ZeroDivision for
//! a zero divisor), `//` and `%` (`float_floor_div`/`float_rem`: fmod, then the sign
//! adjustment, then the quotient snapped to an integer), and `**` (`float_pow`: the special
//! cases, then libm's pow). Native entries for compiled code sit at the bottom: they are the
//! same functions, so compiled code and the interpreter agree by construction.

use crate::fault::FaultKind;
use crate::mathfn::report;
use crate::ops::BinOp;

#[link(name = "m")]
unsafe extern "C" {
    safe fn fmod(x: f64, y: f64) -> f64;
    safe fn pow(x: f64, y: f64) -> f64;
}

/// `a op b` on F8 values with Python's float semantics. The integer-only operators
/// (`<< >> & | ^`) never have float operands in checked IR; they give NaN.
pub fn binary(op: BinOp, a: f64, b: f64) -> Result<f64, FaultKind> {
    match op {
        BinOp::Add => Ok(a + b),
        BinOp::Sub => Ok(a - b),
        BinOp::Mul => Ok(a * b),
        BinOp::Div => div(a, b),
        BinOp::FloorDiv => floor_div(a, b),
        BinOp::Mod => rem(a, b),
        BinOp::Pow => float_pow(a, b),
        BinOp::LShift | BinOp::RShift | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
            Ok(f64::NAN)
        }
    }
}

/// `a / b`: IEEE division, except that a zero divisor (either sign) raises.
pub fn div(a: f64, b: f64) -> Result<f64, FaultKind> {
    if b == 0.0 {
        Err(FaultKind::ZeroDivision)
    } else {
        Ok(a / b)
    }
}

/// `a % b` (CPython's `float_rem`): the result has the divisor's sign; a zero result is a zero
/// of the divisor's sign.
pub fn rem(a: f64, b: f64) -> Result<f64, FaultKind> {
    if b == 0.0 {
        return Err(FaultKind::ZeroDivision);
    }
    let mut m = fmod(a, b);
    if m != 0.0 {
        // A NaN counts as non-zero here, as in C.
        if (b < 0.0) != (m < 0.0) {
            m += b;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    Ok(m)
}

/// `a // b` (CPython's `float_floor_div` via `_float_div_mod`).
pub fn floor_div(a: f64, b: f64) -> Result<f64, FaultKind> {
    if b == 0.0 {
        return Err(FaultKind::ZeroDivision);
    }
    let m = fmod(a, b);
    // fmod is exact, so a - m is mathematically a multiple of b; the division is close to it.
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        // Snap the quotient to the nearest integer (NaN passes through: the comparison fails).
        let mut floordiv = div.floor();
        if div - floordiv > 0.5 {
            floordiv += 1.0;
        }
        Ok(floordiv)
    } else {
        // A zero quotient takes the sign of the true quotient.
        Ok(0.0f64.copysign(a / b))
    }
}

/// Whether x is an odd integer (CPython's DOUBLE_IS_ODD_INTEGER).
fn is_odd_integer(x: f64) -> bool {
    fmod(x.abs(), 2.0) == 1.0
}

/// `a ** b` (CPython's `float_pow`). 0.0 ** negative raises ZeroDivision; a negative base to a
/// non-integer power raises ComplexPower (CPython returns a complex number: a documented
/// deviation); an infinite result from finite operands raises MathRange (CPython's
/// OverflowError "Numerical result out of range").
pub fn float_pow(iv: f64, iw: f64) -> Result<f64, FaultKind> {
    if iw == 0.0 {
        return Ok(1.0); // v**0 is 1, even 0**0 and nan**0
    }
    if iv.is_nan() {
        return Ok(iv);
    }
    if iw.is_nan() {
        return Ok(if iv == 1.0 { 1.0 } else { iw });
    }
    if iw.is_infinite() {
        let av = iv.abs();
        return Ok(if av == 1.0 {
            1.0
        } else if (iw > 0.0) == (av > 1.0) {
            iw.abs()
        } else {
            0.0
        });
    }
    if iv.is_infinite() {
        let odd = is_odd_integer(iw);
        return Ok(if iw > 0.0 {
            if odd { iv } else { iv.abs() }
        } else if odd {
            0.0f64.copysign(iv)
        } else {
            0.0
        });
    }
    if iv == 0.0 {
        if iw < 0.0 {
            return Err(FaultKind::ZeroDivision);
        }
        return Ok(if is_odd_integer(iw) { iv } else { 0.0 });
    }
    let mut base = iv;
    let mut negate = false;
    if iv < 0.0 {
        if iw != iw.floor() {
            return Err(FaultKind::ComplexPower);
        }
        base = -iv;
        negate = is_odd_integer(iw);
    }
    if base == 1.0 {
        // 1**w and (-1)**integer, whatever libm thinks of huge integers.
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = pow(base, iw);
    if r.is_infinite() {
        return Err(FaultKind::MathRange);
    }
    Ok(if negate { -r } else { r })
}


/// Native `a // b` on F8 for compiled code (F4 operands are widened, the result rounded).
///
/// # Safety
/// `status` must be null or valid for writing one u32.
pub unsafe extern "C" fn cj_float_floordiv(a: f64, b: f64, status: *mut u32) -> f64 {
    report(floor_div(a, b), status)
}

/// Native `a % b` on F8 for compiled code.
///
/// # Safety
/// `status` must be null or valid for writing one u32.
pub unsafe extern "C" fn cj_float_mod(a: f64, b: f64, status: *mut u32) -> f64 {
    report(rem(a, b), status)
}

/// Native `a ** b` on F8 for compiled code.
///
/// # Safety
/// `status` must be null or valid for writing one u32.
pub unsafe extern "C" fn cj_float_pow(a: f64, b: f64, status: *mut u32) -> f64 {
    report(float_pow(a, b), status)
}

/// The native entry compiled code calls for a float operator that has no Cranelift
/// instruction (`//`, `%`, `**`); None for the others (`+ - * /` are instructions, and `/`
/// only needs a zero check).
pub fn symbol(op: BinOp) -> Option<(&'static str, *const u8)> {
    type Entry = unsafe extern "C" fn(f64, f64, *mut u32) -> f64;
    let (name, entry): (&'static str, Entry) = match op {
        BinOp::FloorDiv => ("cj_float_floordiv", cj_float_floordiv),
        BinOp::Mod => ("cj_float_mod", cj_float_mod),
        BinOp::Pow => ("cj_float_pow", cj_float_pow),
        _ => return None,
    };
    Some((name, entry as *const u8))
}
