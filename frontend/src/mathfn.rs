//! The `math` functions of the subset, with CPython 3.11's results and errors on this platform.
//!
//! CPython's `math` module calls the platform libm for most functions and wraps each call in
//! error rules (`math_1`, `math_2`, `math_1a` in mathmodule.c); a few functions are its own code.
//! This module reproduces both: libm functions are called through the same symbols (`libm`), the
//! error rules are re-derived from the results (CPython's errno checks reduce to them on glibc),
//! and CPython's own algorithms (`hypot`, `gamma`, `lgamma`) are reimplemented operation for
//! operation. `tests/math_vs_cpython.rs` compares every function with the running CPython.
//!
//! | function | computed by | errors |
//! |---|---|---|
//! | exp expm1 sinh cosh | libm | inf from finite x: MathRange |
//! | sin cos tan asin acos atan tanh | libm | NaN from non-NaN x: MathDomain |
//! | log log2 log10 | libm for x > 0 | x <= 0 or x == -inf: MathDomain |
//! | log1p | libm (x == 0 returns x) | x <= -1: MathDomain |
//! | sqrt | IEEE sqrt | x < 0 (not -0.0), -inf: MathDomain |
//! | atan2 | CPython's special cases, then libm | none |
//! | pow | CPython's `math_pow` special cases, then libm | 0**neg, neg**non-int: MathDomain; overflow: MathRange |
//! | fmod | libm (x finite, y inf: x) | x inf or y == 0 (no NaN input): MathDomain |
//! | erf erfc | libm (CPython 3.11 uses libm's when present, as here) | none |
//! | gamma lgamma | CPython's Lanczos code (`gamma.rs`) | poles: MathDomain; overflow: MathRange |
//! | hypot | CPython's `vector_norm` (`hypot.rs`) | none (overflow gives inf) |
//! | fabs copysign | IEEE | none |
//! | floor ceil trunc | IEEE (result as an f64 holding an integer) | NaN: NanToInt; inf: FloatToIntOverflow |
//! | isnan isinf isfinite | IEEE (1.0 true, 0.0 false) | none |

mod gamma;
mod hypot;
mod libm;

use crate::fault::FaultKind;
use crate::ops::MathFn;

/// Evaluates a `math` function of the subset on F8 arguments (`args[1]` is used by the binary
/// functions only; a missing argument reads as NaN), with CPython's result or error.
/// The predicates isnan/isinf/isfinite return 1.0 or 0.0 (see `predicate`); floor/ceil/trunc
/// return the rounded value as an f64 (the conversion to an integer type is the caller's).
pub fn eval(func: MathFn, args: &[f64]) -> Result<f64, FaultKind> {
    let x = args.first().copied().unwrap_or(f64::NAN);
    let y = args.get(1).copied().unwrap_or(f64::NAN);
    eval2(func, x, y)
}

/// `eval` with the arguments spelled out: `y` is ignored by unary functions.
pub fn eval2(func: MathFn, x: f64, y: f64) -> Result<f64, FaultKind> {
    use MathFn as M;
    match func {
        M::Exp => can_overflow(x, libm::exp(x)),
        M::Expm1 => can_overflow(x, libm::expm1(x)),
        M::Sinh => can_overflow(x, libm::sinh(x)),
        M::Cosh => can_overflow(x, libm::cosh(x)),
        M::Sin => no_overflow(x, libm::sin(x)),
        M::Cos => no_overflow(x, libm::cos(x)),
        M::Tan => no_overflow(x, libm::tan(x)),
        M::Asin => no_overflow(x, libm::asin(x)),
        M::Acos => no_overflow(x, libm::acos(x)),
        M::Atan => no_overflow(x, libm::atan(x)),
        M::Tanh => no_overflow(x, libm::tanh(x)),
        M::Log => log_like(x, libm::log),
        M::Log2 => log_like(x, libm::log2),
        M::Log10 => log_like(x, libm::log10),
        M::Log1p => no_overflow(x, if x == 0.0 { x } else { libm::log1p(x) }),
        M::Sqrt => sqrt(x),
        M::Atan2 => Ok(atan2(x, y)),
        M::Pow => pow(x, y),
        M::Fmod => fmod(x, y),
        M::Erf => Ok(libm::erf(x)),
        M::Erfc => Ok(libm::erfc(x)),
        M::Gamma => gamma::gamma(x),
        M::Lgamma => gamma::lgamma(x),
        M::Hypot => Ok(hypot::hypot(x, y)),
        M::Fabs => Ok(x.abs()),
        M::Copysign => Ok(x.copysign(y)),
        M::Floor => to_integral(x, x.floor()),
        M::Ceil => to_integral(x, x.ceil()),
        M::Trunc => to_integral(x, x.trunc()),
        M::Isnan | M::Isinf | M::Isfinite => Ok(if predicate(func, x).unwrap_or(false) {
            1.0
        } else {
            0.0
        }),
    }
}

