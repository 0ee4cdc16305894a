//! `ChunkArray`: a typed, growable array in the Xar layout (see `geometry`). Every chunk is its
//! own 64-byte-aligned allocation that never moves, so a pointer into a filled element stays
//! valid for the array's lifetime, whatever is appended later. Storage is untyped bytes plus a
//! `DType`; typed access goes through `Element`, checked against the dtype.

use std::alloc::{self, Layout};
use std::ptr;

use crate::dtype::DType;
use crate::element::Element;
use crate::error::ArrayError;
use crate::geometry::{Geometry, MAX_CHUNKS, MAX_INDEX};

/// Alignment of every chunk: a cache line, and enough for any SIMD load the JIT emits.
pub const CHUNK_ALIGN: usize = 64;

pub struct ChunkArray {
    dtype: DType,
    geometry: Geometry,
    len: usize,
    /// Chunks `0..allocated` are allocated (a prefix); the rest are null.
    chunks: [*mut u8; MAX_CHUNKS],
    allocated: usize,
    /// Elements the allocated chunks hold (one past the last allocated chunk's end).
    capacity: usize,
}

// SAFETY: a ChunkArray owns its chunk allocations outright (no shared ownership, no thread-local
// state); the raw pointers are only dereferenced through `&self` (reads) or `&mut self` (writes),
// so the usual borrow rules give the same guarantees as for a `Vec<Box<[u8]>>`.
unsafe impl Send for ChunkArray {}
// SAFETY: `&self` methods only read chunk memory; mutation needs `&mut self`.
unsafe impl Sync for ChunkArray {}

/// A contiguous run of elements inside one chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Global index of the first element.
    pub start: usize,
    /// Address of the first element.
    pub ptr: *mut u8,
    /// Number of elements.
    pub len: usize,
}

impl ChunkArray {
    /// An empty array whose first two chunks hold `first_chunk` elements (a power of two).
    pub fn new(dtype: DType, first_chunk: usize) -> Result<ChunkArray, ArrayError> {
        Ok(ChunkArray::with_geometry(
            dtype,
            Geometry::from_first_chunk(first_chunk)?,
        ))
    }

