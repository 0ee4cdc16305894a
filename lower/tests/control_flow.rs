//! Statements and short-circuit expressions: if/elif/else, while with break/continue, for over
//! range() (exact trip counts near MIN/MAX, negative steps, zero step), return from inside
//! loops, `and`/`or`/`x if c else y` evaluating only what Python evaluates, swaps, chained
//! comparisons through `Bind`, and kernel calls inlined with their own fault sites.

mod common;
use common::*;
use frontend::ir::{ExprKind, StmtKind};
use frontend::ops::{BinOp, CmpOp, UnOp};
use frontend::{FaultKind, Scalar, Source, Ty};
use std::sync::Arc;

fn run1(k: &frontend::Kernel, args: &[Scalar]) -> Outcome {
    let c = compile_columns(k);
    let cols: Vec<Column> = k
        .params
        .iter()
        .zip(args)
        .map(|(p, a)| Column::new(p.ty, &[*a]))
        .collect();
    run_one(&c, &cols, 0, k.ret)
}

#[test]
fn if_elif_else() {
    let t = Ty::S8;
    let k = kernel("sign", &[("x", t)], t).body(vec![if_(
        cmp(CmpOp::Lt, var(0, t), int(0, t)),
        vec![ret(int(-1, t))],
        vec![if_(
            cmp(CmpOp::Eq, var(0, t), int(0, t)),
            vec![ret(int(0, t))],
            vec![ret(int(1, t))],
        )],
    )]);
    for (x, want) in [(-5, -1), (0, 0), (i64::MAX, 1), (i64::MIN, -1)] {
        assert_eq!(run1(&k, &[Scalar::Int(x)]), Ok(Scalar::Int(want)));
    }
}

#[test]
fn while_with_break_and_continue() {
    // s = 0; i = 0
    // while i < n:
    //     i += 1
    //     if i == 5: continue
    //     s += i
    //     if s > 1000: break
    // return s
    let t = Ty::Int;
    let (n, s, i) = (0, 1, 2);
    let k = kernel("w", &[("n", t)], t)
        .local("s", t)
        .local("i", t)
        .body(vec![
            assign(s, int(0, t)),
            assign(i, int(0, t)),
            while_(
                cmp(CmpOp::Lt, var(i, t), var(n, t)),
                vec![
                    assign(i, bin(BinOp::Add, var(i, t), int(1, t), sp(1, 2))),
                    if_(
                        cmp(CmpOp::Eq, var(i, t), int(5, t)),
                        vec![st(StmtKind::Continue)],
                        vec![],
                    ),
                    assign(s, bin(BinOp::Add, var(s, t), var(i, t), sp(1, 2))),
                    if_(
                        cmp(CmpOp::Gt, var(s, t), int(1000, t)),
                        vec![st(StmtKind::Break)],
                        vec![],
                    ),
                ],
            ),
            ret(var(s, t)),
        ]);
    for n in [0i64, 1, 4, 5, 6, 10, 44, 45, 46, 1000] {
        let mut s = 0;
        let mut i = 0;
        while i < n {
            i += 1;
            if i == 5 {
                continue;
            }
            s += i;
            if s > 1000 {
                break;
            }
        }
        assert_eq!(run1(&k, &[Scalar::Int(n)]), Ok(Scalar::Int(s)), "n={n}");
    }
}

/// Python's range as a list (bounded, for the reference).
fn py_range(a: i128, b: i128, c: i128) -> Vec<i128> {
    let mut out = Vec::new();
    let mut x = a;
    while (c > 0 && x < b) || (c < 0 && x > b) {
        out.push(x);
        x += c;
    }
    out
}

