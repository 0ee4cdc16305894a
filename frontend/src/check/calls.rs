//! Calls: the builtins of the subset, scalar-type casts, `math` functions and other kernels.

use super::exprs::{Ctx, float_scalar, int_scalar};
use super::names::{Resolved, ResolvedAttr, SubsetBuiltin};
use super::{Checked, Checker, Frame, MAX_CALL_DEPTH, TExpr, Weak, compile_nested};
use crate::diag::DiagKind;
use crate::env::{Global, KernelDef};
use crate::ir::{Expr, ExprKind, Kernel};
use crate::ops::{self, BinOp, Builtin, Convert, MathFn, MathResult, RoundMode};
use crate::source::Span;
use crate::syntax::{SynExpr, SynExprKind};
use crate::types::Ty;
use crate::value::Scalar;
use std::sync::Arc;

enum Callee {
    Builtin(SubsetBuiltin),
    Math(MathFn),
    Cast(Ty),
    Kernel(Arc<KernelDef>),
}

impl<'a> Checker<'a> {
    fn callee(&self, func: &SynExpr) -> Checked<(Callee, String)> {
        let global = |g: &Global, name: String| -> Checked<(Callee, String)> {
            match g {
                Global::MathFn(f) => Ok((Callee::Math(*f), name)),
                Global::Type(t) => Ok((Callee::Cast(*t), name)),
                Global::Kernel(k) => Ok((Callee::Kernel(k.clone()), name)),
                other => Err(self.global_misuse(&name, other, func.span)),
            }
        };
        match &func.kind {
            SynExprKind::Name(n) => match self.resolve(n) {
                Resolved::Builtin(b) => Ok((Callee::Builtin(b), n.clone())),
                Resolved::Global(g) => global(g, n.clone()),
                _ => Err(self.fail(DiagKind::Unsupported, format!("call to '{n}' is not in the kernel subset"), func.span)),
            },
            SynExprKind::Attr { base, attr } => {
                let name = format!("{base}.{attr}");
                match self.resolve_attr(base, attr) {
                    ResolvedAttr::MathFn(f) => Ok((Callee::Math(f), name)),
                    ResolvedAttr::Global(g) => global(g, name),
                    ResolvedAttr::Outside(kind, m) => Err(self.fail(kind, m, func.span)),
                    ResolvedAttr::MathConst(_) => {
                        Err(self.fail(DiagKind::Type, format!("'{name}' is a number and cannot be called"), func.span))
                    }
                }
            }
            _ => Err(self.fail(DiagKind::Unsupported, "calling this expression is not in the kernel subset".into(), func.span)),
        }
    }

    fn arity(&self, name: &str, args: &[SynExpr], want: usize, span: Span) -> Checked<()> {
        if args.len() == want {
            return Ok(());
        }
        let s = if want == 1 { "" } else { "s" };
        Err(self.fail(DiagKind::Type, format!("{name}() takes {want} argument{s}, {} given", args.len()), span))
    }

    pub fn call(&mut self, func: &SynExpr, args: &[SynExpr], span: Span) -> Checked<TExpr> {
        let (callee, name) = self.callee(func)?;
        match callee {
            Callee::Builtin(b) => self.call_builtin(b, &name, args, span),
            Callee::Math(f) => self.call_math(f, &name, args, span),
            Callee::Cast(t) => {
                self.arity(&name, args, 1, span)?;
                let x = self.expr(&args[0])?;
                self.cast(x, t, span)
            }
            Callee::Kernel(k) => self.call_kernel(&k, &name, args, span),
        }
    }

    fn wrap(&self, c: Convert, x: Expr, to: Ty, span: Span) -> Expr {
        Expr::new(ExprKind::Convert(c, Box::new(x)), to, span)
    }

    /// `T(x)` for a scalar type `T`: integers wrap, floats truncate (checked), truth for B1.
    /// A literal argument is converted now (`U1(-1)` is the constant 255).
    fn cast(&mut self, x: TExpr, to: Ty, span: Span) -> Checked<TExpr> {
        match x.weak {
            Weak::IntLit(v) if to.is_int() => {
                let bits = to.bits();
                let m = v.rem_euclid(1i128 << bits);
                let v = if to.is_signed() && m >= 1i128 << (bits - 1) { m - (1i128 << bits) } else { m };
                return Ok(TExpr::typed(self.konst(int_scalar(v, to), to, span)));
            }
            Weak::IntLit(v) if to.is_float() => return Ok(TExpr::typed(self.konst(float_scalar(v as f64, to), to, span))),
            Weak::IntLit(v) if to == Ty::B1 => return Ok(TExpr::typed(self.konst(Scalar::Bool(v != 0), to, span))),
            Weak::FloatLit(f) if to.is_float() => return Ok(TExpr::typed(self.konst(float_scalar(f, to), to, span))),
            _ => {}
        }
        let from = x.ty();
        let x = self.own(x)?;
        Ok(TExpr::typed(match ops::cast_convert(from, to) {
            None => Expr { span, ..x },
            Some(c) => self.wrap(c, x, to, span),
        }))
    }

