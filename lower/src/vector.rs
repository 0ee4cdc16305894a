//! F8 kernels, two elements per instruction (F64X2 lanes), branches if-converted. Cranelift does
//! not vectorize; `lower` does it for map (and filter-free collect) kernels whose values are all
//! F8 or B1. An F8 value is an F64X2 vector, a B1 value an I64X2 lane mask (all ones or zero).
//! Every lane computes exactly what the scalar code computes for its element: IEEE `+ - * /`,
//! `sqrt`, `fabs` and comparisons are the same instructions lane by lane, and `min`/`max` are
//! Python's compare-and-select, so results stay bit-identical to the reference.
//!
//! Control flow becomes masks. `if`/`else` statements, `x if c else y`, `and`/`or` and `return`
//! run both ways in every lane under a *live* mask (the lanes that take the path); an
//! assignment or a `return` changes only the live lanes (`bitselect`). A fault (`sqrt` of a
//! negative, division by zero) is recorded as a lane mask ANDed with the live mask; if any lane
//! of a group has one, the caller runs the group again through the scalar element code, which
//! raises the exact fault at the exact element. A group evaluates several vectors side by side,
//! operation by operation, so that long dependency chains (a Horner polynomial) overlap.

use crate::expr::float_cc;
use crate::translate::Translator;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Type, Value, types};
use cranelift_frontend::FunctionBuilder;
use frontend::Scalar;
use frontend::Ty;
use frontend::ir::{Expr, ExprKind, Kernel, LocalId, Stmt, StmtKind};
use frontend::ops::{BinOp, Builtin, Convert, MathFn, UnOp};
use std::collections::HashMap;

/// Vectors evaluated side by side per group (elements per group: twice this) for short bodies,
/// which are memory-bound: more vectors would only lengthen the compile.
pub(crate) const NARROW: usize = 4;

/// Vectors per group for long bodies (at least `LONG_BODY` nodes): a long dependency chain
/// (a degree-16 Horner polynomial, a fused map chain) is latency-bound, and 8 independent
/// chains keep both floating-point ports busy where 4 left them half idle.
pub(crate) const WIDE: usize = 8;

/// IR nodes from which a body gets `WIDE` groups.
const LONG_BODY: usize = 24;

/// Most IR nodes a vectorized body may have, inlined kernels included (code size grows with
/// the group).
const MAX_NODES: usize = 256;

/// Kernel calls inlined into a vectorized body nest at most this deep.
const MAX_DEPTH: usize = 8;

/// One value of a group: one vector per vector of the group (`N`: `NARROW` or `WIDE`).
type Lanes<const N: usize> = [Value; N];

/// One input of a vectorized loop.
pub(crate) enum VecInput {
    /// F8 elements from `base + index * 8`.
    Column(Value),
    /// One F8 value for every element.
    Fixed(Value),
}

/// A computed group: the result vectors, and the lanes that would fault (an I64X2 mask, the
/// OR of every vector's; `None` when nothing in the body can fault).
pub(crate) struct Group<const N: usize> {
    pub result: Lanes<N>,
    pub fault: Option<Value>,
}

// ---- what is vectorizable -------------------------------------------------------------------

/// How many vectors per group `kernel` runs with (`NARROW`, or `WIDE` for long bodies), None
/// when it cannot run as vector groups. It can with F8 parameters and result, and a body (with the
/// kernels it calls) of assignments, `if`/`else`, `return` and expression statements over F8
/// and B1 values: F8 constants, `+ - * /`, negation, comparisons, `not`/`and`/`or` of B1,
/// `x if c else y`, `bool(x)`, `float(b)`, `abs`, `min`, `max`, `math.sqrt`, `math.fabs`,
/// `math.isnan`/`isinf`/`isfinite`. No loop, no `skip`, no other call.
pub(crate) fn vectors(kernel: &Kernel) -> Option<usize> {
    let mut check = Check { nodes: 0 };
    let ok = kernel.ret == Ty::F8
        && kernel.params.iter().all(|p| p.ty == Ty::F8)
        && check.kernel(kernel, 0);
    ok.then_some(if check.nodes >= LONG_BODY {
        WIDE
    } else {
        NARROW
    })
}

