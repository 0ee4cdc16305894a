//! Conversions, comparisons and builtins through the reference interpreter.

mod common {
    pub mod ir_builder;
}
use FaultKind::*;
use Scalar::{Bool as B, Float as F, Int as I, UInt as U};
use common::ir_builder::*;
use frontend::fault::FaultKind;
use frontend::interp::call;
use frontend::ops::{Builtin, CmpOp, Convert, MathFn, RoundMode};
use frontend::types::Ty;
use frontend::value::Scalar;

type R = Result<(Scalar, bool), FaultKind>;

fn cv(c: Convert, from: Ty, to: Ty, a: Scalar) -> R {
    call(&convert_kernel(c, from, to), &[a])
        .map(|o| (o.value, o.python_exact))
        .map_err(|f| f.kind)
}

fn exact(v: Scalar) -> R {
    Ok((v, true))
}
fn inexact(v: Scalar) -> R {
    Ok((v, false))
}

#[test]
fn int_wrap_and_checked() {
    use Convert::{IntChecked as Ck, IntWrap as W};
    assert_eq!(cv(W, Ty::Int, Ty::U1, I(300)), inexact(U(44)));
    assert_eq!(cv(W, Ty::Int, Ty::U1, I(255)), exact(U(255)));
    assert_eq!(cv(W, Ty::Int, Ty::U8, I(-1)), inexact(U(u64::MAX)));
    assert_eq!(cv(W, Ty::U8, Ty::S8, U(u64::MAX)), inexact(I(-1)));
    assert_eq!(cv(W, Ty::S4, Ty::S1, I(-129)), inexact(I(127)));
    assert_eq!(cv(W, Ty::U1, Ty::S8, U(200)), exact(I(200)));
    assert_eq!(cv(W, Ty::B1, Ty::U2, B(true)), exact(U(1)));
    assert_eq!(cv(Ck, Ty::U8, Ty::Int, U(u64::MAX)), Err(IntOverflow));
    assert_eq!(
        cv(Ck, Ty::U8, Ty::Int, U(i64::MAX as u64)),
        exact(I(i64::MAX))
    );
    assert_eq!(cv(Ck, Ty::Int, Ty::U4, I(-1)), Err(IntOverflow));
}

#[test]
fn int_to_float_rounds_once() {
    use Convert::IntToFloat as C;
    assert_eq!(
        cv(C, Ty::Int, Ty::F8, I(1 << 53)),
        exact(F(9007199254740992.0))
    );
    assert_eq!(
        cv(C, Ty::Int, Ty::F8, I((1 << 53) + 1)),
        inexact(F(9007199254740992.0))
    );
    assert_eq!(
        cv(C, Ty::U8, Ty::F8, U(u64::MAX)),
        inexact(F(18446744073709551616.0))
    );
    assert_eq!(
        cv(C, Ty::Int, Ty::F8, I(i64::MIN)),
        exact(F(-9223372036854775808.0))
    );
    assert_eq!(cv(C, Ty::Int, Ty::F4, I(16777217)), inexact(F(16777216.0)));
    // One rounding, straight to f32 (via f64 this would round twice to a different value).
    let x: i64 = (1 << 62) + (1 << 38) + 1;
    assert_eq!(cv(C, Ty::Int, Ty::F4, I(x)), inexact(F(x as f32 as f64)));
    assert_ne!(x as f32 as f64, (x as f64) as f32 as f64);
    assert_eq!(cv(C, Ty::S1, Ty::F4, I(-128)), exact(F(-128.0)));
}

#[test]
fn float_to_float() {
    use Convert::FloatToFloat as C;
    assert_eq!(cv(C, Ty::F8, Ty::F4, F(0.1)), inexact(F(0.1f32 as f64)));
    assert_eq!(cv(C, Ty::F8, Ty::F4, F(0.5)), exact(F(0.5)));
    assert_eq!(cv(C, Ty::F8, Ty::F4, F(1e39)), inexact(F(f64::INFINITY)));
    assert_eq!(
        cv(C, Ty::F4, Ty::F8, F(0.1f32 as f64)),
        exact(F(0.1f32 as f64))
    );
    let nan = cv(C, Ty::F8, Ty::F4, F(f64::NAN));
    assert!(matches!(nan, Ok((F(x), true)) if x.is_nan()));
}