#[test]
fn for_range_trip_counts_near_the_limits() {
    // n = 0; last = start; for i in range(a, b, c): n += 1; last = i
    // return n  /  return last
    for ty in INT_TYPES {
        let (lo, hi) = ty.int_range().unwrap();
        let (n, last, i) = (3, 4, 5);
        let body = |result: u32, result_ty: Ty| {
            kernel("r", &[("a", ty), ("b", ty), ("c", ty)], result_ty)
                .local("n", Ty::Int)
                .local("last", ty)
                .local("i", ty)
                .body(vec![
                    assign(n, int(0, Ty::Int)),
                    assign(last, var(0, ty)),
                    for_range(
                        i,
                        var(0, ty),
                        var(1, ty),
                        var(2, ty),
                        vec![
                            assign(
                                n,
                                bin(BinOp::Add, var(n, Ty::Int), int(1, Ty::Int), sp(1, 2)),
                            ),
                            assign(last, var(i, ty)),
                        ],
                        sp(30, 40),
                    ),
                    ret(var(result, result_ty)),
                ])
        };
        let count = compile_columns(&body(n, Ty::Int));
        let final_value = compile_columns(&body(last, ty));
        let mut cases = vec![
            (hi - 5, hi, 1),
            (hi - 5, hi, 2),
            (lo, lo + 3, 1),
            (hi, hi, 1),
            (0, 10, 3),
            (0, 10, 0),
            (0, 10, hi),
            (hi - 1, hi, hi),
            (lo, hi, hi),
        ];
        if ty.is_signed() {
            cases.extend([
                (lo + 5, lo, -1),
                (hi, lo, lo),
                (lo, hi, hi),
                (hi, lo, -hi),
                (10, 0, -3),
                (0, 10, -1),
                (5, -5, lo),
            ]);
        }
        for (a, b, c) in cases {
            let args = [int_scalar(a, ty), int_scalar(b, ty), int_scalar(c, ty)];
            let cols: Vec<Column> = args.iter().map(|v| Column::new(ty, &[*v])).collect();
            if c == 0 {
                assert_eq!(
                    run_one(&count, &cols, 0, Ty::Int),
                    Err((FaultKind::RangeStepZero, sp(30, 40)))
                );
                continue;
            }
            let r = py_range(a, b, c);
            assert_eq!(
                run_one(&count, &cols, 0, Ty::Int),
                Ok(Scalar::Int(r.len() as i64)),
                "{ty} range({a}, {b}, {c})"
            );
            let want_last = r.last().copied().unwrap_or(a);
            assert_eq!(
                run_one(&final_value, &cols, 0, ty),
                Ok(int_scalar(want_last, ty)),
                "{ty} last of range({a}, {b}, {c})"
            );
        }
    }
}

#[test]
fn assigning_the_counter_does_not_change_the_iteration() {
    // n = 0; for i in range(0, 10, 1): i = i + 100; n = n + i
    let t = Ty::Int;
    let (n, i) = (1, 2);
    let k = kernel("r", &[("x", t)], t)
        .local("n", t)
        .local("i", t)
        .body(vec![
            assign(n, int(0, t)),
            for_range(
                i,
                int(0, t),
                var(0, t),
                int(1, t),
                vec![
                    assign(i, bin(BinOp::Add, var(i, t), int(100, t), sp(1, 2))),
                    assign(n, bin(BinOp::Add, var(n, t), var(i, t), sp(1, 2))),
                ],
                sp(0, 1),
            ),
            ret(var(n, t)),
        ]);
    assert_eq!(
        run1(&k, &[Scalar::Int(10)]),
        Ok(Scalar::Int((0..10).map(|i| i + 100).sum()))
    );
}

#[test]
fn return_from_nested_loops() {
    // for i in range(0, 100, 1):
    //     j = 0
    //     while True:
    //         j += 1
    //         if i * j == x: return i * 1000 + j
    //         if j > i: break
    // return -1
    let t = Ty::Int;
    let (x, i, j) = (0, 1, 2);
    let k = kernel("find", &[("x", t)], t)
        .local("i", t)
        .local("j", t)
        .body(vec![
            for_range(
                i,
                int(0, t),
                int(100, t),
                int(1, t),
                vec![
                    assign(j, int(0, t)),
                    while_(
                        boolean(true),
                        vec![
                            assign(j, bin(BinOp::Add, var(j, t), int(1, t), sp(1, 2))),
                            if_(
                                cmp(
                                    CmpOp::Eq,
                                    bin(BinOp::Mul, var(i, t), var(j, t), sp(1, 2)),
                                    var(x, t),
                                ),
                                vec![ret(bin(
                                    BinOp::Add,
                                    bin(BinOp::Mul, var(i, t), int(1000, t), sp(1, 2)),
                                    var(j, t),
                                    sp(1, 2),
                                ))],
                                vec![],
                            ),
                            if_(
                                cmp(CmpOp::Gt, var(j, t), var(i, t)),
                                vec![st(StmtKind::Break)],
                                vec![],
                            ),
                        ],
                    ),
                ],
                sp(0, 1),
            ),
            ret(int(-1, t)),
        ]);
    let reference = |x: i64| {
        for i in 0..100i64 {
            let mut j = 0;
            loop {
                j += 1;
                if i * j == x {
                    return i * 1000 + j;
                }
                if j > i {
                    break;
                }
            }
        }
        -1
    };
    for x in [0, 1, 12, 35, 97, 10_000, 9999, -3] {
        assert_eq!(
            run1(&k, &[Scalar::Int(x)]),
            Ok(Scalar::Int(reference(x))),
            "x={x}"
        );
    }
}

