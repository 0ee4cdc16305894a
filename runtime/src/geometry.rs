//! The Xar index maths: where element `i` lives, for a chunk array whose first chunk holds
//! `2**shift` elements. Chunks 0 and 1 hold `2**shift` elements each and chunk `k >= 1` holds
//! `2**(shift + k - 1)`, so chunk `k >= 1` starts at element `2**(shift + k - 1)`: the chunk of
//! an index is the bit width of `index >> shift`, and the offset is the index minus that start.
//! A shift, a count of leading zeros and a subtract: no loop, no division.

use crate::error::ArrayError;

/// Entries in a chunk table. No allocation can exceed `isize::MAX` bytes, so an index is below
/// `2**63` and its chunk number (the bit width of `index >> shift`) is at most 63.
pub const MAX_CHUNKS: usize = 64;

/// The largest index the maths is defined for (elements are at least one byte).
pub const MAX_INDEX: usize = isize::MAX as usize;

/// Elements in each of the first two chunks unless the caller picks another power of two:
/// 32 KiB of F8, small enough that short arrays stay small, large enough that per-chunk work
/// (one compiled-loop call, one numpy view) is amortised over many elements.
pub const DEFAULT_FIRST_CHUNK: usize = 4096;

/// The shape of a chunk array's chunks; arrays with equal geometry share every chunk boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Geometry {
    shift: u32,
}

impl Geometry {
    /// The geometry whose first chunk holds `first_chunk` elements (a power of two).
    pub fn from_first_chunk(first_chunk: usize) -> Result<Geometry, ArrayError> {
        if !first_chunk.is_power_of_two() || first_chunk > MAX_INDEX {
            return Err(ArrayError::InvalidFirstChunk(first_chunk));
        }
        Ok(Geometry {
            shift: first_chunk.trailing_zeros(),
        })
    }

    pub fn shift(self) -> u32 {
        self.shift
    }

    pub fn first_chunk(self) -> usize {
        1 << self.shift
    }

    /// (chunk, offset in chunk) of element `index`; `index` must be at most `MAX_INDEX`.
    #[inline]
    pub fn locate(self, index: usize) -> (usize, usize) {
        debug_assert!(index <= MAX_INDEX);
        let high = index >> self.shift;
        let chunk = (usize::BITS - high.leading_zeros()) as usize;
        // 0 for chunk 0, else 2**(chunk - 1); `chunk <= 63` so the shift stays in range.
        let start = (1usize.wrapping_shl(chunk as u32) >> 1) << self.shift;
        (chunk, index - start)
    }

    /// The first element of chunk `chunk`, or `None` past the largest index.
    pub fn chunk_start(self, chunk: usize) -> Option<usize> {
        if chunk == 0 {
            return Some(0);
        }
        let exponent = u32::try_from(chunk - 1).ok()?.checked_add(self.shift)?;
        let start = 1usize.checked_shl(exponent)?;
        (start <= MAX_INDEX).then_some(start)
    }

    /// Elements chunk `chunk` holds, or `None` if it would start past the largest index.
    pub fn chunk_capacity(self, chunk: usize) -> Option<usize> {
        if chunk == 0 {
            return Some(self.first_chunk());
        }
        self.chunk_start(chunk)
    }

    /// One past the last element of the chunk holding `index` (may exceed `MAX_INDEX` only for
    /// the last representable chunk, hence the saturation).
    #[inline]
    pub fn chunk_end_after(self, index: usize) -> usize {
        let (chunk, offset) = self.locate(index);
        let capacity = self.chunk_capacity(chunk).unwrap_or(usize::MAX);
        (index - offset).saturating_add(capacity)
    }

