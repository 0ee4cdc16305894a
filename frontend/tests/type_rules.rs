//! The type rules of `ops`, table-tested over every pair of types, and as the checker applies
//! them to kernels.
mod common;
use common::*;
use frontend::ops::{self, BinOp, TypeRuleError};
use frontend::types::{ALL_TYPES, Ty};

fn cell(r: Result<Ty, TypeRuleError>) -> String {
    match r {
        Ok(t) => t.name().to_string(),
        Err(TypeRuleError::NoCommonType(..)) => "ERR".into(),
        Err(TypeRuleError::NeedsInteger { .. }) => "INT!".into(),
    }
}

fn table(f: impl Fn(Ty, Ty) -> String) -> String {
    let mut out = String::new();
    for l in ALL_TYPES {
        let row: Vec<String> = ALL_TYPES.iter().map(|r| format!("{:>4}", f(l, *r))).collect();
        out.push_str(&format!("{:>3}:{}\n", l.name(), row.join("")));
    }
    out
}

/// `l + r` for typed (non-literal) operands. Columns in the order of `ALL_TYPES`:
/// B1 U1 U2 U4 U8 S1 S2 S4 S8 F4 F8 int.
#[test]
fn addition_of_every_pair_of_typed_operands() {
    let got = table(|l, r| cell(ops::binary_result(BinOp::Add, l, r, false, false).map(|x| x.result)));
    let want = "\
 B1: int  U1  U2  U4  U8  S1  S2  S4  S8  F4  F8 int
 U1:  U1  U1  U2  U4  U8  S2  S2  S4  S8  F4  F8  U1
 U2:  U2  U2  U2  U4  U8  S4  S4  S4  S8  F4  F8  U2
 U4:  U4  U4  U4  U4  U8  S8  S8  S8  S8  F8  F8  U4
 U8:  U8  U8  U8  U8  U8 ERR ERR ERR ERR  F8  F8 ERR
 S1:  S1  S2  S4  S8 ERR  S1  S2  S4  S8  F4  F8  S1
 S2:  S2  S2  S4  S8 ERR  S2  S2  S4  S8  F4  F8  S2
 S4:  S4  S4  S4  S8 ERR  S4  S4  S4  S8  F8  F8  S4
 S8:  S8  S8  S8  S8 ERR  S8  S8  S8  S8  F8  F8  S8
 F4:  F4  F4  F4  F8  F8  F4  F4  F8  F8  F4  F8  F4
 F8:  F8  F8  F8  F8  F8  F8  F8  F8  F8  F8  F8  F8
int: int  U1  U2  U4 ERR  S1  S2  S4  S8  F4  F8 int
";
    assert_eq!(got.trim(), want.trim(), "\n{got}");
}

/// `l < r`: the types the two operands are compared in ("U8/S8": the exact mixed comparison).
#[test]
fn comparison_of_every_pair_of_typed_operands() {
    let got = table(|l, r| match ops::compare_operands(l, false, r, false) {
        Ok((a, b)) if a == b => a.name().to_string(),
        Ok((a, b)) => format!("{}{}", &a.name()[..1], &b.name()[..1]),
        Err(_) => "ERR".into(),
    });
    let want = "\
 B1: int  U1  U2  U4  U8  S1  S2  S4  S8  F4  F8 int
 U1:  U1  U1  U2  U4  U8  S2  S2  S4  S8  F4  F8  U1
 U2:  U2  U2  U2  U4  U8  S4  S4  S4  S8  F4  F8  U2
 U4:  U4  U4  U4  U4  U8  S8  S8  S8  S8  F8  F8  U4
 U8:  U8  U8  U8  U8  U8  US  US  US  US  F8  F8  Ui
 S1:  S1  S2  S4  S8  SU  S1  S2  S4  S8  F4  F8  S1
 S2:  S2  S2  S4  S8  SU  S2  S2  S4  S8  F4  F8  S2
 S4:  S4  S4  S4  S8  SU  S4  S4  S4  S8  F8  F8  S4
 S8:  S8  S8  S8  S8  SU  S8  S8  S8  S8  F8  F8  S8
 F4:  F4  F4  F4  F8  F8  F4  F4  F8  F8  F4  F8  F4
 F8:  F8  F8  F8  F8  F8  F8  F8  F8  F8  F8  F8  F8
int: int  U1  U2  U4  iU  S1  S2  S4  S8  F4  F8 int
";
    assert_eq!(got.trim(), want.trim(), "\n{got}");
    // The mixed case is exactly U8 against S8 or int.
    assert_eq!(ops::compare_operands(Ty::U8, false, Ty::S2, false), Ok((Ty::U8, Ty::S8)));
    assert_eq!(ops::compare_operands(Ty::Int, false, Ty::U8, false), Ok((Ty::Int, Ty::U8)));
}

/// An int literal (weak) against each type takes that type; a float literal is F8 except with F4.
#[test]
fn literals_take_the_other_operands_type() {
    for t in ALL_TYPES {
        let with_int = ops::common_type(Ty::Int, true, t, false).unwrap();
        let with_float = ops::common_type(Ty::F8, true, t, false).unwrap();
        let want_int = if t == Ty::B1 { Ty::Int } else { t };
        let want_float = if t == Ty::F4 { Ty::F4 } else { Ty::F8 };
        assert_eq!((with_int, with_float), (want_int, want_float), "{t}");
    }
}

