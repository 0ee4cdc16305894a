//! Pass 1: everything that keeps a function out of the subset whatever the types (constructs,
//! undefined names, globals that are not numbers), reported in source order; and the locals
//! with their annotations.

use super::names::{Resolved, ResolvedAttr, SubsetBuiltin};
use super::{Checker, Fail};
use crate::diag::{DiagKind, Diagnostic};
use crate::env::Global;
use crate::syntax::{AssignTarget, SynExpr, SynExprKind, SynStmt, SynStmtKind, Target};

impl<'a> Checker<'a> {
    pub(super) fn scan(&mut self) -> Result<(), Diagnostic> {
        let f = self.f;
        for s in &f.body {
            self.collect_locals(s);
        }
        let mut loops = 0;
        match self.scan_block(&f.body, &mut loops) {
            Ok(()) => Ok(()),
            Err(Fail::Diag(d)) => Err(d),
            Err(Fail::Pending) => Ok(()),
        }
    }

    fn declare(&mut self, t: &Target) {
        if !self.by_name.contains_key(&t.name) {
            self.add_local(&t.name, None, false);
        }
    }

    fn collect_locals(&mut self, s: &SynStmt) {
        match &s.kind {
            SynStmtKind::Assign { targets, .. } => {
                for t in targets {
                    match t {
                        AssignTarget::Name(n) => self.declare(n),
                        AssignTarget::Tuple(ns, _) => ns.iter().for_each(|n| self.declare(n)),
                    }
                }
            }
            SynStmtKind::AnnAssign { target, .. } | SynStmtKind::AugAssign { target, .. } => self.declare(target),
            SynStmtKind::For { target, body, .. } => {
                self.declare(target);
                body.iter().for_each(|s| self.collect_locals(s));
            }
            SynStmtKind::If { then_body, else_body, .. } => {
                then_body.iter().chain(else_body.iter()).for_each(|s| self.collect_locals(s));
            }
            SynStmtKind::While { body, .. } => body.iter().for_each(|s| self.collect_locals(s)),
            _ => {}
        }
    }

    fn scan_block(&mut self, stmts: &[SynStmt], loops: &mut u32) -> Result<(), Fail> {
        for s in stmts {
            self.scan_stmt(s, loops)?;
        }
        Ok(())
    }

