//! Expressions: dispatch on the IR node, constants, comparisons and the short-circuit forms
//! (`and`, `or`, `x if c else y`): control flow with a join block, or a select where the
//! operand Python might skip is cheap and safe to evaluate anyway (`speculatable`).

use crate::error::LowerError;
use crate::if_convert::{ARM_BUDGET, speculatable};
use crate::translate::{Translator, clif_type};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, Value};
use frontend::ir::{Expr, ExprKind};
use frontend::ops::CmpOp;
use frontend::{Scalar, Ty};

impl<'k, 'f, 'm> Translator<'k, 'f, 'm> {
    pub fn lower_expr(&mut self, e: &'k Expr) -> Result<Value, LowerError> {
        match &e.kind {
            ExprKind::Const(s) => self.constant(*s, e.ty),
            ExprKind::Local(id) => self.use_local(*id),
            ExprKind::Bind(id, inner) => {
                let v = self.lower_expr(inner)?;
                self.def_local(*id, v)?;
                Ok(v)
            }
            ExprKind::Convert(how, inner) => {
                let v = self.lower_expr(inner)?;
                self.lower_convert(*how, v, inner.ty, e.ty, e.span)
            }
            ExprKind::Unary(op, inner) => {
                let v = self.lower_expr(inner)?;
                self.lower_unary(*op, e.ty, v, e.span)
            }
            ExprKind::Not(inner) => {
                let v = self.lower_expr(inner)?;
                Ok(self.b.ins().bxor_imm_u(v, 1))
            }
            ExprKind::Binary(op, a, b) => {
                let va = self.lower_expr(a)?;
                let vb = self.lower_expr(b)?;
                self.lower_binary(*op, a.ty, va, vb, e.span)
            }
            ExprKind::Compare(op, a, b) => {
                let va = self.lower_expr(a)?;
                let vb = self.lower_expr(b)?;
                self.lower_compare(*op, a.ty, va, b.ty, vb)
            }
            ExprKind::And(a, b) => self.lower_and_or(true, a, b, e.ty),
            ExprKind::Or(a, b) => self.lower_and_or(false, a, b, e.ty),
            ExprKind::IfElse { cond, then, els } => self.lower_if_else(cond, then, els, e.ty),
            ExprKind::Call(builtin, args) => self.lower_call(*builtin, args, e.ty, e.span),
            ExprKind::CallKernel(kernel, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.lower_expr(a)?);
                }
                self.lower_inline(kernel, &values)
            }
        }
    }

    pub fn constant(&mut self, s: Scalar, ty: Ty) -> Result<Value, LowerError> {
        Ok(match (s, ty) {
            (Scalar::Float(f), Ty::F4) => self.b.ins().f32const(f as f32),
            (Scalar::Float(f), Ty::F8) => self.b.ins().f64const(f),
            (Scalar::Bool(v), Ty::B1) => self.iconst(clif_type(ty), v as i64),
            (Scalar::Int(v), t) if t.is_int() => self.iconst(clif_type(ty), v),
            (Scalar::UInt(v), t) if t.is_int() => self.iconst(clif_type(ty), v as i64),
            _ => {
                return Err(LowerError::Unsupported(format!(
                    "constant {s:?} of type {ty}"
                )));
            }
        })
    }

    /// A comparison; the operands have one type except U8 against S8/`Int`, compared exactly.
    pub fn lower_compare(
        &mut self,
        op: CmpOp,
        ta: Ty,
        a: Value,
        tb: Ty,
        b: Value,
    ) -> Result<Value, LowerError> {
        if ta.is_float() {
            return Ok(self.b.ins().fcmp(float_cc(op), a, b));
        }
        if ta != tb {
            return self.lower_mixed_sign_compare(op, ta, a, tb, b);
        }
        Ok(self.b.ins().icmp(int_cc(op, ta.is_signed()), a, b))
    }

    /// U8 against a signed 64-bit value: a negative signed value is below every U8; otherwise
    /// both are in U8's range and compare unsigned.
    fn lower_mixed_sign_compare(
        &mut self,
        op: CmpOp,
        ta: Ty,
        a: Value,
        tb: Ty,
        b: Value,
    ) -> Result<Value, LowerError> {
        let a_unsigned = match (ta, tb) {
            (Ty::U8, Ty::S8 | Ty::Int) => true,
            (Ty::S8 | Ty::Int, Ty::U8) => false,
            _ => {
                return Err(LowerError::Unsupported(format!(
                    "comparison of {ta} with {tb}"
                )));
            }
        };
        let signed = if a_unsigned { b } else { a };
        let negative = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, signed, 0);
        let unsigned_result = self.b.ins().icmp(int_cc(op, false), a, b);
        // When the signed side is negative, the unsigned side is the greater one.
        let a_greater = a_unsigned;
        let when_negative = match op {
            CmpOp::Eq => false,
            CmpOp::Ne => true,
            CmpOp::Lt | CmpOp::Le => !a_greater,
            CmpOp::Gt | CmpOp::Ge => a_greater,
        };
        let fixed = self.iconst(cranelift_codegen::ir::types::I8, when_negative as i64);
        Ok(self.b.ins().select(negative, fixed, unsigned_result))
    }

    /// `a and b` / `a or b`: yields an operand's value; `b` is evaluated (or its faults raised)
    /// only when needed.
    fn lower_and_or(
        &mut self,
        is_and: bool,
        a: &'k Expr,
        b: &'k Expr,
        ty: Ty,
    ) -> Result<Value, LowerError> {
        let va = self.lower_expr(a)?;
        let truth = self.truth(va, a.ty);
        if speculatable(b, ARM_BUDGET) {
            // No branch: `b` is evaluated either way, its faults raised only where Python
            // evaluates it (`a` true for `and`, false for `or`). In a loop condition such as
            // `n < 100 and zr * zr + zi * zi <= 4.0` this also lets the body reuse `zr * zr`.
            let needed = if is_and {
                truth
            } else {
                self.b.ins().bxor_imm_u(truth, 1)
            };
            let outer = self.fault_guard;
            let guard = self.guard_and(outer, needed);
            self.fault_guard = Some(guard);
            let vb = self.lower_expr(b);
            self.fault_guard = outer;
            let vb = vb?;
            return Ok(match (ty, a.ty, b.ty) {
                (Ty::B1, Ty::B1, Ty::B1) if is_and => self.b.ins().band(va, vb),
                (Ty::B1, Ty::B1, Ty::B1) => self.b.ins().bor(va, vb),
                _ => self.select_value(needed, vb, va, ty),
            });
        }
        let rhs = self.b.create_block();
        let join = self.b.create_block();
        let result = self.b.append_block_param(join, clif_type(ty));
        if is_and {
            self.b.ins().brif(truth, rhs, &[], join, &[va.into()]);
        } else {
            self.b.ins().brif(truth, join, &[va.into()], rhs, &[]);
        }
        self.b.switch_to_block(rhs);
        let vb = self.lower_expr(b)?;
        self.b.ins().jump(join, &[vb.into()]);
        self.b.switch_to_block(join);
        Ok(result)
    }

    fn lower_if_else(
        &mut self,
        cond: &'k Expr,
        then: &'k Expr,
        els: &'k Expr,
        ty: Ty,
    ) -> Result<Value, LowerError> {
        let c = self.lower_expr(cond)?;
        if speculatable(then, ARM_BUDGET) && speculatable(els, ARM_BUDGET) {
            return self.lower_if_else_select(c, then, els, ty);
        }
        let then_block = self.b.create_block();
        let else_block = self.b.create_block();
        let join = self.b.create_block();
        let result = self.b.append_block_param(join, clif_type(ty));
        self.b.ins().brif(c, then_block, &[], else_block, &[]);
        for (block, e) in [(then_block, then), (else_block, els)] {
            self.b.switch_to_block(block);
            let v = self.lower_expr(e)?;
            self.b.ins().jump(join, &[v.into()]);
        }
        self.b.switch_to_block(join);
        Ok(result)
    }
}

