"""Hypothesis strategies for random, well-typed kernels of the subset, and for their inputs.

`programs()` draws a `Program`: the text of a small module holding zero to two helper kernels
and one main kernel, typed right by construction. The generator carries a Python port of the
type rules of `frontend/src/ops.rs` (`common_type`, `binary_result`, `unary_result`, the
implicit conversions), so every operand pair it writes has a type, every literal fits the type
it takes, and every value stored into a local, an argument or the result converts implicitly
or through an explicit cast. A kernel the checker still rejects is a disagreement between this
port and the checker, and worth a look (the differential test counts such discards).

`rows(types)` draws argument tuples for given parameter types, biased to the values where
arithmetic goes wrong: 0, +-1, MIN, MAX, +-2**k+-1, NaN, +-inf, -0.0, subnormals, huge and tiny.

Two things keep a generated kernel comparable with CPython running the same source:
- loops are bounded (a counter, at most 4 iterations each, nested at most twice), and
  `**` / `<<` on integers take small exponents and counts, so Python's unbounded ints cannot blow
  up while the reference interpreter says `python_exact`;
- in "faithful" programs an integer value stored into a float slot (a local, a parameter, the
  result, a branch of `x if c else y`, `min`/`max`, `and`/`or`) goes through an explicit
  `float()`/`F4()` cast: CPython would keep the int there and compute later operations exactly,
  where the kernel computes them in floating point.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

from hypothesis import strategies as st

# -- the type rules (a port of frontend/src/ops.rs) --------------------------------------------

INT_TYPES = ["U1", "U2", "U4", "U8", "S1", "S2", "S4", "S8", "int"]
WIDTH_TYPES = INT_TYPES[:-1]
FLOAT_TYPES = ["F4", "F8"]
ALL_TYPES = ["B1", *INT_TYPES, *FLOAT_TYPES]

BITS = {"B1": 1, "U1": 8, "U2": 16, "U4": 32, "U8": 64, "S1": 8, "S2": 16, "S4": 32, "S8": 64,
        "int": 64, "F4": 32, "F8": 64}


def is_float(t: str) -> bool:
    return t in ("F4", "F8")


def is_int(t: str) -> bool:
    return t in INT_TYPES


def is_signed(t: str) -> bool:
    return t[0] == "S" or t == "int"


def int_range(t: str) -> tuple[int, int]:
    if t == "B1":
        return 0, 1
    bits = BITS[t]
    if is_signed(t):
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def fits(v: int, t: str) -> bool:
    lo, hi = int_range(t)
    return lo <= v <= hi


class NoCommonType(Exception):
    pass


class NeedsInteger(Exception):
    pass


def _common_int(l: str, r: str) -> str:
    if l == r:
        return l
    if "int" in (l, r):
        t = r if l == "int" else l
        if t == "U8":
            raise NoCommonType(l, r)
        return t
    if is_signed(l) == is_signed(r):
        return l if BITS[l] >= BITS[r] else r
    u, s = (l, r) if not is_signed(l) else (r, l)
    bits = max(BITS[u] * 2, BITS[s])
    if bits > 64:
        raise NoCommonType(l, r)
    return f"S{bits // 8}"


def common_type(l: str, lw: bool, r: str, rw: bool) -> str:
    if l == "B1":
        l, lw = "int", True
    if r == "B1":
        r, rw = "int", True
    if lw and rw:
        return "F8" if is_float(l) or is_float(r) else "int"
    if lw:
        return "F8" if is_float(l) and not is_float(r) else r
    if rw:
        return "F8" if is_float(r) and not is_float(l) else l
    if is_float(l) and is_float(r):
        return "F8" if "F8" in (l, r) else "F4"
    if is_float(l) or is_float(r):
        i, f = (r, l) if is_float(l) else (l, r)
        if f == "F8":
            return "F8"
        return "F4" if i == "int" or BITS[i] <= 16 else "F8"
    return _common_int(l, r)


BIT_OPS = ("<<", ">>", "&", "|", "^")


def binary_type(op: str, l: str, r: str, lw: bool, rw: bool) -> str:
    """(operand type is the result type for every arithmetic operator)"""
    if op in BIT_OPS:
        if is_float(l) or is_float(r):
            raise NeedsInteger(op)
        if l == "B1" and r == "B1" and op in ("&", "|", "^"):
            return "B1"
    if op == "/" and not is_float(l) and not is_float(r):
        return "F8"
    return common_type(l, lw, r, rw)


def implicit_ok(src: str, dst: str) -> bool:
    if src == dst or src == "B1":
        return True
    if dst == "B1":
        return False
    return not (is_float(src) and not is_float(dst))


# -- expressions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class E:
    """A generated expression: its text (parenthesised where it is compound), its type, and
    whether it is weak (a literal, a math constant or a frozen module constant)."""

    src: str
    ty: str
    weak: bool = False


def _int_specials(t: str) -> list[int]:
    lo, hi = int_range(t)
    vals = {0, 1, -1, 2, 3, 5, 7, 10, 100, 255, 256, lo, hi, lo + 1, hi - 1}
    for k in range(1, BITS[t] + 1):
        for v in (1 << k, -(1 << k)):
            vals.update((v - 1, v, v + 1))
    return sorted(v for v in vals if lo <= v <= hi)


INT_SPECIALS = {t: _int_specials(t) for t in INT_TYPES}
INT_SPECIALS["B1"] = [0, 1]


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


F8_SPECIALS = [
    0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.0, 0.1, 255.9, 256.0, -128.5, 1e-300,
    5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    1e300, 1e16, 2.0**31, 2.0**32, 2.0**53, 2.0**53 + 2, 2.0**63, -(2.0**63), 2.0**64, 1e-7,
    171.5, 710.0, -710.0, 3.4028234663852886e38, 1.401298464324817e-45, math.pi, -math.pi / 2,
    math.inf, -math.inf, math.nan, 4.0, -3.0, 1e-320, 0.9999999999999999, 1.0000000000000002,
    # just inside and outside the integer types (float -> int conversions)
    -0.9, 127.9, 128.0, -129.0, 65535.9, 65536.0, -32768.9, 2147483647.9, -2147483648.9,
    4294967295.9, 4294967296.0, 2.0**63 - 1024, -(2.0**63) - 2048, 2.0**64 - 2048,
    # round() half to even
    0.5, 3.5, -3.5, 4503599627370495.5, 2.0**52 + 1,
]
F4_SPECIALS = sorted({_f32(x) for x in F8_SPECIALS if abs(x) < 3.5e38 or not math.isfinite(x)},
                     key=repr)
FLOAT_LITERALS = [0.0, 0.5, 1.5, 2.5, 3.0, 0.1, 1e-300, 5e-324, 1e300, 1.7976931348623157e308,
                  2.0**53, 2.0**63, 255.9, 1e16, 1e-7, 709.5]
MATH_CONSTS = ["math.pi", "math.e", "math.tau", "math.inf", "math.nan"]

MATH_1 = ["sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin",
          "acos", "atan", "sinh", "cosh", "tanh", "fabs", "erf", "erfc", "gamma", "lgamma"]
MATH_2 = ["atan2", "hypot", "pow", "copysign", "fmod"]
MATH_BOOL = ["isnan", "isinf", "isfinite"]
MATH_ROUND = ["floor", "ceil", "trunc"]

ARITH_OPS = ["+", "-", "*", "/", "//", "%", "**"]
CMP_OPS = ["==", "!=", "<", "<=", ">", ">="]
AUG_FLOAT = ["+", "-", "*", "/", "//", "%", "**"]
AUG_INT = ["+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^"]


def cast_name(t: str, pick) -> str:
    """The spelling of a cast to `t` (builtins for int/float/bool some of the time)."""
    if t == "int":
        return "int"
    if t == "F8":
        return pick(["float", "F8"])
    if t == "B1":
        return pick(["bool", "B1"])
    return t


def literal_value(src: str) -> int:
    """The value of an int literal as written (a module constant counts as out of range)."""
    try:
        return int(src.strip("()"))
    except ValueError:
        return 1 << 64


def int_lit_src(v: int) -> str:
    return str(v) if v >= 0 else f"({v})"


def float_lit_src(f: float) -> str:
    return repr(f) if not math.copysign(1.0, f) < 0 else f"({f!r})"


@dataclass
class Helper:
    name: str
    params: list[str]
    ret: str


@dataclass
class Program:
    """A generated module: its text, the main kernel's name and types, and its helpers."""

    text: str
    name: str
    params: list[str]
    ret: str
    helpers: list[Helper] = field(default_factory=list)
    faithful: bool = True
    #: Only `int`, F8 and B1 anywhere (CPython's ints and floats are these exactly): a fault the
    #: reference interpreter raises, CPython raises too (bar the listed deviations).
    pure: bool = False


