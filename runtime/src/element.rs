//! Typed access to untyped chunk storage: the Rust primitive behind each dtype.

use crate::dtype::DType;

/// A Rust primitive stored in a chunk array.
///
/// # Safety
/// Every bit pattern of `size_of::<Self>()` bytes must be a valid value (chunks are read as
/// `&[Self]` whatever was written through a numpy view), and `size_of::<Self>()` must equal
/// `DTYPE.size()`. That is why `bool` is not an `Element`: B1 is read as its `u8` byte.
pub unsafe trait Element: Copy + PartialOrd + Send + Sync + 'static {
    /// The dtype whose storage this type reads.
    const DTYPE: DType;

    /// Whether an array of `dtype` may be read and written as `Self`.
    fn matches(dtype: DType) -> bool {
        dtype == Self::DTYPE
    }
}

macro_rules! element {
    ($($ty:ty => $dtype:ident),* $(,)?) => {
        $(
            // SAFETY: a plain integer or float of the dtype's size; every bit pattern is valid.
            unsafe impl Element for $ty {
                const DTYPE: DType = DType::$dtype;
            }
        )*
    };
}

element!(u16 => U2, u32 => U4, u64 => U8, i8 => S1, i16 => S2, i32 => S4, i64 => S8,
         f32 => F4, f64 => F8);

// SAFETY: one byte; every bit pattern is valid.
unsafe impl Element for u8 {
    const DTYPE: DType = DType::U1;

    /// B1 is stored as one byte (0 = false, anything else = true) and read through `u8`.
    fn matches(dtype: DType) -> bool {
        matches!(dtype, DType::U1 | DType::B1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_dtype() {
        fn check<T: Element>() {
            assert_eq!(size_of::<T>(), T::DTYPE.size());
            assert!(T::matches(T::DTYPE));
        }
        check::<u8>();
        check::<u16>();
        check::<u32>();
        check::<u64>();
        check::<i8>();
        check::<i16>();
        check::<i32>();
        check::<i64>();
        check::<f32>();
        check::<f64>();
        assert!(u8::matches(DType::B1));
        assert!(!i8::matches(DType::U1));
    }
}
