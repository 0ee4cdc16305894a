"""ChunkArray.map(..., progress=...): the calling thread reports elements done."""

import io
import sys

import numpy as np
import pytest

from chunkjit import F8, ChunkArray, FallbackWarning, chunk_kernel


@chunk_kernel
def slow_ish(x: F8) -> F8:
    acc = 0.0
    for i in range(200):
        acc += x * 0.5
    return acc


class FakeSink:
    def __init__(self):
        self.calls = []

    def __call__(self, done, total):
        self.calls.append((done, total))


def test_sink_sees_monotonic_counts_ending_at_total():
    arr = ChunkArray.from_numpy(np.arange(300_000, dtype=np.float64))
    sink = FakeSink()
    out = arr.map(slow_ish, progress=sink)
    assert out == arr.map(slow_ish)
    assert sink.calls[-1] == (300_000, 300_000)
    dones = [d for d, _ in sink.calls]
    assert dones == sorted(dones)
    assert all(total == 300_000 for _, total in sink.calls)
    assert all(0 <= d <= 300_000 for d in dones)


def test_small_map_still_reports_the_end():
    sink = FakeSink()
    ChunkArray.from_numpy(np.arange(10, dtype=np.float64)).map(slow_ish, progress=sink)
    assert sink.calls[-1] == (10, 10)


def test_sink_error_stops_the_map():
    def broken(done, total):
        raise RuntimeError("sink failed")

    arr = ChunkArray.from_numpy(np.arange(10, dtype=np.float64))
    with pytest.raises(RuntimeError, match="sink failed"):
        arr.map(slow_ish, progress=broken)


def test_fault_gives_no_final_report():
    @chunk_kernel
    def inv(x: F8) -> F8:
        return 1.0 / x

    sink = FakeSink()
    with pytest.raises(ZeroDivisionError):
        ChunkArray.from_numpy(np.array([1.0, 0.0])).map(inv, progress=sink)
    assert (2, 2) not in sink.calls


def test_interpreted_kernel_reports_per_chunk():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def via_str(x: F8) -> F8:
            return float(str(x)[0] == "1")

    sink = FakeSink()
    arr = ChunkArray.from_numpy(np.arange(20, dtype=np.float64), first_chunk=4)
    out = arr.map(via_str, progress=sink)
    assert len(out) == 20
    assert sink.calls[0] == (0, 20)
    assert sink.calls[-1] == (20, 20)


def test_progress_true_without_tqdm_writes_to_stderr(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    ChunkArray.from_numpy(np.arange(100, dtype=np.float64)).map(slow_ish, progress=True)
    assert err.getvalue().endswith("map slow_ish: 100% (100/100)\n")


def test_progress_true_with_tqdm(capsys):
    pytest.importorskip("tqdm")
    ChunkArray.from_numpy(np.arange(1000, dtype=np.float64)).map(slow_ish, progress=True)
    assert "1.00k/1.00k" in capsys.readouterr().err


def test_bad_progress_argument():
    with pytest.raises(TypeError, match="progress must be"):
        ChunkArray.from_numpy(np.arange(3, dtype=np.float64)).map(slow_ish, progress="yes")
