//! The loop skeleton around a kernel body: poll the interrupt flag once, load broadcast inputs
//! once, then per element load the column inputs, run the body inline, store the result (map) or
//! carry it as the accumulator (reduce). Faults leave through one cold exit that records the
//! element index.
//!
//! ```text
//! entry:     index = 0; if *interrupt != 0 -> interrupted
//!            bases = inputs[..]; broadcast values loaded and converted; (reduce) acc = *out
//! header:    if index >= len -> done
//! element:   params = columns[index] (converted) | broadcast values | (reduce) acc
//!            <kernel body; `return v` jumps to store with v>
//! store(v):  (map) out[index] = v | (reduce) acc = v | (collect) out[written] = v,
//!            written += kept; index += 1; jump header   (collect: `skip` jumps straight to
//!            `index += 1`, or, if-converted, clears `kept`)
//! done:      (reduce) *out = acc; (collect) *fail_index = written; return 0
//! fault(s):  *fail_index = index; return s
//! interrupted: *fail_index = index; return 255
//! ```
//! Unrolled and vector loops put a group header first: groups while a whole group is left, then
//! the one-at-a-time loop above up to `limit` (`len`). A vector group in which a lane may fault
//! is not stored: `limit` becomes the group's end and the one-at-a-time loop runs its elements,
//! then the group header takes over again.

use crate::abi::LoopArgs;
use crate::error::LowerError;
use crate::sites::SiteTable;
use crate::translate::{Translator, clif_type};
use crate::vector;
use crate::{LoopKind, LoopSpec};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    AliasRegionData, Block, Function, InstBuilder, MemFlagsData, Value, types,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::Module;
use frontend::Ty;
use frontend::ir::Kernel;
use runtime::abi::STATUS_INTERRUPTED;

/// How one kernel parameter gets its value.
enum ParamSource {
    /// Loaded per element from `base + index * size`.
    Column { base: Value, storage: Ty, param: Ty },
    /// Loaded and converted once before the loop.
    Fixed(Value),
    /// The reduce accumulator.
    Accumulator,
}

/// Checks that `spec` fits `kernel` (input count, accumulator type).
pub(crate) fn check_spec(kernel: &Kernel, spec: &LoopSpec) -> Result<(), LowerError> {
    let expected = match spec.kind {
        LoopKind::Map | LoopKind::Collect => kernel.params.len(),
        LoopKind::Reduce => {
            let acc = kernel.params.first().ok_or_else(|| {
                LowerError::Spec("a reduce kernel needs an accumulator parameter".into())
            })?;
            if acc.ty != kernel.ret {
                return Err(LowerError::Spec(format!(
                    "the accumulator '{}' is {} but the kernel returns {}",
                    acc.name, acc.ty, kernel.ret
                )));
            }
            kernel.params.len() - 1
        }
    };
    if spec.inputs.len() != expected {
        return Err(LowerError::Spec(format!(
            "{} inputs given, the kernel takes {expected}",
            spec.inputs.len()
        )));
    }
    Ok(())
}

