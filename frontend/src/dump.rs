//! A readable text dump of the typed IR (what `kernel.ir` shows users): the signature, every
//! local with its type, the statements indented, and every expression with its type, the
//! conversions the checker inserted spelled out.
//!
//! ```text
//! kernel scale(x: F8, n: int) -> F8
//!   locals: %0 x: F8, %1 n: int, %2 i: int
//!   for i = range(0:int, n:int, 1:int):
//!     x = (x:F8 * 2.0:F8):F8
//!   return (x:F8 + int_to_float<F8>(n:int)):F8
//! ```

use crate::ir::{Expr, ExprKind, Kernel, LocalId, Stmt, StmtKind};
use crate::ops::{Builtin, Convert, RoundMode, UnOp};
use crate::value::Scalar;
use std::fmt::Write;

pub fn dump(kernel: &Kernel) -> String {
    let mut d = Dumper {
        kernel,
        out: String::new(),
    };
    d.header();
    d.block(&kernel.body, 1);
    d.out
}

struct Dumper<'k> {
    kernel: &'k Kernel,
    out: String,
}

impl Dumper<'_> {
    fn header(&mut self) {
        let k = self.kernel;
        let params: Vec<String> = k
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        let _ = writeln!(
            self.out,
            "kernel {}({}) -> {}",
            k.name,
            params.join(", "),
            k.ret
        );
        let locals: Vec<String> = k
            .locals
            .iter()
            .enumerate()
            .map(|(i, l)| format!("%{i} {}: {}", l.name, l.ty))
            .collect();
        let _ = writeln!(self.out, "  locals: {}", locals.join(", "));
    }

    fn name(&self, id: LocalId) -> String {
        match self.kernel.locals.get(id as usize) {
            Some(l) if !l.name.is_empty() => l.name.clone(),
            _ => format!("%{id}"),
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{}{}", "  ".repeat(depth), text);
    }

    fn block(&mut self, body: &[Stmt], depth: usize) {
        if body.is_empty() {
            self.line(depth, "pass");
        }
        for s in body {
            self.stmt(s, depth);
        }
    }

    fn stmt(&mut self, s: &Stmt, depth: usize) {
        match &s.kind {
            StmtKind::Assign { targets, values } => {
                let t: Vec<String> = targets.iter().map(|&id| self.name(id)).collect();
                let v: Vec<String> = values.iter().map(|e| self.expr(e)).collect();
                self.line(depth, &format!("{} = {}", t.join(", "), v.join(", ")));
            }
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.expr(cond);
                self.line(depth, &format!("if {c}:"));
                self.block(then_body, depth + 1);
                if !else_body.is_empty() {
                    self.line(depth, "else:");
                    self.block(else_body, depth + 1);
                }
            }
            StmtKind::While { cond, body } => {
                let c = self.expr(cond);
                self.line(depth, &format!("while {c}:"));
                self.block(body, depth + 1);
            }
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
            } => {
                let text = format!(
                    "for {} = range({}, {}, {}):",
                    self.name(*var),
                    self.expr(start),
                    self.expr(stop),
                    self.expr(step)
                );
                self.line(depth, &text);
                self.block(body, depth + 1);
            }
            StmtKind::Break => self.line(depth, "break"),
            StmtKind::Continue => self.line(depth, "continue"),
            StmtKind::Skip => self.line(depth, "skip"),
            StmtKind::Return(e) => {
                let v = self.expr(e);
                self.line(depth, &format!("return {v}"));
            }
            StmtKind::Eval(e) => {
                let v = self.expr(e);
                self.line(depth, &v);
            }
        }
    }

    fn expr(&self, e: &Expr) -> String {
        let ty = e.ty;
        match &e.kind {
            ExprKind::Const(v) => format!("{}:{ty}", constant(*v)),
            ExprKind::Local(id) => format!("{}:{ty}", self.name(*id)),
            ExprKind::Bind(id, x) => format!("({} := {}):{ty}", self.name(*id), self.expr(x)),
            ExprKind::Convert(c, x) => format!("{}<{ty}>({})", convert_name(*c), self.expr(x)),
            ExprKind::Unary(op, x) => {
                let sym = match op {
                    UnOp::Neg => "-",
                    UnOp::Pos => "+",
                    UnOp::Invert => "~",
                };
                format!("({sym}{}):{ty}", self.expr(x))
            }
            ExprKind::Not(x) => format!("(not {}):{ty}", self.expr(x)),
            ExprKind::Binary(op, a, b) => {
                format!("({} {} {}):{ty}", self.expr(a), op.symbol(), self.expr(b))
            }
            ExprKind::Compare(op, a, b) => {
                format!("({} {} {}):{ty}", self.expr(a), op.symbol(), self.expr(b))
            }
            ExprKind::And(a, b) => format!("({} and {}):{ty}", self.expr(a), self.expr(b)),
            ExprKind::Or(a, b) => format!("({} or {}):{ty}", self.expr(a), self.expr(b)),
            ExprKind::IfElse { cond, then, els } => format!(
                "({} if {} else {}):{ty}",
                self.expr(then),
                self.expr(cond),
                self.expr(els)
            ),
            ExprKind::Call(b, args) => {
                let name = match b {
                    Builtin::Abs => "abs".to_string(),
                    Builtin::Min => "min".to_string(),
                    Builtin::Max => "max".to_string(),
                    Builtin::Math(f) => format!("math.{}", f.name()),
                };
                format!("{name}({}):{ty}", self.args(args))
            }
            ExprKind::CallKernel(k, args) => format!("{}({}):{ty}", k.name, self.args(args)),
        }
    }

    fn args(&self, args: &[Expr]) -> String {
        args.iter()
            .map(|a| self.expr(a))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn constant(v: Scalar) -> String {
    match v {
        Scalar::Bool(b) => if b { "True" } else { "False" }.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::UInt(u) => u.to_string(),
        Scalar::Float(f) if f.is_nan() => "nan".to_string(),
        Scalar::Float(f) if f.is_infinite() => if f > 0.0 { "inf" } else { "-inf" }.to_string(),
        // `{:?}` keeps a decimal point (1.0, not 1) and round-trips.
        Scalar::Float(f) => format!("{f:?}"),
    }
}

fn convert_name(c: Convert) -> &'static str {
    match c {
        Convert::IntWrap => "wrap",
        Convert::IntChecked => "checked",
        Convert::IntToFloat => "int_to_float",
        Convert::FloatToFloat => "float_to_float",
        Convert::FloatToInt(RoundMode::Trunc) => "trunc",
        Convert::FloatToInt(RoundMode::Floor) => "floor",
        Convert::FloatToInt(RoundMode::Ceil) => "ceil",
        Convert::FloatToInt(RoundMode::HalfEven) => "round_half_even",
        Convert::Truth => "truth",
        Convert::FromBool => "from_bool",
    }
}
