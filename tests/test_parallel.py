"""Results do not depend on the number of threads, errors included."""

import threading

import numpy as np
import pytest

import chunkjit
from chunkjit import F8, S8, U8, ChunkArray

import kernels_for_tests as K


@pytest.fixture
def threads():
    before = chunkjit.get_num_threads()
    yield chunkjit.set_num_threads
    chunkjit.set_num_threads(before)


def test_set_num_threads_validates(threads):
    threads(3)
    assert chunkjit.get_num_threads() == 3
    with pytest.raises(ValueError):
        threads(0)


@pytest.mark.parametrize("n", [1, 2, 8])
def test_map_identical_for_thread_counts(threads, n):
    threads(n)
    data = np.random.default_rng(5).integers(0, 2**63, size=300_000, dtype=np.uint64)
    arr = ChunkArray.from_numpy(data)
    out = arr.map(K.mix_hash).to_numpy()
    threads(1)
    assert np.array_equal(out, arr.map(K.mix_hash).to_numpy())


@pytest.mark.parametrize("n", [1, 2, 8])
def test_lowest_failing_index_whatever_the_threads(threads, n):
    threads(n)
    x = np.ones(400_000, dtype=np.int64)
    y = np.ones(400_000, dtype=np.int64)
    y[[123_457, 250_000, 399_999]] = 0
    with pytest.raises(ZeroDivisionError, match="element 123457"):
        ChunkArray.from_numpy(x).map(K.safe_div, ChunkArray.from_numpy(y))


@pytest.mark.parametrize("n", [1, 2, 8])
def test_filter_and_sum_identical(threads, n):
    threads(n)
    data = np.random.default_rng(1).normal(size=250_000)
    arr = ChunkArray.from_numpy(data)
    kept = arr.filter(K.is_positive).to_numpy()
    assert np.array_equal(kept, data[data > 0.0])


def test_concurrent_maps_from_python_threads():
    data = np.arange(200_000, dtype=np.float64)
    arr = ChunkArray.from_numpy(data)
    expected = data * 2.0 + 1.0
    errors = []

    def work():
        try:
            for _ in range(5):
                assert np.array_equal(arr.map(K.affine).to_numpy(), expected)
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
