//! The loop ABI end to end: maps over multi-element columns with broadcast inputs and storage
//! widening, B1 outputs, reduce with an accumulator, the failing element index (elements before
//! it written), the interrupt flag (entry and kernel loop back-edges), the scalar entry point,
//! that dropping a compiled kernel frees its code, and the compile time of a ~10-line kernel.

mod common;
use common::*;
use frontend::ops::{BinOp, CmpOp, Convert};
use frontend::{FaultKind, Scalar, Ty};
use lower::{CallError, Input, LoopKind, LoopSpec, call_scalar, compile};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// def f(x: F8, y: F8, s: F8) -> F8: return (x * s + y) // 1.5
fn axpy() -> frontend::Kernel {
    let f = Ty::F8;
    kernel("axpy", &[("x", f), ("y", f), ("s", f)], f).body(vec![ret(bin(
        BinOp::FloorDiv,
        bin(
            BinOp::Add,
            bin(BinOp::Mul, var(0, f), var(2, f), sp(1, 2)),
            var(1, f),
            sp(1, 2),
        ),
        var(2, f),
        sp(20, 25),
    ))])
}

#[test]
fn map_with_columns_and_a_broadcast_input() {
    let k = axpy();
    let spec = LoopSpec {
        kind: LoopKind::Map,
        inputs: vec![
            // x arrives as S4 elements, widened to F8 in the loop; y as F4; s broadcast.
            Input {
                storage: Ty::S4,
                broadcast: false,
            },
            Input {
                storage: Ty::F4,
                broadcast: false,
            },
            Input {
                storage: Ty::F8,
                broadcast: true,
            },
        ],
    };
    let c = compile(&k, &spec).unwrap();
    let n = 1000;
    let xs: Vec<i32> = (0..n).map(|i| i * 7 - 3000).collect();
    let ys: Vec<f32> = (0..n).map(|i| i as f32 * 0.25).collect();
    let s = 1.5f64;
    let ptrs = [
        xs.as_ptr() as *const u8,
        ys.as_ptr() as *const u8,
        &s as *const f64 as *const u8,
    ];
    let (status, _, out) = run_map(&c, &ptrs, n as usize, Ty::F8);
    assert_eq!(status, 0);
    for i in 0..n as usize {
        let v = xs[i] as f64 * s + ys[i] as f64;
        let want = (v / s).floor(); // exact for these values
        assert!(
            same(out[i], Scalar::Float(want)),
            "element {i}: {:?} vs {want}",
            out[i]
        );
    }
    // s = 0 faults at the first element with the `//` site; nothing is written.
    let zero = 0.0f64;
    let ptrs = [
        xs.as_ptr() as *const u8,
        ys.as_ptr() as *const u8,
        &zero as *const f64 as *const u8,
    ];
    let (status, fail, _) = run_map(&c, &ptrs, n as usize, Ty::F8);
    assert_eq!(fail, 0);
    let fault = c.decode(status).unwrap();
    assert_eq!(
        (fault.kind, fault.site.span),
        (FaultKind::ZeroDivision, sp(20, 25))
    );
    assert!(
        c.clif()
            .contains("kernel axpy(x: F8, y: F8, s: F8) -> F8, Map loop")
    );
    assert!(c.code_size() > 0);
}

#[test]
fn fail_index_is_the_first_failing_element_and_earlier_ones_are_written() {
    // def f(a: U2, b: U2) -> U2: return a // b
    let k = binary_kernel(BinOp::FloorDiv, Ty::U2);
    let c = compile_columns(&k);
    let a: Vec<u16> = vec![10, 20, 30, 40, 50, 60];
    let b: Vec<u16> = vec![1, 2, 3, 0, 5, 0];
    let (status, fail, out) = run_map(
        &c,
        &[a.as_ptr() as *const u8, b.as_ptr() as *const u8],
        a.len(),
        Ty::U2,
    );
    assert_eq!(fail, 3);
    assert_eq!(c.decode(status).unwrap().kind, FaultKind::ZeroDivision);
    assert_eq!(
        &out[..3],
        &[Scalar::UInt(10), Scalar::UInt(10), Scalar::UInt(10)]
    );
    assert_eq!(
        out[3],
        Scalar::UInt(0),
        "elements from the failing one on are not written"
    );
}

