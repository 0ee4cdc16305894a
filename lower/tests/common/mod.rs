//! Test helpers: a small IR builder (kernels are written by hand until the parser lands), input
//! columns, and runners that call a compiled loop one element at a time or over a buffer.
#![allow(dead_code)]

use frontend::env::{Env, Global, KernelDef};
use frontend::ir::{Expr, ExprKind, Kernel, Local, Param, Stmt, StmtKind};
use frontend::ops::{BinOp, Builtin, CmpOp, Convert, UnOp};
use frontend::types::ALL_TYPES;
use frontend::{FaultKind, Scalar, Source, Span, Ty};
use lower::{Compiled, Input, LoopKind, LoopSpec};
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

/// The globals kernels compiled from source see: `math` and the type names.
pub fn env() -> Env {
    let mut env = Env::new().with("math", Global::MathModule);
    for t in ALL_TYPES {
        if t != Ty::Int {
            env = env.with(t.name(), Global::Type(t));
        }
    }
    env
}

pub fn def_in(src: &str, env: Env) -> KernelDef {
    let name = src
        .split("def ")
        .nth(1)
        .and_then(|s| s.split('(').next())
        .unwrap_or("f")
        .trim()
        .to_string();
    KernelDef {
        name,
        source: Arc::new(Source::new(src, "k.py", 1)),
        env,
    }
}

pub fn checked(src: &str, env: Env) -> Kernel {
    match frontend::compile(&def_in(src, env), &[]) {
        Ok(k) => k,
        Err(d) => panic!("does not compile:\n{}", d.render()),
    }
}

pub fn sp(start: u32, end: u32) -> Span {
    Span { start, end }
}

/// Builds a kernel: parameters and extra locals get ids in order (params first).
pub struct KernelBuilder {
    pub name: String,
    pub params: Vec<(String, Ty)>,
    pub locals: Vec<(String, Ty)>,
    pub ret: Ty,
}

pub fn kernel(name: &str, params: &[(&str, Ty)], ret: Ty) -> KernelBuilder {
    KernelBuilder {
        name: name.into(),
        params: params.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
        locals: Vec::new(),
        ret,
    }
}

impl KernelBuilder {
    pub fn local(mut self, name: &str, ty: Ty) -> Self {
        self.locals.push((name.into(), ty));
        self
    }

    pub fn body(self, body: Vec<Stmt>) -> Kernel {
        let text = format!("def {}(...):\n{}", self.name, "    pass\n".repeat(50));
        let source = Arc::new(Source::new(text, "test.py", 1));
        let params = self
            .params
            .iter()
            .enumerate()
            .map(|(i, (n, t))| Param {
                name: n.clone(),
                ty: *t,
                local: i as u32,
            })
            .collect();
        let locals = self
            .params
            .iter()
            .chain(&self.locals)
            .map(|(n, t)| Local {
                name: n.clone(),
                ty: *t,
            })
            .collect();
        Kernel {
            name: self.name,
            params,
            ret: self.ret,
            locals,
            body,
            source,
            span: sp(0, 3),
        }
    }
}

pub fn e(kind: ExprKind, ty: Ty, span: Span) -> Expr {
    Expr::new(kind, ty, span)
}
pub fn var(id: u32, ty: Ty) -> Expr {
    e(ExprKind::Local(id), ty, sp(0, 0))
}
pub fn int(v: i64, ty: Ty) -> Expr {
    let s = if ty.is_unsigned() {
        Scalar::UInt(v as u64)
    } else {
        Scalar::Int(v)
    };
    e(ExprKind::Const(s), ty, sp(0, 0))
}
pub fn float(v: f64, ty: Ty) -> Expr {
    e(ExprKind::Const(Scalar::Float(v)), ty, sp(0, 0))
}
pub fn boolean(v: bool) -> Expr {
    e(ExprKind::Const(Scalar::Bool(v)), Ty::B1, sp(0, 0))
}
/// A binary operation at span `at`; the result type is the operand type.
pub fn bin(op: BinOp, a: Expr, b: Expr, at: Span) -> Expr {
    let ty = a.ty;
    e(ExprKind::Binary(op, Box::new(a), Box::new(b)), ty, at)
}
pub fn cmp(op: CmpOp, a: Expr, b: Expr) -> Expr {
    e(
        ExprKind::Compare(op, Box::new(a), Box::new(b)),
        Ty::B1,
        sp(0, 0),
    )
}
pub fn unary(op: UnOp, a: Expr, at: Span) -> Expr {
    let ty = a.ty;
    e(ExprKind::Unary(op, Box::new(a)), ty, at)
}
pub fn convert(how: Convert, a: Expr, to: Ty, at: Span) -> Expr {
    e(ExprKind::Convert(how, Box::new(a)), to, at)
}
pub fn call(builtin: Builtin, args: Vec<Expr>, ty: Ty, at: Span) -> Expr {
    e(ExprKind::Call(builtin, args), ty, at)
}
pub fn not(a: Expr) -> Expr {
    e(ExprKind::Not(Box::new(a)), Ty::B1, sp(0, 0))
}

