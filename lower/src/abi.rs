//! The native side of `runtime::abi::LoopFn`: the CLIF signature of the chunk loop and the
//! names of its arguments.
//!
//! `fn(inputs: *const *const u8, out: *mut u8, len: u64, interrupt: *const AtomicU32,
//!     fail_index: *mut u64) -> u32` with the platform's C calling convention.

use cranelift_codegen::ir::{AbiParam, Signature, Value, types};
use cranelift_jit::JITModule;
use cranelift_module::Module;

pub(crate) fn loop_signature(module: &JITModule) -> Signature {
    let ptr = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    sig.params.extend([
        AbiParam::new(ptr),        // inputs
        AbiParam::new(ptr),        // out
        AbiParam::new(types::I64), // len
        AbiParam::new(ptr),        // interrupt
        AbiParam::new(ptr),        // fail_index
    ]);
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// The loop function's arguments as CLIF values of its entry block.
pub(crate) struct LoopArgs {
    pub inputs: Value,
    pub out: Value,
    pub len: Value,
    pub interrupt: Value,
    pub fail_index: Value,
}

impl LoopArgs {
    pub fn from_params(params: &[Value]) -> Option<LoopArgs> {
        match *params {
            [inputs, out, len, interrupt, fail_index] => Some(LoopArgs {
                inputs,
                out,
                len,
                interrupt,
                fail_index,
            }),
            _ => None,
        }
    }
}
