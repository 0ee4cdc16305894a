//! The storage element types of a chunk array: the byte-width names of the user's C style
//! (SPEC §2). `Int` of the kernel subset is stored as `S8`, so it has no entry here.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum DType {
    B1,
    U1,
    U2,
    U4,
    U8,
    S1,
    S2,
    S4,
    S8,
    F4,
    F8,
}

/// Whether a dtype holds booleans, unsigned or signed integers, or floats.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Kind {
    Bool,
    Unsigned,
    Signed,
    Float,
}

pub const ALL_DTYPES: [DType; 11] = [
    DType::B1,
    DType::U1,
    DType::U2,
    DType::U4,
    DType::U8,
    DType::S1,
    DType::S2,
    DType::S4,
    DType::S8,
    DType::F4,
    DType::F8,
];

impl DType {
    /// Size of one element in bytes (the digit of the name).
    pub fn size(self) -> usize {
        match self {
            DType::B1 | DType::U1 | DType::S1 => 1,
            DType::U2 | DType::S2 => 2,
            DType::U4 | DType::S4 | DType::F4 => 4,
            DType::U8 | DType::S8 | DType::F8 => 8,
        }
    }

    /// The user-facing name, as written in an annotation (`"U8"`).
    pub fn name(self) -> &'static str {
        match self {
            DType::B1 => "B1",
            DType::U1 => "U1",
            DType::U2 => "U2",
            DType::U4 => "U4",
            DType::U8 => "U8",
            DType::S1 => "S1",
            DType::S2 => "S2",
            DType::S4 => "S4",
            DType::S8 => "S8",
            DType::F4 => "F4",
            DType::F8 => "F8",
        }
    }

    /// Parses a name written as `name()` returns it.
    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.into_iter().find(|d| d.name() == name)
    }

    /// numpy's one-character type code (`np.dtype(code)` gives the same storage type).
    pub fn char_code(self) -> char {
        match self {
            DType::B1 => '?',
            DType::U1 => 'B',
            DType::U2 => 'H',
            DType::U4 => 'I',
            DType::U8 => 'Q',
            DType::S1 => 'b',
            DType::S2 => 'h',
            DType::S4 => 'i',
            DType::S8 => 'q',
            DType::F4 => 'f',
            DType::F8 => 'd',
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            DType::B1 => Kind::Bool,
            DType::U1 | DType::U2 | DType::U4 | DType::U8 => Kind::Unsigned,
            DType::S1 | DType::S2 | DType::S4 | DType::S8 => Kind::Signed,
            DType::F4 | DType::F8 => Kind::Float,
        }
    }

    /// The dtype of a kind and size, if there is one (`(Float, 2)` has none).
    pub fn from_kind_size(kind: Kind, size: usize) -> Option<DType> {
        ALL_DTYPES
            .into_iter()
            .find(|d| d.kind() == kind && d.size() == size)
    }

    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// A signed or unsigned integer type (not B1).
    pub fn is_integer(self) -> bool {
        matches!(self.kind(), Kind::Signed | Kind::Unsigned)
    }

    /// Smallest and largest value of an integer type (B1: 0 and 1); `None` for floats.
    pub fn int_range(self) -> Option<(i128, i128)> {
        let bits = self.size() as u32 * 8;
        match self.kind() {
            Kind::Bool => Some((0, 1)),
            Kind::Unsigned => Some((0, (1i128 << bits) - 1)),
            Kind::Signed => Some((-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)),
            Kind::Float => None,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sizes_match_the_digit() {
        for d in ALL_DTYPES {
            assert_eq!(DType::from_name(d.name()), Some(d));
            let digit = d.name()[1..].parse::<usize>().unwrap_or(0);
            assert_eq!(d.size(), digit, "{d}");
            assert_eq!(DType::from_kind_size(d.kind(), d.size()), Some(d));
        }
        assert_eq!(DType::from_name("int"), None);
        assert_eq!(DType::from_kind_size(Kind::Float, 2), None);
    }

    #[test]
    fn integer_ranges() {
        assert_eq!(DType::U1.int_range(), Some((0, 255)));
        assert_eq!(DType::S1.int_range(), Some((-128, 127)));
        assert_eq!(DType::U8.int_range(), Some((0, u64::MAX as i128)));
        assert_eq!(
            DType::S8.int_range(),
            Some((i64::MIN as i128, i64::MAX as i128))
        );
        assert_eq!(DType::B1.int_range(), Some((0, 1)));
        assert_eq!(DType::F8.int_range(), None);
    }
}