#[test]
fn fail_index_is_exact_inside_and_after_the_unrolled_groups() {
    // Straight-line map loops run in groups of elements plus a one-at-a-time remainder: a fault
    // at any position reports that position, with every element before it written.
    let k = binary_kernel(BinOp::FloorDiv, Ty::U2);
    let c = compile_columns(&k);
    let n = 11;
    let a: Vec<u16> = (0..n as u16).map(|i| 100 + i).collect();
    for zero_at in 0..n {
        let b: Vec<u16> = (0..n).map(|i| if i == zero_at { 0 } else { 2 }).collect();
        let (status, fail, out) = run_map(
            &c,
            &[a.as_ptr() as *const u8, b.as_ptr() as *const u8],
            n,
            Ty::U2,
        );
        assert_eq!(fail, zero_at as u64);
        assert_eq!(c.decode(status).unwrap().kind, FaultKind::ZeroDivision);
        for (i, v) in out.iter().enumerate().take(zero_at) {
            assert_eq!(*v, Scalar::UInt(u64::from(a[i] / 2)), "element {i}");
        }
        assert_eq!(
            out[zero_at],
            Scalar::UInt(0),
            "the failing element is not written"
        );
    }
    let b = vec![3u16; n];
    let (status, _, out) = run_map(
        &c,
        &[a.as_ptr() as *const u8, b.as_ptr() as *const u8],
        n,
        Ty::U2,
    );
    assert_eq!(status, 0);
    assert_eq!(out[n - 1], Scalar::UInt(u64::from(a[n - 1] / 3)));
}

#[test]
fn bool_output_is_one_byte_zero_or_one() {
    let f = Ty::F4;
    let k =
        kernel("gt", &[("x", f)], Ty::B1).body(vec![ret(cmp(CmpOp::Gt, var(0, f), float(0.5, f)))]);
    let c = compile_columns(&k);
    let xs: Vec<f32> = vec![0.0, 1.0, f32::NAN, 0.75, -2.0];
    let mut out = vec![0xAAu8; 6];
    let flag = AtomicU32::new(0);
    let mut fail = 0u64;
    let ptrs = [xs.as_ptr() as *const u8];
    // SAFETY: 5 F4 elements in, 5 bytes out.
    let status = unsafe { (c.loop_fn())(ptrs.as_ptr(), out.as_mut_ptr(), 5, &flag, &mut fail) };
    assert_eq!(status, 0);
    assert_eq!(out, vec![0, 1, 0, 1, 0, 0xAA]);
}

#[test]
fn reduce_carries_the_accumulator() {
    // def add(acc: int, x: int) -> int: return acc + x   (x stored as U1)
    let t = Ty::Int;
    let k = kernel("add", &[("acc", t), ("x", t)], t).body(vec![ret(bin(
        BinOp::Add,
        var(0, t),
        var(1, t),
        sp(3, 4),
    ))]);
    let spec = LoopSpec {
        kind: LoopKind::Reduce,
        inputs: vec![Input {
            storage: Ty::U1,
            broadcast: false,
        }],
    };
    let c = compile(&k, &spec).unwrap();
    let xs: Vec<u8> = (0..=255).collect();
    let mut acc: i64 = 1000;
    let flag = AtomicU32::new(0);
    let mut fail = 0;
    let ptrs = [xs.as_ptr()];
    // SAFETY: 256 U1 elements; `acc` is the accumulator.
    let status = unsafe {
        (c.loop_fn())(
            ptrs.as_ptr(),
            &mut acc as *mut i64 as *mut u8,
            256,
            &flag,
            &mut fail,
        )
    };
    assert_eq!(status, 0);
    assert_eq!(acc, 1000 + 255 * 256 / 2);
    // Overflow: the accumulator is not written back; the failing element is reported.
    let mut acc: i64 = i64::MAX - 300;
    // SAFETY: as above.
    let status = unsafe {
        (c.loop_fn())(
            ptrs.as_ptr(),
            &mut acc as *mut i64 as *mut u8,
            256,
            &flag,
            &mut fail,
        )
    };
    assert_eq!(c.decode(status).unwrap().kind, FaultKind::IntOverflow);
    assert_eq!(fail, 25, "0+1+..+25 = 325 > 300");
    assert_eq!(acc, i64::MAX - 300);
    // The scalar entry point of a reduce kernel: acc first.
    let s = compile(&k, &LoopSpec::scalar(&k, LoopKind::Reduce)).unwrap();
    assert_eq!(
        call_scalar(&s, &[Scalar::Int(5), Scalar::Int(-7)]).unwrap(),
        Scalar::Int(-2)
    );
    assert!(
        compile(
            &k,
            &LoopSpec {
                kind: LoopKind::Reduce,
                inputs: vec![]
            }
        )
        .is_err()
    );
}

