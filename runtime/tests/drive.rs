//! The drivers with hand-written loops of the `LoopFn` shape: map over mixed geometries and
//! slices, faults (lowest index, any thread count), interrupts, polling, reduce, compaction.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use runtime::abi::{STATUS_INTERRUPTED, STATUS_OK, fault_status};
use runtime::drive::{map, map_into};
use runtime::drive_filter::compact;
use runtime::drive_reduce::reduce;
use runtime::{ChunkArray, Column, Control, DType, DriveError};

const THREADS: [usize; 3] = [1, 2, 8];

/// out[i] = 2 * in0[i] (F8).
unsafe extern "C" fn double(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    // SAFETY (all loops here): the driver passes valid pointers for `len` elements.
    unsafe {
        if (*interrupt).load(Ordering::Relaxed) != 0 {
            return STATUS_INTERRUPTED;
        }
        let x = (*inputs).cast::<f64>();
        let out = out.cast::<f64>();
        for i in 0..len as usize {
            *out.add(i) = 2.0 * *x.add(i);
        }
    }
    STATUS_OK
}

/// out[i] = in0[i] + in1[i] * in2 (F8, in2 broadcast).
unsafe extern "C" fn fma(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe {
        let a = (*inputs).cast::<f64>();
        let b = (*inputs.add(1)).cast::<f64>();
        let c = *(*inputs.add(2)).cast::<f64>();
        let out = out.cast::<f64>();
        for i in 0..len as usize {
            *out.add(i) = *a.add(i) + *b.add(i) * c;
        }
    }
    STATUS_OK
}

/// out[i] = in0[i], but a negative element is a fault (code 7, site 3).
unsafe extern "C" fn fail_on_negative(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    fail: *mut u64,
) -> u32 {
    unsafe {
        let x = (*inputs).cast::<f64>();
        let out = out.cast::<f64>();
        for i in 0..len as usize {
            if *x.add(i) < 0.0 {
                *fail = i as u64;
                return fault_status(7, 3);
            }
            *out.add(i) = *x.add(i);
        }
    }
    STATUS_OK
}

/// Spins until interrupted (a kernel with a runaway loop).
unsafe extern "C" fn spin(
    _inputs: *const *const u8,
    _out: *mut u8,
    _len: u64,
    interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe {
        while (*interrupt).load(Ordering::Relaxed) == 0 {
            std::hint::spin_loop();
        }
    }
    STATUS_INTERRUPTED
}

/// acc += in0[i] (F8).
unsafe extern "C" fn add_acc(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe {
        let x = (*inputs).cast::<f64>();
        let acc = out.cast::<f64>();
        let mut total = *acc;
        for i in 0..len as usize {
            total += *x.add(i);
        }
        *acc = total;
    }
    STATUS_OK
}

/// acc = acc * 3 + in0[i], wrapping (U8): order matters, so only a sequential fold is right.
unsafe extern "C" fn horner(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe {
        let x = (*inputs).cast::<u64>();
        let acc = out.cast::<u64>();
        for i in 0..len as usize {
            *acc = (*acc).wrapping_mul(3).wrapping_add(*x.add(i));
        }
    }
    STATUS_OK
}

fn f8(values: &[f64], first_chunk: usize) -> ChunkArray {
    let mut a = ChunkArray::new(DType::F8, first_chunk).unwrap_or_else(|e| panic!("{e}"));
    a.extend_from_slice(values)
        .unwrap_or_else(|e| panic!("{e}"));
    a
}

fn values(a: &ChunkArray) -> Vec<f64> {
    a.chunk_slices::<f64>()
        .unwrap_or_else(|e| panic!("{e}"))
        .flat_map(|s| s.iter().copied())
        .collect()
}

