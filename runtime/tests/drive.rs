//! The drivers with hand-written loops of the `LoopFn` shape: map over mixed geometries, slices
//! and broadcasts; the lowest failing index whatever the thread count; interrupts, pre-set and
//! through a `Waiter`; sequential and associative reduce; filter.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use runtime::abi::{STATUS_INTERRUPTED, STATUS_OK, fault_status};
use runtime::drive::{Column, Output, Stop, Waiter, filter, map, reduce};
use runtime::{ChunkArray, DType, Element, pool};

const THREADS: [usize; 3] = [1, 2, 8];

/// `pool::set_num_threads` is process-global and cargo runs tests on parallel threads: every
/// test holds this lock, so each sees the thread count it set.
static POOL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn set_threads(threads: usize) {
    pool::set_num_threads(threads).unwrap_or_else(|e| panic!("{e}"));
}

// SAFETY (every loop below): the drivers pass, per input, a pointer to `len` contiguous
// elements (or to one broadcast value), an output of `len` elements (or the accumulator), a live
// interrupt flag and a writable fail index, as `abi::LoopFn` specifies.

/// out[i] = 2 * in0[i] (F8).
unsafe extern "C" fn double(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
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

/// acc += in0[i] (F8), a NaN element is a fault (code 5, site 2); the accumulator is written
/// back up to the failing element.
unsafe extern "C" fn add_no_nan(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    fail: *mut u64,
) -> u32 {
    unsafe {
        let x = (*inputs).cast::<f64>();
        let acc = out.cast::<f64>();
        for i in 0..len as usize {
            if (*x.add(i)).is_nan() {
                *fail = i as u64;
                return fault_status(5, 2);
            }
            *acc += *x.add(i);
        }
    }
    STATUS_OK
}

/// acc = acc * 3 + in0[i], wrapping (U8): order matters, so only a left fold is right.
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

/// mask[i] = in0[i] is a multiple of 3 or negative (F8 -> B1).
unsafe extern "C" fn keep_thirds(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe {
        let x = (*inputs).cast::<f64>();
        for i in 0..len as usize {
            let v = *x.add(i);
            *out.add(i) = u8::from(v < 0.0 || v % 3.0 == 0.0);
        }
    }
    STATUS_OK
}

/// mask[i] = false.
unsafe extern "C" fn keep_none(
    _inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe { std::ptr::write_bytes(out, 0, len as usize) };
    STATUS_OK
}

/// mask[i] = true.
unsafe extern "C" fn keep_all(
    _inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    _fail: *mut u64,
) -> u32 {
    unsafe { std::ptr::write_bytes(out, 1, len as usize) };
    STATUS_OK
}

/// mask[i] = true, but a negative element is a fault (code 9, site 1).
unsafe extern "C" fn keep_fail_on_negative(
    inputs: *const *const u8,
    out: *mut u8,
    len: u64,
    _interrupt: *const AtomicU32,
    fail: *mut u64,
) -> u32 {
    unsafe {
        let x = (*inputs).cast::<f64>();
        for i in 0..len as usize {
            if *x.add(i) < 0.0 {
                *fail = i as u64;
                return fault_status(9, 1);
            }
            *out.add(i) = 1;
        }
    }
    STATUS_OK
}

fn array<T: Element>(values: &[T], first_chunk: usize) -> ChunkArray {
    let mut a = ChunkArray::new(T::DTYPE, first_chunk).unwrap_or_else(|e| panic!("{e}"));
    a.extend_from_slice(values)
        .unwrap_or_else(|e| panic!("{e}"));
    a
}

fn zeroed(len: usize, first_chunk: usize) -> ChunkArray {
    let mut a = ChunkArray::new(DType::F8, first_chunk).unwrap_or_else(|e| panic!("{e}"));
    a.resize_zeroed(len).unwrap_or_else(|e| panic!("{e}"));
    a
}

fn values(a: &ChunkArray) -> Vec<f64> {
    a.chunk_slices::<f64>()
        .unwrap_or_else(|e| panic!("{e}"))
        .flat_map(|s| s.iter().copied())
        .collect()
}

fn counting(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

#[test]
fn map_doubles_every_element_for_any_thread_count() {
    let _serial = serial();
    let n = 300_001;
    let input = counting(n);
    let a = array(&input, 1024);
    let expected: Vec<f64> = input.iter().map(|x| 2.0 * x).collect();
    for threads in THREADS {
        set_threads(threads);
        let out = zeroed(n, 1024);
        let flag = AtomicU32::new(0);
        let result = map(
            double,
            &[Column::Array(&a)],
            Output::Array(&out),
            n,
            &flag,
            None,
        );
        assert_eq!(result, Ok(()), "threads={threads}");
        assert_eq!(values(&out), expected, "threads={threads}");
    }
}

#[test]
fn map_over_mixed_geometries_slices_and_broadcasts() {
    let _serial = serial();
    let n = 200_000;
    let x = counting(n);
    let y: Vec<f64> = (0..n).map(|i| (i % 97) as f64).collect();
    let a = array(&x, 4);
    let scale = 0.5f64;
    let scale_ptr = (&scale as *const f64).cast::<u8>();
    let expected: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a + b * 0.5).collect();
    for (second, out_chunk) in [
        (array(&y, 16), 4),
        (array(&y, 65536), 256),
        (array(&y, 4), 1 << 20),
    ] {
        for threads in THREADS {
            set_threads(threads);
            let label = format!(
                "first_chunk {}, out {out_chunk}, threads={threads}",
                second.first_chunk()
            );
            let inputs = [
                Column::Array(&a),
                Column::Array(&second),
                Column::Broadcast(scale_ptr),
            ];
            // Chunked output of yet another geometry: ranges are cut at its boundaries too.
            let out = zeroed(n, out_chunk);
            let flag = AtomicU32::new(0);
            assert_eq!(
                map(fma, &inputs, Output::Array(&out), n, &flag, None),
                Ok(()),
                "{label}"
            );
            assert_eq!(values(&out), expected, "{label}");
            // The same into a contiguous buffer.
            let mut buf = vec![0.0f64; n];
            let out = Output::Slice {
                ptr: buf.as_mut_ptr().cast(),
                size: 8,
            };
            assert_eq!(map(fma, &inputs, out, n, &flag, None), Ok(()), "{label}");
            assert_eq!(buf, expected, "{label}, slice output");
        }
    }
    // A contiguous input between chunked ones.
    for threads in THREADS {
        set_threads(threads);
        let inputs = [
            Column::Array(&a),
            Column::Slice {
                ptr: y.as_ptr().cast(),
                size: 8,
            },
            Column::Broadcast(scale_ptr),
        ];
        let out = zeroed(n, 256);
        let flag = AtomicU32::new(0);
        assert_eq!(
            map(fma, &inputs, Output::Array(&out), n, &flag, None),
            Ok(())
        );
        assert_eq!(values(&out), expected, "slice input, threads={threads}");
    }
}

#[test]
fn map_over_a_prefix_leaves_the_rest_and_length_zero_does_nothing() {
    let _serial = serial();
    let n = 150_000;
    let input = counting(n);
    let a = array(&input, 64);
    for threads in THREADS {
        set_threads(threads);
        let mut buf = vec![-1.0f64; n];
        let out = Output::Slice {
            ptr: buf.as_mut_ptr().cast(),
            size: 8,
        };
        let flag = AtomicU32::new(0);
        assert_eq!(
            map(double, &[Column::Array(&a)], out, n - 7, &flag, None),
            Ok(())
        );
        assert_eq!(
            buf[..n - 7],
            input[..n - 7].iter().map(|x| 2.0 * x).collect::<Vec<_>>()[..]
        );
        assert_eq!(buf[n - 7..], [-1.0; 7]);

        let empty = array::<f64>(&[], 4);
        let out = zeroed(0, 4);
        assert_eq!(
            map(
                double,
                &[Column::Array(&empty)],
                Output::Array(&out),
                0,
                &flag,
                None
            ),
            Ok(())
        );
        assert_eq!(out.len(), 0);
        // Even a spinning loop: nothing is called for no elements.
        assert_eq!(
            map(
                spin,
                &[Column::Array(&empty)],
                Output::Array(&out),
                0,
                &flag,
                None
            ),
            Ok(())
        );
    }
}

#[test]
fn the_lowest_failing_index_is_reported_whatever_the_thread_count() {
    let _serial = serial();
    let n = 400_000;
    let mut input = counting(n);
    // 131_072 starts a chunk and a range; 70_001 is mid-range, 70_002 right after it.
    for i in [399_999, 250_000, 70_002, 70_001, 131_072] {
        input[i] = -1.0;
    }
    let expected = Err(Stop::Fault {
        index: 70_001,
        status: fault_status(7, 3),
    });
    let a = array(&input, 512);
    for threads in THREADS {
        set_threads(threads);
        for run in 0..5 {
            let out = zeroed(n, 2048);
            let flag = AtomicU32::new(0);
            let result = map(
                fail_on_negative,
                &[Column::Array(&a)],
                Output::Array(&out),
                n,
                &flag,
                None,
            );
            assert_eq!(result, expected, "threads={threads}, run {run}");
            // Every element before the fault was written.
            assert_eq!(values(&out)[..70_001], input[..70_001], "threads={threads}");

            let mut buf = vec![0.0f64; n];
            let out = Output::Slice {
                ptr: buf.as_mut_ptr().cast(),
                size: 8,
            };
            let column = Column::Slice {
                ptr: input.as_ptr().cast(),
                size: 8,
            };
            assert_eq!(
                map(fail_on_negative, &[column], out, n, &flag, None),
                expected
            );
        }
    }
    // A fault at the first element of a range, and at the very first element.
    for first in [131_072, 0] {
        let mut input = counting(n);
        input[first] = -2.0;
        input[n - 1] = -2.0;
        let a = array(&input, 512);
        for threads in THREADS {
            set_threads(threads);
            let out = zeroed(n, 512);
            let flag = AtomicU32::new(0);
            let result = map(
                fail_on_negative,
                &[Column::Array(&a)],
                Output::Array(&out),
                n,
                &flag,
                None,
            );
            assert_eq!(
                result,
                Err(Stop::Fault {
                    index: first as u64,
                    status: fault_status(7, 3)
                })
            );
        }
    }
}

#[test]
fn a_set_interrupt_flag_stops_every_driver() {
    let _serial = serial();
    let n = 100_000;
    let a = array(&counting(n), 1024);
    let flag = AtomicU32::new(1);
    for threads in THREADS {
        set_threads(threads);
        let out = zeroed(n, 1024);
        let result = map(
            double,
            &[Column::Array(&a)],
            Output::Array(&out),
            n,
            &flag,
            None,
        );
        assert_eq!(result, Err(Stop::Interrupted), "map, threads={threads}");
        // A spinning loop is not even entered.
        let result = map(
            spin,
            &[Column::Array(&a)],
            Output::Array(&out),
            n,
            &flag,
            None,
        );
        assert_eq!(result, Err(Stop::Interrupted), "spin, threads={threads}");
        for associative in [false, true] {
            let mut acc = 0.0f64.to_ne_bytes();
            let result = reduce(
                add_acc,
                Column::Array(&a),
                &mut acc,
                DType::F8,
                n,
                associative,
                &flag,
                None,
            );
            assert_eq!(
                result,
                Err(Stop::Interrupted),
                "reduce, associative={associative}"
            );
        }
        assert_eq!(
            filter(keep_all, &a, &flag, None).map(|_| ()),
            Err(Stop::Interrupted)
        );
    }
}

#[test]
fn a_waiter_interrupts_a_runaway_loop() {
    let _serial = serial();
    for (len, threads) in [(1usize, 1usize), (10, 8), (500_000, 2), (500_000, 8)] {
        set_threads(threads);
        let a = array(&vec![0.0f64; len], 4096);
        let out = zeroed(len, 4096);
        let flag = AtomicU32::new(0);
        let polls = AtomicUsize::new(0);
        let mut poll = || polls.fetch_add(1, Ordering::Relaxed) >= 2;
        let waiter = Waiter {
            slice: Duration::from_millis(2),
            poll: &mut poll,
            done: None,
        };
        let result = map(
            spin,
            &[Column::Array(&a)],
            Output::Array(&out),
            len,
            &flag,
            Some(waiter),
        );
        assert_eq!(
            result,
            Err(Stop::Interrupted),
            "len={len}, threads={threads}"
        );
        assert!(
            polls.load(Ordering::Relaxed) >= 3,
            "len={len}, threads={threads}"
        );
        assert_eq!(flag.load(Ordering::Relaxed), 1);
    }
    // Reduce and filter wait the same way.
    set_threads(2);
    let a = array(&vec![0.0f64; 200_000], 4096);
    for associative in [false, true] {
        let flag = AtomicU32::new(0);
        let polls = AtomicUsize::new(0);
        let mut poll = || polls.fetch_add(1, Ordering::Relaxed) >= 2;
        let waiter = Waiter {
            slice: Duration::from_millis(2),
            poll: &mut poll,
            done: None,
        };
        let mut acc = [0u8; 8];
        let result = reduce(
            spin,
            Column::Array(&a),
            &mut acc,
            DType::F8,
            a.len(),
            associative,
            &flag,
            Some(waiter),
        );
        assert_eq!(result, Err(Stop::Interrupted), "associative={associative}");
    }
    let flag = AtomicU32::new(0);
    let polls = AtomicUsize::new(0);
    let mut poll = || polls.fetch_add(1, Ordering::Relaxed) >= 2;
    let waiter = Waiter {
        slice: Duration::from_millis(2),
        poll: &mut poll,
        done: None,
    };
    assert_eq!(
        filter(spin, &a, &flag, Some(waiter)).map(|_| ()),
        Err(Stop::Interrupted)
    );
}

#[test]
fn a_waiter_that_never_interrupts_gives_the_normal_result_and_counts_progress() {
    let _serial = serial();
    let n = 300_000;
    let input = counting(n);
    let a = array(&input, 4096);
    for threads in THREADS {
        set_threads(threads);
        let out = zeroed(n, 4096);
        let flag = AtomicU32::new(0);
        let done = AtomicU64::new(0);
        let mut poll = || false;
        let waiter = Waiter {
            slice: Duration::from_millis(1),
            poll: &mut poll,
            done: Some(&done),
        };
        let result = map(
            double,
            &[Column::Array(&a)],
            Output::Array(&out),
            n,
            &flag,
            Some(waiter),
        );
        assert_eq!(result, Ok(()), "threads={threads}");
        assert_eq!(
            values(&out),
            input.iter().map(|x| 2.0 * x).collect::<Vec<_>>()
        );
        assert_eq!(done.load(Ordering::Relaxed), n as u64);
        assert_eq!(flag.load(Ordering::Relaxed), 0);
    }
}

#[test]
fn sequential_reduce_is_a_left_fold() {
    let _serial = serial();
    let n = 150_000u64;
    let xs: Vec<u64> = (0..n).map(|i| i * 7 + 1).collect();
    let a = array(&xs, 64);
    let expected = xs
        .iter()
        .fold(5u64, |acc, &x| acc.wrapping_mul(3).wrapping_add(x));
    for threads in THREADS {
        set_threads(threads);
        let flag = AtomicU32::new(0);
        let mut acc = 5u64.to_ne_bytes();
        let result = reduce(
            horner,
            Column::Array(&a),
            &mut acc,
            DType::U8,
            xs.len(),
            false,
            &flag,
            None,
        );
        assert_eq!(result, Ok(()));
        assert_eq!(u64::from_ne_bytes(acc), expected, "threads={threads}");
        // Over a contiguous column, and through a waiter.
        let mut acc = 5u64.to_ne_bytes();
        let mut poll = || false;
        let waiter = Waiter {
            slice: Duration::from_millis(1),
            poll: &mut poll,
            done: None,
        };
        let column = Column::Slice {
            ptr: xs.as_ptr().cast(),
            size: 8,
        };
        let result = reduce(
            horner,
            column,
            &mut acc,
            DType::U8,
            xs.len(),
            false,
            &flag,
            Some(waiter),
        );
        assert_eq!(result, Ok(()));
        assert_eq!(
            u64::from_ne_bytes(acc),
            expected,
            "slice, threads={threads}"
        );
    }
}

#[test]
fn associative_reduce_equals_the_sequential_fold() {
    let _serial = serial();
    let n = 333_333;
    // Quarter multiples below 2**53: every partial sum is exact, so any grouping gives the same.
    let xs: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * 0.25).collect();
    let expected = 10.0 + xs.iter().sum::<f64>();
    for first_chunk in [4, 1024, 1 << 16] {
        let a = array(&xs, first_chunk);
        for threads in THREADS {
            set_threads(threads);
            for associative in [false, true] {
                let flag = AtomicU32::new(0);
                let mut acc = 10.0f64.to_ne_bytes();
                let result = reduce(
                    add_acc,
                    Column::Array(&a),
                    &mut acc,
                    DType::F8,
                    n,
                    associative,
                    &flag,
                    None,
                );
                assert_eq!(result, Ok(()));
                let label = format!(
                    "first_chunk {first_chunk}, threads={threads}, associative={associative}"
                );
                assert_eq!(f64::from_ne_bytes(acc), expected, "{label}");
            }
        }
    }
    set_threads(8);
    let flag = AtomicU32::new(0);
    let mut acc = 10.0f64.to_ne_bytes();
    let column = Column::Slice {
        ptr: xs.as_ptr().cast(),
        size: 8,
    };
    assert_eq!(
        reduce(add_acc, column, &mut acc, DType::F8, n, true, &flag, None),
        Ok(())
    );
    assert_eq!(f64::from_ne_bytes(acc), expected, "slice column");
}

