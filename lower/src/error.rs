//! Why a kernel could not be lowered to machine code.

use frontend::Ty;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LowerError {
    /// The host CPU is not supported by Cranelift, or the ISA flags were rejected.
    Isa(String),
    /// The loop spec does not fit the kernel (wrong input count, accumulator type, ...).
    Spec(String),
    /// An IR construct this code generator does not handle for these types.
    Unsupported(String),
    /// A storage type that cannot be converted to the parameter type it feeds.
    InputType { storage: Ty, param: Ty },
    /// A `math` function with no native entry point.
    MathUnavailable(&'static str),
    /// Kernel calls nested deeper than the inlining limit (a recursive kernel).
    InlineDepth(String),
    /// Cranelift rejected the function (verifier or code generation error).
    Codegen(String),
    /// The vector code generator could not emit a body `vector::vectors` accepted (the
    /// two walks disagree): `compile` then builds the loop without vector groups.
    VectorBody,
    /// The JIT module failed (symbol, memory or relocation error).
    Module(String),
}

impl fmt::Display for LowerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LowerError::Isa(m) => write!(f, "unsupported host: {m}"),
            LowerError::Spec(m) => write!(f, "loop spec does not fit the kernel: {m}"),
            LowerError::Unsupported(m) => write!(f, "not supported by the code generator: {m}"),
            LowerError::InputType { storage, param } => {
                write!(
                    f,
                    "an input stored as {storage} cannot feed a parameter of type {param}"
                )
            }
            LowerError::MathUnavailable(name) => write!(f, "math.{name} has no native entry point"),
            LowerError::InlineDepth(name) => {
                write!(f, "kernel calls nested too deeply (recursion?) at '{name}'")
            }
            LowerError::Codegen(m) => write!(f, "code generation failed: {m}"),
            LowerError::VectorBody => write!(f, "the vector body could not be emitted"),
            LowerError::Module(m) => write!(f, "JIT module error: {m}"),
        }
    }
}

impl std::error::Error for LowerError {}
