//! Expressions: typing by the rules of `ops`, weak literals, and the conversions that give
//! every operand the type its operation is performed in.

use super::names::{Resolved, ResolvedAttr};
use super::{Checked, Checker, Fail, TExpr, Weak};
use crate::diag::DiagKind;
use crate::env::Global;
use crate::ir::{Expr, ExprKind, LocalId};
use crate::ops::{self, BinOp, CmpOp, Convert, TypeRuleError, UnOp};
use crate::source::Span;
use crate::syntax::{SynExpr, SynExprKind, SynUnOp};
use crate::types::Ty;
use crate::value::Scalar;

/// Where a value is being converted, for the message when it cannot be.
pub(crate) enum Ctx<'s> {
    Operand,
    Assign(&'s str),
    Return,
    Arg { param: &'s str, kernel: &'s str },
    Bound,
}

/// The IR constant of an exact integer in an integer type (the caller checked the range).
pub(crate) fn int_scalar(v: i128, to: Ty) -> Scalar {
    match to {
        Ty::B1 => Scalar::Bool(v != 0),
        t if t.is_unsigned() => Scalar::UInt(v as u64),
        _ => Scalar::Int(v as i64),
    }
}

/// A float constant of F4 or F8 (F4 values are held rounded to f32).
pub(crate) fn float_scalar(f: f64, to: Ty) -> Scalar {
    if to == Ty::F4 { Scalar::Float(f as f32 as f64) } else { Scalar::Float(f) }
}

pub(crate) fn fits(v: i128, t: Ty) -> bool {
    t.int_range().is_some_and(|(lo, hi)| lo <= v && v <= hi)
}

/// The constant value of an operation on two exact integers, as Python computes it; `None`
/// where it is not folded (left to run time, where it faults as Python would raise).
fn fold_int(op: BinOp, a: i128, b: i128) -> Option<i128> {
    const LIMIT: i128 = 1 << 100;
    let r = match op {
        BinOp::Add => a.checked_add(b)?,
        BinOp::Sub => a.checked_sub(b)?,
        BinOp::Mul => a.checked_mul(b)?,
        BinOp::FloorDiv | BinOp::Mod if b == 0 => return None,
        BinOp::FloorDiv => {
            let q = a / b;
            if a % b != 0 && ((a < 0) != (b < 0)) { q - 1 } else { q }
        }
        BinOp::Mod => {
            let r = a % b;
            if r != 0 && ((r < 0) != (b < 0)) { r + b } else { r }
        }
        BinOp::Pow if (0..=127).contains(&b) => a.checked_pow(b as u32)?,
        BinOp::LShift if (0..=100).contains(&b) => a.checked_mul(1i128 << b)?,
        BinOp::RShift if b >= 0 => a >> b.min(127),
        BinOp::BitAnd => a & b,
        BinOp::BitOr => a | b,
        BinOp::BitXor => a ^ b,
        _ => return None,
    };
    (-LIMIT..=LIMIT).contains(&r).then_some(r)
}

impl<'a> Checker<'a> {
    pub fn konst(&self, s: Scalar, ty: Ty, span: Span) -> Expr {
        Expr::new(ExprKind::Const(s), ty, span)
    }

    /// An int literal (weak, held as `int` until its context types it).
    pub fn int_lit(&self, v: i128, span: Span) -> TExpr {
        let held = v.clamp(i64::MIN as i128, i64::MAX as i128);
        TExpr { expr: self.konst(Scalar::Int(held as i64), Ty::Int, span), weak: Weak::IntLit(v) }
    }

    pub fn float_lit(&self, f: f64, span: Span) -> TExpr {
        TExpr { expr: self.konst(Scalar::Float(f), Ty::F8, span), weak: Weak::FloatLit(f) }
    }

