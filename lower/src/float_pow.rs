//! Native helpers the compiled code calls for float operators whose error rules are CPython's
//! operators', not C's: `x ** y` (CPython's `float_pow`) and the `fmod` under `//` and `%`.
//! Same calling shape as the `math` entries: `(x, y, status) -> f64`, status 0 = ok.

use frontend::FaultKind;

/// The symbol names the JIT module binds these helpers under.
pub const FLOAT_POW_SYMBOL: &str = "cj_float_pow";
pub const FMOD_SYMBOL: &str = "cj_fmod";

fn is_odd_integer(x: f64) -> bool {
    // CPython's DOUBLE_IS_ODD_INTEGER: fmod(fabs(x), 2.0) == 1.0.
    (x.abs() % 2.0) == 1.0
}

/// Python's `x ** y` on floats (CPython `float_pow`): ZeroDivisionError for `0.0 ** negative`,
/// a complex result (here: `ComplexPower`) for `negative ** non-integer`, OverflowError
/// (`MathRange`) where the result overflows.
pub fn float_pow(x: f64, y: f64) -> Result<f64, FaultKind> {
    if y == 0.0 {
        return Ok(1.0);
    }
    if x.is_nan() {
        return Ok(x);
    }
    if y.is_nan() {
        return Ok(if x == 1.0 { 1.0 } else { y });
    }
    if y.is_infinite() {
        let ax = x.abs();
        return Ok(if ax == 1.0 {
            1.0
        } else if (y > 0.0) == (ax > 1.0) {
            y.abs()
        } else {
            0.0
        });
    }
    if x.is_infinite() {
        let odd = is_odd_integer(y);
        return Ok(if y > 0.0 {
            if odd { x } else { x.abs() }
        } else if odd {
            0.0f64.copysign(x)
        } else {
            0.0
        });
    }
    if x == 0.0 {
        if y < 0.0 {
            return Err(FaultKind::ZeroDivision);
        }
        return Ok(if is_odd_integer(y) { x } else { 0.0 });
    }
    let mut base = x;
    let mut negate = false;
    if x < 0.0 {
        if y != y.floor() {
            return Err(FaultKind::ComplexPower);
        }
        base = -x;
        negate = is_odd_integer(y);
    }
    if base == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = base.powf(y);
    if r.is_infinite() {
        return Err(FaultKind::MathRange);
    }
    Ok(if negate { -r } else { r })
}

/// The JIT entry for `float_pow`: writes the fault code to `*status` on failure.
///
/// # Safety
/// `status` must be null or valid for a 4-byte write (compiled code passes its status slot).
pub unsafe extern "C" fn cj_float_pow(x: f64, y: f64, status: *mut u32) -> f64 {
    match float_pow(x, y) {
        Ok(v) => v,
        Err(kind) => {
            if !status.is_null() {
                // SAFETY: non-null and valid for writes, by this function's contract.
                unsafe { status.write(kind.code() as u32) };
            }
            0.0
        }
    }
}

/// C's `fmod` (Rust's `%` on f64 is exactly fmod); never faults, the callers check for zero.
pub extern "C" fn cj_fmod(x: f64, y: f64, _status: *mut u32) -> f64 {
    x % y
}
