//! `math.gamma` and `math.lgamma` as CPython 3.11 computes them: its own Lanczos approximation
//! (N = 13, g = 6.024680040776729583740234375, the Boost parameters), not the platform's
//! `tgamma`/`lgamma`. The steps, constants and special cases follow CPython's `m_tgamma`,
//! `m_lgamma` and `m_sinpi` operation for operation, so that the results agree to the bit; the
//! elementary functions they use (`exp`, `pow`, `log`, `sin`, `cos`) come from libm as in CPython.

// The constants are spelled with CPython's digits (they round to the same doubles).
#![allow(clippy::excessive_precision)]

use super::libm;
use crate::fault::FaultKind;

use std::f64::consts::PI;
const LOG_PI: f64 = 1.144729885849400174143427351353058711647;

const LANCZOS_N: usize = 13;
const LANCZOS_G: f64 = 6.024680040776729583740234375;
const LANCZOS_G_MINUS_HALF: f64 = 5.524680040776729583740234375;
const LANCZOS_NUM_COEFFS: [f64; LANCZOS_N] = [
    23531376880.410759688572007674451636754734846804940,
    42919803642.649098768957899047001988850926355848959,
    35711959237.355668049440185451547166705960488635843,
    17921034426.037209699919755754458931112671403265390,
    6039542586.3520280050642916443072979210699388420708,
    1439720407.3117216736632230727949123939715485786772,
    248874557.86205415651146038641322942321632125127801,
    31426415.585400194380614231628318205362874684987640,
    2876370.6289353724412254090516208496135991145378768,
    186056.26539522349504029498971604569928220784236328,
    8071.6720023658162106380029022722506138218516325024,
    210.82427775157934587250973392071336271166969580291,
    2.5066282746310002701649081771338373386264310793408,
];
/// The denominator is x*(x+1)*...*(x+LANCZOS_N-2), as a polynomial.
const LANCZOS_DEN_COEFFS: [f64; LANCZOS_N] = [
    0.0,
    39916800.0,
    120543840.0,
    150917976.0,
    105258076.0,
    45995730.0,
    13339535.0,
    2637558.0,
    357423.0,
    32670.0,
    1925.0,
    66.0,
    1.0,
];

/// Gamma of the integers 1..=23, exact.
const GAMMA_INTEGRAL: [f64; 23] = [
    1.0,
    1.0,
    2.0,
    6.0,
    24.0,
    120.0,
    720.0,
    5040.0,
    40320.0,
    362880.0,
    3628800.0,
    39916800.0,
    479001600.0,
    6227020800.0,
    87178291200.0,
    1307674368000.0,
    20922789888000.0,
    355687428096000.0,
    6402373705728000.0,
    121645100408832000.0,
    2432902008176640000.0,
    51090942171709440000.0,
    1124000727777607680000.0,
];

/// sin(pi*x) for finite x, accurate near the integers (the reflection formula needs it).
fn sinpi(x: f64) -> f64 {
    let y = libm::fmod(x.abs(), 2.0);
    // C's round(): half away from zero, as Rust's f64::round.
    let n = (2.0 * y).round() as i32;
    let r = match n {
        0 => libm::sin(PI * y),
        1 => libm::cos(PI * (y - 0.5)),
        // -sin(pi*(y-1.0)) would give -0.0 instead of 0.0 at y == 1.0.
        2 => libm::sin(PI * (1.0 - y)),
        3 => -libm::cos(PI * (y - 1.5)),
        _ => libm::sin(PI * (y - 2.0)),
    };
    1.0f64.copysign(x) * r
}

/// The Lanczos sum L_g(x) for x > 0, as a rational function (in 1/x for x >= 5 to avoid
/// overflow).
fn lanczos_sum(x: f64) -> f64 {
    let mut num = 0.0;
    let mut den = 0.0;
    let coeffs = LANCZOS_NUM_COEFFS.iter().zip(LANCZOS_DEN_COEFFS.iter());
    if x < 5.0 {
        for (n, d) in coeffs.rev() {
            num = num * x + n;
            den = den * x + d;
        }
    } else {
        for (n, d) in coeffs {
            num = num / x + n;
            den = den / x + d;
        }
    }
    num / den
}