    /// A frozen global constant: `int` and float constants are weak, like literals.
    fn global_const(&self, s: Scalar, ty: Ty, span: Span) -> TExpr {
        match (s, ty) {
            (Scalar::Int(v), Ty::Int) => self.int_lit(v as i128, span),
            (Scalar::Float(f), Ty::F8) => self.float_lit(f, span),
            _ => TExpr::typed(self.konst(s, ty, span)),
        }
    }

    /// The value in its own type (checks that an int literal fits in 64 bits).
    pub fn own(&self, t: TExpr) -> Checked<Expr> {
        let ty = t.ty();
        self.coerce(t, ty, &Ctx::Operand)
    }

    /// Converts a checked value to `to` (implicitly: the conversions `ops::implicit_convert`
    /// allows, and literals that fit).
    pub fn coerce(&self, t: TExpr, to: Ty, ctx: &Ctx<'_>) -> Checked<Expr> {
        let span = t.expr.span;
        match t.weak {
            Weak::IntLit(v) if to.is_int() => {
                if fits(v, to) {
                    return Ok(self.konst(int_scalar(v, to), to, span));
                }
                let lit = self.text(span, &v.to_string());
                let msg = if to == Ty::Int {
                    format!("literal {lit} does not fit in a 64-bit int")
                } else {
                    format!("literal {lit} does not fit {to}")
                };
                return Err(self.fail(DiagKind::Type, msg, span));
            }
            Weak::IntLit(v) if to.is_float() => return Ok(self.literal_to_float(v, to, span)),
            Weak::FloatLit(f) if to.is_float() => {
                let rounded = float_scalar(f, to);
                if rounded.as_f64() == f || f.is_nan() {
                    return Ok(self.konst(rounded, to, span));
                }
                // `f4 + 0.1`: the literal rounds to F4, where Python keeps the F8 value. The
                // conversion stays in the IR so that the interpreter sees the rounding
                // (`python_exact`); code generation folds it.
                let lit = self.konst(Scalar::Float(f), Ty::F8, span);
                return Ok(Expr::new(ExprKind::Convert(Convert::FloatToFloat, Box::new(lit)), to, span));
            }
            _ => {}
        }
        let from = t.ty();
        match ops::implicit_convert(from, to) {
            Ok(None) => Ok(t.expr),
            Ok(Some(c)) => Ok(Expr::new(ExprKind::Convert(c, Box::new(t.expr)), to, span)),
            Err(()) => {
                let msg = match ctx {
                    Ctx::Operand => format!("cannot use {from} as {to} without an explicit cast"),
                    Ctx::Assign(name) => format!(
                        "cannot assign {from} to local '{name}' of type {to} without an explicit cast (write {to}(...))"
                    ),
                    Ctx::Return => format!(
                        "cannot return {from} from a kernel returning {to} without an explicit cast (write {to}(...))"
                    ),
                    Ctx::Arg { param, kernel } => format!(
                        "cannot pass {from} as parameter '{param}' ({to}) of kernel '{kernel}' without an explicit cast"
                    ),
                    Ctx::Bound => format!("range() needs integer bounds, not {from}"),
                };
                Err(self.fail(DiagKind::Type, msg, span))
            }
        }
    }

    /// An int literal taken as a float of type `to`. Exact: the constant. Inexact (beyond 2**53
    /// for F8, 2**24 for F4): the IntToFloat conversion of the integer constant, which rounds
    /// once as at run time and tells the interpreter that the value left Python's (Python
    /// compares ints with floats exactly).
    fn literal_to_float(&self, v: i128, to: Ty, span: Span) -> Expr {
        let rounded = float_scalar(v as f64, to);
        let int = if let Ok(i) = i64::try_from(v) {
            Some((Scalar::Int(i), Ty::Int))
        } else {
            u64::try_from(v).ok().map(|u| (Scalar::UInt(u), Ty::U8))
        };
        match int {
            Some((konst, ty)) if rounded.as_f64() as i128 != v || rounded.as_f64().is_infinite() => {
                let lit = self.konst(konst, ty, span);
                Expr::new(ExprKind::Convert(Convert::IntToFloat, Box::new(lit)), to, span)
            }
            _ => self.konst(rounded, to, span),
        }
    }

