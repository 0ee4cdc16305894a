"""The three-way comparison behind tests/test_differential.py and tests/test_regressions.py.

For one kernel module (source text) and argument rows:
(a) compiled code == the reference interpreter (`CompiledKernel.interpret`), bit for bit (NaN
    payloads aside), including the exception type, its message and the element it names: for
    scalar calls, for `map` over ChunkArrays with small chunks (some inputs ndarrays or broadcast
    scalars), and for parallel `map` over arrays long enough to be split across threads;
(b) the reference interpreter == CPython running the same source undecorated, wherever the
    interpreter says `python_exact`; for "pure" kernels (int/F8/B1 only) a fault the interpreter
    raises must be raised by CPython too, bar the documented deviations.

A mismatch raises `Mismatch`, whose message holds the source and the rows as a regression test
ready to paste into tests/test_regressions.py.
"""

from __future__ import annotations

import itertools
import linecache
import math
import signal
import struct
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from chunkjit import ChunkArray

NUMPY_DTYPE = {
    "B1": np.bool_, "U1": np.uint8, "U2": np.uint16, "U4": np.uint32, "U8": np.uint64,
    "S1": np.int8, "S2": np.int16, "S4": np.int32, "S8": np.int64, "int": np.int64,
    "F4": np.float32, "F8": np.float64,
}
FAULTS = (ZeroDivisionError, OverflowError, ValueError)
#: Elements in a map that runs on several threads (above runtime::ranges::PARALLEL_THRESHOLD).
PARALLEL_LEN = 70_000
#: The reference interpreter's step budget per call: generated loops run at most 4 iterations,
#: nested at most twice, in kernels calling at most a few others, so a few thousand steps suffice.
INTERPRET_STEPS = 1_000_000
#: Interpreter faults where CPython may legitimately go on (docs/semantics.md, "Deviations").
DEVIATING_FAULTS = (
    "int result does not fit in 64 bits",
    "float value out of range of the integer type",
    "integers to negative integer powers are not allowed",
    "negative number cannot be raised to a fractional power",
)

_module_ids = itertools.count()


class Mismatch(AssertionError):
    pass


@dataclass(frozen=True)
class Ok:
    value: object  # int, or ("f", bits) / ("f", "nan") for floats


@dataclass(frozen=True)
class Err:
    kind: str
    message: str


def lit(v) -> str:
    """A Python literal for a scalar (non-finite floats included)."""
    if isinstance(v, float) and not math.isfinite(v):
        return f"float('{v}')"
    return repr(v)


def rows_literal(rows) -> str:
    return "[" + ", ".join("(" + "".join(lit(x) + ", " for x in row) + ")" for row in rows) + "]"


def regression_text(text: str, rows, what: str) -> str:
    return (
        f"{what}\n\n--- paste into tests/test_regressions.py ---\n"
        f"def test_generated_regression():\n"
        f"    check_program('''\\\n{text}''', {rows_literal(rows)})\n"
    )


def norm(value, ty: str):
    """A result as comparable data: floats by their bits (every NaN alike), ints as ints."""
    if ty in ("F4", "F8"):
        x = float(value)
        if math.isnan(x):
            return ("f", "nan")
        return ("f", struct.pack("<d", x).hex())
    if isinstance(value, float):
        return ("float result", repr(value))
    return int(value)


