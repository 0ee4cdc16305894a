"""A kernel inside polars and pandas.

Run: python samples/integrations_dataframes.py
"""

import math

from chunkjit import F8, S8, chunk_kernel


@chunk_kernel
def soft_clip(x: F8) -> F8:
    return math.tanh(x / 10.0) * 10.0


@chunk_kernel
def bucket(n: S8) -> S8:
    return n // 100


def celsius(f: F8) -> F8:  # a plain function: pandas' engine protocol compiles it
    return (f - 32.0) * 5.0 / 9.0


def main():
    import pandas as pd
    import polars as pl

    df = pl.DataFrame({"x": [-50.0, -5.0, 0.0, 5.0, 50.0], "n": [0, 99, 100, 250, 1001]})
    out = df.with_columns(
        pl.col("x").map_batches(soft_clip, return_dtype=pl.Float64).alias("clipped"),
        pl.col("n").map_batches(bucket, return_dtype=pl.Int64).alias("bucket"),
    )
    print(out)
    print("polars kernel(series):", bucket(df["n"]).to_list())

    s = pd.Series([32.0, 212.0, 98.6], index=["freezing", "boiling", "body"], name="F")
    print("pandas kernel(series):", bucket(pd.Series([5, 150, 999])).tolist())
    print("pandas series.pipe(kernel):", s.pipe(soft_clip).round(3).to_dict())
    print("pandas series.map(f, engine=chunk_kernel):", s.map(celsius, engine=chunk_kernel).round(2).to_dict())


if __name__ == "__main__":
    main()
