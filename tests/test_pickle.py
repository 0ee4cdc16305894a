"""Pickling kernels (by source, recompiled on load) and ChunkArrays (by chunk buffers)."""

import importlib
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from chunkjit import B1, F4, F8, S1, S8, U2, U8, ChunkArray, FallbackWarning, chunk_kernel

USER_MODULE = '''
import math
from chunkjit import F8, S8, chunk_kernel

SCALE = 3.0

@chunk_kernel
def helper(x: F8) -> F8:
    return x * SCALE

@chunk_kernel(associative=True)
def scaled_sqrt(x: F8) -> F8:
    return math.sqrt(abs(helper(x))) + 1.0

@chunk_kernel
def untyped(x, y):
    return x * 2 + y

@chunk_kernel
def safe_div(x: S8, d: S8) -> S8:
    return x // d
'''


def load_user_module(tmp_path, monkeypatch, name):
    """A module of kernels importable here only (its folder is on sys.path for this test)."""
    (tmp_path / f"{name}.py").write_text(USER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module(name)


def run_elsewhere(payload: bytes, code: str) -> str:
    """Runs `code` in a fresh interpreter (which cannot import the user module) with
    `obj = pickle.loads(payload)`; returns its stdout."""
    script = "import pickle, sys, warnings\nwarnings.simplefilter('error')\n"
    script += "obj = pickle.loads(sys.stdin.buffer.read())\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], input=payload, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode().strip()


def test_kernel_round_trip_in_process(tmp_path, monkeypatch):
    mod = load_user_module(tmp_path, monkeypatch, "user_kernels_a")
    k = pickle.loads(pickle.dumps(mod.scaled_sqrt))
    assert k is not mod.scaled_sqrt
    assert k.mode == "native"
    assert k.associative is True
    assert k.signatures == ["(F8) -> F8"]
    xs = np.array([0.0, 1.0, -12.0, 3.5])
    assert np.array_equal(k(xs), mod.scaled_sqrt(xs))
    assert k(2.0) == mod.scaled_sqrt(2.0)


def test_kernel_loads_where_its_module_is_not_importable(tmp_path, monkeypatch):
    mod = load_user_module(tmp_path, monkeypatch, "user_kernels_b")
    payload = pickle.dumps((mod.scaled_sqrt, mod.untyped))
    out = run_elsewhere(payload, """
        k, u = obj
        try:
            import user_kernels_b
        except ImportError:
            print("not importable")
        print(k.mode, k.signatures, k(2.0), k.py_func(2.0))
        print(u(3, 4), u(1.5, 1.0))
    """)
    expected = mod.scaled_sqrt(2.0)
    assert out.splitlines() == [
        "not importable",
        f"native ['(F8) -> F8'] {expected!r} {expected!r}",
        "10 4.0",
    ]


def test_constants_are_frozen_at_decoration(tmp_path, monkeypatch):
    mod = load_user_module(tmp_path, monkeypatch, "user_kernels_c")
    mod.SCALE = 100.0  # after decoration: the kernel keeps 3.0, in every process
    payload = pickle.dumps(mod.helper)
    assert run_elsewhere(payload, "print(obj(2.0), obj.py_func(2.0))") == "6.0 6.0"


def test_fault_message_after_unpickling(tmp_path, monkeypatch):
    mod = load_user_module(tmp_path, monkeypatch, "user_kernels_d")
    k = pickle.loads(pickle.dumps(mod.safe_div))
    arr = ChunkArray.from_numpy(np.arange(10, dtype=np.int64))
    d = np.array([1, 1, 1, 0, 1, 1, 1, 1, 1, 1], dtype=np.int64)
    with pytest.raises(ZeroDivisionError) as info:
        arr.map(k, d)
    msg = str(info.value)
    assert "kernel 'safe_div' at element 3" in msg
    assert f"{tmp_path / 'user_kernels_d.py'}, line 21: return x // d" in msg


def test_interpreted_kernel_rebuilds_its_python_function():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def label(x: F8) -> F8:
            return float(len(str(x)))  # len/str are outside the subset

    payload = pickle.dumps(label)
    out = run_elsewhere(payload, "print(obj.mode, obj(12.5), obj.fallback_reason is not None)")
    assert out == "interpreted 4.0 True"


def test_dask_token_is_stable_across_processes(tmp_path, monkeypatch):
    mod = load_user_module(tmp_path, monkeypatch, "user_kernels_e")
    token = mod.scaled_sqrt.__dask_tokenize__()
    assert token == pickle.loads(pickle.dumps(mod.scaled_sqrt)).__dask_tokenize__()
    assert run_elsewhere(pickle.dumps(mod.scaled_sqrt), "print(obj.__dask_tokenize__())") == token
    assert token != mod.helper.__dask_tokenize__()


def test_closure_constants_travel():
    def make(offset):
        @chunk_kernel
        def shifted(x: F8) -> F8:
            return x + offset

        return shifted

    payload = pickle.dumps(make(2.5))
    assert run_elsewhere(payload, "print(obj.mode, obj(1.0), obj.py_func(1.0))") == "native 3.5 3.5"


def test_token_changes_with_name_and_flags():
    @chunk_kernel
    def f(x: F8) -> F8:
        return x + 1.0

    @chunk_kernel(associative=True)
    def f_assoc(x: F8) -> F8:
        return x + 1.0

    # Same body but a different name and flag: different tokens.
    assert f.__dask_tokenize__() != f_assoc.__dask_tokenize__()
    assert f.__dask_tokenize__() == f.__dask_tokenize__()


# -- ChunkArray -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [B1, U2, U8, S1, S8, F4, F8])
@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_chunk_array_round_trip(dtype, protocol):
    values = np.arange(1000).astype(dtype.dtype)
    arr = ChunkArray.from_numpy(values, first_chunk=64)
    back = pickle.loads(pickle.dumps(arr, protocol=protocol))
    assert back == arr
    assert back.dtype == arr.dtype
    assert back.first_chunk == 64
    assert np.array_equal(back.to_numpy(), values)


def test_empty_chunk_array_round_trip():
    arr = ChunkArray(U8, first_chunk=8)
    back = pickle.loads(pickle.dumps(arr, protocol=5))
    assert len(back) == 0 and back.dtype == U8 and back.first_chunk == 8


def test_protocol_5_buffers_are_the_chunks_out_of_band():
    arr = ChunkArray.from_numpy(np.arange(300, dtype=np.float64), first_chunk=64)
    buffers = []
    data = pickle.dumps(arr, protocol=5, buffer_callback=buffers.append)
    views = arr.chunks()
    assert len(buffers) == len(views) == arr.chunk_count
    for buf, view in zip(buffers, views):
        raw = buf.raw()
        # The pickle buffer is the chunk's memory itself: no copy was made.
        assert np.frombuffer(raw, dtype=np.uint8).__array_interface__["data"][0] == (
            view.__array_interface__["data"][0]
        )
    assert len(data) < 400  # the elements (2400 bytes) are not in the pickle stream
    back = pickle.loads(data, buffers=buffers)
    assert back == arr
