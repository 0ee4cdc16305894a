"""Kernels inside polars and pandas, through their public extension points."""

import math

import numpy as np
import pytest

from chunkjit import F8, S8, chunk_kernel


@chunk_kernel
def clip_log(x: F8) -> F8:
    return math.log1p(x) if x > 0.0 else 0.0


@chunk_kernel
def halve(n: S8) -> S8:
    return n // 2


def plain_square(x: F8) -> F8:
    return x * x


def test_polars_series():
    pl = pytest.importorskip("polars")
    s = pl.Series("v", [0.5, -2.0, 10.0])
    results = [clip_log(s)]
    if hasattr(s, "map_batches"):  # polars 1.x; removed from Series in polars 2
        results.append(s.map_batches(clip_log))
    for out in results:
        assert isinstance(out, pl.Series)
        assert out.name == "v"
        assert out.to_list() == [math.log1p(0.5), 0.0, math.log1p(10.0)]


def test_polars_expression_map_batches():
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"x": [1, 2, 7, -9], "y": [0.0, 1.0, 2.0, 3.0]})
    out = df.with_columns(
        pl.col("x").map_batches(halve, return_dtype=pl.Int64).alias("h"),
        pl.col("y").map_batches(clip_log, return_dtype=pl.Float64).alias("l"),
    )
    assert out["h"].to_list() == [0, 1, 3, -5]
    assert out["l"].to_list() == [0.0, math.log1p(1.0), math.log1p(2.0), math.log1p(3.0)]


def test_polars_nulls_are_refused():
    pl = pytest.importorskip("polars")
    with pytest.raises(ValueError, match="1 null"):
        halve(pl.Series("x", [1, None, 3]))


def test_pandas_call_and_pipe_keep_index_and_name():
    pd = pytest.importorskip("pandas")
    s = pd.Series([4, 5, -3], index=["a", "b", "c"], name="n")
    for out in (halve(s), s.pipe(halve)):
        assert isinstance(out, pd.Series)
        assert out.name == "n"
        assert list(out.index) == ["a", "b", "c"]
        assert out.tolist() == [2, 2, -2]


def test_pandas_udf_engine():
    pd = pytest.importorskip("pandas")
    if "engine" not in pd.Series.map.__code__.co_varnames:
        pytest.skip("this pandas has no UDF engine protocol")
    s = pd.Series([1.0, 2.0, 3.0], index=[10, 20, 30], name="x")
    # A plain function is compiled by the engine; a kernel is used as it is.
    squared = s.map(plain_square, engine=chunk_kernel)
    assert squared.tolist() == [1.0, 4.0, 9.0]
    assert list(squared.index) == [10, 20, 30] and squared.name == "x"
    assert s.map(clip_log, engine=chunk_kernel).tolist() == [math.log1p(v) for v in (1.0, 2.0, 3.0)]
    with pytest.raises(ValueError, match="na_action"):
        s.map(clip_log, engine=chunk_kernel, na_action="ignore")


def test_pandas_udf_engine_apply_by_column():
    pd = pytest.importorskip("pandas")
    if "engine" not in pd.DataFrame.apply.__code__.co_varnames:
        pytest.skip("this pandas has no UDF engine protocol")
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [-3.0, 0.5]}, index=["r", "s"])
    out = df.apply(plain_square, engine=chunk_kernel)
    assert out.to_dict() == {"a": {"r": 1.0, "s": 4.0}, "b": {"r": 9.0, "s": 0.25}}
    with pytest.raises(NotImplementedError, match="rows"):
        df.apply(plain_square, axis=1, engine=chunk_kernel)


def test_pandas_missing_values_are_refused():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="1 missing"):
        halve(pd.Series([1, None, 3], dtype="Int64"))
    # Nullable dtype without NA converts to its numpy dtype.
    assert halve(pd.Series([8, 9], dtype="Int64")).tolist() == [4, 4]


def test_float_nan_is_a_value():
    pd = pytest.importorskip("pandas")
    out = clip_log(pd.Series([np.nan, 1.0]))
    assert math.isnan(out.iloc[0]) is False  # NaN > 0.0 is False: the kernel returns 0.0
    assert out.tolist() == [0.0, math.log1p(1.0)]