    fn rule_error(&self, e: TypeRuleError, l: Span, r: Span, at: Span) -> Fail {
        let (lt, rt) = (self.text(l, "x"), self.text(r, "y"));
        self.fail(DiagKind::Type, e.message(&lt, &rt), at)
    }

    /// Reads a local, checking that every path to here assigned it.
    pub fn read_local(&self, id: LocalId, name: &str, span: Span) -> Checked<TExpr> {
        if !self.infer && (id as usize) < self.named
            && let Some(a) = &self.assigned
                && !a.get(id as usize).copied().unwrap_or(true) {
                    return Err(self.fail(
                        DiagKind::Unsupported,
                        format!("local '{name}' might be used before assignment"),
                        span,
                    ));
                }
        let Some(ty) = self.local_ty(id) else {
            if self.infer {
                return Err(Fail::Pending);
            }
            return Err(self.fail(DiagKind::Type, format!("the type of local '{name}' cannot be inferred"), span));
        };
        let expr = Expr::new(ExprKind::Local(id), ty, span);
        // While inferring, an `int` local gives way to a typed operand, as its final type will
        // (`n = 0` then `n += u8` makes `n` a U8).
        let weak = if self.infer && ty == Ty::Int && !self.locals[id as usize].fixed { Weak::Int } else { Weak::No };
        Ok(TExpr { expr, weak })
    }

    pub fn expr(&mut self, e: &SynExpr) -> Checked<TExpr> {
        let span = e.span;
        match &e.kind {
            SynExprKind::Int(Some(v), _) => Ok(self.int_lit(*v, span)),
            SynExprKind::Int(None, digits) => {
                let shown = if digits.len() > 30 { format!("{}...", &digits[..20]) } else { digits.clone() };
                Err(self.fail(DiagKind::Type, format!("literal {shown} does not fit in 64 bits"), span))
            }
            SynExprKind::Float(f) => Ok(self.float_lit(*f, span)),
            SynExprKind::Bool(b) => Ok(TExpr::typed(self.konst(Scalar::Bool(*b), Ty::B1, span))),
            SynExprKind::Name(n) => match self.resolve(n) {
                Resolved::Local(id) => self.read_local(id, n, span),
                Resolved::Global(Global::Const(s, t)) => Ok(self.global_const(*s, *t, span)),
                Resolved::Global(g) => Err(self.global_misuse(n, g, span)),
                _ => Err(self.fail(DiagKind::Name, format!("name '{n}' is not defined"), span)),
            },
            SynExprKind::Attr { base, attr } => match self.resolve_attr(base, attr) {
                ResolvedAttr::MathConst(v) => Ok(self.float_lit(v, span)),
                ResolvedAttr::Global(Global::Const(s, t)) => Ok(self.global_const(*s, *t, span)),
                ResolvedAttr::Global(g) => Err(self.global_misuse(&format!("{base}.{attr}"), g, span)),
                ResolvedAttr::MathFn(_) => Err(self.fail(
                    DiagKind::Unsupported,
                    format!("the function '{base}.{attr}' can only be called in a kernel, not used as a value"),
                    span,
                )),
                ResolvedAttr::Outside(kind, m) => Err(self.fail(kind, m, span)),
            },
            SynExprKind::Unary(SynUnOp::Not, x) => {
                let c = self.cond(x)?;
                Ok(TExpr::typed(Expr::new(ExprKind::Not(Box::new(c)), Ty::B1, span)))
            }
            SynExprKind::Unary(op, x) => {
                let t = self.expr(x)?;
                self.unary(*op, t, span)
            }
            SynExprKind::Binary(op, l, r) => {
                let lt = self.expr(l)?;
                let rt = self.expr(r)?;
                self.binary(*op, lt, rt, span)
            }
            SynExprKind::BoolOp { and_, values } => self.bool_op(*and_, values, span),
            SynExprKind::Compare(first, rest) => self.compare_chain(first, rest, span),
            SynExprKind::IfElse { cond, then, els } => {
                let c = self.cond(cond)?;
                let a = self.expr(then)?;
                let b = self.expr(els)?;
                let ty = ops::common_type(a.ty(), a.is_weak(), b.ty(), b.is_weak())
                    .map_err(|er| self.rule_error(er, then.span, els.span, span))?;
                let weak = weak_of(&[&a, &b], ty);
                let (a, b) = (self.coerce(a, ty, &Ctx::Operand)?, self.coerce(b, ty, &Ctx::Operand)?);
                let kind = ExprKind::IfElse { cond: Box::new(c), then: Box::new(a), els: Box::new(b) };
                Ok(TExpr { expr: Expr::new(kind, ty, span), weak })
            }
            SynExprKind::Call { func, args } => self.call(func, args, span),
            SynExprKind::Str(_) => Err(self.fail(DiagKind::Unsupported, "a 'str' literal is not in the kernel subset".into(), span)),
            SynExprKind::Tuple(_) => Err(self.fail(DiagKind::Unsupported, "a tuple is not in the kernel subset".into(), span)),
            SynExprKind::Unsupported(m) => Err(self.fail(DiagKind::Unsupported, m.clone(), span)),
        }
    }

