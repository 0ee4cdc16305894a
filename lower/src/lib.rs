//! lower: the typed kernel IR -> Cranelift IR -> machine code, as one chunk-loop function per
//! kernel specialisation (the ABI is `runtime::abi::LoopFn`). One JIT module per compiled
//! kernel, freed with it. Knows nothing of Python or of arrays beyond raw pointers.
//!
//! The scalar entry point is the same loop compiled with every input broadcast and called with
//! `len = 1` (`call_scalar` does that safely).

mod abi;
mod cast;
mod chunk_loop;
mod compiled;
mod error;
mod expr;
mod if_convert;
mod isa;
mod math;
mod num;
mod sites;
mod translate;
mod vector;

pub use compiled::{CallError, Compiled, call_scalar};
pub use error::LowerError;
pub use isa::{Isa, isa};

use compiled::{OwnedModule, ScalarShape};
use cranelift_codegen::ir::UserFuncName;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};
use frontend::Ty;
use frontend::ir::Kernel;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    /// `out[i] = kernel(inputs...[i])`; inputs are all the parameters.
    Map,
    /// `acc = kernel(acc, inputs...[i])`; the first parameter is the accumulator (its type is the
    /// return type), read from `out` at entry and written back on success.
    Reduce,
    /// A pipeline (`frontend::pipeline`): like `Map`, but each element whose body reaches
    /// `return` is written at the next output position (compacted), an element that reaches
    /// `skip` writes nothing, and on success `*fail_index` is the number of elements written.
    Collect,
}

/// One loop input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Input {
    /// The element type behind the input pointer (`Int` is stored as S8). Converted to the
    /// parameter's type inside the loop; the caller guarantees the conversion is lossless.
    pub storage: Ty,
    /// One value read once before the loop, instead of a column.
    pub broadcast: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopSpec {
    pub kind: LoopKind,
    pub inputs: Vec<Input>,
}

impl LoopSpec {
    /// The scalar entry point of `kernel`: a map with every parameter broadcast from its own
    /// storage type (for a `Reduce` kernel, the accumulator is `out`).
    pub fn scalar(kernel: &Kernel, kind: LoopKind) -> LoopSpec {
        let skip = if kind == LoopKind::Reduce { 1 } else { 0 };
        let inputs = kernel
            .params
            .iter()
            .skip(skip)
            .map(|p| Input {
                storage: p.ty.storage(),
                broadcast: true,
            })
            .collect();
        LoopSpec { kind, inputs }
    }
}

/// Compiles `kernel` into a chunk loop of shape `spec` (with vector groups where the kernel
/// allows them; should the vector body ever fail to emit, without them).
pub fn compile(kernel: &Kernel, spec: &LoopSpec) -> Result<Compiled, LowerError> {
    match compile_with(kernel, spec, true) {
        Err(LowerError::VectorBody) => compile_with(kernel, spec, false),
        other => other,
    }
}

/// `compile`, choosing whether vectorizable kernels run as vector groups (`false`: every
/// element through the scalar code, as the tests compare).
pub fn compile_with(
    kernel: &Kernel,
    spec: &LoopSpec,
    vectorize: bool,
) -> Result<Compiled, LowerError> {
    let isa = isa()?;
    let started = Instant::now();
    let mut builder = JITBuilder::with_isa(isa.target.clone(), default_libcall_names());
    math::register_symbols(&mut builder);
    let mut owned = OwnedModule(Some(JITModule::new(builder)));
    let module = owned
        .0
        .as_mut()
        .ok_or_else(|| LowerError::Module("no module".into()))?;

    let mut ctx = module.make_context();
    ctx.func.signature = abi::loop_signature(module);
    let id = module
        .declare_function("chunk_loop", Linkage::Local, &ctx.func.signature)
        .map_err(|e| LowerError::Module(e.to_string()))?;
    ctx.func.name = UserFuncName::user(0, id.as_u32());
    let mut fctx = FunctionBuilderContext::new();
    let sites = chunk_loop::build(&mut ctx.func, &mut fctx, module, kernel, spec, vectorize)?;
    // Kept unformatted: printing it costs about as much as a tenth of the compile.
    let clif_func = ctx.func.clone();

    module
        .define_function(id, &mut ctx)
        .map_err(|e| LowerError::Codegen(format!("{e:?}")))?;
    let code_size = ctx.compiled_code().map_or(0, |c| c.code_buffer().len());
    module.clear_context(&mut ctx);
    module
        .finalize_definitions()
        .map_err(|e| LowerError::Module(e.to_string()))?;
    let code = module.get_finalized_function(id);
    // SAFETY: `code` is the finalized function built with `abi::loop_signature`, which is the
    // C ABI of `LoopFn`; it stays valid while `owned` (moved into `Compiled`) lives.
    let loop_fn = unsafe { std::mem::transmute::<*const u8, runtime::abi::LoopFn>(code) };
    let compile_time = started.elapsed();

    let all_broadcast = spec.inputs.iter().all(|i| i.broadcast);
    let skip = if spec.kind == LoopKind::Reduce { 1 } else { 0 };
    let own_storage = spec
        .inputs
        .iter()
        .zip(kernel.params.iter().skip(skip))
        .all(|(i, p)| i.storage.storage() == p.ty.storage());
    let scalar = (all_broadcast && own_storage).then(|| ScalarShape {
        params: kernel.param_types(),
        ret: kernel.ret,
    });

    Ok(Compiled {
        _module: Mutex::new(owned),
        loop_fn,
        kind: spec.kind,
        sites,
        clif_header: clif_header(kernel, spec),
        clif_func,
        clif: OnceLock::new(),
        compile_time,
        code_size,
        scalar,
    })
}

/// The first lines of the CLIF dump: the kernel and the loop shape.
fn clif_header(kernel: &Kernel, spec: &LoopSpec) -> String {
    let mut out = String::new();
    let params: Vec<String> = kernel
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, p.ty))
        .collect();
    let _ = writeln!(
        out,
        "; kernel {}({}) -> {}, {:?} loop",
        kernel.name,
        params.join(", "),
        kernel.ret,
        spec.kind
    );
    for (i, input) in spec.inputs.iter().enumerate() {
        let how = if input.broadcast {
            "broadcast"
        } else {
            "column"
        };
        let _ = writeln!(out, ";   input {i}: {} {how}", input.storage);
    }
    out
}