/// The types a group holds: F8 (F64X2) and B1 (an I64X2 lane mask).
fn lane_type(ty: Ty) -> bool {
    matches!(ty, Ty::F8 | Ty::B1)
}

/// The walk behind `vectors`; `Emit` below follows it construct by construct.
struct Check {
    nodes: usize,
}

impl Check {
    fn kernel(&mut self, k: &Kernel, depth: usize) -> bool {
        depth < MAX_DEPTH
            && lane_type(k.ret)
            && k.locals.iter().all(|l| lane_type(l.ty))
            && self.stmts(&k.body, depth)
    }

    fn stmts(&mut self, stmts: &[Stmt], depth: usize) -> bool {
        stmts.iter().all(|s| match &s.kind {
            StmtKind::Assign { values, .. } => values.iter().all(|v| self.expr(v, depth)),
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                self.expr(cond, depth)
                    && self.stmts(then_body, depth)
                    && self.stmts(else_body, depth)
            }
            StmtKind::Return(e) | StmtKind::Eval(e) => self.expr(e, depth),
            _ => false,
        })
    }

    fn expr(&mut self, e: &Expr, depth: usize) -> bool {
        self.nodes += 1;
        if self.nodes > MAX_NODES || !lane_type(e.ty) {
            return false;
        }
        let f8 = |x: &Expr| x.ty == Ty::F8;
        let b1 = |x: &Expr| x.ty == Ty::B1;
        match &e.kind {
            ExprKind::Const(Scalar::Float(_)) => f8(e),
            ExprKind::Const(Scalar::Bool(_)) => b1(e),
            ExprKind::Local(_) => true,
            ExprKind::Bind(_, a) => self.expr(a, depth),
            ExprKind::Unary(UnOp::Neg | UnOp::Pos, a) => f8(e) && self.expr(a, depth),
            ExprKind::Not(a) => b1(a) && self.expr(a, depth),
            ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, a, b) => {
                f8(e) && f8(a) && f8(b) && self.expr(a, depth) && self.expr(b, depth)
            }
            ExprKind::Compare(_, a, b) => {
                f8(a) && f8(b) && self.expr(a, depth) && self.expr(b, depth)
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                b1(e) && self.expr(a, depth) && self.expr(b, depth)
            }
            ExprKind::IfElse { cond, then, els } => {
                self.expr(cond, depth) && self.expr(then, depth) && self.expr(els, depth)
            }
            ExprKind::Convert(Convert::FromBool, a) => f8(e) && b1(a) && self.expr(a, depth),
            ExprKind::Convert(Convert::Truth, a) => b1(e) && f8(a) && self.expr(a, depth),
            ExprKind::Call(builtin, args) => {
                lane_builtin(*builtin, e.ty, args.len())
                    && args.iter().all(|a| f8(a) && self.expr(a, depth))
            }
            ExprKind::CallKernel(callee, args) => {
                args.iter().all(|a| self.expr(a, depth)) && self.kernel(callee, depth + 1)
            }
            _ => false,
        }
    }
}

/// The builtins with an exact lane form, on F8 arguments, returning `ty`.
fn lane_builtin(builtin: Builtin, ty: Ty, arity: usize) -> bool {
    match builtin {
        Builtin::Abs | Builtin::Math(MathFn::Sqrt | MathFn::Fabs) => ty == Ty::F8 && arity == 1,
        Builtin::Min | Builtin::Max => ty == Ty::F8 && arity >= 1,
        Builtin::Math(MathFn::Isnan | MathFn::Isinf | MathFn::Isfinite) => {
            ty == Ty::B1 && arity == 1
        }
        _ => false,
    }
}

// ---- emitting a group -----------------------------------------------------------------------

