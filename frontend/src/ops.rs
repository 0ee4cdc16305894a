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

// ---------------------------------------------------------------------------------------------
// Type rules: which type an operation is performed in. The checker decides with these; the
// interpreter and the lowering find the outcome in the IR (every operand already converted).
//
// "Weak" operands follow numpy's NEP 50 for Python scalars: an int literal (or a frozen `int`
// constant, or an expression of literals only) takes the type of the other operand; a float
// literal is weak against F4. B1 in arithmetic counts as a weak int (`True + u8` is U8), so
// that it never forces a wider type.

/// Why an operation has no type in the subset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeRuleError {
    /// Two integer types with no common type (U8 with a signed type or with a non-literal `int`).
    NoCommonType(Ty, Ty),
    /// An integer-only operator (`<< >> & | ^ ~`) applied to a float.
    NeedsInteger { op: &'static str, ty: Ty },
}

impl TypeRuleError {
    /// The message, naming the operands as the user wrote them (`left`, `right`).
    pub fn message(self, left: &str, right: &str) -> String {
        match self {
            TypeRuleError::NoCommonType(l, r) => format!(
                "cannot mix {l} and {r} without an explicit cast (write {r}({left}) or {l}({right}))"
            ),
            TypeRuleError::NeedsInteger { op, ty } => {
                format!("operator '{op}' needs integer operands, not {ty}")
            }
        }
    }
}

/// The types one binary operation is performed in: both operands are converted to `operand`,
/// and the operation yields `result` (they differ only for comparisons, whose result is B1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BinaryRule {
    pub operand: Ty,
    pub result: Ty,
}

/// B1 in arithmetic is a weak int.
fn arith(t: Ty, weak: bool) -> (Ty, bool) {
    if t == Ty::B1 { (Ty::Int, true) } else { (t, weak) }
}

/// The common type of two integer types that are both typed (not weak).
fn common_int(l: Ty, r: Ty) -> Result<Ty, TypeRuleError> {
    if l == r {
        return Ok(l);
    }
    match (l, r) {
        (Ty::Int, t) | (t, Ty::Int) => {
            if t == Ty::U8 { Err(TypeRuleError::NoCommonType(l, r)) } else { Ok(t) }
        }
        _ if l.is_signed() == r.is_signed() => Ok(if l.bits() >= r.bits() { l } else { r }),
        _ => {
            let (u, s) = if l.is_unsigned() { (l, r) } else { (r, l) };
            // The smallest signed type holding both: twice the unsigned width, at least the signed.
            Ty::int_of(true, (u.bits() * 2).max(s.bits())).ok_or(TypeRuleError::NoCommonType(l, r))
        }
    }
}

/// The type two operands of arithmetic are brought to (`+ - * // % **`, the branches of
/// `x if c else y`, `and`/`or`, `min`/`max`).
pub fn common_type(l: Ty, l_weak: bool, r: Ty, r_weak: bool) -> Result<Ty, TypeRuleError> {
    let (l, lw) = arith(l, l_weak);
    let (r, rw) = arith(r, r_weak);
    Ok(match (lw, rw) {
        (true, true) => {
            if l.is_float() || r.is_float() { Ty::F8 } else { Ty::Int }
        }
        (true, false) => weak_with(l, r),
        (false, true) => weak_with(r, l),
        (false, false) => match (l.is_float(), r.is_float()) {
            (true, true) => if l == Ty::F8 || r == Ty::F8 { Ty::F8 } else { Ty::F4 },
            (true, false) => int_with_float(r, l),
            (false, true) => int_with_float(l, r),
            (false, false) => common_int(l, r)?,
        },
    })
}

/// A weak operand (int or float literal, possibly `Int` for B1) with a typed one.
fn weak_with(weak: Ty, typed: Ty) -> Ty {
    if weak.is_float() && !typed.is_float() { Ty::F8 } else { typed }
}

/// A typed integer with a float: numpy's rule (1- and 2-byte integers fit F4 exactly and stay
/// F4; wider integers need F8). A non-literal `int` with F4 stays F4, as a Python int does.
fn int_with_float(int: Ty, float: Ty) -> Ty {
    if float == Ty::F8 {
        Ty::F8
    } else if int == Ty::Int || int.size() <= 2 {
        Ty::F4
    } else {
        Ty::F8
    }
}

