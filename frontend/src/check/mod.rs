//! The subset checker: the syntax tree of one function plus its resolved names -> a checked,
//! typed kernel (`ir::Kernel`), or the diagnostic of the first thing that keeps it out of the
//! subset.
//!
//! Passes, each over the whole function:
//! 1. `scan`: constructs outside the subset and undefined names, in source order; collects the
//!    locals and their annotations.
//! 2. inference (`stmts` in infer mode, repeated to a fixed point): every local's type is the join
//!    of the values assigned to it; the kernel's result type the join of the values returned.
//! 3. build (`stmts` in build mode): the typed IR, with every conversion made explicit, the
//!    definite-assignment check and the check that every path returns.

mod calls;
mod exprs;
mod names;
mod scan;
mod stmts;

use crate::diag::{DiagKind, Diagnostic};
use crate::env::KernelDef;
use crate::ir::{Expr, Kernel, Local, LocalId, Param};
use crate::parse::parse_kernel;
use crate::source::{Site, Span};
use crate::syntax::FnDef;
use crate::types::Ty;
use std::collections::HashMap;
use std::sync::Arc;

/// How deep kernels may call kernels (each call compiles the callee, which is inlined).
pub const MAX_CALL_DEPTH: usize = 16;

/// Rounds of type inference before giving up (each round can only widen a local's type, so a
/// handful suffice in practice).
const MAX_INFER_ROUNDS: usize = 64;

/// What the Python layer needs to know before compiling: names and annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnSignature {
    pub name: String,
    /// Each parameter with its annotated type, or `None` where it has no annotation.
    pub params: Vec<(String, Option<Ty>)>,
    /// The annotated return type, if any.
    pub ret: Option<Ty>,
}

impl FnSignature {
    /// Whether every parameter is annotated, so the kernel can be compiled at decoration time.
    pub fn fully_annotated(&self) -> bool {
        self.params.iter().all(|(_, t)| t.is_some())
    }
}

/// Compiles one specialisation. `arg_types[i]` types parameter i when it has no annotation (an
/// annotated parameter keeps its annotation; `arg_types` may be empty when all are annotated).
pub fn compile(def: &KernelDef, arg_types: &[Ty]) -> Result<Kernel, Diagnostic> {
    on_large_stack(def, || compile_nested(def, arg_types, &[]))
}

/// Whether every parameter of the function is annotated, with the names and annotations.
pub fn signature_of(def: &KernelDef) -> Result<FnSignature, Diagnostic> {
    on_large_stack(def, || signature_here(def))
}

fn signature_here(def: &KernelDef) -> Result<FnSignature, Diagnostic> {
    let f = parse_kernel(&def.source)?;
    let c = Checker::new(def, &f, &[]);
    c.check_signature_support()?;
    let mut params = Vec::with_capacity(f.params.len());
    for p in &f.params {
        let ty = match &p.annotation {
            Some(a) => Some(c.annotation_type(a)?),
            None => None,
        };
        params.push((p.name.clone(), ty));
    }
    let ret = match &f.ret {
        Some(a) => Some(c.annotation_type(a)?),
        None => None,
    };
    Ok(FnSignature { name: f.name.clone(), params, ret })
}

/// Stack for parsing and checking: the parser (and the drop of its tree) recurses over the
/// nesting of the text, and the checker over up to `parse::MAX_DEPTH` levels per kernel for up
/// to `MAX_CALL_DEPTH` kernels. A thread of this size keeps any text off the caller's stack.
const CHECK_STACK_BYTES: usize = 256 << 20;

fn on_large_stack<T: Send>(
    def: &KernelDef,
    work: impl FnOnce() -> Result<T, Diagnostic> + Send,
) -> Result<T, Diagnostic> {
    let failed = || Diagnostic {
        kind: DiagKind::Syntax,
        message: "the kernel checker failed on this text".into(),
        site: Site { source: def.source.clone(), span: Span::default() },
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("chunkjit-check".into())
            .stack_size(CHECK_STACK_BYTES)
            .spawn_scoped(scope, work);
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| Err(failed())),
            Err(_) => Err(failed()),
        }
    })
}

/// A kernel being compiled further up the call chain (for recursion and depth checks).
pub(crate) struct Frame<'a> {
    def: &'a KernelDef,
}