    fn scan_stmt(&mut self, s: &SynStmt, loops: &mut u32) -> Result<(), Fail> {
        let un = |c: &Self, m: String| Err(c.fail(DiagKind::Unsupported, m, s.span));
        match &s.kind {
            SynStmtKind::Unsupported(m) => un(self, m.clone()),
            SynStmtKind::Pass => Ok(()),
            SynStmtKind::Break | SynStmtKind::Continue if *loops == 0 => {
                let word = if matches!(s.kind, SynStmtKind::Break) { "break" } else { "continue" };
                Err(self.fail(DiagKind::Syntax, format!("'{word}' outside a loop"), s.span))
            }
            SynStmtKind::Break | SynStmtKind::Continue => Ok(()),
            SynStmtKind::Return(None) => un(self, "'return' without a value is not in the kernel subset".into()),
            SynStmtKind::Return(Some(e)) | SynStmtKind::Expr(e) => self.scan_expr(e),
            SynStmtKind::Assign { targets, value } => {
                let tuple_target = targets.iter().find_map(|t| match t {
                    AssignTarget::Tuple(ns, sp) => Some((ns.len(), *sp)),
                    AssignTarget::Name(_) => None,
                });
                match (tuple_target, &value.kind) {
                    (Some((n, _)), SynExprKind::Tuple(vals)) => {
                        for v in vals {
                            self.scan_expr(v)?;
                        }
                        if n != vals.len() || targets.len() > 1 {
                            let msg = if targets.len() > 1 {
                                "a chained assignment with unpacking is not in the kernel subset".to_string()
                            } else {
                                format!("cannot unpack {} values into {} names", vals.len(), n)
                            };
                            return Err(self.fail(DiagKind::Unsupported, msg, value.span));
                        }
                        Ok(())
                    }
                    (Some((_, sp)), _) => {
                        self.scan_expr(value)?;
                        let msg = "unpacking a value other than a tuple of expressions is not in the kernel subset";
                        Err(self.fail(DiagKind::Unsupported, msg.into(), sp))
                    }
                    (None, _) => self.scan_expr(value),
                }
            }
            SynStmtKind::AnnAssign { target, annotation, value } => {
                let ty = self.annotation_type(annotation)?;
                let Some(&id) = self.by_name.get(&target.name) else { return Ok(()) };
                let params = self.f.params.len();
                if let Some(local) = self.locals.get_mut(id as usize) {
                    match (local.fixed, local.ty) {
                        (true, Some(old)) if old != ty => {
                            let what = if (id as usize) < params { "parameter" } else { "local" };
                            let msg = format!("{what} '{}' has type {old} and cannot be annotated {ty}", target.name);
                            return Err(self.fail(DiagKind::Type, msg, annotation.span));
                        }
                        _ => {
                            local.ty = Some(ty);
                            local.fixed = true;
                        }
                    }
                }
                match value {
                    Some(v) => self.scan_expr(v),
                    None => Ok(()),
                }
            }
            SynStmtKind::AugAssign { value, .. } => self.scan_expr(value),
            SynStmtKind::If { cond, then_body, else_body } => {
                self.scan_expr(cond)?;
                self.scan_block(then_body, loops)?;
                self.scan_block(else_body, loops)
            }
            SynStmtKind::While { cond, body } => {
                self.scan_expr(cond)?;
                *loops += 1;
                let r = self.scan_block(body, loops);
                *loops -= 1;
                r
            }
            SynStmtKind::For { iter, body, .. } => {
                match &iter.kind {
                    SynExprKind::Call { func, args }
                        if matches!(&func.kind, SynExprKind::Name(n)
                            if matches!(self.resolve(n), Resolved::Builtin(SubsetBuiltin::Range))) =>
                    {
                        for a in args {
                            self.scan_expr(a)?;
                        }
                    }
                    _ => {
                        let msg = "a 'for' loop over anything but range() is not in the kernel subset";
                        return Err(self.fail(DiagKind::Unsupported, msg.into(), iter.span));
                    }
                }
                *loops += 1;
                let r = self.scan_block(body, loops);
                *loops -= 1;
                r
            }
        }
    }

    fn scan_expr(&self, e: &SynExpr) -> Result<(), Fail> {
        let un = |m: String| Err(self.fail(DiagKind::Unsupported, m, e.span));
        match &e.kind {
            SynExprKind::Unsupported(m) => un(m.clone()),
            SynExprKind::Int(..) | SynExprKind::Float(_) | SynExprKind::Bool(_) => Ok(()),
            SynExprKind::Str(_) => un("a 'str' literal is not in the kernel subset".into()),
            SynExprKind::Tuple(_) => un("a tuple is not in the kernel subset".into()),
            SynExprKind::Name(n) => self.scan_name_value(n, e),
            SynExprKind::Attr { base, attr } => match self.resolve_attr(base, attr) {
                ResolvedAttr::MathConst(_) | ResolvedAttr::Global(Global::Const(..)) => Ok(()),
                ResolvedAttr::MathFn(_) => {
                    un(format!("the function '{base}.{attr}' can only be called in a kernel, not used as a value"))
                }
                ResolvedAttr::Global(g) => Err(self.global_misuse(&format!("{base}.{attr}"), g, e.span)),
                ResolvedAttr::Outside(kind, m) => Err(self.fail(kind, m, e.span)),
            },
            SynExprKind::Unary(_, x) => self.scan_expr(x),
            SynExprKind::Binary(_, l, r) => {
                self.scan_expr(l)?;
                self.scan_expr(r)
            }
            SynExprKind::BoolOp { values, .. } => values.iter().try_for_each(|v| self.scan_expr(v)),
            SynExprKind::Compare(first, rest) => {
                self.scan_expr(first)?;
                rest.iter().try_for_each(|(_, v)| self.scan_expr(v))
            }
            SynExprKind::IfElse { cond, then, els } => {
                // Python evaluates the condition first, but it stands second in the text.
                self.scan_expr(then)?;
                self.scan_expr(cond)?;
                self.scan_expr(els)
            }
            SynExprKind::Call { func, args } => {
                self.scan_callee(func)?;
                args.iter().try_for_each(|a| self.scan_expr(a))
            }
        }
    }

