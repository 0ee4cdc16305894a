//! Every operator on every type it applies to, at boundary values, through the reference
//! interpreter: exact values (hand-derived), the python_exact flag, and the fault kinds.

mod common {
    pub mod ir_builder;
}
use FaultKind::*;
use Scalar::{Float as F, Int as I, UInt as U};
use common::ir_builder::*;
use frontend::fault::FaultKind;
use frontend::interp::call;
use frontend::ops::{BinOp, UnOp};
use frontend::types::Ty;
use frontend::value::Scalar;

type R = Result<(Scalar, bool), FaultKind>;

fn bin_op(op: BinOp, ty: Ty, a: Scalar, b: Scalar) -> R {
    call(&binary_kernel(op, ty), &[a, b])
        .map(|o| (o.value, o.python_exact))
        .map_err(|f| f.kind)
}

fn un_op(op: UnOp, ty: Ty, a: Scalar) -> R {
    call(&unary_kernel(op, ty), &[a])
        .map(|o| (o.value, o.python_exact))
        .map_err(|f| f.kind)
}

fn exact(v: Scalar) -> R {
    Ok((v, true))
}
fn wrapped(v: Scalar) -> R {
    Ok((v, false))
}

const I64MIN: i64 = i64::MIN;
const I64MAX: i64 = i64::MAX;

#[test]
fn width_add_sub_mul_wrap() {
    use BinOp::*;
    assert_eq!(bin_op(Add, Ty::U1, U(255), U(1)), wrapped(U(0)));
    assert_eq!(bin_op(Add, Ty::U1, U(254), U(1)), exact(U(255)));
    assert_eq!(bin_op(Add, Ty::S1, I(127), I(1)), wrapped(I(-128)));
    assert_eq!(bin_op(Add, Ty::S2, I(-32768), I(-1)), wrapped(I(32767)));
    assert_eq!(bin_op(Add, Ty::U4, U(u32::MAX as u64), U(2)), wrapped(U(1)));
    assert_eq!(bin_op(Add, Ty::U8, U(u64::MAX), U(1)), wrapped(U(0)));
    assert_eq!(bin_op(Add, Ty::S8, I(I64MAX), I(1)), wrapped(I(I64MIN)));
    assert_eq!(bin_op(Sub, Ty::U1, U(0), U(1)), wrapped(U(255)));
    assert_eq!(bin_op(Sub, Ty::U8, U(0), U(1)), wrapped(U(u64::MAX)));
    assert_eq!(bin_op(Sub, Ty::S8, I(I64MIN), I(1)), wrapped(I(I64MAX)));
    assert_eq!(bin_op(Sub, Ty::S4, I(-5), I(7)), exact(I(-12)));
    assert_eq!(bin_op(Mul, Ty::U8, U(1 << 32), U(1 << 32)), wrapped(U(0)));
    assert_eq!(bin_op(Mul, Ty::U8, U(u64::MAX), U(u64::MAX)), wrapped(U(1)));
    assert_eq!(bin_op(Mul, Ty::S8, I(I64MIN), I(-1)), wrapped(I(I64MIN)));
    assert_eq!(bin_op(Mul, Ty::S1, I(-16), I(8)), exact(I(-128)));
    assert_eq!(bin_op(Mul, Ty::S1, I(16), I(8)), wrapped(I(-128)));
    assert_eq!(
        bin_op(Mul, Ty::U2, U(300), U(300)),
        wrapped(U(90000 % 65536))
    );
}

