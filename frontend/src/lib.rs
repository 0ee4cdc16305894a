//! frontend: the source of a typed Python function -> a checked, typed kernel IR, with
//! diagnostics that point into the user's file, and the reference interpreter of that IR.
//! Knows nothing of Cranelift, memory layout or Python objects.

pub mod check;
pub mod diag;
pub mod dump;
pub mod env;
pub mod fault;
pub mod interp;
pub mod ir;
pub mod mathfn;
pub mod ops;
pub mod parse;
pub mod pipeline;
pub mod source;
pub mod syntax;
pub mod types;
pub mod value;

pub use check::{FnSignature, compile, signature_of};
pub use diag::{DiagKind, Diagnostic};
pub use env::{Env, Global, KernelDef};
pub use fault::{Fault, FaultKind, PyExc};
pub use ir::Kernel;
pub use source::{Site, Source, Span};
pub use types::Ty;
pub use value::Scalar;
