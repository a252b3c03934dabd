"""The C heap of a serving process: glibc keeps freed memory, and one heap per thread, unless told otherwise.

Loading an index frees far more than it keeps (JSON lines, transient arrays, per-phrase checks), and
rebuilding autocomplete from the search log replaces every array it holds; glibc keeps such freed memory
in the process (below a trim threshold it raises as large blocks come and go), and gives each worker
thread its own heap to fill. Both show up as RSS that nothing uses. A no-op where the C library is not glibc.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import math
from collections.abc import Callable
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


TRIM_INTERVAL_S = 10.0  # at most one trim per this many seconds: a trim walks every heap page
TRIM_QUIET_S = 0.5  # wait this long after the last request finished, so a trim does not land mid-burst


class IdleTrimmer:
    """Gives freed C-heap pages back once a burst of work is over, at most once per `interval_s`.

    Searches allocate and free arrays in worker threads; glibc keeps the freed pages of each heap (measured
    at 20k products: 8–14 MB after 400 HTTP searches) until told. Work is counted by `begin()`/`end()` (the
    `IdleTrim` middleware: every API request and every chat message); `work_done()` is called on the event
    loop when the last piece of work finished; the trim itself runs in a worker thread (malloc_trim releases
    the interpreter lock), `quiet_s` later and only if nothing is in flight then.
    """

    def __init__(
        self,
        busy: Callable[[], bool] | None = None,
        interval_s: float = TRIM_INTERVAL_S,
        quiet_s: float = TRIM_QUIET_S,
        trim: Callable[[], bool] = release_free_heap,
    ):
        self.active: int = 0  # work in flight, counted by begin()/end()
        self.busy = busy or (lambda: self.active > 0)
        self.interval_s, self.quiet_s, self.trim = interval_s, quiet_s, trim
        self.trims = 0
        self._last = -math.inf
        self._timer: asyncio.TimerHandle | None = None
        self._running = False
        self._task: asyncio.Task | None = None  # held: the loop keeps only a weak reference to tasks

    @property
    def due(self) -> bool:
        """A trim is scheduled or running."""
        return self._timer is not None or self._running

    def begin(self) -> None:
        """A piece of work started (event loop only)."""
        self.active += 1

    def end(self) -> None:
        """A piece of work finished (event loop only): the last one schedules a trim."""
        self.active -= 1
        if self.active <= 0:
            self.active = 0
            self.work_done()

    def work_done(self) -> None:
        """A burst may have ended: schedule a trim (event loop only; cheap when one is already due)."""
        if self._timer is not None or self._running or self.interval_s <= 0:
            return
        loop = asyncio.get_running_loop()
        wait = max(self.quiet_s, self._last + self.interval_s - loop.time())
        self._timer = loop.call_later(wait, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self.busy():
            return  # still serving: the next piece of work to finish schedules again
        self._running = True
        self._last = asyncio.get_running_loop().time()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            await asyncio.to_thread(self.trim)
            self.trims += 1
        finally:
            self._running = False
