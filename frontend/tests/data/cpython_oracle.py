"""The CPython side of the differential tests: reads `name xbits ybits` lines (IEEE-754 bits
in hex), evaluates `math.<name>` or a float operator on them, and prints one line per input:
`ok <bits>` or `err <ExceptionName>` (`err complex` where CPython returns a complex number).
Bools and ints (isnan, floor, ...) are printed as the bits of their float value."""
import math
import struct
import sys

BINARY = {"atan2", "hypot", "pow", "copysign", "fmod"}
OPERATORS = {
    "op_div": lambda x, y: x / y,
    "op_floordiv": lambda x, y: x // y,
    "op_mod": lambda x, y: x % y,
    "op_pow": lambda x, y: x ** y,
}


def from_bits(text):
    return struct.unpack("<d", struct.pack("<Q", int(text, 16)))[0]


def to_bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def evaluate(name, x, y):
    if name in OPERATORS:
        return OPERATORS[name](x, y)
    func = getattr(math, name)
    return func(x, y) if name in BINARY else func(x)


def main():
    out = []
    for line in sys.stdin:
        name, xs, ys = line.split()
        try:
            r = evaluate(name, from_bits(xs), from_bits(ys))
            if isinstance(r, complex):
                out.append("err complex")
            else:
                out.append("ok " + to_bits(float(r)))
        except (ValueError, OverflowError, ZeroDivisionError) as e:
            out.append("err " + type(e).__name__)
    sys.stdout.write("\n".join(out) + "\n")


main()