#[test]
fn reduce_faults_report_the_lowest_index_whatever_the_thread_count() {
    let _serial = serial();
    let n = 300_000;
    let status = fault_status(5, 2);
    // Mid-range faults, a fault at a range's first element (131_072: a chunk and range start),
    // and that one behind a later mid-range fault.
    let cases: [(&[usize], u64); 3] = [
        (&[200_001, 100_003, 250_000], 100_003),
        (&[131_072], 131_072),
        (&[131_072, 200_001], 131_072),
    ];
    for (nans, lowest) in cases {
        let mut xs = counting(n);
        for &i in nans {
            xs[i] = f64::NAN;
        }
        let a = array(&xs, 1024);
        for threads in THREADS {
            set_threads(threads);
            for associative in [false, true] {
                for run in 0..3 {
                    let flag = AtomicU32::new(0);
                    let mut acc = 0.0f64.to_ne_bytes();
                    let result = reduce(
                        add_no_nan,
                        Column::Array(&a),
                        &mut acc,
                        DType::F8,
                        n,
                        associative,
                        &flag,
                        None,
                    );
                    let label = format!(
                        "nans {nans:?}, threads={threads}, associative={associative}, run {run}"
                    );
                    assert_eq!(
                        result,
                        Err(Stop::Fault {
                            index: lowest,
                            status
                        }),
                        "{label}"
                    );
                }
            }
        }
    }
}

