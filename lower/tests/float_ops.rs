//! Float operators on F4 and F8 over boundary values (NaN, ±inf, -0.0, subnormals, MAX):
//! arithmetic, CPython's `//` and `%`, `**` with CPython's error rules, division by zero, and
//! comparisons; F4 results are the F8 results rounded once.

mod common;
use common::*;
use frontend::ops::{BinOp, Builtin, CmpOp, MathFn};
use frontend::{FaultKind, Scalar, Ty};

macro_rules! py_div_mod {
    ($name:ident, $f:ty) => {
        /// CPython's float_divmod: (floor quotient, remainder) for a non-zero divisor.
        fn $name(vx: $f, wx: $f) -> ($f, $f) {
            let mut m = vx % wx;
            let mut div = (vx - m) / wx;
            if m != 0.0 {
                if (wx < 0.0) != (m < 0.0) {
                    m += wx;
                    div -= 1.0;
                }
            } else {
                m = (0.0 as $f).copysign(wx);
            }
            let floordiv = if div != 0.0 {
                let mut f = div.floor();
                if div - f > 0.5 {
                    f += 1.0;
                }
                f
            } else {
                (0.0 as $f).copysign(vx / wx)
            };
            (floordiv, m)
        }
    };
}
py_div_mod!(div_mod_f64, f64);

fn reference(op: BinOp, ty: Ty, a: f64, b: f64) -> Result<f64, FaultKind> {
    let zero_div = matches!(op, BinOp::Div | BinOp::FloorDiv | BinOp::Mod) && b == 0.0;
    if zero_div {
        return Err(FaultKind::ZeroDivision);
    }
    if ty == Ty::F4 {
        let (x, y) = (a as f32, b as f32);
        return Ok(match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div => x / y,
            // Several roundings: computed in F8, rounded once (docs/semantics.md).
            BinOp::FloorDiv => div_mod_f64(a, b).0 as f32,
            BinOp::Mod => div_mod_f64(a, b).1 as f32,
            BinOp::Pow => {
                return frontend::interp::float_ops::float_pow(a, b).map(|v| v as f32 as f64);
            }
            _ => unreachable!(),
        } as f64);
    }
    Ok(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::FloorDiv => div_mod_f64(a, b).0,
        BinOp::Mod => div_mod_f64(a, b).1,
        BinOp::Pow => return frontend::interp::float_ops::float_pow(a, b),
        _ => unreachable!(),
    })
}

fn values(ty: Ty) -> Vec<f64> {
    let mut v = float_boundaries();
    if ty == Ty::F4 {
        v.extend([f32::MAX as f64, f32::MIN_POSITIVE as f64, 1e-45]);
        v = v.into_iter().map(|x| x as f32 as f64).collect();
    }
    v
}

#[test]
fn arithmetic_matches_the_reference() {
    for ty in [Ty::F8, Ty::F4] {
        let vals = values(ty);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for &a in &vals {
            for &b in &vals {
                xs.push(Scalar::Float(a));
                ys.push(Scalar::Float(b));
            }
        }
        let cols = [Column::new(ty, &xs), Column::new(ty, &ys)];
        for op in [
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
            BinOp::FloorDiv,
            BinOp::Mod,
            BinOp::Pow,
        ] {
            let compiled = compile_columns(&binary_kernel(op, ty));
            for k in 0..xs.len() {
                let (a, b) = (xs[k].as_f64(), ys[k].as_f64());
                let want = reference(op, ty, a, b);
                let got = run_one(&compiled, &cols, k, ty);
                match (got, want) {
                    (Ok(g), Ok(w)) => assert!(
                        same(g, Scalar::Float(w)),
                        "{ty} {a:e} {} {b:e}: got {g:?}, want {w:e}",
                        op.symbol()
                    ),
                    (Err((kind, span)), Err(w)) => {
                        assert_eq!(kind, w, "{ty} {a:e} {} {b:e}", op.symbol());
                        assert_eq!(span, sp(10, 20));
                    }
                    (g, w) => panic!("{ty} {a:e} {} {b:e}: got {g:?}, want {w:?}", op.symbol()),
                }
            }
        }
    }
}

#[test]
fn python_float_pow_rules() {
    let cases: [(f64, f64, Result<f64, FaultKind>); 16] = [
        (2.0, 10.0, Ok(1024.0)),
        (-2.0, 3.0, Ok(-8.0)),
        (-2.0, 2.0, Ok(4.0)),
        (-8.0, 1.0 / 3.0, Err(FaultKind::ComplexPower)),
        (0.0, -1.0, Err(FaultKind::ZeroDivision)),
        (-0.0, -2.0, Err(FaultKind::ZeroDivision)),
        (-0.0, 3.0, Ok(-0.0)),
        (10.0, 400.0, Err(FaultKind::MathRange)),
        (10.0, -400.0, Ok(0.0)),
        (f64::NEG_INFINITY, 3.0, Ok(f64::NEG_INFINITY)),
        (f64::NEG_INFINITY, -3.0, Ok(-0.0)),
        (f64::NAN, 0.0, Ok(1.0)),
        (1.0, f64::NAN, Ok(1.0)),
        (-1.0, f64::INFINITY, Ok(1.0)),
        (0.5, f64::NEG_INFINITY, Ok(f64::INFINITY)),
        (-1.0, 1e300, Ok(1.0)),
    ];
    let k = binary_kernel(BinOp::Pow, Ty::F8);
    let compiled = compile_columns(&k);
    for (a, b, want) in cases {
        let cols = [
            Column::new(Ty::F8, &[Scalar::Float(a)]),
            Column::new(Ty::F8, &[Scalar::Float(b)]),
        ];
        let got = run_one(&compiled, &cols, 0, Ty::F8);
        match (got, want) {
            (Ok(g), Ok(w)) => assert!(same(g, Scalar::Float(w)), "{a} ** {b}: {g:?}"),
            (Err((kind, _)), Err(w)) => assert_eq!(kind, w, "{a} ** {b}"),
            (g, w) => panic!("{a} ** {b}: got {g:?}, want {w:?}"),
        }
    }
}

