"""Arrow interchange: ChunkArray -> pyarrow / polars without copying, and back.

Run: python samples/integrations_arrow.py
"""

import numpy as np

from chunkjit import F8, ChunkArray, chunk_kernel


@chunk_kernel
def smooth(x: F8) -> F8:
    return x * x / (1.0 + x * x)


def main():
    import polars as pl
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = ChunkArray.from_numpy(np.linspace(-3.0, 3.0, 100_000)).map(smooth)
    chunked = pa.chunked_array(arr)  # __arrow_c_stream__: one Arrow chunk per ChunkArray chunk
    same = all(
        piece.buffers()[1].address == view.__array_interface__["data"][0]
        for piece, view in zip(chunked.chunks, arr.chunks())
    )
    print(f"{arr.chunk_count} chunks -> {chunked.num_chunks} Arrow chunks, zero-copy: {same}")
    print("pyarrow sum:", round(pc.sum(chunked).as_py(), 6), "chunkjit sum:", round(arr.sum(), 6))

    series = pl.Series("smooth", arr)
    print("polars:", series.len(), "values, mean", round(series.mean(), 6))

    back = ChunkArray.from_arrow(series)  # a copy into chunks the ChunkArray owns
    print("round trip equal:", back == arr)
    try:
        ChunkArray.from_arrow(pa.array([1.0, None]))
    except ValueError as err:
        print("nulls are refused:", str(err).split(";")[0])


if __name__ == "__main__":
    main()