    fn call_builtin(&mut self, b: SubsetBuiltin, name: &str, args: &[SynExpr], span: Span) -> Checked<TExpr> {
        match b {
            SubsetBuiltin::Abs => {
                self.arity(name, args, 1, span)?;
                let x = self.expr(&args[0])?;
                match x.weak {
                    Weak::IntLit(v) => return Ok(self.int_lit(v.abs(), span)),
                    Weak::FloatLit(f) => return Ok(self.float_lit(f.abs(), span)),
                    _ => {}
                }
                let ty = if x.ty() == Ty::B1 { Ty::Int } else { x.ty() };
                let weak = if x.is_weak() { x.weak } else { Weak::No };
                let a = self.coerce(x, ty, &Ctx::Operand)?;
                Ok(TExpr { expr: Expr::new(ExprKind::Call(Builtin::Abs, vec![a]), ty, span), weak })
            }
            SubsetBuiltin::Min | SubsetBuiltin::Max => {
                if args.len() < 2 {
                    let msg = if args.len() == 1 {
                        format!("{name}() of one argument (an iterable) is not in the kernel subset")
                    } else {
                        format!("{name}() needs at least 2 arguments")
                    };
                    let kind = if args.len() == 1 { DiagKind::Unsupported } else { DiagKind::Type };
                    return Err(self.fail(kind, msg, span));
                }
                let mut xs = Vec::with_capacity(args.len());
                for a in args {
                    xs.push(self.expr(a)?);
                }
                let (mut ty, mut weak) = (xs[0].ty(), xs[0].is_weak());
                for x in xs.iter().skip(1) {
                    ty = ops::common_type(ty, weak, x.ty(), x.is_weak()).map_err(|e| {
                        self.fail(DiagKind::Type, e.message(&self.text(args[0].span, "x"), &self.text(x.expr.span, "y")), span)
                    })?;
                    weak = weak && x.is_weak();
                }
                let weak = if !weak { Weak::No } else if ty.is_float() { Weak::Float } else { Weak::Int };
                let mut converted = Vec::with_capacity(xs.len());
                for x in xs {
                    converted.push(self.coerce(x, ty, &Ctx::Operand)?);
                }
                let f = if b == SubsetBuiltin::Min { Builtin::Min } else { Builtin::Max };
                Ok(TExpr { expr: Expr::new(ExprKind::Call(f, converted), ty, span), weak })
            }
            SubsetBuiltin::Round => {
                if args.len() == 2 {
                    let msg = "round() with a number of digits is not in the kernel subset";
                    return Err(self.fail(DiagKind::Unsupported, msg.into(), span));
                }
                self.arity(name, args, 1, span)?;
                let x = self.expr(&args[0])?;
                self.round_to_int(x, RoundMode::HalfEven, span)
            }
            SubsetBuiltin::Int => {
                self.arity(name, args, 1, span)?;
                let x = self.expr(&args[0])?;
                self.round_to_int(x, RoundMode::Trunc, span)
            }
            SubsetBuiltin::Float => {
                self.arity(name, args, 1, span)?;
                let x = self.expr(&args[0])?;
                match x.weak {
                    Weak::IntLit(v) => return Ok(self.float_lit(v as f64, span)),
                    Weak::FloatLit(f) => return Ok(self.float_lit(f, span)),
                    _ => {}
                }
                let from = x.ty();
                let x = self.own(x)?;
                Ok(TExpr::typed(match ops::cast_convert(from, Ty::F8) {
                    None => Expr { span, ..x },
                    Some(c) => self.wrap(c, x, Ty::F8, span),
                }))
            }
            SubsetBuiltin::Bool => {
                self.arity(name, args, 1, span)?;
                let x = self.expr(&args[0])?;
                let mut e = self.truth(x)?;
                e.span = span;
                Ok(TExpr::typed(e))
            }
            SubsetBuiltin::Range => Err(self.fail(
                DiagKind::Unsupported,
                "range() outside the header of a 'for' loop is not in the kernel subset".into(),
                span,
            )),
        }
    }

    /// `int(x)`, `round(x)`, `math.floor(x)`...: a float rounds to an `int` (checked); an
    /// integer stays as it is (`int(u8)` is checked into `int`), a bool becomes 0 or 1.
    fn round_to_int(&mut self, x: TExpr, mode: RoundMode, span: Span) -> Checked<TExpr> {
        if let Weak::IntLit(_) = x.weak {
            let mut x = x;
            x.expr.span = span;
            return Ok(x);
        }
        let from = x.ty();
        let keep_width = mode != RoundMode::Trunc || !from.is_width_int();
        let x = self.own(x)?;
        let expr = match from {
            Ty::B1 => self.wrap(Convert::FromBool, x, Ty::Int, span),
            f if f.is_float() => self.wrap(Convert::FloatToInt(mode), x, Ty::Int, span),
            Ty::Int => Expr { span, ..x },
            // `int(u8)`: Python's int of the value, checked into 64 bits.
            _ if !keep_width => self.wrap(Convert::IntChecked, x, Ty::Int, span),
            // `round(u1)`, `math.floor(s4)`: Python returns the integer unchanged.
            _ => Expr { span, ..x },
        };
        Ok(TExpr::typed(expr))
    }

