"""Progress reporting for ``ChunkArray.map(..., progress=...)``.

The compiled loops never report anything themselves: each finished range adds its length to a
counter, and the calling thread, which wakes every 20 ms to check for Ctrl-C anyway, hands the
count to a sink ``sink(done, total)``. ``progress=True`` uses a tqdm bar when tqdm is installed
and a line on stderr otherwise; any callable is used as the sink itself. When the map succeeds
the sink gets a last call with ``done == total``.
"""

from __future__ import annotations

import contextlib
import sys


class _TqdmSink:
    def __init__(self, total: int, desc: str) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=total, desc=desc, unit="el", unit_scale=True)
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done

    def close(self) -> None:
        self._bar.close()


class _StderrSink:
    def __init__(self, total: int, desc: str) -> None:
        self._desc = desc
        self._total = total

    def __call__(self, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        sys.stderr.write(f"\r{self._desc}: {pct:3d}% ({done}/{total})")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _bar(total: int, desc: str):
    try:
        return _TqdmSink(total, desc)
    except ImportError:
        return _StderrSink(total, desc)


@contextlib.contextmanager
def reporting(progress, total: int, desc: str):
    """Yields the sink for one map; `progress` is True or a callable `(done, total)`."""
    if progress is True:
        sink = _bar(total, desc)
    elif callable(progress):
        sink = progress
    else:
        raise TypeError(f"progress must be True, False or a callable (done, total), got {progress!r}")
    try:
        yield sink
        sink(total, total)
    finally:
        close = getattr(sink, "close", None)
        if close is not None and sink is not progress:
            close()
