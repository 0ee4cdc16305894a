"""Outside the subset: the kernel still works, interpreted, and says why (SPEC §5)."""

import pytest

from chunkjit import F8, S8, U1, ChunkArray, FallbackWarning, chunk_kernel


def test_fallback_warns_once_with_reason():
    with pytest.warns(FallbackWarning) as record:

        @chunk_kernel
        def chatty(x: F8) -> F8:
            values = [x, x]
            return values[0] * 2.0

    assert len(record) == 1
    message = str(record[0].message)
    assert "chatty" in message
    assert "'list' literal is not in the kernel subset" in message
    assert chatty.mode == "interpreted"
    assert "line" in chatty.fallback_reason and "col" in chatty.fallback_reason
    assert "values = [x, x]" in chatty.fallback_reason
    arr = ChunkArray.from_iterable([1.0, 2.5], F8)
    with warnings_silenced():
        assert list(arr.map(chatty)) == [2.0, 5.0]
    assert chatty(4.0) == 8.0


def test_interpreted_results_and_errors_match_compiled():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def slow_div(x: S8, y: S8) -> S8:
            str(x)
            return x // y

    xs = ChunkArray.from_iterable([7, -7, 9], S8)
    ys = ChunkArray.from_iterable([2, 2, 0], S8)
    with pytest.raises(ZeroDivisionError) as info:
        xs.map(slow_div, ys)
    assert "element 2" in "".join(getattr(info.value, "__notes__", []))
    ok = xs.map(slow_div, ChunkArray.from_iterable([2, 2, 2], S8))
    assert list(ok) == [3, -4, 4]


def test_interpreted_result_out_of_range_raises_not_wraps():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def grow(x: U1) -> U1:
            str(x)
            return x * 200

    arr = ChunkArray.from_iterable([0, 1, 2], U1)
    with pytest.raises(OverflowError):
        arr.map(grow)


def test_unreadable_source_falls_back():
    with pytest.warns(FallbackWarning, match="source"):
        k = chunk_kernel(eval("lambda x: x + 1"))
    assert k.mode == "interpreted"
    assert k(2) == 3


def test_filter_and_reduce_interpreted():
    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def odd(x: S8) -> bool:
            return bool({x: 1}) and x % 2 == 1

    with pytest.warns(FallbackWarning):

        @chunk_kernel
        def total(acc: S8, x: S8) -> S8:
            return sum([acc, x])

    arr = ChunkArray.from_iterable(range(10), S8)
    assert list(arr.filter(odd)) == [1, 3, 5, 7, 9]
    assert arr.reduce(total, 0) == 45


class warnings_silenced:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)
