//! Statements: assignments (and the inference of locals' types), control flow, definite
//! assignment and the check that every path returns.

use super::exprs::Ctx;
use super::names::{Resolved, SubsetBuiltin};
use super::{Assigned, Checked, Checker, LoopFlow, TExpr, Weak};
use crate::diag::DiagKind;
use crate::ir::{Expr, ExprKind, LocalId, Stmt, StmtKind};
use crate::ops;
use crate::source::Span;
use crate::syntax::{AssignTarget, SynExpr, SynExprKind, SynStmt, SynStmtKind, Target};
use crate::types::Ty;
use crate::value::Scalar;

/// The state after two paths join: a local is assigned if it is on both.
fn meet(a: Assigned, b: Assigned) -> Assigned {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(a.iter().zip(b.iter()).map(|(x, y)| *x && *y).collect()),
    }
}

/// `while True:` and the like: the loop ends only through `break`.
fn always_true(e: &SynExpr) -> bool {
    match &e.kind {
        SynExprKind::Bool(b) => *b,
        SynExprKind::Int(Some(v), _) => *v != 0,
        SynExprKind::Float(f) => *f != 0.0,
        _ => false,
    }
}

impl<'a> Checker<'a> {
    pub(super) fn block(&mut self, stmts: &[SynStmt]) -> Checked<Vec<Stmt>> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            match self.stmt(s) {
                Ok(Some(st)) => out.push(st),
                Ok(None) => {}
                // While inferring, a statement that does not check yet is skipped: later rounds
                // or the build report it.
                Err(_) if self.infer => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// In infer mode an error is replaced by a placeholder, so that the bodies of a compound
    /// statement are still walked.
    fn soft(&self, r: Checked<Expr>, span: Span) -> Checked<Expr> {
        match r {
            Err(_) if self.infer => Ok(self.konst(Scalar::Bool(false), Ty::B1, span)),
            other => other,
        }
    }

    fn stmt(&mut self, s: &SynStmt) -> Checked<Option<Stmt>> {
        let span = s.span;
        let kind = match &s.kind {
            SynStmtKind::Pass => return Ok(None),
            SynStmtKind::Expr(e) => {
                let t = self.expr(e)?;
                StmtKind::Eval(self.own(t)?)
            }
            SynStmtKind::Return(Some(e)) => {
                let t = self.expr(e)?;
                let value = self.returned(t, e.span)?;
                self.assigned = None;
                StmtKind::Return(value)
            }
            SynStmtKind::Assign { targets, value } => self.assign(targets, value)?,
            SynStmtKind::AnnAssign { target, value: Some(v), .. } => {
                let t = self.expr(v)?;
                self.assign_values(&[target], vec![t])?
            }
            SynStmtKind::AnnAssign { value: None, .. } => return Ok(None),
            SynStmtKind::AugAssign { target, op, value } => {
                let id = self.local_id(target)?;
                let l = self.read_local(id, &target.name, target.span)?;
                let r = self.expr(value)?;
                let t = self.binary(*op, l, r, span)?;
                self.assign_values(&[target], vec![t])?
            }
            SynStmtKind::If { cond, then_body, else_body } => {
                let c = self.cond(cond);
                let cond = self.soft(c, cond.span)?;
                let before = self.assigned.clone();
                let then_body = self.block(then_body)?;
                let after_then = std::mem::replace(&mut self.assigned, before);
                let else_body = self.block(else_body)?;
                let after_else = self.assigned.take();
                self.assigned = meet(after_then, after_else);
                StmtKind::If { cond, then_body, else_body }
            }
            SynStmtKind::While { cond, body } => {
                let c = self.cond(cond);
                let c = self.soft(c, cond.span)?;
                let before = self.assigned.clone();
                self.loops.push(LoopFlow { breaks: None });
                let body = self.block(body);
                let flow = self.loops.pop();
                let body = body?;
                self.assigned = if always_true(cond) { flow.and_then(|f| f.breaks) } else { before };
                StmtKind::While { cond: c, body }
            }
            SynStmtKind::For { target, iter, body } => return self.for_range(target, iter, body, span).map(Some),
            SynStmtKind::Break => {
                let here = self.assigned.take();
                if let Some(l) = self.loops.last_mut() {
                    l.breaks = meet(l.breaks.take(), here);
                }
                StmtKind::Break
            }
            SynStmtKind::Continue => {
                self.assigned = None;
                StmtKind::Continue
            }
            SynStmtKind::Return(None) | SynStmtKind::Unsupported(_) => {
                return Err(self.fail(DiagKind::Unsupported, "this statement is not in the kernel subset".into(), span));
            }
        };
        Ok(Some(Stmt { kind, span }))
    }

    fn local_id(&self, t: &Target) -> Checked<LocalId> {
        match self.resolve(&t.name) {
            Resolved::Local(id) => Ok(id),
            _ => Err(self.fail(DiagKind::Name, format!("name '{}' is not a local", t.name), t.span)),
        }
    }

    /// The type a value gives the local (or result) it is assigned to: its own type.
    fn value_ty(t: &TExpr) -> Ty {
        match t.weak {
            Weak::IntLit(_) | Weak::Int => Ty::Int,
            Weak::FloatLit(_) | Weak::Float => Ty::F8,
            Weak::No => t.ty(),
        }
    }

    fn returned(&mut self, t: TExpr, span: Span) -> Checked<Expr> {
        if self.infer {
            if self.ret_annot.is_none() {
                let vt = Self::value_ty(&t);
                match self.ret_ty {
                    None => {
                        self.ret_ty = Some(vt);
                        self.changed = true;
                    }
                    Some(old) => match ops::join(old, vt) {
                        Ok(j) if j != old => {
                            self.ret_ty = Some(j);
                            self.changed = true;
                        }
                        Ok(_) => {}
                        Err(_) => self.note_conflict(format!(
                            "the kernel returns both {old} and {vt} values, which have no common type; add an explicit cast"
                        ), span),
                    },
                }
            }
            return Ok(self.konst(Scalar::Bool(false), Ty::B1, span));
        }
        match self.ret_annot.or(self.ret_ty) {
            Some(to) => self.coerce(t, to, &Ctx::Return),
            None => Err(self.fail(DiagKind::Type, "the kernel's result type cannot be inferred".into(), span)),
        }
    }

    fn note_conflict(&mut self, message: String, span: Span) {
        if self.conflict.is_none() {
            self.conflict = Some(self.diag(DiagKind::Type, message, span));
        }
    }

    fn assign(&mut self, targets: &[AssignTarget], value: &SynExpr) -> Checked<StmtKind> {
        // `a, b = e1, e2`: every value first, then the names in order.
        if let [AssignTarget::Tuple(names, _)] = targets {
            let SynExprKind::Tuple(parts) = &value.kind else {
                return Err(self.fail(DiagKind::Unsupported, "unpacking is not in the kernel subset".into(), value.span));
            };
            let mut values = Vec::with_capacity(parts.len());
            for p in parts {
                values.push(self.expr(p)?);
            }
            let refs: Vec<&Target> = names.iter().collect();
            return self.assign_values(&refs, values);
        }
        let mut names = Vec::with_capacity(targets.len());
        for t in targets {
            match t {
                AssignTarget::Name(n) => names.push(n),
                AssignTarget::Tuple(_, sp) => {
                    return Err(self.fail(DiagKind::Unsupported, "unpacking is not in the kernel subset".into(), *sp));
                }
            }
        }
        let t = self.expr(value)?;
        // `a = b = e`: `e` once, through a hidden local unless it is a literal.
        let values = if names.len() > 1 && !matches!(t.weak, Weak::IntLit(_) | Weak::FloatLit(_)) {
            let (ty, weak, sp) = (t.ty(), t.weak, t.expr.span);
            let v = self.own(t)?;
            let id = self.add_hidden(ty);
            let mut vs = vec![TExpr { expr: Expr::new(ExprKind::Bind(id, Box::new(v)), ty, sp), weak }];
            for _ in 1..names.len() {
                vs.push(TExpr { expr: Expr::new(ExprKind::Local(id), ty, sp), weak });
            }
            vs
        } else {
            vec![t; names.len()]
        };
        self.assign_values(&names, values)
    }

    /// Assigns checked values to names: joins their types into the locals' while inferring,
    /// converts them to the locals' types when building.
    fn assign_values(&mut self, targets: &[&Target], values: Vec<TExpr>) -> Checked<StmtKind> {
        let mut ids = Vec::with_capacity(targets.len());
        let mut out = Vec::with_capacity(values.len());
        for (target, t) in targets.iter().zip(values) {
            let id = self.local_id(target)?;
            ids.push(id);
            if self.infer {
                self.widen_local(id, Self::value_ty(&t), t.expr.span);
                continue;
            }
            let Some(to) = self.local_ty(id) else {
                let msg = format!("the type of local '{}' cannot be inferred", target.name);
                return Err(self.fail(DiagKind::Type, msg, target.span));
            };
            out.push(self.coerce(t, to, &Ctx::Assign(&target.name))?);
        }
        self.mark_assigned(&ids);
        Ok(StmtKind::Assign { targets: ids, values: out })
    }

    fn mark_assigned(&mut self, ids: &[LocalId]) {
        if let Some(a) = &mut self.assigned {
            for id in ids {
                if let Some(slot) = a.get_mut(*id as usize) {
                    *slot = true;
                }
            }
        }
    }

    /// Inference: the local's type becomes the join of its values' types.
    fn widen_local(&mut self, id: LocalId, vt: Ty, span: Span) {
        let Some(local) = self.locals.get(id as usize) else { return };
        if local.fixed {
            return;
        }
        let name = local.name.clone();
        let new = match local.ty {
            None => Ok(vt),
            Some(old) => ops::join(old, vt).map_err(|_| old),
        };
        match new {
            Ok(t) => {
                if self.locals[id as usize].ty != Some(t) {
                    self.locals[id as usize].ty = Some(t);
                    self.changed = true;
                }
            }
            Err(old) => self.note_conflict(
                format!("local '{name}' is assigned both {old} and {vt} values, which have no common type; add an explicit cast"),
                span,
            ),
        }
    }

    fn for_range(&mut self, target: &Target, iter: &SynExpr, body: &[SynStmt], span: Span) -> Checked<Stmt> {
        let SynExprKind::Call { func, args } = &iter.kind else {
            return Err(self.fail(DiagKind::Unsupported, "a 'for' loop over anything but range() is not in the kernel subset".into(), iter.span));
        };
        let is_range = matches!(&func.kind, SynExprKind::Name(n) if matches!(self.resolve(n), Resolved::Builtin(SubsetBuiltin::Range)));
        if !is_range {
            return Err(self.fail(DiagKind::Unsupported, "a 'for' loop over anything but range() is not in the kernel subset".into(), iter.span));
        }
        if args.is_empty() || args.len() > 3 {
            let msg = format!("range() takes 1 to 3 arguments, {} given", args.len());
            return Err(self.fail(DiagKind::Type, msg, iter.span));
        }
        let id = self.local_id(target)?;
        let mut bounds = Vec::with_capacity(3);
        for a in args {
            let t = self.expr(a);
            match t {
                Ok(t) => bounds.push(t),
                Err(_) if self.infer => {}
                Err(e) => return Err(e),
            }
        }
        // The counter's type: the common type of the bounds (`int` for literals).
        let mut counter: Option<(Ty, bool)> = None;
        for b in &bounds {
            if b.ty().is_float() {
                return Err(self.fail(DiagKind::Type, format!("range() needs integer bounds, not {}", b.ty()), b.expr.span));
            }
            counter = Some(match counter {
                None => (b.ty(), b.is_weak()),
                Some((t, w)) => {
                    let j = ops::common_type(t, w, b.ty(), b.is_weak())
                        .map_err(|e| self.fail(DiagKind::Type, e.message(&self.text(args[0].span, "x"), &self.text(b.expr.span, "y")), iter.span))?;
                    (j, w && b.is_weak())
                }
            });
        }
        let counter_ty = match counter {
            Some((Ty::B1, _)) => Ty::Int,
            Some((t, _)) => t,
            None => Ty::Int,
        };
        if self.infer {
            self.widen_local(id, counter_ty, target.span);
        }
        let var_ty = self.local_ty(id);
        let before = self.assigned.clone();
        let (start, stop, step) = if self.infer {
            let z = self.konst(Scalar::Int(0), Ty::Int, iter.span);
            (z.clone(), z.clone(), z)
        } else {
            let Some(vt) = var_ty.filter(|t| t.is_int()) else {
                let shown = var_ty.map_or("an unknown type".to_string(), |t| t.to_string());
                let msg = format!("the loop variable '{}' also holds {shown} values; range() counts in integers", target.name);
                return Err(self.fail(DiagKind::Type, msg, target.span));
            };
            let mut conv = Vec::with_capacity(3);
            for b in bounds {
                conv.push(self.coerce(b, vt, &Ctx::Bound)?);
            }
            let lit = |c: &Self, v: i64| c.konst(super::exprs::int_scalar(v as i128, vt), vt, iter.span);
            match conv.len() {
                1 => (lit(self, 0), conv.remove(0), lit(self, 1)),
                2 => {
                    let stop = conv.remove(1);
                    (conv.remove(0), stop, lit(self, 1))
                }
                _ => {
                    let step = conv.remove(2);
                    let stop = conv.remove(1);
                    (conv.remove(0), stop, step)
                }
            }
        };
        self.mark_assigned(&[id]);
        self.loops.push(LoopFlow { breaks: None });
        let body = self.block(body);
        self.loops.pop();
        let body = body?;
        // After the loop the variable may be unassigned (an empty range), as in Python.
        self.assigned = before;
        Ok(Stmt { kind: StmtKind::ForRange { var: id, start, stop, step, body }, span })
    }
}
