//! Statements, control flow, short-circuiting, kernel calls, fault sites, the step budget and
//! deep nesting, through the reference interpreter.

mod common {
    pub mod ir_builder;
}
use Scalar::{Bool as B, Int as I, UInt as U};
use common::ir_builder::*;
use frontend::fault::FaultKind;
use frontend::interp::{InterpError, call, call_with_budget};
use frontend::ops::{BinOp, CmpOp, Convert};
use frontend::types::Ty;
use frontend::value::Scalar;
use std::sync::Arc;

/// `def k(start, stop, step): n = 0; s = 0; for i in range(start, stop, step): n += 1; s = i;
/// return n` and the last `i` seen, both as (count, last).
fn range_run(
    ty: Ty,
    start: Scalar,
    stop: Scalar,
    step: Scalar,
) -> Result<(i64, Scalar), FaultKind> {
    let mut k = KernelBuilder::new("k", &[("start", ty), ("stop", ty), ("step", ty)]);
    let i = k.local("i", ty);
    let n = k.local("n", Ty::Int);
    let body = vec![
        for_range(
            i,
            k.param(0),
            k.param(1),
            k.param(2),
            vec![assign(n, bin(BinOp::Add, k.get(n), int(1)))],
        ),
        ret(k.get(n)),
    ];
    let count_kernel = k.finish(Ty::Int, body);
    let mut k = KernelBuilder::new("k", &[("start", ty), ("stop", ty), ("step", ty)]);
    let i = k.local("i", ty);
    let body = vec![
        for_range(i, k.param(0), k.param(1), k.param(2), vec![]),
        ret(k.get(i)),
    ];
    let last_kernel = k.finish(ty, body);
    let args = [start, stop, step];
    let count = call(&count_kernel, &args).map_err(|f| f.kind)?.value;
    let last = call(&last_kernel, &args).map_err(|f| f.kind)?.value;
    match count {
        I(c) => Ok((c, last)),
        other => panic!("count {other:?}"),
    }
}

#[test]
fn for_range_counts_exactly() {
    assert_eq!(range_run(Ty::Int, I(0), I(10), I(3)), Ok((4, I(9))));
    assert_eq!(range_run(Ty::Int, I(10), I(0), I(-3)), Ok((4, I(1))));
    assert_eq!(range_run(Ty::Int, I(0), I(0), I(1)), Ok((0, I(0))));
    assert_eq!(range_run(Ty::Int, I(5), I(0), I(1)), Ok((0, I(0))));
    assert_eq!(
        range_run(Ty::Int, I(0), I(1), I(0)),
        Err(FaultKind::RangeStepZero)
    );
    // Near the ends of the type: no counter overflow.
    assert_eq!(
        range_run(Ty::Int, I(i64::MAX - 2), I(i64::MAX), I(1)),
        Ok((2, I(i64::MAX - 1)))
    );
    assert_eq!(
        range_run(Ty::Int, I(i64::MAX - 2), I(i64::MAX), I(i64::MAX)),
        Ok((1, I(i64::MAX - 2)))
    );
    assert_eq!(
        range_run(Ty::Int, I(i64::MIN), I(i64::MAX), I(1 << 62)),
        Ok((4, I(1 << 62)))
    );
    assert_eq!(
        range_run(Ty::Int, I(i64::MAX), I(i64::MIN), I(i64::MIN)),
        Ok((2, I(-1)))
    );
    assert_eq!(
        range_run(Ty::U8, U(u64::MAX - 1), U(u64::MAX), U(5)),
        Ok((1, U(u64::MAX - 1)))
    );
    assert_eq!(range_run(Ty::U1, U(250), U(255), U(2)), Ok((3, U(254))));
    assert_eq!(range_run(Ty::S1, I(127), I(-128), I(-128)), Ok((2, I(-1))));
}

#[test]
fn loop_variable_assignment_does_not_change_the_iteration() {
    // for i in range(0, 5): n += 1; i = 100  -> 5 iterations
    let mut k = KernelBuilder::new("k", &[]);
    let i = k.local("i", Ty::Int);
    let n = k.local("n", Ty::Int);
    let body = vec![
        for_range(
            i,
            int(0),
            int(5),
            int(1),
            vec![
                assign(n, bin(BinOp::Add, k.get(n), int(1))),
                assign(i, int(100)),
            ],
        ),
        ret(k.get(n)),
    ];
    assert_eq!(
        call(&k.finish(Ty::Int, body), &[]).map(|o| o.value).ok(),
        Some(I(5))
    );
}

