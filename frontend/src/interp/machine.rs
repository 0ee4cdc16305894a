//! The tree walk: statements, expressions, builtins and kernel calls over one frame of locals.

use super::convert::{convert, float_to_int};
use super::scalar::{coerce, int_value, make_int, truth, zero};
use super::{Outcome, float_ops, int_ops};
use crate::fault::{Fault, FaultKind};
use crate::ir::{Expr, ExprKind, Kernel, LocalId, Stmt, StmtKind};
use crate::mathfn;
use crate::ops::{BinOp, Builtin, CmpOp, Convert, MathFn, MathResult, UnOp};
use crate::source::Span;
use crate::types::Ty;
use crate::value::Scalar;
use std::cmp::Ordering;
use std::sync::Arc;

/// Why a walk stopped early.
pub enum Stop {
    Fault(Fault),
    /// The step budget ran out.
    Budget,
    /// The nesting limit was reached (the caller reruns on a bigger stack).
    Deep,
}

/// How a statement ended.
enum Flow {
    Next,
    Break,
    Continue,
    Return(Scalar),
}

/// The interpreter state shared by a kernel and its callees.
struct Machine {
    steps_left: u64,
    exact: bool,
    depth: u32,
    depth_limit: u32,
}

/// The locals of one running kernel.
struct Frame<'k> {
    kernel: &'k Kernel,
    locals: Vec<Scalar>,
}

pub fn run(
    kernel: &Kernel,
    args: &[Scalar],
    budget: u64,
    depth_limit: u32,
) -> Result<Outcome, Stop> {
    let mut m = Machine {
        steps_left: budget,
        exact: true,
        depth: 0,
        depth_limit,
    };
    let value = m.run_kernel(kernel, args)?;
    Ok(Outcome {
        value,
        python_exact: m.exact,
    })
}

impl<'k> Frame<'k> {
    fn new(kernel: &'k Kernel, args: &[Scalar]) -> Frame<'k> {
        let mut locals: Vec<Scalar> = kernel.locals.iter().map(|l| zero(l.ty)).collect();
        for (param, &arg) in kernel.params.iter().zip(args) {
            if let Some(slot) = locals.get_mut(param.local as usize) {
                *slot = coerce(arg, param.ty);
            }
        }
        Frame { kernel, locals }
    }

    fn get(&self, id: LocalId) -> Scalar {
        self.locals
            .get(id as usize)
            .copied()
            .unwrap_or(Scalar::Int(0))
    }

    fn set(&mut self, id: LocalId, v: Scalar) {
        let ty = self.kernel.locals.get(id as usize).map(|l| l.ty);
        if let (Some(slot), Some(ty)) = (self.locals.get_mut(id as usize), ty) {
            *slot = coerce(v, ty);
        }
    }

    fn fault(&self, kind: FaultKind, span: Span) -> Stop {
        Stop::Fault(Fault {
            kind,
            site: self.kernel.site(span),
        })
    }
}

impl Machine {
    fn run_kernel(&mut self, kernel: &Kernel, args: &[Scalar]) -> Result<Scalar, Stop> {
        let mut frame = Frame::new(kernel, args);
        let value = match self.exec_block(&mut frame, &kernel.body)? {
            Flow::Return(v) => v,
            // The checker requires a `return` on every path; falling off gives zero.
            Flow::Next | Flow::Break | Flow::Continue => zero(kernel.ret),
        };
        Ok(coerce(value, kernel.ret))
    }

    fn enter(&mut self) -> Result<(), Stop> {
        if self.depth >= self.depth_limit {
            return Err(Stop::Deep);
        }
        self.depth += 1;
        Ok(())
    }

    fn step(&mut self) -> Result<(), Stop> {
        if self.steps_left == 0 {
            return Err(Stop::Budget);
        }
        self.steps_left -= 1;
        Ok(())
    }

    fn note(&mut self, exact: bool) {
        self.exact &= exact;
    }

    // ---- statements ----

