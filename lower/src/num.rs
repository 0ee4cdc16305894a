//! Arithmetic: unary and binary operators on integers and floats, with every guard that keeps
//! the machine code from trapping (division by zero, MIN / -1) and Python's rules (floor
//! division, modulo signs, `int` overflow checks, shift counts, integer powers).

use crate::error::LowerError;
use crate::math::HelperFn;
use crate::translate::{Translator, clif_type};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, Value, types};
use frontend::ops::{BinOp, UnOp};
use frontend::{FaultKind, Span, Ty};

impl<'k, 'f, 'm> Translator<'k, 'f, 'm> {
    pub fn lower_unary(
        &mut self,
        op: UnOp,
        ty: Ty,
        v: Value,
        span: Span,
    ) -> Result<Value, LowerError> {
        match (op, ty) {
            (UnOp::Pos, _) => Ok(v),
            (UnOp::Neg, Ty::F4 | Ty::F8) => Ok(self.b.ins().fneg(v)),
            (UnOp::Neg, Ty::Int) => {
                let zero = self.iconst(types::I64, 0);
                let (r, overflow) = self.b.ins().ssub_overflow(zero, v);
                self.fault_if(overflow, FaultKind::IntOverflow, span)?;
                Ok(r)
            }
            (UnOp::Neg, t) if t.is_width_int() => Ok(self.b.ins().ineg(v)),
            // ~x == -x - 1 never overflows, for `int` too.
            (UnOp::Invert, t) if t.is_int() => Ok(self.b.ins().bnot(v)),
            _ => Err(LowerError::Unsupported(format!("unary {op:?} on {ty}"))),
        }
    }

