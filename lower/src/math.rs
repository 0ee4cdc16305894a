//! Builtins (`abs`, `min`, `max`), `math` functions and the native entries of float `//`, `%`,
//! `**`. sqrt, fabs, copysign and the classification functions are emitted inline; every other
//! function is a call to the reference implementation's native entry
//! `extern "C" fn(x: f64, y: f64, status: *mut u32) -> f64` whose status (0 = ok, else a fault
//! code, always written) is read back from a 4-byte stack slot after the call.

use crate::error::LowerError;
use crate::translate::{Translator, clif_type};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    AbiParam, FuncRef, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, Value, types,
};
use cranelift_jit::JITBuilder;
use cranelift_module::{Linkage, Module};
use frontend::interp::float_ops;
use frontend::ir::Expr;
use frontend::mathfn;
use frontend::ops::{BinOp, Builtin, MATH_TABLE, MathFn, RoundMode};
use frontend::{FaultKind, Span, Ty};

/// A native function the compiled code calls: the reference implementation's own entries, so
/// compiled code and the interpreter cannot disagree on them.
#[derive(Clone, Copy)]
pub(crate) enum HelperFn {
    /// Float `//`, `%` or `**` (`frontend::interp::float_ops::symbol`).
    FloatOp(BinOp),
    /// A `math` function (`frontend::mathfn::symbol`).
    Math(MathFn),
}

impl HelperFn {
    fn symbol(self) -> Result<(&'static str, *const u8), LowerError> {
        match self {
            HelperFn::FloatOp(op) => float_ops::symbol(op).ok_or_else(|| {
                LowerError::Unsupported(format!("float {} has no native entry", op.symbol()))
            }),
            HelperFn::Math(func) => {
                mathfn::symbol(func).ok_or(LowerError::MathUnavailable(func.name()))
            }
        }
    }
}

/// Binds every native entry the compiled code may call (a few hash inserts per module).
pub(crate) fn register_symbols(builder: &mut JITBuilder) {
    let float_entries = [BinOp::FloorDiv, BinOp::Mod, BinOp::Pow]
        .into_iter()
        .filter_map(float_ops::symbol);
    let math_entries = MATH_TABLE.iter().filter_map(|row| mathfn::symbol(row.func));
    for (name, addr) in float_entries.chain(math_entries) {
        builder.symbol(name, addr);
    }
}

