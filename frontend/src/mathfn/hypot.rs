//! `math.hypot(x, y)` as CPython 3.11 computes it: not libm's `hypot`, but its own
//! `vector_norm` (power-of-two scaling, Veltkamp-Dekker splitting, compensated summation and a
//! differential correction of the square root), reproduced here operation for operation for
//! two coordinates. Checked bit for bit against CPython 3.11.7 (the 3.12 rewrite with
//! `dl_mul` rounds differently for subnormal inputs, so the version matters).

/// 2**27 + 1, the Veltkamp splitting constant for doubles.
const T27: f64 = 134217729.0;

/// hypot(x, y) with CPython's special cases: an infinity wins over a NaN, and there is no
/// error (an overflowing result is inf).
pub fn hypot(x: f64, y: f64) -> f64 {
    let coords = [x.abs(), y.abs()];
    let found_nan = coords.iter().any(|c| c.is_nan());
    // `max` skips NaNs as CPython's `if (x > max) max = x` does.
    let max = coords
        .iter()
        .fold(0.0f64, |m, &c| if c > m { c } else { m });
    vector_norm(&coords, max, found_nan)
}

/// sqrt(sum(c*c for c in coords)) for non-negative `coords` whose largest is `max`.
fn vector_norm(coords: &[f64], max: f64, found_nan: bool) -> f64 {
    if max.is_infinite() {
        return max;
    }
    if found_nan {
        return f64::NAN;
    }
    if max == 0.0 || coords.len() <= 1 {
        return max;
    }
    let max_e = frexp_exponent(max);
    let mut csum = 1.0f64;
    let mut frac1 = 0.0f64;
    if max_e >= -1023 {
        let scale = pow2(-max_e);
        let mut frac2 = 0.0f64;
        let mut frac3 = 0.0f64;
        for &c in coords {
            let x = c * scale;
            let (hi, lo) = split(x);

            let x = hi * hi;
            let old = csum;
            csum += x;
            frac1 += (old - csum) + x;

            let x = 2.0 * hi * lo;
            let old = csum;
            csum += x;
            frac2 += (old - csum) + x;

            frac3 += lo * lo;
        }
        let h = (csum - 1.0 + (frac1 + frac2 + frac3)).sqrt();
        let (hi, lo) = split(h);

        let x = -hi * hi;
        let old = csum;
        csum += x;
        frac1 += (old - csum) + x;

        let x = -2.0 * hi * lo;
        let old = csum;
        csum += x;
        frac2 += (old - csum) + x;

        let x = -lo * lo;
        let old = csum;
        csum += x;
        frac3 += (old - csum) + x;

        let x = csum - 1.0 + (frac1 + frac2 + frac3);
        return (h + x / (2.0 * h)) / scale;
    }
    // max is subnormal (2**-max_e would overflow): divide by max instead of scaling.
    for &c in coords {
        let x = c / max;
        let x = x * x;
        let old = csum;
        csum += x;
        frac1 += (old - csum) + x;
    }
    max * (csum - 1.0 + frac1).sqrt()
}

/// Veltkamp-Dekker split of x into a high half and the exact remainder.
fn split(x: f64) -> (f64, f64) {
    let t = x * T27;
    let hi = t - (t - x);
    (hi, x - hi)
}

/// The exponent C's frexp gives a finite non-zero x: x = m * 2**e with 0.5 <= |m| < 1.
pub(crate) fn frexp_exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: the leading one is among the 52 fraction bits.
        let frac = bits & ((1u64 << 52) - 1);
        let lead = 63 - frac.leading_zeros() as i32; // bit index of the leading one
        lead - 1074 + 1
    } else {
        biased - 1022
    }
}

/// 2**k exactly, for -1074 <= k <= 1023 (0.0 or inf outside, never reached here).
pub(crate) fn pow2(k: i32) -> f64 {
    if k > 1023 {
        f64::INFINITY
    } else if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else if k >= -1074 {
        f64::from_bits(1u64 << (k + 1074))
    } else {
        0.0
    }
}
