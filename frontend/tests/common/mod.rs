//! Shared helpers: build a kernel definition from text and compile it.
#![allow(dead_code)]

use frontend::env::{Env, Global, KernelDef};
use frontend::ir::{Expr, ExprKind, Kernel, Stmt, StmtKind};
use frontend::ops::MathFn;
use frontend::types::{ALL_TYPES, Ty};
use frontend::{Diagnostic, Source, compile};
use std::sync::Arc;

/// The names a typical kernel module has: the scalar types, `math`, `np.float64`.
pub fn env() -> Env {
    let mut env = Env::new().with("math", Global::MathModule).with("m", Global::MathModule);
    for t in ALL_TYPES {
        if t != Ty::Int {
            env = env.with(t.name(), Global::Type(t));
        }
    }
    env.with("np.float64", Global::Type(Ty::F8))
        .with("np.uint8", Global::Type(Ty::U1))
        .with("sqrt", Global::MathFn(MathFn::Sqrt))
}

pub fn def_in(src: &str, env: Env) -> KernelDef {
    let name = src
        .split("def ")
        .nth(1)
        .and_then(|s| s.split('(').next())
        .unwrap_or("f")
        .trim()
        .to_string();
    KernelDef { name, source: Arc::new(Source::new(src, "k.py", 1)), env }
}

pub fn def(src: &str) -> KernelDef {
    def_in(src, env())
}

pub fn ok(src: &str) -> Kernel {
    ok_with(src, &[])
}

pub fn ok_with(src: &str, args: &[Ty]) -> Kernel {
    match compile(&def(src), args) {
        Ok(k) => k,
        Err(d) => panic!("expected to compile, got:\n{}", d.render()),
    }
}

pub fn err(src: &str) -> Diagnostic {
    err_with(src, &[])
}

pub fn err_with(src: &str, args: &[Ty]) -> Diagnostic {
    match compile(&def(src), args) {
        Ok(k) => panic!("expected a diagnostic, compiled:\n{k:#?}"),
        Err(d) => d,
    }
}

/// (line, col, message) of a diagnostic.
pub fn where_(d: &Diagnostic) -> (u32, u32, String) {
    let l = d.location();
    (l.line, l.col, d.message.clone())
}

pub fn local_ty(k: &Kernel, name: &str) -> Ty {
    k.locals.iter().find(|l| l.name == name).map(|l| l.ty).unwrap_or_else(|| panic!("no local {name}"))
}

/// The value of the first `return` in the body (searching nested blocks).
pub fn first_return(k: &Kernel) -> &Expr {
    fn find(stmts: &[Stmt]) -> Option<&Expr> {
        for s in stmts {
            match &s.kind {
                StmtKind::Return(e) => return Some(e),
                StmtKind::If { then_body, else_body, .. } => {
                    if let Some(e) = find(then_body).or_else(|| find(else_body)) {
                        return Some(e);
                    }
                }
                StmtKind::While { body, .. } | StmtKind::ForRange { body, .. } => {
                    if let Some(e) = find(body) {
                        return Some(e);
                    }
                }
                _ => {}
            }
        }
        None
    }
    find(&k.body).expect("a return")
}

/// A compact rendering of an expression tree, for asserting the shape the checker built:
/// `add:U1(local:U1, const:U1)`.
pub fn shape(e: &Expr) -> String {
    let t = e.ty.name();
    match &e.kind {
        ExprKind::Const(_) => format!("const:{t}"),
        ExprKind::Local(_) => format!("local:{t}"),
        ExprKind::Bind(_, x) => format!("bind:{t}({})", shape(x)),
        ExprKind::Convert(c, x) => format!("{c:?}:{t}({})", shape(x)),
        ExprKind::Unary(op, x) => format!("{op:?}:{t}({})", shape(x)),
        ExprKind::Not(x) => format!("not:{t}({})", shape(x)),
        ExprKind::Binary(op, a, b) => format!("{op:?}:{t}({}, {})", shape(a), shape(b)),
        ExprKind::Compare(op, a, b) => format!("{op:?}:{t}({}, {})", shape(a), shape(b)),
        ExprKind::And(a, b) => format!("and:{t}({}, {})", shape(a), shape(b)),
        ExprKind::Or(a, b) => format!("or:{t}({}, {})", shape(a), shape(b)),
        ExprKind::IfElse { cond, then, els } => format!("ifelse:{t}({}, {}, {})", shape(cond), shape(then), shape(els)),
        ExprKind::Call(b, args) => {
            format!("{}:{t}({})", b.name(), args.iter().map(shape).collect::<Vec<_>>().join(", "))
        }
        ExprKind::CallKernel(k, args) => {
            format!("kernel {}:{t}({})", k.name, args.iter().map(shape).collect::<Vec<_>>().join(", "))
        }
    }
}

pub fn ret_shape(src: &str) -> String {
    shape(first_return(&ok(src)))
}