#[test]
fn float_to_int_modes_and_faults() {
    use Convert::FloatToInt;
    use RoundMode::*;
    let c = |m, to, x: f64| cv(FloatToInt(m), Ty::F8, to, F(x));
    assert_eq!(c(HalfEven, Ty::Int, 2.5), exact(I(2)));
    assert_eq!(c(HalfEven, Ty::Int, 3.5), exact(I(4)));
    assert_eq!(c(HalfEven, Ty::Int, -2.5), exact(I(-2)));
    assert_eq!(c(HalfEven, Ty::Int, 0.49999999999999994), exact(I(0)));
    assert_eq!(c(Trunc, Ty::Int, -3.7), exact(I(-3)));
    assert_eq!(c(Floor, Ty::Int, -3.2), exact(I(-4)));
    assert_eq!(c(Ceil, Ty::Int, -3.2), exact(I(-3)));
    assert_eq!(c(Ceil, Ty::Int, 3.2), exact(I(4)));
    assert_eq!(c(Trunc, Ty::U1, 255.9), exact(U(255)));
    assert_eq!(c(Trunc, Ty::U1, 256.0), Err(FloatToIntOverflow));
    assert_eq!(c(Trunc, Ty::U1, -0.9), exact(U(0)));
    assert_eq!(c(Floor, Ty::U1, -0.1), Err(FloatToIntOverflow));
    assert_eq!(
        c(Trunc, Ty::S8, 9223372036854775808.0),
        Err(FloatToIntOverflow)
    );
    assert_eq!(c(Trunc, Ty::S8, -9223372036854775808.0), exact(I(i64::MIN)));
    assert_eq!(
        c(Trunc, Ty::U8, 18446744073709549568.0),
        exact(U(18446744073709549568))
    );
    assert_eq!(
        c(Trunc, Ty::U8, 18446744073709551616.0),
        Err(FloatToIntOverflow)
    );
    assert_eq!(c(Trunc, Ty::Int, f64::NAN), Err(NanToInt));
    assert_eq!(c(Trunc, Ty::Int, f64::INFINITY), Err(FloatToIntOverflow));
    assert_eq!(c(Floor, Ty::S1, f64::NEG_INFINITY), Err(FloatToIntOverflow));
    assert_eq!(c(Trunc, Ty::Int, 1e300), Err(FloatToIntOverflow));
}

#[test]
fn truth_and_from_bool() {
    assert_eq!(
        cv(Convert::Truth, Ty::F8, Ty::B1, F(f64::NAN)),
        exact(B(true))
    );
    assert_eq!(cv(Convert::Truth, Ty::F8, Ty::B1, F(-0.0)), exact(B(false)));
    assert_eq!(
        cv(Convert::Truth, Ty::U8, Ty::B1, U(1 << 63)),
        exact(B(true))
    );
    assert_eq!(cv(Convert::Truth, Ty::Int, Ty::B1, I(0)), exact(B(false)));
    assert_eq!(
        cv(Convert::FromBool, Ty::B1, Ty::F8, B(true)),
        exact(F(1.0))
    );
    assert_eq!(cv(Convert::FromBool, Ty::B1, Ty::S2, B(false)), exact(I(0)));
    assert_eq!(cv(Convert::FromBool, Ty::B1, Ty::U8, B(true)), exact(U(1)));
}

fn compare(op: CmpOp, ta: Ty, a: Scalar, tb: Ty, b: Scalar) -> bool {
    let k = KernelBuilder::new("k", &[("a", ta), ("b", tb)]);
    let body = vec![ret(cmp(op, k.param(0), k.param(1)))];
    let kernel = k.finish(Ty::B1, body);
    matches!(call(&kernel, &[a, b]).map(|o| o.value), Ok(B(true)))
}

#[test]
fn comparisons() {
    use CmpOp::*;
    // U8 against S8 / int: exact, as mathematical integers.
    assert!(compare(Gt, Ty::U8, U(u64::MAX), Ty::S8, I(-1)));
    assert!(compare(Ne, Ty::U8, U(u64::MAX), Ty::Int, I(-1)));
    assert!(compare(Lt, Ty::Int, I(-1), Ty::U8, U(0)));
    assert!(!compare(Eq, Ty::U8, U(1 << 63), Ty::S8, I(i64::MIN)));
    assert!(compare(Le, Ty::S1, I(-128), Ty::S1, I(-128)));
    assert!(compare(Lt, Ty::B1, B(false), Ty::B1, B(true)));
    let nan = F(f64::NAN);
    for op in [Eq, Lt, Le, Gt, Ge] {
        assert!(!compare(op, Ty::F8, nan, Ty::F8, F(1.0)), "{op:?}");
        assert!(!compare(op, Ty::F8, nan, Ty::F8, nan), "{op:?}");
    }
    assert!(compare(Ne, Ty::F8, nan, Ty::F8, nan));
    assert!(compare(Eq, Ty::F8, F(0.0), Ty::F8, F(-0.0)));
    assert!(compare(
        Lt,
        Ty::F8,
        F(f64::NEG_INFINITY),
        Ty::F8,
        F(f64::MIN)
    ));
}

