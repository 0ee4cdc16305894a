//! Python's float operators `/ // % **` (interp::float_ops) against CPython, bit for bit and
//! error for error, on every pair of edge values and on pseudo-random pairs.

mod common {
    pub mod cpython;
}
use common::cpython::{PyResult, Rng, edge_floats, python, run_oracle, same_bits};
use frontend::fault::{FaultKind, PyExc};
use frontend::interp::float_ops;
use frontend::ops::BinOp;

fn form(r: Result<f64, FaultKind>) -> PyResult {
    match r {
        Ok(v) => PyResult::Value(v),
        Err(FaultKind::ComplexPower) => PyResult::Error("complex".into()),
        Err(kind) => PyResult::Error(
            match kind.exception() {
                PyExc::ValueError => "ValueError",
                PyExc::OverflowError => "OverflowError",
                PyExc::ZeroDivisionError => "ZeroDivisionError",
            }
            .into(),
        ),
    }
}

#[test]
fn float_operators_match_cpython() {
    let Some(py) = python() else { return };
    let ops = [
        ("op_div", BinOp::Div),
        ("op_floordiv", BinOp::FloorDiv),
        ("op_mod", BinOp::Mod),
        ("op_pow", BinOp::Pow),
    ];
    let edges = edge_floats();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut queries = Vec::new();
    for (name, _) in ops {
        for &x in &edges {
            for &y in &edges {
                queries.push((name, x, y));
            }
        }
        for _ in 0..4000 {
            queries.push((name, rng.float(), rng.float()));
        }
        // Small integral exponents and bases, where pow's special cases live.
        for _ in 0..1000 {
            let x = (rng.next_u64() % 21) as f64 - 10.0 + if rng.unit() < 0.3 { 0.5 } else { 0.0 };
            let y = (rng.next_u64() % 41) as f64 - 20.0;
            queries.push((name, x, y));
        }
    }
    let results = run_oracle(&py, &queries);
    let mut failures = Vec::new();
    for ((name, x, y), want) in queries.iter().zip(&results) {
        let op = ops
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, op)| *op)
            .expect("op");
        let got = form(float_ops::binary(op, *x, *y));
        let same = match (&got, want) {
            (PyResult::Value(a), PyResult::Value(b)) => same_bits(*a, *b),
            // A negative base to a fractional power: CPython computes a complex number, whose
            // computation may itself overflow (OverflowError); we raise ComplexPower for both.
            (PyResult::Error(a), PyResult::Error(b)) if a == "complex" => {
                b == "complex" || b == "OverflowError"
            }
            _ => &got == want,
        };
        if !same {
            failures.push(format!(
                "{name}({x:e}, {y:e}): ours {got:?}, CPython {want:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

#[test]
fn float_operator_corner_cases() {
    let m = |a: f64, b: f64| float_ops::rem(a, b);
    assert_eq!(m(-0.0, 5.0).map(f64::to_bits), Ok(0.0f64.to_bits()));
    assert_eq!(m(5.0, f64::NEG_INFINITY), Ok(f64::NEG_INFINITY));
    assert_eq!(m(-1.0, f64::INFINITY), Ok(f64::INFINITY));
    assert_eq!(m(1.0, f64::INFINITY), Ok(1.0));
    assert_eq!(m(4.0, -2.0).map(f64::to_bits), Ok((-0.0f64).to_bits()));
    assert_eq!(m(1.0, 0.0), Err(FaultKind::ZeroDivision));
    assert_eq!(m(1.0, -0.0), Err(FaultKind::ZeroDivision));
    let fd = |a: f64, b: f64| float_ops::floor_div(a, b);
    assert_eq!(fd(7.0, 2.0), Ok(3.0));
    assert_eq!(fd(-7.0, 2.0), Ok(-4.0));
    assert_eq!(fd(-1.0, f64::INFINITY), Ok(-1.0));
    assert_eq!(fd(0.0, -3.0).map(f64::to_bits), Ok((-0.0f64).to_bits()));
    assert!(fd(f64::INFINITY, 2.0).is_ok_and(f64::is_nan));
    assert_eq!(fd(1.0, 0.0), Err(FaultKind::ZeroDivision));
    assert_eq!(float_ops::div(1.0, -0.0), Err(FaultKind::ZeroDivision));
    assert!(float_ops::div(f64::NAN, 2.0).is_ok_and(f64::is_nan));
    let p = |a: f64, b: f64| float_ops::float_pow(a, b);
    assert_eq!(p(0.0, -1.0), Err(FaultKind::ZeroDivision));
    assert_eq!(p(-8.0, 1.0 / 3.0), Err(FaultKind::ComplexPower));
    assert_eq!(p(10.0, 400.0), Err(FaultKind::MathRange));
    assert_eq!(p(f64::NAN, 0.0), Ok(1.0));
    assert_eq!(p(1.0, f64::NAN), Ok(1.0));
    assert_eq!(p(-1.0, 1e300), Ok(1.0));
    assert_eq!(p(-2.0, 3.0), Ok(-8.0));
    assert_eq!(p(f64::NEG_INFINITY, 3.0), Ok(f64::NEG_INFINITY));
    assert_eq!(
        p(f64::NEG_INFINITY, -3.0).map(f64::to_bits),
        Ok((-0.0f64).to_bits())
    );
    assert_eq!(p(0.5, f64::NEG_INFINITY), Ok(f64::INFINITY));
    assert_eq!(p(2.0, -1075.0), Ok(0.0));
}

#[test]
fn native_float_operator_entries_agree() {
    let mut rng = Rng(7);
    for op in [BinOp::FloorDiv, BinOp::Mod, BinOp::Pow] {
        let (_, ptr) = float_ops::symbol(op).expect("entry");
        // SAFETY: `symbol` gives the address of an entry with exactly this signature.
        let entry: unsafe extern "C" fn(f64, f64, *mut u32) -> f64 =
            unsafe { std::mem::transmute(ptr) };
        for _ in 0..500 {
            let (x, y) = (rng.float(), rng.float());
            let mut status = 99u32;
            // SAFETY: `status` is a live u32.
            let v = unsafe { entry(x, y, &mut status) };
            match float_ops::binary(op, x, y) {
                Ok(want) => assert!(status == 0 && same_bits(v, want)),
                Err(kind) => assert_eq!(status, kind.code() as u32),
            }
        }
    }
    assert!(float_ops::symbol(BinOp::Add).is_none());
}
