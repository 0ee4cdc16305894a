"""chunkjit against its peers: the same per-element kernel in chunkjit, numba, numpy, numexpr,
polars `map_elements` and a plain Python loop, timed in one process on the same inputs.

    python bench/peers.py                 # 10M elements, 1 thread and all cores
    python bench/peers.py --quick         # 1M-element smoke run (under ~2 minutes on 2 cores)

Every peer's result is checked against chunkjit's before it is timed (exactly for integers,
allclose for floats); a mismatch is reported in the table, never hidden. A peer that is not
installed or fails is reported as "n/a (reason)". chunkjit failing is an error: the other
results are still printed, and the exit status is 1. See bench/README.md for the columns.
"""

import argparse
import gc
import json
import linecache
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

try:
    import chunkjit
    from chunkjit import B1, F8, S4, U8, ChunkArray, chunk_kernel
except ImportError as _err:  # the package under test must be there: nothing to compare without it
    sys.exit(
        f"peers.py: chunkjit is not importable ({_err}).\n"
        "Build it first, e.g. `pip install -e .[bench]` (or `maturin develop --release`)."
    )

HERE = os.path.dirname(os.path.abspath(__file__))
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------
# The kernels. Plain module-level functions (so chunkjit can read their source); the same
# function object is decorated by chunkjit, compiled by numba and called by the Python peers,
# except where integer semantics differ (wrapping U8 needs explicit masks / np.uint64 there).
# ---------------------------------------------------------------------------------------------


def affine(x: F8) -> F8:
    return x * 2.0 + 1.0


def branchy(x: F8) -> F8:
    return math.sqrt(x) if x > 0.0 else -x * 0.5


def mix_hash(x: U8) -> U8:
    x ^= x >> 33
    x *= 0xFF51AFD7ED558CCD
    x ^= x >> 33
    x *= 0xC4CEB9FE1A85EC53
    x ^= x >> 33
    return x


def mix_hash_py(x):
    """mix_hash with Python ints: the wrap made explicit."""
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    x ^= x >> 33
    return x


def mix_hash_nb(x):
    """mix_hash for numba: uint64 constants keep the arithmetic in (wrapping) uint64; a plain
    int literal would promote uint64 op int64 to float64."""
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


# Highest power first, as np.polyval wants; exact binary fractions so the literals below read
# the same as the list.
HORNER_COEFFS = [
    0.5, -0.25, 0.125, 1.0, -0.5, 0.25, -0.125, 0.0625, 2.0,
    -1.0, 0.5, -0.25, 0.75, -0.375, 1.5, -3.0, 1.0,
]


def horner16(x: F8) -> F8:
    acc = 0.5
    acc = acc * x - 0.25
    acc = acc * x + 0.125
    acc = acc * x + 1.0
    acc = acc * x - 0.5
    acc = acc * x + 0.25
    acc = acc * x - 0.125
    acc = acc * x + 0.0625
    acc = acc * x + 2.0
    acc = acc * x - 1.0
    acc = acc * x + 0.5
    acc = acc * x - 0.25
    acc = acc * x + 0.75
    acc = acc * x - 0.375
    acc = acc * x + 1.5
    acc = acc * x - 3.0
    acc = acc * x + 1.0
    return acc


MANDEL_MAX_ITER = 100


def mandel(cr: F8, ci: F8) -> S4:
    zr = 0.0
    zi = 0.0
    n: S4 = 0
    while n < MANDEL_MAX_ITER and zr * zr + zi * zi <= 4.0:
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        n += 1
    return n


def fma_like(x: F8, y: F8) -> F8:
    return x * y + x


def positive(x: F8) -> B1:
    return x > 0.0


# ---------------------------------------------------------------------------------------------
# Inputs.
# ---------------------------------------------------------------------------------------------


def normal(n, rng):
    return (rng.standard_normal(n),)


def uniform_pm1(n, rng):
    return (rng.uniform(-1.0, 1.0, n),)


def uint64s(n, rng):
    return (rng.integers(0, 2**64, size=n, dtype=np.uint64, endpoint=False),)


def two_normals(n, rng):
    return rng.standard_normal(n), rng.standard_normal(n)