#[test]
fn and_or_if_else_evaluate_only_what_python_evaluates() {
    let t = Ty::S4;
    // a and (100 // a): no ZeroDivision when a == 0
    let and_k = kernel("and", &[("a", t)], t).body(vec![ret(e(
        ExprKind::And(
            Box::new(var(0, t)),
            Box::new(bin(BinOp::FloorDiv, int(100, t), var(0, t), sp(5, 9))),
        ),
        t,
        sp(0, 1),
    ))]);
    // a or (100 // a)
    let or_k = kernel("or", &[("a", t)], t).body(vec![ret(e(
        ExprKind::Or(
            Box::new(var(0, t)),
            Box::new(bin(BinOp::FloorDiv, int(100, t), var(0, t), sp(5, 9))),
        ),
        t,
        sp(0, 1),
    ))]);
    // (100 // a) if a != 0 else -7
    let if_k = kernel("ifelse", &[("a", t)], t).body(vec![ret(e(
        ExprKind::IfElse {
            cond: Box::new(cmp(CmpOp::Ne, var(0, t), int(0, t))),
            then: Box::new(bin(BinOp::FloorDiv, int(100, t), var(0, t), sp(5, 9))),
            els: Box::new(int(-7, t)),
        },
        t,
        sp(0, 1),
    ))]);
    assert_eq!(run1(&and_k, &[Scalar::Int(0)]), Ok(Scalar::Int(0)));
    assert_eq!(run1(&and_k, &[Scalar::Int(-3)]), Ok(Scalar::Int(-34)));
    assert_eq!(run1(&or_k, &[Scalar::Int(-3)]), Ok(Scalar::Int(-3)));
    assert_eq!(
        run1(&or_k, &[Scalar::Int(0)]),
        Err((FaultKind::ZeroDivision, sp(5, 9)))
    );
    assert_eq!(run1(&if_k, &[Scalar::Int(0)]), Ok(Scalar::Int(-7)));
    assert_eq!(run1(&if_k, &[Scalar::Int(7)]), Ok(Scalar::Int(14)));
    // Floats: `x and y` yields x itself when x is falsy (-0.0 stays -0.0); NaN is truthy.
    let f = Ty::F8;
    let fk = kernel("fand", &[("x", f), ("y", f)], f).body(vec![ret(e(
        ExprKind::And(Box::new(var(0, f)), Box::new(var(1, f))),
        f,
        sp(0, 1),
    ))]);
    assert!(same(
        run1(&fk, &[Scalar::Float(-0.0), Scalar::Float(3.0)]).unwrap(),
        Scalar::Float(-0.0)
    ));
    assert!(same(
        run1(&fk, &[Scalar::Float(f64::NAN), Scalar::Float(3.0)]).unwrap(),
        Scalar::Float(3.0)
    ));
}

