//! A compiled kernel: the JIT module that owns the machine code, the loop function pointer, and
//! what is needed to explain a status word (the fault sites).

use crate::LoopKind;
use crate::sites::SiteTable;
use cranelift_codegen::ir::Function;
use cranelift_jit::JITModule;
use frontend::{Fault, FaultKind, Scalar, Ty};
use runtime::abi::{LoopFn, STATUS_INTERRUPTED, STATUS_OK, status_code, status_site};
use std::fmt::{self, Write};
use std::sync::atomic::AtomicU32;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The JIT module, freed (code pages returned) when dropped.
pub(crate) struct OwnedModule(pub Option<JITModule>);

impl Drop for OwnedModule {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // SAFETY: the module's code is reachable only through the `Compiled` being dropped
            // (its `loop_fn` is documented as valid while it lives), so no call is in flight.
            unsafe { module.free_memory() };
        }
    }
}

/// The parameter and return types of a loop compiled as a scalar entry point.
#[derive(Clone, Debug)]
pub(crate) struct ScalarShape {
    pub params: Vec<Ty>,
    pub ret: Ty,
}

/// One compiled chunk loop. `Send + Sync` without `unsafe impl`: the module (Send, not Sync)
/// sits behind a Mutex and is never touched after compilation except to be freed; the loop
/// function pointer is plain data.
pub struct Compiled {
    pub(crate) _module: Mutex<OwnedModule>,
    pub(crate) loop_fn: LoopFn,
    pub(crate) kind: LoopKind,
    pub(crate) sites: SiteTable,
    pub(crate) clif_header: String,
    /// The loop function as built (before optimisation), printed on first `clif()` call.
    pub(crate) clif_func: Function,
    pub(crate) clif: OnceLock<String>,
    pub(crate) compile_time: Duration,
    pub(crate) code_size: usize,
    /// Set when every input is broadcast from its parameter's own storage type.
    pub(crate) scalar: Option<ScalarShape>,
}

impl Compiled {
    /// The loop function. Valid while `self` lives; calling it after `self` is dropped is
    /// undefined behaviour (the code pages are freed).
    pub fn loop_fn(&self) -> LoopFn {
        self.loop_fn
    }

    pub fn kind(&self) -> LoopKind {
        self.kind
    }

    /// The fault a status word stands for: its kind and the construct that raised it. `None`
    /// for OK, INTERRUPTED, or a word this kernel cannot have produced.
    pub fn decode(&self, status: u32) -> Option<Fault> {
        if status == STATUS_OK || status == STATUS_INTERRUPTED {
            return None;
        }
        let kind = FaultKind::from_code(status_code(status))?;
        let site = self.sites.get(status_site(status))?.clone();
        Some(Fault { kind, site })
    }

    /// The CLIF of the loop function (as built, before optimisation), with a header naming the
    /// kernel and its fault sites.
    pub fn clif(&self) -> &str {
        self.clif.get_or_init(|| {
            let mut out = self.clif_header.clone();
            for (n, site) in self.sites.iter() {
                let loc = site.location();
                let text = site
                    .source
                    .text
                    .get(site.span.start as usize..site.span.end as usize)
                    .unwrap_or("");
                let _ = writeln!(
                    out,
                    "; site {n}: {}:{}:{} `{}`",
                    loc.file, loc.line, loc.col, text
                );
            }
            let _ = write!(out, "{}", self.clif_func.display());
            out
        })
    }

    /// Wall time from IR to finalized machine code (CLIF build, code generation, linking).
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    /// Bytes of machine code of the loop function.
    pub fn code_size(&self) -> usize {
        self.code_size
    }
}

impl fmt::Debug for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Compiled")
            .field("kind", &self.kind)
            .field("code_size", &self.code_size)
            .field("compile_time", &self.compile_time)
            .finish()
    }
}

/// Why a scalar call produced no value.
#[derive(Clone, Debug)]
pub enum CallError {
    /// The kernel raised a fault.
    Fault(Fault),
    /// The loop was not compiled as a scalar entry point (every input broadcast from its
    /// parameter's storage type), or the arguments do not match its parameters.
    BadCall(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Fault(fault) => write!(f, "{}", fault.kind),
            CallError::BadCall(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CallError {}

fn fits(value: Scalar, ty: Ty) -> bool {
    match value {
        Scalar::Bool(_) => ty == Ty::B1,
        Scalar::Int(v) => {
            ty.is_signed()
                && ty
                    .int_range()
                    .is_some_and(|(lo, hi)| (lo..=hi).contains(&(v as i128)))
        }
        Scalar::UInt(v) => {
            ty.is_unsigned() && ty.int_range().is_some_and(|(_, hi)| (v as i128) <= hi)
        }
        Scalar::Float(v) => {
            ty == Ty::F8 || (ty == Ty::F4 && ((v as f32) as f64 == v || v.is_nan()))
        }
    }
}

/// Calls a loop compiled as the scalar entry point — every input broadcast from its parameter's
/// own storage type — on one element: `args` are the kernel's parameters (for a reduce, the
/// accumulator first). The result has the kernel's return type.
pub fn call_scalar(compiled: &Compiled, args: &[Scalar]) -> Result<Scalar, CallError> {
    let shape = compiled.scalar.as_ref().ok_or_else(|| {
        CallError::BadCall("not compiled as a scalar entry point (inputs must be broadcast)".into())
    })?;
    if args.len() != shape.params.len() {
        return Err(CallError::BadCall(format!(
            "{} arguments given, the kernel takes {}",
            args.len(),
            shape.params.len()
        )));
    }
    for (i, (&a, &ty)) in args.iter().zip(&shape.params).enumerate() {
        if !fits(a, ty) {
            return Err(CallError::BadCall(format!(
                "argument {i} ({a:?}) is not a value of {ty}"
            )));
        }
    }
    // Each value sits in its own u64 slot, little-endian, so a pointer to the slot is a pointer
    // to the value of its storage type.
    let slots: Vec<u64> = args
        .iter()
        .zip(&shape.params)
        .map(|(&a, &ty)| a.to_bits(ty.storage()))
        .collect();
    let (mut out, inputs) = match compiled.kind {
        LoopKind::Map | LoopKind::Collect => (0u64, &slots[..]),
        LoopKind::Reduce => (
            slots.first().copied().unwrap_or(0),
            slots.get(1..).unwrap_or(&[]),
        ),
    };
    let pointers: Vec<*const u8> = inputs
        .iter()
        .map(|s| s as *const u64 as *const u8)
        .collect();
    let interrupt = AtomicU32::new(0);
    let mut fail_index = 0u64;
    // SAFETY: the loop was compiled with every input broadcast (checked above through `shape`),
    // so it reads exactly one value of each parameter's storage type from each pointer, all of
    // which point into `slots`; `out` is an 8-byte slot, larger than any output element; the
    // pointers live until the call returns and `compiled` keeps the code alive.
    let status = unsafe {
        (compiled.loop_fn)(
            pointers.as_ptr(),
            &mut out as *mut u64 as *mut u8,
            1,
            &interrupt,
            &mut fail_index,
        )
    };
    if status == STATUS_OK {
        return Ok(Scalar::from_bits(out, shape.ret));
    }
    compiled.decode(status).map(CallError::Fault).map_or_else(
        || Err(CallError::BadCall(format!("unexpected status {status:#x}"))),
        Err,
    )
}