def mandel_grid(n, rng):
    """c on a 5:4 grid over [-2.2, 0.8] x [-1.2, 1.2]: inside the set every point runs the full
    100 iterations, outside most leave after a few, so work per element is very uneven."""
    width = max(1, int(math.sqrt(n * 1.25)))
    height = -(-n // width)
    idx = np.arange(n)
    cr = np.linspace(-2.2, 0.8, width)[idx % width]
    ci = np.linspace(-1.2, 1.2, height)[idx // width]
    return cr, ci


# ---------------------------------------------------------------------------------------------
# Workloads: one kernel and how every peer expresses it.
# ---------------------------------------------------------------------------------------------


@dataclass
class Workload:
    name: str
    what: str
    kind: str  # "map" | "filter" | "sum"
    make_inputs: Callable
    kernel: Callable | None = None  # the chunkjit kernel (None for sum)
    py_func: Callable | None = None  # Python semantics, for the Python loop and polars
    nb_func: Callable | None = None  # scalar function numba compiles
    nb_sig: str | None = None  # the @vectorize signature
    out_dtype: object = np.float64
    polars_dtype: str = "Float64"
    numpy_expr: Callable | None = None
    numpy_why_not: str = ""
    numexpr_expr: str | None = None
    numexpr_why_not: str = ""
    exact: bool = False
    rtol: float = 1e-12
    python_sample: int = 100_000  # elements the Python loop and polars run on (then per element)


def _np_branchy(x):
    with np.errstate(invalid="ignore"):
        return np.where(x > 0.0, np.sqrt(x), -x * 0.5)


def _np_mix_hash(x):
    x = x ^ (x >> np.uint64(33))
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


def _horner_numexpr() -> str:
    expr = repr(HORNER_COEFFS[0])
    for c in HORNER_COEFFS[1:]:
        expr = f"({expr}) * x + ({c!r})"
    return expr


WORKLOADS = [
    Workload(
        "affine", "x*2.0+1.0  F8->F8", "map", normal, affine, nb_sig="float64(float64)",
        numpy_expr=lambda x: x * 2.0 + 1.0, numexpr_expr="x * 2.0 + 1.0", exact=True,
    ),
    Workload(
        "branchy", "sqrt(x) if x>0 else -x*0.5", "map", normal, branchy,
        nb_sig="float64(float64)", numpy_expr=_np_branchy,
        numexpr_expr="where(x > 0.0, sqrt(x), -x * 0.5)", exact=True,
    ),
    Workload(
        "mix_hash", "U8 xor-shift/multiply hash", "map", uint64s, mix_hash, py_func=mix_hash_py,
        nb_func=mix_hash_nb, nb_sig="uint64(uint64)", out_dtype=np.uint64,
        polars_dtype="UInt64", numpy_expr=_np_mix_hash,
        numexpr_why_not="numexpr has no uint64 and no shifts", exact=True,
    ),
    Workload(
        "horner16", "degree-16 Horner polynomial F8", "map", uniform_pm1, horner16,
        nb_sig="float64(float64)", numpy_expr=lambda x: np.polyval(HORNER_COEFFS, x),
        numexpr_expr=_horner_numexpr(),
    ),
    Workload(
        "mandelbrot", "escape count, while loop, F8,F8->S4", "map", mandel_grid, mandel,
        nb_sig="int32(float64, float64)", out_dtype=np.int32, polars_dtype="Int32",
        numpy_why_not="a data-dependent while loop is not an array expression",
        numexpr_why_not="a data-dependent while loop is not an expression", exact=True,
        python_sample=10_000,
    ),
    Workload(
        "two_input", "x*y + x  F8,F8->F8", "map", two_normals, fma_like,
        nb_sig="float64(float64, float64)", numpy_expr=lambda x, y: x * y + x,
        numexpr_expr="x * y + x", exact=True,
    ),
    Workload(
        "filter", "keep x > 0.0  (F8->B1 predicate)", "filter", normal, positive,
        numpy_expr=lambda x: x[x > 0.0],
        numexpr_why_not="numexpr evaluates expressions, it cannot drop elements", exact=True,
    ),
    Workload(
        "sum", "sum of F8", "sum", normal, numpy_expr=np.sum, numexpr_expr="sum(x)", rtol=1e-9,
    ),
]


# ---------------------------------------------------------------------------------------------
# Results and timing.
# ---------------------------------------------------------------------------------------------


class Unavailable(Exception):
    """A peer that cannot run this workload (not installed, not expressible, failed)."""


@dataclass
class Cell:
    """One peer on one workload at one thread count."""

    ns_per_elem: float | None = None
    runs: int = 0
    note: str = ""  # "n/a (reason)", "WRONG: ...", "extrapolated from ...", ...
    wrong: bool = False
    error: bool = False  # chunkjit itself failed


@dataclass
class WorkloadResult:
    workload: str
    what: str
    n: int
    cells: dict = field(default_factory=dict)  # (peer, threads) -> Cell
    setup_ms: dict = field(default_factory=dict)  # label -> ms (compile / decoration)


def best_of(run: Callable, budget_s: float, max_runs: int = 200) -> tuple[float, int]:
    """Best wall time of k calls, k chosen so the calls together take about `budget_s`
    (the caller has already made the warm-up call)."""
    gc.collect()
    t0 = time.perf_counter()
    run()
    best = time.perf_counter() - t0
    k = int(min(max_runs, max(1, math.ceil(budget_s / max(best, 1e-9)))))
    for _ in range(k - 1):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best, k


def short(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}".splitlines()[0] if str(err) else type(err).__name__
    return text if len(text) <= 90 else text[:87] + "..."


def compare(got, want, exact: bool, rtol: float) -> str | None:
    """None when `got` equals chunkjit's `want`, else what differs."""
    want = np.asarray(want)
    got = np.asarray(got)
    if got.dtype == object:  # Python ints beyond int64 (a U8 hash from the Python loop)
        got = np.asarray(got.tolist(), dtype=want.dtype)
    if got.shape != want.shape:
        return f"shape {got.shape} != chunkjit's {want.shape}"
    if exact:
        if got.dtype.kind == "f" or want.dtype.kind == "f":
            same = np.array_equal(got.astype(np.float64), want.astype(np.float64), equal_nan=True)
        else:
            same = np.array_equal(got.astype(want.dtype), want)
        if not same:
            bad = np.flatnonzero(got.astype(want.dtype) != want) if got.ndim else [0]
            i = int(bad[0]) if len(bad) else 0
            g, w = (got[i], want[i]) if got.ndim else (got, want)
            return (f"{len(bad)} element(s) differ, first at {i}: {g.item()!r}"
                    f" vs chunkjit's {w.item()!r}")
        return None
    if not np.allclose(got, want, rtol=rtol, atol=0.0, equal_nan=True):
        err = np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))
        return f"not allclose(rtol={rtol}): max abs diff {err:.3g}"
    return None


# ---------------------------------------------------------------------------------------------
# Peers. Each `setup` returns a zero-argument callable that produces the result (inputs already
# converted) and its compile time in seconds (None: nothing compiled), or raises Unavailable.
# `threaded` peers are run at every thread count.
# ---------------------------------------------------------------------------------------------


@dataclass
class Peer:
    name: str
    threaded: bool
    sampled: bool  # runs on a subsample, timing extrapolated per element
    setup: Callable  # (workload, inputs, threads) -> callable
    columns: str = "all"  # "all" | "one" (only 1 thread) | "many" (only >1 thread)


def _import(module: str):
    try:
        return __import__(module)
    except ImportError as err:
        raise Unavailable(f"{module} not installed") from err


def _nb_threads(nb, threads: int):
    try:
        nb.set_num_threads(threads)
    except ValueError as err:
        raise Unavailable(f"numba cannot use {threads} threads ({err})") from err


# -- numba -------------------------------------------------------------------------------------

_NB_CACHE: dict = {}  # (workload, variant) -> compiled callable, built once per process


def _nb_compiled(key, build, inputs):
    """The numba function and its compile time: building it plus one call on a 2-element slice
    of the inputs, which compiles a lazy `@njit` for exactly these argument types."""
    if key not in _NB_CACHE:
        t0 = time.perf_counter()
        fn = build()
        fn(*[a[:2] for a in inputs])
        _NB_CACHE[key] = (fn, time.perf_counter() - t0)
    return _NB_CACHE[key]


def _nb_parallel_map(nb, scalar, nargs: int, out_dtype):
    f = nb.njit(scalar)
    dt = np.dtype(out_dtype).type
    if nargs == 1:
        def run(x):
            out = np.empty(x.shape[0], dt)
            for i in nb.prange(x.shape[0]):
                out[i] = f(x[i])
            return out
    else:
        def run(x, y):
            out = np.empty(x.shape[0], dt)
            for i in nb.prange(x.shape[0]):
                out[i] = f(x[i], y[i])
            return out
    return nb.njit(parallel=True)(run)


