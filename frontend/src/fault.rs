//! Runtime faults: what a kernel raises for one element, in the reference interpreter and in
//! compiled code alike. Compiled code reports a fault as a status code (see `code`).

use crate::source::Site;
use std::fmt;

/// Why an element failed. The numeric value is the status code compiled code returns in the
/// low 8 bits of its status word (0 is success, 255 is "interrupted" and belongs to the runtime).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FaultKind {
    /// Integer or float division or modulo by zero (ZeroDivisionError).
    ZeroDivision = 1,
    /// An `int` result that does not fit in 64 bits (OverflowError).
    IntOverflow = 2,
    /// Float -> integer conversion of NaN (ValueError).
    NanToInt = 3,
    /// Float -> integer conversion of an infinity or an out-of-range value (OverflowError).
    FloatToIntOverflow = 4,
    /// A negative shift count (ValueError).
    NegativeShift = 5,
    /// A math function outside its domain (ValueError: "math domain error").
    MathDomain = 6,
    /// A math function whose result overflows (OverflowError: "math range error").
    MathRange = 7,
    /// `range()` with a zero step (ValueError).
    RangeStepZero = 8,
    /// An integer raised to a negative power (ValueError).
    NegativePower = 9,
    /// A float power whose result would be complex (ValueError).
    ComplexPower = 10,
}

pub const ALL_FAULTS: [FaultKind; 10] = [
    FaultKind::ZeroDivision,
    FaultKind::IntOverflow,
    FaultKind::NanToInt,
    FaultKind::FloatToIntOverflow,
    FaultKind::NegativeShift,
    FaultKind::MathDomain,
    FaultKind::MathRange,
    FaultKind::RangeStepZero,
    FaultKind::NegativePower,
    FaultKind::ComplexPower,
];

/// The Python exception class a fault becomes (chosen here, raised only in `pyext`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PyExc {
    ZeroDivisionError,
    OverflowError,
    ValueError,
}

impl FaultKind {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<FaultKind> {
        ALL_FAULTS.iter().copied().find(|f| f.code() == code)
    }

    pub fn exception(self) -> PyExc {
        match self {
            FaultKind::ZeroDivision => PyExc::ZeroDivisionError,
            FaultKind::IntOverflow | FaultKind::FloatToIntOverflow | FaultKind::MathRange => {
                PyExc::OverflowError
            }
            FaultKind::NanToInt
            | FaultKind::NegativeShift
            | FaultKind::MathDomain
            | FaultKind::RangeStepZero
            | FaultKind::NegativePower
            | FaultKind::ComplexPower => PyExc::ValueError,
        }
    }

    /// The message, worded as CPython words the same error where it has one.
    pub fn message(self) -> &'static str {
        match self {
            FaultKind::ZeroDivision => "division by zero",
            FaultKind::IntOverflow => "int result does not fit in 64 bits",
            FaultKind::NanToInt => "cannot convert float NaN to integer",
            FaultKind::FloatToIntOverflow => "float value out of range of the integer type",
            FaultKind::NegativeShift => "negative shift count",
            FaultKind::MathDomain => "math domain error",
            FaultKind::MathRange => "math range error",
            FaultKind::RangeStepZero => "range() arg 3 must not be zero",
            FaultKind::NegativePower => "integers to negative integer powers are not allowed",
            FaultKind::ComplexPower => "negative number cannot be raised to a fractional power",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A fault and the construct that raised it.
#[derive(Clone, Debug)]
pub struct Fault {
    pub kind: FaultKind,
    pub site: Site,
}