fn bytes_of(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

#[test]
fn map_doubles_every_element_for_any_thread_count() {
    let n = 300_001;
    let input: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let a = f8(&input, 1024);
    let expected: Vec<f64> = input.iter().map(|x| 2.0 * x).collect();
    for threads in THREADS {
        let flag = AtomicU32::new(0);
        let out = map(
            double,
            &[Column::Chunked(&a)],
            DType::F8,
            &mut Control::new(threads, &flag),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            out.first_chunk(),
            1024,
            "output takes the first input's geometry"
        );
        assert_eq!(values(&out), expected, "threads={threads}");
    }
}

#[test]
fn map_over_mixed_geometries_slices_and_broadcasts() {
    let n = 200_000;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let y: Vec<f64> = (0..n).map(|i| (i % 97) as f64).collect();
    let a = f8(&x, 4);
    let y_bytes = bytes_of(&y);
    let scale = 0.5f64.to_ne_bytes();
    let expected: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a + b * 0.5).collect();
    for (second, label) in [
        (f8(&y, 16), "chunked, other geometry"),
        (f8(&y, 65536), "chunked, large first chunk"),
    ] {
        for threads in THREADS {
            let flag = AtomicU32::new(0);
            let inputs = [
                Column::Chunked(&a),
                Column::Chunked(&second),
                Column::Broadcast(&scale),
            ];
            let out = map(fma, &inputs, DType::F8, &mut Control::new(threads, &flag))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(values(&out), expected, "{label}, threads={threads}");
        }
    }
    for threads in THREADS {
        let flag = AtomicU32::new(0);
        let inputs = [
            Column::Chunked(&a),
            Column::Contiguous {
                bytes: &y_bytes,
                dtype: DType::F8,
            },
            Column::Broadcast(&scale),
        ];
        // An output of yet another geometry is cut at its boundaries too.
        let mut out = ChunkArray::new(DType::F8, 256).unwrap_or_else(|e| panic!("{e}"));
        out.resize_zeroed(n).unwrap_or_else(|e| panic!("{e}"));
        map_into(fma, &inputs, &mut out, &mut Control::new(threads, &flag))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(values(&out), expected, "slice input, threads={threads}");
    }
}