/// The lanes on which a statement runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Live<const N: usize> {
    All,
    /// An I64X2 mask per vector.
    Some(Lanes<N>),
    /// None (every lane has returned): the statements left are not lowered.
    Dead,
}

/// One kernel being emitted (the loop's own or an inlined callee): its locals, as lanes, and
/// what its lanes returned so far.
struct Frame<const N: usize> {
    env: HashMap<LocalId, Lanes<N>>,
    result: Option<Lanes<N>>,
}

struct Emit<'a, 'k, 'f, 'm, const N: usize> {
    t: &'a mut Translator<'k, 'f, 'm>,
    /// The OR of every fault mask so far, per vector.
    fault: Option<Lanes<N>>,
}

/// Emits one group: `2 * N` elements from index `i` on, loaded and computed (the caller
/// stores them with `store_group` once no lane faults). `inputs` follow the kernel's
/// parameters; the caller checked `vectors`.
pub(crate) fn emit_group<const N: usize>(
    t: &mut Translator,
    kernel: &Kernel,
    inputs: &[VecInput],
    i: Value,
    input_flags: MemFlagsData,
) -> Option<Group<N>> {
    // Vector accesses are not marked aligned: a range may start at any element.
    let load_flags = MemFlagsData::new()
        .with_notrap()
        .with_readonly()
        .with_alias_region(input_flags.alias_region());
    let byte_offset = t.b.ins().ishl_imm_u(i, 3);
    let mut args = Vec::with_capacity(inputs.len());
    for input in inputs {
        args.push(match *input {
            VecInput::Column(base) => {
                let at = t.b.ins().iadd(base, byte_offset);
                std::array::from_fn(|v| {
                    t.b.ins()
                        .load(types::F64X2, load_flags, at, (v * 16) as i32)
                })
            }
            VecInput::Fixed(x) => {
                let s = t.b.ins().splat(types::F64X2, x);
                [s; N]
            }
        });
    }
    let mut emit = Emit { t, fault: None };
    let result = emit.call(kernel, &args, Live::All)?;
    // One mask for the group, ORed pairwise so that the ORs overlap.
    let fault = emit.fault.and_then(|masks| {
        let mut level = masks.to_vec();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|pair| match *pair {
                    [x, y] => emit.t.b.ins().bor(x, y),
                    _ => pair[0],
                })
                .collect();
        }
        level.first().copied()
    });
    Some(Group { result, fault })
}

/// Stores a group's result vectors at `at` (the first element's address).
pub(crate) fn store_group<const N: usize>(
    t: &mut Translator,
    result: &Lanes<N>,
    at: Value,
    output_flags: MemFlagsData,
) {
    let store_flags = MemFlagsData::new()
        .with_notrap()
        .with_alias_region(output_flags.alias_region());
    for (v, lane) in result.iter().enumerate() {
        t.b.ins().store(store_flags, *lane, at, (v * 16) as i32);
    }
}

impl<const N: usize> Emit<'_, '_, '_, '_, N> {
    /// `kernel(args)` on the lanes `live`: its body inline, in a frame of its own.
    fn call(&mut self, kernel: &Kernel, args: &[Lanes<N>], live: Live<N>) -> Option<Lanes<N>> {
        let mut frame = Frame {
            env: HashMap::new(),
            result: None,
        };
        for (param, arg) in kernel.params.iter().zip(args) {
            frame.env.insert(param.local, *arg);
        }
        self.stmts(&mut frame, kernel, &kernel.body, live)?;
        // Falling off the end yields zero, as in the scalar code.
        Some(match frame.result {
            Some(r) => r,
            None => self.zero(kernel.ret),
        })
    }

    /// Returns the lanes still running after `stmts`.
    fn stmts(
        &mut self,
        f: &mut Frame<N>,
        k: &Kernel,
        stmts: &[Stmt],
        mut live: Live<N>,
    ) -> Option<Live<N>> {
        for stmt in stmts {
            if live == Live::Dead {
                break;
            }
            live = self.stmt(f, k, stmt, live)?;
        }
        Some(live)
    }