    /// `a op b` where both operands have type `ty` (for `/`, a float type).
    pub fn lower_binary(
        &mut self,
        op: BinOp,
        ty: Ty,
        a: Value,
        b: Value,
        span: Span,
    ) -> Result<Value, LowerError> {
        if ty.is_float() {
            return self.lower_float_binary(op, ty, a, b, span);
        }
        let checked = ty == Ty::Int;
        let value = match op {
            BinOp::BitAnd => self.b.ins().band(a, b),
            BinOp::BitOr => self.b.ins().bor(a, b),
            BinOp::BitXor => self.b.ins().bxor(a, b),
            _ if !ty.is_int() => {
                return Err(LowerError::Unsupported(format!("{} on {ty}", op.symbol())));
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul if checked => {
                let (r, overflow) = match op {
                    BinOp::Add => self.b.ins().sadd_overflow(a, b),
                    BinOp::Sub => self.b.ins().ssub_overflow(a, b),
                    _ => self.b.ins().smul_overflow(a, b),
                };
                self.fault_if(overflow, FaultKind::IntOverflow, span)?;
                r
            }
            BinOp::Add => self.b.ins().iadd(a, b),
            BinOp::Sub => self.b.ins().isub(a, b),
            BinOp::Mul => self.b.ins().imul(a, b),
            BinOp::FloorDiv => return self.lower_int_div_mod(ty, a, b, span, true),
            BinOp::Mod => return self.lower_int_div_mod(ty, a, b, span, false),
            BinOp::Pow => return self.lower_int_pow(ty, a, b, span),
            BinOp::LShift => return self.lower_shift_left(ty, a, b, span),
            BinOp::RShift => return self.lower_shift_right(ty, a, b, span),
            BinOp::Div => {
                return Err(LowerError::Unsupported(format!(
                    "/ on {ty} (the checker converts to float)"
                )));
            }
        };
        Ok(value)
    }

    fn lower_float_binary(
        &mut self,
        op: BinOp,
        ty: Ty,
        a: Value,
        b: Value,
        span: Span,
    ) -> Result<Value, LowerError> {
        match op {
            BinOp::Add => Ok(self.b.ins().fadd(a, b)),
            BinOp::Sub => Ok(self.b.ins().fsub(a, b)),
            BinOp::Mul => Ok(self.b.ins().fmul(a, b)),
            BinOp::Div => {
                // Python raises ZeroDivisionError for float division by (either signed) zero.
                // f32 division is the F8 division rounded once, so F4 divides in f32.
                let zero = self.zero(ty);
                let is_zero = self.b.ins().fcmp(FloatCC::Equal, b, zero);
                self.fault_if(is_zero, FaultKind::ZeroDivision, span)?;
                Ok(self.b.ins().fdiv(a, b))
            }
            // CPython's float_floor_div / float_rem / float_pow (zero divisor included), the
            // reference's own code; F4 operands are widened and the result rounded once.
            BinOp::FloorDiv | BinOp::Mod | BinOp::Pow => {
                self.call_helper(HelperFn::FloatOp(op), ty, a, Some(b), span)
            }
            _ => Err(LowerError::Unsupported(format!("{} on {ty}", op.symbol()))),
        }
    }

    /// Python's `//` or `%` on integers. Division by zero faults; a divisor of -1 never reaches
    /// the divide instruction (MIN / -1 traps on x86): the quotient is `-a` (wrapping, or an
    /// `IntOverflow` for `int` floor division) and the remainder 0.
    fn lower_int_div_mod(
        &mut self,
        ty: Ty,
        a: Value,
        b: Value,
        span: Span,
        want_div: bool,
    ) -> Result<Value, LowerError> {
        let cty = clif_type(ty);
        let is_zero = self.b.ins().icmp_imm_u(IntCC::Equal, b, 0);
        self.fault_if(is_zero, FaultKind::ZeroDivision, span)?;
        if !ty.is_signed() {
            return Ok(if want_div {
                self.b.ins().udiv(a, b)
            } else {
                self.b.ins().urem(a, b)
            });
        }
        let minus_one = self.iconst(cty, -1);
        let is_minus_one = self.b.ins().icmp(IntCC::Equal, b, minus_one);
        if ty == Ty::Int && want_div {
            let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, i64::MIN);
            let overflow = self.b.ins().band(is_min, is_minus_one);
            self.fault_if(overflow, FaultKind::IntOverflow, span)?;
        }
        let one = self.iconst(cty, 1);
        let divisor = self.b.ins().select(is_minus_one, one, b);
        let q = self.b.ins().sdiv(a, divisor);
        let product = self.b.ins().imul(q, divisor);
        let r = self.b.ins().isub(a, product);
        // Floor: a non-zero remainder whose sign differs from the divisor's moves one down.
        let r_nonzero = self.b.ins().icmp_imm_u(IntCC::NotEqual, r, 0);
        let sign_mix = self.b.ins().bxor(r, b);
        let signs_differ = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, sign_mix, 0);
        let adjust = self.b.ins().band(r_nonzero, signs_differ);
        if want_div {
            let negated = self.b.ins().ineg(a);
            let q = self.b.ins().select(is_minus_one, negated, q);
            let q_less = self.b.ins().iadd_imm_s(q, -1);
            Ok(self.b.ins().select(adjust, q_less, q))
        } else {
            let r_shifted = self.b.ins().iadd(r, b);
            Ok(self.b.ins().select(adjust, r_shifted, r))
        }
    }

    /// `a ** b` on integers by square-and-multiply (at most 64 rounds). A negative exponent
    /// faults `NegativePower`; `int` checks every multiply whose result is used.
    fn lower_int_pow(
        &mut self,
        ty: Ty,
        a: Value,
        b: Value,
        span: Span,
    ) -> Result<Value, LowerError> {
        let cty = clif_type(ty);
        if ty.is_signed() {
            let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, b, 0);
            self.fault_if(negative, FaultKind::NegativePower, span)?;
        }
        let overflow_word = if ty == Ty::Int {
            Some(self.status_word(FaultKind::IntOverflow, span)?)
        } else {
            None
        };
        let header = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, cty);
        let (acc, base, exp) = (
            self.b.append_block_param(header, cty),
            self.b.append_block_param(header, cty),
            self.b.append_block_param(header, cty),
        );
        let one = self.iconst(cty, 1);
        self.b.ins().jump(header, &[one.into(), a.into(), b.into()]);

        self.b.switch_to_block(header);
        self.b.ins().brif(exp, body, &[], done, &[acc.into()]);

        self.b.switch_to_block(body);
        let bit = self.b.ins().band_imm_u(exp, 1);
        let exp_next = self.b.ins().ushr_imm_u(exp, 1);
        let (acc_next, base_next) = match overflow_word {
            None => {
                let times = self.b.ins().imul(acc, base);
                let acc_next = self.b.ins().select(bit, times, acc);
                let squared = self.b.ins().imul(base, base);
                (acc_next, squared)
            }
            Some(word) => {
                let status = self.b.ins().iconst(types::I32, word as i64);
                let (times, of_times) = self.b.ins().smul_overflow(acc, base);
                let bit_set = self.b.ins().icmp_imm_u(IntCC::NotEqual, bit, 0);
                let bad = self.b.ins().band(bit_set, of_times);
                self.leave_if(bad, status);
                let acc_next = self.b.ins().select(bit, times, acc);
                // The square is only used when bits remain.
                let (squared, of_square) = self.b.ins().smul_overflow(base, base);
                let more = self.b.ins().icmp_imm_u(IntCC::NotEqual, exp_next, 0);
                let bad = self.b.ins().band(more, of_square);
                self.leave_if(bad, status);
                (acc_next, squared)
            }
        };
        self.b.ins().jump(
            header,
            &[acc_next.into(), base_next.into(), exp_next.into()],
        );

        self.b.switch_to_block(done);
        Ok(result)
    }

    /// The shift count as the CLIF shift sees it is taken modulo the width, so counts of the
    /// width or more are handled explicitly; a negative count faults first.
    fn shift_guards(&mut self, ty: Ty, n: Value, span: Span) -> Result<Value, LowerError> {
        if ty.is_signed() {
            let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, n, 0);
            self.fault_if(negative, FaultKind::NegativeShift, span)?;
        }
        Ok(self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, n, ty.bits() as i64))
    }

    fn lower_shift_left(
        &mut self,
        ty: Ty,
        a: Value,
        n: Value,
        span: Span,
    ) -> Result<Value, LowerError> {
        let too_far = self.shift_guards(ty, n, span)?;
        let zero = self.iconst(clif_type(ty), 0);
        let shifted = self.b.ins().ishl(a, n);
        let result = self.b.ins().select(too_far, zero, shifted);
        if ty == Ty::Int {
            // Python's a << n fits when shifting back gives a again (and a == 0 always fits).
            let back = self.b.ins().sshr(shifted, n);
            let lost = self.b.ins().icmp(IntCC::NotEqual, back, a);
            let lost = self.b.ins().bor(lost, too_far);
            let nonzero = self.b.ins().icmp_imm_u(IntCC::NotEqual, a, 0);
            let overflow = self.b.ins().band(lost, nonzero);
            self.fault_if(overflow, FaultKind::IntOverflow, span)?;
        }
        Ok(result)
    }

    fn lower_shift_right(
        &mut self,
        ty: Ty,
        a: Value,
        n: Value,
        span: Span,
    ) -> Result<Value, LowerError> {
        let too_far = self.shift_guards(ty, n, span)?;
        let cty = clif_type(ty);
        if ty.is_signed() {
            // Shifting by width-1 gives the sign fill that every larger count gives.
            let last = self.iconst(cty, ty.bits() as i64 - 1);
            let count = self.b.ins().select(too_far, last, n);
            Ok(self.b.ins().sshr(a, count))
        } else {
            let zero = self.iconst(cty, 0);
            let shifted = self.b.ins().ushr(a, n);
            Ok(self.b.ins().select(too_far, zero, shifted))
        }
    }
}