    pub fn with_geometry(dtype: DType, geometry: Geometry) -> ChunkArray {
        ChunkArray {
            dtype,
            geometry,
            len: 0,
            chunks: [ptr::null_mut(); MAX_CHUNKS],
            allocated: 0,
            capacity: 0,
        }
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    pub fn first_chunk(&self) -> usize {
        self.geometry.first_chunk()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held by the elements (`len * element size`, like numpy's `nbytes`).
    pub fn nbytes(&self) -> usize {
        self.len * self.dtype.size()
    }

    /// Number of chunks holding at least one element.
    pub fn chunk_count(&self) -> usize {
        self.geometry.chunks_for_len(self.len)
    }

    /// Elements the allocated chunks can hold without another allocation.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The longest array of this dtype: no allocation may exceed `isize::MAX` bytes.
    pub fn max_len(&self) -> usize {
        MAX_INDEX / self.dtype.size()
    }

    /// Makes room for `additional` more elements, allocating chunks as needed. On error the
    /// array's elements are unchanged.
    pub fn reserve(&mut self, additional: usize) -> Result<(), ArrayError> {
        let max = self.max_len();
        let wanted = self
            .len
            .checked_add(additional)
            .filter(|&n| n <= max)
            .ok_or(ArrayError::TooLong {
                requested: self.len.saturating_add(additional),
                max,
            })?;
        while self.capacity() < wanted {
            self.allocate_next_chunk()?;
        }
        Ok(())
    }

    /// Appends one element given as its `dtype().size()` native-endian bytes.
    pub fn push_bytes(&mut self, element: &[u8]) -> Result<(), ArrayError> {
        if element.len() != self.dtype.size() {
            return Err(self.byte_length_error(element.len()));
        }
        if self.len >= self.capacity() {
            self.reserve(1)?;
        }
        let (chunk, offset) = self.geometry.locate(self.len);
        // SAFETY: `len < capacity()` after the reserve, so the chunk is allocated and the slot
        // (past `len`, seen by no view) lies inside it.
        unsafe {
            let slot = self.chunks[chunk].add(offset * element.len());
            ptr::copy_nonoverlapping(element.as_ptr(), slot, element.len());
        }
        self.len += 1;
        Ok(())
    }

    pub fn push<T: Element>(&mut self, value: T) -> Result<(), ArrayError> {
        self.check_type::<T>()?;
        self.extend_from_bytes(as_bytes(std::slice::from_ref(&value)))
    }

    /// Appends elements given as contiguous native-endian bytes: one copy per chunk touched.
    /// On error nothing is appended.
    pub fn extend_from_bytes(&mut self, bytes: &[u8]) -> Result<(), ArrayError> {
        let size = self.dtype.size();
        if !bytes.len().is_multiple_of(size) {
            return Err(self.byte_length_error(bytes.len()));
        }
        let count = bytes.len() / size;
        self.reserve(count)?;
        let start = self.len;
        let mut copied = 0;
        for segment in self.segments_within_capacity(start, start + count) {
            let piece = segment.len * size;
            // SAFETY: `reserve` allocated every chunk the segments walk through; each segment
            // lies inside one chunk, past `len`, so it aliases no element a view could see and
            // no part of `bytes` (which the caller borrows immutably).
            unsafe {
                ptr::copy_nonoverlapping(bytes.as_ptr().add(copied), segment.ptr, piece);
            }
            copied += piece;
        }
        self.len = start + count;
        Ok(())
    }

    pub fn extend_from_slice<T: Element>(&mut self, values: &[T]) -> Result<(), ArrayError> {
        self.check_type::<T>()?;
        self.extend_from_bytes(as_bytes(values))
    }

    /// Grows the array to `new_len`, the new elements all-zero bytes; used for outputs that are
    /// filled in place. A shorter `new_len` truncates (see `truncate`).
    pub fn resize_zeroed(&mut self, new_len: usize) -> Result<(), ArrayError> {
        if new_len <= self.len {
            self.truncate(new_len);
            return Ok(());
        }
        self.reserve(new_len - self.len)?;
        let size = self.dtype.size();
        for segment in self.segments_within_capacity(self.len, new_len) {
            // SAFETY: inside allocated chunks (reserved above), past the current length.
            unsafe { ptr::write_bytes(segment.ptr, 0, segment.len * size) };
        }
        self.len = new_len;
        Ok(())
    }

    /// Grows the array to `new_len` without writing the new elements: they keep whatever the
    /// fresh allocation holds. For drivers that write every new element before anything reads
    /// one (a map into a new output); skipping the zero pass saves a full write of the output.
    /// A shorter `new_len` truncates.
    ///
    /// # Safety
    /// Every element in `old len..new_len` must be written before the array is read, viewed or
    /// exposed (to Python, numpy, Arrow, pickling); if the filling fails, the caller must drop
    /// the array (dropping reads no element) or truncate it back.
    pub unsafe fn resize_uninit(&mut self, new_len: usize) -> Result<(), ArrayError> {
        if new_len <= self.len {
            self.truncate(new_len);
            return Ok(());
        }
        self.reserve(new_len - self.len)?;
        self.len = new_len;
        Ok(())
    }

    /// Drops elements past `new_len` (kept allocated: chunks never move or shrink). Used to roll
    /// back a failed bulk append.
    pub fn truncate(&mut self, new_len: usize) {
        self.len = self.len.min(new_len);
    }

    /// The bytes of element `index`.
    pub fn get_bytes(&self, index: usize) -> Result<&[u8], ArrayError> {
        let ptr = self.element_ptr(index)?;
        // SAFETY: `element_ptr` checked `index < len`: the element is initialised, and the
        // borrow of `self` keeps it from being written through this array.
        Ok(unsafe { std::slice::from_raw_parts(ptr, self.dtype.size()) })
    }

    pub fn get<T: Element>(&self, index: usize) -> Result<T, ArrayError> {
        self.check_type::<T>()?;
        let ptr = self.element_ptr(index)?;
        // SAFETY: in bounds and initialised; chunks are 64-byte aligned and offsets are
        // multiples of the element size, so the read is aligned; `Element` types accept any bits.
        Ok(unsafe { ptr.cast::<T>().read() })
    }

    pub fn set_bytes(&mut self, index: usize, element: &[u8]) -> Result<(), ArrayError> {
        if element.len() != self.dtype.size() {
            return Err(self.byte_length_error(element.len()));
        }
        let ptr = self.element_ptr(index)?;
        // SAFETY: in bounds; `&mut self` excludes other borrows of this array's elements.
        unsafe { ptr::copy_nonoverlapping(element.as_ptr(), ptr, element.len()) };
        Ok(())
    }

    pub fn set<T: Element>(&mut self, index: usize, value: T) -> Result<(), ArrayError> {
        self.check_type::<T>()?;
        let ptr = self.element_ptr(index)?;
        // SAFETY: as in `get`, with `&mut self` for exclusive access.
        unsafe { ptr.cast::<T>().write(value) };
        Ok(())
    }

    /// Contiguous pieces of elements `start..end`, each inside one chunk, in order.
    pub fn segments(&self, start: usize, end: usize) -> Result<Segments<'_>, ArrayError> {
        if start > end || end > self.len {
            return Err(ArrayError::IndexOutOfRange {
                index: end.max(start),
                len: self.len,
            });
        }
        Ok(self.segments_within_capacity(start, end))
    }

    /// Elements `start..end` as `&[T]` pieces, each inside one chunk, in order.
    pub fn slices<T: Element>(
        &self,
        start: usize,
        end: usize,
    ) -> Result<impl Iterator<Item = &[T]> + '_, ArrayError> {
        self.check_type::<T>()?;
        Ok(self.segments(start, end)?.map(|segment| {
            // SAFETY: a segment lies in one allocated chunk, below `len` (checked by `segments`),
            // aligned for T, and any bits are a valid T.
            unsafe { std::slice::from_raw_parts(segment.ptr.cast::<T>(), segment.len) }
        }))
    }

    /// Address of chunk `chunk`, null if it is not allocated. Stable for the array's lifetime:
    /// zero-copy views keep this pointer.
    pub fn chunk_ptr(&self, chunk: usize) -> *mut u8 {
        self.chunks.get(chunk).copied().unwrap_or(ptr::null_mut())
    }

    /// Number of elements of chunk `chunk` that are filled.
    pub fn chunk_filled(&self, chunk: usize) -> usize {
        let (Some(start), Some(capacity)) = (
            self.geometry.chunk_start(chunk),
            self.geometry.chunk_capacity(chunk),
        ) else {
            return 0;
        };
        self.len.saturating_sub(start).min(capacity)
    }

    /// The filled part of each chunk, as bytes, in order.
    pub fn chunk_bytes(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let size = self.dtype.size();
        (0..self.chunk_count()).map(move |chunk| {
            // SAFETY: chunks below `chunk_count` are allocated and filled to `chunk_filled`.
            unsafe {
                std::slice::from_raw_parts(self.chunks[chunk], self.chunk_filled(chunk) * size)
            }
        })
    }

    /// The filled part of each chunk as `&[T]`, in order.
    pub fn chunk_slices<T: Element>(&self) -> Result<impl Iterator<Item = &[T]> + '_, ArrayError> {
        self.check_type::<T>()?;
        Ok((0..self.chunk_count()).map(move |chunk| {
            // SAFETY: allocated, filled, aligned for T (64-byte chunks), any bits valid for T.
            unsafe {
                std::slice::from_raw_parts(self.chunks[chunk].cast::<T>(), self.chunk_filled(chunk))
            }
        }))
    }