#[test]
fn scalar_entry_point() {
    let k = axpy();
    let c = compile(&k, &LoopSpec::scalar(&k, LoopKind::Map)).unwrap();
    let r = call_scalar(
        &c,
        &[Scalar::Float(2.0), Scalar::Float(1.0), Scalar::Float(1.5)],
    )
    .unwrap();
    assert_eq!(r, Scalar::Float(2.0)); // (3 + 1) // 1.5
    match call_scalar(
        &c,
        &[Scalar::Float(2.0), Scalar::Float(1.0), Scalar::Float(0.0)],
    ) {
        Err(CallError::Fault(f)) => {
            assert_eq!((f.kind, f.site.span), (FaultKind::ZeroDivision, sp(20, 25)))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        call_scalar(&c, &[Scalar::Float(2.0)]),
        Err(CallError::BadCall(_))
    ));
    assert!(matches!(
        call_scalar(
            &c,
            &[Scalar::Int(2), Scalar::Float(1.0), Scalar::Float(1.0)]
        ),
        Err(CallError::BadCall(_))
    ));
    let columns = compile_columns(&k);
    assert!(matches!(
        call_scalar(&columns, &[Scalar::Float(1.0); 3]),
        Err(CallError::BadCall(_))
    ));
}

#[test]
fn interrupt_stops_a_runaway_kernel() {
    // def spin(x: int) -> int:
    //     while True: x = x + 0
    //     return x
    let t = Ty::Int;
    let k = kernel("spin", &[("x", t)], t).body(vec![
        while_(
            boolean(true),
            vec![assign(0, bin(BinOp::Add, var(0, t), int(0, t), sp(1, 2)))],
        ),
        ret(var(0, t)),
    ]);
    let c = compile_columns(&k);
    let xs = [1i64; 4];
    let flag = AtomicU32::new(0);
    let status = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let mut out = [0i64; 4];
            let mut fail = 0u64;
            let ptrs = [xs.as_ptr() as *const u8];
            // SAFETY: 4 Int elements in and out; the flag outlives the call.
            let status = unsafe {
                (c.loop_fn())(
                    ptrs.as_ptr(),
                    out.as_mut_ptr() as *mut u8,
                    4,
                    &flag,
                    &mut fail,
                )
            };
            (status, fail)
        });
        std::thread::sleep(Duration::from_millis(50));
        flag.store(1, Ordering::Relaxed);
        worker.join().unwrap()
    });
    assert_eq!(status, (runtime::abi::STATUS_INTERRUPTED, 0));
    assert!(c.decode(status.0).is_none());
    // A set flag stops the loop at entry, before any element.
    let mut out = [0i64; 4];
    let mut fail = 9;
    let ptrs = [xs.as_ptr() as *const u8];
    let add = compile_columns(&binary_kernel(BinOp::Add, Ty::Int));
    let ptrs2 = [xs.as_ptr() as *const u8, xs.as_ptr() as *const u8];
    // SAFETY: as above.
    let st = unsafe {
        (add.loop_fn())(
            ptrs2.as_ptr(),
            out.as_mut_ptr() as *mut u8,
            4,
            &flag,
            &mut fail,
        )
    };
    assert_eq!(st, runtime::abi::STATUS_INTERRUPTED);
    assert_eq!(out, [0; 4]);
    let _ = ptrs;
}