    fn scan_name_value(&self, n: &str, e: &SynExpr) -> Result<(), Fail> {
        match self.resolve(n) {
            Resolved::Local(_) | Resolved::Global(Global::Const(..)) => Ok(()),
            Resolved::Global(g) => Err(self.global_misuse(n, g, e.span)),
            Resolved::Builtin(_) => Err(self.fail(
                DiagKind::Unsupported,
                format!("the builtin '{n}' can only be called in a kernel, not used as a value"),
                e.span,
            )),
            Resolved::PythonBuiltin => {
                Err(self.fail(DiagKind::Unsupported, format!("'{n}' is not in the kernel subset"), e.span))
            }
            Resolved::Undefined => Err(self.fail(DiagKind::Name, format!("name '{n}' is not defined"), e.span)),
        }
    }

    fn scan_callee(&self, func: &SynExpr) -> Result<(), Fail> {
        let span = func.span;
        match &func.kind {
            SynExprKind::Name(n) => match self.resolve(n) {
                Resolved::Local(_) => Err(self.fail(
                    DiagKind::Unsupported,
                    format!("calling the local '{n}' is not in the kernel subset"),
                    span,
                )),
                Resolved::Global(Global::MathFn(_) | Global::Type(_) | Global::Kernel(_)) => Ok(()),
                Resolved::Global(Global::Const(..)) => {
                    Err(self.fail(DiagKind::Type, format!("global '{n}' is a number and cannot be called"), span))
                }
                Resolved::Global(g) => Err(self.global_misuse(n, g, span)),
                Resolved::Builtin(SubsetBuiltin::Range) => Err(self.fail(
                    DiagKind::Unsupported,
                    "range() outside the header of a 'for' loop is not in the kernel subset".into(),
                    span,
                )),
                Resolved::Builtin(_) => Ok(()),
                Resolved::PythonBuiltin => {
                    Err(self.fail(DiagKind::Unsupported, format!("call to '{n}' is not in the kernel subset"), span))
                }
                Resolved::Undefined => Err(self.fail(DiagKind::Name, format!("name '{n}' is not defined"), span)),
            },
            SynExprKind::Attr { base, attr } => match self.resolve_attr(base, attr) {
                ResolvedAttr::MathFn(_) => Ok(()),
                ResolvedAttr::Global(Global::MathFn(_) | Global::Type(_) | Global::Kernel(_)) => Ok(()),
                ResolvedAttr::MathConst(_) | ResolvedAttr::Global(Global::Const(..)) => {
                    Err(self.fail(DiagKind::Type, format!("'{base}.{attr}' is a number and cannot be called"), span))
                }
                ResolvedAttr::Global(g) => Err(self.global_misuse(&format!("{base}.{attr}"), g, span)),
                ResolvedAttr::Outside(kind, m) => {
                    let m = if kind == DiagKind::Unsupported {
                        format!("call to '{base}.{attr}' is not in the kernel subset")
                    } else {
                        m
                    };
                    Err(self.fail(kind, m, span))
                }
            },
            SynExprKind::Unsupported(m) => Err(self.fail(DiagKind::Unsupported, m.clone(), span)),
            _ => Err(self.fail(DiagKind::Unsupported, "calling this expression is not in the kernel subset".into(), span)),
        }
    }
}