pub fn st(kind: StmtKind) -> Stmt {
    Stmt {
        kind,
        span: sp(0, 0),
    }
}
pub fn ret(v: Expr) -> Stmt {
    st(StmtKind::Return(v))
}
pub fn assign(target: u32, v: Expr) -> Stmt {
    st(StmtKind::Assign {
        targets: vec![target],
        values: vec![v],
    })
}
pub fn if_(cond: Expr, then_body: Vec<Stmt>, else_body: Vec<Stmt>) -> Stmt {
    st(StmtKind::If {
        cond,
        then_body,
        else_body,
    })
}
pub fn while_(cond: Expr, body: Vec<Stmt>) -> Stmt {
    st(StmtKind::While { cond, body })
}
pub fn for_range(var: u32, start: Expr, stop: Expr, step: Expr, body: Vec<Stmt>, at: Span) -> Stmt {
    Stmt {
        kind: StmtKind::ForRange {
            var,
            start,
            stop,
            step,
            body,
        },
        span: at,
    }
}

/// `def f(a: T, b: T) -> T: return a op b` with the operation at span 10..20.
pub fn binary_kernel(op: BinOp, ty: Ty) -> Kernel {
    kernel("binop", &[("a", ty), ("b", ty)], ty).body(vec![ret(bin(
        op,
        var(0, ty),
        var(1, ty),
        sp(10, 20),
    ))])
}

/// The map spec with every parameter a column of its own storage type.
pub fn columns(kernel: &Kernel) -> LoopSpec {
    LoopSpec {
        kind: LoopKind::Map,
        inputs: kernel
            .params
            .iter()
            .map(|p| Input {
                storage: p.ty.storage(),
                broadcast: false,
            })
            .collect(),
    }
}

pub fn compile_columns(kernel: &Kernel) -> Compiled {
    match lower::compile(kernel, &columns(kernel)) {
        Ok(c) => c,
        Err(err) => panic!("compile failed: {err}"),
    }
}

/// A column of values of one storage type, packed as an array of it.
pub struct Column {
    pub ty: Ty,
    pub bytes: Vec<u8>,
}

impl Column {
    pub fn new(ty: Ty, values: &[Scalar]) -> Column {
        let size = ty.storage().size();
        let mut bytes = Vec::with_capacity(values.len() * size + 8);
        for v in values {
            bytes.extend_from_slice(&v.to_bits(ty.storage()).to_le_bytes()[..size]);
        }
        Column { ty, bytes }
    }
    fn ptr_at(&self, k: usize) -> *const u8 {
        self.bytes[k * self.ty.storage().size()..].as_ptr()
    }
}

/// The outcome of one element: a value, or a fault and its span.
pub type Outcome = Result<Scalar, (FaultKind, Span)>;

