//! All ISA and flag policy in one place: the host CPU's features, `opt_level=speed`, the verifier
//! only in debug builds, `is_pic=false` (cranelift-jit requires it). Built once per process.

use crate::error::LowerError;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use std::sync::OnceLock;

/// The target ISA of this process, shared by every compiled kernel.
pub struct Isa {
    pub(crate) target: OwnedTargetIsa,
}

static ISA: OnceLock<Result<Isa, LowerError>> = OnceLock::new();

/// The host ISA, built on first use (about 30 µs) and shared afterwards.
pub fn isa() -> Result<&'static Isa, LowerError> {
    ISA.get_or_init(build_isa).as_ref().map_err(Clone::clone)
}

fn build_isa() -> Result<Isa, LowerError> {
    let mut flags = settings::builder();
    let verifier = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    for (name, value) in [
        ("opt_level", "speed"),
        ("enable_verifier", verifier),
        ("is_pic", "false"),
        ("use_colocated_libcalls", "false"),
    ] {
        flags
            .set(name, value)
            .map_err(|e| LowerError::Isa(format!("{name}={value}: {e}")))?;
    }
    let builder = cranelift_native::builder().map_err(|m| LowerError::Isa(m.to_string()))?;
    let target = builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| LowerError::Isa(e.to_string()))?;
    Ok(Isa { target })
}

impl Isa {
    pub fn name(&self) -> &'static str {
        self.target.name()
    }
}
