//! Pipelines: the stages of `arr.pipe().map(f).filter(p).sum()` fused into ONE synthetic kernel
//! whose body calls each stage kernel in turn (the code generator inlines every call, so the
//! element loop runs the whole chain with no intermediate array).
//!
//! ```text
//! def pipeline([acc,] x, <the extra parameters of every map stage>):
//!     v1 = f(x, ...)                 # a map stage
//!     if not p(v1): skip             # a filter stage (a reduce pipeline: `return acc`)
//!     return v1                      # collect; or the terminal: acc + v1, acc + 1, min rule, r(acc, v1)
//! ```
//! Values flow between stages with the lossless conversions a map does on its inputs (S4 data
//! into an F8 parameter); anything else is a `PipelineError`.

use crate::ir::{Expr, ExprKind, Kernel, Local, LocalId, Param, Stmt, StmtKind};
use crate::ops::{BinOp, CmpOp, Convert};
use crate::source::{Source, Span};
use crate::types::Ty;
use crate::value::Scalar;
use std::fmt;
use std::sync::Arc;

/// One stage of a pipeline, with its compiled specialisation.
#[derive(Clone, Debug)]
pub enum Stage {
    /// `value = kernel(value, extra...)`: the kernel's parameters after the first become
    /// parameters of the pipeline kernel (columns or broadcast values of the loop).
    Map(Arc<Kernel>),
    /// Keeps the element when the B1 kernel `kernel(value)` is true.
    Filter(Arc<Kernel>),
}

impl Stage {
    pub fn kernel(&self) -> &Arc<Kernel> {
        match self {
            Stage::Map(k) | Stage::Filter(k) => k,
        }
    }
}

/// What a pipeline ends in.
#[derive(Clone, Debug)]
pub enum Terminal {
    /// Every kept value, compacted, in order (a `Collect` loop).
    Collect,
    /// `acc = kernel(acc, value)`: a `Reduce` loop whose accumulator is the kernel's return type.
    Reduce(Arc<Kernel>),
    /// `acc + value`: in the value's type for floats, in `int` (64-bit, OverflowError) for
    /// integers and B1.
    Sum,
    /// Python's rule (`value if value < acc else acc`, the first of equal values kept), except
    /// that a NaN value makes the result NaN (as `ChunkArray.min`).
    Min,
    Max,
    /// `acc + 1` per kept element, in `int`.
    Count,
}

impl Terminal {
    fn name(&self) -> &'static str {
        match self {
            Terminal::Collect => "collect",
            Terminal::Reduce(_) => "reduce",
            Terminal::Sum => "sum",
            Terminal::Min => "min",
            Terminal::Max => "max",
            Terminal::Count => "count",
        }
    }

    /// The terminal that folds per-range partial results of this one: counts are summed.
    pub fn combiner(&self) -> Terminal {
        match self {
            Terminal::Count => Terminal::Sum,
            other => other.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PipelineError {
    /// A stage's kernel does not take what the previous stage produces (without loss).
    StageInput {
        stage: usize,
        kernel: String,
        from: Ty,
        to: Ty,
    },
    /// A filter kernel that is not `(x) -> B1`, a map kernel without parameters, a reduce
    /// kernel that is not `(acc, x) -> acc`, `min`/`max` of B1 values.
    Shape { stage: usize, what: String },
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::StageInput {
                stage,
                kernel,
                from,
                to,
            } => write!(
                f,
                "pipeline stage {stage}: kernel '{kernel}' takes {to}, but the previous stage \
                 gives {from}, which does not convert without loss (cast inside a kernel)"
            ),
            PipelineError::Shape { stage, what } => write!(f, "pipeline stage {stage}: {what}"),
        }
    }
}

impl std::error::Error for PipelineError {}

/// The synthetic kernel's own source: a one-line description, so that a fault of the terminal
/// itself (an `int` sum overflowing) names the pipeline.
pub fn describe(stages: &[Stage], terminal: &Terminal) -> String {
    let mut text = String::from("pipe()");
    for stage in stages {
        let (what, k) = match stage {
            Stage::Map(k) => ("map", k),
            Stage::Filter(k) => ("filter", k),
        };
        text.push_str(&format!(".{what}({})", k.name));
    }
    match terminal {
        Terminal::Reduce(k) => text.push_str(&format!(".reduce({})", k.name)),
        other => text.push_str(&format!(".{}()", other.name())),
    }
    text
}