def _nb_filter_seq(nb, pred):
    keep = nb.njit(pred)

    @nb.njit
    def run(x):
        out = np.empty_like(x)
        k = 0
        for i in range(x.shape[0]):
            if keep(x[i]):
                out[k] = x[i]
                k += 1
        return out[:k].copy()
    return run


def _nb_filter_par(nb, pred):
    """Blocked parallel filter: count per block, prefix sum, copy per block (order kept)."""
    keep = nb.njit(pred)

    @nb.njit(parallel=True)
    def run(x):
        n = x.shape[0]
        blocks = max(1, min(n, nb.get_num_threads() * 8))
        size = (n + blocks - 1) // blocks
        counts = np.zeros(blocks + 1, np.int64)
        for b in nb.prange(blocks):
            c = 0
            for i in range(b * size, min(n, (b + 1) * size)):
                if keep(x[i]):
                    c += 1
            counts[b + 1] = c
        starts = np.cumsum(counts)
        out = np.empty(starts[blocks], x.dtype)
        for b in nb.prange(blocks):
            k = starts[b]
            for i in range(b * size, min(n, (b + 1) * size)):
                if keep(x[i]):
                    out[k] = x[i]
                    k += 1
        return out
    return run


def _nb_sum(nb, parallel: bool):
    def run(x):
        s = 0.0
        for i in nb.prange(x.shape[0]):
            s += x[i]
        return s
    return nb.njit(parallel=parallel)(run)


def setup_numba_serial(wl: Workload, inputs, threads):
    nb = _import("numba")
    if wl.kind == "map":
        fn, compile_s = _nb_compiled(
            (wl.name, "vectorize"),
            lambda: nb.vectorize([wl.nb_sig])(wl.nb_func or wl.kernel),
            inputs,
        )
        return (lambda: fn(*inputs)), compile_s
    build = {"filter": lambda: _nb_filter_seq(nb, wl.kernel),
             "sum": lambda: _nb_sum(nb, False)}[wl.kind]
    fn, compile_s = _nb_compiled((wl.name, "njit"), build, inputs)
    return (lambda: fn(*inputs)), compile_s


def setup_numba_parallel(wl: Workload, inputs, threads):
    nb = _import("numba")
    _nb_threads(nb, threads)
    if wl.kind == "map":
        build = lambda: _nb_parallel_map(nb, wl.nb_func or wl.kernel, len(inputs), wl.out_dtype)
    else:
        build = {"filter": lambda: _nb_filter_par(nb, wl.kernel),
                 "sum": lambda: _nb_sum(nb, True)}[wl.kind]
    fn, compile_s = _nb_compiled((wl.name, "parallel"), build, inputs)

    def run():
        nb.set_num_threads(threads)
        return fn(*inputs)
    return run, compile_s


# -- numpy, numexpr ----------------------------------------------------------------------------


def setup_numpy(wl: Workload, inputs, threads):
    if wl.numpy_expr is None:
        raise Unavailable(wl.numpy_why_not or "not expressible")
    return (lambda: wl.numpy_expr(*inputs)), None


def setup_numexpr(wl: Workload, inputs, threads):
    ne = _import("numexpr")
    if wl.numexpr_expr is None:
        raise Unavailable(wl.numexpr_why_not or "not expressible")
    names = {"x": inputs[0]}
    if len(inputs) > 1:
        names["y"] = inputs[1]
    expr = wl.numexpr_expr

    def run():
        ne.set_num_threads(threads)
        return ne.evaluate(expr, local_dict=names)
    return run, None


# -- polars map_elements, Python loop (subsampled) ----------------------------------------------


def setup_polars(wl: Workload, inputs, threads):
    pl = _import("polars")
    fn = wl.py_func or wl.kernel
    dtype = getattr(pl, wl.polars_dtype)
    inefficient = getattr(getattr(pl, "exceptions", None), "PolarsInefficientMapWarning", None)
    if inefficient is not None:  # "use an expression instead": the point here is the callback
        warnings.filterwarnings("ignore", category=inefficient)
    if wl.kind == "sum":
        s = pl.Series("x", inputs[0])
        return (lambda: s.sum()), None
    if wl.kind == "filter":
        s = pl.Series("x", inputs[0])
        return (lambda: s.filter(s.map_elements(fn, return_dtype=pl.Boolean)).to_numpy()), None
    if len(inputs) == 1:
        s = pl.Series("x", inputs[0])
        return (lambda: s.map_elements(fn, return_dtype=dtype).to_numpy()), None
    df = pl.DataFrame({"x": inputs[0], "y": inputs[1]})
    expr = pl.struct(["x", "y"]).map_elements(lambda r: fn(r["x"], r["y"]), return_dtype=dtype)
    return (lambda: df.select(expr.alias("r"))["r"].to_numpy()), None


def setup_python(wl: Workload, inputs, threads):
    fn = wl.py_func or wl.kernel
    cols = [a.tolist() for a in inputs]
    if wl.kind == "sum":
        xs = cols[0]
        return (lambda: sum(xs)), None
    if wl.kind == "filter":
        xs = cols[0]
        return (lambda: [v for v in xs if fn(v)]), None
    if len(cols) == 1:
        xs = cols[0]
        return (lambda: [fn(v) for v in xs]), None
    xs, ys = cols
    return (lambda: [fn(a, b) for a, b in zip(xs, ys)]), None


PEERS = [
    Peer("numba @vectorize / @njit", False, False, setup_numba_serial, columns="one"),
    Peer("numba @njit(parallel) prange", True, False, setup_numba_parallel, columns="many"),
    Peer("numpy expression", False, False, setup_numpy),
    Peer("numexpr", True, False, setup_numexpr),
    Peer("polars map_elements", False, True, setup_polars),
    Peer("python loop", False, True, setup_python),
]
CHUNKJIT = "chunkjit"
NUMBA_1T, NUMBA_MT, PYTHON = PEERS[0].name, PEERS[1].name, PEERS[-1].name


# ---------------------------------------------------------------------------------------------
# chunkjit.
# ---------------------------------------------------------------------------------------------