fn compile_nested(def: &KernelDef, arg_types: &[Ty], stack: &[Frame<'_>]) -> Result<Kernel, Diagnostic> {
    let f = parse_kernel(&def.source)?;
    let mut c = Checker::new(def, &f, stack);
    c.check_signature_support()?;
    let params = c.declare_params(arg_types)?;
    c.ret_annot = match &f.ret {
        Some(a) => Some(c.annotation_type(a)?),
        None => None,
    };
    c.scan()?;
    c.infer()?;
    let body = c.build()?;
    let ret = match c.ret_annot.or(c.ret_ty) {
        Some(t) => t,
        None => return Err(c.diag(DiagKind::Type, "the kernel's result type cannot be inferred".into(), f.span)),
    };
    let locals = c
        .locals
        .iter()
        .map(|l| Local { name: l.name.clone(), ty: l.ty.unwrap_or(Ty::Int) })
        .collect();
    Ok(Kernel { name: f.name.clone(), params, ret, locals, body, source: def.source.clone(), span: f.span })
}

/// Why a check did not produce a result: a diagnostic, or (while inferring types) a local whose
/// type is not known yet.
pub(crate) enum Fail {
    Diag(Diagnostic),
    Pending,
}

impl From<Diagnostic> for Fail {
    fn from(d: Diagnostic) -> Fail {
        Fail::Diag(d)
    }
}

pub(crate) type Checked<T> = Result<T, Fail>;

/// How a checked expression holds its type (NEP 50's weak Python scalars; see `ops`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Weak {
    /// Typed.
    No,
    /// An int literal (or a frozen `int` constant, or a constant expression of them): its exact
    /// value; the expression holds it as an `int` until it is given its final type.
    IntLit(i128),
    /// An `int` expression of literals that is not constant-folded.
    Int,
    /// A float literal or constant.
    FloatLit(f64),
    /// An F8 expression of weak operands.
    Float,
}

/// A checked expression before it is given the type its context wants.
#[derive(Clone)]
pub(crate) struct TExpr {
    pub expr: Expr,
    pub weak: Weak,
}

impl TExpr {
    pub fn typed(expr: Expr) -> TExpr {
        TExpr { expr, weak: Weak::No }
    }

    pub fn ty(&self) -> Ty {
        self.expr.ty
    }

    pub fn is_weak(&self) -> bool {
        self.weak != Weak::No
    }
}

pub(crate) struct LocalInfo {
    pub name: String,
    /// `None` until inference has seen a value assigned to it.
    pub ty: Option<Ty>,
    /// A parameter's type or an annotation: the type is fixed, values are converted to it.
    pub fixed: bool,
}

/// Definite assignment along the path being checked; `None` where the path cannot be reached
/// (after `return`, `break`, `continue`).
pub(crate) type Assigned = Option<Vec<bool>>;

pub(crate) struct LoopFlow {
    /// The meet of the states at each `break` of the loop (`None`: no `break` reached).
    pub breaks: Assigned,
}

pub(crate) struct Checker<'a> {
    pub def: &'a KernelDef,
    pub f: &'a FnDef,
    pub stack: &'a [Frame<'a>],
    pub locals: Vec<LocalInfo>,
    pub by_name: HashMap<String, LocalId>,
    /// Locals that are parameters or named in the source; hidden temporaries come after them.
    pub named: usize,
    pub ret_annot: Option<Ty>,
    pub ret_ty: Option<Ty>,
    /// Inference mode: errors are not reported, types are collected.
    pub infer: bool,
    pub changed: bool,
    pub assigned: Assigned,
    pub loops: Vec<LoopFlow>,
    /// The first local (or result) found, while inferring, to take values with no common type.
    pub conflict: Option<Diagnostic>,
    /// Callees compiled so far, by definition and argument types.
    pub callees: HashMap<(usize, Vec<Ty>), Result<Arc<Kernel>, Diagnostic>>,
}