    fn unary(&mut self, op: SynUnOp, t: TExpr, span: Span) -> Checked<TExpr> {
        let op = match op {
            SynUnOp::Neg => UnOp::Neg,
            SynUnOp::Pos => UnOp::Pos,
            SynUnOp::Invert => UnOp::Invert,
            SynUnOp::Not => {
                let c = self.truth(t)?;
                return Ok(TExpr::typed(Expr::new(ExprKind::Not(Box::new(c)), Ty::B1, span)));
            }
        };
        // Literals fold, so that `-128` fits S1 and `-1` is one constant.
        match (op, t.weak) {
            (UnOp::Neg, Weak::IntLit(v)) => return Ok(self.int_lit(-v, span)),
            (UnOp::Pos, Weak::IntLit(v)) => return Ok(self.int_lit(v, span)),
            (UnOp::Invert, Weak::IntLit(v)) => return Ok(self.int_lit(!v, span)),
            (UnOp::Neg, Weak::FloatLit(f)) => return Ok(self.float_lit(-f, span)),
            (UnOp::Pos, Weak::FloatLit(f)) => return Ok(self.float_lit(f, span)),
            _ => {}
        }
        let ty = ops::unary_result(op, t.ty()).map_err(|e| self.fail(DiagKind::Type, e.message("x", "y"), span))?;
        let weak = weak_of(&[&t], ty);
        let x = self.coerce(t, ty, &Ctx::Operand)?;
        Ok(TExpr { expr: Expr::new(ExprKind::Unary(op, Box::new(x)), ty, span), weak })
    }

    /// A binary operation on checked operands (also `a op= b`).
    pub fn binary(&mut self, op: BinOp, l: TExpr, r: TExpr, span: Span) -> Checked<TExpr> {
        if let (Weak::IntLit(a), Weak::IntLit(b)) = (l.weak, r.weak)
            && let Some(v) = fold_int(op, a, b) {
                return Ok(self.int_lit(v, span));
            }
        let (ls, rs) = (l.expr.span, r.expr.span);
        let rule = ops::binary_result(op, l.ty(), r.ty(), l.is_weak(), r.is_weak())
            .map_err(|e| self.rule_error(e, ls, rs, span))?;
        let weak = weak_of(&[&l, &r], rule.result);
        let a = self.coerce(l, rule.operand, &Ctx::Operand)?;
        let b = self.coerce(r, rule.operand, &Ctx::Operand)?;
        Ok(TExpr { expr: Expr::new(ExprKind::Binary(op, Box::new(a), Box::new(b)), rule.result, span), weak })
    }

