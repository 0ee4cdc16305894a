//! The reference interpreter: the executable definition of the kernel semantics (SPEC §4,
//! written out in docs/semantics.md). Compiled code must agree with it bit for bit, and it
//! agrees with CPython running the same source wherever `Outcome::python_exact` is true.
//!
//! A tree-walking interpreter over the typed IR: `machine` executes statements and
//! expressions, `int_ops`/`float_ops`/`convert` hold the arithmetic, `scalar` reads and makes
//! values by type. This file holds the entry points and the stack policy: the walk recurses
//! once per nesting level, so a kernel nested deeper than the caller's stack can take is rerun
//! on a thread with a stack sized for it, instead of overflowing.

mod convert;
pub mod float_ops;
pub mod int_ops;
mod machine;
mod scalar;

use crate::fault::Fault;
use crate::ir::Kernel;
use crate::value::Scalar;
use machine::Stop;
use std::fmt;

pub use convert::float_to_int;

/// The result of running a kernel on one element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// The returned value, of the kernel's return type.
    pub value: Scalar,
    /// False when the result may differ from CPython running the same source: a width-type
    /// operation or conversion wrapped, an F4 operation rounded, an integer became an inexact
    /// float, or an `IntWrap` changed a value (docs/semantics.md lists each case).
    pub python_exact: bool,
}

/// Why `call_with_budget` gave no value.
#[derive(Clone, Debug)]
pub enum InterpError {
    /// The kernel raised (the same fault compiled code reports).
    Fault(Fault),
    /// More than `max_steps` statements and loop iterations ran.
    StepBudgetExceeded,
}

impl fmt::Display for InterpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterpError::Fault(fault) => write!(f, "{}", fault.kind),
            InterpError::StepBudgetExceeded => f.write_str("step budget exceeded"),
        }
    }
}

impl std::error::Error for InterpError {}

/// Runs the kernel on one element's arguments (values of the params' types).
/// A `while True` that never ends never returns: use `call_with_budget` where that matters.
pub fn call(kernel: &Kernel, args: &[Scalar]) -> Result<Outcome, Fault> {
    match run(kernel, args, u64::MAX) {
        Ok(outcome) => Ok(outcome),
        Err(InterpError::Fault(fault)) => Err(fault),
        // 2**64 steps cannot be taken.
        Err(InterpError::StepBudgetExceeded) => Ok(Outcome {
            value: scalar::zero(kernel.ret),
            python_exact: false,
        }),
    }
}

/// `call`, stopping after `max_steps` steps (one per statement executed and per loop
/// iteration, callees included).
pub fn call_with_budget(
    kernel: &Kernel,
    args: &[Scalar],
    max_steps: u64,
) -> Result<Outcome, InterpError> {
    run(kernel, args, max_steps)
}

/// Nesting levels (expressions, statements, kernel calls) walked on the caller's stack.
const INLINE_DEPTH: u32 = 128;
/// Generous stack use per nesting level (debug builds included).
const FRAME_BYTES: usize = 8 << 10;
/// Stacks tried, in turn, for deeper kernels; the last one runs without a depth limit.
const BIG_STACKS: [usize; 2] = [256 << 20, 2 << 30];

fn run(kernel: &Kernel, args: &[Scalar], budget: u64) -> Result<Outcome, InterpError> {
    match machine::run(kernel, args, budget, INLINE_DEPTH) {
        Err(Stop::Deep) => {}
        other => return finish(other),
    }
    // Too deep for the caller's stack: rerun (the interpreter has no side effects) on a
    // thread with a bigger one.
    for (i, &stack) in BIG_STACKS.iter().enumerate() {
        let limit = if i + 1 == BIG_STACKS.len() {
            u32::MAX
        } else {
            (stack / FRAME_BYTES) as u32
        };
        let spawned = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("chunkjit-interp".into())
                .stack_size(stack)
                .spawn_scoped(scope, || machine::run(kernel, args, budget, limit))
                .map(|handle| handle.join())
        });
        match spawned {
            Ok(Ok(Err(Stop::Deep))) => continue,
            Ok(Ok(result)) => return finish(result),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // The system would not give a thread that stack: stop growing.
            Err(_) => break,
        }
    }
    // Only IR nested hundreds of thousands of levels deep gets here (no checker output does);
    // an overflow now is Rust's clean "stack overflow" abort, as for memory exhaustion.
    finish(machine::run(kernel, args, budget, u32::MAX))
}

fn finish(result: Result<Outcome, Stop>) -> Result<Outcome, InterpError> {
    match result {
        Ok(outcome) => Ok(outcome),
        Err(Stop::Fault(fault)) => Err(InterpError::Fault(fault)),
        Err(Stop::Budget) => Err(InterpError::StepBudgetExceeded),
        // Unreachable: the unlimited run never stops for depth.
        Err(Stop::Deep) => Err(InterpError::StepBudgetExceeded),
    }
}
