//! Every integer operator on every integer type, over boundary values, against an exact
//! (i128) reference of SPEC §4: width types wrap, `int` faults on overflow, Python's floor
//! division/modulo signs, shifts, powers; faults carry the operator's span.

mod common;
use common::*;
use frontend::ops::{BinOp, Builtin, CmpOp, UnOp};
use frontend::{FaultKind, Scalar, Ty};

fn finish(r: i128, ty: Ty) -> Result<i128, FaultKind> {
    if ty == Ty::Int {
        let (lo, hi) = ty.int_range().unwrap();
        if r < lo || r > hi {
            Err(FaultKind::IntOverflow)
        } else {
            Ok(r)
        }
    } else {
        Ok(wrap(r, ty))
    }
}

fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn int_pow(a: i128, e: i128, ty: Ty) -> Result<i128, FaultKind> {
    if ty == Ty::Int {
        let mut acc: i128 = 1;
        let mut base = a;
        let mut e = e;
        // Exact: stop as soon as the magnitude leaves 64 bits.
        while e > 0 {
            if e & 1 == 1 {
                acc = acc.checked_mul(base).ok_or(FaultKind::IntOverflow)?;
                if acc.unsigned_abs() > 1u128 << 64 {
                    return Err(FaultKind::IntOverflow);
                }
            }
            e >>= 1;
            if e > 0 {
                base = base.checked_mul(base).ok_or(FaultKind::IntOverflow)?;
                if base.unsigned_abs() > 1u128 << 64 {
                    return Err(FaultKind::IntOverflow);
                }
            }
        }
        return finish(acc, ty);
    }
    let bits = ty.bits();
    let mask = u128::MAX >> (128 - bits);
    let (mut acc, mut base, mut e) = (1u128, (a as u128) & mask, e as u128);
    while e > 0 {
        if e & 1 == 1 {
            acc = acc.wrapping_mul(base) & mask
        }
        base = base.wrapping_mul(base) & mask;
        e >>= 1;
    }
    Ok(wrap(acc as i128, ty))
}

fn reference(op: BinOp, ty: Ty, a: i128, b: i128) -> Result<i128, FaultKind> {
    let bits = ty.bits() as i128;
    match op {
        BinOp::Add => finish(a + b, ty),
        BinOp::Sub => finish(a - b, ty),
        BinOp::Mul => finish(a.wrapping_mul(b), ty),
        BinOp::FloorDiv | BinOp::Mod if b == 0 => Err(FaultKind::ZeroDivision),
        BinOp::FloorDiv => finish(floor_div(a, b), ty),
        BinOp::Mod => finish(a - b * floor_div(a, b), ty),
        BinOp::Pow if b < 0 => Err(FaultKind::NegativePower),
        BinOp::Pow => int_pow(a, b, ty),
        BinOp::LShift | BinOp::RShift if b < 0 => Err(FaultKind::NegativeShift),
        BinOp::LShift if ty == Ty::Int => {
            if a == 0 {
                Ok(0)
            } else if b >= 64 {
                Err(FaultKind::IntOverflow)
            } else {
                finish(a << b, ty)
            }
        }
        BinOp::LShift => Ok(if b >= bits {
            0
        } else {
            wrap(((a as u128) << b) as i128, ty)
        }),
        BinOp::RShift => Ok(if b >= bits {
            if a < 0 { -1 } else { 0 }
        } else {
            a >> b
        }),
        BinOp::BitAnd => Ok(wrap(a & b, ty)),
        BinOp::BitOr => Ok(wrap(a | b, ty)),
        BinOp::BitXor => Ok(wrap(a ^ b, ty)),
        BinOp::Div => unreachable!(),
    }
}

const OPS: [BinOp; 11] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::FloorDiv,
    BinOp::Mod,
    BinOp::Pow,
    BinOp::LShift,
    BinOp::RShift,
    BinOp::BitAnd,
    BinOp::BitOr,
    BinOp::BitXor,
];

#[test]
fn binary_operators_match_the_reference_on_boundaries() {
    for ty in INT_TYPES {
        let values = int_boundaries(ty);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for &a in &values {
            for &b in &values {
                xs.push(int_scalar(a, ty));
                ys.push(int_scalar(b, ty));
            }
        }
        let cols = [Column::new(ty, &xs), Column::new(ty, &ys)];
        for op in OPS {
            let compiled = compile_columns(&binary_kernel(op, ty));
            for k in 0..xs.len() {
                let (a, b) = (xs[k].as_i128().unwrap(), ys[k].as_i128().unwrap());
                let want = reference(op, ty, a, b)
                    .map(|v| int_scalar(v, ty))
                    .map_err(|f| (f, sp(10, 20)));
                let got = run_one(&compiled, &cols, k, ty);
                assert_eq!(got, want, "{ty} {a} {} {b}", op.symbol());
            }
        }
    }
}

