"""A least-recently-used cache bounded by entries and by bytes, for per-shopper values derived in a request."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class SizedLru(Generic[V]):
    """key -> (version, value): a value is served while its version is the one asked for; the least recently used
    entries go first once there are more than `max_items` or their values hold more than `max_bytes` (one entry
    is always kept). Requests run on several threads: the byte count stays that of the entries held."""

    def __init__(self, max_items: int, max_bytes: int, size: Callable[[V], int]):
        self.max_items, self.max_bytes, self._size = max_items, max_bytes, size
        self._entries: OrderedDict[Hashable, tuple[Hashable, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0

    def get(self, key: Hashable, version: Hashable) -> V | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or hit[0] != version:
                return None
            self._entries.move_to_end(key)
            return hit[1]

    def put_if_absent(self, key: Hashable, version: Hashable, value: V) -> V:
        """The value held for key at this version if there is one (computed meanwhile by another thread), else
        `value`, now held: two threads working the same value out end up sharing one."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                return hit[1]
            self._put(key, version, value)
            return value

    def put(self, key: Hashable, version: Hashable, value: V) -> None:
        with self._lock:
            self._put(key, version, value)

    def _put(self, key: Hashable, version: Hashable, value: V) -> None:  # under the lock
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= self._size(old[1])
        self._entries[key] = (version, value)  # at the end: the most recently used
        self.bytes += self._size(value)
        while len(self._entries) > 1 and (len(self._entries) > self.max_items or self.bytes > self.max_bytes):
            self.bytes -= self._size(self._entries.popitem(last=False)[1][1])

    def peek(self, key: Hashable) -> V | None:
        """The value held for key, whatever its version (not marked used)."""
        with self._lock:
            hit = self._entries.get(key)
            return None if hit is None else hit[1]

    def pop(self, key: Hashable) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= self._size(old[1])

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def keys(self) -> list[Hashable]:
        """Least recently used first."""
        with self._lock:
            return list(self._entries)