    /// The filled part of each chunk as `&mut [T]`, in order.
    pub fn chunk_slices_mut<T: Element>(
        &mut self,
    ) -> Result<impl Iterator<Item = &mut [T]> + '_, ArrayError> {
        self.check_type::<T>()?;
        let count = self.chunk_count();
        let this = &*self;
        let pieces: Vec<(*mut u8, usize)> = (0..count)
            .map(|chunk| (this.chunks[chunk], this.chunk_filled(chunk)))
            .collect();
        Ok(pieces.into_iter().map(|(ptr, len)| {
            // SAFETY: distinct chunks never overlap, and `&mut self` is held for the iterator's
            // lifetime, so each `&mut [T]` is exclusive.
            unsafe { std::slice::from_raw_parts_mut(ptr.cast::<T>(), len) }
        }))
    }

    /// All elements as one contiguous byte vector (one copy per chunk).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.nbytes());
        for bytes in self.chunk_bytes() {
            out.extend_from_slice(bytes);
        }
        out
    }

    fn check_type<T: Element>(&self) -> Result<(), ArrayError> {
        if T::matches(self.dtype) {
            Ok(())
        } else {
            Err(ArrayError::DTypeMismatch {
                array: self.dtype,
                requested: T::DTYPE,
            })
        }
    }

    fn byte_length_error(&self, bytes: usize) -> ArrayError {
        ArrayError::ByteLength {
            bytes,
            element_size: self.dtype.size(),
        }
    }

    fn element_ptr(&self, index: usize) -> Result<*mut u8, ArrayError> {
        if index >= self.len {
            return Err(ArrayError::IndexOutOfRange {
                index,
                len: self.len,
            });
        }
        let (chunk, offset) = self.geometry.locate(index);
        // SAFETY: `index < len <= capacity`, so the chunk is allocated and the offset inside it.
        Ok(unsafe { self.chunks[chunk].add(offset * self.dtype.size()) })
    }

    /// One past the last element of chunk `chunk` (which must exist in the table).
    fn chunk_end(&self, chunk: usize) -> usize {
        let start = self.geometry.chunk_start(chunk).unwrap_or(MAX_INDEX);
        let capacity = self.geometry.chunk_capacity(chunk).unwrap_or(0);
        start.saturating_add(capacity)
    }

    fn chunk_layout(&self, chunk: usize) -> Option<Layout> {
        let capacity = self.geometry.chunk_capacity(chunk)?;
        let bytes = capacity.checked_mul(self.dtype.size())?;
        Layout::from_size_align(bytes, CHUNK_ALIGN).ok()
    }

    fn allocate_next_chunk(&mut self) -> Result<(), ArrayError> {
        let chunk = self.allocated;
        let too_long = ArrayError::TooLong {
            requested: self.capacity().saturating_add(1),
            max: self.max_len(),
        };
        if chunk >= MAX_CHUNKS {
            return Err(too_long);
        }
        let layout = self.chunk_layout(chunk).ok_or(too_long)?;
        // SAFETY: the layout has a non-zero size (capacity >= 1, element size >= 1).
        let ptr = unsafe { alloc::alloc(layout) };
        if ptr.is_null() {
            return Err(ArrayError::OutOfMemory {
                bytes: layout.size(),
            });
        }
        advise_huge_pages(ptr, layout.size());
        self.chunks[chunk] = ptr;
        self.allocated += 1;
        self.capacity = self.chunk_end(chunk);
        Ok(())
    }

    /// Segments of `start..end` where `end <= capacity()` (elements may be unfilled).
    fn segments_within_capacity(&self, start: usize, end: usize) -> Segments<'_> {
        Segments {
            array: self,
            next: start,
            end,
        }
    }
}