def decorate(fn):
    """chunk_kernel(fn), insisting that it compiled: an interpreted kernel benchmarks nothing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kernel = chunk_kernel(fn)
    for w in caught:
        if issubclass(w.category, getattr(chunkjit, "FallbackWarning", ())):
            raise RuntimeError(f"kernel '{fn.__name__}' fell back: {w.message}")
    return assert_native(kernel)


def assert_native(kernel):
    """An unannotated kernel compiles at first use and may fall back only then: check again
    after that call."""
    if getattr(kernel, "mode", "native") != "native":
        raise RuntimeError(f"kernel '{kernel.__name__}' runs interpreted: "
                           f"{getattr(kernel, 'fallback_reason', '?')}")
    return kernel


def chunkjit_runner(wl: Workload, arrays, kernel):
    """A callable running the workload in chunkjit over ChunkArrays, returning a numpy result
    (converted outside the timed call)."""
    if wl.kind == "map":
        first, others = arrays[0], arrays[1:]
        return (lambda: first.map(kernel, *others)), (lambda r: r.to_numpy())
    if wl.kind == "filter":
        return (lambda: arrays[0].filter(kernel)), (lambda r: r.to_numpy())
    return (lambda: arrays[0].sum()), (lambda r: np.asarray(r))


def set_threads(threads: int) -> None:
    chunkjit.set_num_threads(threads)


# ---------------------------------------------------------------------------------------------
# Running a workload.
# ---------------------------------------------------------------------------------------------


def subsample(inputs, m: int, rng):
    n = len(inputs[0])
    if m >= n:
        return inputs
    idx = np.sort(rng.integers(0, n, size=m))
    return tuple(np.ascontiguousarray(a[idx]) for a in inputs)


def run_workload(wl: Workload, args, errors: list) -> WorkloadResult:
    rng = np.random.default_rng(20240601)
    n = args.n
    inputs = wl.make_inputs(n, rng)
    sample = subsample(inputs, min(n, wl.python_sample // (5 if args.quick else 1)), rng)
    res = WorkloadResult(wl.name, wl.what, n)
    print(f"  {wl.name:<11} n={n:,}", end="", flush=True)

    # chunkjit first: it is the reference every peer is checked against.
    reference = reference_sample = None
    try:
        kernel = None
        if wl.kernel is not None:
            t0 = time.perf_counter()
            kernel = decorate(wl.kernel)
            res.setup_ms["chunkjit decorate"] = (time.perf_counter() - t0) * 1e3
        arrays = [ChunkArray.from_numpy(a) for a in inputs]
        run, to_np = chunkjit_runner(wl, arrays, kernel)
        sample_arrays = [ChunkArray.from_numpy(a) for a in sample]
        cj_sample_run, _ = chunkjit_runner(wl, sample_arrays, kernel)
        reference_sample = to_np(cj_sample_run())
        for threads in args.threads:
            set_threads(threads)
            t0 = time.perf_counter()
            result = run()  # warm-up, and the reference
            first = time.perf_counter() - t0
            if kernel is not None:
                assert_native(kernel)
            if reference is None:
                reference = to_np(result)
            else:
                diff = compare(to_np(result), reference, wl.exact, wl.rtol)
                if diff is not None:
                    raise RuntimeError(f"{threads} threads give another result: {diff}")
            del result
            best, k = best_of(run, args.budget)
            res.setup_ms.setdefault("chunkjit first-call excess", max(0.0, first - best) * 1e3)
            res.cells[(CHUNKJIT, threads)] = Cell(best / n * 1e9, k)
    except Exception as err:  # noqa: BLE001 - reported as an error, the run goes on
        errors.append((wl.name, traceback.format_exc()))
        for threads in args.threads:
            res.cells.setdefault((CHUNKJIT, threads), Cell(note=f"ERROR {short(err)}", error=True))

    for peer in PEERS:
        sampled = is_sampled(peer, wl)
        data = sample if sampled else inputs
        want = reference_sample if sampled else reference
        threads_list = args.threads if peer.threaded else args.threads[:1]
        if peer.columns == "one":
            threads_list = [1]
        elif peer.columns == "many":
            threads_list = [t for t in args.threads if t > 1]
        for threads in threads_list:
            res.cells[(peer.name, threads)] = run_peer(peer, wl, data, want, threads, args, res)
        print(".", end="", flush=True)
    print()
    return res


def is_sampled(peer: Peer, wl: Workload) -> bool:
    """polars' sum is native (no callback to sample around): it runs on the whole input."""
    return peer.sampled and not (wl.kind == "sum" and peer.setup is setup_polars)


SUM_NOTES = {"polars map_elements": "native Series.sum (no callback)",
             "python loop": "builtin sum() over a list"}


def run_peer(peer: Peer, wl: Workload, data, want, threads: int, args, res) -> Cell:
    n = len(data[0])
    label = f"{peer.name} compile"
    try:
        run, compile_s = peer.setup(wl, data, threads)
        if isinstance(compile_s, float):
            res.setup_ms.setdefault(label, compile_s * 1e3)
        got = run()  # warm-up, and the result to check
    except Unavailable as err:
        return Cell(note=f"n/a ({err})")
    except Exception as err:  # noqa: BLE001 - a failing peer is reported, not fatal
        return Cell(note=f"n/a ({short(err)})")
    note = ""
    wrong = False
    if want is None:
        note = "unverified (no chunkjit result)"
    else:
        diff = compare(got, want, wl.exact, wl.rtol)
        if diff is not None:
            wrong, note = True, f"WRONG: {diff}"
    del got
    sampled = is_sampled(peer, wl)
    best, k = best_of(run, min(args.budget, 0.3) if sampled else args.budget)
    notes = [note] if note else []
    if wl.kind == "sum" and peer.name in SUM_NOTES:
        notes.append(SUM_NOTES[peer.name])
    if sampled:
        notes.append(f"subsample of {n:,}, per element extrapolated")
    return Cell(best / n * 1e9, k, "; ".join(notes), wrong)


# ---------------------------------------------------------------------------------------------
# Pipelines: chained operations over one array.
# ---------------------------------------------------------------------------------------------


def _fused_chunkjit(arr, stages):
    """The fused form (`ChunkArray.pipe`, docs/pipelines.md): stages are ("filter", k) /
    ("map", k) / ("sum",); a chain without a terminal ends in `collect()`."""
    p = arr.pipe()
    for stage in stages:
        p = getattr(p, stage[0])(*stage[1:])
    return p.collect() if hasattr(p, "collect") else p


def _nb_fused_filter_map_sum(nb, parallel: bool):
    def run(x):
        s = 0.0
        for i in nb.prange(x.shape[0]):
            v = x[i]
            if v > 0.0:
                s += v * 2.0 + 1.0
        return s
    return nb.njit(parallel=parallel)(run)


def _nb_fused_map3(nb, parallel: bool):
    a, b, c = nb.njit(affine), nb.njit(branchy), nb.njit(horner16)

    def run(x):
        r = np.empty_like(x)
        for i in nb.prange(x.shape[0]):
            r[i] = c(b(a(x[i])))
        return r
    return nb.njit(parallel=parallel)(run)


@dataclass
class Pipeline:
    name: str
    what: str
    stages: list  # ("filter", fn) / ("map", fn) / ("sum",)
    numpy_version: Callable
    numba_fused: Callable  # (numba, parallel) -> compiled function of x


