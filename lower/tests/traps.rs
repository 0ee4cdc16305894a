//! Every input that would trap the CPU if lowered naively (NOTES.md "Traps kill the Python
//! process") runs here and comes back as a status: integer division and modulo by zero,
//! MIN // -1 and MIN % -1, float -> int of NaN / ±inf / out-of-range values for every integer
//! target, float division by zero.

mod common;
use common::*;
use frontend::ops::{BinOp, Convert, RoundMode};
use frontend::{FaultKind, Scalar, Ty};

#[test]
fn integer_division_and_modulo_by_zero() {
    for ty in INT_TYPES {
        for op in [BinOp::FloorDiv, BinOp::Mod] {
            let c = compile_columns(&binary_kernel(op, ty));
            let (lo, hi) = ty.int_range().unwrap();
            for a in [0, 1, lo, hi] {
                let cols = [
                    Column::new(ty, &[int_scalar(a, ty)]),
                    Column::new(ty, &[int_scalar(0, ty)]),
                ];
                assert_eq!(
                    run_one(&c, &cols, 0, ty),
                    Err((FaultKind::ZeroDivision, sp(10, 20))),
                    "{ty} {a} {} 0",
                    op.symbol()
                );
            }
        }
    }
}

#[test]
fn min_divided_by_minus_one() {
    for ty in [Ty::S1, Ty::S2, Ty::S4, Ty::S8, Ty::Int] {
        let (lo, _) = ty.int_range().unwrap();
        let cols = [
            Column::new(ty, &[int_scalar(lo, ty)]),
            Column::new(ty, &[int_scalar(-1, ty)]),
        ];
        let div = compile_columns(&binary_kernel(BinOp::FloorDiv, ty));
        let modulo = compile_columns(&binary_kernel(BinOp::Mod, ty));
        let want_div = if ty == Ty::Int {
            Err((FaultKind::IntOverflow, sp(10, 20)))
        } else {
            Ok(int_scalar(lo, ty))
        };
        assert_eq!(run_one(&div, &cols, 0, ty), want_div, "{ty} MIN // -1");
        assert_eq!(
            run_one(&modulo, &cols, 0, ty),
            Ok(int_scalar(0, ty)),
            "{ty} MIN % -1"
        );
    }
}

#[test]
fn float_to_int_of_nan_inf_and_out_of_range() {
    for from in [Ty::F8, Ty::F4] {
        for to in INT_TYPES {
            let (lo, hi) = to.int_range().unwrap();
            let k = kernel("c", &[("x", from)], to).body(vec![ret(convert(
                Convert::FloatToInt(RoundMode::Trunc),
                var(0, from),
                to,
                sp(2, 3),
            ))]);
            let c = compile_columns(&k);
            let cases = [
                (f64::NAN, FaultKind::NanToInt),
                (f64::INFINITY, FaultKind::FloatToIntOverflow),
                (f64::NEG_INFINITY, FaultKind::FloatToIntOverflow),
                ((hi + 1) as f64 * 2.0, FaultKind::FloatToIntOverflow),
                ((lo as f64 - 1.0) * 2.0 - 1.0, FaultKind::FloatToIntOverflow),
                (1e30, FaultKind::FloatToIntOverflow),
            ];
            for (x, kind) in cases {
                let cols = [Column::new(from, &[Scalar::Float(x)])];
                assert_eq!(
                    run_one(&c, &cols, 0, to),
                    Err((kind, sp(2, 3))),
                    "{to}({x}: {from})"
                );
            }
        }
    }
}

#[test]
fn float_division_by_zero() {
    for ty in [Ty::F8, Ty::F4] {
        for op in [BinOp::Div, BinOp::FloorDiv, BinOp::Mod] {
            let c = compile_columns(&binary_kernel(op, ty));
            for (a, b) in [
                (1.0, 0.0),
                (0.0, 0.0),
                (f64::NAN, -0.0),
                (f64::INFINITY, 0.0),
            ] {
                let cols = [
                    Column::new(ty, &[Scalar::Float(a)]),
                    Column::new(ty, &[Scalar::Float(b)]),
                ];
                assert_eq!(
                    run_one(&c, &cols, 0, ty),
                    Err((FaultKind::ZeroDivision, sp(10, 20))),
                    "{ty} {a} {} {b}",
                    op.symbol()
                );
            }
        }
    }
}
