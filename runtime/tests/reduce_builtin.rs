//! sum/min/max: exact integer sums, accurate float sums, numpy's NaN rule, thread-independence.

use runtime::reduce_builtin::{ReduceError, Value, max, min, sum};
use runtime::{ChunkArray, DType, Element, pool};

fn from_slice<T: Element>(values: &[T], first_chunk: usize) -> ChunkArray {
    let mut a = ChunkArray::new(T::DTYPE, first_chunk).unwrap_or_else(|e| panic!("{e}"));
    a.extend_from_slice(values)
        .unwrap_or_else(|e| panic!("{e}"));
    a
}

#[test]
fn integer_sums_are_exact_beyond_64_bits() {
    let a = from_slice(&vec![u64::MAX; 300_000], 1024);
    assert_eq!(sum(&a), Value::Int(u64::MAX as i128 * 300_000));
    let b = from_slice(&vec![i64::MIN; 300_000], 4096);
    assert_eq!(sum(&b), Value::Int(i64::MIN as i128 * 300_000));
    let c = from_slice(&vec![u32::MAX; 200_000], 4);
    assert_eq!(sum(&c), Value::Int(u32::MAX as i128 * 200_000));
    let d = from_slice(&[-3i8, 5, -128], 4);
    assert_eq!(sum(&d), Value::Int(-126));
}

#[test]
fn float_sums_are_pairwise_and_f4_sums_in_f64() {
    let n = 1_000_000;
    let a = from_slice(&(0..n).map(|i| i as f64).collect::<Vec<_>>(), 4096);
    assert_eq!(sum(&a), Value::Float((n * (n - 1) / 2) as f64));
    let tenths = from_slice(&vec![0.1f64; n], 4096);
    let Value::Float(s) = sum(&tenths) else {
        panic!("float sum")
    };
    assert!(
        (s - 100_000.0).abs() < 1e-8,
        "pairwise error stays tiny: {s}"
    );
    // 2**24 + 1 is not a float32 but the f64 accumulator holds it.
    let ones = from_slice(&vec![1.0f32; (1 << 24) + 1], 1 << 16);
    assert_eq!(sum(&ones), Value::Float(((1 << 24) + 1) as f64));
}

#[test]
fn min_max_propagate_nan_and_fail_on_empty() {
    let mut values: Vec<f64> = (0..100_000).map(|i| i as f64).collect();
    let plain = from_slice(&values, 64);
    assert_eq!(min(&plain), Ok(Value::Float(0.0)));
    assert_eq!(max(&plain), Ok(Value::Float(99_999.0)));
    values[77_777] = f64::NAN;
    let with_nan = from_slice(&values, 64);
    assert!(matches!(min(&with_nan), Ok(Value::Float(x)) if x.is_nan()));
    assert!(matches!(max(&with_nan), Ok(Value::Float(x)) if x.is_nan()));
    let first_nan = from_slice(&[f32::NAN, 1.0, -1.0], 4);
    assert!(matches!(min(&first_nan), Ok(Value::Float(x)) if x.is_nan()));

    let empty = ChunkArray::new(DType::S8, 4).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(min(&empty), Err(ReduceError::Empty { operation: "min" }));
    assert_eq!(max(&empty), Err(ReduceError::Empty { operation: "max" }));
    assert_eq!(sum(&empty), Value::Int(0));
    let empty_f = ChunkArray::new(DType::F4, 4).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sum(&empty_f), Value::Float(0.0));
}

#[test]
fn integer_extremes_and_bools() {
    let a = from_slice(&[5u64, u64::MAX, 0, 7], 2);
    assert_eq!(min(&a), Ok(Value::Int(0)));
    assert_eq!(max(&a), Ok(Value::Int(u64::MAX as i128)));
    let mut b = ChunkArray::new(DType::B1, 4).unwrap_or_else(|e| panic!("{e}"));
    b.extend_from_bytes(&[1, 0, 1, 1])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sum(&b), Value::Int(3));
    assert_eq!(min(&b), Ok(Value::Bool(false)));
    assert_eq!(max(&b), Ok(Value::Bool(true)));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let values: Vec<f64> = (0..500_000u64)
        .map(|i| ((i * 7919) % 1000) as f64 * 0.37 - 100.0)
        .collect();
    let a = from_slice(&values, 1024);
    let mut seen = Vec::new();
    for threads in [1, 2, 8] {
        pool::set_num_threads(threads).unwrap_or_else(|e| panic!("{e}"));
        seen.push((sum(&a), min(&a), max(&a)));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0], seen[2]);
}
