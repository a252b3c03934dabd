"""The C heap of a serving process: glibc keeps freed memory, and one heap per thread, unless told otherwise.

Loading an index frees far more than it keeps (JSON lines, transient arrays, per-phrase checks), and
rebuilding autocomplete from the search log replaces every array it holds; glibc keeps such freed memory
in the process (below a trim threshold it raises as large blocks come and go), and gives each worker
thread its own heap to fill. Both show up as RSS that nothing uses. A no-op where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

M_ARENA_MAX = -8  # glibc mallopt parameter
SERVING_ARENAS = 2  # heaps shared by the threads: one per core of a small box; fewer means lock waits


@functools.cache
def _libc() -> Any | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def release_free_heap() -> bool:
    """Give the heap's free pages back to the OS (malloc_trim). False: not glibc."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def limit_heaps(n: int = SERVING_ARENAS) -> bool:
    """At most n malloc heaps for all threads (uvicorn's and asyncio's worker threads would each get one)."""
    libc = _libc()
    return libc is not None and bool(libc.mallopt(M_ARENA_MAX, n))