#[test]
fn width_floor_division_and_modulo_follow_python() {
    use BinOp::*;
    assert_eq!(bin_op(FloorDiv, Ty::S1, I(-7), I(2)), exact(I(-4)));
    assert_eq!(bin_op(FloorDiv, Ty::S1, I(7), I(-2)), exact(I(-4)));
    assert_eq!(bin_op(FloorDiv, Ty::S1, I(-7), I(-2)), exact(I(3)));
    assert_eq!(bin_op(Mod, Ty::S1, I(-7), I(2)), exact(I(1)));
    assert_eq!(bin_op(Mod, Ty::S1, I(7), I(-2)), exact(I(-1)));
    assert_eq!(bin_op(Mod, Ty::S1, I(-7), I(-2)), exact(I(-1)));
    assert_eq!(bin_op(FloorDiv, Ty::S1, I(-128), I(-1)), wrapped(I(-128)));
    assert_eq!(bin_op(Mod, Ty::S1, I(-128), I(-1)), exact(I(0)));
    assert_eq!(
        bin_op(FloorDiv, Ty::S8, I(I64MIN), I(-1)),
        wrapped(I(I64MIN))
    );
    assert_eq!(bin_op(Mod, Ty::S8, I(I64MIN), I(-1)), exact(I(0)));
    assert_eq!(
        bin_op(FloorDiv, Ty::U8, U(u64::MAX), U(2)),
        exact(U(u64::MAX / 2))
    );
    assert_eq!(bin_op(Mod, Ty::U8, U(u64::MAX), U(10)), exact(U(5)));
    assert_eq!(bin_op(FloorDiv, Ty::U1, U(5), U(0)), Err(ZeroDivision));
    assert_eq!(bin_op(Mod, Ty::S4, I(5), I(0)), Err(ZeroDivision));
}

#[test]
fn width_power_wraps_and_rejects_negative_exponents() {
    use BinOp::Pow;
    assert_eq!(bin_op(Pow, Ty::U1, U(2), U(8)), wrapped(U(0)));
    assert_eq!(bin_op(Pow, Ty::U1, U(2), U(7)), exact(U(128)));
    assert_eq!(bin_op(Pow, Ty::S1, I(-2), I(7)), exact(I(-128)));
    assert_eq!(bin_op(Pow, Ty::S1, I(2), I(7)), wrapped(I(-128)));
    assert_eq!(
        bin_op(Pow, Ty::U8, U(3), U(40)),
        exact(U(12157665459056928801))
    );
    assert_eq!(
        bin_op(Pow, Ty::U8, U(3), U(41)),
        wrapped(U(3u64.wrapping_pow(41)))
    );
    assert_eq!(bin_op(Pow, Ty::U8, U(0), U(0)), exact(U(1)));
    assert_eq!(bin_op(Pow, Ty::S2, I(0), I(0)), exact(I(1)));
    assert_eq!(bin_op(Pow, Ty::U8, U(1), U(u64::MAX)), exact(U(1)));
    assert_eq!(bin_op(Pow, Ty::S8, I(-1), I(I64MAX)), exact(I(-1)));
    assert_eq!(bin_op(Pow, Ty::U8, U(2), U(u64::MAX)), wrapped(U(0)));
    assert_eq!(bin_op(Pow, Ty::S4, I(3), I(-1)), Err(NegativePower));
    assert_eq!(bin_op(Pow, Ty::S8, I(-2), I(63)), exact(I(I64MIN)));
}

#[test]
fn width_shifts() {
    use BinOp::*;
    assert_eq!(bin_op(LShift, Ty::U1, U(1), U(7)), exact(U(128)));
    assert_eq!(bin_op(LShift, Ty::U1, U(1), U(8)), wrapped(U(0)));
    assert_eq!(bin_op(LShift, Ty::U1, U(0), U(200)), exact(U(0)));
    assert_eq!(bin_op(LShift, Ty::U1, U(3), U(7)), wrapped(U(128)));
    assert_eq!(bin_op(LShift, Ty::U8, U(1), U(63)), exact(U(1 << 63)));
    assert_eq!(bin_op(LShift, Ty::U8, U(1), U(64)), wrapped(U(0)));
    assert_eq!(bin_op(LShift, Ty::S8, I(1), I(63)), wrapped(I(I64MIN)));
    assert_eq!(bin_op(LShift, Ty::S8, I(-1), I(63)), exact(I(I64MIN)));
    assert_eq!(bin_op(LShift, Ty::S1, I(1), I(-1)), Err(NegativeShift));
    assert_eq!(bin_op(RShift, Ty::S1, I(-1), I(100)), exact(I(-1)));
    assert_eq!(bin_op(RShift, Ty::S1, I(-128), I(7)), exact(I(-1)));
    assert_eq!(bin_op(RShift, Ty::S1, I(-128), I(8)), exact(I(-1)));
    assert_eq!(bin_op(RShift, Ty::S1, I(127), I(8)), exact(I(0)));
    assert_eq!(bin_op(RShift, Ty::S1, I(-7), I(1)), exact(I(-4)));
    assert_eq!(bin_op(RShift, Ty::U8, U(u64::MAX), U(63)), exact(U(1)));
    assert_eq!(bin_op(RShift, Ty::U8, U(u64::MAX), U(64)), exact(U(0)));
    assert_eq!(bin_op(RShift, Ty::S4, I(5), I(-3)), Err(NegativeShift));
}