PIPELINES = [
    Pipeline("filter>map>sum", "filter(x>0) -> map(x*2+1) -> sum",
             [("filter", positive), ("map", affine), ("sum",)],
             lambda x: (x[x > 0.0] * 2.0 + 1.0).sum(), _nb_fused_filter_map_sum),
    Pipeline("map>map>map", "affine -> branchy -> horner16",
             [("map", affine), ("map", branchy), ("map", horner16)],
             lambda x: np.polyval(HORNER_COEFFS, _np_branchy(x * 2.0 + 1.0)), _nb_fused_map3),
]


def _as_np(r):
    return r.to_numpy() if hasattr(r, "to_numpy") else np.asarray(r)


def _eager_chain(arr, stages):
    r = arr
    for stage in stages:
        r = getattr(r, stage[0])(*stage[1:])
    return r


def _time_checked(run, reference, args, rtol: float = 1e-9, convert=lambda r: r) -> Cell:
    """A peer of a pipeline: checked against chunkjit's result (allclose), then timed. The
    check sees `convert(result)`; the timing is of `run` alone, each peer producing its own
    natural result (an ndarray, a scalar, a ChunkArray), as the eager chain is timed."""
    try:
        got = convert(run())
    except Exception as err:  # noqa: BLE001 - a failing peer is reported, not fatal
        return Cell(note=f"n/a ({short(err)})")
    note, wrong = "", False
    if reference is not None:
        diff = compare(got, reference, False, rtol)
        if diff is not None:
            wrong, note = True, f"WRONG: {diff}"
    best, k = best_of(run, args.budget)
    return Cell(best / args.n * 1e9, k, note, wrong)


def run_pipeline(pipe: Pipeline, x, args, errors: list, nb) -> WorkloadResult:
    res = WorkloadResult(pipe.name, pipe.what, args.n)
    print(f"  {pipe.name:<15}", flush=True)
    eager, reference = "chunkjit eager chain", None
    arr = stages = None
    try:
        kernels = {fn: decorate(fn) for stage in pipe.stages for fn in stage[1:]}
        stages = [(stage[0], *[kernels[fn] for fn in stage[1:]]) for stage in pipe.stages]
        arr = ChunkArray.from_numpy(x)
        for threads in args.threads:
            set_threads(threads)
            got = _as_np(_eager_chain(arr, stages))  # warm-up, and the reference
            if reference is None:
                reference = got
            best, k = best_of(lambda: _eager_chain(arr, stages), args.budget)
            res.cells[(eager, threads)] = Cell(best / args.n * 1e9, k)
    except Exception as err:  # noqa: BLE001 - chunkjit's failure: an error, the run goes on
        errors.append((pipe.name, traceback.format_exc()))
        for threads in args.threads:
            res.cells.setdefault((eager, threads), Cell(note=f"ERROR {short(err)}", error=True))

    fused = "chunkjit pipe (fused)"
    if not hasattr(ChunkArray, "pipe"):
        res.cells[(fused, args.threads[0])] = Cell(
            note="n/a (this chunkjit has no ChunkArray.pipe)")
    elif stages is None:
        res.cells[(fused, args.threads[0])] = Cell(note="n/a (the eager chain failed)")
    else:
        for threads in args.threads:
            set_threads(threads)
            res.cells[(fused, threads)] = _time_checked(
                lambda: _fused_chunkjit(arr, stages), reference, args, convert=_as_np)

    res.cells[("numpy expression", args.threads[0])] = _time_checked(
        lambda: pipe.numpy_version(x), reference, args)
    if nb is None:
        res.cells[("numba fused @njit", 1)] = Cell(note="n/a (numba not installed)")
        return res
    serial = pipe.numba_fused(nb, False)
    res.cells[("numba fused @njit", 1)] = _time_checked(lambda: serial(x), reference, args)
    parallel = pipe.numba_fused(nb, True)
    for threads in [t for t in args.threads if t > 1]:
        try:
            _nb_threads(nb, threads)
        except Unavailable as err:
            res.cells[("numba fused @njit(parallel)", threads)] = Cell(note=f"n/a ({err})")
            continue
        res.cells[("numba fused @njit(parallel)", threads)] = _time_checked(
            lambda: parallel(x), reference, args)
    return res


def run_pipelines(args, errors: list) -> list[WorkloadResult]:
    try:
        nb = _import("numba")
    except Unavailable:
        nb = None
    x = np.random.default_rng(7).standard_normal(args.n)
    return [run_pipeline(pipe, x, args, errors, nb) for pipe in PIPELINES]


# ---------------------------------------------------------------------------------------------
# Latency, import time and memory: each measured in a fresh subprocess (this file, --child).
# ---------------------------------------------------------------------------------------------

FRESH_KERNEL = """\
def {name}(x: F8) -> F8:
    acc = 0.0
    k: S4 = 0
    while k < {iters}:
        acc = acc * x + {const}
        k += 1
    return math.sqrt(acc) if acc > 0.0 else -acc
"""


def fresh_function(i: int, tag: str, annotated: bool = True):
    """A never-seen-before function: fresh source text, registered in linecache (so its source
    is readable, as for a function in a file), then exec'd."""
    name = f"fresh_{tag}_{i}"
    src = FRESH_KERNEL.format(name=name, iters=3 + i % 7, const=f"{i}.25")
    if not annotated:
        src = src.replace("(x: F8) -> F8", "(x)").replace("k: S4 = 0", "k = 0")
    filename = f"<bench-fresh-{tag}-{i}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    ns = {"F8": F8, "S4": S4, "math": math}
    exec(compile(src, filename, "exec"), ns)
    return ns[name]


def fresh_stage(i: int, tag: str, body: str, ret: str):
    """A fresh one-line F8 kernel for a pipeline stage (see `fresh_function`)."""
    name = f"stage_{tag}_{i}"
    src = f"def {name}(x: F8) -> {ret}:\n    return {body}\n"
    filename = f"<bench-stage-{tag}-{i}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    ns = {"F8": F8, "B1": B1}
    exec(compile(src, filename, "exec"), ns)
    return decorate(ns[name])


