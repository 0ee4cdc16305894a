//! `mathfn::eval` against CPython 3.11's `math` module, bit for bit and error for error, on
//! edge values and a few thousand pseudo-random inputs per function.

mod common {
    pub mod cpython;
}
use common::cpython::{PyResult, Rng, edge_floats, python, run_oracle, same_bits};
use frontend::fault::{FaultKind, PyExc};
use frontend::mathfn;
use frontend::ops::{MATH_TABLE, MathFn};

fn expected_form(func: MathFn, r: Result<f64, FaultKind>) -> PyResult {
    match r {
        Ok(v) if matches!(func, MathFn::Floor | MathFn::Ceil | MathFn::Trunc) && v == 0.0 => {
            PyResult::Value(0.0) // Python's int 0 has no sign
        }
        Ok(v) => PyResult::Value(v),
        Err(kind) => PyResult::Error(exception_name(kind).to_string()),
    }
}

pub fn exception_name(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::ComplexPower => "complex",
        other => match other.exception() {
            PyExc::ValueError => "ValueError",
            PyExc::OverflowError => "OverflowError",
            PyExc::ZeroDivisionError => "ZeroDivisionError",
        },
    }
}

fn agree(a: &PyResult, b: &PyResult) -> bool {
    match (a, b) {
        (PyResult::Value(x), PyResult::Value(y)) => same_bits(*x, *y),
        _ => a == b,
    }
}

#[test]
fn every_math_function_matches_cpython() {
    let Some(py) = python() else { return };
    let edges = edge_floats();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut queries: Vec<(&str, f64, f64)> = Vec::new();
    for row in MATH_TABLE.iter() {
        if row.arity == 1 {
            for &x in &edges {
                queries.push((row.name, x, 0.0));
            }
            for _ in 0..3000 {
                queries.push((row.name, rng.float(), 0.0));
            }
        } else {
            for &x in &edges {
                for &y in &edges {
                    queries.push((row.name, x, y));
                }
            }
            for _ in 0..3000 {
                queries.push((row.name, rng.float(), rng.float()));
            }
        }
    }
    let results = run_oracle(&py, &queries);
    let mut failures = Vec::new();
    for ((name, x, y), want) in queries.iter().zip(&results) {
        let func = MathFn::from_name(name).expect("math name");
        let got = expected_form(func, mathfn::eval(func, &[*x, *y]));
        if !agree(&got, want) {
            failures.push(format!(
                "{name}({x:e}, {y:e}): ours {got:?}, CPython {want:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        queries.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn native_entries_agree_with_eval() {
    let mut rng = Rng(12345);
    for row in MATH_TABLE.iter() {
        let Some((name, ptr)) = mathfn::symbol(row.func) else {
            continue;
        };
        assert!(name.starts_with("cj_math_"), "{name}");
        // SAFETY: `symbol` returns the address of an entry with exactly this signature.
        let entry: unsafe extern "C" fn(f64, f64, *mut u32) -> f64 =
            unsafe { std::mem::transmute(ptr) };
        for _ in 0..200 {
            let (x, y) = (rng.float(), rng.float());
            let mut status = 99u32;
            // SAFETY: `status` is a live u32.
            let v = unsafe { entry(x, y, &mut status) };
            match mathfn::eval(row.func, &[x, y]) {
                Ok(want) => {
                    assert_eq!(status, 0);
                    assert!(same_bits(v, want), "{name}({x}, {y})");
                }
                Err(kind) => assert_eq!(status, kind.code() as u32, "{name}({x}, {y})"),
            }
        }
    }
}

#[test]
fn inline_functions_have_no_symbol() {
    for f in [
        MathFn::Sqrt,
        MathFn::Fabs,
        MathFn::Copysign,
        MathFn::Isnan,
        MathFn::Isinf,
        MathFn::Isfinite,
        MathFn::Floor,
        MathFn::Ceil,
        MathFn::Trunc,
    ] {
        assert!(mathfn::symbol(f).is_none(), "{f:?}");
    }
    assert_eq!(mathfn::all_symbols().len(), 23);
}

#[test]
fn documented_special_cases() {
    use FaultKind::{MathDomain, MathRange};
    let e = |f: MathFn, x: f64, y: f64| mathfn::eval(f, &[x, y]);
    assert_eq!(
        e(MathFn::Sqrt, -0.0, 0.0).map(f64::to_bits),
        Ok((-0.0f64).to_bits())
    );
    assert_eq!(e(MathFn::Sqrt, -1.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Exp, 710.0, 0.0), Err(MathRange));
    assert_eq!(e(MathFn::Exp, f64::INFINITY, 0.0), Ok(f64::INFINITY));
    assert_eq!(e(MathFn::Log, 0.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Log, f64::INFINITY, 0.0), Ok(f64::INFINITY));
    assert_eq!(e(MathFn::Log1p, -1.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Sin, f64::INFINITY, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Pow, 0.0, -1.0), Err(MathDomain));
    assert_eq!(e(MathFn::Pow, -8.0, 1.0 / 3.0), Err(MathDomain));
    assert_eq!(e(MathFn::Pow, 10.0, 400.0), Err(MathRange));
    assert_eq!(e(MathFn::Pow, f64::NAN, 0.0), Ok(1.0));
    assert_eq!(e(MathFn::Pow, 1.0, f64::NAN), Ok(1.0));
    assert_eq!(e(MathFn::Pow, 0.0, f64::NEG_INFINITY), Ok(f64::INFINITY));
    assert_eq!(e(MathFn::Fmod, f64::INFINITY, 1.0), Err(MathDomain));
    assert_eq!(e(MathFn::Fmod, 1.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Fmod, 5.0, f64::NEG_INFINITY), Ok(5.0));
    assert_eq!(e(MathFn::Gamma, 0.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Gamma, -3.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Gamma, 172.0, 0.0), Err(MathRange));
    assert_eq!(e(MathFn::Gamma, 5.0, 0.0), Ok(24.0));
    assert_eq!(e(MathFn::Lgamma, -2.0, 0.0), Err(MathDomain));
    assert_eq!(e(MathFn::Lgamma, f64::NEG_INFINITY, 0.0), Ok(f64::INFINITY));
    assert_eq!(e(MathFn::Hypot, 3.0, 4.0), Ok(5.0));
    assert_eq!(e(MathFn::Hypot, f64::NAN, f64::INFINITY), Ok(f64::INFINITY));
    assert_eq!(e(MathFn::Hypot, f64::MAX, f64::MAX), Ok(f64::INFINITY));
    assert_eq!(e(MathFn::Floor, f64::NAN, 0.0), Err(FaultKind::NanToInt));
    assert_eq!(
        e(MathFn::Ceil, f64::NEG_INFINITY, 0.0),
        Err(FaultKind::FloatToIntOverflow)
    );
    assert_eq!(e(MathFn::Isnan, f64::NAN, 0.0), Ok(1.0));
    assert_eq!(e(MathFn::Isfinite, f64::INFINITY, 0.0), Ok(0.0));
}
