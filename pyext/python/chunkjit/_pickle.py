"""Pickling kernels and chunk arrays, so they travel to other processes (dask workers,
multiprocessing) that may not be able to import the module that defined them.

A kernel travels as its source text, file, first line, the names it resolved at decoration
(constants, math, scalar types, callee kernels — these pickle recursively) and its flags; the
receiving process compiles it again (about a millisecond) and rebuilds the Python function used
by the interpreted fallback and ``py_func`` from the same source, never by reference.

A ChunkArray travels as its chunks: with pickle protocol 5 each chunk is an out-of-band
``PickleBuffer`` over the chunk's memory (no copy while pickling); with older protocols, bytes.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import importlib
import math
import pickle
import textwrap
import types

#: Bumped when the pickled layout of a kernel changes.
KERNEL_STATE_VERSION = 1


# -- kernels ------------------------------------------------------------------------------------


def _entry_value(entry):
    """The Python value behind one resolved-name entry, for the rebuilt function's globals."""
    from ._types import _BY_NAME

    tag = entry[0]
    if tag == "const":
        return entry[1]
    if tag == "math":
        return math
    if tag == "mathfn":
        return getattr(math, entry[1])
    if tag == "type":
        return _BY_NAME[entry[1]]
    if tag == "kernel":
        return entry[1]
    raise KeyError(tag)


def _other_value(func, name):
    """The current value of a global/closure name of `func` that is outside the subset."""
    code = func.__code__
    if func.__closure__ and name in code.co_freevars:
        cell = func.__closure__[code.co_freevars.index(name)]
        try:
            return True, cell.cell_contents
        except ValueError:
            return False, None
    if name in func.__globals__:
        return True, func.__globals__[name]
    return False, None


def _portable(value):
    """`value` as something another process can load: modules by name, the rest as pickled
    (None when it cannot be pickled: the rebuilt function then raises NameError if it uses it)."""
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    try:
        pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - any pickling failure means "does not travel"
        return None
    return ("value", value)


def _unportable(kind_value):
    kind, value = kind_value
    if kind == "module":
        return importlib.import_module(value)
    return value


def kernel_state(kernel) -> dict:
    """What a kernel pickles as (see the module docstring)."""
    func = kernel.py_func
    others = {}
    for name, entry in kernel._snapshot.items():
        if entry[0] != "other":
            continue
        found, value = _other_value(func, name)
        if found:
            portable = _portable(value)
            if portable is not None:
                others[name] = portable
    annotations = {}
    for key, value in getattr(func, "__annotations__", {}).items():
        if _portable(value) is not None:
            annotations[key] = value
    text, file, first_line = kernel._where
    return {
        "version": KERNEL_STATE_VERSION,
        "name": kernel.__name__,
        "qualname": getattr(kernel, "__qualname__", kernel.__name__),
        "module": getattr(func, "__module__", None),
        "doc": getattr(func, "__doc__", None),
        "text": text,
        "file": file,
        "first_line": first_line,
        "snapshot": dict(kernel._snapshot),
        "others": others,
        "annotations": annotations,
        "strict": kernel.strict,
        "associative": kernel.associative,
    }


def rebuild_kernel(state: dict):
    """Unpickles a kernel: rebuilds its Python function from the source and compiles it again."""
    from ._kernel import Kernel

    if state.get("version") != KERNEL_STATE_VERSION:
        raise pickle.UnpicklingError(
            f"chunkjit kernel pickled with state version {state.get('version')}, "
            f"this chunkjit reads version {KERNEL_STATE_VERSION}"
        )
    func = function_from_source(state)
    return Kernel._from_source(
        func,
        (state["text"], state["file"], state["first_line"]),
        state["snapshot"],
        strict=state["strict"],
        associative=state["associative"],
    )


def rebuild_by_reference(func, strict: bool, associative: bool):
    """Unpickles a kernel that had no readable source: its function came by reference."""
    from ._kernel import Kernel

    return Kernel(func, strict=strict, associative=associative)


