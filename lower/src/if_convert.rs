//! Scalar if-conversion: what may be evaluated unconditionally, and the branch-free lowering of
//! `x if c else y` and of early exits (`if c: return e` / a pipeline filter's `if c: skip`
//! followed by straight code). Both sides are evaluated and a select picks the value; code
//! evaluated when its value may not be needed must not trap, assign a local that code outside
//! it reads, or branch, and its faults are raised under a guard (`Translator::fault_guard`),
//! so they count only in the elements that take that path. Selects are exact, so results are
//! bit-identical to the branchy code.

use crate::error::LowerError;
use crate::translate::{Translator, clif_type};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value, types};
use frontend::Ty;
use frontend::ir::{Expr, ExprKind, LocalId, Stmt, StmtKind};
use frontend::ops::{BinOp, Builtin, Convert, MathFn};

/// Most IR nodes an arm of `x if c else y` may have to be evaluated unconditionally.
pub(crate) const ARM_BUDGET: usize = 12;

/// Most IR nodes (inlined kernels included) of the statements after an if-converted early
/// exit: they are evaluated for every element, including those that leave early.
pub(crate) const TAIL_BUDGET: usize = 40;

/// Whether `e` can be evaluated when its value is not needed, within `budget` nodes.
pub(crate) fn speculatable(e: &Expr, budget: usize) -> bool {
    let mut left = budget;
    expr(e, &mut left)
}

/// Whether `stmts` form a straight tail that ends the kernel: assignments, then `return e`,
/// or an `if` whose two arms are each one `return`, or an early exit (`if c: return e` or,
/// with `allow_skip`, `if c: skip`, with no `else`) followed by another straight tail.
/// Every expression is speculatable; the whole tail has at most `budget` nodes.
pub(crate) fn straight_tail(stmts: &[Stmt], allow_skip: bool, budget: usize) -> bool {
    let mut left = budget;
    tail(stmts, allow_skip, &mut left)
}

/// An exit an early `if` may hold: `return e` or `skip`.
pub(crate) fn exit_of(stmts: &[Stmt]) -> Option<&Stmt> {
    match stmts {
        [s] if matches!(s.kind, StmtKind::Return(_) | StmtKind::Skip) => Some(s),
        _ => None,
    }
}

fn tail(stmts: &[Stmt], allow_skip: bool, left: &mut usize) -> bool {
    for (n, s) in stmts.iter().enumerate() {
        match &s.kind {
            StmtKind::Assign { values, .. } => {
                if !values.iter().all(|v| expr(v, left)) {
                    return false;
                }
            }
            StmtKind::Return(e) => return n + 1 == stmts.len() && expr(e, left),
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                let rest = &stmts[n + 1..];
                let arms_ok = match (exit_of(then_body), else_body.as_slice()) {
                    // `if c: exit` followed by the rest of the tail.
                    (Some(exit), []) => {
                        exit_ok(exit, allow_skip, left) && tail(rest, allow_skip, left)
                    }
                    // `if c: return a else: return b`, the last statement.
                    (Some(exit), _) => {
                        rest.is_empty()
                            && matches!(exit.kind, StmtKind::Return(_))
                            && exit_of(else_body).is_some_and(|e| {
                                matches!(e.kind, StmtKind::Return(_))
                                    && exit_ok(exit, false, left)
                                    && exit_ok(e, false, left)
                            })
                    }
                    (None, _) => false,
                };
                return arms_ok && expr(cond, left);
            }
            _ => return false,
        }
    }
    false
}

fn exit_ok(exit: &Stmt, allow_skip: bool, left: &mut usize) -> bool {
    match &exit.kind {
        StmtKind::Return(e) => expr(e, left),
        StmtKind::Skip => allow_skip,
        _ => false,
    }
}