/// isnan / isinf / isfinite; None for the other functions.
pub fn predicate(func: MathFn, x: f64) -> Option<bool> {
    match func {
        MathFn::Isnan => Some(x.is_nan()),
        MathFn::Isinf => Some(x.is_infinite()),
        MathFn::Isfinite => Some(x.is_finite()),
        _ => None,
    }
}

/// `math_1(..., can_overflow=1)`: a NaN from a non-NaN is a domain error, an infinity from a
/// finite x a range error.
fn can_overflow(x: f64, r: f64) -> Result<f64, FaultKind> {
    if r.is_nan() && !x.is_nan() {
        Err(FaultKind::MathDomain)
    } else if r.is_infinite() && x.is_finite() {
        Err(FaultKind::MathRange)
    } else {
        Ok(r)
    }
}

/// `math_1(..., can_overflow=0)`: an infinity from a finite x is a singularity (domain error).
fn no_overflow(x: f64, r: f64) -> Result<f64, FaultKind> {
    if (r.is_nan() && !x.is_nan()) || (r.is_infinite() && x.is_finite()) {
        Err(FaultKind::MathDomain)
    } else {
        Ok(r)
    }
}

/// CPython's `m_log`/`m_log2`/`m_log10` under `math_1(..., 0)`: libm for positive finite x,
/// NaN and +inf pass through, zero and negatives (-inf included) are domain errors.
fn log_like(x: f64, f: extern "C" fn(f64) -> f64) -> Result<f64, FaultKind> {
    if x.is_nan() || x == f64::INFINITY {
        Ok(x)
    } else if x > 0.0 {
        Ok(f(x))
    } else {
        Err(FaultKind::MathDomain)
    }
}

/// IEEE sqrt; sqrt(-0.0) is -0.0, any other negative (and -inf) is a domain error.
fn sqrt(x: f64) -> Result<f64, FaultKind> {
    if x < 0.0 {
        Err(FaultKind::MathDomain)
    } else {
        Ok(x.sqrt())
    }
}

/// CPython's `m_atan2`: special values first (for platform independence), then libm.
fn atan2(y: f64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if y.is_infinite() {
        if x.is_infinite() {
            let quarter = if x.is_sign_positive() { 0.25 } else { 0.75 };
            return (quarter * PI).copysign(y);
        }
        return (0.5 * PI).copysign(y);
    }
    if x.is_infinite() || y == 0.0 {
        return if x.is_sign_positive() {
            0.0f64.copysign(y)
        } else {
            PI.copysign(y)
        };
    }
    libm::atan2(y, x)
}

/// CPython's `math_pow`: IEEE special values handled directly, libm for finite**finite.
fn pow(x: f64, y: f64) -> Result<f64, FaultKind> {
    if !x.is_finite() || !y.is_finite() {
        let r = if x.is_nan() {
            if y == 0.0 { 1.0 } else { x }
        } else if y.is_nan() {
            if x == 1.0 { 1.0 } else { y }
        } else if x.is_infinite() {
            let odd_y = y.is_finite() && libm::fmod(y.abs(), 2.0) == 1.0;
            if y > 0.0 {
                if odd_y { x } else { x.abs() }
            } else if y == 0.0 {
                1.0
            } else if odd_y {
                0.0f64.copysign(x)
            } else {
                0.0
            }
        } else {
            // y is infinite, x finite.
            if x.abs() == 1.0 {
                1.0
            } else if (y > 0.0 && x.abs() > 1.0) || (y < 0.0 && x.abs() < 1.0) {
                f64::INFINITY
            } else {
                0.0
            }
        };
        return Ok(r);
    }
    let r = libm::pow(x, y);
    if r.is_nan() {
        // Only (-ve)**(finite non-integer) gives a NaN here.
        Err(FaultKind::MathDomain)
    } else if r.is_infinite() {
        // 0.0**negative is a divide-by-zero (domain); anything else overflowed.
        Err(if x == 0.0 {
            FaultKind::MathDomain
        } else {
            FaultKind::MathRange
        })
    } else {
        Ok(r)
    }
}