#[test]
fn comparisons_and_min_max_with_nan_and_signed_zero() {
    let ops = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];
    for ty in [Ty::F8, Ty::F4] {
        let vals = values(ty);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for &a in &vals {
            for &b in &vals {
                xs.push(Scalar::Float(a));
                ys.push(Scalar::Float(b));
            }
        }
        let cols = [Column::new(ty, &xs), Column::new(ty, &ys)];
        for op in ops {
            let k = kernel("cmp", &[("a", ty), ("b", ty)], Ty::B1).body(vec![ret(cmp(
                op,
                var(0, ty),
                var(1, ty),
            ))]);
            let compiled = compile_columns(&k);
            for i in 0..xs.len() {
                let (a, b) = (xs[i].as_f64(), ys[i].as_f64());
                let want = match op {
                    CmpOp::Eq => a == b,
                    CmpOp::Ne => a != b,
                    CmpOp::Lt => a < b,
                    CmpOp::Le => a <= b,
                    CmpOp::Gt => a > b,
                    CmpOp::Ge => a >= b,
                };
                assert_eq!(
                    run_one(&compiled, &cols, i, Ty::B1),
                    Ok(Scalar::Bool(want)),
                    "{a} {} {b}",
                    op.symbol()
                );
            }
        }
        for (builtin, is_max) in [(Builtin::Min, false), (Builtin::Max, true)] {
            let k = kernel("mm", &[("a", ty), ("b", ty)], ty).body(vec![ret(call(
                builtin,
                vec![var(0, ty), var(1, ty)],
                ty,
                sp(1, 2),
            ))]);
            let compiled = compile_columns(&k);
            for i in 0..xs.len() {
                let (a, b) = (xs[i].as_f64(), ys[i].as_f64());
                // Python: the later argument wins only when strictly better.
                let want = if (is_max && b > a) || (!is_max && b < a) {
                    b
                } else {
                    a
                };
                let got = run_one(&compiled, &cols, i, ty).unwrap();
                assert!(
                    same(got, Scalar::Float(want)),
                    "{builtin:?}({a}, {b}) = {got:?}"
                );
            }
        }
    }
}

#[test]
fn inline_math_functions() {
    let vals = float_boundaries();
    let xs: Vec<Scalar> = vals.iter().map(|&v| Scalar::Float(v)).collect();
    let ys: Vec<Scalar> = vals.iter().rev().map(|&v| Scalar::Float(v)).collect();
    let cols = [Column::new(Ty::F8, &xs), Column::new(Ty::F8, &ys)];
    let unary = |f: MathFn, ret_ty: Ty| {
        compile_columns(
            &kernel("m", &[("a", Ty::F8), ("b", Ty::F8)], ret_ty).body(vec![ret(call(
                Builtin::Math(f),
                vec![var(0, Ty::F8)],
                ret_ty,
                sp(3, 4),
            ))]),
        )
    };
    let sqrt = unary(MathFn::Sqrt, Ty::F8);
    let fabs = unary(MathFn::Fabs, Ty::F8);
    let isnan = unary(MathFn::Isnan, Ty::B1);
    let isinf = unary(MathFn::Isinf, Ty::B1);
    let isfinite = unary(MathFn::Isfinite, Ty::B1);
    let copysign = compile_columns(&kernel("m", &[("a", Ty::F8), ("b", Ty::F8)], Ty::F8).body(
        vec![ret(call(
            Builtin::Math(MathFn::Copysign),
            vec![var(0, Ty::F8), var(1, Ty::F8)],
            Ty::F8,
            sp(3, 4),
        ))],
    ));
    for (k, &x) in vals.iter().enumerate() {
        let want_sqrt = if x < 0.0 {
            Err((FaultKind::MathDomain, sp(3, 4)))
        } else {
            Ok(Scalar::Float(x.sqrt()))
        };
        let got = run_one(&sqrt, &cols, k, Ty::F8);
        match (got, want_sqrt) {
            (Ok(g), Ok(w)) => assert!(same(g, w), "sqrt({x})"),
            (g, w) => assert_eq!(g, w, "sqrt({x})"),
        }
        assert!(same(
            run_one(&fabs, &cols, k, Ty::F8).unwrap(),
            Scalar::Float(x.abs())
        ));
        let y = ys[k].as_f64();
        assert!(same(
            run_one(&copysign, &cols, k, Ty::F8).unwrap(),
            Scalar::Float(x.copysign(y))
        ));
        assert_eq!(
            run_one(&isnan, &cols, k, Ty::B1),
            Ok(Scalar::Bool(x.is_nan()))
        );
        assert_eq!(
            run_one(&isinf, &cols, k, Ty::B1),
            Ok(Scalar::Bool(x.is_infinite()))
        );
        assert_eq!(
            run_one(&isfinite, &cols, k, Ty::B1),
            Ok(Scalar::Bool(x.is_finite()))
        );
    }
}
