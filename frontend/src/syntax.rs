//! The kernel's syntax tree as the checker reads it: the Python constructs the subset can name,
//! independent of the parser that produced them (`parse` is the only module that knows the
//! parser). Spans are byte ranges into the user's original `Source::text`.
//!
//! A construct outside the subset is kept as `Unsupported` (with its message) where it stands,
//! so that the checker reports the first one in source order together with name errors.

use crate::ops::{BinOp, CmpOp};
use crate::source::Span;

#[derive(Clone, Debug)]
pub struct FnDef {
    pub name: String,
    pub params: Vec<ParamDef>,
    pub ret: Option<SynExpr>,
    pub body: Vec<SynStmt>,
    /// The `def` keyword through the function's name.
    pub span: Span,
    /// Constructs of the signature outside the subset (`*args`, defaults, ...), in source order.
    pub unsupported: Vec<(String, Span)>,
}

#[derive(Clone, Debug)]
pub struct ParamDef {
    pub name: String,
    pub annotation: Option<SynExpr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SynStmt {
    pub kind: SynStmtKind,
    pub span: Span,
}

/// An assignment target: a plain name (anything else is `Unsupported` before it gets here).
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum AssignTarget {
    Name(Target),
    /// `a, b = ...` (the span covers the whole tuple).
    Tuple(Vec<Target>, Span),
}

#[derive(Clone, Debug)]
pub enum SynStmtKind {
    /// `a = e`, `a = b = e` (several targets), `a, b = e1, e2` (one tuple target).
    Assign { targets: Vec<AssignTarget>, value: SynExpr },
    AnnAssign { target: Target, annotation: SynExpr, value: Option<SynExpr> },
    AugAssign { target: Target, op: BinOp, value: SynExpr },
    If { cond: SynExpr, then_body: Vec<SynStmt>, else_body: Vec<SynStmt> },
    While { cond: SynExpr, body: Vec<SynStmt> },
    For { target: Target, iter: SynExpr, body: Vec<SynStmt> },
    Break,
    Continue,
    Return(Option<SynExpr>),
    Pass,
    Expr(SynExpr),
    /// A statement outside the subset, with the message naming it.
    Unsupported(String),
}

#[derive(Clone, Debug)]
pub struct SynExpr {
    pub kind: SynExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynUnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Clone, Debug)]
pub enum SynExprKind {
    /// An integer literal; `None` when it does not fit in an i128 (the checker reports it).
    Int(Option<i128>, String),
    Float(f64),
    Bool(bool),
    /// A string literal: only meaningful as a (forward-reference) annotation.
    Str(String),
    Name(String),
    /// `base.attr` where the base is a name (`math.sqrt`, `np.float64`).
    Attr { base: String, attr: String },
    Unary(SynUnOp, Box<SynExpr>),
    Binary(BinOp, Box<SynExpr>, Box<SynExpr>),
    /// `a and b and c` (`and_` true) or `a or b`.
    BoolOp { and_: bool, values: Vec<SynExpr> },
    /// `a < b <= c`: the first operand, then each operator with its right operand.
    Compare(Box<SynExpr>, Vec<(CmpOp, SynExpr)>),
    IfElse { cond: Box<SynExpr>, then: Box<SynExpr>, els: Box<SynExpr> },
    /// A call with positional arguments only (keywords and `*args` are `Unsupported`).
    Call { func: Box<SynExpr>, args: Vec<SynExpr> },
    /// A tuple (only meaningful as the right side of a tuple assignment).
    Tuple(Vec<SynExpr>),
    Unsupported(String),
}

impl SynExpr {
    pub fn new(kind: SynExprKind, span: Span) -> SynExpr {
        SynExpr { kind, span }
    }
}