/// The number of iterations of `range(start, stop, step)` (step non-zero, checked before), as
/// an I64 holding an unsigned count. Computed in 64 bits where the distance between the bounds
/// is exact as an unsigned number.
pub(crate) fn range_trip_count(
    t: &mut Translator,
    ty: Ty,
    start: Value,
    stop: Value,
    step: Value,
) -> Value {
    let (s, e, k) = if clif_type(ty) == types::I64 {
        (start, stop, step)
    } else if ty.is_signed() {
        (
            t.b.ins().sextend(types::I64, start),
            t.b.ins().sextend(types::I64, stop),
            t.b.ins().sextend(types::I64, step),
        )
    } else {
        (
            t.b.ins().uextend(types::I64, start),
            t.b.ins().uextend(types::I64, stop),
            t.b.ins().uextend(types::I64, step),
        )
    };
    let zero = t.iconst(types::I64, 0);
    let (has_any, distance, magnitude) = if ty.is_signed() {
        let upward = t.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, k, 0);
        let up_any = t.b.ins().icmp(IntCC::SignedLessThan, s, e);
        let down_any = t.b.ins().icmp(IntCC::SignedGreaterThan, s, e);
        let up_dist = t.b.ins().isub(e, s);
        let down_dist = t.b.ins().isub(s, e);
        let neg_k = t.b.ins().ineg(k);
        (
            t.b.ins().select(upward, up_any, down_any),
            t.b.ins().select(upward, up_dist, down_dist),
            t.b.ins().select(upward, k, neg_k),
        )
    } else {
        (
            t.b.ins().icmp(IntCC::UnsignedLessThan, s, e),
            t.b.ins().isub(e, s),
            k,
        )
    };
    // (distance - 1) / |step| + 1; the divisor is non-zero, so the udiv cannot trap.
    let before_last = t.b.ins().iadd_imm_s(distance, -1);
    let steps = t.b.ins().udiv(before_last, magnitude);
    let trips = t.b.ins().iadd_imm_s(steps, 1);
    t.b.ins().select(has_any, trips, zero)
}
