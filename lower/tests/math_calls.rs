//! `math` functions called through native entries (`fn(x, y, status) -> f64`): the status a
//! function sets becomes the element's fault at the call's site. The entries here are test
//! stand-ins for `frontend::mathfn`.

mod common;
use common::*;
use frontend::ops::{Builtin, MathFn};
use frontend::{FaultKind, Scalar, Ty};
use lower::{compile, LowerError};

extern "C" fn exp_entry(x: f64, _y: f64, status: *mut u32) -> f64 {
    let r = x.exp();
    if r.is_infinite() && x.is_finite() {
        // SAFETY: the compiled code passes its status slot.
        unsafe { *status = FaultKind::MathRange.code() as u32 };
    }
    r
}

extern "C" fn log_entry(x: f64, _y: f64, status: *mut u32) -> f64 {
    if x <= 0.0 {
        // SAFETY: as above.
        unsafe { *status = FaultKind::MathDomain.code() as u32 };
        return 0.0;
    }
    x.ln()
}

extern "C" fn atan2_entry(y: f64, x: f64, _status: *mut u32) -> f64 {
    y.atan2(x)
}

fn symbols(f: MathFn) -> Option<(&'static str, *const u8)> {
    match f {
        MathFn::Exp => Some(("test_exp", exp_entry as *const u8)),
        MathFn::Log => Some(("test_log", log_entry as *const u8)),
        MathFn::Atan2 => Some(("test_atan2", atan2_entry as *const u8)),
        _ => None,
    }
}

fn math_kernel(f: MathFn, arity: usize) -> frontend::Kernel {
    let args = (0..arity as u32).map(|i| var(i, Ty::F8)).collect();
    let params: Vec<(&str, Ty)> = [("x", Ty::F8), ("y", Ty::F8)][..arity].to_vec();
    kernel("m", &params, Ty::F8).body(vec![ret(call(Builtin::Math(f), args, Ty::F8, sp(11, 22)))])
}

#[test]
fn math_entries_and_their_status() {
    lower::set_math_symbols(symbols);
    let exp = compile_columns(&math_kernel(MathFn::Exp, 1));
    let log = compile_columns(&math_kernel(MathFn::Log, 1));
    let atan2 = compile_columns(&math_kernel(MathFn::Atan2, 2));
    let xs: Vec<Scalar> = [1.0, 0.0, -1.0, 710.0, f64::NAN].into_iter().map(Scalar::Float).collect();
    let cols = [Column::new(Ty::F8, &xs)];
    assert_eq!(run_one(&exp, &cols, 0, Ty::F8), Ok(Scalar::Float(1f64.exp())));
    assert_eq!(run_one(&exp, &cols, 3, Ty::F8), Err((FaultKind::MathRange, sp(11, 22))));
    assert_eq!(run_one(&log, &cols, 0, Ty::F8), Ok(Scalar::Float(0.0)));
    assert_eq!(run_one(&log, &cols, 1, Ty::F8), Err((FaultKind::MathDomain, sp(11, 22))));
    assert_eq!(run_one(&log, &cols, 2, Ty::F8), Err((FaultKind::MathDomain, sp(11, 22))));
    // These entries write nothing on success: the slot is zeroed before every call, so a
    // multi-element loop reads OK for each of them.
    let good: Vec<Scalar> = [1.0, 0.5, 2.0].into_iter().map(Scalar::Float).collect();
    let good_col = Column::new(Ty::F8, &good);
    let (status, fail, out) = run_map(&log, &[good_col.bytes.as_ptr()], 3, Ty::F8);
    assert_eq!((status, fail), (0, u64::MAX));
    assert_eq!(out, vec![Scalar::Float(0.0), Scalar::Float(0.5f64.ln()), Scalar::Float(2f64.ln())]);
    let ys: Vec<Scalar> = [1.0, -1.0].into_iter().map(Scalar::Float).collect();
    let two = [Column::new(Ty::F8, &ys[..1]), Column::new(Ty::F8, &ys[1..])];
    assert_eq!(run_one(&atan2, &two, 0, Ty::F8), Ok(Scalar::Float(1f64.atan2(-1.0))));
    // A function without an entry is a compile error, not a crash.
    let gamma = math_kernel(MathFn::Gamma, 1);
    assert_eq!(compile(&gamma, &columns(&gamma)).err(), Some(LowerError::MathUnavailable("gamma")));
}
