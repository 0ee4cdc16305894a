"""@chunk_kernel: annotated kernels compile at decoration, unannotated ones per input types."""

import inspect
import math

import pytest

from chunkjit import F4, F8, S8, U1, U8, ChunkArray, FallbackWarning, KernelCompileError, chunk_kernel

import kernels_for_tests as K


def test_annotated_kernel_compiles_at_decoration():
    assert K.affine.mode == "native"
    assert K.affine.fallback_reason is None
    assert K.affine.signatures == ["(F8) -> F8"]


def test_unannotated_kernel_compiles_per_input_types():
    @chunk_kernel
    def twice(x):
        return x + x

    assert twice.mode == "native"
    assert twice.signatures == []
    assert twice(2.5) == 5.0
    assert twice(21) == 42
    arr = ChunkArray.from_iterable([1, 2, 3], U1)
    assert list(arr.map(twice)) == [2, 4, 6]
    assert sorted(twice.signatures) == sorted(["(F8) -> F8", "(int) -> int", "(U1) -> U1"])
    # the same input types again reuse the specialisation
    arr.map(twice)
    assert len(twice.signatures) == 3


def test_decorator_with_options():
    @chunk_kernel(strict=True)
    def f(x: F8) -> F8:
        return x - 1.0

    assert f(3.0) == 2.0
    assert f.strict is True


def test_globals_are_frozen_at_compile_time():
    assert K.scaled(1.0) == 1.0 * K.SCALE + K.OFFSET
    old = K.SCALE
    try:
        K.SCALE = 100  # too late: the value was frozen when the kernel compiled
        assert K.scaled(1.0) == 3.5
    finally:
        K.SCALE = old


def test_closure_constants_are_resolved():
    factor = 4

    @chunk_kernel
    def times(x: S8) -> S8:
        return x * factor

    assert times(5) == 20


def test_math_module_functions_and_constants():
    @chunk_kernel
    def circle(r: F8) -> F8:
        return math.pi * r * r + math.floor(r) + math.sqrt(r)

    assert circle(2.0) == math.pi * 4.0 + 2 + math.sqrt(2.0)


def test_kernel_calls_another_kernel():
    assert K.uses_callee(3.0) == 6.0
    arr = ChunkArray.from_iterable([1.0, 2.0], F8)
    assert list(arr.map(K.uses_callee)) == [2.0, 4.0]


def test_scalar_type_casts_inside_kernels():
    @chunk_kernel
    def low_byte(x: U8) -> U1:
        return U1(x)

    assert low_byte(0x1234) == 0x34


def test_wraps_like_functools():
    assert K.affine.__name__ == "affine"
    assert K.affine.__wrapped__ is K.affine.py_func
    assert K.affine.__module__ == "kernels_for_tests"


def test_docstring_kept():
    @chunk_kernel
    def documented(x: F8) -> F8:
        """Adds one."""
        return x + 1.0

    assert documented.__doc__ == "Adds one."
    assert documented(1.0) == 2.0


def test_strict_raises_with_the_diagnostic():
    with pytest.raises(KernelCompileError) as info:

        @chunk_kernel(strict=True)
        def talks(x: F8) -> F8:
            print(x)
            return x

    err = info.value
    lines, start = inspect.getsourcelines(test_strict_raises_with_the_diagnostic)
    expected = start + next(i for i, text in enumerate(lines) if "print(x)" in text)
    assert err.lineno == expected
    assert err.col == 13
    assert err.source_line.strip() == "print(x)"
    assert err.filename == __file__


def test_type_error_in_strict_mode():
    with pytest.raises(KernelCompileError, match="explicit cast"):

        @chunk_kernel(strict=True)
        def mixed(a: U8, b: S8) -> S8:
            return a + b
