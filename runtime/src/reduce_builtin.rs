//! The built-in reductions `sum`, `min` and `max` over a whole chunk array, in parallel.
//!
//! - Integer sums are exact: each work range accumulates in i64 (a range is short enough that
//!   elements of up to 4 bytes cannot overflow it) or i128 (8-byte elements), and ranges are
//!   combined in i128, which holds the sum of any array a 64-bit machine can store.
//! - Float sums (F4 and F8 alike) are computed in f64 by pairwise summation inside each range
//!   (numpy's scheme: 8 accumulators over blocks of 128) and pairwise over the range partials.
//! - min/max follow numpy: a NaN anywhere makes the result NaN.
//! - B1: `sum` counts the true elements; `min`/`max` are "all" and "any".
//!
//! Ranges are fixed by the array's geometry, never by the thread count, and partials are combined
//! in index order, so every result is the same for any number of threads.

use std::cmp::Ordering;
use std::fmt;

use rayon::prelude::*;

use crate::dtype::DType;
use crate::element::Element;
use crate::pool;
use crate::ranges::{self, PARALLEL_THRESHOLD, RANGE_LEN};
use crate::xar::ChunkArray;

/// A reduction result, widened so that every dtype's values fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(i128),
    Float(f64),
    Bool(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceError {
    /// `min`/`max` of an empty array (numpy: "zero-size array to reduction operation").
    Empty { operation: &'static str },
}

impl fmt::Display for ReduceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReduceError::Empty { operation } => write!(
                f,
                "{operation}() of an empty ChunkArray: the reduction has no identity"
            ),
        }
    }
}

impl std::error::Error for ReduceError {}

/// Runs `dispatch!(array, T => expression using T)` with `T` the element type of the dtype.
macro_rules! dispatch {
    ($dtype:expr, $t:ident => $body:expr) => {
        match $dtype {
            DType::B1 | DType::U1 => {
                type $t = u8;
                $body
            }
            DType::U2 => {
                type $t = u16;
                $body
            }
            DType::U4 => {
                type $t = u32;
                $body
            }
            DType::U8 => {
                type $t = u64;
                $body
            }
            DType::S1 => {
                type $t = i8;
                $body
            }
            DType::S2 => {
                type $t = i16;
                $body
            }
            DType::S4 => {
                type $t = i32;
                $body
            }
            DType::S8 => {
                type $t = i64;
                $body
            }
            DType::F4 => {
                type $t = f32;
                $body
            }
            DType::F8 => {
                type $t = f64;
                $body
            }
        }
    };
}

/// The sum of all elements: `Int` for integer and B1 arrays, `Float` for float arrays.
pub fn sum(array: &ChunkArray) -> Value {
    dispatch!(array.dtype(), T => {
        let partials = map_ranges(array, |xs: &[T]| T::range_sum(xs));
        T::combine_sums(&partials)
    })
}

/// The smallest element (NaN if any element is NaN).
pub fn min(array: &ChunkArray) -> Result<Value, ReduceError> {
    extreme(array, "min", Ordering::Less)
}

/// The largest element (NaN if any element is NaN).
pub fn max(array: &ChunkArray) -> Result<Value, ReduceError> {
    extreme(array, "max", Ordering::Greater)
}

/// The element that compares `wanted` against all others; a NaN (`x != x`) wins and sticks.
fn extreme(
    array: &ChunkArray,
    operation: &'static str,
    wanted: Ordering,
) -> Result<Value, ReduceError> {
    let dtype = array.dtype();
    dispatch!(dtype, T => {
        #[allow(clippy::eq_op)]
        let pick = |x: T, acc: T| (acc == acc) && (x != x || x.partial_cmp(&acc) == Some(wanted));
        let partials = map_ranges(array, |xs: &[T]| fold_extreme(xs.iter().copied(), pick));
        let best = fold_extreme(partials.into_iter().flatten(), pick)
            .ok_or(ReduceError::Empty { operation })?;
        Ok(T::to_value(best, dtype))
    })
}

fn fold_extreme<T: Copy>(
    mut items: impl Iterator<Item = T>,
    pick: impl Fn(T, T) -> bool,
) -> Option<T> {
    let mut acc = items.next()?;
    for x in items {
        if pick(x, acc) {
            acc = x;
        }
    }
    Some(acc)
}