/// Runs the loop on element `k` alone (len = 1), so every element reports its own outcome.
pub fn run_one(c: &Compiled, cols: &[Column], k: usize, ret: Ty) -> Outcome {
    let ptrs: Vec<*const u8> = cols.iter().map(|col| col.ptr_at(k)).collect();
    let mut out = [0u8; 8];
    let flag = AtomicU32::new(0);
    let mut fail = u64::MAX;
    // SAFETY: one element of each column's storage type is readable at each pointer; `out`
    // holds any output element.
    let status = unsafe { (c.loop_fn())(ptrs.as_ptr(), out.as_mut_ptr(), 1, &flag, &mut fail) };
    if status == 0 {
        return Ok(Scalar::from_bits(u64::from_le_bytes(out), ret));
    }
    assert_eq!(fail, 0, "fail index of a one-element call");
    let fault = c
        .decode(status)
        .unwrap_or_else(|| panic!("undecodable status {status:#x}"));
    Err((fault.kind, fault.site.span))
}

/// Runs a map over whole columns: (status, fail index, output elements).
pub fn run_map(c: &Compiled, inputs: &[*const u8], len: usize, ret: Ty) -> (u32, u64, Vec<Scalar>) {
    let size = ret.storage().size();
    let mut out = vec![0u8; len * size + 8];
    let flag = AtomicU32::new(0);
    let mut fail = u64::MAX;
    // SAFETY: the caller passes pointers to `len` elements (or one broadcast value) each.
    let status = unsafe {
        (c.loop_fn())(
            inputs.as_ptr(),
            out.as_mut_ptr(),
            len as u64,
            &flag,
            &mut fail,
        )
    };
    let values = (0..len)
        .map(|i| {
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(&out[i * size..(i + 1) * size]);
            Scalar::from_bits(u64::from_le_bytes(b), ret)
        })
        .collect();
    (status, fail, values)
}

/// Bitwise equality of two scalars (NaN payloads aside; -0.0 differs from 0.0).
pub fn same(a: Scalar, b: Scalar) -> bool {
    match (a, b) {
        (Scalar::Float(x), Scalar::Float(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        _ => a == b,
    }
}

/// The scalar of integer type `ty` holding the mathematical value `v` (which must fit).
pub fn int_scalar(v: i128, ty: Ty) -> Scalar {
    match ty {
        Ty::B1 => Scalar::Bool(v != 0),
        t if t.is_unsigned() => Scalar::UInt(v as u64),
        _ => Scalar::Int(v as i64),
    }
}

/// `v` modulo 2**bits of `ty`, in the type's range.
pub fn wrap(v: i128, ty: Ty) -> i128 {
    let bits = ty.bits();
    let m = (v as u128) & (u128::MAX >> (128 - bits));
    if ty.is_signed() && m >= 1u128 << (bits - 1) {
        m as i128 - (1i128 << bits)
    } else {
        m as i128
    }
}

/// Boundary values of an integer type: 0, ±1, MIN, MAX and their neighbours, ±2^k±1.
pub fn int_boundaries(ty: Ty) -> Vec<i128> {
    let (lo, hi) = ty.int_range().unwrap();
    let mut v: Vec<i128> = vec![
        0,
        1,
        -1,
        2,
        -2,
        3,
        -3,
        7,
        8,
        63,
        64,
        65,
        lo,
        lo + 1,
        hi,
        hi - 1,
        hi / 2,
        lo / 2,
    ];
    for k in [7u32, 8, 15, 16, 31, 32, 62, 63] {
        let p = 1i128 << k;
        v.extend([p - 1, p, p + 1, -p - 1, -p, -p + 1]);
    }
    v.retain(|x| *x >= lo && *x <= hi);
    v.sort();
    v.dedup();
    v
}

pub const INT_TYPES: [Ty; 9] = [
    Ty::U1,
    Ty::U2,
    Ty::U4,
    Ty::U8,
    Ty::S1,
    Ty::S2,
    Ty::S4,
    Ty::S8,
    Ty::Int,
];

pub fn float_boundaries() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        2.5,
        -2.5,
        3.0,
        -3.0,
        7.0,
        0.1,
        -0.1,
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        9007199254740993.0,
        4503599627370495.5,
        2147483647.5,
        -2147483648.5,
        9.223372036854776e18,
        -9.223372036854776e18,
        1.8446744073709552e19,
        255.5,
        256.0,
        -128.5,
        -129.0,
        65535.9,
        3.4e38,
        1e-40,
    ]
}
