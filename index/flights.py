"""Calls in flight by key: a second caller of a key being computed waits for that result instead of computing
it again (the query encoder's prefetch thread and the request's own thread ask for the same query)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Future
from threading import Lock
from typing import Generic, TypeVar

V = TypeVar("V")


class Flights(Generic[V]):
    def __init__(self) -> None:
        self._lock = Lock()
        self._running: dict[Hashable, Future[V]] = {}

    def run(self, key: Hashable, compute: Callable[[], V]) -> V:
        """compute()'s value, computed once however many threads ask for key at the same time; its exception
        reaches every one of them."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                running = self._running[key] = Future()
                mine = True
            else:
                mine = False
        if not mine:
            return running.result()
        try:
            value = compute()
        except BaseException as e:
            with self._lock:
                del self._running[key]
            running.set_exception(e)
            raise
        with self._lock:
            del self._running[key]
        running.set_result(value)
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._running