    fn call_math(&mut self, f: MathFn, name: &str, args: &[SynExpr], span: Span) -> Checked<TExpr> {
        let row = f.row();
        // `math.log(x, base)` is `log(x) / log(base)`, which is how CPython computes it.
        if f == MathFn::Log && args.len() == 2 {
            let x = self.expr(&args[0])?;
            let base = self.expr(&args[1])?;
            let lx = self.math_call(f, vec![x], args[0].span)?;
            let lb = self.math_call(f, vec![base], args[1].span)?;
            let e = Expr::new(ExprKind::Binary(BinOp::Div, Box::new(lx), Box::new(lb)), Ty::F8, span);
            return Ok(TExpr::typed(e));
        }
        self.arity(name, args, row.arity, span)?;
        let mut xs = Vec::with_capacity(args.len());
        for a in args {
            xs.push(self.expr(a)?);
        }
        if let MathResult::Int(mode) = row.result {
            let x = xs.remove(0);
            return self.round_to_int(x, mode, span);
        }
        Ok(TExpr::typed(self.math_call(f, xs, span)?))
    }

    fn math_call(&mut self, f: MathFn, xs: Vec<TExpr>, span: Span) -> Checked<Expr> {
        let mut converted = Vec::with_capacity(xs.len());
        for x in xs {
            converted.push(self.coerce(x, Ty::F8, &Ctx::Operand)?);
        }
        Ok(Expr::new(ExprKind::Call(Builtin::Math(f), converted), ops::math_result_type(f), span))
    }

    fn call_kernel(&mut self, def: &Arc<KernelDef>, name: &str, args: &[SynExpr], span: Span) -> Checked<TExpr> {
        let mut xs = Vec::with_capacity(args.len());
        for a in args {
            xs.push(self.expr(a)?);
        }
        let types: Vec<Ty> = xs.iter().map(|x| x.ty()).collect();
        let kernel = self.compiled_callee(def, name, &types, span)?;
        if kernel.params.len() != xs.len() {
            let msg = format!("kernel '{name}' takes {} arguments, {} given", kernel.params.len(), xs.len());
            return Err(self.fail(DiagKind::Type, msg, span));
        }
        let mut converted = Vec::with_capacity(xs.len());
        for (x, p) in xs.into_iter().zip(kernel.params.iter()) {
            converted.push(self.coerce(x, p.ty, &Ctx::Arg { param: &p.name, kernel: name })?);
        }
        let ret = kernel.ret;
        Ok(TExpr::typed(Expr::new(ExprKind::CallKernel(kernel, converted), ret, span)))
    }

    fn compiled_callee(&mut self, def: &Arc<KernelDef>, name: &str, types: &[Ty], span: Span) -> Checked<Arc<Kernel>> {
        let same = |d: &KernelDef| d.name == def.name && *d.source == *def.source;
        if same(self.def) || self.stack.iter().any(|f| same(f.def)) {
            return Err(self.fail(
                DiagKind::Unsupported,
                format!("recursive call to kernel '{name}' is not in the kernel subset"),
                span,
            ));
        }
        if self.stack.len() + 1 >= MAX_CALL_DEPTH {
            return Err(self.fail(
                DiagKind::Unsupported,
                format!("kernel calls nested more than {MAX_CALL_DEPTH} deep are not in the kernel subset"),
                span,
            ));
        }
        let key = (Arc::as_ptr(def) as usize, types.to_vec());
        if !self.callees.contains_key(&key) {
            let mut frames: Vec<Frame<'_>> = self.stack.iter().map(|f| Frame { def: f.def }).collect();
            frames.push(Frame { def: self.def });
            let compiled = compile_nested(def, types, &frames).map(Arc::new).map_err(|d| {
                let loc = d.location();
                let sig: Vec<&str> = types.iter().map(|t| t.name()).collect();
                crate::diag::Diagnostic {
                    kind: d.kind,
                    message: format!(
                        "kernel '{name}' cannot be compiled for ({}): {}, line {}, col {}: {}",
                        sig.join(", "),
                        loc.file,
                        loc.line,
                        loc.col,
                        d.message
                    ),
                    site: self.diag(d.kind, String::new(), span).site,
                }
            });
            self.callees.insert(key.clone(), compiled);
        }
        match self.callees.get(&key) {
            Some(Ok(k)) => Ok(k.clone()),
            Some(Err(d)) => Err(d.clone().into()),
            None => Err(self.fail(DiagKind::Type, format!("kernel '{name}' could not be compiled"), span)),
        }
    }
}