    fn stmt(
        &mut self,
        f: &mut Frame<N>,
        k: &Kernel,
        stmt: &Stmt,
        live: Live<N>,
    ) -> Option<Live<N>> {
        match &stmt.kind {
            StmtKind::Assign { targets, values } => {
                let mut evaluated = Vec::with_capacity(values.len());
                for v in values {
                    evaluated.push(self.expr(f, v, live)?);
                }
                for (&target, lanes) in targets.iter().zip(evaluated) {
                    let ty = k.locals.get(target as usize)?.ty;
                    self.assign(f, target, ty, lanes, live);
                }
                Some(live)
            }
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => {
                let c = self.expr(f, cond, live)?;
                let then_live = self.and_live(live, c);
                let not_c = c.map(|m| self.t.b.ins().bnot(m));
                let else_live = self.and_live(live, not_c);
                let then_end = self.stmts(f, k, then_body, then_live)?;
                let else_end = self.stmts(f, k, else_body, else_live)?;
                Some(if then_end == then_live && else_end == else_live {
                    // No lane returned inside: the same lanes run on.
                    live
                } else {
                    self.union(then_end, else_end)
                })
            }
            StmtKind::Return(e) => {
                let v = self.expr(f, e, live)?;
                f.result = Some(match (live, f.result) {
                    (Live::Some(m), Some(earlier)) => self.select(m, v, earlier, k.ret),
                    (Live::Some(m), None) => {
                        let zero = self.zero(k.ret);
                        self.select(m, v, zero, k.ret)
                    }
                    // Every lane returns here, and none did before.
                    _ => v,
                });
                Some(Live::Dead)
            }
            StmtKind::Eval(e) => {
                self.expr(f, e, live)?;
                Some(live)
            }
            _ => None,
        }
    }

    /// `target = lanes` on the live lanes; the other lanes keep the old value (locals start at
    /// zero, as in the scalar code).
    fn assign(
        &mut self,
        f: &mut Frame<N>,
        target: LocalId,
        ty: Ty,
        lanes: Lanes<N>,
        live: Live<N>,
    ) {
        let value = match live {
            Live::All => lanes,
            Live::Some(m) => {
                let old = match f.env.get(&target) {
                    Some(old) => *old,
                    None => self.zero(ty),
                };
                self.select(m, lanes, old, ty)
            }
            Live::Dead => return,
        };
        f.env.insert(target, value);
    }