    fn exec_block(&mut self, f: &mut Frame, body: &[Stmt]) -> Result<Flow, Stop> {
        for stmt in body {
            match self.exec(f, stmt)? {
                Flow::Next => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Next)
    }

    fn exec(&mut self, f: &mut Frame, stmt: &Stmt) -> Result<Flow, Stop> {
        self.enter()?;
        let flow = self.step().and_then(|()| self.exec_inner(f, stmt));
        self.depth -= 1;
        flow
    }

    fn exec_inner(&mut self, f: &mut Frame, stmt: &Stmt) -> Result<Flow, Stop> {
        match &stmt.kind {
            StmtKind::Assign { targets, values } => {
                // Every value first, then the targets in order (`a, b = b, a`).
                let mut computed = Vec::with_capacity(values.len());
                for v in values {
                    computed.push(self.eval(f, v)?);
                }
                for (&target, v) in targets.iter().zip(computed) {
                    f.set(target, v);
                }
                Ok(Flow::Next)
            }
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                if truth(self.eval(f, cond)?) {
                    self.exec_block(f, then_body)
                } else {
                    self.exec_block(f, else_body)
                }
            }
            StmtKind::While { cond, body } => loop {
                self.step()?;
                if !truth(self.eval(f, cond)?) {
                    return Ok(Flow::Next);
                }
                match self.exec_block(f, body)? {
                    Flow::Break => return Ok(Flow::Next),
                    Flow::Next | Flow::Continue => {}
                    ret @ Flow::Return(_) => return Ok(ret),
                }
            },
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
            } => self.exec_for(f, stmt.span, *var, [start, stop, step], body),
            StmtKind::Break => Ok(Flow::Break),
            StmtKind::Continue => Ok(Flow::Continue),
            // Pipelines run compiled only; here a skipped element reads as a zero result.
            StmtKind::Skip => Ok(Flow::Return(zero(f.kernel.ret))),
            StmtKind::Return(e) => Ok(Flow::Return(self.eval(f, e)?)),
            StmtKind::Eval(e) => {
                self.eval(f, e)?;
                Ok(Flow::Next)
            }
        }
    }

    /// `for var in range(start, stop, step)`: the bounds once, in order; the iteration count
    /// computed exactly up front; `var` assigned start + k*step at each iteration.
    fn exec_for(
        &mut self,
        f: &mut Frame,
        span: Span,
        var: LocalId,
        bounds: [&Expr; 3],
        body: &[Stmt],
    ) -> Result<Flow, Stop> {
        let [start, stop, step] = bounds;
        let start = int_value(self.eval(f, start)?);
        let stop = int_value(self.eval(f, stop)?);
        let step = int_value(self.eval(f, step)?);
        if step == 0 {
            return Err(f.fault(FaultKind::RangeStepZero, span));
        }
        // Bounds are 64-bit values, so these i128 computations cannot overflow.
        let count = if step > 0 {
            if start < stop {
                (stop - start + step - 1) / step
            } else {
                0
            }
        } else if start > stop {
            (start - stop - step - 1) / -step
        } else {
            0
        };
        let var_ty = f.kernel.locals.get(var as usize).map_or(Ty::Int, |l| l.ty);
        let mut k = 0i128;
        while k < count {
            self.step()?;
            f.set(var, make_int(start + k * step, var_ty));
            match self.exec_block(f, body)? {
                Flow::Break => break,
                Flow::Next | Flow::Continue => {}
                ret @ Flow::Return(_) => return Ok(ret),
            }
            k += 1;
        }
        Ok(Flow::Next)
    }

    // ---- expressions ----

    fn eval(&mut self, f: &mut Frame, e: &Expr) -> Result<Scalar, Stop> {
        self.enter()?;
        let v = self.eval_inner(f, e);
        self.depth -= 1;
        v
    }

    /// One arm per call: in unoptimised builds a big match keeps every arm's temporaries in one
    /// frame, and this frame is on the recursion path.
    fn eval_inner(&mut self, f: &mut Frame, e: &Expr) -> Result<Scalar, Stop> {
        match &e.kind {
            ExprKind::Const(v) => Ok(coerce(*v, e.ty)),
            ExprKind::Local(id) => Ok(f.get(*id)),
            ExprKind::Bind(id, x) => self.eval_bind(f, *id, x),
            ExprKind::Convert(conv, x) => self.eval_convert(f, *conv, e, x),
            ExprKind::Unary(op, x) => self.eval_unary(f, *op, e, x),
            ExprKind::Not(x) => self.eval_not(f, x),
            ExprKind::Binary(op, a, b) => self.eval_binary(f, *op, e, a, b),
            ExprKind::Compare(op, a, b) => self.eval_compare(f, *op, a, b),
            ExprKind::And(a, b) => self.eval_and_or(f, true, e, a, b),
            ExprKind::Or(a, b) => self.eval_and_or(f, false, e, a, b),
            ExprKind::IfElse { cond, then, els } => self.eval_if_else(f, e, cond, then, els),
            ExprKind::Call(builtin, args) => self.eval_call(f, *builtin, e, args),
            ExprKind::CallKernel(callee, args) => self.call_kernel(f, callee, e, args),
        }
    }