class _NoDecorators(ast.NodeTransformer):
    """Drops the decorators and the parameter/return annotations of the kernel's `def` (the
    annotations are restored from the pickled values, so their names need not resolve)."""

    def visit_FunctionDef(self, node):
        node.decorator_list = []
        node.returns = None
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            arg.annotation = None
        for arg in (node.args.vararg, node.args.kwarg):
            if arg is not None:
                arg.annotation = None
        return node  # nested defs keep theirs: they are evaluated only when run


def function_from_source(state: dict):
    """A Python function with the kernel's body, compiled from its source text in a namespace
    holding the resolved names (so the defining module need not be importable)."""
    name = state["name"]
    namespace = {"__name__": state["module"] or "__chunkjit_kernel__", "__builtins__": builtins}
    for key, entry in state["snapshot"].items():
        if entry[0] != "other":
            namespace[key] = _entry_value(entry)
    for key, portable in state["others"].items():
        namespace[key] = _unportable(portable)
    try:
        tree = ast.parse(textwrap.dedent(state["text"]))
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
        if not defs:
            raise SyntaxError(f"no function '{name}' in the kernel's source")
        tree.body = [_NoDecorators().visit(defs[0])]
        ast.increment_lineno(tree, state["first_line"] - 1)
        exec(compile(tree, state["file"], "exec"), namespace)  # noqa: S102 - the kernel's own source
        func = namespace[name]
    except Exception as err:  # noqa: BLE001 - the compiled path may still work without it
        reason = f"{type(err).__name__}: {err}"

        def func(*args, _reason=reason):
            raise RuntimeError(
                f"kernel '{name}': its Python function could not be rebuilt after unpickling "
                f"({_reason})"
            )

    func.__annotations__ = dict(state["annotations"])
    func.__qualname__ = state["qualname"]
    func.__doc__ = state["doc"]
    return func


def kernel_token(kernel) -> str:
    """A token that is the same in every process for the same kernel definition: a hash of the
    source, the resolved names (callee kernels by their own token) and the flags."""
    where = getattr(kernel, "_where", None)
    if where is None:
        parts = ["no-source", kernel.__name__, repr(kernel.py_func)]
    else:
        names = []
        for name in sorted(kernel._snapshot):
            entry = kernel._snapshot[name]
            if entry[0] == "kernel":
                names.append((name, "kernel", kernel_token(entry[1])))
            else:
                names.append((name, *(repr(v) for v in entry)))
        parts = [kernel.__name__, *map(str, where), repr(names)]
    parts += [f"strict={kernel.strict}", f"associative={kernel.associative}"]
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass"))
    return "chunkjit.Kernel-" + digest.hexdigest()


# -- chunk arrays -------------------------------------------------------------------------------


def reduce_chunk_array(arr, protocol: int):
    """`ChunkArray.__reduce_ex__`: (rebuild function, (dtype name, first_chunk, chunk buffers))."""
    views = [v for v in arr.chunks() if len(v)]
    if protocol >= 5:
        # Out of band when the pickler has a buffer_callback (dask does); in band otherwise,
        # written straight from the chunk's memory either way.
        buffers = [pickle.PickleBuffer(v) for v in views]
    else:
        buffers = [v.tobytes() for v in views]
    return rebuild_chunk_array, (arr.dtype.name, arr.first_chunk, buffers)


def rebuild_chunk_array(dtype_name: str, first_chunk: int, buffers):
    import numpy as np

    from . import ChunkArray
    from ._types import _BY_NAME

    dtype = _BY_NAME[dtype_name]
    out = ChunkArray(dtype, first_chunk=first_chunk)
    for buf in buffers:
        # One memcpy per chunk, into chunks the new array owns.
        out.extend(np.frombuffer(buf, dtype=dtype.dtype))
    return out