/// Builds the loop function into `func`; returns the fault sites it references.
pub(crate) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    module: &mut JITModule,
    kernel: &Kernel,
    spec: &LoopSpec,
    vectorize: bool,
) -> Result<SiteTable, LowerError> {
    check_spec(kernel, spec)?;
    let config = module.target_config();
    let ptr_ty = config.pointer_type();
    let mut b = FunctionBuilder::new(func, fctx);

    // Inputs, the output and the pointer table never alias each other: separate regions.
    let mut region = |id: u32, name: &'static str| {
        let r = b.func.dfg.alias_regions.insert(AliasRegionData {
            user_id: id,
            description: name.into(),
        });
        MemFlagsData::trusted().with_alias_region(Some(r))
    };
    let table_flags = region(1, "input table").with_readonly();
    let input_flags = region(2, "inputs").with_readonly();
    let output_flags = region(3, "output");

    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let args = LoopArgs::from_params(b.block_params(entry))
        .ok_or_else(|| LowerError::Codegen("loop signature mismatch".into()))?;
    let fault_exit = b.create_block();
    let status = b.append_block_param(fault_exit, types::I32);
    b.set_cold_block(fault_exit);
    let interrupt_exit = b.create_block();
    b.set_cold_block(interrupt_exit);

    let mut t = Translator::new(b, module, fault_exit, interrupt_exit, args.interrupt);
    let index = t.b.declare_var(types::I64);
    let zero = t.iconst(types::I64, 0);
    t.b.def_var(index, zero);
    let setup = t.b.create_block();
    let flag =
        t.b.ins()
            .atomic_load(types::I32, MemFlagsData::trusted(), args.interrupt);
    t.b.ins().brif(flag, interrupt_exit, &[], setup, &[]);

    // Setup: base pointers, broadcast values, the accumulator.
    t.b.switch_to_block(setup);
    let mut sources = Vec::with_capacity(kernel.params.len());
    let input_params = match spec.kind {
        LoopKind::Map | LoopKind::Collect => &kernel.params[..],
        LoopKind::Reduce => {
            sources.push(ParamSource::Accumulator);
            kernel.params.get(1..).unwrap_or(&[])
        }
    };
    for (i, (input, param)) in spec.inputs.iter().zip(input_params).enumerate() {
        let storage = input.storage.storage();
        let offset = (i * ptr_ty.bytes() as usize) as i32;
        let base = t.b.ins().load(ptr_ty, table_flags, args.inputs, offset);
        sources.push(if input.broadcast {
            let raw = t.b.ins().load(clif_type(storage), input_flags, base, 0);
            ParamSource::Fixed(t.convert_input(raw, storage, param.ty)?)
        } else {
            // Checked here so that a bad pairing fails at compile time, not per element.
            if storage != param.ty.storage() && !widens(storage, param.ty) {
                return Err(LowerError::InputType {
                    storage,
                    param: param.ty,
                });
            }
            ParamSource::Column {
                base,
                storage,
                param: param.ty,
            }
        });
    }
    let acc = t.b.declare_var(clif_type(kernel.ret));
    if spec.kind == LoopKind::Reduce {
        let initial =
            t.b.ins()
                .load(clif_type(kernel.ret.storage()), output_flags, args.out, 0);
        t.b.def_var(acc, initial);
    }
    // Collect: the count of elements written so far, the block `skip` jumps to, and whether
    // the element in flight is kept (an if-converted `skip` clears it).
    let written = t.b.declare_var(types::I64);
    let next_element = t.b.create_block();
    if spec.kind == LoopKind::Collect {
        let zero = t.iconst(types::I64, 0);
        t.b.def_var(written, zero);
        t.skip_to = Some(next_element);
        t.kept = Some(t.b.declare_var(types::I8));
    }
    let element = t.b.create_block();
    let done = t.b.create_block();
    // The one-at-a-time loop runs while `index < limit`: `limit` is `len`, except after a
    // vector group that takes the scalar path (then the end of that group).
    let limit = t.b.declare_var(types::I64);
    t.b.def_var(limit, args.len);
    let tail_header = t.b.create_block();
    let vector_inputs = vector_inputs(kernel, spec, &sources).filter(|_| vectorize);
    let unrolled = match &vector_inputs {
        Some((_, vectors)) => 2 * vectors,
        None => unroll_factor(kernel, spec),
    };
    // Where the one-at-a-time loop goes at `limit`.
    let mut after_tail = done;
    if unrolled > 1 {
        // Groups of `unrolled` elements while that many are left, then one at a time.
        let header = t.b.create_block();
        let group = t.b.create_block();
        t.b.ins().jump(header, &[]);
        t.b.switch_to_block(header);
        t.b.def_var(limit, args.len);
        let i = t.b.use_var(index);
        let group_end = t.b.ins().iadd_imm_s(i, unrolled as i64);
        let fits =
            t.b.ins()
                .icmp(IntCC::UnsignedLessThanOrEqual, group_end, args.len);
        t.b.ins().brif(fits, group, &[], tail_header, &[]);
        t.b.switch_to_block(group);
        match &vector_inputs {
            Some((inputs, vectors)) => {
                after_tail = t.b.create_block();
                let vars = GroupVars {
                    index,
                    limit,
                    written,
                };
                let flags = (input_flags, output_flags);
                let targets = (header, tail_header);
                if *vectors == vector::WIDE {
                    emit_vector_group::<{ vector::WIDE }>(
                        &mut t, kernel, spec, inputs, i, vars, targets, &args, flags,
                    )?;
                } else {
                    emit_vector_group::<{ vector::NARROW }>(
                        &mut t, kernel, spec, inputs, i, vars, targets, &args, flags,
                    )?;
                }
                t.b.switch_to_block(after_tail);
                let i = t.b.use_var(index);
                let more = t.b.ins().icmp(IntCC::UnsignedLessThan, i, args.len);
                t.b.ins().brif(more, header, &[], done, &[]);
            }
            None => {
                for k in 0..unrolled {
                    // `index` names the element in flight, so a fault reports its own index.
                    let at = if k == 0 {
                        i
                    } else {
                        t.b.ins().iadd_imm_s(i, k as i64)
                    };
                    t.b.def_var(index, at);
                    emit_element(
                        &mut t,
                        kernel,
                        spec,
                        &sources,
                        (acc, written),
                        at,
                        args.out,
                        output_flags,
                        input_flags,
                    )?;
                }
                let next = t.b.ins().iadd_imm_s(i, unrolled as i64);
                t.b.def_var(index, next);
                t.b.ins().jump(header, &[]);
            }
        }
    } else {
        t.b.ins().jump(tail_header, &[]);
    }

    t.b.switch_to_block(tail_header);
    let i = t.b.use_var(index);
    let end = t.b.use_var(limit);
    let more = t.b.ins().icmp(IntCC::UnsignedLessThan, i, end);
    t.b.ins().brif(more, element, &[], after_tail, &[]);

    t.b.switch_to_block(element);
    emit_element(
        &mut t,
        kernel,
        spec,
        &sources,
        (acc, written),
        i,
        args.out,
        output_flags,
        input_flags,
    )?;
    // `skip` (a filtered-out element of a collect loop) lands here too.
    t.b.ins().jump(next_element, &[]);
    t.b.switch_to_block(next_element);
    let i = t.b.use_var(index);
    let next = t.b.ins().iadd_imm_s(i, 1);
    t.b.def_var(index, next);
    t.b.ins().jump(tail_header, &[]);

    t.b.switch_to_block(done);
    if spec.kind == LoopKind::Reduce {
        let total = t.b.use_var(acc);
        t.b.ins().store(output_flags, total, args.out, 0);
    }
    if spec.kind == LoopKind::Collect {
        let count = t.b.use_var(written);
        t.b.ins()
            .store(MemFlagsData::trusted(), count, args.fail_index, 0);
    }
    let ok = t.iconst(types::I32, 0);
    t.b.ins().return_(&[ok]);

    // A fault: the index of the failing element and the status word.
    t.b.switch_to_block(fault_exit);
    let failed_at = t.b.use_var(index);
    t.b.ins()
        .store(MemFlagsData::trusted(), failed_at, args.fail_index, 0);
    t.b.ins().return_(&[status]);

    t.b.switch_to_block(interrupt_exit);
    let stopped_at = t.b.use_var(index);
    t.b.ins()
        .store(MemFlagsData::trusted(), stopped_at, args.fail_index, 0);
    let interrupted = t.iconst(types::I32, STATUS_INTERRUPTED as i64);
    t.b.ins().return_(&[interrupted]);

    let Translator { mut b, sites, .. } = t;
    b.seal_all_blocks();
    b.finalize(config);
    Ok(sites)
}

