"""Kernels over dask arrays (``pip install chunkjit[dask]``); dask is imported on first use.

A kernel pickles by its source and recompiles in each worker (about a millisecond), so the
module that defined it need not be importable there; ``dask.base.tokenize(kernel)`` is stable
across processes. The plain dask recipe works too, since a kernel is elementwise on ndarrays::

    dask.array.map_blocks(kernel, x, dtype=...)

``map_blocks`` below works out the output dtype itself and names the failing block.
"""

from __future__ import annotations

from ._kernel import Kernel

__all__ = ["map_blocks", "reduce"]


def _check_kernel(kernel) -> Kernel:
    if not isinstance(kernel, Kernel):
        raise TypeError(f"expected a @chunk_kernel function, got {type(kernel).__name__}")
    return kernel


def _output_dtype(kernel, args):
    """The numpy dtype of the kernel's results for these inputs (dask arrays or scalars)."""
    import numpy as np

    probes = [np.empty(0, dtype=a.dtype) if hasattr(a, "dtype") else a for a in args]
    compiled = kernel._for_inputs(probes)
    if compiled is not None:
        return np.dtype(compiled.ret_numpy_dtype)
    from ._types import dtype_of_annotation

    annotated = dtype_of_annotation(kernel.py_func.__annotations__.get("return"))
    if annotated is None:
        raise TypeError(
            f"kernel '{kernel.__name__}' runs interpreted and has no return annotation: "
            f"pass dtype= to map_blocks"
        )
    return annotated.dtype


class _BlockRunner:
    """The per-block function: runs the kernel on the blocks and names the block on failure."""

    def __init__(self, kernel) -> None:
        self.kernel = kernel
        self.__name__ = kernel.__name__  # dask names the tasks after it

    def __call__(self, *blocks, block_info=None):
        try:
            return self.kernel(*blocks)
        except Exception as err:
            info = (block_info or {}).get(None) or {}
            if "chunk-location" in info:
                err.add_note(
                    f"in dask block {tuple(info['chunk-location'])}, covering "
                    f"{[tuple(r) for r in info['array-location']]} of the output "
                    f"(element indices in the message count from the block's start)"
                )
            raise

    def __dask_tokenize__(self):
        return ("chunkjit.dask.map_blocks", self.kernel.__dask_tokenize__())


def map_blocks(kernel, *args, dtype=None, **kwargs):
    """``kernel`` applied elementwise to dask arrays (and broadcast scalars), block by block, as
    a lazy dask array. Blocks of the inputs must line up as for ``dask.array.map_blocks`` (extra
    keyword arguments go to it)."""
    import dask.array as da
    import numpy as np

    kernel = _check_kernel(kernel)
    arrays = [a for a in args if isinstance(a, da.Array)]
    if not arrays:
        raise TypeError("map_blocks needs at least one dask array")
    out_dtype = np.dtype(dtype) if dtype is not None else _output_dtype(kernel, args)
    ndim = max(a.ndim for a in arrays)
    meta = np.empty((0,) * ndim, dtype=out_dtype)
    return da.map_blocks(_BlockRunner(kernel), *args, dtype=out_dtype, meta=meta, **kwargs)


# -- reduce -------------------------------------------------------------------------------------


def _block_partial(kernel, block):
    """A block folded from its first element (None for an empty block)."""
    import numpy as np

    from . import ChunkArray

    flat = np.ravel(block)
    if flat.size == 0:
        return None
    return ChunkArray.from_numpy(flat[1:]).reduce(kernel, flat[0].item())


def _combine(kernel, initial, dtype, partials):
    from . import ChunkArray

    present = [p for p in partials if p is not None]
    if not present:
        return initial
    return ChunkArray.from_iterable(present, dtype).reduce(kernel, initial)


def _fold_block(kernel, acc, block):
    import numpy as np

    from . import ChunkArray

    return ChunkArray.from_numpy(np.ravel(block)).reduce(kernel, acc)


def reduce(kernel, x, initial, *, sequential: bool = False):
    """``kernel(acc, element)`` folded over a dask array (in ``ravel`` order) from ``initial``,
    as a ``dask.delayed`` value (call ``.compute()``).

    An ``associative=True`` kernel whose accumulator has the array's dtype folds every block in
    parallel (from the block's first element), then folds the block results onto ``initial``, in
    order. Any other kernel needs ``sequential=True``: the blocks are then folded one after the
    other (a chain of tasks, no parallelism); without it a ValueError says so."""
    import numpy as np
    from dask import delayed

    kernel = _check_kernel(kernel)
    blocks = list(x.ravel().to_delayed().ravel())
    parallel = False
    if kernel.associative:
        from ._types import type_name_of_dtype, type_name_of_value

        compiled = kernel._specialise((type_name_of_value(initial), type_name_of_dtype(x.dtype)))
        parallel = compiled is not None and np.dtype(compiled.ret_numpy_dtype) == x.dtype
    if parallel:
        partials = [delayed(_block_partial, pure=True)(kernel, b) for b in blocks]
        return delayed(_combine, pure=True)(kernel, initial, x.dtype, partials)
    if not sequential:
        raise ValueError(
            f"reduce of a dask array with kernel '{kernel.__name__}': the blocks can be folded in "
            f"parallel only for an associative kernel (@chunk_kernel(associative=True)) whose "
            f"accumulator has the array's dtype ({x.dtype}); pass sequential=True to fold the "
            f"blocks one after the other"
        )
    acc = initial
    for b in blocks:
        acc = delayed(_fold_block, pure=True)(kernel, acc, b)
    return delayed(acc) if not blocks else acc