#[test]
fn swap_not_and_chained_comparison() {
    // a, b = b, a; return a - b
    let t = Ty::S2;
    let swap = kernel("swap", &[("a", t), ("b", t)], t).body(vec![
        st(StmtKind::Assign {
            targets: vec![0, 1],
            values: vec![var(1, t), var(0, t)],
        }),
        ret(bin(BinOp::Sub, var(0, t), var(1, t), sp(1, 2))),
    ]);
    assert_eq!(
        run1(&swap, &[Scalar::Int(3), Scalar::Int(10)]),
        Ok(Scalar::Int(7))
    );
    // not (0 < (tmp := x * 2) < 10)
    let f = Ty::F8;
    let chain = kernel("chain", &[("x", f)], Ty::B1)
        .local("tmp", f)
        .body(vec![ret(not(e(
            ExprKind::And(
                Box::new(cmp(
                    CmpOp::Lt,
                    float(0.0, f),
                    e(
                        ExprKind::Bind(
                            1,
                            Box::new(bin(BinOp::Mul, var(0, f), float(2.0, f), sp(1, 2))),
                        ),
                        f,
                        sp(1, 2),
                    ),
                )),
                Box::new(cmp(CmpOp::Lt, var(1, f), float(10.0, f))),
            ),
            Ty::B1,
            sp(0, 1),
        )))]);
    for (x, inside) in [
        (1.0, true),
        (0.0, false),
        (4.9, true),
        (5.0, false),
        (f64::NAN, false),
    ] {
        assert_eq!(
            run1(&chain, &[Scalar::Float(x)]),
            Ok(Scalar::Bool(!inside)),
            "x={x}"
        );
    }
}

#[test]
fn kernel_calls_are_inlined_with_their_own_sites() {
    // callee.py: def g(x: S8) -> S8:
    //     for i in range(0, 3, 1):
    //         if x > 100: return 100 // (x - 1000)
    //         x = x + 1
    //     return x * 2
    let t = Ty::S8;
    let mut g = kernel("g", &[("x", t)], t).local("i", t).body(vec![
        for_range(
            1,
            int(0, t),
            int(3, t),
            int(1, t),
            vec![
                if_(
                    cmp(CmpOp::Gt, var(0, t), int(100, t)),
                    vec![ret(bin(
                        BinOp::FloorDiv,
                        int(100, t),
                        bin(BinOp::Sub, var(0, t), int(1000, t), sp(1, 2)),
                        sp(50, 60),
                    ))],
                    vec![],
                ),
                assign(0, bin(BinOp::Add, var(0, t), int(1, t), sp(1, 2))),
            ],
            sp(0, 1),
        ),
        ret(bin(BinOp::Mul, var(0, t), int(2, t), sp(1, 2))),
    ]);
    g.source = Arc::new(Source::new(g.source.text.clone(), "callee.py", 20));
    let g = Arc::new(g);
    // def f(a: S8) -> S8: return g(a) - g(-a)
    let call_g = |arg| e(ExprKind::CallKernel(g.clone(), vec![arg]), t, sp(5, 6));
    let f = kernel("f", &[("a", t)], t).body(vec![ret(bin(
        BinOp::Sub,
        call_g(var(0, t)),
        call_g(unary(UnOp::Neg, var(0, t), sp(1, 2))),
        sp(1, 2),
    ))]);
    let reference = |x: i64| -> Result<i64, ()> {
        let mut x = x;
        for _ in 0..3 {
            if x > 100 {
                let d = x - 1000;
                return if d == 0 {
                    Err(())
                } else {
                    Ok((100.0 / d as f64).floor() as i64)
                };
            }
            x += 1;
        }
        Ok(x * 2)
    };
    assert_eq!(reference(5), Ok(16));
    let c = compile_columns(&f);
    for a in [0i64, 5, -5, 50, 99] {
        let want = reference(a).unwrap() - reference(-a).unwrap();
        assert_eq!(
            run_one(&c, &[Column::new(t, &[Scalar::Int(a)])], 0, t),
            Ok(Scalar::Int(want)),
            "a={a}"
        );
    }
    // a = 1000: 100 // (1000 - 1000) inside g, reported at g's site.
    let cols = [Column::new(t, &[Scalar::Int(1000)])];
    let ptrs = [cols[0].bytes.as_ptr()];
    let (status, fail, _) = run_map(&c, &ptrs, 1, t);
    assert_eq!(fail, 0);
    let fault = c.decode(status).unwrap();
    assert_eq!(fault.kind, FaultKind::ZeroDivision);
    assert_eq!(fault.site.span, sp(50, 60));
    assert_eq!(fault.site.source.file, "callee.py");
}
