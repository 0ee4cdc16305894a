//! The scalar types of the kernel subset (SPEC §2): the byte-width types of the user's C style,
//! plus `Int`, Python's `int` held in 64 bits with overflow checks instead of wrapping.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Ty {
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
    /// Python's `int`, limited to 64 bits: stored like S8, but an operation whose Python result
    /// does not fit raises OverflowError instead of wrapping.
    Int,
}

pub const ALL_TYPES: [Ty; 12] = [
    Ty::B1,
    Ty::U1,
    Ty::U2,
    Ty::U4,
    Ty::U8,
    Ty::S1,
    Ty::S2,
    Ty::S4,
    Ty::S8,
    Ty::F4,
    Ty::F8,
    Ty::Int,
];

impl Ty {
    /// The user-facing name: the annotation that spells this type.
    pub fn name(self) -> &'static str {
        match self {
            Ty::B1 => "B1",
            Ty::U1 => "U1",
            Ty::U2 => "U2",
            Ty::U4 => "U4",
            Ty::U8 => "U8",
            Ty::S1 => "S1",
            Ty::S2 => "S2",
            Ty::S4 => "S4",
            Ty::S8 => "S8",
            Ty::F4 => "F4",
            Ty::F8 => "F8",
            Ty::Int => "int",
        }
    }

    /// Parses a type name as written in an annotation or a cast (`float`/`bool`/`int` included).
    pub fn from_name(name: &str) -> Option<Ty> {
        Some(match name {
            "B1" | "bool" => Ty::B1,
            "U1" => Ty::U1,
            "U2" => Ty::U2,
            "U4" => Ty::U4,
            "U8" => Ty::U8,
            "S1" => Ty::S1,
            "S2" => Ty::S2,
            "S4" => Ty::S4,
            "S8" => Ty::S8,
            "F4" => Ty::F4,
            "F8" | "float" => Ty::F8,
            "int" => Ty::Int,
            _ => return None,
        })
    }

    /// Size in bytes of one element stored in an array (`Int` is stored as S8).
    pub fn size(self) -> usize {
        match self {
            Ty::B1 | Ty::U1 | Ty::S1 => 1,
            Ty::U2 | Ty::S2 => 2,
            Ty::U4 | Ty::S4 | Ty::F4 => 4,
            Ty::U8 | Ty::S8 | Ty::F8 | Ty::Int => 8,
        }
    }

    /// Bit width of the value (1 for B1).
    pub fn bits(self) -> u32 {
        match self {
            Ty::B1 => 1,
            other => other.size() as u32 * 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, Ty::F4 | Ty::F8)
    }

    /// A fixed-width integer type (U1..U8, S1..S8): C's wrapping arithmetic.
    pub fn is_width_int(self) -> bool {
        matches!(
            self,
            Ty::U1 | Ty::U2 | Ty::U4 | Ty::U8 | Ty::S1 | Ty::S2 | Ty::S4 | Ty::S8
        )
    }

    /// Any integer type: a width type or `Int`.
    pub fn is_int(self) -> bool {
        self.is_width_int() || self == Ty::Int
    }

    pub fn is_signed(self) -> bool {
        matches!(self, Ty::S1 | Ty::S2 | Ty::S4 | Ty::S8 | Ty::Int)
    }

    pub fn is_unsigned(self) -> bool {
        matches!(self, Ty::U1 | Ty::U2 | Ty::U4 | Ty::U8)
    }

    /// The storage type of this type in an array: `Int` is stored as S8.
    pub fn storage(self) -> Ty {
        if self == Ty::Int { Ty::S8 } else { self }
    }

    /// Smallest and largest value of an integer type, as i128 so that both families fit.
    pub fn int_range(self) -> Option<(i128, i128)> {
        match self {
            Ty::B1 => Some((0, 1)),
            Ty::U1 | Ty::U2 | Ty::U4 | Ty::U8 => Some((0, (1i128 << self.bits()) - 1)),
            Ty::S1 | Ty::S2 | Ty::S4 | Ty::S8 | Ty::Int => {
                let b = self.bits() - 1;
                Some((-(1i128 << b), (1i128 << b) - 1))
            }
            Ty::F4 | Ty::F8 => None,
        }
    }

    /// Whether every value stored as `self` is exactly a value of `to`: the input conversions a
    /// map does without being asked (U1 data into an F8 kernel, say), never one that could round
    /// or wrap. B1 converts to every number, as 0 and 1.
    pub fn converts_losslessly_to(self, to: Ty) -> bool {
        if self == to || self == Ty::B1 {
            return true;
        }
        match (self.int_range(), to.int_range()) {
            (Some((lo, hi)), Some((tlo, thi))) if to != Ty::B1 => tlo <= lo && hi <= thi,
            (Some(_), None) => {
                // an integer into a float: every value must be exactly representable
                let mantissa = if to == Ty::F8 { 53 } else { 24 };
                self.bits() <= mantissa
            }
            (None, None) => self == Ty::F4 && to == Ty::F8,
            _ => false,
        }
    }

    /// The signed or unsigned width type of `bits` bits.
    pub fn int_of(signed: bool, bits: u32) -> Option<Ty> {
        Some(match (signed, bits) {
            (false, 8) => Ty::U1,
            (false, 16) => Ty::U2,
            (false, 32) => Ty::U4,
            (false, 64) => Ty::U8,
            (true, 8) => Ty::S1,
            (true, 16) => Ty::S2,
            (true, 32) => Ty::S4,
            (true, 64) => Ty::S8,
            _ => return None,
        })
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
