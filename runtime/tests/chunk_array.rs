//! The chunk array through its public API: growth, typed and byte access, segments, stability.

use runtime::{ALL_DTYPES, ArrayError, ChunkArray, DType};

fn array(dtype: DType, first_chunk: usize) -> ChunkArray {
    ChunkArray::new(dtype, first_chunk).unwrap_or_else(|e| panic!("{e}"))
}

fn filled_f8(n: usize, first_chunk: usize) -> ChunkArray {
    let mut a = array(DType::F8, first_chunk);
    let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
    a.extend_from_slice(&values)
        .unwrap_or_else(|e| panic!("{e}"));
    a
}

#[test]
fn new_rejects_first_chunks_that_are_not_powers_of_two() {
    assert_eq!(
        ChunkArray::new(DType::F8, 100).map(|_| ()),
        Err(ArrayError::InvalidFirstChunk(100))
    );
    assert_eq!(
        ChunkArray::new(DType::F8, 0).map(|_| ()),
        Err(ArrayError::InvalidFirstChunk(0))
    );
}

#[test]
fn push_and_get_every_element_across_chunks() {
    let mut a = array(DType::S4, 4);
    for i in 0..100i32 {
        a.push(i * 3 - 50).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(a.len(), 100);
    assert_eq!(a.chunk_count(), 6); // 4 4 8 16 32 64(36 filled)
    assert_eq!(a.nbytes(), 400);
    for i in 0..100 {
        assert_eq!(a.get::<i32>(i), Ok(i as i32 * 3 - 50));
    }
    assert_eq!(
        a.get::<i32>(100),
        Err(ArrayError::IndexOutOfRange {
            index: 100,
            len: 100
        })
    );
}

#[test]
fn typed_access_is_checked_against_the_dtype() {
    let mut a = array(DType::F8, 4);
    assert_eq!(
        a.push(1u64),
        Err(ArrayError::DTypeMismatch {
            array: DType::F8,
            requested: DType::U8
        })
    );
    assert_eq!(a.len(), 0);
    let mut b = array(DType::B1, 4);
    b.push(1u8).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.get::<u8>(0), Ok(1));
}

#[test]
fn extend_copies_chunk_by_chunk_and_segments_cover_the_range() {
    let a = filled_f8(1000, 16);
    assert_eq!(a.chunk_count(), 7); // 16 16 32 64 128 256 512(488 filled)
    let filled: Vec<usize> = (0..8).map(|k| a.chunk_filled(k)).collect();
    assert_eq!(filled, [16, 16, 32, 64, 128, 256, 488, 0]);
    let pieces: Vec<(usize, usize)> = a
        .segments(10, 70)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|s| (s.start, s.len))
        .collect();
    assert_eq!(pieces, [(10, 6), (16, 16), (32, 32), (64, 6)]);
    let flat: Vec<f64> = a
        .chunk_slices::<f64>()
        .unwrap_or_else(|e| panic!("{e}"))
        .flat_map(|s| s.iter().copied())
        .collect();
    assert_eq!(flat, (0..1000).map(|i| i as f64).collect::<Vec<_>>());
    assert!(a.segments(10, 1001).is_err());
}

#[test]
fn elements_never_move_when_the_array_grows() {
    let mut a = filled_f8(20, 4);
    let first = a.chunk_ptr(0);
    let third = a.chunk_ptr(2);
    let more: Vec<f64> = vec![0.5; 100_000];
    a.extend_from_slice(&more).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.chunk_ptr(0), first);
    assert_eq!(a.chunk_ptr(2), third);
    assert_eq!(a.get::<f64>(19), Ok(19.0));
    for k in 0..a.chunk_count() {
        assert_eq!(
            a.chunk_ptr(k) as usize % 64,
            0,
            "chunk {k} is 64-byte aligned"
        );
    }
}

#[test]
fn set_and_byte_access() {
    let mut a = filled_f8(10, 4);
    a.set::<f64>(9, -1.5).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        a.get_bytes(9).map(<[u8]>::to_vec),
        Ok((-1.5f64).to_ne_bytes().to_vec())
    );
    a.set_bytes(0, &2.0f64.to_ne_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.get::<f64>(0), Ok(2.0));
    assert_eq!(
        a.set_bytes(0, &[0u8; 4]),
        Err(ArrayError::ByteLength {
            bytes: 4,
            element_size: 8
        })
    );
    assert_eq!(
        a.extend_from_bytes(&[0u8; 12]),
        Err(ArrayError::ByteLength {
            bytes: 12,
            element_size: 8
        })
    );
    assert_eq!(a.len(), 10);
}

#[test]
fn every_dtype_round_trips_bytes() {
    for dtype in ALL_DTYPES {
        let mut a = array(dtype, 2);
        let size = dtype.size();
        let bytes: Vec<u8> = (0..size * 37).map(|i| (i % 2) as u8).collect();
        a.extend_from_bytes(&bytes)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.len(), 37);
        assert_eq!(a.to_bytes(), bytes, "{dtype}");
        assert_eq!(
            a.get_bytes(36).map(<[u8]>::to_vec),
            Ok(bytes[36 * size..].to_vec())
        );
    }
}

#[test]
fn resize_zeroed_and_truncate() {
    let mut a = filled_f8(5, 4);
    a.resize_zeroed(40).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.len(), 40);
    assert_eq!(a.get::<f64>(4), Ok(4.0));
    assert_eq!(a.get::<f64>(39), Ok(0.0));
    let capacity = a.capacity();
    a.truncate(3);
    assert_eq!(a.len(), 3);
    assert_eq!(a.capacity(), capacity, "truncate keeps the chunks");
}

#[test]
fn resize_uninit_then_filled_keeps_the_old_elements() {
    let mut a = filled_f8(5, 4);
    // SAFETY: every new element is written below before any is read.
    unsafe { a.resize_uninit(40) }.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.len(), 40);
    for i in 5..40 {
        a.set(i, i as f64 * 0.5).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(a.get::<f64>(4), Ok(4.0));
    assert_eq!(a.get::<f64>(39), Ok(19.5));
    // SAFETY: shrinking exposes no unwritten element.
    unsafe { a.resize_uninit(2) }.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.len(), 2);
}

#[test]
fn impossible_lengths_are_errors_not_aborts() {
    let mut a = array(DType::F8, 1 << 40);
    // 2**40 elements of 8 bytes = 8 TiB: the allocator refuses, the array stays usable.
    match a.push(1.0f64) {
        Err(ArrayError::OutOfMemory { bytes }) => assert_eq!(bytes, 8 << 40),
        other => panic!("expected OutOfMemory, got {other:?}"),
    }
    assert_eq!(a.len(), 0);
    let mut b = array(DType::U1, 4);
    assert!(matches!(
        b.reserve(usize::MAX),
        Err(ArrayError::TooLong { .. })
    ));
    assert!(matches!(
        b.reserve(isize::MAX as usize),
        Err(ArrayError::OutOfMemory { .. })
    ));
    assert_eq!(b.len(), 0);
    b.push(7u8).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.get::<u8>(0), Ok(7));
}