    /// `a and b` / `a or b` as a value: both operands in their common type.
    fn bool_op(&mut self, and_: bool, values: &[SynExpr], span: Span) -> Checked<TExpr> {
        let mut checked = Vec::with_capacity(values.len());
        for v in values {
            checked.push(self.expr(v)?);
        }
        let Some(first) = checked.first() else {
            return Err(self.fail(DiagKind::Syntax, "empty 'and'/'or'".into(), span));
        };
        let (mut ty, mut weak, mut from) = (first.ty(), first.is_weak(), first.expr.span);
        for t in checked.iter().skip(1) {
            ty = ops::common_type(ty, weak, t.ty(), t.is_weak()).map_err(|e| self.rule_error(e, from, t.expr.span, span))?;
            weak = weak && t.is_weak();
            from = Span { start: from.start, end: t.expr.span.end };
        }
        // `a or b` of two bools is a bool (Python: it yields one of them), not their
        // arithmetic common type.
        if checked.iter().all(|t| t.ty() == Ty::B1) {
            ty = Ty::B1;
        }
        let all: Vec<&TExpr> = checked.iter().collect();
        let weak = weak_of(&all, ty);
        let mut out: Option<Expr> = None;
        for t in checked {
            let x = self.coerce(t, ty, &Ctx::Operand)?;
            out = Some(match out {
                None => x,
                Some(acc) => {
                    let k = if and_ { ExprKind::And(Box::new(acc), Box::new(x)) } else { ExprKind::Or(Box::new(acc), Box::new(x)) };
                    Expr::new(k, ty, span)
                }
            });
        }
        match out {
            Some(expr) => Ok(TExpr { expr, weak }),
            None => Err(self.fail(DiagKind::Syntax, "empty 'and'/'or'".into(), span)),
        }
    }

    /// An expression in a bool context (`if`, `while`, `not`, the test of `x if c else y`):
    /// B1, by truth; `and`/`or` there combine the truths of their operands.
    pub fn cond(&mut self, e: &SynExpr) -> Checked<Expr> {
        match &e.kind {
            SynExprKind::BoolOp { and_, values } => {
                let mut out: Option<Expr> = None;
                for v in values {
                    let x = self.cond(v)?;
                    out = Some(match out {
                        None => x,
                        Some(acc) => {
                            let k = if *and_ { ExprKind::And(Box::new(acc), Box::new(x)) } else { ExprKind::Or(Box::new(acc), Box::new(x)) };
                            Expr::new(k, Ty::B1, e.span)
                        }
                    });
                }
                out.ok_or_else(|| self.fail(DiagKind::Syntax, "empty 'and'/'or'".into(), e.span))
            }
            SynExprKind::Unary(SynUnOp::Not, x) => {
                let c = self.cond(x)?;
                Ok(Expr::new(ExprKind::Not(Box::new(c)), Ty::B1, e.span))
            }
            _ => {
                let t = self.expr(e)?;
                self.truth(t)
            }
        }
    }

    pub fn truth(&self, t: TExpr) -> Checked<Expr> {
        let span = t.expr.span;
        let x = self.own(t)?;
        if x.ty == Ty::B1 {
            Ok(x)
        } else {
            Ok(Expr::new(ExprKind::Convert(Convert::Truth, Box::new(x)), Ty::B1, span))
        }
    }

