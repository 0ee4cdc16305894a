//! The platform C math library (glibc's libm on Linux), the same functions CPython's `math`
//! module calls. Declared directly rather than through Rust's `f64` methods so that the symbol
//! called is exactly the one CPython calls (`exp@GLIBC_2.29`, `pow@GLIBC_2.29`, ...).
//!
//! Every function here is pure for finite and special inputs alike; the only side effect is
//! `errno`, which nothing in this crate reads (CPython's error rules are reproduced from the
//! results instead, see `mathfn`).

#[link(name = "m")]
unsafe extern "C" {
    pub safe fn exp(x: f64) -> f64;
    pub safe fn expm1(x: f64) -> f64;
    pub safe fn log(x: f64) -> f64;
    pub safe fn log1p(x: f64) -> f64;
    pub safe fn log2(x: f64) -> f64;
    pub safe fn log10(x: f64) -> f64;
    pub safe fn sin(x: f64) -> f64;
    pub safe fn cos(x: f64) -> f64;
    pub safe fn tan(x: f64) -> f64;
    pub safe fn asin(x: f64) -> f64;
    pub safe fn acos(x: f64) -> f64;
    pub safe fn atan(x: f64) -> f64;
    pub safe fn atan2(y: f64, x: f64) -> f64;
    pub safe fn sinh(x: f64) -> f64;
    pub safe fn cosh(x: f64) -> f64;
    pub safe fn tanh(x: f64) -> f64;
    pub safe fn pow(x: f64, y: f64) -> f64;
    pub safe fn fmod(x: f64, y: f64) -> f64;
    pub safe fn erf(x: f64) -> f64;
    pub safe fn erfc(x: f64) -> f64;
}
