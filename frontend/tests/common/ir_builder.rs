//! A tiny builder for hand-made kernel IR, so interpreter tests read like the source they
//! stand for. Spans default to 0..0; `at` sets one where a test checks a fault's site.
#![allow(dead_code)]

use frontend::ir::{Expr, ExprKind, Kernel, Local, LocalId, Param, Stmt, StmtKind};
use frontend::ops::{BinOp, Builtin, CmpOp, Convert, UnOp};
use frontend::source::{Source, Span};
use frontend::types::Ty;
use frontend::value::Scalar;
use std::sync::Arc;

pub struct KernelBuilder {
    name: String,
    params: Vec<Param>,
    locals: Vec<Local>,
    source: Arc<Source>,
}

impl KernelBuilder {
    pub fn new(name: &str, params: &[(&str, Ty)]) -> KernelBuilder {
        let text = format!("def {name}(...):\n    pass\n");
        let mut b = KernelBuilder {
            name: name.into(),
            params: Vec::new(),
            locals: Vec::new(),
            source: Arc::new(Source::new(text, format!("{name}.py"), 1)),
        };
        for &(pname, ty) in params {
            let local = b.local(pname, ty);
            b.params.push(Param {
                name: pname.into(),
                ty,
                local,
            });
        }
        b
    }

    /// A source text for fault-site checks.
    pub fn with_source(mut self, text: &str) -> KernelBuilder {
        self.source = Arc::new(Source::new(text, format!("{}.py", self.name), 1));
        self
    }

    pub fn local(&mut self, name: &str, ty: Ty) -> LocalId {
        self.locals.push(Local {
            name: name.into(),
            ty,
        });
        (self.locals.len() - 1) as LocalId
    }

    /// The expression reading local `id`.
    pub fn get(&self, id: LocalId) -> Expr {
        let ty = self.locals[id as usize].ty;
        Expr::new(ExprKind::Local(id), ty, Span::default())
    }

    /// The parameter `i` as an expression.
    pub fn param(&self, i: usize) -> Expr {
        self.get(self.params[i].local)
    }

    pub fn finish(self, ret: Ty, body: Vec<Stmt>) -> Kernel {
        Kernel {
            name: self.name,
            params: self.params,
            ret,
            locals: self.locals,
            body,
            source: self.source,
            span: Span::default(),
        }
    }
}

pub fn at(mut e: Expr, start: u32, end: u32) -> Expr {
    e.span = Span { start, end };
    e
}

pub fn stmt_at(mut s: Stmt, start: u32, end: u32) -> Stmt {
    s.span = Span { start, end };
    s
}

fn ex(kind: ExprKind, ty: Ty) -> Expr {
    Expr::new(kind, ty, Span::default())
}

pub fn konst(v: Scalar, ty: Ty) -> Expr {
    ex(ExprKind::Const(v), ty)
}
pub fn int(v: i64) -> Expr {
    konst(Scalar::Int(v), Ty::Int)
}
pub fn sint(v: i64, ty: Ty) -> Expr {
    konst(Scalar::Int(v), ty)
}
pub fn uint(v: u64, ty: Ty) -> Expr {
    konst(Scalar::UInt(v), ty)
}
pub fn f8(v: f64) -> Expr {
    konst(Scalar::Float(v), Ty::F8)
}
pub fn boolean(v: bool) -> Expr {
    konst(Scalar::Bool(v), Ty::B1)
}
pub fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    let ty = a.ty;
    ex(ExprKind::Binary(op, Box::new(a), Box::new(b)), ty)
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    ex(ExprKind::Compare(op, Box::new(a), Box::new(b)), Ty::B1)
}
pub fn unary(op: UnOp, a: Expr) -> Expr {
    let ty = a.ty;
    ex(ExprKind::Unary(op, Box::new(a)), ty)
}
pub fn not(a: Expr) -> Expr {
    ex(ExprKind::Not(Box::new(a)), Ty::B1)
}
pub fn conv(c: Convert, a: Expr, to: Ty) -> Expr {
    ex(ExprKind::Convert(c, Box::new(a)), to)
}
pub fn and(a: Expr, b: Expr) -> Expr {
    let ty = a.ty;
    ex(ExprKind::And(Box::new(a), Box::new(b)), ty)
}
pub fn or(a: Expr, b: Expr) -> Expr {
    let ty = a.ty;
    ex(ExprKind::Or(Box::new(a), Box::new(b)), ty)
}
pub fn if_else(cond: Expr, then: Expr, els: Expr) -> Expr {
    let ty = then.ty;
    ex(
        ExprKind::IfElse {
            cond: Box::new(cond),
            then: Box::new(then),
            els: Box::new(els),
        },
        ty,
    )
}
pub fn builtin_call(b: Builtin, args: Vec<Expr>, ty: Ty) -> Expr {
    ex(ExprKind::Call(b, args), ty)
}
pub fn call_kernel(k: &Arc<Kernel>, args: Vec<Expr>) -> Expr {
    ex(ExprKind::CallKernel(k.clone(), args), k.ret)
}
pub fn bind(id: LocalId, e: Expr) -> Expr {
    let ty = e.ty;
    ex(ExprKind::Bind(id, Box::new(e)), ty)
}

fn st(kind: StmtKind) -> Stmt {
    Stmt {
        kind,
        span: Span::default(),
    }
}
pub fn ret(e: Expr) -> Stmt {
    st(StmtKind::Return(e))
}
pub fn assign(target: LocalId, e: Expr) -> Stmt {
    st(StmtKind::Assign {
        targets: vec![target],
        values: vec![e],
    })
}
pub fn assign_many(targets: Vec<LocalId>, values: Vec<Expr>) -> Stmt {
    st(StmtKind::Assign { targets, values })
}
pub fn if_(cond: Expr, then_body: Vec<Stmt>, else_body: Vec<Stmt>) -> Stmt {
    st(StmtKind::If {
        cond,
        then_body,
        else_body,
    })
}
pub fn while_(cond: Expr, body: Vec<Stmt>) -> Stmt {
    st(StmtKind::While { cond, body })
}
pub fn for_range(var: LocalId, start: Expr, stop: Expr, step: Expr, body: Vec<Stmt>) -> Stmt {
    st(StmtKind::ForRange {
        var,
        start,
        stop,
        step,
        body,
    })
}
pub fn brk() -> Stmt {
    st(StmtKind::Break)
}
pub fn cont() -> Stmt {
    st(StmtKind::Continue)
}
pub fn eval(e: Expr) -> Stmt {
    st(StmtKind::Eval(e))
}

/// `def k(a: T, b: T) -> T: return a <op> b`
pub fn binary_kernel(op: BinOp, ty: Ty) -> Kernel {
    let k = KernelBuilder::new("k", &[("a", ty), ("b", ty)]);
    let body = vec![ret(bin(op, k.param(0), k.param(1)))];
    k.finish(ty, body)
}

/// `def k(a: T) -> T: return <op> a`
pub fn unary_kernel(op: UnOp, ty: Ty) -> Kernel {
    let k = KernelBuilder::new("k", &[("a", ty)]);
    let body = vec![ret(unary(op, k.param(0)))];
    k.finish(ty, body)
}

/// `def k(a: FROM) -> TO: return <conv>(a)`
pub fn convert_kernel(c: Convert, from: Ty, to: Ty) -> Kernel {
    let k = KernelBuilder::new("k", &[("a", from)]);
    let body = vec![ret(conv(c, k.param(0), to))];
    k.finish(to, body)
}