#[test]
fn width_bitwise_and_unary() {
    use BinOp::*;
    assert_eq!(bin_op(BitAnd, Ty::U8, U(u64::MAX), U(0xF0)), exact(U(0xF0)));
    assert_eq!(bin_op(BitOr, Ty::S1, I(-128), I(1)), exact(I(-127)));
    assert_eq!(bin_op(BitXor, Ty::S8, I(-1), I(I64MAX)), exact(I(I64MIN)));
    assert_eq!(
        bin_op(BitAnd, Ty::B1, Scalar::Bool(true), Scalar::Bool(false)),
        exact(Scalar::Bool(false))
    );
    assert_eq!(
        bin_op(BitXor, Ty::B1, Scalar::Bool(true), Scalar::Bool(true)),
        exact(Scalar::Bool(false))
    );
    assert_eq!(un_op(UnOp::Invert, Ty::U1, U(0)), wrapped(U(255)));
    assert_eq!(un_op(UnOp::Invert, Ty::S1, I(0)), exact(I(-1)));
    assert_eq!(un_op(UnOp::Invert, Ty::S8, I(I64MIN)), exact(I(I64MAX)));
    assert_eq!(un_op(UnOp::Neg, Ty::U1, U(1)), wrapped(U(255)));
    assert_eq!(un_op(UnOp::Neg, Ty::U8, U(0)), exact(U(0)));
    assert_eq!(un_op(UnOp::Neg, Ty::S1, I(-128)), wrapped(I(-128)));
    assert_eq!(un_op(UnOp::Neg, Ty::S1, I(127)), exact(I(-127)));
    assert_eq!(un_op(UnOp::Pos, Ty::U4, U(7)), exact(U(7)));
}

#[test]
fn int_raises_instead_of_wrapping() {
    use BinOp::*;
    let t = Ty::Int;
    assert_eq!(bin_op(Add, t, I(I64MAX), I(1)), Err(IntOverflow));
    assert_eq!(bin_op(Add, t, I(I64MAX), I(-1)), exact(I(I64MAX - 1)));
    assert_eq!(bin_op(Sub, t, I(I64MIN), I(1)), Err(IntOverflow));
    assert_eq!(bin_op(Mul, t, I(I64MIN), I(-1)), Err(IntOverflow));
    assert_eq!(bin_op(Mul, t, I(1 << 32), I(1 << 31)), Err(IntOverflow));
    assert_eq!(bin_op(Mul, t, I(-(1 << 32)), I(1 << 31)), exact(I(I64MIN)));
    assert_eq!(bin_op(FloorDiv, t, I(I64MIN), I(-1)), Err(IntOverflow));
    assert_eq!(bin_op(Mod, t, I(I64MIN), I(-1)), exact(I(0)));
    assert_eq!(bin_op(FloorDiv, t, I(-7), I(2)), exact(I(-4)));
    assert_eq!(bin_op(Mod, t, I(7), I(-3)), exact(I(-2)));
    assert_eq!(bin_op(FloorDiv, t, I(1), I(0)), Err(ZeroDivision));
    assert_eq!(bin_op(Mod, t, I(1), I(0)), Err(ZeroDivision));
    assert_eq!(bin_op(LShift, t, I(1), I(62)), exact(I(1 << 62)));
    assert_eq!(bin_op(LShift, t, I(1), I(63)), Err(IntOverflow));
    assert_eq!(bin_op(LShift, t, I(-1), I(63)), exact(I(I64MIN)));
    assert_eq!(bin_op(LShift, t, I(0), I(1000)), exact(I(0)));
    assert_eq!(bin_op(LShift, t, I(1), I(64)), Err(IntOverflow));
    assert_eq!(bin_op(LShift, t, I(1), I(-1)), Err(NegativeShift));
    assert_eq!(bin_op(RShift, t, I(-1), I(64)), exact(I(-1)));
    assert_eq!(bin_op(RShift, t, I(5), I(1000)), exact(I(0)));
    assert_eq!(bin_op(RShift, t, I(5), I(-1)), Err(NegativeShift));
    assert_eq!(bin_op(Pow, t, I(2), I(62)), exact(I(1 << 62)));
    assert_eq!(bin_op(Pow, t, I(2), I(63)), Err(IntOverflow));
    assert_eq!(bin_op(Pow, t, I(-2), I(63)), exact(I(I64MIN)));
    assert_eq!(bin_op(Pow, t, I(10), I(19)), Err(IntOverflow));
    assert_eq!(
        bin_op(Pow, t, I(10), I(18)),
        exact(I(1_000_000_000_000_000_000))
    );
    assert_eq!(bin_op(Pow, t, I(0), I(0)), exact(I(1)));
    assert_eq!(bin_op(Pow, t, I(2), I(-1)), Err(NegativePower));
    assert_eq!(bin_op(BitAnd, t, I(-1), I(I64MIN)), exact(I(I64MIN)));
    assert_eq!(un_op(UnOp::Neg, t, I(I64MIN)), Err(IntOverflow));
    assert_eq!(un_op(UnOp::Invert, t, I(I64MIN)), exact(I(I64MAX)));
}

