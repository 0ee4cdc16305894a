//! Element-wise equality of two chunk arrays, whatever their geometries (numpy's
//! `array_equal`: same dtype, same length, equal values, NaN unequal to everything).

use std::ops::Range;

use crate::dtype::DType;
use crate::element::Element;
use crate::ranges;
use crate::xar::ChunkArray;

/// Whether `a` and `b` hold the same dtype and equal values. Floats compare as numbers
/// (`-0.0 == 0.0`, NaN never equal); B1 compares truth values.
pub fn values_equal(a: &ChunkArray, b: &ChunkArray) -> bool {
    if a.dtype() != b.dtype() || a.len() != b.len() {
        return false;
    }
    let pieces = ranges::split(0..a.len(), &[a.geometry(), b.geometry()], usize::MAX);
    match a.dtype() {
        DType::F4 => pieces.iter().all(|r| slices_equal::<f32>(a, b, r, |x, y| x == y)),
        DType::F8 => pieces.iter().all(|r| slices_equal::<f64>(a, b, r, |x, y| x == y)),
        DType::B1 => pieces
            .iter()
            .all(|r| slices_equal::<u8>(a, b, r, |x, y| (x != 0) == (y != 0))),
        // Integers are equal exactly when their bytes are.
        _ => pieces.iter().all(|r| range_bytes(a, r) == range_bytes(b, r)),
    }
}

/// The bytes of elements in `range`, which lies inside one chunk.
fn range_bytes<'a>(array: &'a ChunkArray, range: &Range<usize>) -> Option<&'a [u8]> {
    let segment = array.segments(range.start, range.end).ok()?.next()?;
    // SAFETY: a segment of filled elements inside one allocated chunk.
    Some(unsafe { std::slice::from_raw_parts(segment.ptr, segment.len * array.dtype().size()) })
}

fn range_slice<'a, T: Element>(array: &'a ChunkArray, range: &Range<usize>) -> Option<&'a [T]> {
    array.slices::<T>(range.start, range.end).ok()?.next()
}

fn slices_equal<T: Element>(
    a: &ChunkArray,
    b: &ChunkArray,
    range: &Range<usize>,
    same: impl Fn(T, T) -> bool,
) -> bool {
    match (range_slice::<T>(a, range), range_slice::<T>(b, range)) {
        (Some(x), Some(y)) => x.len() == y.len() && x.iter().zip(y).all(|(&p, &q)| same(p, q)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(values: &[f64], first_chunk: usize) -> ChunkArray {
        let mut a = ChunkArray::new(DType::F8, first_chunk).unwrap_or_else(|e| panic!("{e}"));
        a.extend_from_slice(values).unwrap_or_else(|e| panic!("{e}"));
        a
    }

    #[test]
    fn equal_across_geometries_and_nan_is_never_equal() {
        let values: Vec<f64> = (0..1000).map(|i| i as f64 * 0.5).collect();
        assert!(values_equal(&f8(&values, 4), &f8(&values, 64)));
        let mut other = values.clone();
        other[999] = 0.0;
        assert!(!values_equal(&f8(&values, 4), &f8(&other, 4)));
        assert!(!values_equal(&f8(&values, 4), &f8(&values[..999], 4)));
        assert!(!values_equal(&f8(&[f64::NAN], 4), &f8(&[f64::NAN], 4)));
        assert!(values_equal(&f8(&[-0.0], 4), &f8(&[0.0], 4)));
        let ints = ChunkArray::new(DType::S8, 4).unwrap_or_else(|e| panic!("{e}"));
        assert!(!values_equal(&ints, &f8(&[], 4)), "dtypes differ");
    }
}