def child_latency(count: int, nb_count: int) -> dict:
    """Decoration-to-ready and first-call latency, chunkjit vs numba, in a fresh process so the
    very first kernel of each is really the first."""
    out: dict = {}
    small = np.linspace(-1.0, 1.0, 1000)
    arr = ChunkArray.from_numpy(small)
    ready, first_map, lazy_map = [], [], []
    for i in range(count):
        fn = fresh_function(i, "cj")
        t0 = time.perf_counter()
        kernel = decorate(fn)
        kernel(1.5)
        t1 = time.perf_counter()
        arr.map(kernel)
        t2 = time.perf_counter()
        ready.append(t1 - t0)
        first_map.append(t2 - t1)
        fn = fresh_function(i, "cju", annotated=False)
        kernel = decorate(fn)
        t0 = time.perf_counter()
        arr.map(kernel)
        lazy_map.append(time.perf_counter() - t0)
        assert_native(kernel)
    fused_fms, fused_mmm = [], []
    for i in range(count):
        keep = fresh_stage(i, "keep", f"x > {i}.5", "B1")
        scale = fresh_stage(i, "scale", f"x * 2.0 + {i}.25", "F8")
        shift = fresh_stage(i, "shift", f"x - {i}.75", "F8")
        half = fresh_stage(i, "half", "x * 0.5", "F8")
        t0 = time.perf_counter()
        arr.pipe().filter(keep).map(scale).sum()
        t1 = time.perf_counter()
        arr.pipe().map(scale).map(shift).map(half).collect()
        t2 = time.perf_counter()
        fused_fms.append(t1 - t0)
        fused_mmm.append(t2 - t1)
    out["chunkjit decorate + first scalar call"] = ready
    out["chunkjit pipe filter>map>sum, first run (compiles)"] = fused_fms
    out["chunkjit pipe map>map>map, first collect (compiles)"] = fused_mmm
    out["chunkjit first map(1000) annotated"] = first_map
    out["chunkjit first map(1000) unannotated (compiles)"] = lazy_map
    try:
        import numba as nb
    except ImportError:
        out["numba"] = "n/a (numba not installed)"
        return out
    jit, vec = [], []
    for i in range(nb_count):
        fn = fresh_function(i, "nb")
        t0 = time.perf_counter()
        nb.njit(fn)(1.5)
        jit.append(time.perf_counter() - t0)
        fn = fresh_function(i, "nbv")
        t0 = time.perf_counter()
        nb.vectorize(fn)(small)
        vec.append(time.perf_counter() - t0)
    out["numba @njit decorate + first scalar call (compiles)"] = jit
    out["numba @vectorize first call(1000) (compiles)"] = vec
    return out


def _proc_status_bytes(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets the peak-RSS mark (VmHWM), so the peak read after
    the call is the call's own, not the import's or the JIT's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def child_memory(which: str, n: int) -> dict:
    """Peak RSS growth during one n-element F8 map, over the RSS just before it (native memory
    included, which tracemalloc would miss). The input is built in 1M pieces so building it does
    not leave a peak above the map's, and where the peak mark cannot be reset (not Linux) the
    result says it may be capped by an earlier peak."""
    import resource

    def rss_now() -> int:
        now = _proc_status_bytes("VmRSS")
        if now is None:
            import psutil  # not Linux: psutil or nothing
            now = psutil.Process().memory_info().rss
        return now

    def rss_peak() -> int:
        hwm = _proc_status_bytes("VmHWM")
        if hwm is not None:
            return hwm
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale

    piece = 1_000_000
    x = np.empty(n)
    for i in range(0, n, piece):
        x[i:i + piece] = np.random.default_rng(i).standard_normal(min(piece, n - i))
    if which == "chunkjit":
        kernel = decorate(affine)
        arr = ChunkArray(F8)
        for i in range(0, n, piece):
            arr.extend(x[i:i + piece])
        del x
        arr.map(kernel)  # warm: first-use costs are not the map's memory
        gc.collect()
        run = lambda: arr.map(kernel)
    elif which == "numba":
        import numba as nb
        f = nb.vectorize(["float64(float64)"])(affine)
        f(x[:10])
        run = lambda: f(x)
    else:
        run = lambda: x * 2.0 + 1.0
    gc.collect()
    reset = _reset_peak_rss()
    before, peak_before = rss_now(), rss_peak()
    result = run()
    peak = rss_peak()
    return {"before": before, "peak_before": peak_before, "peak": peak, "delta": peak - before,
            "capped": not reset and peak_before >= peak,
            "len": len(result)}


def in_child(args: list[str], timeout: float = 300) -> dict:
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), *args],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or ["?"])[-1])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def import_time(module: str, repeats: int = 5) -> float | str:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120)
        if proc.returncode != 0:
            return f"n/a ({(proc.stderr.strip().splitlines() or ['?'])[-1]})"
        times.append(float(proc.stdout.strip()))
    return statistics.median(times)


# ---------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------


def fmt_ns(v: float | None) -> str:
    if v is None:
        return "-"
    if v < 10:
        return f"{v:.2f}"
    if v < 1000:
        return f"{v:.1f}"
    return f"{v:,.0f}"


def fmt_ratio(a: float | None, b: float | None, suffix: str = "") -> str:
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    return f"{r:.2f}{suffix}" if r < 100 else f"{r:,.0f}{suffix}"


def peer_value(res: WorkloadResult, peer: str, threads: int) -> Cell | None:
    """The cell of `peer` at `threads`; a single-threaded peer's one cell stands for all."""
    cell = res.cells.get((peer, threads))
    if cell is None:
        cells = [c for (p, _), c in res.cells.items() if p == peer]
        cell = cells[0] if len(cells) == 1 else None
    return cell


def numba_at(res: WorkloadResult, threads: int) -> Cell | None:
    return res.cells.get((NUMBA_1T if threads == 1 else NUMBA_MT, threads))


def render_workload(res: WorkloadResult, threads: list[int]) -> list[str]:
    cols = [f"{t} thread{'s' if t > 1 else ''}" for t in threads]
    lines = [f"{res.workload}: {res.what}   (n={res.n:,}; ns/element, best of k runs)"]
    lines.append(f"  {'peer':<32}" + "".join(f"{c:>13}" for c in cols) + "   note")
    peers = []
    for p, _ in res.cells:
        if p not in peers:
            peers.append(p)
    for p in peers:
        vals, notes = [], []
        for t in threads:
            c = res.cells.get((p, t))
            if c is None:
                vals.append("")
                continue
            mark = "!" if c.wrong else ""
            vals.append(fmt_ns(c.ns_per_elem) + mark if c.ns_per_elem is not None else "n/a")
            if c.note and c.note not in notes:
                notes.append(c.note)
        lines.append(f"  {p:<32}" + "".join(f"{v:>13}" for v in vals) + "   " + "; ".join(notes))
    if res.setup_ms:
        lines.append("  setup (ms, not in the timings): " + ", ".join(
            f"{k} {v:.1f}" for k, v in res.setup_ms.items()))
    return lines


