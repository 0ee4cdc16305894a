"""`arr.pipe()`: a lazy chain of map/filter stages ending in a terminal, fused into one native
pass (see docs/pipelines.md). Nothing runs until a terminal (`collect`, `to_numpy`, `reduce`,
`sum`, `min`, `max`, `count`) is called.

Extra inputs of a map stage (ChunkArrays, ndarrays, scalars) are aligned with the elements of
the ORIGINAL array: after a filter, a map's other columns are read at the original index of
each kept element, not at its position among the kept ones."""

from __future__ import annotations

import threading
import warnings

from ._errors import FallbackWarning
from ._map import _check_kernel, _check_lengths, _normalise
from ._types import type_name_of_value

_TERMINALS = ("collect", "reduce", "sum", "min", "max", "count")

# (source type, stages' (kind, id(compiled)), terminal, id(reduce kernel), associative, layout)
# -> (native PipelineLoop, the compiled objects it was built from, kept so their ids stay
# unique while the entry lives).
_cache: dict[tuple, tuple] = {}
_CACHE_LIMIT = 512
_cache_lock = threading.Lock()
_stats = {"compiles": 0, "hits": 0}


def cache_info() -> dict:
    """How many pipeline shapes were compiled and how many runs found theirs compiled."""
    return {"compiles": _stats["compiles"], "hits": _stats["hits"], "size": len(_cache)}


