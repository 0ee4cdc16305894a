//! Conversions between the scalar types: integer resizing (wrapping or checked), int <-> float
//! (float -> int with an explicit NaN and range check before a saturating convert, so it never
//! traps), float <-> float, truth values, and the storage -> parameter widening of loop inputs.

use crate::error::LowerError;
use crate::translate::{Translator, clif_type};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, Value, types};
use frontend::ops::{Convert, RoundMode};
use frontend::{FaultKind, Span, Ty};

impl<'k, 'f, 'm> Translator<'k, 'f, 'm> {
    pub fn lower_convert(
        &mut self,
        how: Convert,
        v: Value,
        from: Ty,
        to: Ty,
        span: Span,
    ) -> Result<Value, LowerError> {
        match how {
            Convert::IntWrap if from.is_int() && to.is_int() => Ok(self.int_resize(v, from, to)),
            Convert::IntChecked if from.is_int() && to.is_int() => {
                self.int_checked(v, from, to, span)
            }
            Convert::IntToFloat if from.is_int() && to.is_float() => {
                Ok(self.int_to_float(v, from, to))
            }
            Convert::FloatToFloat if from.is_float() && to.is_float() => {
                Ok(self.float_to_float(v, from, to))
            }
            Convert::FloatToInt(mode) if from.is_float() && to.is_int() => {
                self.float_to_int(mode, v, from, to, span)
            }
            Convert::Truth if to == Ty::B1 => Ok(self.truth(v, from)),
            Convert::FromBool if from == Ty::B1 => Ok(self.bool_to_number(v, to)),
            _ => Err(LowerError::Unsupported(format!(
                "conversion {how:?} from {from} to {to}"
            ))),
        }
    }

    /// Widening an input from its storage type to the parameter type (lossless by contract).
    pub fn convert_input(&mut self, v: Value, storage: Ty, param: Ty) -> Result<Value, LowerError> {
        if storage == param.storage() {
            return Ok(v);
        }
        Ok(match (storage, param) {
            (Ty::B1, p) => self.bool_to_number(v, p),
            (s, p) if s.is_int() && p.is_int() => self.int_resize(v, s, p),
            (s, p) if s.is_int() && p.is_float() => self.int_to_float(v, s, p),
            (s, p) if s.is_float() && p.is_float() => self.float_to_float(v, s, p),
            _ => return Err(LowerError::InputType { storage, param }),
        })
    }

    /// Integer -> integer modulo 2**bits of the target (sign- or zero-extending by the source).
    pub fn int_resize(&mut self, v: Value, from: Ty, to: Ty) -> Value {
        let (fc, tc) = (clif_type(from), clif_type(to));
        if tc.bits() > fc.bits() {
            if from.is_signed() {
                self.b.ins().sextend(tc, v)
            } else {
                self.b.ins().uextend(tc, v)
            }
        } else if tc.bits() < fc.bits() {
            self.b.ins().ireduce(tc, v)
        } else {
            v
        }
    }

    /// Integer -> integer, `IntOverflow` where the value is outside the target's range.
    fn int_checked(&mut self, v: Value, from: Ty, to: Ty, span: Span) -> Result<Value, LowerError> {
        let bad_range = || LowerError::Unsupported(format!("checked conversion {from} -> {to}"));
        let (from_lo, from_hi) = from.int_range().ok_or_else(bad_range)?;
        let (to_lo, to_hi) = to.int_range().ok_or_else(bad_range)?;
        let cty = clif_type(from);
        // Each bound tested lies inside the source range, so it is a constant of the source type.
        if from_lo < to_lo {
            let lo = self.iconst(cty, to_lo as i64);
            let below = self.b.ins().icmp(IntCC::SignedLessThan, v, lo);
            self.fault_if(below, FaultKind::IntOverflow, span)?;
        }
        if from_hi > to_hi {
            let hi = self.iconst(cty, to_hi as i64);
            let cc = if from.is_signed() {
                IntCC::SignedGreaterThan
            } else {
                IntCC::UnsignedGreaterThan
            };
            let above = self.b.ins().icmp(cc, v, hi);
            self.fault_if(above, FaultKind::IntOverflow, span)?;
        }
        Ok(self.int_resize(v, from, to))
    }

