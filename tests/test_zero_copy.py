"""chunks(): zero-copy writable views that keep the array alive; chunk geometry."""

import gc
import weakref

import numpy as np

from chunkjit import B1, F8, S4, U1, ChunkArray


def test_chunk_sizes_follow_the_xar_layout():
    a = ChunkArray.from_iterable(range(100), S4, first_chunk=4)
    assert [len(c) for c in a.chunks()] == [4, 4, 8, 16, 32, 36]
    assert a.chunk_count == 6
    b = ChunkArray.from_iterable(range(16), S4, first_chunk=4)
    assert [len(c) for c in b.chunks()] == [4, 4, 8]  # exactly full: no empty chunk
    assert ChunkArray(S4).chunks() == []


def test_chunk_geometry_for_the_default_first_chunk():
    a = ChunkArray.from_numpy(np.zeros(4096 * 8 + 1))
    assert [len(c) for c in a.chunks()] == [4096, 4096, 8192, 16384, 1]


def test_views_are_zero_copy_and_writable():
    a = ChunkArray.from_iterable(range(20), F8, first_chunk=4)
    views = a.chunks()
    assert all(v.flags["WRITEABLE"] and not v.flags["OWNDATA"] for v in views)
    views[0][1] = -1.0
    views[3][0] = 99.0  # chunk 3 starts at element 16
    assert a[1] == -1.0
    assert a[16] == 99.0
    a[2] = 42.0
    assert views[0][2] == 42.0
    assert np.concatenate(views).tolist() == list(a)


def test_views_stay_valid_while_the_array_grows():
    a = ChunkArray.from_iterable(range(4), U1, first_chunk=4)
    view = a.chunks()[0]
    address = view.__array_interface__["data"][0]
    a.extend([7] * 1000)
    view[0] = 200
    assert a[0] == 200
    assert a.chunks()[0].__array_interface__["data"][0] == address


def test_a_view_keeps_the_array_alive_after_del():
    a = ChunkArray.from_iterable(range(10), F8, first_chunk=2)
    ref = weakref.ref(a) if hasattr(a, "__weakref__") else None
    views = a.chunks()
    last = views[-1]
    del a, views
    gc.collect()
    assert last.tolist() == [8.0, 9.0]
    last[0] = 1.5
    assert last.base is not None
    assert last[0] == 1.5
    if ref is not None:
        assert ref() is not None
    del last
    gc.collect()


def test_bool_views():
    a = ChunkArray.from_iterable([True, False, True], B1)
    (view,) = a.chunks()
    assert view.dtype == np.bool_
    view[1] = True
    assert a[1] is True
    assert a.sum() == 3
