"""Kill -9 a server while four clients write events to it: what was acknowledged before it died."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import httpx


def acked_until_killed(base: str, headers: dict[str, str], proc: subprocess.Popen, wait_s: float) -> list[str]:
    """Four writers post `search` events to `base` until at least 200 are acknowledged (or `wait_s`), then the
    server process is SIGKILLed mid-stream; returns the queries of every acknowledged event."""
    acked: list[str] = []
    stop = threading.Event()

    def writer(n: int) -> None:  # keeps writing until the process dies under it
        with httpx.Client(base_url=base, timeout=5) as c:
            i = 0
            while not stop.is_set() and i < 5000:
                q = f"probe {n} {i}"
                try:
                    r = c.post("/api/events", json={"type": "search", "query": q}, headers=headers)
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    acked.append(q)
                i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    deadline = time.time() + wait_s
    while len(acked) < 200 and time.time() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # mid-stream: requests are in flight
    proc.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    return acked