/// `math.gamma(x)`: poles (0 and the negative integers) and -inf are domain errors; a finite x
/// whose gamma overflows is a range error.
pub fn gamma(x: f64) -> Result<f64, FaultKind> {
    if !x.is_finite() {
        if x.is_nan() || x > 0.0 {
            return Ok(x);
        }
        return Err(FaultKind::MathDomain);
    }
    if x == 0.0 {
        return Err(FaultKind::MathDomain);
    }
    if x == x.floor() {
        if x < 0.0 {
            return Err(FaultKind::MathDomain);
        }
        // x is a positive integer here: gamma(n) = (n-1)!, from the table up to 23.
        if x <= GAMMA_INTEGRAL.len() as f64
            && let Some(&g) = GAMMA_INTEGRAL.get((x as usize).wrapping_sub(1))
        {
            return Ok(g);
        }
    }
    let absx = x.abs();
    // Tiny arguments: gamma(x) ~ 1/x.
    if absx < 1e-20 {
        let r = 1.0 / x;
        return if r.is_infinite() {
            Err(FaultKind::MathRange)
        } else {
            Ok(r)
        };
    }
    // gamma overflows for x > 200 and underflows to +-0 for x < -200 (not an integer).
    if absx > 200.0 {
        if x < 0.0 {
            return Ok(0.0 / sinpi(x));
        }
        return Err(FaultKind::MathRange);
    }
    let y = absx + LANCZOS_G_MINUS_HALF;
    // The rounding error of y, to correct pow(y, ...) / exp(y) below.
    let z = if absx > LANCZOS_G_MINUS_HALF {
        let q = y - absx;
        q - LANCZOS_G_MINUS_HALF
    } else {
        let q = y - LANCZOS_G_MINUS_HALF;
        q - absx
    };
    let z = z * LANCZOS_G / y;
    let mut r;
    if x < 0.0 {
        r = -PI / sinpi(absx) / absx * libm::exp(y) / lanczos_sum(absx);
        r -= z * r;
        if absx < 140.0 {
            r /= libm::pow(y, absx - 0.5);
        } else {
            let sqrtpow = libm::pow(y, absx / 2.0 - 0.25);
            r /= sqrtpow;
            r /= sqrtpow;
        }
    } else {
        r = lanczos_sum(absx) / libm::exp(y);
        r += z * r;
        if absx < 140.0 {
            r *= libm::pow(y, absx - 0.5);
        } else {
            let sqrtpow = libm::pow(y, absx / 2.0 - 0.25);
            r *= sqrtpow;
            r *= sqrtpow;
        }
    }
    if r.is_infinite() {
        Err(FaultKind::MathRange)
    } else {
        Ok(r)
    }
}

/// `math.lgamma(x)`: log(|gamma(x)|). Poles are domain errors, an infinite result from a finite
/// x is a range error; lgamma(+-inf) is +inf.
pub fn lgamma(x: f64) -> Result<f64, FaultKind> {
    if !x.is_finite() {
        if x.is_nan() {
            return Ok(x);
        }
        return Ok(f64::INFINITY);
    }
    if x == x.floor() && x <= 2.0 {
        if x <= 0.0 {
            return Err(FaultKind::MathDomain);
        }
        return Ok(0.0);
    }
    let absx = x.abs();
    if absx < 1e-20 {
        return Ok(-libm::log(absx));
    }
    let mut r = libm::log(lanczos_sum(absx)) - LANCZOS_G;
    r += (absx - 0.5) * (libm::log(absx + LANCZOS_G - 0.5) - 1.0);
    if x < 0.0 {
        // The reflection formula.
        r = LOG_PI - libm::log(sinpi(absx).abs()) - libm::log(absx) - r;
    }
    if r.is_infinite() {
        Err(FaultKind::MathRange)
    } else {
        Ok(r)
    }
}