/// No traps (integer division), no assignment (`Bind`), no calls but `sqrt`/`fabs` and
/// kernels whose body is a straight tail, no short-circuit operators.
fn expr(e: &Expr, left: &mut usize) -> bool {
    if *left == 0 {
        return false;
    }
    *left -= 1;
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Local(_) => true,
        ExprKind::Unary(_, a) | ExprKind::Not(a) => expr(a, left),
        ExprKind::Convert(how, a) => {
            matches!(
                how,
                Convert::IntWrap
                    | Convert::IntChecked
                    | Convert::IntToFloat
                    | Convert::FloatToFloat
                    | Convert::Truth
                    | Convert::FromBool
            ) && expr(a, left)
        }
        ExprKind::Binary(op, a, b) => {
            let allowed = match op {
                BinOp::Add
                | BinOp::Sub
                | BinOp::Mul
                | BinOp::BitAnd
                | BinOp::BitOr
                | BinOp::BitXor => true,
                // Float division checks its divisor under the guard and never traps.
                BinOp::Div => e.ty.is_float(),
                _ => false,
            };
            allowed && expr(a, left) && expr(b, left)
        }
        ExprKind::Compare(_, a, b) => expr(a, left) && expr(b, left),
        ExprKind::IfElse { cond, then, els } => {
            expr(cond, left) && expr(then, left) && expr(els, left)
        }
        ExprKind::Call(Builtin::Math(MathFn::Sqrt | MathFn::Fabs), args) => {
            args.iter().all(|a| expr(a, left))
        }
        ExprKind::CallKernel(callee, args) => {
            args.iter().all(|a| expr(a, left)) && tail(&callee.body, false, left)
        }
        _ => false,
    }
}

impl<'k, 'f, 'm> Translator<'k, 'f, 'm> {
    /// `outer & c`: the guard of code that runs only when `c` holds inside code guarded by
    /// `outer` (`None`: unguarded).
    pub(crate) fn guard_and(&mut self, outer: Option<Value>, c: Value) -> Value {
        match outer {
            Some(g) => self.b.ins().band(g, c),
            None => c,
        }
    }

    /// `x if c else y` without a branch: both arms evaluated (each arm's faults raised only
    /// when it is the arm taken), then a select.
    pub(crate) fn lower_if_else_select(
        &mut self,
        c: Value,
        then: &'k Expr,
        els: &'k Expr,
        ty: Ty,
    ) -> Result<Value, LowerError> {
        let outer = self.fault_guard;
        let taken = self.guard_and(outer, c);
        self.fault_guard = Some(taken);
        let vt = self.lower_expr(then);
        let not_c = self.b.ins().bxor_imm_u(c, 1);
        let skipped = self.guard_and(outer, not_c);
        self.fault_guard = Some(skipped);
        let ve = vt.and_then(|vt| Ok((vt, self.lower_expr(els)?)));
        self.fault_guard = outer;
        let (vt, ve) = ve?;
        Ok(self.select_value(c, vt, ve, ty))
    }

    /// `a if c else b` for values of type `ty`. Floats are selected as integers: Cranelift
    /// emits a float `select` as a branch on x86-64, an integer one as `cmov`.
    pub(crate) fn select_value(&mut self, c: Value, a: Value, b: Value, ty: Ty) -> Value {
        let int_ty = match clif_type(ty) {
            types::F64 => types::I64,
            types::F32 => types::I32,
            _ => return self.b.ins().select(c, a, b),
        };
        let flags = MemFlagsData::new();
        let ai = self.b.ins().bitcast(int_ty, flags, a);
        let bi = self.b.ins().bitcast(int_ty, flags, b);
        let picked = self.b.ins().select(c, ai, bi);
        self.b.ins().bitcast(clif_type(ty), flags, picked)
    }

    /// Whether the statements from `stmts[0]` on (an `if` with an early exit) are lowered by
    /// `lower_straight_tail`. A `skip` exit is converted only in the loop's own kernel of a
    /// `Collect` loop, outside speculated code.
    pub(crate) fn if_converts(&self, stmts: &[Stmt]) -> bool {
        let Some(StmtKind::If { then_body, .. }) = stmts.first().map(|s| &s.kind) else {
            return false;
        };
        let allow_skip = self.kept.is_some() && self.fault_guard.is_none() && self.depth() == 1;
        exit_of(then_body).is_some() && straight_tail(stmts, allow_skip, TAIL_BUDGET)
    }

    /// A straight tail (see `straight_tail`) without branches; returns the value the kernel
    /// returns.
    pub(crate) fn lower_straight_tail(&mut self, stmts: &'k [Stmt]) -> Result<Value, LowerError> {
        for (n, stmt) in stmts.iter().enumerate() {
            match &stmt.kind {
                StmtKind::Assign { targets, values } => self.lower_assign(targets, values)?,
                StmtKind::Return(e) => return self.lower_expr(e),
                StmtKind::If {
                    cond,
                    then_body,
                    else_body,
                } => {
                    let c = self.lower_expr(cond)?;
                    let outer = self.fault_guard;
                    let value = self.lower_exit(c, then_body, else_body, &stmts[n + 1..]);
                    self.fault_guard = outer;
                    return value;
                }
                _ => break,
            }
        }
        Err(LowerError::Unsupported(
            "if-conversion of statements that do not end in return".into(),
        ))
    }

