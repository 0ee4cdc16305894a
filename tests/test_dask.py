"""Kernels on a real dask.distributed cluster of two worker processes.

The kernels live in a module file that is deleted once imported, so the workers cannot import
it: they only get the kernels by pickled source.
"""

import importlib
import sys
import time

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")

import dask  # noqa: E402

import chunkjit.dask as cjd  # noqa: E402
from chunkjit import ChunkArray  # noqa: E402

KERNELS = '''
import math
from chunkjit import F8, S8, chunk_kernel

OFFSET = 0.25

@chunk_kernel
def wave(x: F8) -> F8:
    return math.sin(x) * math.exp(-x / 1000.0) + OFFSET

@chunk_kernel
def inverse(x: S8) -> S8:
    return 1000 // (x - 777)

@chunk_kernel(associative=True)
def add(acc: F8, x: F8) -> F8:
    return acc + x

@chunk_kernel
def weighted(acc: F8, x: F8) -> F8:
    return acc * 0.5 + x
'''


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unimportable")
    path = folder / "dask_user_kernels.py"
    path.write_text(KERNELS)
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module("dask_user_kernels")
    finally:
        sys.path.remove(str(folder))
    path.unlink()
    sys.modules.pop("dask_user_kernels", None)
    return module


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=":0",  # any free port: never a clash with another cluster on 8787
        silence_logs=50,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_map_blocks_matches_single_process(kernels, client):
    x = np.linspace(-50.0, 50.0, 200_001)
    local = ChunkArray.from_numpy(x).map(kernels.wave).to_numpy()
    started = time.perf_counter()
    lazy = cjd.map_blocks(kernels.wave, da.from_array(x, chunks=40_000))
    assert lazy.dtype == np.float64
    result = client.compute(lazy).result()
    print(f"cluster map: {time.perf_counter() - started:.3f} s")  # shown with -s; not asserted
    assert np.array_equal(result, local)


def test_plain_dask_recipe(kernels, client):
    x = da.arange(100_000, chunks=30_000).astype(np.float64)
    result = client.compute(da.map_blocks(kernels.wave, x, dtype=np.float64)).result()
    assert np.array_equal(result, kernels.wave(np.arange(100_000, dtype=np.float64)))


def test_fault_reaches_the_client_with_its_message(kernels, client):
    x = da.arange(1000, chunks=300, dtype=np.int64)
    with pytest.raises(ZeroDivisionError) as info:
        client.compute(cjd.map_blocks(kernels.inverse, x)).result()
    msg = str(info.value)
    # Element 777 is element 177 of block (2,) (elements 600..900).
    assert msg.startswith("division by zero (kernel 'inverse' at element 177, ")
    assert "dask_user_kernels.py, line 13: return 1000 // (x - 777)" in msg


def test_token_is_the_same_on_the_workers(kernels, client):
    token = dask.base.tokenize(kernels.wave)
    assert client.submit(dask.base.tokenize, kernels.wave).result() == token
    assert dask.base.tokenize(kernels.inverse) != token


def test_associative_reduce_runs_per_block(kernels, client):
    x = np.arange(100_000, dtype=np.float64) * 0.5
    total = cjd.reduce(kernels.add, da.from_array(x, chunks=25_000), 1.0)
    assert client.compute(total).result() == ChunkArray.from_numpy(x).reduce(kernels.add, 1.0)


def test_non_associative_reduce_needs_sequential(kernels, client):
    x = np.arange(1, 1001, dtype=np.float64)
    dx = da.from_array(x, chunks=300)
    with pytest.raises(ValueError, match="associative"):
        cjd.reduce(kernels.weighted, dx, 0.0)
    folded = client.compute(cjd.reduce(kernels.weighted, dx, 0.0, sequential=True)).result()
    assert folded == ChunkArray.from_numpy(x).reduce(kernels.weighted, 0.0)


def test_chunk_arrays_travel_to_workers_and_back(kernels, client):
    import operator

    arr = ChunkArray.from_numpy(np.linspace(0.0, 10.0, 50_000), first_chunk=1024)
    on_worker = client.submit(operator.methodcaller("map", kernels.wave), arr).result()
    assert isinstance(on_worker, ChunkArray)
    assert on_worker.first_chunk == 1024
    assert on_worker == arr.map(kernels.wave)