#[test]
fn float_arithmetic() {
    use BinOp::*;
    let t = Ty::F8;
    assert_eq!(
        bin_op(Add, t, F(0.1), F(0.2)),
        exact(F(0.30000000000000004))
    );
    assert_eq!(
        bin_op(Add, t, F(f64::MAX), F(f64::MAX)),
        exact(F(f64::INFINITY))
    );
    assert_eq!(bin_op(Div, t, F(1.0), F(0.0)), Err(ZeroDivision));
    assert_eq!(bin_op(Div, t, F(0.0), F(-0.0)), Err(ZeroDivision));
    assert_eq!(bin_op(Div, t, F(1.0), F(f64::INFINITY)), exact(F(0.0)));
    assert_eq!(bin_op(Mod, t, F(-0.0), F(5.0)), exact(F(0.0)));
    assert_eq!(
        bin_op(Mod, t, F(-1.0), F(f64::INFINITY)),
        exact(F(f64::INFINITY))
    );
    assert_eq!(bin_op(FloorDiv, t, F(-7.5), F(2.0)), exact(F(-4.0)));
    assert_eq!(bin_op(FloorDiv, t, F(1.0), F(0.0)), Err(ZeroDivision));
    assert_eq!(bin_op(Pow, t, F(0.0), F(-1.0)), Err(ZeroDivision));
    assert_eq!(bin_op(Pow, t, F(-8.0), F(0.5)), Err(ComplexPower));
    assert_eq!(bin_op(Pow, t, F(10.0), F(400.0)), Err(MathRange));
    assert_eq!(bin_op(Pow, t, F(f64::NAN), F(0.0)), exact(F(1.0)));
    assert_eq!(
        un_op(UnOp::Neg, t, F(0.0)).map(|r| r.0.as_f64().to_bits()),
        Ok((-0.0f64).to_bits())
    );
    let nan = bin_op(Sub, t, F(f64::INFINITY), F(f64::INFINITY)).map(|r| r.0.as_f64());
    assert!(nan.is_ok_and(f64::is_nan));
}

#[test]
fn f4_rounds_each_operation_to_f32() {
    use BinOp::*;
    let t = Ty::F4;
    let third = (1.0f32 / 3.0f32) as f64;
    assert_eq!(bin_op(Div, t, F(1.0), F(3.0)), wrapped(F(third)));
    assert_eq!(bin_op(Add, t, F(0.5), F(0.25)), exact(F(0.75)));
    let a = 0.1f32 as f64;
    let b = 0.2f32 as f64;
    assert_eq!(
        bin_op(Add, t, F(a), F(b)),
        wrapped(F((0.1f32 + 0.2f32) as f64))
    );
    assert_eq!(
        bin_op(Mul, t, F(3.0e38), F(10.0)),
        wrapped(F(f64::INFINITY))
    );
    assert_eq!(bin_op(Mul, t, F(16777216.0), F(1.0)), exact(F(16777216.0)));
    assert_eq!(
        bin_op(Add, t, F(16777216.0), F(1.0)),
        wrapped(F(16777216.0))
    );
    assert_eq!(bin_op(Div, t, F(1.0), F(0.0)), Err(ZeroDivision));
}
