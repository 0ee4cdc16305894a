//! Conversions: integer wrap and checked casts between every pair of integer types, int ->
//! float, float -> float, float -> int with the four rounding modes for every integer target
//! (NaN, infinities and out-of-range values fault instead of trapping), truth and bool values.

mod common;
use common::*;
use frontend::ops::{Convert, RoundMode};
use frontend::{FaultKind, Scalar, Ty};

fn convert_kernel(how: Convert, from: Ty, to: Ty) -> frontend::Kernel {
    kernel("conv", &[("a", from)], to).body(vec![ret(convert(how, var(0, from), to, sp(4, 8)))])
}

#[test]
fn integer_wrap_and_checked_casts() {
    for from in INT_TYPES {
        let vals: Vec<Scalar> = int_boundaries(from)
            .iter()
            .map(|&v| int_scalar(v, from))
            .collect();
        let cols = [Column::new(from, &vals)];
        for to in INT_TYPES {
            let wrap_c = compile_columns(&convert_kernel(Convert::IntWrap, from, to));
            let checked_c = compile_columns(&convert_kernel(Convert::IntChecked, from, to));
            let (lo, hi) = to.int_range().unwrap();
            for (k, v) in vals.iter().enumerate() {
                let x = v.as_i128().unwrap();
                assert_eq!(
                    run_one(&wrap_c, &cols, k, to),
                    Ok(int_scalar(wrap(x, to), to)),
                    "{to}({x}: {from})"
                );
                let want = if x < lo || x > hi {
                    Err((FaultKind::IntOverflow, sp(4, 8)))
                } else {
                    Ok(int_scalar(x, to))
                };
                assert_eq!(
                    run_one(&checked_c, &cols, k, to),
                    want,
                    "checked {to}({x}: {from})"
                );
            }
        }
    }
}

#[test]
fn int_to_float_rounds_once() {
    for from in INT_TYPES {
        let vals: Vec<Scalar> = int_boundaries(from)
            .iter()
            .map(|&v| int_scalar(v, from))
            .collect();
        let cols = [Column::new(from, &vals)];
        for to in [Ty::F8, Ty::F4] {
            let c = compile_columns(&convert_kernel(Convert::IntToFloat, from, to));
            for (k, v) in vals.iter().enumerate() {
                let want = match (*v, to) {
                    (Scalar::Int(i), Ty::F4) => i as f32 as f64,
                    (Scalar::UInt(u), Ty::F4) => u as f32 as f64,
                    (Scalar::Int(i), _) => i as f64,
                    (Scalar::UInt(u), _) => u as f64,
                    _ => unreachable!(),
                };
                assert!(
                    same(run_one(&c, &cols, k, to).unwrap(), Scalar::Float(want)),
                    "{to}({v:?})"
                );
            }
        }
    }
}

#[test]
fn float_to_float() {
    let vals: Vec<Scalar> = float_boundaries().into_iter().map(Scalar::Float).collect();
    let cols = [Column::new(Ty::F8, &vals)];
    let c = compile_columns(&convert_kernel(Convert::FloatToFloat, Ty::F8, Ty::F4));
    for (k, v) in vals.iter().enumerate() {
        assert!(same(
            run_one(&c, &cols, k, Ty::F4).unwrap(),
            Scalar::Float(v.as_f64() as f32 as f64)
        ));
    }
    let vals4: Vec<Scalar> = float_boundaries()
        .into_iter()
        .map(|v| Scalar::Float(v as f32 as f64))
        .collect();
    let cols4 = [Column::new(Ty::F4, &vals4)];
    let c = compile_columns(&convert_kernel(Convert::FloatToFloat, Ty::F4, Ty::F8));
    for (k, v) in vals4.iter().enumerate() {
        assert!(same(run_one(&c, &cols4, k, Ty::F8).unwrap(), *v));
    }
}

fn round(mode: RoundMode, x: f64) -> f64 {
    match mode {
        RoundMode::Trunc => x.trunc(),
        RoundMode::Floor => x.floor(),
        RoundMode::Ceil => x.ceil(),
        RoundMode::HalfEven => x.round_ties_even(),
    }
}

#[test]
fn float_to_int_checks_nan_and_range_for_every_target() {
    let modes = [
        RoundMode::Trunc,
        RoundMode::Floor,
        RoundMode::Ceil,
        RoundMode::HalfEven,
    ];
    for from in [Ty::F8, Ty::F4] {
        let vals: Vec<Scalar> = float_boundaries()
            .into_iter()
            .map(|v| if from == Ty::F4 { v as f32 as f64 } else { v })
            .chain([
                127.5,
                128.0,
                -128.0,
                255.0,
                4294967295.5,
                4294967296.0,
                -0.7,
                0.7,
                18446744073709549568.0,
            ])
            .map(Scalar::Float)
            .collect();
        let cols = [Column::new(from, &vals)];
        for to in INT_TYPES {
            let (lo, hi) = to.int_range().unwrap();
            for mode in modes {
                let c = compile_columns(&convert_kernel(Convert::FloatToInt(mode), from, to));
                for (k, v) in vals.iter().enumerate() {
                    let x = if from == Ty::F4 {
                        v.as_f64() as f32 as f64
                    } else {
                        v.as_f64()
                    };
                    let r = round(mode, x);
                    let want = if x.is_nan() {
                        Err((FaultKind::NanToInt, sp(4, 8)))
                    } else if r < lo as f64 || r >= (hi + 1) as f64 {
                        Err((FaultKind::FloatToIntOverflow, sp(4, 8)))
                    } else {
                        Ok(int_scalar(r as i128, to))
                    };
                    assert_eq!(
                        run_one(&c, &cols, k, to),
                        want,
                        "{to}({x}) {mode:?} from {from}"
                    );
                }
            }
        }
    }
}

#[test]
fn truth_and_from_bool() {
    let floats: Vec<Scalar> = [0.0, -0.0, 1.0, f64::NAN, 5e-324]
        .into_iter()
        .map(Scalar::Float)
        .collect();
    let c = compile_columns(&convert_kernel(Convert::Truth, Ty::F8, Ty::B1));
    let cols = [Column::new(Ty::F8, &floats)];
    for (k, want) in [false, false, true, true, true].into_iter().enumerate() {
        assert_eq!(run_one(&c, &cols, k, Ty::B1), Ok(Scalar::Bool(want)));
    }
    for ty in INT_TYPES {
        let vals: Vec<Scalar> = int_boundaries(ty)
            .iter()
            .map(|&v| int_scalar(v, ty))
            .collect();
        let c = compile_columns(&convert_kernel(Convert::Truth, ty, Ty::B1));
        let cols = [Column::new(ty, &vals)];
        for (k, v) in vals.iter().enumerate() {
            assert_eq!(
                run_one(&c, &cols, k, Ty::B1),
                Ok(Scalar::Bool(v.as_i128() != Some(0)))
            );
        }
    }
    let bools = [Scalar::Bool(false), Scalar::Bool(true)];
    let cols = [Column::new(Ty::B1, &bools)];
    for to in INT_TYPES.into_iter().chain([Ty::F4, Ty::F8]) {
        let c = compile_columns(&convert_kernel(Convert::FromBool, Ty::B1, to));
        for (k, want) in [0i128, 1].into_iter().enumerate() {
            let want = if to.is_float() {
                Scalar::Float(want as f64)
            } else {
                int_scalar(want, to)
            };
            assert_eq!(run_one(&c, &cols, k, to), Ok(want), "{to}");
        }
    }
}
