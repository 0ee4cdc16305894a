//! The typed kernel IR: what the checker produces and what the reference interpreter (`interp`)
//! and the code generator (`lower` crate) consume. A tree, not SSA: every expression carries its
//! type and its source span, and the checker has already inserted every implicit conversion, so
//! the operands of an operation always have the types the operation is performed in.

use crate::ops::{BinOp, Builtin, CmpOp, Convert, UnOp};
use crate::source::{Site, Source, Span};
use crate::types::Ty;
use crate::value::Scalar;
use std::sync::Arc;

/// Index into `Kernel::locals`.
pub type LocalId = u32;

/// A checked, typed kernel: one specialisation of a Python function for one signature.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub name: String,
    pub params: Vec<Param>,
    pub ret: Ty,
    /// Every local (parameters first, then named locals, then hidden temporaries). A local has
    /// one type for its whole life.
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
    pub source: Arc<Source>,
    /// The `def` line, for messages about the kernel as a whole.
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: Ty,
    pub local: LocalId,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `a = e`, `a: T = e`, `a += e` (already expanded to `a = a + e`), and `a, b = b, a`:
    /// every value is evaluated first, then assigned in order. Values have their target's type.
    Assign { targets: Vec<LocalId>, values: Vec<Expr> },
    /// `if`/`elif`/`else` (`elif` is a nested `If` in `else_body`). `cond` is B1.
    If { cond: Expr, then_body: Vec<Stmt>, else_body: Vec<Stmt> },
    /// `while cond:`; `cond` is B1.
    While { cond: Expr, body: Vec<Stmt> },
    /// `for var in range(start, stop, step)`: bounds are evaluated once, in that order, and have
    /// the counter's type (the type of `var`); a zero step faults with `RangeStepZero`. The
    /// number of iterations is fixed before the first one; assigning `var` in the body does not
    /// change the iteration.
    ForRange { var: LocalId, start: Expr, stop: Expr, step: Expr, body: Vec<Stmt> },
    Break,
    Continue,
    /// The value has the kernel's return type.
    Return(Expr),
    /// An expression evaluated for its faults only (a bare call, say).
    Eval(Expr),
    /// Ends the current element without a result: only in the synthetic kernels of pipelines
    /// (`pipeline.rs`), where a filter that rejects an element skips the rest of the body. A
    /// `Collect` loop writes nothing for it; the reference interpreter returns zero.
    Skip,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal or a frozen global constant; its variant matches `ty` (see `Scalar`).
    Const(Scalar),
    Local(LocalId),
    /// Assigns the value to a (hidden) local and yields it: chained comparisons evaluate their
    /// middle operands once through it.
    Bind(LocalId, Box<Expr>),
    /// Converts the operand (of its own type) to this expression's type.
    Convert(Convert, Box<Expr>),
    /// `-x`, `+x`, `~x`: the operand has this expression's type.
    Unary(UnOp, Box<Expr>),
    /// `not x`: the operand is B1.
    Not(Box<Expr>),
    /// Both operands have this expression's type, except that `/` always has float operands
    /// and a result of the same float type.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A comparison, result B1. Operands have the same type, except one exact mixed-sign case:
    /// a U8 operand against an S8 or `Int` operand, compared as mathematical integers.
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    /// Python's `a and b` / `a or b`, short-circuiting, yielding an operand's value: both
    /// operands have this expression's type. `And`: `b` if `a` is true else `a`.
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `then if cond else els`; `cond` is B1, the branches have this expression's type.
    IfElse { cond: Box<Expr>, then: Box<Expr>, els: Box<Expr> },
    /// A builtin or a `math` function; argument types are given by `Builtin::signature`.
    Call(Builtin, Vec<Expr>),
    /// A call to another kernel, specialised for these argument types (already converted to
    /// its parameter types) and inlined by the code generator.
    CallKernel(Arc<Kernel>, Vec<Expr>),
}

impl Kernel {
    pub fn site(&self, span: Span) -> Site {
        Site { source: self.source.clone(), span }
    }

    pub fn param_types(&self) -> Vec<Ty> {
        self.params.iter().map(|p| p.ty).collect()
    }

    /// Whether running the kernel on one element can take unbounded time: it has a `while` or
    /// `for` loop, here or in a kernel it calls. Callers use it to decide whether a run must be
    /// watched for Ctrl-C.
    pub fn has_loops(&self) -> bool {
        stmts_have_loops(&self.body)
    }
}

fn stmts_have_loops(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match &s.kind {
        StmtKind::While { .. } | StmtKind::ForRange { .. } => true,
        StmtKind::If { cond, then_body, else_body } => {
            expr_calls_loops(cond) || stmts_have_loops(then_body) || stmts_have_loops(else_body)
        }
        StmtKind::Assign { values, .. } => values.iter().any(expr_calls_loops),
        StmtKind::Return(e) | StmtKind::Eval(e) => expr_calls_loops(e),
        StmtKind::Break | StmtKind::Continue | StmtKind::Skip => false,
    })
}

/// Whether an expression calls a kernel that has loops.
fn expr_calls_loops(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::CallKernel(callee, args) => callee.has_loops() || args.iter().any(expr_calls_loops),
        ExprKind::Const(_) | ExprKind::Local(_) => false,
        ExprKind::Bind(_, x) | ExprKind::Convert(_, x) | ExprKind::Unary(_, x) | ExprKind::Not(x) => {
            expr_calls_loops(x)
        }
        ExprKind::Binary(_, a, b) | ExprKind::Compare(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            expr_calls_loops(a) || expr_calls_loops(b)
        }
        ExprKind::IfElse { cond, then, els } => {
            expr_calls_loops(cond) || expr_calls_loops(then) || expr_calls_loops(els)
        }
        ExprKind::Call(_, args) => args.iter().any(expr_calls_loops),
    }
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Ty, span: Span) -> Expr {
        Expr { kind, ty, span }
    }
}