impl<'k, 'f, 'm> Translator<'k, 'f, 'm> {
    pub fn lower_call(
        &mut self,
        builtin: Builtin,
        args: &'k [Expr],
        ty: Ty,
        span: Span,
    ) -> Result<Value, LowerError> {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.lower_expr(a)?);
        }
        let arity_error =
            || LowerError::Unsupported(format!("{builtin:?} with {} arguments", args.len()));
        match builtin {
            Builtin::Abs => {
                let &[x] = values.as_slice() else {
                    return Err(arity_error());
                };
                self.lower_abs(x, ty, span)
            }
            Builtin::Min | Builtin::Max => {
                let (&first, rest) = values.split_first().ok_or_else(arity_error)?;
                Ok(self.lower_min_max(builtin == Builtin::Max, ty, first, rest))
            }
            Builtin::Math(func) => {
                let (x, y) = match *values.as_slice() {
                    [x] => (x, None),
                    [x, y] => (x, Some(y)),
                    _ => return Err(arity_error()),
                };
                self.lower_math(func, x, y, span)
            }
        }
    }

    fn lower_abs(&mut self, x: Value, ty: Ty, span: Span) -> Result<Value, LowerError> {
        match ty {
            Ty::F4 | Ty::F8 => Ok(self.b.ins().fabs(x)),
            Ty::Int => {
                let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                self.fault_if(is_min, FaultKind::IntOverflow, span)?;
                Ok(self.b.ins().iabs(x))
            }
            // Wraps: abs(S1(-128)) is -128.
            t if t.is_signed() => Ok(self.b.ins().iabs(x)),
            t if t.is_unsigned() || t == Ty::B1 => Ok(x),
            _ => Err(LowerError::Unsupported(format!("abs on {ty}"))),
        }
    }

    /// Python's rule: a later argument replaces the current one only when strictly better, so
    /// the first of equal values wins and a NaN first argument stays.
    fn lower_min_max(&mut self, is_max: bool, ty: Ty, first: Value, rest: &[Value]) -> Value {
        let mut best = first;
        for &v in rest {
            let better = if ty.is_float() {
                let cc = if is_max {
                    FloatCC::GreaterThan
                } else {
                    FloatCC::LessThan
                };
                self.b.ins().fcmp(cc, v, best)
            } else {
                let cc = match (is_max, ty.is_signed()) {
                    (true, true) => IntCC::SignedGreaterThan,
                    (true, false) => IntCC::UnsignedGreaterThan,
                    (false, true) => IntCC::SignedLessThan,
                    (false, false) => IntCC::UnsignedLessThan,
                };
                self.b.ins().icmp(cc, v, best)
            };
            best = self.b.ins().select(better, v, best);
        }
        best
    }

    fn lower_math(
        &mut self,
        func: MathFn,
        x: Value,
        y: Option<Value>,
        span: Span,
    ) -> Result<Value, LowerError> {
        let inf = self.b.ins().f64const(f64::INFINITY);
        match (func, y) {
            (MathFn::Sqrt, None) => {
                let zero = self.b.ins().f64const(0.0);
                let negative = self.b.ins().fcmp(FloatCC::LessThan, x, zero);
                self.fault_if(negative, FaultKind::MathDomain, span)?;
                Ok(self.b.ins().sqrt(x))
            }
            (MathFn::Fabs, None) => Ok(self.b.ins().fabs(x)),
            (MathFn::Copysign, Some(y)) => Ok(self.b.ins().fcopysign(x, y)),
            (MathFn::Isnan, None) => Ok(self.b.ins().fcmp(FloatCC::Unordered, x, x)),
            (MathFn::Isinf, None) => {
                let a = self.b.ins().fabs(x);
                Ok(self.b.ins().fcmp(FloatCC::Equal, a, inf))
            }
            (MathFn::Isfinite, None) => {
                let a = self.b.ins().fabs(x);
                Ok(self.b.ins().fcmp(FloatCC::LessThan, a, inf))
            }
            // The checker normally turns these into `Convert::FloatToInt`.
            (MathFn::Floor, None) => self.float_to_int(RoundMode::Floor, x, Ty::F8, Ty::Int, span),
            (MathFn::Ceil, None) => self.float_to_int(RoundMode::Ceil, x, Ty::F8, Ty::Int, span),
            (MathFn::Trunc, None) => self.float_to_int(RoundMode::Trunc, x, Ty::F8, Ty::Int, span),
            _ if func.row().arity == 1 + y.is_some() as usize => {
                self.call_helper(HelperFn::Math(func), Ty::F8, x, y, span)
            }
            _ => Err(LowerError::Unsupported(format!(
                "math.{} with this arity",
                func.name()
            ))),
        }
    }

    /// Calls a native entry on `x` (and `y`) of float type `ty` (computed in f64, rounded back
    /// for F4) and leaves the element with the entry's fault code if it sets one.
    pub(crate) fn call_helper(
        &mut self,
        helper: HelperFn,
        ty: Ty,
        x: Value,
        y: Option<Value>,
        span: Span,
    ) -> Result<Value, LowerError> {
        let (name, _) = helper.symbol()?;
        let callee = self.import(name)?;
        let x = self.widen_to_f64(x, ty);
        let y = match y {
            Some(y) => self.widen_to_f64(y, ty),
            None => x,
        };
        let slot = match self.status_slot {
            Some(s) => s,
            None => {
                let s = self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    4,
                    2,
                ));
                self.status_slot = Some(s);
                s
            }
        };
        // The entries write the status on success too (0), so the slot needs no reset.
        let status_ptr = self.b.ins().stack_addr(types::I64, slot, 0);
        let call = self.b.ins().call(callee, &[x, y, status_ptr]);
        let result = self
            .b
            .inst_results(call)
            .first()
            .copied()
            .ok_or_else(|| LowerError::Codegen("call without result".into()))?;
        let code = self
            .b
            .ins()
            .load(types::I32, MemFlagsData::trusted(), status_ptr, 0);
        let site = self.site(span)?;
        let site_bits = self.iconst(types::I32, (site << 8) as i64);
        let word = self.b.ins().bor(code, site_bits);
        self.leave_if(code, word);
        Ok(if ty == Ty::F4 {
            self.b.ins().fdemote(types::F32, result)
        } else {
            result
        })
    }

    fn widen_to_f64(&mut self, v: Value, ty: Ty) -> Value {
        if clif_type(ty) == types::F32 {
            self.b.ins().fpromote(types::F64, v)
        } else {
            v
        }
    }

    /// The function reference of a native entry, imported once per compiled loop.
    fn import(&mut self, name: &'static str) -> Result<FuncRef, LowerError> {
        if let Some(&f) = self.imports.get(name) {
            return Ok(f);
        }
        let mut sig = self.module.make_signature();
        sig.params.extend([
            AbiParam::new(types::F64),
            AbiParam::new(types::F64),
            AbiParam::new(types::I64),
        ]);
        sig.returns.push(AbiParam::new(types::F64));
        let id = self
            .module
            .declare_function(name, Linkage::Import, &sig)
            .map_err(|e| LowerError::Module(e.to_string()))?;
        let func_ref = self.module.declare_func_in_func(id, self.b.func);
        self.imports.insert(name, func_ref);
        Ok(func_ref)
    }
}