class Pipeline:
    """A lazy pipeline over a ChunkArray. `map`/`filter` return a new Pipeline; a terminal
    compiles the whole chain once per shape (cached) and runs it in one pass."""

    def __init__(self, arr, stages: tuple = ()):
        from . import ChunkArray

        if not isinstance(arr, ChunkArray):
            raise TypeError(f"pipe() starts from a ChunkArray, got {type(arr).__name__}")
        self._arr = arr
        self._stages = tuple(stages)
        #: After a terminal: whether its compiled loop came from the cache (None: not run yet,
        #: or ran stage by stage because a stage is interpreted).
        self.cache_hit: bool | None = None

    def __repr__(self) -> str:
        chain = "".join(f".{kind}({k.__name__})" for kind, k, _ in self._stages)
        return f"<Pipeline {self._arr.dtype.name}[{len(self._arr)}].pipe(){chain}>"

    # -- stages -------------------------------------------------------------------------------

    def map(self, kernel, *others) -> "Pipeline":
        kernel = _check_kernel(kernel, "map")
        others = tuple(_normalise(others))
        _check_lengths(len(self._arr), others)
        return Pipeline(self._arr, self._stages + (("map", kernel, others),))

    def filter(self, predicate) -> "Pipeline":
        predicate = _check_kernel(predicate, "filter")
        return Pipeline(self._arr, self._stages + (("filter", predicate, ()),))

    # -- terminals ----------------------------------------------------------------------------

    def collect(self):
        """The kept results, in order, as a new ChunkArray (shaped like the piped array)."""
        return self._run("collect")

    def to_numpy(self):
        return self.collect().to_numpy()

    def reduce(self, kernel, initial):
        """`kernel(acc, x) -> acc` folded over the results from `initial`, left to right. In
        parallel only for `associative=True` kernels: every range then folds from `initial`,
        which must be the kernel's identity (0 for +)."""
        kernel = _check_kernel(kernel, "reduce")
        return self._run("reduce", kernel, initial)

    def sum(self):
        """Sum of the results: floats in their own type, integers and B1 in `int` (64-bit;
        OverflowError where a partial sum leaves it)."""
        return self._run("sum")

    def min(self):
        """Smallest result (the first of equal ones; NaN if any is NaN); ValueError if none."""
        return self._run("min")

    def max(self):
        """Largest result (the first of equal ones; NaN if any is NaN); ValueError if none."""
        return self._run("max")

    def count(self) -> int:
        """Number of elements that pass every filter."""
        return self._run("count")

    # -- dumps --------------------------------------------------------------------------------

    @property
    def ir(self) -> str | None:
        """IR of the fused kernel of this chain ending in `collect` (None if a stage is
        interpreted)."""
        native, _ = self._plan("collect", None, None)
        return None if native is None else native.ir

    @property
    def clif(self) -> str | None:
        native, _ = self._plan("collect", None, None)
        return None if native is None else native.clif

    # -- running ------------------------------------------------------------------------------

    def _inputs(self) -> list:
        inputs = [self._arr]
        for kind, _, others in self._stages:
            if kind == "map":
                inputs.extend(others)
        return inputs

    def _plan(self, terminal, kernel, initial):
        """(native loop, cache hit), or None when a stage runs interpreted (with its name)."""
        from . import ChunkArray
        import numpy as np

        value = type_name_of_value(self._arr)
        compiled = []
        for n, (kind, k, others) in enumerate(self._stages, start=1):
            arg_types = (value, *(type_name_of_value(o) for o in others))
            if k._def is not None and len(k._params) != len(arg_types):
                raise TypeError(
                    f"pipeline stage {n}: kernel '{k.__name__}' takes {len(k._params)} "
                    f"argument(s), {len(arg_types)} given"
                )
            c = k._specialise(arg_types)
            if c is None:
                return None, f"stage {n} ({kind} '{k.__name__}')"
            if kind == "filter" and c.ret_type != "B1":
                raise TypeError(
                    f"pipeline stage {n}: filter needs a predicate returning B1 (bool); "
                    f"'{k.__name__}' returns {c.ret_type}"
                )
            if kind == "map":
                value = c.ret_type
            compiled.append((kind, c))
        reduce_compiled = None
        if terminal == "reduce":
            reduce_compiled = kernel._specialise((type_name_of_value(initial), value))
            if reduce_compiled is None:
                return None, f"the reduce kernel '{kernel.__name__}'"
        layout = [type_name_of_value(self._arr)]
        for kind, _, others in self._stages:
            for o in others:
                column = isinstance(o, (ChunkArray, np.ndarray))
                layout.append(type_name_of_value(o) if column else None)
        associative = bool(kernel is not None and kernel.associative)
        key = (
            type_name_of_value(self._arr),
            tuple((kind, id(c)) for kind, c in compiled),
            terminal,
            id(reduce_compiled),
            associative,
            tuple(layout),
        )
        entry = _cache.get(key)
        if entry is not None:
            _stats["hits"] += 1
            return entry[0], True
        from . import _native

        with _cache_lock:
            entry = _cache.get(key)
            if entry is not None:
                _stats["hits"] += 1
                return entry[0], True
            if len(_cache) >= _CACHE_LIMIT:
                # Oldest first: a program that makes kernels in a loop must not grow this
                # without bound (an entry keeps its stage kernels' code alive).
                del _cache[next(iter(_cache))]
            native = _native.PipelineLoop(
                type_name_of_value(self._arr),
                compiled,
                terminal,
                reduce_compiled,
                associative,
                layout,
            )
            _cache[key] = (native, compiled, reduce_compiled)
            _stats["compiles"] += 1
            return native, False

    def _run(self, terminal, kernel=None, initial=None):
        native, hit = self._plan(terminal, kernel, initial)
        if native is None:
            warnings.warn(
                f"pipeline {self!r}: {hit} runs interpreted, so the pipeline runs stage by "
                "stage (eager calls) instead of fused",
                FallbackWarning,
                stacklevel=3,
            )
            self.cache_hit = None
            return self._run_eager(terminal, kernel, initial)
        self.cache_hit = hit
        inputs = self._inputs()
        if terminal == "collect":
            return native.collect(inputs)
        return native.reduce(inputs, initial)

    def _run_eager(self, terminal, kernel, initial):
        """Stage by stage with the eager calls, keeping the original index of every kept
        element so that later maps read their other columns at it."""
        import numpy as np

        from . import ChunkArray

        current = self._arr
        kept = None  # original indices of the current elements; None: all, in order
        for kind, k, others in self._stages:
            if kind == "map":
                if kept is not None:
                    others = [_take(o, kept) for o in others]
                current = current.map(k, *others)
            else:
                mask = current.map(k).to_numpy().astype(bool)
                values = current.to_numpy()[mask]
                current = ChunkArray.from_numpy(values, first_chunk=self._arr.first_chunk)
                positions = np.nonzero(mask)[0]
                kept = positions if kept is None else kept[positions]
        if terminal == "collect":
            return current
        if terminal == "count":
            return len(current)
        if terminal == "reduce":
            return current.reduce(kernel, initial)
        if terminal == "sum":
            return current.sum()
        return current.min() if terminal == "min" else current.max()


def _take(other, kept):
    import numpy as np

    from . import ChunkArray

    if isinstance(other, ChunkArray):
        return other.to_numpy()[kept]
    if isinstance(other, np.ndarray):
        return np.ascontiguousarray(other[kept])
    return other
