"""Ctrl-C stops a runaway kernel: KeyboardInterrupt, not a hung interpreter."""

import signal
import threading

import pytest

from chunkjit import F8, ChunkArray

import kernels_for_tests as K


def _raise_sigint_later(seconds):
    timer = threading.Timer(seconds, lambda: signal.raise_signal(signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize("kernel", [K.spin, K.count_up], ids=["while_true", "long_for_range"])
def test_a_runaway_loop_in_a_map_is_interrupted(kernel):
    arr = ChunkArray.from_iterable([1.0] * 1000, F8)
    timer = _raise_sigint_later(0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            arr.map(kernel)
    finally:
        timer.cancel()


def test_scalar_call_is_interrupted():
    timer = _raise_sigint_later(0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            K.spin(1.0)
    finally:
        timer.cancel()


@pytest.mark.parametrize("terminal", ["collect", "sum", "count"])
def test_a_fused_pipeline_is_interrupted(terminal):
    arr = ChunkArray.from_iterable([1.0] * 1000, F8)
    timer = _raise_sigint_later(0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            getattr(arr.pipe().filter(K.is_positive).map(K.spin), terminal)()
    finally:
        timer.cancel()