fn builtin(b: Builtin, ty: Ty, args: &[Scalar]) -> R {
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let params: Vec<(&str, Ty)> = names.iter().map(|n| (n.as_str(), ty)).collect();
    let k = KernelBuilder::new("k", &params);
    let exprs = (0..args.len()).map(|i| k.param(i)).collect();
    let ret_ty = match b {
        Builtin::Math(f) => frontend::ops::math_result_type(f),
        _ => ty,
    };
    let body = vec![ret(builtin_call(b, exprs, ret_ty))];
    let kernel = k.finish(ret_ty, body);
    call(&kernel, args)
        .map(|o| (o.value, o.python_exact))
        .map_err(|f| f.kind)
}

fn bits(r: R) -> Option<u64> {
    r.ok().map(|(v, _)| v.as_f64().to_bits())
}

#[test]
fn abs_min_max() {
    use Builtin::*;
    assert_eq!(builtin(Abs, Ty::S1, &[I(-128)]), inexact(I(-128)));
    assert_eq!(builtin(Abs, Ty::S1, &[I(-127)]), exact(I(127)));
    assert_eq!(builtin(Abs, Ty::Int, &[I(i64::MIN)]), Err(IntOverflow));
    assert_eq!(builtin(Abs, Ty::U8, &[U(u64::MAX)]), exact(U(u64::MAX)));
    assert_eq!(bits(builtin(Abs, Ty::F8, &[F(-0.0)])), Some(0));
    assert_eq!(
        builtin(Abs, Ty::F8, &[F(f64::NEG_INFINITY)]),
        exact(F(f64::INFINITY))
    );
    // Python's rule: the first argument stays unless a later one is strictly better.
    assert!(matches!(builtin(Max, Ty::F8, &[F(f64::NAN), F(1.0)]), Ok((F(x), true)) if x.is_nan()));
    assert_eq!(builtin(Max, Ty::F8, &[F(1.0), F(f64::NAN)]), exact(F(1.0)));
    assert_eq!(
        bits(builtin(Min, Ty::F8, &[F(-0.0), F(0.0)])),
        Some((-0.0f64).to_bits())
    );
    assert_eq!(bits(builtin(Min, Ty::F8, &[F(0.0), F(-0.0)])), Some(0));
    assert_eq!(builtin(Min, Ty::S8, &[I(3), I(-5), I(7)]), exact(I(-5)));
    assert_eq!(
        builtin(Max, Ty::U8, &[U(3), U(u64::MAX), U(7)]),
        exact(U(u64::MAX))
    );
}

#[test]
fn math_builtins() {
    use Builtin::Math;
    assert_eq!(
        builtin(Math(MathFn::Sqrt), Ty::F8, &[F(-1.0)]),
        Err(MathDomain)
    );
    assert_eq!(
        builtin(Math(MathFn::Sqrt), Ty::F8, &[F(2.0)]),
        exact(F(2f64.sqrt()))
    );
    assert_eq!(
        builtin(Math(MathFn::Exp), Ty::F8, &[F(1000.0)]),
        Err(MathRange)
    );
    assert_eq!(
        builtin(Math(MathFn::Floor), Ty::F8, &[F(-2.5)]),
        exact(I(-3))
    );
    assert_eq!(
        builtin(Math(MathFn::Ceil), Ty::F8, &[F(f64::NAN)]),
        Err(NanToInt)
    );
    assert_eq!(
        builtin(Math(MathFn::Trunc), Ty::F8, &[F(1e19)]),
        Err(FloatToIntOverflow)
    );
    assert_eq!(
        builtin(Math(MathFn::Isnan), Ty::F8, &[F(f64::NAN)]),
        exact(B(true))
    );
    assert_eq!(
        builtin(Math(MathFn::Isinf), Ty::F8, &[F(1.0)]),
        exact(B(false))
    );
    assert_eq!(
        builtin(Math(MathFn::Atan2), Ty::F8, &[F(0.0), F(-1.0)]),
        exact(F(std::f64::consts::PI))
    );
    assert_eq!(
        builtin(Math(MathFn::Hypot), Ty::F8, &[F(3.0), F(4.0)]),
        exact(F(5.0))
    );
}
