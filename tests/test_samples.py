"""Every runnable example in samples/ runs to completion in a fresh interpreter (the samples
check their own results against plain Python where they compute something)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "samples").glob("*.py"))


def test_there_are_samples():
    assert {"quickstart.py", "mandelbrot.py", "pipeline_logs.py"} <= {p.name for p in SAMPLES}


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_runs(path: Path):
    env = dict(os.environ, PYTHONWARNINGS="default")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=600, env=env)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    # (dask's worker log of the sample's deliberate ZeroDivisionError is not a traceback)
    assert "Traceback (most recent call last)" not in output, output[-4000:]
    assert run.stdout.strip(), "the sample printed nothing"