    /// Number of chunks that hold at least one of `len` elements.
    pub fn chunks_for_len(self, len: usize) -> usize {
        if len == 0 {
            0
        } else {
            self.locate(len - 1).0 + 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIFTS: [u32; 7] = [0, 1, 2, 5, 12, 20, 40];

    fn geometry(shift: u32) -> Geometry {
        Geometry::from_first_chunk(1usize << shift).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn first_chunk_must_be_a_power_of_two() {
        for bad in [0usize, 3, 6, 4095, 4097, usize::MAX, 1 << 63] {
            assert_eq!(
                Geometry::from_first_chunk(bad),
                Err(ArrayError::InvalidFirstChunk(bad))
            );
        }
        assert_eq!(geometry(12).first_chunk(), 4096);
        assert_eq!(Geometry::from_first_chunk(1).map(|g| g.shift()), Ok(0));
    }

    #[test]
    fn chunk_sizes_follow_the_xar_layout() {
        let g = geometry(2);
        let sizes: Vec<usize> = (0..6).map(|k| g.chunk_capacity(k).unwrap_or(0)).collect();
        assert_eq!(sizes, [4, 4, 8, 16, 32, 64]);
        let starts: Vec<usize> = (0..6).map(|k| g.chunk_start(k).unwrap_or(0)).collect();
        assert_eq!(starts, [0, 4, 8, 16, 32, 64]);
    }

    #[test]
    fn every_chunk_boundary_maps_to_the_right_chunk() {
        for shift in SHIFTS {
            let g = geometry(shift);
            for chunk in 0..MAX_CHUNKS {
                let Some(start) = g.chunk_start(chunk) else {
                    assert!(chunk + shift as usize >= 64, "shift {shift} chunk {chunk}");
                    continue;
                };
                let capacity = g.chunk_capacity(chunk).unwrap_or(0);
                assert_eq!(g.locate(start), (chunk, 0), "shift {shift} chunk {chunk}");
                let last = start + (capacity - 1).min(MAX_INDEX - start);
                assert_eq!(g.locate(last), (chunk, last - start));
                if capacity > 1 {
                    assert_eq!(g.locate(start + 1), (chunk, 1));
                }
                if let Some(next) = g.chunk_start(chunk + 1) {
                    assert_eq!(
                        start + capacity,
                        next,
                        "chunks are contiguous in index space"
                    );
                    assert_eq!(g.chunk_end_after(start), next);
                }
            }
        }
    }

    #[test]
    fn every_index_of_small_arrays_matches_a_naive_walk() {
        for shift in [0, 1, 3] {
            let g = geometry(shift);
            let (mut chunk, mut offset) = (0usize, 0usize);
            for index in 0..5000 {
                assert_eq!(
                    g.locate(index),
                    (chunk, offset),
                    "shift {shift} index {index}"
                );
                offset += 1;
                if Some(offset) == g.chunk_capacity(chunk) {
                    chunk += 1;
                    offset = 0;
                }
            }
        }
    }

    #[test]
    fn largest_indices_stay_in_the_table() {
        for shift in SHIFTS {
            let g = geometry(shift);
            for index in [MAX_INDEX, MAX_INDEX - 1, 1 << 62, (1 << 62) - 1, 1 << 61] {
                let (chunk, offset) = g.locate(index);
                assert!(chunk < MAX_CHUNKS);
                let start = g.chunk_start(chunk).unwrap_or(usize::MAX);
                assert_eq!(start + offset, index);
                assert!(offset < g.chunk_capacity(chunk).unwrap_or(0));
            }
            assert_eq!(g.locate(MAX_INDEX).0, 63 - shift as usize);
        }
        assert_eq!(geometry(0).locate(MAX_INDEX), (63, MAX_INDEX - (1 << 62)));
    }

    #[test]
    fn chunks_for_len() {
        let g = geometry(2);
        let counts: Vec<usize> = [0, 1, 4, 5, 8, 9, 16, 17]
            .map(|n| g.chunks_for_len(n))
            .to_vec();
        assert_eq!(counts, [0, 1, 1, 2, 2, 3, 3, 4]);
    }
}
