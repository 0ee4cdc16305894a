//! Straight-line F8 map kernels, two elements per instruction (F64X2 lanes). Cranelift does not
//! vectorize; for kernels made only of `+ - *` and negation on F8 values (no branch, call,
//! division or fault) each lane computes exactly what the scalar code would, so results stay
//! bit-identical to the reference. A group evaluates several vectors side by side, operation by
//! operation, so that long dependency chains (a Horner polynomial) overlap.

use crate::translate::Translator;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Value, types};
use frontend::Scalar;
use frontend::Ty;
use frontend::ir::{Expr, ExprKind, Kernel, LocalId, StmtKind};
use frontend::ops::{BinOp, UnOp};
use std::collections::HashMap;

/// Vectors evaluated side by side per group (elements per group: twice this).
pub(crate) const VECTORS: usize = 4;

/// Elements per group.
pub(crate) const GROUP: usize = 2 * VECTORS;

/// Most IR nodes a vectorized body may have (code size grows with the group).
const MAX_NODES: usize = 256;

/// One input of a vectorized loop.
pub(crate) enum VecInput {
    /// F8 elements from `base + index * 8`.
    Column(Value),
    /// One F8 value for every element.
    Fixed(Value),
}

/// Whether `kernel` can run as a vector group: a map from F8 parameters to F8 whose body is
/// assignments to F8 locals followed by one `return`, over `+ - *`, negation, F8 constants and
/// locals assigned before they are read.
pub(crate) fn vectorizable(kernel: &Kernel) -> bool {
    if kernel.ret != Ty::F8 || kernel.params.iter().any(|p| p.ty != Ty::F8) {
        return false;
    }
    let mut known: Vec<LocalId> = kernel.params.iter().map(|p| p.local).collect();
    let mut nodes = 0usize;
    let Some((last, init)) = kernel.body.split_last() else {
        return false;
    };
    for stmt in init {
        let StmtKind::Assign { targets, values } = &stmt.kind else {
            return false;
        };
        if !values.iter().all(|v| simple(v, &known, &mut nodes)) {
            return false;
        }
        for &t in targets {
            if kernel.locals.get(t as usize).map(|l| l.ty) != Some(Ty::F8) {
                return false;
            }
            known.push(t);
        }
    }
    matches!(&last.kind, StmtKind::Return(e) if simple(e, &known, &mut nodes))
}

fn simple(e: &Expr, known: &[LocalId], nodes: &mut usize) -> bool {
    *nodes += 1;
    if *nodes > MAX_NODES || e.ty != Ty::F8 {
        return false;
    }
    match &e.kind {
        ExprKind::Const(Scalar::Float(_)) => true,
        ExprKind::Local(id) => known.contains(id),
        ExprKind::Unary(UnOp::Neg | UnOp::Pos, a) => simple(a, known, nodes),
        ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul, a, b) => {
            simple(a, known, nodes) && simple(b, known, nodes)
        }
        _ => false,
    }
}

/// Emits one group: `GROUP` elements from index `i` on, loaded, computed and stored.
/// `inputs` follow the kernel's parameters; the caller checked `vectorizable`.
pub(crate) fn emit_group(
    t: &mut Translator,
    kernel: &Kernel,
    inputs: &[VecInput],
    i: Value,
    out: Value,
    input_flags: MemFlagsData,
    output_flags: MemFlagsData,
) -> Option<()> {
    // Vector accesses are not marked aligned: a range may start at any element.
    let load_flags = MemFlagsData::new()
        .with_notrap()
        .with_readonly()
        .with_alias_region(input_flags.alias_region());
    let store_flags = MemFlagsData::new()
        .with_notrap()
        .with_alias_region(output_flags.alias_region());
    let byte_offset = t.b.ins().ishl_imm_u(i, 3);
    let mut env: HashMap<LocalId, [Value; VECTORS]> = HashMap::new();
    for (param, input) in kernel.params.iter().zip(inputs) {
        let lanes = match *input {
            VecInput::Column(base) => {
                let at = t.b.ins().iadd(base, byte_offset);
                std::array::from_fn(|v| {
                    t.b.ins()
                        .load(types::F64X2, load_flags, at, (v * 16) as i32)
                })
            }
            VecInput::Fixed(x) => {
                let s = t.b.ins().splat(types::F64X2, x);
                [s; VECTORS]
            }
        };
        env.insert(param.local, lanes);
    }
    let (last, init) = kernel.body.split_last()?;
    for stmt in init {
        let StmtKind::Assign { targets, values } = &stmt.kind else {
            return None;
        };
        let mut evaluated = Vec::with_capacity(values.len());
        for v in values {
            evaluated.push(eval(t, &env, v)?);
        }
        for (&target, lanes) in targets.iter().zip(evaluated) {
            env.insert(target, lanes);
        }
    }
    let StmtKind::Return(e) = &last.kind else {
        return None;
    };
    let result = eval(t, &env, e)?;
    let at = t.b.ins().iadd(out, byte_offset);
    for (v, lane) in result.iter().enumerate() {
        t.b.ins().store(store_flags, *lane, at, (v * 16) as i32);
    }
    Some(())
}

fn eval(
    t: &mut Translator,
    env: &HashMap<LocalId, [Value; VECTORS]>,
    e: &Expr,
) -> Option<[Value; VECTORS]> {
    Some(match &e.kind {
        ExprKind::Const(Scalar::Float(f)) => {
            let c = t.b.ins().f64const(*f);
            let s = t.b.ins().splat(types::F64X2, c);
            [s; VECTORS]
        }
        ExprKind::Local(id) => *env.get(id)?,
        ExprKind::Unary(UnOp::Pos, a) => eval(t, env, a)?,
        ExprKind::Unary(UnOp::Neg, a) => {
            let a = eval(t, env, a)?;
            a.map(|x| t.b.ins().fneg(x))
        }
        ExprKind::Binary(op, a, b) => {
            let a = eval(t, env, a)?;
            let b = eval(t, env, b)?;
            let mut out = a;
            for v in 0..VECTORS {
                out[v] = match op {
                    BinOp::Add => t.b.ins().fadd(a[v], b[v]),
                    BinOp::Sub => t.b.ins().fsub(a[v], b[v]),
                    BinOp::Mul => t.b.ins().fmul(a[v], b[v]),
                    _ => return None,
                };
            }
            out
        }
        _ => return None,
    })
}
