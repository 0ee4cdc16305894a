//! The operator and builtin tables. One row per operator, builtin and `math` function: the
//! checker, the reference interpreter and the code generator all read these rows, so adding an
//! operator is one row here plus one arm in each consumer.

use crate::types::Ty;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    /// `/`: true division, float operands and result.
    Div,
    /// `//`: floor division (Python's sign rules).
    FloorDiv,
    /// `%`: the result takes the divisor's sign (Python).
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Pos,
    /// `~x`
    Invert,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// How a float becomes an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoundMode {
    /// Toward zero: `int(x)`, casts, `math.trunc`.
    Trunc,
    Floor,
    Ceil,
    /// Half to even: `round(x)`.
    HalfEven,
}

/// A conversion from an expression's type to another (`ExprKind::Convert`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Convert {
    /// Integer -> integer modulo 2**bits of the target: explicit width casts (`U1(x)`) and the
    /// implicit conversion of an `int` operand mixed with a width type.
    IntWrap,
    /// Integer -> integer, OverflowError where the value does not fit the target (`int(u)` of a
    /// U8 above 2**63-1).
    IntChecked,
    /// Integer -> float, rounded to nearest.
    IntToFloat,
    /// Float -> float: F8 -> F4 rounds to nearest, F4 -> F8 is exact.
    FloatToFloat,
    /// Float -> integer with the given rounding: NaN faults `NanToInt`, an infinity or a value
    /// outside the target's range faults `FloatToIntOverflow`.
    FloatToInt(RoundMode),
    /// Any -> B1: `x != 0` (NaN is true).
    Truth,
    /// B1 -> any number: 0 or 1.
    FromBool,
}

/// The functions of `math` in the subset. Every argument and result is F8 unless the row says
/// otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    Sqrt,
    Exp,
    Expm1,
    Log,
    Log1p,
    Log2,
    Log10,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Hypot,
    Pow,
    Fabs,
    Floor,
    Ceil,
    Trunc,
    Copysign,
    Fmod,
    Erf,
    Erfc,
    Gamma,
    Lgamma,
    Isnan,
    Isinf,
    Isfinite,
}

/// What a `math` function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathResult {
    /// An F8.
    Float,
    /// An `int` (floor, ceil, trunc: Python returns an int).
    Int(RoundMode),
    /// A B1 (isnan, isinf, isfinite).
    Bool,
}

pub struct MathRow {
    pub func: MathFn,
    pub name: &'static str,
    pub arity: usize,
    pub result: MathResult,
}

const fn row(func: MathFn, name: &'static str, arity: usize, result: MathResult) -> MathRow {
    MathRow { func, name, arity, result }
}

use MathResult::{Bool as B, Float as F};
pub const MATH_TABLE: [MathRow; 32] = [
    row(MathFn::Sqrt, "sqrt", 1, F),
    row(MathFn::Exp, "exp", 1, F),
    row(MathFn::Expm1, "expm1", 1, F),
    row(MathFn::Log, "log", 1, F),
    row(MathFn::Log1p, "log1p", 1, F),
    row(MathFn::Log2, "log2", 1, F),
    row(MathFn::Log10, "log10", 1, F),
    row(MathFn::Sin, "sin", 1, F),
    row(MathFn::Cos, "cos", 1, F),
    row(MathFn::Tan, "tan", 1, F),
    row(MathFn::Asin, "asin", 1, F),
    row(MathFn::Acos, "acos", 1, F),
    row(MathFn::Atan, "atan", 1, F),
    row(MathFn::Atan2, "atan2", 2, F),
    row(MathFn::Sinh, "sinh", 1, F),
    row(MathFn::Cosh, "cosh", 1, F),
    row(MathFn::Tanh, "tanh", 1, F),
    row(MathFn::Hypot, "hypot", 2, F),
    row(MathFn::Pow, "pow", 2, F),
    row(MathFn::Fabs, "fabs", 1, F),
    row(MathFn::Floor, "floor", 1, MathResult::Int(RoundMode::Floor)),
    row(MathFn::Ceil, "ceil", 1, MathResult::Int(RoundMode::Ceil)),
    row(MathFn::Trunc, "trunc", 1, MathResult::Int(RoundMode::Trunc)),
    row(MathFn::Copysign, "copysign", 2, F),
    row(MathFn::Fmod, "fmod", 2, F),
    row(MathFn::Erf, "erf", 1, F),
    row(MathFn::Erfc, "erfc", 1, F),
    row(MathFn::Gamma, "gamma", 1, F),
    row(MathFn::Lgamma, "lgamma", 1, F),
    row(MathFn::Isnan, "isnan", 1, B),
    row(MathFn::Isinf, "isinf", 1, B),
    row(MathFn::Isfinite, "isfinite", 1, B),
];

/// `math` constants of the subset.
pub const MATH_CONSTANTS: [(&str, f64); 5] = [
    ("pi", std::f64::consts::PI),
    ("e", std::f64::consts::E),
    ("tau", std::f64::consts::TAU),
    ("inf", f64::INFINITY),
    ("nan", f64::NAN),
];

impl MathFn {
    pub fn row(self) -> &'static MathRow {
        // The table is indexed by declaration order; the test below holds that.
        &MATH_TABLE[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.row().name
    }

    pub fn from_name(name: &str) -> Option<MathFn> {
        MATH_TABLE.iter().find(|r| r.name == name).map(|r| r.func)
    }
}

/// Builtins and `math` functions as the IR calls them (`ExprKind::Call`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `abs(x)`: arg and result of the call's type. Wraps for width types (`abs(S1(-128))` is
    /// -128), faults `IntOverflow` for `int` MIN, clears the sign of floats.
    Abs,
    /// `min(a, b, ...)` / `max(...)`: every argument converted to the call's type; Python's rule
    /// (the first of equal values wins; a NaN first argument stays).
    Min,
    Max,
    /// A `math` function with F8 arguments. Floor/ceil/trunc are not here: the checker turns
    /// them into `Convert::FloatToInt` (or drops them for integer arguments).
    Math(MathFn),
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
        }
    }

    /// Whether the operator is defined on floats (`<< >> & | ^` are integer-only).
    pub fn allows_float(self) -> bool {
        !matches!(self, BinOp::LShift | BinOp::RShift | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor)
    }
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// The result type of a `math` function row.
pub fn math_result_type(func: MathFn) -> Ty {
    match func.row().result {
        MathResult::Float => Ty::F8,
        MathResult::Int(_) => Ty::Int,
        MathResult::Bool => Ty::B1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_table_is_in_declaration_order() {
        for (i, r) in MATH_TABLE.iter().enumerate() {
            assert_eq!(r.func as usize, i, "{}", r.name);
            assert_eq!(MathFn::from_name(r.name), Some(r.func));
        }
    }
}