class PythonTooSlow(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Stops CPython running a generated function that loops or grows ints for too long."""

    def fire(signum, frame):
        raise PythonTooSlow()

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Loaded:
    text: str
    kernel: object  # chunkjit.Kernel
    compiled: object  # chunkjit._native.CompiledKernel
    py_func: object  # the same source, undecorated
    params: list
    ret: str
    faithful: bool = True
    pure: bool = False


def load(text: str, name: str = "kern") -> Loaded:
    """Executes a generated module twice: decorated (its source registered in linecache, so that
    `@chunk_kernel` can read it) and undecorated, as plain CPython."""
    n = next(_module_ids)
    filename = f"<chunkjit-generated-{n}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    ns = {"__name__": f"chunkjit_generated_{n}"}
    try:
        exec(compile(text, filename, "exec"), ns)
    finally:
        # The kernels hold their source now; keep linecache from growing over a long campaign.
        linecache.cache.pop(filename, None)
    kernel = ns[name]
    (compiled,) = kernel._compiled.values()
    plain = "\n".join(line for line in text.splitlines() if not line.startswith("@chunk_kernel"))
    pns = {"__name__": f"chunkjit_generated_plain_{n}"}
    exec(compile(plain, f"{filename}-plain", "exec"), pns)
    return Loaded(text, kernel, compiled, pns[name], list(compiled.param_types), compiled.ret_type)


def _outcome(call, ret: str):
    try:
        value = call()
    except FAULTS as e:
        return Err(type(e).__name__, str(e))
    return Ok(norm(value, ret))


def interpret(k: Loaded, row) -> tuple[object, bool | None]:
    try:
        value, exact = k.compiled.interpret(tuple(row), max_steps=INTERPRET_STEPS)
    except FAULTS as e:
        return Err(type(e).__name__, str(e)), None
    except RuntimeError as e:
        # Generated loops are bounded (tests/gen_kernels.py), so running out of steps is a bug
        # in the generator or the interpreter; either way the kernel is the regression.
        raise Mismatch(regression_text(k.text, [row], f"interpreter: {e}")) from None
    return Ok(norm(value, k.ret)), exact


def at_element(err: Err, kernel_name: str, index: int) -> Err:
    """The message a failing map element carries: the scalar message naming the element."""
    tag = f"(kernel '{kernel_name}'"
    return Err(err.kind, err.message.replace(tag, f"{tag} at element {index}", 1))


@dataclass
class MapPlan:
    """How one map is fed: the first input's chunk size, and per other parameter whether it is a
    ChunkArray ("array"), an ndarray ("ndarray") or a broadcast scalar ("scalar")."""

    first_chunk: int = 4
    others: tuple = ()
    parallel: bool = False
    fault_at: float = 0.5


def _column(k: Loaded, rows, i):
    return np.array([row[i] for row in rows], dtype=NUMPY_DTYPE[k.params[i]])


def _run_map(k: Loaded, rows, plan: MapPlan):
    first = ChunkArray.from_numpy(_column(k, rows, 0), first_chunk=plan.first_chunk)
    others = []
    for i in range(1, len(k.params)):
        how = plan.others[i - 1] if i - 1 < len(plan.others) else "array"
        if how == "scalar":
            others.append(rows[0][i])
        elif how == "ndarray":
            others.append(_column(k, rows, i))
        else:
            others.append(ChunkArray.from_numpy(_column(k, rows, i), first_chunk=plan.first_chunk * 2))
    try:
        out = first.map(k.kernel, *others)
    except FAULTS as e:
        return Err(type(e).__name__, str(e))
    return out.to_numpy()


def _expect_map(k: Loaded, outcomes):
    """The map result the interpreter's outcomes predict: the first fault, else the values."""
    for i, o in enumerate(outcomes):
        if isinstance(o, Err):
            return at_element(o, k.kernel.__name__, i)
    return [o.value for o in outcomes]


def _compare_map(k: Loaded, rows, outcomes, got, what: str):
    want = _expect_map(k, outcomes)
    if isinstance(want, Err) or isinstance(got, Err):
        if want != got:
            raise Mismatch(regression_text(k.text, rows, f"{what}: map gave {got}, the interpreter {want}"))
        return
    values = [norm(v, k.ret) for v in got.tolist()]
    if values != want:
        bad = next(i for i, (a, b) in enumerate(zip(values, want)) if a != b)
        row = rows[bad % len(rows)]
        raise Mismatch(regression_text(
            k.text, [row],
            f"{what}: element {bad} (row {lit(row)}): map gave {values[bad]}, the interpreter {want[bad]}"))


def check_rows(k: Loaded, rows, plan: MapPlan | None = None, stats: dict | None = None) -> None:
    """Every comparison for these rows; raises Mismatch on the first disagreement."""
    plan = plan or MapPlan()
    stats = stats if stats is not None else {}
    outcomes = []
    for row in rows:
        want, exact = interpret(k, row)
        outcomes.append(want)
        stats["cases"] = stats.get("cases", 0) + 1
        stats["faults" if isinstance(want, Err) else "values"] = stats.get("faults" if isinstance(want, Err) else "values", 0) + 1
        # (a) a compiled scalar call
        got = _outcome(lambda: k.compiled.call(tuple(row)), k.ret)
        if got != want:
            raise Mismatch(regression_text(k.text, [row], f"scalar call {lit(row)}: compiled {got}, interpreter {want}"))
        # (b) CPython
        _check_cpython(k, row, want, exact, stats)
    # (a) map, with some inputs broadcast: the rows the kernel then sees
    broadcast = [i > 0 and plan.others[i - 1 : i] == ("scalar",) for i in range(len(k.params))]
    seen = [tuple(rows[0][i] if broadcast[i] else row[i] for i in range(len(row))) for row in rows]
    seen_outcomes = outcomes if seen == [tuple(r) for r in rows] else [interpret(k, r)[0] for r in seen]
    _compare_map(k, seen, seen_outcomes, _run_map(k, seen, plan), "map")
    ok_rows = [r for r, o in zip(seen, seen_outcomes) if isinstance(o, Ok)]
    if ok_rows and len(ok_rows) < len(seen):
        ok_outcomes = [o for o in seen_outcomes if isinstance(o, Ok)]
        _compare_map(k, ok_rows, ok_outcomes, _run_map(k, ok_rows, plan), "map of the non-failing rows")
    if plan.parallel:
        _check_parallel(k, seen, seen_outcomes, plan)


def _check_parallel(k: Loaded, rows, outcomes, plan: MapPlan) -> None:
    """A map long enough to run on several threads: tiled non-failing rows, and, when some rows
    fail, two failing elements placed far apart (the lower index must be the one reported)."""
    ok = [(r, o) for r, o in zip(rows, outcomes) if isinstance(o, Ok)]
    bad = [(r, o) for r, o in zip(rows, outcomes) if isinstance(o, Err)]
    base = ok or bad[:1]
    n = PARALLEL_LEN
    tiled = [base[i % len(base)] for i in range(n)]
    if bad:
        p = int(plan.fault_at * (n - 2))
        q = p + 1 + int((n - p - 2) * 0.5)
        tiled[p] = bad[0]
        tiled[q] = bad[-1]
    big_rows = [r for r, _ in tiled]
    big_outcomes = [o for _, o in tiled]
    big_plan = MapPlan(first_chunk=plan.first_chunk * 64, others=plan.others)
    _compare_map(k, big_rows, big_outcomes, _run_map(k, big_rows, big_plan), "parallel map")


def _check_cpython(k: Loaded, row, want, exact, stats: dict) -> None:
    if isinstance(want, Ok):
        if not exact or not k.faithful:
            return
        try:
            with time_limit(2.0):
                got = _outcome(lambda: k.py_func(*row), k.ret)
        except PythonTooSlow:
            raise Mismatch(regression_text(k.text, [row], f"CPython did not finish on {lit(row)}")) from None
        except Exception as e:  # noqa: BLE001 - any other exception is a disagreement
            got = Err(type(e).__name__, str(e))
        stats["cpython"] = stats.get("cpython", 0) + 1
        if got != want:
            raise Mismatch(regression_text(k.text, [row], f"{lit(row)}: CPython {got}, interpreter {want} (python_exact)"))
        return
    if not k.pure or any(want.message.startswith(d) for d in DEVIATING_FAULTS):
        return
    try:
        with time_limit(2.0):
            got = _outcome(lambda: k.py_func(*row), k.ret)
    except PythonTooSlow:
        return
    except Exception as e:  # noqa: BLE001
        got = Err(type(e).__name__, str(e))
    stats["cpython_faults"] = stats.get("cpython_faults", 0) + 1
    if not isinstance(got, Err) or got.kind != want.kind:
        raise Mismatch(regression_text(k.text, [row], f"{lit(row)}: CPython {got}, interpreter raised {want}"))


def check_program(text: str, rows, plan: MapPlan | None = None, *, faithful: bool = True, pure: bool = False) -> None:
    """Loads a module's `kern` and runs every comparison on `rows` (for regression tests)."""
    k = load(text)
    k.faithful = faithful
    k.pure = pure
    check_rows(k, rows, plan or MapPlan(parallel=True))