#[test]
fn integer_only_operators_reject_floats() {
    for op in [BinOp::LShift, BinOp::RShift, BinOp::BitAnd, BinOp::BitOr, BinOp::BitXor] {
        for f in [Ty::F4, Ty::F8] {
            assert_eq!(ops::binary_result(op, Ty::S4, f, false, false), Err(TypeRuleError::NeedsInteger { op: op.symbol(), ty: f }));
        }
        assert_eq!(ops::binary_result(op, Ty::B1, Ty::B1, false, false).map(|r| r.result), Ok(if op == BinOp::LShift || op == BinOp::RShift { Ty::Int } else { Ty::B1 }));
    }
}

#[test]
fn true_division_is_float() {
    assert_eq!(ops::binary_result(BinOp::Div, Ty::U8, Ty::S8, false, false).map(|r| r.result), Ok(Ty::F8));
    assert_eq!(ops::binary_result(BinOp::Div, Ty::F4, Ty::F4, false, false).map(|r| r.result), Ok(Ty::F4));
    assert_eq!(ops::binary_result(BinOp::Div, Ty::F4, Ty::Int, false, true).map(|r| r.result), Ok(Ty::F4));
    assert_eq!(ops::binary_result(BinOp::Div, Ty::Int, Ty::Int, true, true).map(|r| r.result), Ok(Ty::F8));
}

#[test]
fn join_of_assigned_types() {
    assert_eq!(ops::join(Ty::Int, Ty::U4), Ok(Ty::U4));
    assert_eq!(ops::join(Ty::Int, Ty::U8), Ok(Ty::U8));
    assert_eq!(ops::join(Ty::Int, Ty::F8), Ok(Ty::F8));
    assert_eq!(ops::join(Ty::B1, Ty::B1), Ok(Ty::B1));
    assert_eq!(ops::join(Ty::B1, Ty::S2), Ok(Ty::S2));
    assert_eq!(ops::join(Ty::U8, Ty::S8), Err(TypeRuleError::NoCommonType(Ty::U8, Ty::S8)));
    assert_eq!(ops::join(Ty::U1, Ty::S1), Ok(Ty::S2));
}

// --- as the checker applies them ------------------------------------------------------------

#[test]
fn checker_converts_operands_to_the_operation_type() {
    let cases = [
        ("def f(x: U1, y: S1):\n    return x + y\n", "Add:S2(IntWrap:S2(local:U1), IntWrap:S2(local:S1))"),
        ("def f(x: U4, y: S8):\n    return x * y\n", "Mul:S8(IntWrap:S8(local:U4), local:S8)"),
        ("def f(x: U1, y: int):\n    return x - y\n", "Sub:U1(local:U1, IntWrap:U1(local:int))"),
        ("def f(x: F4):\n    return x * 2.0\n", "Mul:F4(local:F4, const:F4)"),
        ("def f(x: F4):\n    return x * 2\n", "Mul:F4(local:F4, const:F4)"),
        ("def f(x: F4, n: int):\n    return x * n\n", "Mul:F4(local:F4, IntToFloat:F4(local:int))"),
        ("def f(x: F4, n: S4):\n    return x * n\n", "Mul:F8(FloatToFloat:F8(local:F4), IntToFloat:F8(local:S4))"),
        ("def f(x: F4, y: F8):\n    return x + y\n", "Add:F8(FloatToFloat:F8(local:F4), local:F8)"),
        ("def f(x: U1, y: U1):\n    return x / y\n", "Div:F8(IntToFloat:F8(local:U1), IntToFloat:F8(local:U1))"),
        ("def f(x: F4):\n    return x / 2\n", "Div:F4(local:F4, const:F4)"),
        ("def f(x: int, y: int):\n    return x ** y\n", "Pow:int(local:int, local:int)"),
        ("def f(b: B1):\n    return b + b\n", "Add:int(FromBool:int(local:B1), FromBool:int(local:B1))"),
        ("def f(b: B1, u: U8):\n    return b + u\n", "Add:U8(FromBool:U8(local:B1), local:U8)"),
        ("def f(a: B1, b: B1):\n    return a & b\n", "BitAnd:B1(local:B1, local:B1)"),
        ("def f(b: B1):\n    return ~b\n", "Invert:int(FromBool:int(local:B1))"),
        ("def f(x: S4, n: U1):\n    return x << n\n", "LShift:S4(local:S4, IntWrap:S4(local:U1))"),
        ("def f(x: U1):\n    return x << 3\n", "LShift:U1(local:U1, const:U1)"),
        ("def f(x: U8):\n    return x & (1 << 63)\n", "BitAnd:U8(local:U8, const:U8)"),
        ("def f(x: U8):\n    return x & 0xFFFFFFFFFFFFFFFF\n", "BitAnd:U8(local:U8, const:U8)"),
        ("def f(x: S1):\n    return x + -128\n", "Add:S1(local:S1, const:S1)"),
        ("def f(x: U8, y: S8):\n    return x < y\n", "Lt:B1(local:U8, local:S8)"),
        ("def f(x: U8, y: S2):\n    return x == y\n", "Eq:B1(local:U8, IntWrap:S8(local:S2))"),
        ("def f(x: U1):\n    return x < 300\n", "Lt:B1(IntWrap:int(local:U1), const:int)"),
        ("def f(x: U8):\n    return x > -1\n", "Gt:B1(local:U8, const:int)"),
        ("def f(x: S8):\n    return x < 18446744073709551615\n", "Lt:B1(local:S8, const:U8)"),
        ("def f(x: int, y: F4):\n    return x <= y\n", "Le:B1(IntToFloat:F4(local:int), local:F4)"),
        ("def f(a: B1, b: B1):\n    return a == b\n", "Eq:B1(FromBool:int(local:B1), FromBool:int(local:B1))"),
    ];
    for (src, want) in cases {
        assert_eq!(ret_shape(src), want, "{src}");
    }
}
