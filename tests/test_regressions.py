"""Cases the differential campaign found, kept as named tests (docs/testing.md says how to add
one: a failing campaign prints a `check_program(...)` call ready to paste here)."""

from __future__ import annotations

import math

import numpy as np

from differential import MapPlan, check_program, load

HEADER = "import math\nfrom chunkjit import B1, F4, F8, S1, S2, S4, S8, U1, U2, U4, U8, chunk_kernel\n"


def test_float_literal_rounded_to_f4_is_not_python_exact():
    """`math.pi + f4`: the literal rounds to F4 where CPython keeps the F8 value. The checker
    folded that rounding into the constant, so the interpreter claimed `python_exact` for a
    result CPython does not give (found by the campaign, seed kernel below)."""
    check_program(HEADER + '''
@chunk_kernel(strict=True)
def h0(p0: B1, p1: B1) -> U2:
    return (0 + U2(p0))

@chunk_kernel(strict=True)
def kern(p0: B1) -> F4:
    return (math.pi + (math.pi + (F4(p0) + F4(p0))))
''', [(False,), (True,)])
    k = load(HEADER + "@chunk_kernel(strict=True)\ndef kern(x: F4) -> F4:\n    return x + 0.1\n")
    value, exact = k.compiled.interpret((0.0,))
    assert value == float(np.float32(0.1)) and not exact
    value, exact = k.compiled.interpret((0.5,))
    assert not exact  # 0.1 was rounded on the way in, whatever the sum rounds to


def test_int_literal_beyond_2_53_compared_with_a_float_is_not_python_exact():
    """`x < 9007199254740993` with an F8 `x`: the literal becomes the float 2**53, where CPython
    compares the int exactly; `python_exact` must say so."""
    k = load(HEADER + "@chunk_kernel(strict=True)\ndef kern(x: F8) -> B1:\n    return x < 9007199254740993\n")
    assert k.compiled.interpret((9007199254740992.0,)) == (False, False)
    assert k.py_func(9007199254740992.0) is True  # CPython: exact comparison
    check_program(HEADER + "@chunk_kernel(strict=True)\ndef kern(x: F8) -> B1:\n    return x < 9007199254740993\n",
                  [(9007199254740992.0,), (1.0,), (math.inf,)], MapPlan(parallel=True))


def test_int_literal_to_f4_rounds_once_like_a_run_time_conversion():
    """2**53 + 2**29 + 1 rounds to F4 as 2**53 + 2**30 (one rounding); via F8 first it would
    tie to 2**53. The literal and a run-time IntToFloat must agree."""
    v = 2**53 + 2**29 + 1
    lit = load(HEADER + f"@chunk_kernel(strict=True)\ndef kern(x: F4) -> F4:\n    return x + {v}\n")
    run = load(HEADER + "@chunk_kernel(strict=True)\ndef kern(x: F4, n: int) -> F4:\n    return x + n\n")
    got_lit, exact = lit.compiled.interpret((0.0,))
    assert got_lit == 2.0**53 + 2.0**30 and not exact
    assert lit.compiled.call((0.0,)) == got_lit
    assert run.compiled.interpret((0.0, v))[0] == got_lit


def test_constant_true_if_then_return_is_not_falling_off_the_end():
    """Found by the campaign. CPython leaves unreachable code out of a function's line table, so
    the source slice ended at the `if` and the kernel seemed to fall off its end: the source
    reader now takes the deeper-indented lines after the line table's last line."""
    check_program(HEADER + """
@chunk_kernel(strict=True)
def kern(p0: F8, p1: B1) -> F8:
    if (3 or p1):
        return (math.pi + abs(p0))
    else:
        p0 = p0
    return p0
""", [(1.0, False), (-2.0, True)])


def test_unreachable_tail_after_constant_if_is_part_of_the_kernel():
    check_program(HEADER + """
@chunk_kernel(strict=True)
def kern(p0: S8) -> S8:
    if True:
        return p0 + 1
    # unreachable from here on, but part of the function
    q: S8 = p0 * 2

    return q
""", [(0,), (-1,), (2**63 - 1,)])