#[test]
fn unary_operators_and_abs() {
    for ty in INT_TYPES {
        let values: Vec<Scalar> = int_boundaries(ty)
            .iter()
            .map(|&v| int_scalar(v, ty))
            .collect();
        let cols = [Column::new(ty, &values)];
        let neg = compile_columns(&kernel("neg", &[("a", ty)], ty).body(vec![ret(unary(
            UnOp::Neg,
            var(0, ty),
            sp(5, 6),
        ))]));
        let inv = compile_columns(&kernel("inv", &[("a", ty)], ty).body(vec![ret(unary(
            UnOp::Invert,
            var(0, ty),
            sp(5, 6),
        ))]));
        let pos = compile_columns(&kernel("pos", &[("a", ty)], ty).body(vec![ret(unary(
            UnOp::Pos,
            var(0, ty),
            sp(5, 6),
        ))]));
        let abs = compile_columns(&kernel("abs", &[("a", ty)], ty).body(vec![ret(call(
            Builtin::Abs,
            vec![var(0, ty)],
            ty,
            sp(7, 9),
        ))]));
        for (k, v) in values.iter().enumerate() {
            let a = v.as_i128().unwrap();
            let want_neg = finish(-a, ty)
                .map(|r| int_scalar(r, ty))
                .map_err(|f| (f, sp(5, 6)));
            assert_eq!(run_one(&neg, &cols, k, ty), want_neg, "-{a} {ty}");
            assert_eq!(
                run_one(&inv, &cols, k, ty),
                Ok(int_scalar(wrap(!a, ty), ty)),
                "~{a} {ty}"
            );
            assert_eq!(run_one(&pos, &cols, k, ty), Ok(*v));
            let want_abs = finish(a.abs(), ty)
                .map(|r| int_scalar(r, ty))
                .map_err(|f| (f, sp(7, 9)));
            assert_eq!(run_one(&abs, &cols, k, ty), want_abs, "abs({a}) {ty}");
        }
    }
}

#[test]
fn comparisons_including_exact_mixed_sign() {
    let ops = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];
    let truth = |op: CmpOp, a: i128, b: i128| match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    };
    let mut pairs: Vec<(Ty, Ty)> = INT_TYPES.iter().map(|&t| (t, t)).collect();
    pairs.extend([
        (Ty::U8, Ty::S8),
        (Ty::S8, Ty::U8),
        (Ty::U8, Ty::Int),
        (Ty::Int, Ty::U8),
        (Ty::B1, Ty::B1),
    ]);
    for (ta, tb) in pairs {
        let (va, vb) = (int_boundaries_or_bool(ta), int_boundaries_or_bool(tb));
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for &a in &va {
            for &b in &vb {
                xs.push(int_scalar(a, ta));
                ys.push(int_scalar(b, tb));
            }
        }
        let cols = [Column::new(ta, &xs), Column::new(tb, &ys)];
        for op in ops {
            let k = kernel("cmp", &[("a", ta), ("b", tb)], Ty::B1).body(vec![ret(cmp(
                op,
                var(0, ta),
                var(1, tb),
            ))]);
            let compiled = compile_columns(&k);
            for i in 0..xs.len() {
                let (a, b) = (xs[i].as_i128().unwrap(), ys[i].as_i128().unwrap());
                assert_eq!(
                    run_one(&compiled, &cols, i, Ty::B1),
                    Ok(Scalar::Bool(truth(op, a, b))),
                    "{ta} {a} {} {tb} {b}",
                    op.symbol()
                );
            }
        }
    }
}

fn int_boundaries_or_bool(ty: Ty) -> Vec<i128> {
    if ty == Ty::B1 {
        vec![0, 1]
    } else {
        int_boundaries(ty)
    }
}

#[test]
fn min_and_max_follow_python() {
    for ty in INT_TYPES {
        let values = int_boundaries(ty);
        let (mut xs, mut ys, mut zs) = (Vec::new(), Vec::new(), Vec::new());
        for &a in &values {
            for &b in values.iter().step_by(3) {
                xs.push(int_scalar(a, ty));
                ys.push(int_scalar(b, ty));
                zs.push(int_scalar(values[(a as usize) % values.len()], ty));
            }
        }
        let cols = [
            Column::new(ty, &xs),
            Column::new(ty, &ys),
            Column::new(ty, &zs),
        ];
        for (builtin, pick) in [
            (Builtin::Min, i128::min as fn(i128, i128) -> i128),
            (Builtin::Max, i128::max),
        ] {
            let k = kernel("mm", &[("a", ty), ("b", ty), ("c", ty)], ty).body(vec![ret(call(
                builtin,
                vec![var(0, ty), var(1, ty), var(2, ty)],
                ty,
                sp(1, 2),
            ))]);
            let compiled = compile_columns(&k);
            for i in 0..xs.len() {
                let want = pick(
                    pick(xs[i].as_i128().unwrap(), ys[i].as_i128().unwrap()),
                    zs[i].as_i128().unwrap(),
                );
                assert_eq!(run_one(&compiled, &cols, i, ty), Ok(int_scalar(want, ty)));
            }
        }
    }
}