    fn expr(&mut self, f: &mut Frame<N>, e: &Expr, live: Live<N>) -> Option<Lanes<N>> {
        Some(match &e.kind {
            ExprKind::Const(Scalar::Float(x)) => self.splat_f64(*x),
            ExprKind::Const(Scalar::Bool(b)) => self.splat_mask(*b),
            ExprKind::Local(id) => match f.env.get(id) {
                Some(v) => *v,
                None => self.zero(e.ty),
            },
            ExprKind::Bind(id, a) => {
                let v = self.expr(f, a, live)?;
                self.assign(f, *id, e.ty, v, live);
                v
            }
            ExprKind::Unary(UnOp::Pos, a) => self.expr(f, a, live)?,
            ExprKind::Unary(UnOp::Neg, a) => {
                let a = self.expr(f, a, live)?;
                a.map(|x| self.t.b.ins().fneg(x))
            }
            ExprKind::Not(a) => {
                let a = self.expr(f, a, live)?;
                a.map(|x| self.t.b.ins().bnot(x))
            }
            ExprKind::Binary(op, a, b) => {
                let a = self.expr(f, a, live)?;
                let b = self.expr(f, b, live)?;
                if *op == BinOp::Div {
                    // Python raises ZeroDivisionError for a zero divisor of either sign.
                    let zero = self.splat_f64(0.0);
                    let is_zero = self.zip(b, zero, |fb, x, z| fb.ins().fcmp(FloatCC::Equal, x, z));
                    self.fault(is_zero, live);
                }
                let op = *op;
                self.zip(a, b, |fb, x, y| match op {
                    BinOp::Add => fb.ins().fadd(x, y),
                    BinOp::Sub => fb.ins().fsub(x, y),
                    BinOp::Mul => fb.ins().fmul(x, y),
                    _ => fb.ins().fdiv(x, y),
                })
            }
            ExprKind::Compare(op, a, b) => {
                let a = self.expr(f, a, live)?;
                let b = self.expr(f, b, live)?;
                let cc = float_cc(*op);
                self.zip(a, b, |fb, x, y| fb.ins().fcmp(cc, x, y))
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                // `b` runs only where `a` does not decide: its faults count there alone.
                let is_and = matches!(e.kind, ExprKind::And(..));
                let a = self.expr(f, a, live)?;
                let b_runs = if is_and {
                    a
                } else {
                    a.map(|m| self.t.b.ins().bnot(m))
                };
                let b_live = self.and_live(live, b_runs);
                let b = self.expr(f, b, b_live)?;
                self.zip(a, b, |fb, x, y| {
                    if is_and {
                        fb.ins().band(x, y)
                    } else {
                        fb.ins().bor(x, y)
                    }
                })
            }
            ExprKind::IfElse { cond, then, els } => {
                let c = self.expr(f, cond, live)?;
                let then_live = self.and_live(live, c);
                let not_c = c.map(|m| self.t.b.ins().bnot(m));
                let else_live = self.and_live(live, not_c);
                let t = self.expr(f, then, then_live)?;
                let el = self.expr(f, els, else_live)?;
                self.select(c, t, el, e.ty)
            }
            ExprKind::Convert(Convert::FromBool, a) => {
                // 1.0 where the mask is set, +0.0 elsewhere (as the scalar int -> float).
                let a = self.expr(f, a, live)?;
                let one = self.splat_f64(1.0);
                self.zip(a, one, |fb, m, one| {
                    let m = fb.ins().bitcast(types::F64X2, MemFlagsData::new(), m);
                    fb.ins().band(m, one)
                })
            }
            ExprKind::Convert(Convert::Truth, a) => {
                let a = self.expr(f, a, live)?;
                let zero = self.splat_f64(0.0);
                self.zip(a, zero, |fb, x, z| fb.ins().fcmp(FloatCC::NotEqual, x, z))
            }
            ExprKind::Call(builtin, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.expr(f, a, live)?);
                }
                self.builtin(*builtin, &values, live)?
            }
            ExprKind::CallKernel(callee, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.expr(f, a, live)?);
                }
                self.call(callee, &values, live)?
            }
            _ => return None,
        })
    }

    fn builtin(&mut self, builtin: Builtin, args: &[Lanes<N>], live: Live<N>) -> Option<Lanes<N>> {
        let (&x, rest) = args.split_first()?;
        Some(match builtin {
            Builtin::Abs | Builtin::Math(MathFn::Fabs) => x.map(|v| self.t.b.ins().fabs(v)),
            Builtin::Math(MathFn::Sqrt) => {
                // MathDomain for x < 0 (so sqrt(-0.0) = -0.0, sqrt(nan) = nan), as scalar.
                let zero = self.splat_f64(0.0);
                let negative = self.zip(x, zero, |fb, v, z| fb.ins().fcmp(FloatCC::LessThan, v, z));
                self.fault(negative, live);
                x.map(|v| self.t.b.ins().sqrt(v))
            }
            Builtin::Min | Builtin::Max => {
                // Python's rule: a later argument replaces the current one only when strictly
                // better (ties keep the first, a NaN first argument stays). Written as
                // `bitselect(best < v, v, best)` / `bitselect(v < best, v, best)`, which
                // Cranelift emits as maxpd / minpd (the same rule, lane by lane).
                let is_max = builtin == Builtin::Max;
                let mut best = x;
                for &v in rest {
                    let better = if is_max {
                        self.zip(best, v, |fb, b, v| fb.ins().fcmp(FloatCC::LessThan, b, v))
                    } else {
                        self.zip(v, best, |fb, v, b| fb.ins().fcmp(FloatCC::LessThan, v, b))
                    };
                    best = self.select(better, v, best, Ty::F8);
                }
                best
            }
            Builtin::Math(MathFn::Isnan) => {
                self.zip(x, x, |fb, a, b| fb.ins().fcmp(FloatCC::Unordered, a, b))
            }
            Builtin::Math(MathFn::Isinf | MathFn::Isfinite) => {
                let cc = if builtin == Builtin::Math(MathFn::Isinf) {
                    FloatCC::Equal
                } else {
                    FloatCC::LessThan
                };
                let inf = self.splat_f64(f64::INFINITY);
                self.zip(x, inf, |fb, v, inf| {
                    let a = fb.ins().fabs(v);
                    fb.ins().fcmp(cc, a, inf)
                })
            }
            _ => return None,
        })
    }

    // ---- lane helpers ---------------------------------------------------------------------

    /// `op(a[v], b[v])` for every vector.
    fn zip(
        &mut self,
        a: Lanes<N>,
        b: Lanes<N>,
        mut op: impl FnMut(&mut FunctionBuilder, Value, Value) -> Value,
    ) -> Lanes<N> {
        std::array::from_fn(|v| op(&mut self.t.b, a[v], b[v]))
    }

    fn splat(&mut self, ty: Type, scalar: Value) -> Lanes<N> {
        let s = self.t.b.ins().splat(ty, scalar);
        [s; N]
    }

    fn splat_f64(&mut self, x: f64) -> Lanes<N> {
        let c = self.t.b.ins().f64const(x);
        self.splat(types::F64X2, c)
    }

    fn splat_mask(&mut self, set: bool) -> Lanes<N> {
        let c = self.t.b.ins().iconst(types::I64, if set { -1 } else { 0 });
        self.splat(types::I64X2, c)
    }

    fn zero(&mut self, ty: Ty) -> Lanes<N> {
        match ty {
            Ty::B1 => self.splat_mask(false),
            _ => self.splat_f64(0.0),
        }
    }

    /// `a` where the mask `m` is set, `b` elsewhere, for values of type `ty`.
    fn select(&mut self, m: Lanes<N>, a: Lanes<N>, b: Lanes<N>, ty: Ty) -> Lanes<N> {
        std::array::from_fn(|v| {
            let mask = if ty == Ty::F8 {
                self.t
                    .b
                    .ins()
                    .bitcast(types::F64X2, MemFlagsData::new(), m[v])
            } else {
                m[v]
            };
            self.t.b.ins().bitselect(mask, a[v], b[v])
        })
    }

    /// The lanes of `live` where `m` is set.
    fn and_live(&mut self, live: Live<N>, m: Lanes<N>) -> Live<N> {
        match live {
            Live::All => Live::Some(m),
            Live::Some(l) => Live::Some(self.zip(l, m, |fb, a, b| fb.ins().band(a, b))),
            Live::Dead => Live::Dead,
        }
    }

    fn union(&mut self, a: Live<N>, b: Live<N>) -> Live<N> {
        match (a, b) {
            (Live::Dead, x) | (x, Live::Dead) => x,
            (Live::All, _) | (_, Live::All) => Live::All,
            (Live::Some(a), Live::Some(b)) => {
                Live::Some(self.zip(a, b, |fb, x, y| fb.ins().bor(x, y)))
            }
        }
    }

    /// Records that the lanes of `cond` fault where they are live.
    fn fault(&mut self, cond: Lanes<N>, live: Live<N>) {
        let masked = match live {
            Live::All => cond,
            Live::Some(m) => self.zip(cond, m, |fb, c, m| fb.ins().band(c, m)),
            Live::Dead => return,
        };
        self.fault = Some(match self.fault {
            None => masked,
            Some(earlier) => self.zip(earlier, masked, |fb, a, b| fb.ins().bor(a, b)),
        });
    }
}