class KernelWriter:
    """Writes one kernel function, drawing every choice from hypothesis."""

    def __init__(self, draw, *, types: list[str], faithful: bool, helpers: list[Helper],
                 max_expr_depth: int, max_block_depth: int):
        self.draw = draw
        self.types = types
        self.int_types = [t for t in types if is_int(t)]
        self.faithful = faithful
        self.helpers = helpers
        self.max_expr_depth = max_expr_depth
        self.max_block_depth = max_block_depth
        self.readable: list[tuple[str, str]] = []
        self.assignable: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self.fresh = 0
        self.loop_depth = 0

    # -- choices --

    def n(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def pick(self, seq):
        return seq[self.n(0, len(seq) - 1)]

    def chance(self, percent: int) -> bool:
        return self.n(0, 99) < percent

    def new_name(self, prefix: str) -> str:
        self.fresh += 1
        return f"{prefix}{self.fresh}"

    # -- literals --

    def int_literal(self, t: str) -> int:
        """An int literal fitting `t` (any 64-bit value for B1/float contexts)."""
        pool = INT_SPECIALS[t if is_int(t) else "int"]
        if self.chance(40):
            return self.pick([v for v in pool if -8 <= v <= 8] or pool)
        return self.pick(pool)

    def literal_for(self, t: str) -> E:
        """A weak literal operand next to a typed operand of type `t`."""
        if is_float(t):
            k = self.n(0, 5)
            if k == 0:
                return E(self.pick(MATH_CONSTS), "F8", True)
            if k <= 2:
                return E(float_lit_src(self.pick(FLOAT_LITERALS) * self.pick([1, -1])), "F8", True)
            if k == 3:
                return E("K_FLT", "F8", True) if self.chance(50) else E("K_INT", "int", True)
        if is_int(t) and self.chance(10):
            # A float literal with an integer operand makes the operation F8.
            return E(float_lit_src(self.pick(FLOAT_LITERALS)), "F8", True)
        if t == "int" and self.chance(10):
            return E("K_INT", "int", True)
        return E(int_lit_src(self.int_literal(t)), "int", True)

    def typed_constant(self, t: str) -> E:
        """A literal made typed by a cast: `U1(200)`, `F4(0.5)`, `True`."""
        if t == "B1":
            return E(self.pick(["True", "False"]), "B1")
        if is_float(t):
            k = self.n(0, 3)
            src = self.pick(MATH_CONSTS) if k == 0 else float_lit_src(self.pick(FLOAT_LITERALS) * self.pick([1, -1]))
            return E(f"{cast_name(t, self.pick)}({src})", t)
        v = self.int_literal(t)
        if t == "int":
            # `int(5)` would stay a weak literal; `int(5.0)` is a typed int.
            exact = [x for x in INT_SPECIALS["int"] if float(x) == x]
            v = v if float(v) == v else self.pick(exact)
            return E(f"int({float_lit_src(float(v))})", "int")
        if self.chance(15):
            v = self.n(-(1 << 64), (1 << 64) - 1)  # a cast of a literal wraps at compile time
        return E(f"{t}({int_lit_src(v)})", t)

    # -- conversions --

    def cast(self, e: E, t: str) -> E:
        if e.ty == t and not e.weak:
            return e
        if e.weak:
            # `float(5)` and `int(5)` of a literal stay weak; the type's own cast does not.
            if t == "int":
                return E(f"int(float({e.src}))", t) if e.ty == "int" else E(f"int({e.src})", t)
            return E(f"{t}({e.src})", t)
        return E(f"{cast_name(t, self.pick)}({e.src})", t)

    def store(self, e: E, t: str) -> E:
        """`e` as a value stored into a slot of type `t` (implicitly where allowed)."""
        if e.weak:
            # Literal operands are only written next to typed ones; here, type them.
            return self.cast(e, t)
        if e.ty == t:
            return e
        if implicit_ok(e.ty, t) and not (self.faithful and is_int(e.ty) and is_float(t)):
            return e
        return self.cast(e, t)

    # -- expressions --

    def expr_of(self, t: str, depth: int) -> E:
        """An expression of exactly type `t`."""
        k = self.n(0, 99)
        if k < 30:
            vars_t = [v for v in self.readable if v[1] == t]
            if vars_t:
                name, ty = self.pick(vars_t)
                return E(name, ty)
        if k < 75 and depth > 0:
            return self.built_of(t, depth)
        e = self.expr(depth)
        return e if e.ty == t else self.cast(e, t)

    def built_of(self, t: str, depth: int) -> E:
        """An operation performed in type `t` on operands of type `t` (so that most arithmetic
        stays in one type instead of passing through casts)."""
        k = self.n(0, 9)
        if t == "B1":
            if k < 4:
                return self.compare(depth)
            a, b = self.expr_of("B1", depth - 1), self.expr_of("B1", depth - 1)
            if k < 7:
                return E(f"({a.src} {self.pick(['&', '|', '^'])} {b.src})", "B1")
            if k < 9:
                return E(f"(not {a.src})", "B1")
            return E(f"math.{self.pick(MATH_BOOL)}({self.expr(depth - 1).src})", "B1")
        a = self.expr_of(t, depth - 1)
        if k < 6:
            ops = ["+", "-", "*", "//", "%"] + (["/", "**"] if is_float(t) else ["**", *BIT_OPS])
            op = self.pick(ops)
            if op in ("**", "<<", ">>") and not is_float(t):
                return E(f"({a.src} {op} {self.small_count(op, t, depth - 1).src})",
                         binary_type(op, t, "int", False, True))
            b = self.literal_for(t) if self.chance(30) else self.expr_of(t, depth - 1)
            if b.weak and b.ty == "F8" and not is_float(t):
                b = E(int_lit_src(self.int_literal(t)), "int", True)
            if self.chance(20):
                a, b = b, a
            if a.weak and b.weak:
                a = self.expr_of(t, depth - 1)
            return E(f"({a.src} {op} {b.src})", t)
        if k == 6:
            return E(f"(-{a.src})", t)
        if k == 7:
            b = self.expr_of(t, depth - 1)
            return E(f"{self.pick(['min', 'max'])}({a.src}, {b.src})", t)
        if k == 8:
            return E(f"abs({a.src})", t)
        c = self.expr(depth - 1)
        b = self.expr_of(t, depth - 1)
        return E(f"({a.src} if {c.src} else {b.src})", t)

    def leaf(self) -> E:
        if self.readable and self.chance(80):
            name, ty = self.pick(self.readable)
            return E(name, ty)
        return self.typed_constant(self.pick(self.types))

    def expr(self, depth: int) -> E:
        """A typed (non-weak) expression of any type."""
        if depth <= 0:
            return self.leaf()
        k = self.n(0, 99)
        if k < 15:
            return self.leaf()
        if k < 45:
            return self.binary(depth)
        if k < 52:
            return self.unary(depth)
        if k < 62:
            return self.compare(depth)
        if k < 67:
            return self.bool_op(depth)
        if k < 72:
            return self.ternary(depth)
        if k < 84:
            return self.builtin(depth)
        if k < 95:
            return self.math_call(depth)
        if self.helpers:
            return self.kernel_call(depth)
        return self.binary(depth)

    def operand_pair(self, depth: int) -> tuple[E, E]:
        """Two operands, one of them maybe a weak literal that fits the other's type."""
        a = self.expr(depth - 1)
        if self.chance(30):
            lit = self.literal_for(a.ty)
            return (lit, a) if self.chance(25) else (a, lit)
        return a, self.expr(depth - 1)

    def unify(self, a: E, b: E) -> tuple[E, E, str]:
        """Brings two operands to a common type (casting `b` where they have none); in a
        faithful kernel an integer branch mixed with a float one is cast explicitly."""
        try:
            t = common_type(a.ty, a.weak, b.ty, b.weak)
        except NoCommonType:
            b = self.cast(b, a.ty)
            t = a.ty
        if self.faithful and is_float(t):
            if not a.weak and not is_float(a.ty) and a.ty != "B1":
                a = self.cast(a, t)
            if not b.weak and not is_float(b.ty) and b.ty != "B1":
                b = self.cast(b, t)
        return a, b, t

    def binary(self, depth: int) -> E:
        op = self.pick(ARITH_OPS + list(BIT_OPS))
        a, b = self.operand_pair(depth)
        if op in BIT_OPS and (is_float(a.ty) or is_float(b.ty)):
            if self.chance(70):
                op = self.pick(ARITH_OPS)
            else:
                t = self.pick(self.int_types)
                a, b = (x if not (x.weak or is_float(x.ty)) else
                        E(int_lit_src(self.int_literal(t)), "int", True) if x.weak else self.cast(x, t)
                        for x in (a, b))
        if op in ("<<", ">>", "**"):
            return self.bounded_power(op, a, b, depth)
        try:
            t = binary_type(op, a.ty, b.ty, a.weak, b.weak)
        except NoCommonType:
            b = self.cast(b, a.ty)
            t = binary_type(op, a.ty, b.ty, a.weak, b.weak)
        except NeedsInteger:  # unreachable: floats were handled above
            return self.leaf()
        if t == "int" and a.weak and b.weak:
            return self.leaf()
        return E(f"({a.src} {op} {b.src})", t)

    def bounded_power(self, op: str, a: E, b: E, depth: int) -> E:
        """`a ** b`, `a << b`, `a >> b` where an integer exponent or count stays small (CPython's
        ints would otherwise grow without bound); float powers are unrestricted."""
        if a.weak and b.weak:
            a = self.typed_constant(self.pick(self.int_types))
        try:
            t = binary_type(op, a.ty, b.ty, a.weak, b.weak)
        except NoCommonType:
            b = self.cast(b, a.ty)
            t = binary_type(op, a.ty, b.ty, a.weak, b.weak)
        if is_float(t):
            return E(f"({a.src} {op} {b.src})", t)
        base = a if not a.weak else self.cast(a, t)
        count = self.small_count(op, t, depth)
        try:
            t = binary_type(op, base.ty, count.ty, base.weak, count.weak)
        except NoCommonType:  # `int` base, U8 count: the count takes the base's type
            count = self.cast(count, base.ty)
            t = binary_type(op, base.ty, count.ty, base.weak, count.weak)
        return E(f"({base.src} {op} {count.src})", t)

    def small_count(self, op: str, t: str, depth: int) -> E:
        """An exponent or shift count for integer type `t`: a small literal (rarely negative:
        NegativeShift / NegativePower), or a typed value reduced modulo a small bound."""
        limit = 7 if op == "**" else BITS[t] + 8
        if self.chance(60):
            lo = -2 if is_signed(t) and self.chance(10) else 0
            return E(int_lit_src(self.n(lo, limit)), "int", True)
        c = self.expr(depth - 1)
        if is_float(c.ty) or c.ty == "B1":
            c = self.cast(c, t)
        try:
            binary_type("%", c.ty, t, False, False)
        except NoCommonType:
            c = self.cast(c, t)
        return E(f"({c.src} % {limit})", c.ty)

    def unary(self, depth: int) -> E:
        a = self.expr(depth - 1)
        k = self.n(0, 3)
        if k == 0:
            return E(f"(not {a.src})", "B1")
        if k == 3 and not is_float(a.ty):
            return E(f"(~{a.src})", "int" if a.ty == "B1" else a.ty)
        op = "-" if k != 2 else "+"
        return E(f"({op}{a.src})", "int" if a.ty == "B1" else a.ty)

    def compare(self, depth: int) -> E:
        a, b = self.operand_pair(depth)
        parts = [a.src, self.pick(CMP_OPS), b.src]
        if self.chance(25):
            c = self.expr(depth - 1) if self.chance(70) else self.literal_for(b.ty)
            parts += [self.pick(CMP_OPS), c.src]
        return E(f"({' '.join(parts)})", "B1")

    def bool_op(self, depth: int) -> E:
        a, b = self.operand_pair(depth)
        a, b, t = self.unify(a, b)
        op = self.pick(["and", "or"])
        if t == "int" and a.weak and b.weak:
            return self.leaf()
        return E(f"({a.src} {op} {b.src})", t)

    def ternary(self, depth: int) -> E:
        a, b = self.operand_pair(depth)
        a, b, t = self.unify(a, b)
        if t == "int" and a.weak and b.weak:
            return self.leaf()
        c = self.expr(depth - 1)
        return E(f"({a.src} if {c.src} else {b.src})", t)

    def builtin(self, depth: int) -> E:
        k = self.n(0, 6)
        a = self.expr(depth - 1)
        if k == 0:
            return E(f"abs({a.src})", "int" if a.ty == "B1" else a.ty)
        if k == 1:
            args = [a]
            t, weak = a.ty, False
            for _ in range(self.n(1, 2)):
                b = self.literal_for(t) if self.chance(30) else self.expr(depth - 1)
                try:
                    t2 = common_type(t, weak, b.ty, b.weak)
                except NoCommonType:
                    b = self.cast(b, t)
                    t2 = t
                args.append(b)
                t = t2
            if self.faithful and is_float(t):
                args = [x if x.weak or is_float(x.ty) or x.ty == "B1" else self.cast(x, t) for x in args]
            if is_int(t):
                # A literal takes the type of the whole call, which later arguments may narrow.
                args = [x if not (x.weak and x.ty == "int") or fits(literal_value(x.src), t)
                        else E(int_lit_src(self.int_literal(t)), "int", True) for x in args]
            f = self.pick(["min", "max"])
            return E(f"{f}({', '.join(x.src for x in args)})", t)
        if k == 2:
            return E(f"round({a.src})", "int" if is_float(a.ty) or a.ty == "B1" else a.ty)
        if k == 3:
            return E(f"int({a.src})", "int")
        if k == 4:
            return E(f"float({a.src})", "F8")
        if k == 5:
            return E(f"bool({a.src})", "B1")
        t = self.pick(self.types)
        return self.cast(a, t) if a.ty != t else E(f"{cast_name(t, self.pick)}({a.src})", t)

    def math_arg(self, depth: int) -> E:
        return self.expr(depth - 1)

    def math_call(self, depth: int) -> E:
        k = self.n(0, 9)
        if k <= 4:
            f = self.pick(MATH_1)
            if f == "log" and self.chance(20):
                return E(f"math.log({self.math_arg(depth).src}, {self.math_arg(depth).src})", "F8")
            return E(f"math.{f}({self.math_arg(depth).src})", "F8")
        if k <= 6:
            f = self.pick(MATH_2)
            a = self.math_arg(depth)
            b = self.math_arg(depth) if self.chance(75) else self.literal_for("F8")
            return E(f"math.{f}({a.src}, {b.src})", "F8")
        a = self.math_arg(depth)
        if k == 7:
            return E(f"math.{self.pick(MATH_BOOL)}({a.src})", "B1")
        f = self.pick(MATH_ROUND)
        if is_float(a.ty) or a.ty == "B1":
            t = "int"
        elif f == "trunc":
            t = "int"
        else:
            t = a.ty
        return E(f"math.{f}({a.src})", t)

    def kernel_call(self, depth: int) -> E:
        h = self.pick(self.helpers)
        args = [self.store(self.expr_of(p, depth - 1), p) for p in h.params]
        return E(f"{h.name}({', '.join(a.src for a in args)})", h.ret)

    # -- statements --

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def cond(self, depth: int) -> str:
        e = self.expr(depth)
        if self.chance(20):
            f = self.expr(max(depth - 1, 0))
            return f"{e.src} {self.pick(['and', 'or'])} {f.src}"
        return e.src

    def block(self, indent: int, depth: int, statements: int) -> None:
        for _ in range(statements):
            if self.statement(indent, depth):
                return  # nothing after a `return` in the same block

    def statement(self, indent: int, depth: int) -> bool:
        """Writes one statement; True when it was a `return`."""
        k = self.n(0, 99)
        d = self.max_expr_depth
        if k < 30 or not self.assignable:
            if not self.assignable:
                self.emit(indent, "pass")
                return False
            name, t = self.pick(self.assignable)
            self.emit(indent, f"{name} = {self.store(self.expr_of(t, d), t).src}")
        elif k < 50:
            self.aug_assign(indent, d)
        elif k < 62 and depth < self.max_block_depth:
            self.if_stmt(indent, depth)
        elif k < 69 and depth < self.max_block_depth:
            self.while_stmt(indent, depth)
        elif k < 76 and depth < self.max_block_depth:
            self.for_stmt(indent, depth)
        elif k < 82:
            self.swap(indent, d)
        elif k < 90 and self.loop_depth > 0:
            self.emit(indent, f"if {self.cond(d - 1)}:")
            self.emit(indent + 1, self.pick(["break", "continue"]))
        elif k < 94 and depth > 0:
            self.emit(indent, f"return {self.store(self.expr_of(self.ret, d), self.ret).src}")
            return True
        else:
            name, t = self.pick(self.assignable)
            self.emit(indent, f"{name} = {self.store(self.expr_of(t, d), t).src}")

    def aug_assign(self, indent: int, d: int) -> None:
        name, t = self.pick(self.assignable)
        if t == "B1":
            op = self.pick(["&", "|", "^"])
            value = self.expr_of("B1", d - 1)
            self.emit(indent, f"{name} {op}= {value.src}")
            return
        op = self.pick(AUG_FLOAT if is_float(t) else AUG_INT)
        if op in ("<<", ">>", "**") and not is_float(t):
            self.emit(indent, f"{name} {op}= {self.small_count(op, t, d - 1).src}")
            return
        value = self.literal_for(t) if self.chance(30) else self.expr(d - 1)
        try:
            result = binary_type(op, t, value.ty, False, value.weak)
        except (NoCommonType, NeedsInteger):
            result = None
        if result is None or not implicit_ok(result, t):
            value = self.cast(value, t) if not value.weak or is_float(t) else E(int_lit_src(self.int_literal(t)), "int", True)
            result = binary_type(op, t, value.ty, False, value.weak)
            if not implicit_ok(result, t):  # `/` on an integer local: assign instead
                self.emit(indent, f"{name} = {self.cast(E(f'({name} {op} {value.src})', result), t).src}")
                return
        if self.faithful and is_float(t) and not value.weak and is_int(value.ty) and result != t:
            value = self.cast(value, t)
        self.emit(indent, f"{name} {op}= {value.src}")

    def swap(self, indent: int, d: int) -> None:
        if len(self.assignable) < 2:
            return self.aug_assign(indent, d)
        a = self.pick(self.assignable)
        b = self.pick([v for v in self.assignable if v != a])
        if self.chance(50):
            va, vb = self.store(E(b[0], b[1]), a[1]), self.store(E(a[0], a[1]), b[1])
        else:
            va = self.store(self.expr_of(a[1], d - 1), a[1])
            vb = self.store(self.expr_of(b[1], d - 1), b[1])
        self.emit(indent, f"{a[0]}, {b[0]} = {va.src}, {vb.src}")

    def if_stmt(self, indent: int, depth: int) -> None:
        d = self.max_expr_depth
        self.emit(indent, f"if {self.cond(d - 1)}:")
        self.block(indent + 1, depth + 1, self.n(1, 3))
        for _ in range(self.n(0, 2)):
            self.emit(indent, f"elif {self.cond(d - 1)}:")
            self.block(indent + 1, depth + 1, self.n(1, 2))
        if self.chance(50):
            self.emit(indent, "else:")
            self.block(indent + 1, depth + 1, self.n(1, 2))

    def while_stmt(self, indent: int, depth: int) -> None:
        w = self.new_name("w")
        self.emit(indent, f"{w}: int = 0")
        # Parenthesised: `w < 4 and a or b` would read as `(w < 4 and a) or b`, which need not end.
        extra = f" and ({self.cond(self.max_expr_depth - 1)})" if self.chance(50) else ""
        self.emit(indent, f"while {w} < {self.n(1, 4)}{extra}:")
        self.emit(indent + 1, f"{w} += 1")
        self.readable.append((w, "int"))
        self.loop_depth += 1
        self.block(indent + 1, depth + 1, self.n(1, 3))
        self.loop_depth -= 1
        self.readable.remove((w, "int"))

    def for_stmt(self, indent: int, depth: int) -> None:
        i = self.new_name("i")
        k = self.n(0, 3)
        if k == 0:
            header, ty = f"range({self.n(0, 4)})", "int"
        elif k == 1:
            a = self.n(-3, 3)
            header, ty = f"range({int_lit_src(a)}, {int_lit_src(a + self.n(-1, 4))})", "int"
        elif k == 2:
            step = self.pick([1, 2, -1, -2, 3])
            a = self.n(-4, 4)
            b = a + step * self.n(-1, 4)
            header, ty = f"range({int_lit_src(a)}, {int_lit_src(b)}, {int_lit_src(step)})", "int"
        else:
            e = self.expr(self.max_expr_depth - 1)
            t = e.ty if is_int(e.ty) else self.pick(self.int_types)
            e = e if e.ty == t else self.cast(e, t)
            if self.chance(50):
                header = f"range(({e.src} % 4))"
            else:
                header = f"range(1, ({e.src} % 5), 2)"
            ty = t
        self.emit(indent, f"for {i} in {header}:")
        self.readable.append((i, ty))
        self.loop_depth += 1
        self.block(indent + 1, depth + 1, self.n(1, 3))
        self.loop_depth -= 1
        self.readable.remove((i, ty))

    # -- the function --

    def function(self, name: str, params: list[str], ret: str, decorate: bool) -> list[str]:
        self.ret = ret
        self.readable = [(f"p{k}", t) for k, t in enumerate(params)]
        self.assignable = list(self.readable) if self.chance(50) else []
        sig = ", ".join(f"p{k}: {t}" for k, t in enumerate(params))
        if decorate:
            self.emit(0, "@chunk_kernel(strict=True)")
        self.emit(0, f"def {name}({sig}) -> {ret}:")
        if self.chance(10):
            self.emit(1, '"""A generated kernel."""')
        for _ in range(self.n(0, 3)):
            t = self.pick(self.types)
            v = self.new_name("v")
            value = self.store(self.expr_of(t, self.max_expr_depth), t)
            self.emit(1, f"{v}: {t} = {value.src}")
            self.readable.append((v, t))
            self.assignable.append((v, t))
        self.block(1, 0, self.n(0, 4))
        self.emit(1, f"return {self.store(self.expr_of(ret, self.max_expr_depth), ret).src}")
        return self.lines


@st.composite
def programs(draw, max_expr_depth: int = 3) -> Program:
    """A module with up to two helper kernels and a main kernel `kern`."""
    pure = draw(st.integers(0, 99)) < 25
    types = ["int", "F8", "B1"] if pure else ALL_TYPES
    faithful = pure or draw(st.integers(0, 99)) < 75
    helpers: list[Helper] = []
    k_int = draw(st.sampled_from([0, 1, 3, 7, 100, -5]))
    k_flt = draw(st.sampled_from([0.5, -0.0, 2.5, 1e-300, 1e300]))
    lines = [f"# generated ({'pure' if pure else 'mixed'})", "import math",
             "from chunkjit import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8, chunk_kernel",
             f"K_INT = {k_int}", f"K_FLT = {k_flt!r}", ""]
    for h in range(draw(st.integers(0, 2))):
        params = [draw(st.sampled_from(types)) for _ in range(draw(st.integers(1, 2)))]
        ret = draw(st.sampled_from(types))
        w = KernelWriter(draw, types=types, faithful=faithful, helpers=list(helpers),
                         max_expr_depth=2, max_block_depth=1)
        lines += w.function(f"h{h}", params, ret, decorate=True) + [""]
        helpers.append(Helper(f"h{h}", params, ret))
    params = [draw(st.sampled_from(types)) for _ in range(draw(st.integers(1, 3)))]
    ret = draw(st.sampled_from(types))
    w = KernelWriter(draw, types=types, faithful=faithful, helpers=helpers,
                     max_expr_depth=max_expr_depth, max_block_depth=2)
    lines += w.function("kern", params, ret, decorate=True)
    return Program("\n".join(lines) + "\n", "kern", params, ret, helpers, faithful, pure)


# -- inputs -----------------------------------------------------------------------------------


def values(t: str):
    """A strategy of Python scalars of kernel type `t`, biased to boundary values."""
    if t == "B1":
        return st.booleans()
    if is_int(t):
        lo, hi = int_range(t)
        return st.one_of(st.sampled_from(INT_SPECIALS[t]), st.integers(lo, hi))
    if t == "F4":
        return st.one_of(st.sampled_from(F4_SPECIALS), st.floats(width=32))
    return st.one_of(st.sampled_from(F8_SPECIALS), st.floats())


def rows(types: list[str], min_size: int = 4, max_size: int = 24):
    """A list of argument tuples for parameters of these types."""
    return st.lists(st.tuples(*(values(t) for t in types)), min_size=min_size, max_size=max_size)