    /// `if c: <exit> [else: return b]` followed by `rest`: the exit's value (or, for `skip`,
    /// clearing `kept`) and the other path's value, selected.
    fn lower_exit(
        &mut self,
        c: Value,
        then_body: &'k [Stmt],
        else_body: &'k [Stmt],
        rest: &'k [Stmt],
    ) -> Result<Value, LowerError> {
        let outer = self.fault_guard;
        let ty = self.kernel()?.ret;
        let exit = exit_of(then_body)
            .ok_or_else(|| LowerError::Unsupported("if-conversion without an exit".into()))?;
        let not_c = self.b.ins().bxor_imm_u(c, 1);
        let taken = self.guard_and(outer, c);
        let skipped = self.guard_and(outer, not_c);
        let exit_value = match &exit.kind {
            StmtKind::Return(e) => {
                if else_body.is_empty()
                    && let ExprKind::Local(acc) = e.kind
                    && let Some((assigns, w)) = float_sum_tail(rest, acc, ty)
                {
                    self.fault_guard = Some(skipped);
                    return self.lower_filtered_sum(c, acc, assigns, w, ty);
                }
                self.fault_guard = Some(taken);
                Some(self.lower_expr(e)?)
            }
            StmtKind::Skip => {
                // The guard here, if any, is that of earlier skips: `kept` already says it.
                let kept = match self.kept {
                    Some(kept) if self.depth() == 1 => kept,
                    _ => return Err(LowerError::Unsupported("skip in an inlined kernel".into())),
                };
                let k = self.b.use_var(kept);
                let k = self.b.ins().band(k, not_c);
                self.b.def_var(kept, k);
                None
            }
            _ => return Err(LowerError::Unsupported("if-conversion of this exit".into())),
        };
        self.fault_guard = Some(skipped);
        let other = match (else_body, exit_of(else_body).map(|s| &s.kind)) {
            ([], _) => self.lower_straight_tail(rest)?,
            (_, Some(StmtKind::Return(b))) => self.lower_expr(b)?,
            _ => return Err(LowerError::Unsupported("if-conversion of this else".into())),
        };
        Ok(match exit_value {
            Some(v) => self.select_value(c, v, other, ty),
            None => other,
        })
    }

    /// `if c: return acc` then `assigns; return acc + w` (a filtered float sum) as
    /// `acc + (-0.0 if c else w)`: -0.0 is the identity of IEEE addition (`x + -0.0` is `x`
    /// for every `x`, -0.0 and NaN included), so this is exact, and the accumulator's
    /// dependency chain is one `fadd` per element with no select on it.
    fn lower_filtered_sum(
        &mut self,
        c: Value,
        acc: LocalId,
        assigns: &'k [Stmt],
        w: &'k Expr,
        ty: Ty,
    ) -> Result<Value, LowerError> {
        for stmt in assigns {
            if let StmtKind::Assign { targets, values } = &stmt.kind {
                self.lower_assign(targets, values)?;
            }
        }
        let w = self.lower_expr(w)?;
        let identity = self.constant(frontend::Scalar::Float(-0.0), ty)?;
        let addend = self.select_value(c, identity, w, ty);
        let acc = self.use_local(acc)?;
        Ok(self.b.ins().fadd(acc, addend))
    }
}

/// `rest` as `assignments; return acc + w` with `acc` never assigned and a float result: the
/// assignments and `w`.
fn float_sum_tail(rest: &[Stmt], acc: LocalId, ty: Ty) -> Option<(&[Stmt], &Expr)> {
    let (last, assigns) = rest.split_last()?;
    let StmtKind::Return(e) = &last.kind else {
        return None;
    };
    let ExprKind::Binary(BinOp::Add, a, w) = &e.kind else {
        return None;
    };
    let untouched = assigns
        .iter()
        .all(|s| matches!(&s.kind, StmtKind::Assign { targets, .. } if !targets.contains(&acc)));
    (ty.is_float() && e.ty == ty && matches!(a.kind, ExprKind::Local(id) if id == acc) && untouched)
        .then_some((assigns, w.as_ref()))
}