/// Elements per trip of the main loop. Map and reduce kernels over columns without loops are
/// unrolled: Cranelift does not unroll, and the per-element compare, branch and index update
/// cost as much as a short body (a reduce's accumulator chains the copies, but the work beside
/// the chain, such as an if-converted filter, overlaps). Loops inside the body (their own
/// branches dominate) and scalar entries (`len = 1`) are not, and neither is a collect (a
/// `skip` leaves the element through the one-at-a-time loop).
fn unroll_factor(kernel: &Kernel, spec: &LoopSpec) -> usize {
    let has_column = spec.inputs.iter().any(|i| !i.broadcast);
    if spec.kind != LoopKind::Collect && has_column && !kernel.has_loops() {
        UNROLL
    } else {
        1
    }
}

/// The vector inputs and the vectors per group when `kernel` runs as vector groups (see
/// `vector.rs`): a map, or a collect without a filter, over at least one F8 column whose inputs
/// are all F8.
fn vector_inputs(
    kernel: &Kernel,
    spec: &LoopSpec,
    sources: &[ParamSource],
) -> Option<(Vec<vector::VecInput>, usize)> {
    if spec.kind == LoopKind::Reduce
        || spec.inputs.iter().all(|i| i.broadcast)
        || spec.inputs.iter().any(|i| i.storage.storage() != Ty::F8)
    {
        return None;
    }
    let vectors = vector::vectors(kernel)?;
    let inputs = sources
        .iter()
        .map(|s| match *s {
            ParamSource::Column { base, .. } => Some(vector::VecInput::Column(base)),
            ParamSource::Fixed(v) => Some(vector::VecInput::Fixed(v)),
            ParamSource::Accumulator => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((inputs, vectors))
}

/// One vector group of `2 * N` elements from index `i` (the current block is the
/// group's). When no lane can fault the results are stored and the loop goes on with the next
/// group; otherwise the group runs again one element at a time (`limit` = its end), so the
/// scalar code reports the exact fault and the lowest failing index.
#[allow(clippy::too_many_arguments)]
fn emit_vector_group<const N: usize>(
    t: &mut Translator,
    kernel: &Kernel,
    spec: &LoopSpec,
    inputs: &[vector::VecInput],
    i: Value,
    vars: GroupVars,
    (header, tail_header): (Block, Block),
    args: &LoopArgs,
    (input_flags, output_flags): (MemFlagsData, MemFlagsData),
) -> Result<(), LowerError> {
    let group =
        vector::emit_group::<N>(t, kernel, inputs, i, input_flags).ok_or(LowerError::VectorBody)?;
    let store = t.b.create_block();
    if let Some(fault) = group.fault {
        let scalar = t.b.create_block();
        t.b.set_cold_block(scalar);
        let any = t.b.ins().vany_true(fault);
        t.b.ins().brif(any, scalar, &[], store, &[]);
        t.b.switch_to_block(scalar);
        let end = t.b.ins().iadd_imm_s(i, (2 * N) as i64);
        t.b.def_var(vars.limit, end);
        t.b.ins().jump(tail_header, &[]);
    } else {
        t.b.ins().jump(store, &[]);
    }
    t.b.switch_to_block(store);
    // Map: at the group's own index; Collect (no filter, so every element is kept): at the
    // next free slot.
    let slot = match spec.kind {
        LoopKind::Collect => {
            let w = t.b.use_var(vars.written);
            let w_next = t.b.ins().iadd_imm_s(w, (2 * N) as i64);
            t.b.def_var(vars.written, w_next);
            w
        }
        _ => i,
    };
    let at = element_address(t, args.out, slot, 8);
    vector::store_group(t, &group.result, at, output_flags);
    let next = t.b.ins().iadd_imm_s(i, (2 * N) as i64);
    t.b.def_var(vars.index, next);
    t.b.ins().jump(header, &[]);
    Ok(())
}

/// The loop variables a vector group updates.
struct GroupVars {
    index: Variable,
    limit: Variable,
    written: Variable,
}

/// The unroll factor of straight-line map loops.
const UNROLL: usize = 4;

/// One element at index `i`: load the column inputs, run the body inline, store the result (map),
/// carry it as the accumulator (reduce) or store it at the next free output slot (collect).
#[allow(clippy::too_many_arguments)]
fn emit_element<'k>(
    t: &mut Translator<'k, '_, '_>,
    kernel: &'k Kernel,
    spec: &LoopSpec,
    sources: &[ParamSource],
    (acc, written): (Variable, Variable),
    i: Value,
    out: Value,
    output_flags: MemFlagsData,
    input_flags: MemFlagsData,
) -> Result<(), LowerError> {
    if let Some(kept) = t.kept {
        let yes = t.iconst(types::I8, 1);
        t.b.def_var(kept, yes);
    }
    let mut values = Vec::with_capacity(sources.len());
    for source in sources {
        values.push(match *source {
            ParamSource::Fixed(v) => v,
            ParamSource::Accumulator => t.b.use_var(acc),
            ParamSource::Column {
                base,
                storage,
                param,
            } => {
                let addr = element_address(t, base, i, storage.size());
                let raw = t.b.ins().load(clif_type(storage), input_flags, addr, 0);
                t.convert_input(raw, storage, param)?
            }
        });
    }
    let result = t.lower_inline(kernel, &values)?;
    match spec.kind {
        LoopKind::Map => {
            let addr = element_address(t, out, i, kernel.ret.storage().size());
            t.b.ins().store(output_flags, result, addr, 0);
        }
        LoopKind::Reduce => t.b.def_var(acc, result),
        LoopKind::Collect => {
            // Stored whether kept or not (the slot is past the kept elements and below `len`),
            // and counted only when kept: no branch for an if-converted filter.
            let w = t.b.use_var(written);
            let addr = element_address(t, out, w, kernel.ret.storage().size());
            t.b.ins().store(output_flags, result, addr, 0);
            let kept = match t.kept {
                Some(k) => t.b.use_var(k),
                None => t.iconst(types::I8, 1),
            };
            let kept = t.b.ins().uextend(types::I64, kept);
            let w = t.b.ins().iadd(w, kept);
            t.b.def_var(written, w);
        }
    }
    Ok(())
}

/// `base + index * size` (size a power of two: a shift the address mode folds).
fn element_address(t: &mut Translator, base: Value, index: Value, size: usize) -> Value {
    let offset = t.b.ins().ishl_imm_u(index, size.trailing_zeros() as i64);
    t.b.ins().iadd(base, offset)
}

/// The storage -> parameter conversions a column input may use.
fn widens(storage: Ty, param: Ty) -> bool {
    storage == Ty::B1
        || (storage.is_int() && (param.is_int() || param.is_float()))
        || (storage.is_float() && param.is_float())
}
