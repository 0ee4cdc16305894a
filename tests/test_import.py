"""`import chunkjit` stays light: numpy, the standard library's small modules and our own."""

import subprocess
import sys

HEAVY = ["numba", "pandas", "polars", "pyarrow", "dask", "scipy", "matplotlib", "tqdm"]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_import_pulls_in_nothing_heavy():
    with_numpy = _modules_after("import numpy")
    with_chunkjit = _modules_after("import chunkjit")
    added = {m for m in with_chunkjit - with_numpy if not m.startswith("chunkjit")}
    assert [m for m in HEAVY if m in with_chunkjit] == []
    # only small standard-library modules beyond numpy's own imports
    assert added <= {"__future__", "linecache", "tokenize", "token", "functools", "threading", "warnings"}, added


def test_decorating_reads_source_without_inspect(tmp_path):
    (tmp_path / "kmod.py").write_text(
        "from chunkjit import F8, chunk_kernel\n"
        "@chunk_kernel\n"
        "def f(x: F8) -> F8:\n"
        "    return x + 1.0\n"
    )
    code = (
        "import inspect\n"
        "def refuse(*a, **k): raise AssertionError('inspect used')\n"
        "inspect.getsourcelines = inspect.getsource = refuse\n"
        "import kmod; print(kmod.f.mode, kmod.f(1.0))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out == ["native", "2.0"]