#[test]
fn reduce_of_nothing_leaves_the_accumulator() {
    let _serial = serial();
    let a = array::<f64>(&[], 4);
    for threads in THREADS {
        set_threads(threads);
        for associative in [false, true] {
            let flag = AtomicU32::new(0);
            let mut acc = 1.5f64.to_ne_bytes();
            assert_eq!(
                reduce(
                    add_acc,
                    Column::Array(&a),
                    &mut acc,
                    DType::F8,
                    0,
                    associative,
                    &flag,
                    None
                ),
                Ok(())
            );
            assert_eq!(f64::from_ne_bytes(acc), 1.5);
            // A spinning loop is never entered.
            assert_eq!(
                reduce(
                    spin,
                    Column::Array(&a),
                    &mut acc,
                    DType::F8,
                    0,
                    associative,
                    &flag,
                    None
                ),
                Ok(())
            );
        }
    }
}

#[test]
fn filter_keeps_the_selected_elements_in_order() {
    let _serial = serial();
    let n = 250_001;
    let xs = counting(n);
    for first_chunk in [4, 128, 1 << 18] {
        let a = array(&xs, first_chunk);
        let thirds: Vec<f64> = xs.iter().copied().filter(|x| x % 3.0 == 0.0).collect();
        for threads in THREADS {
            set_threads(threads);
            let flag = AtomicU32::new(0);
            let label = format!("first_chunk {first_chunk}, threads={threads}");
            let out = filter(keep_thirds, &a, &flag, None).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(
                out.first_chunk(),
                first_chunk,
                "{label}: the input's geometry"
            );
            assert_eq!(out.dtype(), DType::F8);
            assert_eq!(values(&out), thirds, "{label}");
            let none = filter(keep_none, &a, &flag, None).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(none.len(), 0, "{label}");
            let all = filter(keep_all, &a, &flag, None).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(values(&all), xs, "{label}");
        }
    }
    // Other element sizes keep their bytes.
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let b = array(&bytes, 16);
    let flag = AtomicU32::new(0);
    let out = filter(keep_all, &b, &flag, None).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(out.to_bytes(), bytes);
    // Nothing in, nothing out.
    let empty = array::<f64>(&[], 4);
    let out = filter(spin, &empty, &flag, None).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((out.len(), out.first_chunk()), (0, 4));
}

#[test]
fn filter_reports_the_lowest_failing_index() {
    let _serial = serial();
    let n = 300_000;
    let mut xs = counting(n);
    for i in [290_000, 98_305, 98_306, 200_000] {
        xs[i] = -1.0;
    }
    let a = array(&xs, 256);
    // A negative element passes `keep_thirds` and makes the other predicate fault.
    let flag = AtomicU32::new(0);
    let kept = filter(keep_thirds, &a, &flag, None).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        kept.len(),
        xs.iter().filter(|&&x| x < 0.0 || x % 3.0 == 0.0).count()
    );
    for threads in THREADS {
        set_threads(threads);
        for _ in 0..3 {
            let result = filter(keep_fail_on_negative, &a, &flag, None).map(|_| ());
            assert_eq!(
                result,
                Err(Stop::Fault {
                    index: 98_305,
                    status: fault_status(9, 1)
                }),
                "threads={threads}"
            );
        }
    }
}