/// Applies `f` to every work range of the array, in parallel when the array is large, and
/// returns the results in index order.
fn map_ranges<T: Element, R: Send>(array: &ChunkArray, f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let work = ranges::split(0..array.len(), &[array.geometry()], RANGE_LEN);
    let run = |range: &std::ops::Range<usize>| -> R {
        // A range never crosses a chunk boundary: it is exactly one slice.
        let slice = array
            .slices::<T>(range.start, range.end)
            .ok()
            .and_then(|mut pieces| pieces.next())
            .unwrap_or(&[]);
        f(slice)
    };
    let pool = if array.len() >= PARALLEL_THRESHOLD {
        pool::global_pool().ok().flatten()
    } else {
        None
    };
    match pool {
        Some(pool) => pool.install(|| work.par_iter().map(run).collect()),
        None => work.iter().map(run).collect(),
    }
}

/// Per-type arithmetic of the reductions.
trait Reduce: Element {
    type Partial: Copy + Send;
    fn range_sum(xs: &[Self]) -> Self::Partial;
    fn combine_sums(partials: &[Self::Partial]) -> Value;
    fn to_value(x: Self, dtype: DType) -> Value;
}

macro_rules! reduce_int {
    ($($ty:ty => $acc:ty),*) => {$(
        impl Reduce for $ty {
            type Partial = i128;
            fn range_sum(xs: &[Self]) -> i128 {
                // Ranges hold at most RANGE_LEN elements: the narrow accumulator cannot overflow.
                xs.iter().map(|&x| x as $acc).sum::<$acc>() as i128
            }
            fn combine_sums(partials: &[i128]) -> Value {
                Value::Int(partials.iter().sum())
            }
            fn to_value(x: Self, _dtype: DType) -> Value {
                Value::Int(x as i128)
            }
        }
    )*};
}

reduce_int!(u16 => i64, u32 => i64, i8 => i64, i16 => i64, i32 => i64, u64 => i128, i64 => i128);

impl Reduce for u8 {
    type Partial = i128;
    fn range_sum(xs: &[Self]) -> i128 {
        xs.iter().map(|&x| x as i64).sum::<i64>() as i128
    }
    fn combine_sums(partials: &[i128]) -> Value {
        Value::Int(partials.iter().sum())
    }
    fn to_value(x: Self, dtype: DType) -> Value {
        match dtype {
            DType::B1 => Value::Bool(x != 0),
            _ => Value::Int(x as i128),
        }
    }
}

macro_rules! reduce_float {
    ($($ty:ty),*) => {$(
        impl Reduce for $ty {
            type Partial = f64;
            fn range_sum(xs: &[Self]) -> f64 {
                pairwise_sum(xs, |x| x as f64)
            }
            fn combine_sums(partials: &[f64]) -> Value {
                Value::Float(pairwise_sum(partials, |x| x))
            }
            fn to_value(x: Self, _dtype: DType) -> Value {
                Value::Float(x as f64)
            }
        }
    )*};
}

reduce_float!(f32, f64);

/// numpy's pairwise summation: blocks of up to 128 elements use 8 interleaved accumulators;
/// longer inputs split in half (at a multiple of 8). Rounding error grows as O(log n).
fn pairwise_sum<T: Copy>(xs: &[T], widen: impl Fn(T) -> f64 + Copy) -> f64 {
    const BLOCK: usize = 128;
    if xs.len() < 8 {
        return xs.iter().fold(0.0, |acc, &x| acc + widen(x));
    }
    if xs.len() <= BLOCK {
        let mut acc = [0.0f64; 8];
        let mut blocks = xs.chunks_exact(8);
        for block in &mut blocks {
            for (a, &x) in acc.iter_mut().zip(block) {
                *a += widen(x);
            }
        }
        let mut total =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for &x in blocks.remainder() {
            total += widen(x);
        }
        return total;
    }
    let half = (xs.len() / 2) & !7;
    let (left, right) = xs.split_at(half);
    pairwise_sum(left, widen) + pairwise_sum(right, widen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_exact_sums_of_small_integers() {
        let xs: Vec<f64> = (0..1000).map(f64::from).collect();
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 1000] {
            let slice = xs.get(..n).unwrap_or(&[]);
            assert_eq!(
                pairwise_sum(slice, |x| x),
                (n * n.saturating_sub(1) / 2) as f64,
                "n={n}"
            );
        }
    }
}