def render_summary(results: list[WorkloadResult], threads: list[int]) -> list[str]:
    head = f"  {'workload':<12}"
    for t in threads:
        head += f"{'cj ns@' + str(t):>10}{'nb ns@' + str(t):>10}{'cj/nb':>7}{'py/cj':>8}"
    lines = ["Summary: chunkjit (cj) vs numba (nb, @vectorize at 1 thread, @njit(parallel) above)"
             " and the Python loop (py)", "  cj/nb < 1: chunkjit faster; py/cj: speed-up over a"
             " Python loop (extrapolated from a subsample); ! = that peer's result was WRONG", head]
    for res in results:
        row = f"  {res.workload:<12}"
        for t in threads:
            cj = res.cells.get((CHUNKJIT, t))
            nbc = numba_at(res, t)
            py = peer_value(res, PYTHON, t)
            cjv = cj.ns_per_elem if cj else None
            nbv = nbc.ns_per_elem if nbc else None
            pyv = py.ns_per_elem if py else None
            mark = "!" if nbc is not None and nbc.wrong else ""
            shown = fmt_ns(cjv) if cj and not cj.error else "ERROR"
            row += (f"{shown:>10}{fmt_ns(nbv) + mark:>10}"
                    f"{fmt_ratio(cjv, nbv):>7}{fmt_ratio(pyv, cjv, 'x'):>8}")
        lines.append(row)
    return lines


def render_scaling(results: list[WorkloadResult], threads: list[int]) -> list[str]:
    """chunkjit's speed-up over its own single-thread time at each thread count."""
    if len(threads) < 2 or threads[0] != 1:
        return []
    top = threads[-1]
    head = f"  {'workload':<12}" + "".join(f"{'x@' + str(t):>8}" for t in threads[1:])
    head += f"{'efficiency@' + str(top):>16}"
    lines = ["Parallel scaling of chunkjit map (speed-up = ns@1 / ns@T; efficiency = speed-up / T;"
             f" {os.cpu_count()} logical cores)", head]
    for res in results:
        one = res.cells.get((CHUNKJIT, 1))
        if one is None or one.error or not one.ns_per_elem:
            continue
        row = f"  {res.workload:<12}"
        speedup = None
        for t in threads[1:]:
            cell = res.cells.get((CHUNKJIT, t))
            speedup = one.ns_per_elem / cell.ns_per_elem if cell and not cell.error and cell.ns_per_elem else None
            row += f"{speedup:>8.2f}" if speedup else f"{'n/a':>8}"
        row += f"{speedup / top:>16.2f}" if speedup else f"{'n/a':>16}"
        lines.append(row)
    return lines


def render_pipelines(results: list[WorkloadResult], threads: list[int]) -> list[str]:
    lines = ["Pipelines over F8 (ns per input element):"]
    for res in results:
        lines += render_workload(res, threads)
    return lines


def render_latency(lat: dict | str) -> list[str]:
    lines = ["Latency (ms; fresh functions exec'd from new source, in a fresh process):",
             f"  {'what':<52}{'first':>9}{'median':>9}{'p90':>9}{'count':>7}"]
    if isinstance(lat, str):
        return lines + [f"  {lat}"]
    for key, vals in lat.items():
        if isinstance(vals, str):
            lines.append(f"  {key:<52}{vals}")
            continue
        ms = [v * 1e3 for v in vals]
        rest = ms[1:] or ms
        p90 = sorted(rest)[min(len(rest) - 1, int(len(rest) * 0.9))]
        lines.append(f"  {key:<52}{ms[0]:>9.2f}{statistics.median(rest):>9.2f}{p90:>9.2f}"
                     f"{len(ms):>7}")
    lines.append("  first = the first function of its kind in the process (one-time set-up"
                 " included); median and p90 over the others")
    return lines


def render_imports(imports: dict) -> list[str]:
    lines = ["Import time (ms, fresh interpreter each, median of 5):"]
    for mod, v in imports.items():
        shown = f"{v * 1e3:>9.1f}" if isinstance(v, float) else f"  {v}"
        lines.append(f"  import {mod:<12}{shown}")
    return lines


def render_memory(mem: dict, n: int) -> list[str]:
    mb = 1024 * 1024
    lines = [f"Peak memory of one {n:,}-element F8 map x*2.0+1.0 (peak RSS growth during the"
             f" call over the RSS before it; the input, {n * 8 / mb:.1f} MiB, is already there;"
             f" the output is {n * 8 / mb:.1f} MiB):"]
    for who, m in mem.items():
        if isinstance(m, str):
            lines.append(f"  {who:<22}{m}")
            continue
        note = "  (capped: an earlier peak was higher)" if m["capped"] else ""
        lines.append(f"  {who:<22}{m['delta'] / mb:>8.1f} MiB  = {m['delta'] / (n * 8):.2f} x"
                     f" output size{note}")
    return lines


def header(args) -> list[str]:
    def version(mod):
        try:
            return __import__(mod).__version__
        except Exception:  # noqa: BLE001
            return "not installed"

    where = getattr(chunkjit, "__file__", "?")
    lines = [
        f"chunkjit peers benchmark  {time.strftime('%Y-%m-%d %H:%M')}  "
        f"{'QUICK ' if args.quick else ''}n={args.n:,} threads={args.threads}",
        f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        f"chunkjit {getattr(chunkjit, '__version__', '?')} ({where})",
        "peers: " + ", ".join(f"{m} {version(m)}" for m in
                              ["numpy", "numba", "numexpr", "polars", "matplotlib"]),
    ]
    if getattr(chunkjit, "STANDIN", False):
        lines.append("*** chunkjit here is a STAND-IN (numpy+numba), not the real package ***")
    return lines


PLOT_SLOTS = [  # (label, peer names by thread count: 1 thread, more), one colour each
    ("chunkjit", CHUNKJIT, CHUNKJIT, "#1f77b4"),
    ("numba: @vectorize at 1 thread, @njit(parallel) prange above", NUMBA_1T, NUMBA_MT, "#ff7f0e"),
    ("numpy expression", "numpy expression", "numpy expression", "#2ca02c"),
    ("numexpr", "numexpr", "numexpr", "#d62728"),
    ("polars map_elements (extrapolated)", "polars map_elements", "polars map_elements", "#9467bd"),
    ("Python loop (extrapolated)", PYTHON, PYTHON, "#8c564b"),
]


