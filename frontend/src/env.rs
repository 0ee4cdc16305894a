//! What the caller tells the checker about the names a kernel uses: the resolved globals of the
//! Python function (the Python layer resolves them; this crate never sees a Python object).

use crate::ops::MathFn;
use crate::source::Source;
use crate::types::Ty;
use crate::value::Scalar;
use std::collections::HashMap;
use std::sync::Arc;

/// One resolved global name.
#[derive(Clone, Debug)]
pub enum Global {
    /// A module-level numeric constant, frozen at compile time (a Python int is `Ty::Int` and
    /// must fit in 64 bits, a float is F8, a bool is B1).
    Const(Scalar, Ty),
    /// The `math` module (under whatever name it was imported).
    MathModule,
    /// A function of `math` imported by name (`from math import sqrt`).
    MathFn(MathFn),
    /// A scalar type: chunkjit's `U1`..`B1`, or a numpy scalar type such as `np.float64`.
    Type(Ty),
    /// Another `@chunk_kernel`: its definition, compiled for the argument types of each call.
    Kernel(Arc<KernelDef>),
    /// A name bound to something outside the subset; the text says what it is ("a list", ...),
    /// for the diagnostic.
    Other(String),
}

/// Names resolved for one function. A name absent here is looked up among the builtins the
/// subset knows (`abs`, `min`, `max`, `round`, `int`, `float`, `bool`, `range`); the caller puts a
/// shadowing global in as `Global::Other`.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub globals: HashMap<String, Global>,
}

/// A kernel as the user defined it: source and resolved names, not yet specialised.
#[derive(Clone, Debug)]
pub struct KernelDef {
    pub name: String,
    pub source: Arc<Source>,
    pub env: Env,
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    pub fn with(mut self, name: &str, global: Global) -> Env {
        self.globals.insert(name.to_string(), global);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Global> {
        self.globals.get(name)
    }
}
