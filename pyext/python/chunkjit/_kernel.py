"""`@chunk_kernel`: a typed Python function compiled to a native chunk loop, or run interpreted
(loudly, with the reason) when it is outside the subset."""

from __future__ import annotations

import functools
import threading
import warnings

from . import _native
from ._errors import FallbackWarning, KernelCompileError
from ._source import fast_source, resolve_names, slow_source
from ._types import ScalarType, type_name_of_value


class Kernel:
    """A `@chunk_kernel` function. Callable like the function it wraps (on scalars, and
    elementwise on ndarrays); `ChunkArray.map/filter/reduce` run its compiled chunk loop."""

    def __init__(self, func, *, strict: bool = False, associative: bool = False):
        functools.update_wrapper(self, func)
        self.py_func = func
        self.strict = strict
        self.associative = associative
        self.fallback_reason: str | None = None
        self._lock = threading.Lock()
        self._compiled: dict[tuple[str, ...], object] = {}
        self._failed: dict[tuple[str, ...], str] = {}
        self._def = None
        self._params: list[tuple[str, str | None]] = []
        self._ret: str | None = None
        # Source (text, file, first line) and resolved names as read at decoration: what a
        # pickled kernel is rebuilt from (see _pickle.py).
        self._where: tuple[str, str, int] | None = None
        self._snapshot: dict = {}
        self._quiet = False
        self._prepare()

    @classmethod
    def _from_source(cls, func, where, snapshot, *, strict: bool, associative: bool) -> "Kernel":
        """A kernel rebuilt from pickled source and resolved names (no FallbackWarning: the
        user saw it where the kernel was defined)."""
        self = cls.__new__(cls)
        functools.update_wrapper(self, func)
        self.py_func = func
        self.strict = strict
        self.associative = associative
        self.fallback_reason = None
        self._lock = threading.Lock()
        self._compiled = {}
        self._failed = {}
        self._def = None
        self._params = []
        self._ret = None
        self._where = None
        self._snapshot = {}
        self._quiet = True
        self._prepare(where=where, env=snapshot)
        return self

    # -- compilation ---------------------------------------------------------------------------

    def _prepare(self, where=None, env=None) -> None:
        func = self.py_func
        if env is None:
            if not hasattr(func, "__code__"):
                return self._fall_back(f"{func!r} is not a Python function with source")
            env = resolve_names(func, Kernel, ScalarType)
        self._snapshot = dict(env)
        env = dict(env)
        for name, entry in list(env.items()):
            if entry[0] == "kernel":
                callee = entry[1]
                if callee._def is None:
                    env[name] = ("other", f"kernel '{callee.__name__}', which runs interpreted")
                else:
                    env[name] = ("kernel", callee._def)
        name = func.__name__
        readers = (fast_source, slow_source) if where is None else (lambda _f, w=where: w,)
        for read in readers:
            where = read(func)
            if where is None:
                continue
            kdef = _native.KernelDef(name, where[0], where[1], where[2], env)
            try:
                self._params, self._ret = kdef.signature()
            except KernelCompileError as err:
                if err.kind == "syntax" and read is fast_source:
                    continue  # the fast slice cut a bracket off: read the source properly
                self._where = where
                return self._fall_back(str(err), err)
            self._def = kdef
            self._where = where
            break
        else:
            return self._fall_back(
                f"the source of '{name}' cannot be read (defined in a REPL, or generated?)"
            )
        if all(ty is not None for _, ty in self._params):
            self._specialise(tuple(ty for _, ty in self._params), at_decoration=True)

    def _fall_back(self, reason: str, err: Exception | None = None) -> None:
        if self.strict:
            if err is not None:
                raise err
            raise KernelCompileError(reason)
        self._def = None
        self.fallback_reason = reason
        if self._quiet:
            return
        warnings.warn(
            f"kernel '{self.py_func.__name__}' runs interpreted: {reason}",
            FallbackWarning,
            stacklevel=4,
        )

    def _specialise(self, arg_types: tuple[str, ...], at_decoration: bool = False):
        """The compiled kernel for these argument types, or None when it runs interpreted."""
        if self._def is None:
            return None
        key = tuple(ty or arg for (_, ty), arg in zip(self._params, arg_types))
        compiled = self._compiled.get(key)
        if compiled is not None or key in self._failed:
            return compiled
        with self._lock:
            compiled = self._compiled.get(key)
            if compiled is not None:
                return compiled
            try:
                compiled = self._def.compile(list(key))
            except KernelCompileError as err:
                if self.strict:
                    raise
                self._failed[key] = str(err)
                self.fallback_reason = str(err)
                if at_decoration and self._quiet:
                    return None
                warnings.warn(
                    f"kernel '{self.py_func.__name__}' runs interpreted for "
                    f"({', '.join(key)}): {err}",
                    FallbackWarning,
                    stacklevel=5 if at_decoration else 4,
                )
                return None
            self._compiled[key] = compiled
            return compiled

    def _for_inputs(self, inputs) -> object | None:
        if len(inputs) != len(self._params) and self._def is not None:
            raise TypeError(
                f"kernel '{self.__name__}' takes {len(self._params)} argument(s), "
                f"{len(inputs)} given"
            )
        return self._specialise(tuple(type_name_of_value(x) for x in inputs))

    # -- the kernel object ---------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return "interpreted" if self.fallback_reason is not None else "native"

    @property
    def signatures(self) -> list[str]:
        return [c.signature for c in self._compiled.values()]

    def _any_compiled(self):
        return next(iter(self._compiled.values()), None)

    @property
    def ir(self) -> str | None:
        compiled = self._any_compiled()
        return None if compiled is None else compiled.ir

    @property
    def clif(self) -> str | None:
        compiled = self._any_compiled()
        return None if compiled is None else compiled.clif

    def __repr__(self) -> str:
        sigs = ", ".join(self.signatures) or "not compiled yet"
        return f"<chunk_kernel {self.__name__} mode={self.mode} [{sigs}]>"

    # -- pickling, dask tokens (see _pickle.py) ---------------------------------------------

    def __reduce__(self):
        from . import _pickle

        if self._where is None:  # no source to travel with: by reference, like a function
            return _pickle.rebuild_by_reference, (self.py_func, self.strict, self.associative)
        return _pickle.rebuild_kernel, (_pickle.kernel_state(self),)

    def __dask_tokenize__(self) -> str:
        from . import _pickle

        return _pickle.kernel_token(self)

    # -- C entry points (see _c_entry.py) ----------------------------------------------------

    @property
    def address(self) -> int:
        """Address of the compiled chunk loop (every input a column); see ``c_signature``."""
        from ._c_entry import entry

        return entry(self).address

    @property
    def c_signature(self) -> str:
        """C prototype of the chunk loop at ``address`` (types from ``chunkjit.c_header()``)."""
        from ._c_entry import entry

        return entry(self).c_signature

    @property
    def scalar_address(self) -> int:
        """Address of the scalar entry point: the same loop with every input broadcast, to be
        called with ``len = 1``; see ``scalar_c_signature``."""
        from ._c_entry import entry

        return entry(self).scalar_address

    @property
    def scalar_c_signature(self) -> str:
        from ._c_entry import entry

        return entry(self).scalar_c_signature

    def __call__(self, *args):
        import numpy as np

        if any(_is_series(a) for a in args):
            from ._dataframes import call_on_series

            return call_on_series(self, args)
        if any(isinstance(a, np.ndarray) for a in args):
            from ._map import call_on_ndarrays

            return call_on_ndarrays(self, args)
        compiled = self._for_inputs(args)
        if compiled is None:
            return self.py_func(*args)
        return compiled.call(args)


def _is_series(value) -> bool:
    """A polars or pandas Series (recognised without importing either library)."""
    module = type(value).__module__
    return type(value).__name__ == "Series" and module.split(".")[0] in ("polars", "pandas")


def chunk_kernel(func=None, *, strict: bool = False, associative: bool = False):
    """Compiles a typed Python function to a native chunk loop.

    Annotated kernels compile now; unannotated ones compile at first use, once per input
    types. Outside the subset the kernel runs interpreted and a FallbackWarning says why;
    with ``strict=True`` a KernelCompileError is raised instead. ``associative=True`` lets
    ``reduce`` run in parallel."""
    if func is None:
        return lambda f: Kernel(f, strict=strict, associative=associative)
    return Kernel(func, strict=strict, associative=associative)


# pandas' UDF engine protocol: `series.map(func, engine=chunk_kernel)` (see _dataframes.py).
from ._dataframes import PandasEngine as _PandasEngine  # noqa: E402

chunk_kernel.__pandas_udf__ = _PandasEngine
