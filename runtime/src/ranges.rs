//! Splitting an index range into units of parallel work: pieces of at most `max_len` elements
//! that never cross a chunk boundary of any of the given geometries (the union of their
//! boundaries), so each piece is contiguous in every array it touches.

use std::ops::Range;

use crate::geometry::Geometry;

/// Elements per unit of work: large enough to amortise a call and a task, small enough that the
/// last (largest) chunk still splits across all cores.
pub const RANGE_LEN: usize = 32 * 1024;

/// Below this many elements, parallel drivers stay on the calling thread.
pub const PARALLEL_THRESHOLD: usize = 2 * RANGE_LEN;

/// The work ranges covering `range`, in order.
pub fn split(range: Range<usize>, geometries: &[Geometry], max_len: usize) -> Vec<Range<usize>> {
    let max_len = max_len.max(1);
    let mut out = Vec::with_capacity((range.end.saturating_sub(range.start)) / max_len + 1);
    let mut next = range.start;
    while next < range.end {
        let mut stop = range.end.min(next.saturating_add(max_len));
        for geometry in geometries {
            stop = stop.min(geometry.chunk_end_after(next));
        }
        out.push(next..stop);
        next = stop;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(first_chunk: usize) -> Geometry {
        Geometry::from_first_chunk(first_chunk).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn cuts_at_chunk_boundaries_and_at_max_len() {
        // chunks of first_chunk 4: 0..4, 4..8, 8..16, 16..32
        assert_eq!(
            split(0..20, &[g(4)], 6),
            [0..4, 4..8, 8..14, 14..16, 16..20]
        );
        assert_eq!(split(5..5, &[g(4)], 6), Vec::<Range<usize>>::new());
    }

    #[test]
    fn cuts_at_the_union_of_boundaries() {
        // first_chunk 4: 4, 8, 16; first_chunk 2: 2, 4, 8, 16
        assert_eq!(split(0..10, &[g(4), g(2)], 100), [0..2, 2..4, 4..8, 8..10]);
        assert_eq!(
            split(3..20, &[g(4), g(8)], 100),
            [3..4, 4..8, 8..16, 16..20]
        );
    }
}
