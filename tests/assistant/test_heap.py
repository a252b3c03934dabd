"""The serving process gives freed C-heap pages back to the OS (glibc only: elsewhere the calls are no-ops)."""

from __future__ import annotations

import ctypes.util
import gc

import numpy as np
import pytest

from assistant.heap import limit_heaps, release_free_heap

glibc = pytest.mark.skipif(not (ctypes.util.find_library("c") or "").startswith("libc.so"), reason="not glibc")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


@glibc
def test_freed_small_arrays_are_given_back():
    # 10 kB arrays come from malloc's heap, not mmap; keeping every 8th one leaves the freed ones in holes
    # that glibc keeps (the start-up pattern: many transient arrays, a few kept)
    arrays = [np.ones(1250) for _ in range(8000)]  # ~80 MB
    kept = arrays[::8]
    del arrays
    gc.collect()
    before = rss_mb()
    assert release_free_heap()
    after = rss_mb()
    assert before - after > 20, (before, after)
    assert len(kept) == 1000


@glibc
def test_heap_count_can_be_limited():
    assert limit_heaps()