/// The accumulator type of a reduce-terminal pipeline whose last value has type `value`
/// (`None` for `Collect`).
pub fn accumulator_type(value: Ty, terminal: &Terminal) -> Option<Ty> {
    match terminal {
        Terminal::Collect => None,
        Terminal::Reduce(k) => Some(k.ret),
        Terminal::Sum if value.is_float() => Some(value),
        Terminal::Sum | Terminal::Count => Some(Ty::Int),
        Terminal::Min | Terminal::Max => Some(value),
    }
}

struct Builder {
    locals: Vec<Local>,
    params: Vec<Param>,
    span: Span,
}

impl Builder {
    fn local(&mut self, name: String, ty: Ty) -> LocalId {
        let id = self.locals.len() as LocalId;
        self.locals.push(Local { name, ty });
        id
    }

    fn param(&mut self, name: String, ty: Ty) -> LocalId {
        let id = self.local(name.clone(), ty);
        self.params.push(Param {
            name,
            ty,
            local: id,
        });
        id
    }

    fn expr(&self, kind: ExprKind, ty: Ty) -> Expr {
        Expr::new(kind, ty, self.span)
    }

    fn get(&self, id: LocalId) -> Expr {
        let ty = self.locals.get(id as usize).map_or(Ty::Int, |l| l.ty);
        self.expr(ExprKind::Local(id), ty)
    }

    fn stmt(&self, kind: StmtKind) -> Stmt {
        Stmt {
            kind,
            span: self.span,
        }
    }
}

/// `e` as a value of `to`, where that loses nothing; `None` otherwise.
fn convert_lossless(e: Expr, to: Ty) -> Option<Expr> {
    let from = e.ty;
    if from == to {
        return Some(e);
    }
    if !from.converts_losslessly_to(to) {
        return None;
    }
    let how = if from == Ty::B1 {
        Convert::FromBool
    } else if from.is_int() && to.is_int() {
        Convert::IntWrap
    } else if from.is_int() {
        Convert::IntToFloat
    } else {
        Convert::FloatToFloat
    };
    let span = e.span;
    Some(Expr::new(ExprKind::Convert(how, Box::new(e)), to, span))
}

fn stage_arg(stage: usize, kernel: &Kernel, value: Expr) -> Result<Expr, PipelineError> {
    let first = kernel.params.first().ok_or_else(|| PipelineError::Shape {
        stage,
        what: format!("kernel '{}' takes no parameters", kernel.name),
    })?;
    let from = value.ty;
    convert_lossless(value, first.ty).ok_or_else(|| PipelineError::StageInput {
        stage,
        kernel: kernel.name.clone(),
        from,
        to: first.ty,
    })
}