def plot(results: list[WorkloadResult], threads: list[int], path: str) -> str:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "n/a (matplotlib not installed)"
    fig, axes = plt.subplots(len(threads), 1, figsize=(13, 4.0 * len(threads) + 0.8),
                             squeeze=False)
    width = 0.8 / len(PLOT_SLOTS)
    handles = {}
    for ax, t in zip(axes[:, 0], threads):
        for j, (label, one, many, colour) in enumerate(PLOT_SLOTS):
            peer = one if t == 1 else many
            sampled = label.endswith("(extrapolated)")
            for i, res in enumerate(results):
                c = res.cells.get((peer, t))
                if c is None and peer not in (NUMBA_1T, NUMBA_MT):
                    c = peer_value(res, peer, t)  # a single-threaded peer's one cell
                x = i + (j - len(PLOT_SLOTS) / 2 + 0.5) * width
                if c is None or not c.ns_per_elem:
                    ax.text(x, 0.02, "n/a", transform=ax.get_xaxis_transform(), rotation=90,
                            ha="center", va="bottom", fontsize=6, color="grey")
                    continue
                bar = ax.bar(x, c.ns_per_elem, width, color=colour, edgecolor="black",
                             linewidth=0.3, hatch="//" if sampled and not (
                                 res.workload == "sum" and one == "polars map_elements")
                             else None)
                handles.setdefault(label, bar)
                if c.wrong:
                    ax.text(x, c.ns_per_elem, "WRONG", rotation=90, ha="center", va="bottom",
                            fontsize=6, color="red")
        ax.set_yscale("log")
        ax.set_xticks(range(len(results)), [r.workload for r in results])
        ax.set_ylabel("ns / element (log)")
        ax.set_title(f"{t} thread{'s' if t > 1 else ''}"
                     + (" (single-threaded peers repeated)" if t != threads[0] else ""))
        ax.grid(axis="y", which="both", alpha=0.3)
    fig.legend(list(handles.values()), list(handles.keys()), loc="upper center", ncol=3,
               fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / fig.get_figheight()))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------------------------
# Main.
# ---------------------------------------------------------------------------------------------


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000, help="elements per workload")
    ap.add_argument("--quick", action="store_true", help="1M-element smoke run, short budgets")
    ap.add_argument("--threads", type=int, nargs="+", default=None,
                    help="thread counts (default: 1 and all cores)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="results folder")
    ap.add_argument("--only", default=None, help="comma-separated workload names")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds of timed calls per peer and thread count")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: "
                    "workloads,pipelines,latency,imports,memory,plot")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick and args.n == 10_000_000:
        args.n = 1_000_000
    if args.threads is None:
        args.threads = sorted({1, os.cpu_count() or 1})
    args.threads = sorted(set(args.threads))
    if args.threads[0] < 1:
        ap.error("--threads must be >= 1")
    if args.budget is None:
        args.budget = 0.08 if args.quick else 0.25
    args.skip = set(filter(None, args.skip.split(",")))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        what, rest = args.child[0], args.child[1:]
        if what == "latency":
            data = child_latency(int(rest[0]), int(rest[1]))
        else:
            data = child_memory(rest[0], int(rest[1]))
        print(json.dumps(data))
        return 0

    os.makedirs(args.out, exist_ok=True)
    errors: list = []
    lines = header(args)
    print("\n".join(lines), flush=True)
    start = time.perf_counter()

    results = []
    if "workloads" not in args.skip:
        print("workloads:")
        wanted = set(args.only.split(",")) if args.only else None
        for wl in WORKLOADS:
            if wanted is None or wl.name in wanted:
                results.append(run_workload(wl, args, errors))
    pipes = []
    if "pipelines" not in args.skip:
        print("pipelines:")
        pipes = run_pipelines(args, errors)

    lat: dict | str = "skipped"
    if "latency" not in args.skip:
        print("latency (subprocess)...", flush=True)
        counts = ("30", "5") if args.quick else ("100", "10")
        try:
            lat = in_child(["--child", "latency", *counts])
        except Exception as err:  # noqa: BLE001 - chunkjit's own failure: an error
            errors.append(("latency", short(err)))
            lat = f"ERROR {short(err)}"
    imports: dict = {}
    if "imports" not in args.skip:
        print("import times (subprocesses)...", flush=True)
        for mod in ["chunkjit", "numba", "numpy"]:
            imports[mod] = import_time(mod)
        if not isinstance(imports["chunkjit"], float):
            errors.append(("import chunkjit", imports["chunkjit"]))
    mem: dict = {}
    if "memory" not in args.skip:
        print("memory (subprocesses)...", flush=True)
        for who, key in [("chunkjit map", "chunkjit"), ("numba @vectorize", "numba"),
                         ("numpy x*2.0+1.0", "numpy")]:
            try:
                mem[who] = in_child(["--child", "memory", key, str(args.n)])
            except Exception as err:  # noqa: BLE001
                if key == "chunkjit":
                    errors.append(("memory", short(err)))
                mem[who] = f"{'ERROR' if key == 'chunkjit' else 'n/a'} ({short(err)})"

    report = list(lines) + [""]
    for res in results:
        report += render_workload(res, args.threads) + [""]
    if results:
        ends = sorted({args.threads[0], args.threads[-1]})
        report += render_summary(results, ends) + [""]
        report += render_scaling(results, args.threads) + [""]
    if pipes:
        report += render_pipelines(pipes, args.threads) + [""]
    if "latency" not in args.skip:
        report += render_latency(lat) + [""]
    if imports:
        report += render_imports(imports) + [""]
    if mem:
        report += render_memory(mem, args.n) + [""]
    report.append(f"total wall time {time.perf_counter() - start:.0f} s")

    stem = "peers_quick" if args.quick else "peers"
    text = "\n".join(report)
    print()
    print(text)
    with open(os.path.join(args.out, stem + ".txt"), "w") as f:
        f.write(text + "\n")
    raw = {"args": {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items()},
           "workloads": [_raw(r) for r in results], "pipelines": [_raw(r) for r in pipes],
           "latency": lat, "imports": imports, "memory": mem}
    with open(os.path.join(args.out, stem + ".json"), "w") as f:
        json.dump(raw, f, indent=1)
    if results and "plot" not in args.skip:
        print("chart:", plot(results, args.threads, os.path.join(args.out, stem + ".png")))

    if errors:
        print("\nchunkjit FAILED in:", file=sys.stderr)
        for where, tb in errors:
            print(f"--- {where}\n{tb}", file=sys.stderr)
        return 1
    return 0


def _raw(res: WorkloadResult) -> dict:
    return {"workload": res.workload, "what": res.what, "n": res.n, "setup_ms": res.setup_ms,
            "cells": [{"peer": p, "threads": t, **vars(c)} for (p, t), c in res.cells.items()]}


if __name__ == "__main__":
    sys.exit(main())