#[test]
fn while_break_continue() {
    // n = 0; s = 0
    // while True:
    //     n += 1
    //     if n > 10: break
    //     if n % 2 == 0: continue
    //     s += n
    // return s       (1+3+5+7+9 = 25)
    let mut k = KernelBuilder::new("k", &[]);
    let n = k.local("n", Ty::Int);
    let s = k.local("s", Ty::Int);
    let body = vec![
        while_(
            boolean(true),
            vec![
                assign(n, bin(BinOp::Add, k.get(n), int(1))),
                if_(cmp(CmpOp::Gt, k.get(n), int(10)), vec![brk()], vec![]),
                if_(
                    cmp(CmpOp::Eq, bin(BinOp::Mod, k.get(n), int(2)), int(0)),
                    vec![cont()],
                    vec![],
                ),
                assign(s, bin(BinOp::Add, k.get(s), k.get(n))),
            ],
        ),
        ret(k.get(s)),
    ];
    assert_eq!(
        call(&k.finish(Ty::Int, body), &[]).map(|o| o.value).ok(),
        Some(I(25))
    );
}

#[test]
fn return_from_inside_nested_loops() {
    let mut k = KernelBuilder::new("k", &[]);
    let i = k.local("i", Ty::Int);
    let j = k.local("j", Ty::Int);
    let body = vec![
        for_range(
            i,
            int(0),
            int(10),
            int(1),
            vec![for_range(
                j,
                int(0),
                int(10),
                int(1),
                vec![if_(
                    cmp(CmpOp::Eq, bin(BinOp::Mul, k.get(i), k.get(j)), int(12)),
                    vec![ret(bin(
                        BinOp::Add,
                        bin(BinOp::Mul, k.get(i), int(100)),
                        k.get(j),
                    ))],
                    vec![],
                )],
            )],
        ),
        ret(int(-1)),
    ];
    assert_eq!(
        call(&k.finish(Ty::Int, body), &[]).map(|o| o.value).ok(),
        Some(I(206))
    );
}

#[test]
fn swap_evaluates_all_values_first() {
    let k = KernelBuilder::new("k", &[("a", Ty::Int), ("b", Ty::Int)]);
    let (a, b) = (0, 1);
    let body = vec![
        assign_many(vec![a, b], vec![k.get(b), k.get(a)]),
        ret(bin(BinOp::Sub, k.get(a), k.get(b))),
    ];
    assert_eq!(
        call(&k.finish(Ty::Int, body), &[I(10), I(3)])
            .map(|o| o.value)
            .ok(),
        Some(I(-7))
    );
}

#[test]
fn and_or_short_circuit_with_python_values() {
    let k = KernelBuilder::new("k", &[("a", Ty::Int)]);
    // `a and (1 // 0)`: for a == 0 the division is never evaluated.
    let div0 = bin(BinOp::FloorDiv, int(1), int(0));
    let kernel = k.finish(
        Ty::Int,
        vec![ret(and(
            KernelBuilder::new("k", &[("a", Ty::Int)]).param(0),
            div0,
        ))],
    );
    assert_eq!(call(&kernel, &[I(0)]).map(|o| o.value).ok(), Some(I(0)));
    assert_eq!(
        call(&kernel, &[I(2)]).map_err(|f| f.kind).err(),
        Some(FaultKind::ZeroDivision)
    );
    let k = KernelBuilder::new("k", &[("a", Ty::Int), ("b", Ty::Int)]);
    let or_kernel = k.finish(
        Ty::Int,
        vec![ret(or(
            KernelBuilder::new("k", &[("a", Ty::Int)]).param(0),
            common::ir_builder::int(0),
        ))],
    );
    assert_eq!(
        call(&or_kernel, &[I(0), I(0)]).map(|o| o.value).ok(),
        Some(I(0))
    );
    assert_eq!(
        call(&or_kernel, &[I(5), I(0)]).map(|o| o.value).ok(),
        Some(I(5))
    );
    let k = KernelBuilder::new("k", &[("a", Ty::F8)]);
    let nan_truth = k.finish(
        Ty::B1,
        vec![ret(not(conv(
            Convert::Truth,
            KernelBuilder::new("k", &[("a", Ty::F8)]).param(0),
            Ty::B1,
        )))],
    );
    assert_eq!(
        call(&nan_truth, &[Scalar::Float(f64::NAN)])
            .map(|o| o.value)
            .ok(),
        Some(B(false))
    );
}

#[test]
fn if_else_expression_and_bind() {
    // def k(a): return (t := a * 2) if a > 0 else t - 1     (t starts at 0)
    let mut k = KernelBuilder::new("k", &[("a", Ty::Int)]);
    let t = k.local("t", Ty::Int);
    let e = if_else(
        cmp(CmpOp::Gt, k.param(0), int(0)),
        bind(t, bin(BinOp::Mul, k.param(0), int(2))),
        bin(BinOp::Sub, k.get(t), int(1)),
    );
    let kernel = k.finish(Ty::Int, vec![ret(e)]);
    assert_eq!(call(&kernel, &[I(21)]).map(|o| o.value).ok(), Some(I(42)));
    assert_eq!(call(&kernel, &[I(-5)]).map(|o| o.value).ok(), Some(I(-1)));
}