/// Builds the fused kernel of `stages` over elements of type `input` ending in `terminal`.
/// Its parameters: the accumulator (reduce terminals), `x`, then the extra parameters of every
/// map stage in stage order.
pub fn build(input: Ty, stages: &[Stage], terminal: &Terminal) -> Result<Kernel, PipelineError> {
    let text = describe(stages, terminal);
    let span = Span {
        start: 0,
        end: text.len() as u32,
    };
    let source = Arc::new(Source::new(text, "<pipeline>", 1));
    let mut b = Builder {
        locals: Vec::new(),
        params: Vec::new(),
        span,
    };

    // The value type at the end decides the accumulator, so walk the stages' types first.
    let mut value_ty = input;
    for stage in stages {
        if let Stage::Map(k) = stage {
            value_ty = k.ret;
        }
    }
    let acc_ty = accumulator_type(value_ty, terminal);
    let acc = acc_ty.map(|ty| b.param("acc".into(), ty));
    let x = b.param("x".into(), input);
    // Extra parameters of the map stages, in order.
    let mut extras: Vec<Vec<LocalId>> = Vec::with_capacity(stages.len());
    for (n, stage) in stages.iter().enumerate() {
        let ids = match stage {
            Stage::Map(k) => k
                .params
                .iter()
                .skip(1)
                .map(|p| b.param(format!("s{}_{}", n + 1, p.name), p.ty))
                .collect(),
            Stage::Filter(_) => Vec::new(),
        };
        extras.push(ids);
    }

    let mut body = Vec::new();
    let mut current = b.get(x);
    for (n, (stage, extra)) in stages.iter().zip(&extras).enumerate() {
        let number = n + 1;
        match stage {
            Stage::Map(k) => {
                let mut args = vec![stage_arg(number, k, current)?];
                args.extend(extra.iter().map(|&id| b.get(id)));
                let call = b.expr(ExprKind::CallKernel(k.clone(), args), k.ret);
                let v = b.local(format!("v{number}"), k.ret);
                body.push(b.stmt(StmtKind::Assign {
                    targets: vec![v],
                    values: vec![call],
                }));
                current = b.get(v);
            }
            Stage::Filter(k) => {
                if k.ret != Ty::B1 || k.params.len() != 1 {
                    return Err(PipelineError::Shape {
                        stage: number,
                        what: format!(
                            "filter needs a kernel (x) -> B1; '{}' returns {}",
                            k.name, k.ret
                        ),
                    });
                }
                let arg = stage_arg(number, k, current.clone())?;
                let kept = b.expr(ExprKind::CallKernel(k.clone(), vec![arg]), Ty::B1);
                let rejected = b.expr(ExprKind::Not(Box::new(kept)), Ty::B1);
                let leave = match acc {
                    Some(acc) => StmtKind::Return(b.get(acc)),
                    None => StmtKind::Skip,
                };
                body.push(b.stmt(StmtKind::If {
                    cond: rejected,
                    then_body: vec![b.stmt(leave)],
                    else_body: Vec::new(),
                }));
            }
        }
    }
    let number = stages.len() + 1;
    let result = match (acc, acc_ty) {
        (Some(acc), Some(acc_ty)) => {
            terminal_value(&b, number, terminal, b.get(acc), acc_ty, current)?
        }
        _ => current,
    };
    let ret = result.ty;
    body.push(b.stmt(StmtKind::Return(result)));
    Ok(Kernel {
        name: "pipeline".into(),
        params: b.params,
        ret,
        locals: b.locals,
        body,
        source,
        span,
    })
}

/// The accumulator after folding in `value`.
fn terminal_value(
    b: &Builder,
    stage: usize,
    terminal: &Terminal,
    acc: Expr,
    acc_ty: Ty,
    value: Expr,
) -> Result<Expr, PipelineError> {
    let bin = |op, l: Expr, r: Expr| b.expr(ExprKind::Binary(op, Box::new(l), Box::new(r)), acc_ty);
    Ok(match terminal {
        Terminal::Collect => value,
        Terminal::Count => bin(
            BinOp::Add,
            acc,
            b.expr(ExprKind::Const(Scalar::Int(1)), Ty::Int),
        ),
        Terminal::Sum => {
            let from = value.ty;
            let v = if from.is_int() && from.converts_losslessly_to(Ty::Int) || from == Ty::B1 {
                convert_lossless(value, Ty::Int)
            } else if from == Ty::U8 {
                // Above 2**63-1 a U8 value does not fit `int`: OverflowError, as int(u) raises.
                Some(b.expr(
                    ExprKind::Convert(Convert::IntChecked, Box::new(value)),
                    Ty::Int,
                ))
            } else {
                convert_lossless(value, acc_ty)
            };
            let v = v.ok_or_else(|| PipelineError::Shape {
                stage,
                what: format!("cannot sum {from} values"),
            })?;
            bin(BinOp::Add, acc, v)
        }
        Terminal::Min | Terminal::Max => {
            if value.ty == Ty::B1 {
                return Err(PipelineError::Shape {
                    stage,
                    what: "min/max of B1 values: use count()".into(),
                });
            }
            let op = if matches!(terminal, Terminal::Min) {
                CmpOp::Lt
            } else {
                CmpOp::Gt
            };
            let cmp = |op, l: &Expr, r: &Expr| {
                b.expr(
                    ExprKind::Compare(op, Box::new(l.clone()), Box::new(r.clone())),
                    Ty::B1,
                )
            };
            let mut better = cmp(op, &value, &acc);
            if value.ty.is_float() {
                let nan = cmp(CmpOp::Ne, &value, &value);
                better = b.expr(ExprKind::Or(Box::new(better), Box::new(nan)), Ty::B1);
            }
            b.expr(
                ExprKind::IfElse {
                    cond: Box::new(better),
                    then: Box::new(value),
                    els: Box::new(acc),
                },
                acc_ty,
            )
        }
        Terminal::Reduce(k) => {
            if k.params.len() != 2 || k.params[0].ty != k.ret {
                return Err(PipelineError::Shape {
                    stage,
                    what: format!(
                        "reduce needs a kernel (acc, x) -> acc; '{}' does not have that shape",
                        k.name
                    ),
                });
            }
            let x_ty = k.params[1].ty;
            let from = value.ty;
            let v = convert_lossless(value, x_ty).ok_or_else(|| PipelineError::StageInput {
                stage,
                kernel: k.name.clone(),
                from,
                to: x_ty,
            })?;
            b.expr(ExprKind::CallKernel(k.clone(), vec![acc, v]), acc_ty)
        }
    })
}

