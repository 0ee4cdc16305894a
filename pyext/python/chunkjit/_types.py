"""The scalar types U1..U8, S1..S8, F4, F8, B1.

Each is usable as a dtype (``ChunkArray(F8)``, ``np.zeros(3, dtype=F8)``), as an annotation in a
kernel, and as a cast: calling it on a Python scalar converts the way C and numpy's ``astype``
do. Integer casts wrap modulo ``2**bits``; a float converts to an integer type by truncation
toward zero, and NaN, inf or a value out of the target's range raises (ValueError /
OverflowError) instead of producing garbage; ``F4`` rounds to the nearest float32.
"""

from __future__ import annotations

import math
import operator

import numpy as np

__all__ = ["ScalarType", "U1", "U2", "U4", "U8", "S1", "S2", "S4", "S8", "F4", "F8", "B1"]

class ScalarType:
    """One storage type: its name (``"U8"``), numpy dtype, size and value range."""

    __slots__ = ("name", "dtype", "itemsize", "kind", "bits", "min", "max")

    def __init__(self, name: str, dtype: str) -> None:
        self.name = name
        self.dtype = np.dtype(dtype)
        self.itemsize = self.dtype.itemsize
        self.kind = {"b": "bool", "u": "unsigned", "i": "signed", "f": "float"}[self.dtype.kind]
        self.bits = 1 if self.kind == "bool" else self.itemsize * 8
        if self.kind == "unsigned":
            self.min, self.max = 0, (1 << self.bits) - 1
        elif self.kind == "signed":
            self.min, self.max = -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1
        elif self.kind == "bool":
            self.min, self.max = False, True
        else:
            info = np.finfo(self.dtype)
            self.min, self.max = float(info.min), float(info.max)

    def __repr__(self) -> str:
        return f"chunkjit.{self.name}"

    def __reduce__(self) -> str:
        # Pickles as a reference to the module-level singleton.
        return self.name

    def __call__(self, value: object) -> int | float | bool:
        if self.kind == "bool":
            return bool(value)
        if self.kind == "float":
            return self._to_float(value)
        return self._to_int(value)

    def _to_float(self, value: object) -> float:
        x = float(_scalar(value, self.name))
        if self.name == "F8":
            return x
        # Round to nearest float32; past its range C and astype give +-inf (silently, as here).
        with np.errstate(over="ignore"):
            return float(np.float32(x))

    def _to_int(self, value: object) -> int:
        value = _scalar(value, self.name)
        if isinstance(value, (bool, np.bool_)):
            return int(bool(value))
        if isinstance(value, (float, np.floating)):
            x = float(value)
            if math.isnan(x):
                raise ValueError(f"cannot convert float NaN to {self.name}")
            if math.isinf(x):
                raise OverflowError(f"cannot convert float {x} to {self.name}")
            n = math.trunc(x)
            if not self.min <= n <= self.max:
                raise OverflowError(f"float {x!r} is out of range for {self.name}")
            return n
        n = operator.index(value)
        n &= (1 << self.bits) - 1
        if self.kind == "signed" and n > self.max:
            n -= 1 << self.bits
        return n


def _scalar(value: object, name: str) -> object:
    """A Python or numpy real scalar, else TypeError (strings are not parsed)."""
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return value
    raise TypeError(f"{name}() takes an int, float or bool, not {type(value).__name__}")


U1 = ScalarType("U1", "u1")
U2 = ScalarType("U2", "u2")
U4 = ScalarType("U4", "u4")
U8 = ScalarType("U8", "u8")
S1 = ScalarType("S1", "i1")
S2 = ScalarType("S2", "i2")
S4 = ScalarType("S4", "i4")
S8 = ScalarType("S8", "i8")
F4 = ScalarType("F4", "f4")
F8 = ScalarType("F8", "f8")
B1 = ScalarType("B1", "?")