/// The rule of a binary operator.
pub fn binary_result(op: BinOp, l: Ty, r: Ty, l_weak: bool, r_weak: bool) -> Result<BinaryRule, TypeRuleError> {
    let same = |t: Ty| Ok(BinaryRule { operand: t, result: t });
    if !op.allows_float() {
        if let Some(f) = [l, r].into_iter().find(|t| t.is_float()) {
            return Err(TypeRuleError::NeedsInteger { op: op.symbol(), ty: f });
        }
        // `& | ^` of two bools stay bool, as in Python.
        if l == Ty::B1 && r == Ty::B1 && matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
            return same(Ty::B1);
        }
    }
    if op == BinOp::Div && !l.is_float() && !r.is_float() {
        // True division of integers is F8, whatever their widths (no common type needed).
        return same(Ty::F8);
    }
    same(common_type(l, l_weak, r, r_weak)?)
}

/// The types the two operands of a comparison are converted to. Usually their common type; a
/// U8 against a signed type compares exactly (the IR's one mixed case: U8 with S8 or `Int`).
pub fn compare_operands(l: Ty, l_weak: bool, r: Ty, r_weak: bool) -> Result<(Ty, Ty), TypeRuleError> {
    if l == Ty::B1 && r == Ty::B1 {
        return Ok((Ty::Int, Ty::Int));
    }
    match common_type(l, l_weak, r, r_weak) {
        Ok(t) => Ok((t, t)),
        Err(TypeRuleError::NoCommonType(a, b)) => {
            let wide = |t: Ty| if t == Ty::Int { Ty::Int } else { Ty::S8 };
            if a == Ty::U8 { Ok((Ty::U8, wide(b))) } else { Ok((wide(a), Ty::U8)) }
        }
        Err(e) => Err(e),
    }
}

/// Unary `-`, `+`, `~`: the type the operand is converted to, which is also the result's. B1
/// becomes `int` first, as in Python (`-True == -1`, `~True == -2`).
pub fn unary_result(op: UnOp, t: Ty) -> Result<Ty, TypeRuleError> {
    if op == UnOp::Invert && t.is_float() {
        return Err(TypeRuleError::NeedsInteger { op: "~", ty: t });
    }
    Ok(if t == Ty::B1 { Ty::Int } else { t })
}

/// The type of a local (or of the kernel's result) that is assigned values of types `a` and
/// `b`: their common type, where `int` and B1 values give way to any typed one
/// (`n = 0; n += u4` makes `n` a U4).
pub fn join(a: Ty, b: Ty) -> Result<Ty, TypeRuleError> {
    if a == b {
        return Ok(a);
    }
    let weak = |t: Ty| t == Ty::Int || t == Ty::B1;
    common_type(a, weak(a), b, weak(b))
}

/// The conversion a value of `from` takes to become a `to` without the user asking (an
/// assignment, an argument, a return, an operand): `Ok(None)` when none is needed, `Err(())`
/// where it needs an explicit cast (float -> integer, number -> bool).
#[allow(clippy::result_unit_err)]
pub fn implicit_convert(from: Ty, to: Ty) -> Result<Option<Convert>, ()> {
    if from == to {
        return Ok(None);
    }
    Ok(Some(match (from, to) {
        (Ty::B1, _) => Convert::FromBool,
        (_, Ty::B1) => return Err(()),
        // Only a U8 can hold a value `int` cannot; every other widening is exact.
        (Ty::U8, Ty::Int) => Convert::IntChecked,
        (f, t) if f.is_int() && t.is_int() => Convert::IntWrap,
        (f, t) if f.is_int() && t.is_float() => Convert::IntToFloat,
        (f, t) if f.is_float() && t.is_float() => Convert::FloatToFloat,
        _ => return Err(()),
    }))
}

/// The conversion of an explicit cast `T(x)` (`U1(x)`, `F4(x)`, `B1(x)`): integers wrap,
/// floats truncate toward zero (checked), anything becomes a bool by truth.
pub fn cast_convert(from: Ty, to: Ty) -> Option<Convert> {
    if from == to {
        return None;
    }
    Some(match (from, to) {
        (_, Ty::B1) => Convert::Truth,
        (Ty::B1, _) => Convert::FromBool,
        (f, t) if f.is_float() && t.is_int() => Convert::FloatToInt(RoundMode::Trunc),
        (f, t) if f.is_float() && t.is_float() => Convert::FloatToFloat,
        (f, t) if f.is_int() && t.is_float() => Convert::IntToFloat,
        _ => Convert::IntWrap,
    })
}

impl Builtin {
    /// The type every argument of a call has, given the call's type (`ExprKind::Call`).
    pub fn arg_type(self, call_ty: Ty) -> Ty {
        match self {
            Builtin::Abs | Builtin::Min | Builtin::Max => call_ty,
            Builtin::Math(_) => Ty::F8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Abs => "abs",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Math(f) => f.name(),
        }
    }
}
