"""Flights: one computation per key however many threads ask at once; its error reaches them all."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from index.flights import Flights


def test_concurrent_callers_of_one_key_share_one_computation():
    flights: Flights[int] = Flights()
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return 42

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(flights.run, "k", slow)
        assert started.wait(10)
        assert "k" in flights
        others = [pool.submit(flights.run, "k", slow) for _ in range(3)]
        release.set()
        assert first.result(10) == 42 and [f.result(10) for f in others] == [42, 42, 42]
    assert len(calls) == 1
    assert "k" not in flights
    assert flights.run("k", lambda: 7) == 7  # done flights are not a cache: the next call computes again


def test_an_error_reaches_every_waiting_caller_and_is_not_kept():
    flights: Flights[int] = Flights()
    started, release = threading.Event(), threading.Event()

    def failing() -> int:
        started.set()
        release.wait(10)
        raise ValueError("bad query")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(flights.run, "k", failing)
        assert started.wait(10)
        second = pool.submit(flights.run, "k", failing)
        release.set()
        for f in (first, second):
            with pytest.raises(ValueError, match="bad query"):
                f.result(10)
    assert flights.run("k", lambda: 1) == 1