#[test]
fn faults_point_at_the_construct_and_the_callee_source() {
    let callee_src = "def inner(x: int) -> int:\n    return 10 // x\n";
    let k = KernelBuilder::new("inner", &[("x", Ty::Int)]).with_source(callee_src);
    let div = at(bin(BinOp::FloorDiv, int(10), k.param(0)), 37, 44);
    let inner = Arc::new(k.finish(Ty::Int, vec![ret(div)]));
    let outer_src = "def outer(y: int) -> int:\n    return inner(y) + 1\n";
    let k = KernelBuilder::new("outer", &[("y", Ty::Int)]).with_source(outer_src);
    let body = vec![ret(bin(
        BinOp::Add,
        call_kernel(&inner, vec![k.param(0)]),
        int(1),
    ))];
    let outer = k.finish(Ty::Int, body);
    assert_eq!(call(&outer, &[I(5)]).map(|o| o.value).ok(), Some(I(3)));
    let fault = call(&outer, &[I(0)]).expect_err("fault");
    assert_eq!(fault.kind, FaultKind::ZeroDivision);
    let loc = fault.site.location();
    assert_eq!((loc.file.as_str(), loc.line, loc.col), ("inner.py", 2, 12));
    assert_eq!(loc.line_text, "    return 10 // x");
}

#[test]
fn range_step_zero_points_at_the_for_statement() {
    let src = "def k() -> int:\n    for i in range(0, 5, 0):\n        pass\n    return 0\n";
    let mut k = KernelBuilder::new("k", &[]).with_source(src);
    let i = k.local("i", Ty::Int);
    let body = vec![
        stmt_at(for_range(i, int(0), int(5), int(0), vec![]), 20, 60),
        ret(int(0)),
    ];
    let fault = call(&k.finish(Ty::Int, body), &[]).expect_err("fault");
    assert_eq!(fault.kind, FaultKind::RangeStepZero);
    assert_eq!(fault.site.location().line, 2);
}

#[test]
fn runaway_loops_stop_at_the_step_budget() {
    let k = KernelBuilder::new("k", &[]);
    let kernel = k.finish(Ty::Int, vec![while_(boolean(true), vec![]), ret(int(0))]);
    assert!(matches!(
        call_with_budget(&kernel, &[], 10_000),
        Err(InterpError::StepBudgetExceeded)
    ));
    let k = KernelBuilder::new("k", &[]);
    let kernel = k.finish(Ty::Int, vec![ret(int(7))]);
    assert!(matches!(call_with_budget(&kernel, &[], 10), Ok(o) if o.value == I(7)));
}

#[test]
fn python_exact_tracks_wraps_on_the_path_taken() {
    // def k(a: U1) -> U1: return a + U1(1) if a > 0 else a
    let k = KernelBuilder::new("k", &[("a", Ty::U1)]);
    let e = if_else(
        cmp(CmpOp::Gt, k.param(0), uint(0, Ty::U1)),
        bin(BinOp::Add, k.param(0), uint(1, Ty::U1)),
        k.param(0),
    );
    let kernel = k.finish(Ty::U1, vec![ret(e)]);
    let run = |a| {
        call(&kernel, &[U(a)])
            .map(|o| (o.value, o.python_exact))
            .ok()
    };
    assert_eq!(run(255), Some((U(0), false)));
    assert_eq!(run(254), Some((U(255), true)));
    assert_eq!(run(0), Some((U(0), true)));
}

/// `x + 1 + 1 + ... + 1` nested `depth` levels deep.
fn deep_sum(depth: usize) -> frontend::ir::Kernel {
    let k = KernelBuilder::new("k", &[("x", Ty::Int)]);
    let mut e = k.param(0);
    for _ in 0..depth {
        e = bin(BinOp::Add, e, int(1));
    }
    k.finish(Ty::Int, vec![ret(e)])
}

#[test]
fn deeply_nested_expressions_do_not_overflow_the_stack() {
    // Building and dropping a deep tree recurses too (Rust's drop glue): do that on a big
    // stack, and call the interpreter from a thread with a small one.
    let big = std::thread::Builder::new().stack_size(512 << 20);
    let outcome = big
        .spawn(|| {
            let mut results = Vec::new();
            for depth in [100usize, 1_000, 50_000] {
                let kernel = deep_sum(depth);
                let small = std::thread::Builder::new().stack_size(256 << 10);
                let out = std::thread::scope(|s| {
                    small
                        .spawn_scoped(s, || call(&kernel, &[I(1)]).map(|o| o.value).ok())
                        .map(|h| h.join())
                });
                results.push((depth, out.ok().and_then(Result::ok).flatten()));
            }
            results
        })
        .expect("spawn")
        .join()
        .expect("join");
    for (depth, out) in outcome {
        assert_eq!(out, Some(I(1 + depth as i64)), "depth {depth}");
    }
}
