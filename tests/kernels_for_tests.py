"""Kernels shared by several test files. Defined in a real module so their source is readable."""

import math

from chunkjit import F4, F8, S4, S8, U1, U8, B1, chunk_kernel

SCALE = 3
OFFSET = 0.5


@chunk_kernel
def affine(x: F8) -> F8:
    return x * 2.0 + 1.0


@chunk_kernel
def branchy(x: F8) -> F8:
    if x > 0.0:
        return math.sqrt(x)
    elif x < -10.0:
        return -x
    return x * x


@chunk_kernel
def mix_hash(x: U8) -> U8:
    x ^= x >> 33
    x *= 0xFF51AFD7ED558CCD
    x ^= x >> 33
    x *= 0xC4CEB9FE1A85EC53
    x ^= x >> 33
    return x


@chunk_kernel
def scaled(x: F8) -> F8:
    return x * SCALE + OFFSET


@chunk_kernel
def add2(x: F8, y: F8) -> F8:
    return x + y


@chunk_kernel
def untyped_double(x):
    return x * 2


@chunk_kernel
def is_positive(x: F8) -> B1:
    return x > 0.0


@chunk_kernel
def even(x: S8) -> B1:
    return x % 2 == 0


@chunk_kernel
def plus(acc: F8, x: F8) -> F8:
    return acc + x


@chunk_kernel(associative=True)
def plus_assoc(acc: S8, x: S8) -> S8:
    return acc + x


@chunk_kernel
def safe_div(x: S8, y: S8) -> S8:
    return x // y


@chunk_kernel
def int_square(x: int) -> int:
    return x * x


@chunk_kernel
def brighten(p: U1) -> U1:
    v = S4(p) * 3 // 2 + 10
    if v > 255:
        v = 255
    return U1(v)


@chunk_kernel
def escape_count(c: F8) -> S4:
    z = 0.0
    n: S4 = 0
    while n < 50 and z * z <= 4.0:
        z = z * z + c
        n += 1
    return n


@chunk_kernel
def uses_callee(x: F8) -> F8:
    return affine(x) - 1.0


@chunk_kernel
def spin(x: F8) -> F8:
    while True:
        x = x + 1.0
    return x


@chunk_kernel
def count_up(x: F8) -> F8:
    # About 2**62 iterations: only an interrupt ends it in practice.
    for i in range(4611686018427387904):
        x = x + 1.0
    return x


@chunk_kernel
def halve(x: F4) -> F4:
    return x / 2.0
