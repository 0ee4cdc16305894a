"""Kernels inside polars and pandas, through their public extension points only.

- polars: ``pl.col("x").map_batches(kernel)`` (and ``Series.map_batches`` in polars 1.x) hands
  the kernel a Series; ``kernel(series)`` runs elementwise and returns a Series of the same name.
- pandas: ``kernel(series)`` / ``series.pipe(kernel)`` return a Series with the same index and
  name; ``series.map(func, engine=chunk_kernel)`` and ``df.apply(func, engine=chunk_kernel)``
  (column by column) use pandas' UDF engine protocol (``chunk_kernel.__pandas_udf__``) and
  compile ``func`` (or use it if it already is a kernel).

Neither library is imported here until a Series arrives. Missing values have no kernel type:
a Series holding nulls (polars) or NA (pandas nullable dtypes) raises ValueError instead of
being filled silently; float NaN is an ordinary float value.
"""

from __future__ import annotations


def _library(series) -> str:
    return type(series).__module__.split(".")[0]


def _to_numpy(series, position: int):
    """A Series as a 1-d ndarray of its values (a copy only where the library makes one)."""
    import numpy as np

    library = _library(series)
    if library == "polars":
        if series.null_count():
            raise ValueError(
                f"kernel argument {position} (polars Series '{series.name}') holds "
                f"{series.null_count()} null(s): a kernel has no missing value; fill or drop "
                f"them first (fill_null / drop_nulls)"
            )
        values = series.to_numpy()
    elif isinstance(series.dtype, np.dtype):
        values = series.to_numpy()  # float NaN is a value like any other
    else:
        # An extension dtype (Int64, boolean, Float64...): its NA has no kernel value.
        missing = int(series.isna().sum())
        if missing:
            raise ValueError(
                f"kernel argument {position} (pandas Series '{series.name}') holds "
                f"{missing} missing value(s) (NA): a kernel has no missing value; fill or "
                f"drop them first (fillna / dropna)"
            )
        numpy_dtype = getattr(series.dtype, "numpy_dtype", None)
        values = series.to_numpy(dtype=numpy_dtype) if numpy_dtype is not None else series.to_numpy()
    return np.ascontiguousarray(values)


def call_on_series(kernel, args):
    """`kernel(series, ...)`: elementwise over the Series' values, returning the first Series'
    kind (same name; for pandas the same index)."""
    from ._map import call_on_ndarrays
    from ._kernel import _is_series

    first = next(a for a in args if _is_series(a))
    arrays = tuple(_to_numpy(a, i) if _is_series(a) else a for i, a in enumerate(args))
    result = call_on_ndarrays(kernel, arrays)
    if _library(first) == "polars":
        import polars as pl

        return pl.Series(first.name, result)
    import pandas as pd

    return pd.Series(result, index=first.index, name=first.name)


class PandasEngine:
    """pandas' UDF execution engine protocol (``Series.map(func, engine=chunk_kernel)``)."""

    @staticmethod
    def map(data, func, args, kwargs, decorator, skip_na):
        if args or kwargs:
            raise TypeError("chunkjit kernels take no extra arguments in Series.map")
        if skip_na:
            raise ValueError(
                "na_action='ignore' is not supported with engine=chunk_kernel: a kernel has no "
                "missing value (fill or drop them first)"
            )
        kernel = _as_kernel(func, decorator)
        if _library(data) == "pandas":
            return call_on_series(kernel, (data,))
        return kernel(data)

    @staticmethod
    def apply(data, func, args, kwargs, decorator, axis):
        """`df.apply(func, engine=chunk_kernel)`: a kernel is elementwise, so each column maps
        to a column of results (axis=0 only; a row mixes the columns' types)."""
        if args or kwargs:
            raise TypeError("chunkjit kernels take no extra arguments in DataFrame.apply")
        if axis not in (0, "index") or type(data).__name__ != "DataFrame":
            raise NotImplementedError(
                "engine=chunk_kernel applies a kernel elementwise to each column "
                "(DataFrame.apply with axis=0); rows are not supported"
            )
        import pandas as pd

        kernel = _as_kernel(func, decorator)
        return pd.DataFrame(
            {col: call_on_series(kernel, (data[col],)) for col in data.columns}, index=data.index
        )


def _as_kernel(func, decorator):
    from ._kernel import Kernel

    return func if isinstance(func, Kernel) else (decorator or Kernel)(func)