    fn compare_chain(&mut self, first: &SynExpr, rest: &[(CmpOp, SynExpr)], span: Span) -> Checked<TExpr> {
        let mut left = self.expr(first)?;
        let mut out: Option<Expr> = None;
        let last = rest.len().saturating_sub(1);
        for (i, (op, r)) in rest.iter().enumerate() {
            let mut right = self.expr(r)?;
            // A middle operand is evaluated once: bound to a hidden local, read again as the
            // next comparison's left operand.
            let next_left = if i < last && !matches!(right.weak, Weak::IntLit(_) | Weak::FloatLit(_)) {
                let ty = right.ty();
                let weak = right.weak;
                let rspan = right.expr.span;
                let value = self.own(right)?;
                let id = self.add_hidden(ty);
                right = TExpr { expr: Expr::new(ExprKind::Bind(id, Box::new(value)), ty, rspan), weak };
                Some(TExpr { expr: Expr::new(ExprKind::Local(id), ty, rspan), weak })
            } else {
                Some(right.clone())
            };
            let cmp_span = Span { start: left.expr.span.start, end: right.expr.span.end };
            let c = self.compare(*op, left, right, cmp_span)?;
            out = Some(match out {
                None => c,
                Some(acc) => Expr::new(ExprKind::And(Box::new(acc), Box::new(c)), Ty::B1, span),
            });
            match next_left {
                Some(n) => left = n,
                None => break,
            }
        }
        match out {
            Some(mut expr) => {
                expr.span = span;
                Ok(TExpr::typed(expr))
            }
            None => Err(self.fail(DiagKind::Syntax, "empty comparison".into(), span)),
        }
    }

    /// One comparison. Exact across signedness: a literal outside the other operand's type
    /// compares as the mathematical value it is (`u1 < 300` is always true).
    fn compare(&mut self, op: CmpOp, l: TExpr, r: TExpr, span: Span) -> Checked<Expr> {
        let (lt, rt) = match (l.weak, r.weak) {
            (Weak::IntLit(v), Weak::No) if r.ty().is_width_int() || r.ty() == Ty::Int => {
                let (a, b) = self.literal_compare_types(v, r.ty(), l.expr.span)?;
                (a, b)
            }
            (Weak::No, Weak::IntLit(v)) if l.ty().is_width_int() || l.ty() == Ty::Int => {
                let (b, a) = self.literal_compare_types(v, l.ty(), r.expr.span)?;
                (a, b)
            }
            _ => ops::compare_operands(l.ty(), l.is_weak(), r.ty(), r.is_weak())
                .map_err(|e| self.rule_error(e, l.expr.span, r.expr.span, span))?,
        };
        let a = self.coerce(l, lt, &Ctx::Operand)?;
        let b = self.coerce(r, rt, &Ctx::Operand)?;
        Ok(Expr::new(ExprKind::Compare(op, Box::new(a), Box::new(b)), Ty::B1, span))
    }

    /// (literal's type, other's type) for a comparison of literal `v` with a typed integer.
    fn literal_compare_types(&self, v: i128, other: Ty, at: Span) -> Checked<(Ty, Ty)> {
        if fits(v, other) {
            return Ok((other, other));
        }
        if fits(v, Ty::Int) {
            // U8 against an `int` value is the IR's exact mixed comparison; any other type
            // widens to `int` exactly.
            return Ok((Ty::Int, if other == Ty::U8 { Ty::U8 } else { Ty::Int }));
        }
        if fits(v, Ty::U8) {
            return Ok((Ty::U8, if other.is_unsigned() { Ty::U8 } else if other == Ty::Int { Ty::Int } else { Ty::S8 }));
        }
        let lit = self.text(at, &v.to_string());
        Err(self.fail(DiagKind::Type, format!("literal {lit} does not fit in 64 bits"), at))
    }
}

/// Whether an operation's result is weak: only when every operand is.
fn weak_of(parts: &[&TExpr], result: Ty) -> Weak {
    if parts.iter().all(|t| t.is_weak()) {
        if result.is_float() { Weak::Float } else if result == Ty::Int { Weak::Int } else { Weak::No }
    } else {
        Weak::No
    }
}
