"""map / filter / reduce: the compiled path hands whole arrays to the native drivers; the
interpreted path runs the Python function chunk by chunk over Python scalars."""

from __future__ import annotations

from ._kernel import Kernel


def _check_kernel(kernel, what: str) -> Kernel:
    if not isinstance(kernel, Kernel):
        raise TypeError(
            f"{what} takes a @chunk_kernel function, got {type(kernel).__name__}"
        )
    return kernel


def _check_lengths(n: int, others) -> None:
    import numpy as np

    from . import ChunkArray

    for i, other in enumerate(others, start=1):
        if isinstance(other, ChunkArray) or isinstance(other, np.ndarray):
            if len(other) != n:
                raise ValueError(
                    f"map input {i} has length {len(other)}, the array has length {n}"
                )


def _normalise(others):
    """ndarrays become 1-d C-contiguous arrays; everything else is passed as is."""
    import numpy as np

    out = []
    for other in others:
        if isinstance(other, np.ndarray):
            if other.ndim != 1:
                raise ValueError(f"map takes 1-d ndarrays, got {other.ndim}-d")
            other = np.ascontiguousarray(other)
        out.append(other)
    return out


def map_array(arr, kernel, others, out, progress=None):
    kernel = _check_kernel(kernel, "map")
    others = _normalise(others)
    _check_lengths(len(arr), others)
    inputs = [arr, *others]
    compiled = kernel._for_inputs(inputs)
    if progress is not None and progress is not False:
        from ._progress import reporting

        with reporting(progress, len(arr), f"map {kernel.__name__}") as sink:
            if compiled is None:
                return _interpreted_map(kernel, inputs, len(arr), out, sink)
            return compiled.map(inputs, out, sink)
    if compiled is None:
        return _interpreted_map(kernel, inputs, len(arr), out)
    return compiled.map(inputs, out)


def filter_array(arr, predicate):
    predicate = _check_kernel(predicate, "filter")
    compiled = predicate._for_inputs([arr])
    if compiled is None:
        return _interpreted_filter(predicate, arr)
    if compiled.ret_type != "B1":
        raise TypeError(
            f"filter needs a predicate returning B1 (bool); "
            f"'{predicate.__name__}' returns {compiled.ret_type}"
        )
    return compiled.filter(arr)


def reduce_array(arr, kernel, initial):
    kernel = _check_kernel(kernel, "reduce")
    from ._types import type_name_of_value

    compiled = kernel._specialise((type_name_of_value(initial), type_name_of_value(arr)))
    if compiled is None:
        return _interpreted_reduce(kernel, arr, initial)
    return compiled.reduce(arr, initial, kernel.associative)


# -- interpreted fallback (SPEC §5) ------------------------------------------------------------


def _columns(inputs, n):
    """Per input, a function giving the Python scalars of elements [start, stop)."""
    import numpy as np

    from . import ChunkArray

    cols = []
    for x in inputs:
        if isinstance(x, ChunkArray):
            cols.append(_chunk_reader(x))
        elif isinstance(x, np.ndarray):
            cols.append(lambda a, b, x=x: x[a:b].tolist())
        else:
            cols.append(lambda a, b, x=x: [x] * (b - a))
    return cols


def _chunk_reader(arr):
    views = arr.chunks()
    starts = []
    pos = 0
    for v in views:
        starts.append(pos)
        pos += len(v)

    def read(a, b):
        out = []
        for start, v in zip(starts, views):
            lo, hi = max(a, start), min(b, start + len(v))
            if lo < hi:
                out.extend(v[lo - start : hi - start].tolist())
        return out

    return read


def _ranges(arr, n):
    """Element ranges matching the first input's chunks."""
    pos = 0
    for v in arr.chunks():
        if len(v):
            yield pos, pos + len(v)
            pos += len(v)
    if pos < n:
        yield pos, n


def _raise_at(kernel, err, index):
    err.add_note(f"in kernel '{kernel.__name__}' (interpreted), at element {index}")
    raise err


def _output_dtype(kernel, first_result):
    from ._types import dtype_of_annotation, type_name_of_value

    ret = kernel.py_func.__annotations__.get("return")
    if ret is not None:
        dtype = dtype_of_annotation(ret)
        if dtype is not None:
            return dtype
    return type_name_of_value(first_result)


def _interpreted_map(kernel, inputs, n, out, progress=None):
    from . import ChunkArray

    func = kernel.py_func
    cols = _columns(inputs, n)
    results = []
    for a, b in _ranges(inputs[0], n):
        if progress is not None:
            progress(a, n)
        args = [col(a, b) for col in cols]
        for k, row in enumerate(zip(*args)):
            try:
                results.append(func(*row))
            except Exception as err:  # noqa: BLE001 - re-raised with the element index
                _raise_at(kernel, err, a + k)
    if out is None:
        dtype = _output_dtype(kernel, results[0] if results else 0.0)
        out = ChunkArray(dtype, first_chunk=inputs[0].first_chunk)
        try:
            out.extend(results)
        except (OverflowError, TypeError) as err:
            raise type(err)(
                f"kernel '{kernel.__name__}' (interpreted) returned a value that does not "
                f"fit {out.dtype.name}: {err}"
            ) from None
        return out
    if len(out) != n:
        raise ValueError(f"out has length {len(out)}, the array has length {n}")
    for i, value in enumerate(results):
        out[i] = value
    return out


def _interpreted_filter(predicate, arr):
    from . import ChunkArray

    func = predicate.py_func
    kept = []
    read = _chunk_reader(arr)
    for a, b in _ranges(arr, len(arr)):
        for k, x in enumerate(read(a, b)):
            try:
                if func(x):
                    kept.append(x)
            except Exception as err:  # noqa: BLE001
                _raise_at(predicate, err, a + k)
    result = ChunkArray(arr.dtype, first_chunk=arr.first_chunk)
    result.extend(kept)
    return result


def _interpreted_reduce(kernel, arr, initial):
    func = kernel.py_func
    acc = initial
    read = _chunk_reader(arr)
    for a, b in _ranges(arr, len(arr)):
        for k, x in enumerate(read(a, b)):
            try:
                acc = func(acc, x)
            except Exception as err:  # noqa: BLE001
                _raise_at(kernel, err, a + k)
    return acc


def call_on_ndarrays(kernel, args):
    """`kernel(ndarray, ...)`: elementwise over broadcast ndarrays, returning an ndarray."""
    import numpy as np

    arrays = [a for a in args if isinstance(a, np.ndarray)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    n = 1
    for d in shape:
        n *= d
    flat = []
    for a in args:
        if isinstance(a, np.ndarray):
            a = a if a.shape == shape else np.broadcast_to(a, shape)
            flat.append(np.ascontiguousarray(a).reshape(n))
        else:
            flat.append(a)
    compiled = kernel._for_inputs(flat)
    if compiled is None:
        results = [kernel.py_func(*row) for row in zip(*(
            f.tolist() if isinstance(f, np.ndarray) else [f] * n for f in flat
        ))]
        if not results:
            return np.empty(shape)
        return np.asarray(results).reshape(shape)
    out = np.empty(n, dtype=compiled.ret_numpy_dtype)
    compiled.map(flat, out)
    return out.reshape(shape)