    fn eval_bind(&mut self, f: &mut Frame, id: LocalId, x: &Expr) -> Result<Scalar, Stop> {
        let v = self.eval(f, x)?;
        f.set(id, v);
        Ok(f.get(id))
    }

    fn eval_convert(
        &mut self,
        f: &mut Frame,
        conv: Convert,
        e: &Expr,
        x: &Expr,
    ) -> Result<Scalar, Stop> {
        let v = self.eval(f, x)?;
        let r = convert(conv, v, x.ty, e.ty).map_err(|k| f.fault(k, e.span))?;
        self.note(r.exact);
        Ok(r.value)
    }

    fn eval_unary(&mut self, f: &mut Frame, op: UnOp, e: &Expr, x: &Expr) -> Result<Scalar, Stop> {
        let v = self.eval(f, x)?;
        self.unary(f, op, e, v)
    }

    fn eval_not(&mut self, f: &mut Frame, x: &Expr) -> Result<Scalar, Stop> {
        Ok(Scalar::Bool(!truth(self.eval(f, x)?)))
    }

    fn eval_binary(
        &mut self,
        f: &mut Frame,
        op: BinOp,
        e: &Expr,
        a: &Expr,
        b: &Expr,
    ) -> Result<Scalar, Stop> {
        let va = self.eval(f, a)?;
        let vb = self.eval(f, b)?;
        self.binary(f, op, e, va, vb)
    }

    fn eval_compare(
        &mut self,
        f: &mut Frame,
        op: CmpOp,
        a: &Expr,
        b: &Expr,
    ) -> Result<Scalar, Stop> {
        let va = self.eval(f, a)?;
        let vb = self.eval(f, b)?;
        let floats = a.ty.is_float() || b.ty.is_float();
        Ok(Scalar::Bool(compare(op, va, vb, floats)))
    }

    /// Python's `and` (`is_and`) / `or`: the first operand's value decides whether the second
    /// is evaluated, and the result is one of the operands' values.
    fn eval_and_or(
        &mut self,
        f: &mut Frame,
        is_and: bool,
        e: &Expr,
        a: &Expr,
        b: &Expr,
    ) -> Result<Scalar, Stop> {
        let va = self.eval(f, a)?;
        let v = if truth(va) == is_and {
            self.eval(f, b)?
        } else {
            va
        };
        Ok(coerce(v, e.ty))
    }

    fn eval_if_else(
        &mut self,
        f: &mut Frame,
        e: &Expr,
        cond: &Expr,
        then: &Expr,
        els: &Expr,
    ) -> Result<Scalar, Stop> {
        let branch = if truth(self.eval(f, cond)?) {
            then
        } else {
            els
        };
        Ok(coerce(self.eval(f, branch)?, e.ty))
    }

