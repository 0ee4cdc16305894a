//! Integer arithmetic of both families on exact values (i128 holds every operand and most
//! results): the width types wrap modulo 2**bits and report whether the mathematical result
//! left the type (`exact == false`); `Int` raises IntOverflow instead of leaving 64 bits.
//! B1 operands (`True & False`) are treated as an unsigned 1-bit width type.

use crate::fault::FaultKind;
use crate::ops::{BinOp, UnOp};
use crate::types::Ty;

/// An integer result: the value of the type, and whether it equals Python's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntResult {
    pub value: i128,
    pub exact: bool,
}

/// Bit width and signedness used for wrapping (`Int` wraps like S8 when asked to, in `IntWrap`).
fn layout(ty: Ty) -> (u32, bool) {
    match ty {
        Ty::B1 => (1, false),
        Ty::Int => (64, true),
        Ty::F4 | Ty::F8 => (64, true), // not an integer type: unreachable from checked IR
        other => (other.bits(), other.is_signed()),
    }
}

/// `v` modulo 2**bits of `ty`, as the type's (two's complement) value.
pub fn wrap(v: i128, ty: Ty) -> i128 {
    let (bits, signed) = layout(ty);
    let modulus = 1i128 << bits;
    let m = v & (modulus - 1);
    if signed && m >= modulus >> 1 {
        m - modulus
    } else {
        m
    }
}

/// Whether `v` is a value of `ty`.
pub fn fits(v: i128, ty: Ty) -> bool {
    let (bits, signed) = layout(ty);
    if signed {
        v >= -(1i128 << (bits - 1)) && v < (1i128 << (bits - 1))
    } else {
        v >= 0 && v < (1i128 << bits)
    }
}

/// Turns a mathematical result into the type's result. `math` is None when the result is
/// beyond i128 (then certainly out of range); `low` is congruent to it modulo 2**128.
fn finish(ty: Ty, math: Option<i128>, low: i128) -> Result<IntResult, FaultKind> {
    if ty == Ty::Int {
        return match math {
            Some(v) if fits(v, Ty::Int) => Ok(IntResult {
                value: v,
                exact: true,
            }),
            _ => Err(FaultKind::IntOverflow),
        };
    }
    let value = wrap(low, ty);
    Ok(IntResult {
        value,
        exact: math == Some(value),
    })
}

fn exact(ty: Ty, v: i128) -> Result<IntResult, FaultKind> {
    finish(ty, Some(v), v)
}

/// Python's floor division of exact integers (b != 0).
pub fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

/// Python's modulo of exact integers (b != 0): the result takes the divisor's sign.
pub fn floor_mod(a: i128, b: i128) -> i128 {
    let r = a % b;
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

/// `a op b` in type `ty` (both operands are values of `ty`).
pub fn binary(op: BinOp, ty: Ty, a: i128, b: i128) -> Result<IntResult, FaultKind> {
    let (bits, _) = layout(ty);
    match op {
        BinOp::Add => exact(ty, a + b),
        BinOp::Sub => exact(ty, a - b),
        BinOp::Mul => finish(ty, a.checked_mul(b), a.wrapping_mul(b)),
        // `/` never has integer operands in checked IR; floor division is the integer reading.
        BinOp::Div | BinOp::FloorDiv => {
            if b == 0 {
                return Err(FaultKind::ZeroDivision);
            }
            exact(ty, floor_div(a, b))
        }
        BinOp::Mod => {
            if b == 0 {
                return Err(FaultKind::ZeroDivision);
            }
            exact(ty, floor_mod(a, b))
        }
        BinOp::Pow => pow(ty, a, b),
        BinOp::LShift => {
            if b < 0 {
                return Err(FaultKind::NegativeShift);
            }
            if b >= bits as i128 {
                // Python's result is a*2**b: zero only for a == 0; the width types give 0.
                return finish(ty, if a == 0 { Some(0) } else { None }, 0);
            }
            // |a| <= 2**64 and b < 64: a << b fits in i128.
            exact(ty, a << b)
        }
        BinOp::RShift => {
            if b < 0 {
                return Err(FaultKind::NegativeShift);
            }
            // Arithmetic shift on the exact value: floor(a / 2**b), the sign fill for
            // negative values, 0 or -1 once the count reaches the width.
            let count = b.min(bits as i128) as u32;
            exact(ty, a >> count)
        }
        BinOp::BitAnd => exact(ty, a & b),
        BinOp::BitOr => exact(ty, a | b),
        BinOp::BitXor => exact(ty, a ^ b),
    }
}

/// `base ** exp` with exp >= 0 (NegativePower otherwise); 0**0 is 1.
fn pow(ty: Ty, base: i128, exp: i128) -> Result<IntResult, FaultKind> {
    if exp < 0 {
        return Err(FaultKind::NegativePower);
    }
    // Square-and-multiply, once exactly (checked) and once modulo 2**128 (wrapping). A base
    // is squared only while the exponent has bits left, so for |base| >= 2 every intermediate
    // is at most the final magnitude: an overflowing intermediate means an out-of-range result.
    let mut exact_acc = Some(1i128);
    let mut exact_base = Some(base);
    let mut low_acc = 1i128;
    let mut low_base = base;
    let mut e = exp as u128;
    loop {
        if e & 1 == 1 {
            exact_acc = match (exact_acc, exact_base) {
                (Some(a), Some(b)) => a.checked_mul(b),
                _ => None,
            };
            low_acc = low_acc.wrapping_mul(low_base);
        }
        e >>= 1;
        if e == 0 {
            break;
        }
        exact_base = exact_base.and_then(|b| b.checked_mul(b));
        low_base = low_base.wrapping_mul(low_base);
    }
    finish(ty, exact_acc, low_acc)
}

/// `-a`, `+a`, `~a` in type `ty`.
pub fn unary(op: UnOp, ty: Ty, a: i128) -> Result<IntResult, FaultKind> {
    match op {
        UnOp::Neg => exact(ty, -a),
        UnOp::Pos => exact(ty, a),
        UnOp::Invert => exact(ty, !a),
    }
}

/// `abs(a)`: wraps for the width types (abs(S1(-128)) == -128), IntOverflow for `int` MIN.
pub fn abs(ty: Ty, a: i128) -> Result<IntResult, FaultKind> {
    exact(ty, a.abs())
}