impl<'a> Checker<'a> {
    fn new(def: &'a KernelDef, f: &'a FnDef, stack: &'a [Frame<'a>]) -> Checker<'a> {
        Checker {
            def,
            f,
            stack,
            locals: Vec::new(),
            by_name: HashMap::new(),
            named: 0,
            ret_annot: None,
            ret_ty: None,
            infer: false,
            changed: false,
            assigned: None,
            loops: Vec::new(),
            conflict: None,
            callees: HashMap::new(),
        }
    }

    pub fn diag(&self, kind: DiagKind, message: String, span: Span) -> Diagnostic {
        Diagnostic { kind, message, site: Site { source: self.def.source.clone(), span } }
    }

    pub fn fail(&self, kind: DiagKind, message: String, span: Span) -> Fail {
        Fail::Diag(self.diag(kind, message, span))
    }

    /// The source text of a span, for messages (`x` where it is long).
    pub fn text(&self, span: Span, or: &str) -> String {
        match self.def.source.text.get(span.start as usize..span.end as usize) {
            Some(t) if !t.is_empty() && t.len() <= 32 && !t.contains('\n') => t.to_string(),
            _ => or.to_string(),
        }
    }

    fn check_signature_support(&self) -> Result<(), Diagnostic> {
        match self.f.unsupported.first() {
            Some((msg, span)) => Err(self.diag(DiagKind::Unsupported, msg.clone(), *span)),
            None => Ok(()),
        }
    }

    fn declare_params(&mut self, arg_types: &[Ty]) -> Result<Vec<Param>, Diagnostic> {
        let f = self.f;
        if !arg_types.is_empty() && arg_types.len() != f.params.len() {
            return Err(self.diag(
                DiagKind::Type,
                format!("kernel '{}' takes {} arguments, {} given", f.name, f.params.len(), arg_types.len()),
                f.span,
            ));
        }
        let mut params = Vec::with_capacity(f.params.len());
        for (i, p) in f.params.iter().enumerate() {
            let ty = match (&p.annotation, arg_types.get(i)) {
                (Some(a), _) => self.annotation_type(a)?,
                (None, Some(t)) => *t,
                (None, None) => {
                    return Err(self.diag(
                        DiagKind::Type,
                        format!("parameter '{}' has no type (annotate it, e.g. '{}: F8')", p.name, p.name),
                        p.span,
                    ));
                }
            };
            let local = self.add_local(&p.name, Some(ty), true);
            params.push(Param { name: p.name.clone(), ty, local });
        }
        Ok(params)
    }

    pub fn add_local(&mut self, name: &str, ty: Option<Ty>, fixed: bool) -> LocalId {
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalInfo { name: name.to_string(), ty, fixed });
        self.by_name.insert(name.to_string(), id);
        self.named = self.locals.len();
        id
    }

    /// A hidden temporary (the middle operand of a chained comparison, say).
    pub fn add_hidden(&mut self, ty: Ty) -> LocalId {
        let id = self.locals.len() as LocalId;
        self.locals.push(LocalInfo { name: format!("${}", id), ty: Some(ty), fixed: true });
        id
    }

    pub fn local_ty(&self, id: LocalId) -> Option<Ty> {
        self.locals.get(id as usize).and_then(|l| l.ty)
    }

    fn infer(&mut self) -> Result<(), Diagnostic> {
        self.infer = true;
        for _ in 0..MAX_INFER_ROUNDS {
            self.changed = false;
            match self.walk_function() {
                Ok(_) => {}
                Err(Fail::Diag(d)) => return Err(d),
                Err(Fail::Pending) => {}
            }
            if let Some(d) = self.conflict.take() {
                return Err(d);
            }
            if !self.changed {
                break;
            }
        }
        self.infer = false;
        Ok(())
    }

    fn build(&mut self) -> Result<Vec<crate::ir::Stmt>, Diagnostic> {
        match self.walk_function() {
            Ok(body) => Ok(body),
            Err(Fail::Diag(d)) => Err(d),
            Err(Fail::Pending) => {
                Err(self.diag(DiagKind::Type, "the types of this kernel's locals cannot be inferred".into(), self.f.span))
            }
        }
    }

    /// One walk of the body (infer or build mode), from a fresh flow state.
    fn walk_function(&mut self) -> Checked<Vec<crate::ir::Stmt>> {
        self.locals.truncate(self.named);
        let params = self.f.params.len();
        self.assigned = Some((0..self.named).map(|i| i < params).collect());
        self.loops.clear();
        let f = self.f;
        let body = self.block(&f.body)?;
        if self.assigned.is_some() && !self.infer {
            return Err(self.fail(
                DiagKind::Unsupported,
                "kernel may end without returning a value".into(),
                f.span,
            ));
        }
        Ok(body)
    }
}