    fn eval_call(
        &mut self,
        f: &mut Frame,
        builtin: Builtin,
        e: &Expr,
        args: &[Expr],
    ) -> Result<Scalar, Stop> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(f, a)?);
        }
        self.builtin(f, builtin, e, args, &vals)
    }

    fn unary(&mut self, f: &Frame, op: UnOp, e: &Expr, v: Scalar) -> Result<Scalar, Stop> {
        if e.ty.is_float() {
            let x = v.as_f64();
            let r = match op {
                UnOp::Neg => -x,
                UnOp::Pos => x,
                UnOp::Invert => f64::NAN, // integer-only: never in checked IR
            };
            return Ok(Scalar::Float(r));
        }
        let r = int_ops::unary(op, e.ty, int_value(v)).map_err(|k| f.fault(k, e.span))?;
        self.note(r.exact);
        Ok(make_int(r.value, e.ty))
    }

    fn binary(
        &mut self,
        f: &Frame,
        op: BinOp,
        e: &Expr,
        a: Scalar,
        b: Scalar,
    ) -> Result<Scalar, Stop> {
        if e.ty.is_float() {
            // Every float operation is the F8 operation on the (exactly widened) operands; an
            // F4 result is then rounded to f32. For + - * / that is exactly IEEE f32 arithmetic.
            let r =
                float_ops::binary(op, a.as_f64(), b.as_f64()).map_err(|k| f.fault(k, e.span))?;
            if e.ty == Ty::F4 {
                let r32 = r as f32 as f64;
                self.note(r32 == r || (r.is_nan() && r32.is_nan()));
                return Ok(Scalar::Float(r32));
            }
            return Ok(Scalar::Float(r));
        }
        let r = int_ops::binary(op, e.ty, int_value(a), int_value(b))
            .map_err(|k| f.fault(k, e.span))?;
        self.note(r.exact);
        Ok(make_int(r.value, e.ty))
    }

    fn builtin(
        &mut self,
        f: &Frame,
        builtin: Builtin,
        e: &Expr,
        args: &[Expr],
        vals: &[Scalar],
    ) -> Result<Scalar, Stop> {
        let first = vals.first().copied().unwrap_or_else(|| zero(e.ty));
        match builtin {
            Builtin::Abs => {
                if e.ty.is_float() {
                    return Ok(coerce(Scalar::Float(first.as_f64().abs()), e.ty));
                }
                let r = int_ops::abs(e.ty, int_value(first)).map_err(|k| f.fault(k, e.span))?;
                self.note(r.exact);
                Ok(make_int(r.value, e.ty))
            }
            Builtin::Min | Builtin::Max => {
                // Python: the first argument, replaced by each later one that is strictly
                // smaller (larger): ties keep the first, a NaN first argument stays.
                let want = if builtin == Builtin::Min {
                    CmpOp::Lt
                } else {
                    CmpOp::Gt
                };
                let floats = args.iter().any(|a| a.ty.is_float()) || e.ty.is_float();
                let mut best = first;
                for &v in vals.iter().skip(1) {
                    if compare(want, v, best, floats) {
                        best = v;
                    }
                }
                Ok(coerce(best, e.ty))
            }
            Builtin::Math(func) => {
                let x = first.as_f64();
                let y = vals.get(1).map_or(f64::NAN, |v| v.as_f64());
                self.math(f, func, e, x, y)
            }
        }
    }

    fn math(&mut self, f: &Frame, func: MathFn, e: &Expr, x: f64, y: f64) -> Result<Scalar, Stop> {
        if let Some(b) = mathfn::predicate(func, x) {
            return Ok(coerce(Scalar::Bool(b), e.ty));
        }
        if let (MathResult::Int(mode), true) = (func.row().result, e.ty.is_int()) {
            // floor/ceil/trunc give a Python int: the conversion's rules.
            let r = float_to_int(x, mode, e.ty).map_err(|k| f.fault(k, e.span))?;
            return Ok(make_int(r, e.ty));
        }
        let r = mathfn::eval2(func, x, y).map_err(|k| f.fault(k, e.span))?;
        Ok(coerce(Scalar::Float(r), e.ty))
    }

    fn call_kernel(
        &mut self,
        f: &mut Frame,
        callee: &Arc<Kernel>,
        e: &Expr,
        args: &[Expr],
    ) -> Result<Scalar, Stop> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(f, a)?);
        }
        self.enter()?;
        let r = self.run_kernel(callee, &vals);
        self.depth -= 1;
        Ok(coerce(r?, e.ty))
    }
}

/// A comparison on values of one type: floats by IEEE rules (NaN is unordered: only != is
/// true), integers and bools exactly (a U8 against an S8 or `int` included).
fn compare(op: CmpOp, a: Scalar, b: Scalar, floats: bool) -> bool {
    let ord = if floats {
        a.as_f64().partial_cmp(&b.as_f64())
    } else {
        Some(int_value(a).cmp(&int_value(b)))
    };
    match (op, ord) {
        (CmpOp::Ne, None) => true,
        (_, None) => false,
        (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
        (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
    }
}