/// The float condition of a comparison (scalar and F64X2 lanes alike).
pub(crate) fn float_cc(op: CmpOp) -> FloatCC {
    match op {
        CmpOp::Eq => FloatCC::Equal,
        // NaN != NaN is true in Python: unordered-or-not-equal.
        CmpOp::Ne => FloatCC::NotEqual,
        CmpOp::Lt => FloatCC::LessThan,
        CmpOp::Le => FloatCC::LessThanOrEqual,
        CmpOp::Gt => FloatCC::GreaterThan,
        CmpOp::Ge => FloatCC::GreaterThanOrEqual,
    }
}

pub(crate) fn int_cc(op: CmpOp, signed: bool) -> IntCC {
    match (op, signed) {
        (CmpOp::Eq, _) => IntCC::Equal,
        (CmpOp::Ne, _) => IntCC::NotEqual,
        (CmpOp::Lt, true) => IntCC::SignedLessThan,
        (CmpOp::Le, true) => IntCC::SignedLessThanOrEqual,
        (CmpOp::Gt, true) => IntCC::SignedGreaterThan,
        (CmpOp::Ge, true) => IntCC::SignedGreaterThanOrEqual,
        (CmpOp::Lt, false) => IntCC::UnsignedLessThan,
        (CmpOp::Le, false) => IntCC::UnsignedLessThanOrEqual,
        (CmpOp::Gt, false) => IntCC::UnsignedGreaterThan,
        (CmpOp::Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
    }
}