fn rss_pages() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    statm.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn ten_thousand_compile_and_drop_cycles_keep_memory_flat() {
    let k = axpy();
    let spec = columns(&k);
    for _ in 0..200 {
        drop(compile(&k, &spec).unwrap());
    }
    let before = rss_pages();
    for _ in 0..10_000 {
        let c = compile(&k, &spec).unwrap();
        assert!(c.code_size() > 0);
    }
    let grown_kib = rss_pages().saturating_sub(before) * 4;
    // A leak of the code pages alone would be 4 KiB x 10,000 = 40 MB.
    assert!(
        grown_kib < 8 * 1024,
        "RSS grew by {grown_kib} KiB over 10,000 compiles"
    );
}

#[test]
fn compile_time_of_a_ten_line_kernel() {
    // def k(x: F8, n: int) -> F8:
    //     s = 0.0
    //     for i in range(0, n, 1):
    //         if x > 1.0: s = s + x // 3.0
    //         else: s = s - F8(i)
    //         x = x * 0.5 + 1.0
    //     while s > 100.0: s = s - 50.0
    //     return s + 1.0
    let (f, t) = (Ty::F8, Ty::Int);
    let (x, n, s, i) = (0, 1, 2, 3);
    let k = kernel("ten", &[("x", f), ("n", t)], f)
        .local("s", f)
        .local("i", t)
        .body(vec![
            assign(s, float(0.0, f)),
            for_range(
                i,
                int(0, t),
                var(n, t),
                int(1, t),
                vec![
                    if_(
                        cmp(CmpOp::Gt, var(x, f), float(1.0, f)),
                        vec![assign(
                            s,
                            bin(
                                BinOp::Add,
                                var(s, f),
                                bin(BinOp::FloorDiv, var(x, f), float(3.0, f), sp(1, 2)),
                                sp(1, 2),
                            ),
                        )],
                        vec![assign(
                            s,
                            bin(
                                BinOp::Sub,
                                var(s, f),
                                convert(Convert::IntToFloat, var(i, t), f, sp(1, 2)),
                                sp(1, 2),
                            ),
                        )],
                    ),
                    assign(
                        x,
                        bin(
                            BinOp::Add,
                            bin(BinOp::Mul, var(x, f), float(0.5, f), sp(1, 2)),
                            float(1.0, f),
                            sp(1, 2),
                        ),
                    ),
                ],
                sp(0, 1),
            ),
            while_(
                cmp(CmpOp::Gt, var(s, f), float(100.0, f)),
                vec![assign(
                    s,
                    bin(BinOp::Sub, var(s, f), float(50.0, f), sp(1, 2)),
                )],
            ),
            ret(bin(BinOp::Add, var(s, f), float(1.0, f), sp(1, 2))),
        ]);
    let spec = LoopSpec {
        kind: LoopKind::Map,
        inputs: vec![
            Input {
                storage: f,
                broadcast: false,
            },
            Input {
                storage: Ty::S8,
                broadcast: true,
            },
        ],
    };
    let mut times: Vec<Duration> = (0..201)
        .map(|_| compile(&k, &spec).unwrap().compile_time())
        .collect();
    times.sort();
    let c = compile(&k, &spec).unwrap();
    println!(
        "compile time of a 10-line kernel (map, {} bytes of code): median {:?}, min {:?}, max {:?} ({} build)",
        c.code_size(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let xs = [0.5f64, 3.0, 1e6];
    let n = 10i64;
    let (status, _, out) = run_map(
        &c,
        &[xs.as_ptr() as *const u8, &n as *const i64 as *const u8],
        3,
        f,
    );
    assert_eq!(status, 0);
    let reference = |mut x: f64| {
        let mut s = 0.0f64;
        for i in 0..n {
            if x > 1.0 {
                s += (x / 3.0).floor()
            } else {
                s -= i as f64
            }
            x = x * 0.5 + 1.0;
        }
        while s > 100.0 {
            s -= 50.0
        }
        s + 1.0
    };
    for (k, &x) in xs.iter().enumerate() {
        assert!(
            same(out[k], Scalar::Float(reference(x))),
            "{x}: {:?} vs {}",
            out[k],
            reference(x)
        );
    }
}

#[test]
fn compiled_kernels_are_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<lower::Compiled>();
    let c = compile_columns(&axpy());
    let dump = c.clif();
    assert!(dump.starts_with("; kernel axpy(x: F8, y: F8, s: F8) -> F8, Map loop\n"));
    assert!(dump.contains("; site 0: test.py:2:6 `ass"), "{dump}");
    assert!(dump.contains("function "));
}