/// CPython's `math_fmod`: fmod(finite, +-inf) is x; a NaN from non-NaN inputs (x infinite or
/// y zero) is a domain error.
fn fmod(x: f64, y: f64) -> Result<f64, FaultKind> {
    if y.is_infinite() && x.is_finite() {
        return Ok(x);
    }
    let r = libm::fmod(x, y);
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        Err(FaultKind::MathDomain)
    } else {
        Ok(r)
    }
}

/// floor/ceil/trunc: Python returns an int, so NaN and the infinities raise.
fn to_integral(x: f64, r: f64) -> Result<f64, FaultKind> {
    if x.is_nan() {
        Err(FaultKind::NanToInt)
    } else if x.is_infinite() {
        Err(FaultKind::FloatToIntOverflow)
    } else {
        Ok(r)
    }
}

/// Writes the outcome of a native entry for compiled code (math calls and the float operators
/// of `interp::float_ops`): the value, and 0 or a fault code.
pub(crate) fn report(result: Result<f64, FaultKind>, status: *mut u32) -> f64 {
    let (value, code) = match result {
        Ok(v) => (v, 0),
        Err(kind) => (f64::NAN, kind.code() as u32),
    };
    if !status.is_null() {
        // SAFETY: the caller (compiled code) passes a pointer to a live, aligned u32 slot;
        // null is tolerated above.
        unsafe { status.write(code) };
    }
    value
}

macro_rules! native_entries {
    ($($name:ident => $func:expr),* $(,)?) => {
        $(
            /// Native entry for compiled code: `y` is ignored by unary functions; `*status` is
            /// set to 0 on success or to the fault code (the result is then NaN).
            ///
            /// # Safety
            /// `status` must be null or valid for writing one u32.
            pub unsafe extern "C" fn $name(x: f64, y: f64, status: *mut u32) -> f64 {
                report(eval2($func, x, y), status)
            }
        )*

        /// The symbol name and address of the native entry compiled code calls for `func`;
        /// None for the functions the code generator emits inline (sqrt, fabs, copysign,
        /// isnan, isinf, isfinite, floor, ceil, trunc).
        pub fn symbol(func: MathFn) -> Option<(&'static str, *const u8)> {
            $(
                if func == $func {
                    let entry: unsafe extern "C" fn(f64, f64, *mut u32) -> f64 = $name;
                    return Some((stringify!($name), entry as *const u8));
                }
            )*
            None
        }
    };
}

native_entries! {
    cj_math_exp => MathFn::Exp,
    cj_math_expm1 => MathFn::Expm1,
    cj_math_log => MathFn::Log,
    cj_math_log1p => MathFn::Log1p,
    cj_math_log2 => MathFn::Log2,
    cj_math_log10 => MathFn::Log10,
    cj_math_sin => MathFn::Sin,
    cj_math_cos => MathFn::Cos,
    cj_math_tan => MathFn::Tan,
    cj_math_asin => MathFn::Asin,
    cj_math_acos => MathFn::Acos,
    cj_math_atan => MathFn::Atan,
    cj_math_atan2 => MathFn::Atan2,
    cj_math_sinh => MathFn::Sinh,
    cj_math_cosh => MathFn::Cosh,
    cj_math_tanh => MathFn::Tanh,
    cj_math_hypot => MathFn::Hypot,
    cj_math_pow => MathFn::Pow,
    cj_math_fmod => MathFn::Fmod,
    cj_math_erf => MathFn::Erf,
    cj_math_erfc => MathFn::Erfc,
    cj_math_gamma => MathFn::Gamma,
    cj_math_lgamma => MathFn::Lgamma,
}

/// Every native entry, for registering them all with a JIT builder at once.
pub fn all_symbols() -> Vec<(&'static str, *const u8)> {
    crate::ops::MATH_TABLE
        .iter()
        .filter_map(|row| symbol(row.func))
        .collect()
}