    /// Integer -> float, rounded to nearest once (directly to F4 for F4).
    pub fn int_to_float(&mut self, v: Value, from: Ty, to: Ty) -> Value {
        let fty = clif_type(to);
        if from == Ty::U8 {
            return self.b.ins().fcvt_from_uint(fty, v);
        }
        let wide = if clif_type(from) == types::I64 {
            v
        } else {
            self.int_resize(v, from, Ty::S8)
        };
        self.b.ins().fcvt_from_sint(fty, wide)
    }

    fn float_to_float(&mut self, v: Value, from: Ty, to: Ty) -> Value {
        match (from, to) {
            (Ty::F4, Ty::F8) => self.b.ins().fpromote(types::F64, v),
            (Ty::F8, Ty::F4) => self.b.ins().fdemote(types::F32, v),
            _ => v,
        }
    }

    /// Float -> integer: NaN faults `NanToInt`; the rounded value outside the target's range
    /// (infinities included) faults `FloatToIntOverflow`; only then the saturating convert runs.
    pub(crate) fn float_to_int(
        &mut self,
        mode: RoundMode,
        v: Value,
        from: Ty,
        to: Ty,
        span: Span,
    ) -> Result<Value, LowerError> {
        let (lo, hi) = to
            .int_range()
            .ok_or_else(|| LowerError::Unsupported(format!("float to {to}")))?;
        let x = if from == Ty::F4 {
            self.b.ins().fpromote(types::F64, v)
        } else {
            v
        };
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        self.fault_if(nan, FaultKind::NanToInt, span)?;
        let r = match mode {
            RoundMode::Trunc => self.b.ins().trunc(x),
            RoundMode::Floor => self.b.ins().floor(x),
            RoundMode::Ceil => self.b.ins().ceil(x),
            RoundMode::HalfEven => self.b.ins().nearest(x),
        };
        // Both bounds are powers of two (or 0), exact in f64: the range is [lo, hi + 1).
        let lo_f = self.b.ins().f64const(lo as f64);
        let end_f = self.b.ins().f64const((hi + 1) as f64);
        let below = self.b.ins().fcmp(FloatCC::LessThan, r, lo_f);
        let above = self.b.ins().fcmp(FloatCC::GreaterThanOrEqual, r, end_f);
        let out = self.b.ins().bor(below, above);
        self.fault_if(out, FaultKind::FloatToIntOverflow, span)?;
        let wide = if to.is_unsigned() {
            self.b.ins().fcvt_to_uint_sat(types::I64, r)
        } else {
            self.b.ins().fcvt_to_sint_sat(types::I64, r)
        };
        Ok(self.int_resize(wide, Ty::S8, to))
    }

    /// Python truthiness as a B1: non-zero (NaN is true).
    pub fn truth(&mut self, v: Value, ty: Ty) -> Value {
        match ty {
            Ty::B1 => v,
            Ty::F4 | Ty::F8 => {
                let zero = self.zero(ty);
                self.b.ins().fcmp(FloatCC::NotEqual, v, zero)
            }
            _ => self.b.ins().icmp_imm_u(IntCC::NotEqual, v, 0),
        }
    }

    /// B1 (0 or 1) -> any number.
    fn bool_to_number(&mut self, v: Value, to: Ty) -> Value {
        if to.is_float() {
            let wide = self.b.ins().uextend(types::I32, v);
            return self.b.ins().fcvt_from_sint(clif_type(to), wide);
        }
        let tc = clif_type(to);
        if tc == types::I8 {
            v
        } else {
            self.b.ins().uextend(tc, v)
        }
    }
}