/// Every kernel `kernel` calls, directly or through other calls (each once): a fault's site is
/// in one of their sources when it is not in the stage kernel's own.
pub fn kernels_called(kernel: &Kernel) -> Vec<Arc<Kernel>> {
    let mut found = Vec::new();
    direct_calls(kernel, &mut found);
    let mut next = 0;
    while let Some(k) = found.get(next).cloned() {
        direct_calls(&k, &mut found);
        next += 1;
    }
    found
}

/// Adds the kernels `kernel`'s body calls to `found` (a worklist walk: expressions can nest
/// deeper than the stack allows recursion).
fn direct_calls(kernel: &Kernel, found: &mut Vec<Arc<Kernel>>) {
    let mut stmts: Vec<&Stmt> = kernel.body.iter().collect();
    let mut exprs: Vec<&Expr> = Vec::new();
    while !stmts.is_empty() || !exprs.is_empty() {
        if let Some(stmt) = stmts.pop() {
            match &stmt.kind {
                StmtKind::Assign { values, .. } => exprs.extend(values),
                StmtKind::If {
                    cond,
                    then_body,
                    else_body,
                } => {
                    exprs.push(cond);
                    stmts.extend(then_body.iter().chain(else_body));
                }
                StmtKind::While { cond, body } => {
                    exprs.push(cond);
                    stmts.extend(body);
                }
                StmtKind::ForRange {
                    start,
                    stop,
                    step,
                    body,
                    ..
                } => {
                    exprs.extend([start, stop, step]);
                    stmts.extend(body);
                }
                StmtKind::Return(e) | StmtKind::Eval(e) => exprs.push(e),
                StmtKind::Break | StmtKind::Continue | StmtKind::Skip => {}
            }
        }
        if let Some(e) = exprs.pop() {
            match &e.kind {
                ExprKind::Const(_) | ExprKind::Local(_) => {}
                ExprKind::Bind(_, x)
                | ExprKind::Convert(_, x)
                | ExprKind::Unary(_, x)
                | ExprKind::Not(x) => exprs.push(x),
                ExprKind::Binary(_, a, b)
                | ExprKind::Compare(_, a, b)
                | ExprKind::And(a, b)
                | ExprKind::Or(a, b) => exprs.extend([a.as_ref(), b.as_ref()]),
                ExprKind::IfElse { cond, then, els } => {
                    exprs.extend([cond.as_ref(), then.as_ref(), els.as_ref()])
                }
                ExprKind::Call(_, args) => exprs.extend(args),
                ExprKind::CallKernel(callee, args) => {
                    exprs.extend(args);
                    if !found.iter().any(|k| Arc::ptr_eq(k, callee)) {
                        found.push(callee.clone());
                    }
                }
            }
        }
    }
}