#[test]
fn length_mismatch_and_no_column_are_errors() {
    let a = f8(&[1.0, 2.0, 3.0], 4);
    let b = f8(&[1.0, 2.0], 4);
    let flag = AtomicU32::new(0);
    let mut control = Control::new(1, &flag);
    let scale = 1.0f64.to_ne_bytes();
    assert_eq!(
        map(
            fma,
            &[
                Column::Chunked(&a),
                Column::Chunked(&b),
                Column::Broadcast(&scale)
            ],
            DType::F8,
            &mut control
        )
        .map(|_| ()),
        Err(DriveError::LengthMismatch {
            input: 1,
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        map(
            double,
            &[Column::Broadcast(&scale)],
            DType::F8,
            &mut control
        )
        .map(|_| ()),
        Err(DriveError::NoColumn)
    );
}

#[test]
fn the_lowest_failing_index_is_reported_whatever_the_thread_count() {
    let n = 400_000;
    let mut input: Vec<f64> = (0..n).map(|i| i as f64).collect();
    for i in [399_999, 250_000, 70_001, 70_002, 131_072] {
        input[i] = -1.0;
    }
    let a = f8(&input, 512);
    for threads in THREADS {
        for _ in 0..5 {
            let flag = AtomicU32::new(0);
            let result = map(
                fail_on_negative,
                &[Column::Chunked(&a)],
                DType::F8,
                &mut Control::new(threads, &flag),
            );
            assert_eq!(
                result.map(|_| ()),
                Err(DriveError::Fault {
                    index: 70_001,
                    status: fault_status(7, 3)
                }),
                "threads={threads}"
            );
        }
    }
}

#[test]
fn a_set_interrupt_flag_stops_the_work() {
    let a = f8(&vec![1.0; 100_000], 1024);
    let flag = AtomicU32::new(1);
    for threads in THREADS {
        let result = map(
            double,
            &[Column::Chunked(&a)],
            DType::F8,
            &mut Control::new(threads, &flag),
        );
        assert_eq!(result.map(|_| ()), Err(DriveError::Interrupted));
    }
}

#[test]
fn polling_interrupts_a_runaway_loop() {
    for (len, threads) in [(1usize, 1usize), (10, 8), (500_000, 2)] {
        let a = f8(&vec![0.0; len], 4096);
        let flag = AtomicU32::new(0);
        let polls = AtomicUsize::new(0);
        let mut poll = || polls.fetch_add(1, Ordering::Relaxed) >= 2;
        let mut control = Control {
            threads,
            interrupt: &flag,
            poll: Some((Duration::from_millis(5), &mut poll)),
        };
        let result = map(spin, &[Column::Chunked(&a)], DType::F8, &mut control);
        assert_eq!(
            result.map(|_| ()),
            Err(DriveError::Interrupted),
            "len={len}"
        );
        assert!(polls.load(Ordering::Relaxed) >= 3);
        assert_eq!(flag.load(Ordering::Relaxed), 1);
    }
}

#[test]
fn polling_that_never_interrupts_gives_the_normal_result() {
    let input: Vec<f64> = (0..100_000).map(|i| i as f64).collect();
    let a = f8(&input, 4096);
    let flag = AtomicU32::new(0);
    let mut poll = || false;
    let mut control = Control {
        threads: 2,
        interrupt: &flag,
        poll: Some((Duration::from_millis(1), &mut poll)),
    };
    let out = map(double, &[Column::Chunked(&a)], DType::F8, &mut control)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        values(&out),
        input.iter().map(|x| 2.0 * x).collect::<Vec<_>>()
    );
}

#[test]
fn sequential_reduce_is_a_left_fold() {
    let n = 150_000u64;
    let mut a = ChunkArray::new(DType::U8, 64).unwrap_or_else(|e| panic!("{e}"));
    let xs: Vec<u64> = (0..n).map(|i| i * 7 + 1).collect();
    a.extend_from_slice(&xs).unwrap_or_else(|e| panic!("{e}"));
    let expected = xs
        .iter()
        .fold(5u64, |acc, &x| acc.wrapping_mul(3).wrapping_add(x));
    for threads in THREADS {
        let flag = AtomicU32::new(0);
        let mut acc = 5u64.to_ne_bytes();
        reduce(
            horner,
            Column::Chunked(&a),
            &mut acc,
            None,
            &mut Control::new(threads, &flag),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u64::from_ne_bytes(acc), expected, "threads={threads}");
    }
}

#[test]
fn associative_reduce_runs_in_parallel_with_identical_results() {
    let n = 333_333;
    let xs: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * 0.25).collect();
    let a = f8(&xs, 1024);
    let mut seen = Vec::new();
    for threads in THREADS {
        let flag = AtomicU32::new(0);
        let mut acc = 10.0f64.to_ne_bytes();
        reduce(
            add_acc,
            Column::Chunked(&a),
            &mut acc,
            Some(add_acc),
            &mut Control::new(threads, &flag),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        seen.push(f64::from_ne_bytes(acc));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
    // Quarter multiples below 2**53: every partial sum is exact.
    assert_eq!(seen[0], 10.0 + xs.iter().sum::<f64>());
    let slice_bytes = bytes_of(&xs);
    let flag = AtomicU32::new(0);
    let mut acc = 0.0f64.to_ne_bytes();
    reduce(
        add_acc,
        Column::Contiguous {
            bytes: &slice_bytes,
            dtype: DType::F8,
        },
        &mut acc,
        Some(add_acc),
        &mut Control::new(2, &flag),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(f64::from_ne_bytes(acc), xs.iter().sum::<f64>());
}

#[test]
fn reduce_of_an_empty_array_leaves_the_accumulator() {
    let a = f8(&[], 4);
    let flag = AtomicU32::new(0);
    for combine in [None, Some(add_acc as runtime::abi::LoopFn)] {
        let mut acc = 1.5f64.to_ne_bytes();
        reduce(
            add_acc,
            Column::Chunked(&a),
            &mut acc,
            combine,
            &mut Control::new(2, &flag),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f64::from_ne_bytes(acc), 1.5);
    }
}

#[test]
fn compaction_keeps_masked_elements_in_order() {
    let n = 250_000;
    let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let a = f8(&xs, 128);
    let mut mask = ChunkArray::new(DType::B1, 4096).unwrap_or_else(|e| panic!("{e}"));
    let flags: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0 || i == n - 1)).collect();
    mask.extend_from_bytes(&flags)
        .unwrap_or_else(|e| panic!("{e}"));
    let expected: Vec<f64> = xs
        .iter()
        .zip(&flags)
        .filter(|(_, f)| **f != 0)
        .map(|(x, _)| *x)
        .collect();
    for threads in THREADS {
        let flag = AtomicU32::new(0);
        let out =
            compact(&a, &mask, &mut Control::new(threads, &flag)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.first_chunk(), 128);
        assert_eq!(values(&out), expected, "threads={threads}");
    }
    let flag = AtomicU32::new(0);
    let short = ChunkArray::new(DType::B1, 4).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        compact(&a, &short, &mut Control::new(1, &flag)),
        Err(DriveError::LengthMismatch { .. })
    ));
    assert!(matches!(
        compact(&a, &a, &mut Control::new(1, &flag)),
        Err(DriveError::Array(_))
    ));
}