/// Asks the kernel to back a large fresh chunk with 2 MiB pages where transparent huge pages are
/// in `madvise` mode (the common default): the first write to a new page then faults once per
/// 2 MiB instead of once per 4 KiB, which halved the time of a map into a fresh 10M-element F8
/// array here. numpy does the same for its large allocations. Advice only: a failure is ignored.
#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    const PAGE: usize = 4096;
    // Chunks at least this large ask for huge pages (numpy's threshold).
    const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;
    if bytes < HUGE_PAGE_MIN_BYTES {
        return;
    }
    // madvise wants a page-aligned start: advise the whole pages inside the allocation.
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + bytes) & !(PAGE - 1);
    if end > start {
        // SAFETY: `start..end` lies inside the allocation just made for this chunk (page-aligned
        // inward), which this array owns; MADV_HUGEPAGE changes no contents and no mapping
        // permissions, only how the kernel backs the pages.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_ptr: *mut u8, _bytes: usize) {}

impl Drop for ChunkArray {
    fn drop(&mut self) {
        for chunk in 0..self.allocated {
            if let Some(layout) = self.chunk_layout(chunk) {
                // SAFETY: allocated in `allocate_next_chunk` with this same layout, freed once.
                unsafe { alloc::dealloc(self.chunks[chunk], layout) };
            }
        }
    }
}

impl std::fmt::Debug for ChunkArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkArray")
            .field("dtype", &self.dtype)
            .field("first_chunk", &self.first_chunk())
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// Iterator over the per-chunk pieces of an index range (see `ChunkArray::segments`).
pub struct Segments<'a> {
    array: &'a ChunkArray,
    next: usize,
    end: usize,
}

impl Iterator for Segments<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        if self.next >= self.end {
            return None;
        }
        let geometry = self.array.geometry;
        let (chunk, offset) = geometry.locate(self.next);
        let stop = geometry.chunk_end_after(self.next).min(self.end);
        // SAFETY: callers only walk ranges below `capacity()`, so the chunk is allocated and the
        // offset lies inside it.
        let ptr = unsafe { self.array.chunks[chunk].add(offset * self.array.dtype.size()) };
        let segment = Segment {
            start: self.next,
            ptr,
            len: stop - self.next,
        };
        self.next = stop;
        Some(segment)
    }
}

fn as_bytes<T: Element>(values: &[T]) -> &[u8] {
    // SAFETY: `Element` types are plain numbers without padding; any initialised `T` is
    // initialised bytes.
    unsafe {
        std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
    }
}
