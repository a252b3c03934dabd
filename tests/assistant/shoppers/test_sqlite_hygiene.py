"""SQLite hygiene on a real server: read bursts do not leak file descriptors, and an erase leaves no trace
of the shopper in any file of the data directory (main file, WAL), also after a graceful stop."""

from __future__ import annotations

import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

BURSTS, READS = 8, 400


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def occurrences(data_dir: Path, needle: str) -> dict[str, int]:
    """How often needle appears (UTF-8 bytes) in each file under data_dir."""
    raw = needle.encode()
    return {str(p.relative_to(data_dir)): p.read_bytes().count(raw) for p in data_dir.rglob("*") if p.is_file()}


def test_read_bursts_do_not_leak_file_descriptors(make_server, tiny_products):
    srv = make_server(segments_refresh_s=0)
    store = srv.app.state.services.shoppers.store
    store.readers.idle_s = 1.0  # close unused readers quickly so the test need not wait long
    with httpx.Client(base_url=srv.base_url, timeout=60) as c:
        s = c.post("/api/sessions").json()
        h = {"Authorization": f"Bearer {s['token']}"}
        c.post("/api/events", json=[{"type": "view", "product_id": p.id} for p in tiny_products[:5]], headers=h)
        assert c.get("/api/me/export", headers=h).status_code == 200
    time.sleep(1.5)
    baseline = open_fds()
    peak = 0
    for _ in range(BURSTS):
        # a new client pool and new threads per burst: the worker threads of earlier bursts are gone
        with httpx.Client(base_url=srv.base_url, timeout=60, limits=httpx.Limits(max_connections=32)) as c:

            def read(_: int) -> int:
                return c.get("/api/me/export", headers=h).status_code

            with ThreadPoolExecutor(32) as pool:
                codes = list(pool.map(read, range(READS)))
        assert codes == [200] * READS
        peak = max(peak, store.readers._open)
    assert peak <= store.readers.size  # the pool is bounded
    deadline = time.time() + 60
    while open_fds() > baseline + 5 and time.time() < deadline:
        time.sleep(0.5)  # idle readers and closed sockets are released in the background
    assert open_fds() <= baseline + 5, f"{open_fds()} open file descriptors, baseline {baseline}"


def test_erase_leaves_no_trace_in_the_data_directory(make_server, tiny_products, tmp_path):
    data_dir = tmp_path / "state"
    srv = make_server(segments_refresh_s=0, data_dir=data_dir)
    canary = "zq" + secrets.token_hex(8)
    with httpx.Client(base_url=srv.base_url, timeout=60) as c:
        other = c.post("/api/sessions").json()
        oh = {"Authorization": f"Bearer {other['token']}"}
        me = c.post("/api/sessions").json()
        h = {"Authorization": f"Bearer {me['token']}"}
        for i in range(20):
            events = [
                {
                    "type": "search",
                    "query": f"{canary} boots {i}",
                    "context": {"referrer": f"https://x.example/?q={canary}"},
                },
                {"type": "view", "product_id": tiny_products[i].id, "context": {"page": canary[:20]}},
            ]
            assert c.post("/api/events", json=events, headers=h).status_code == 200
            assert c.post("/api/events", json={"type": "search", "query": f"other {i}"}, headers=oh).status_code == 200
        assert c.put("/api/me/preferences", json={"brands": [canary]}, headers=h).status_code == 200
        assert sum(occurrences(data_dir, canary).values()) > 0  # the scan does find it before the erase
        assert c.delete("/api/me", headers=h).json()["erased_events"] == 40
        found = occurrences(data_dir, canary)
        assert sum(found.values()) == 0, found
        assert sum(occurrences(data_dir, me["shopper_id"]).values()) == 0
        # the other shopper's data is intact, and later writes do not bring the erased rows back
        assert len(c.get("/api/me/export", headers=oh).json()["events"]) == 20
        assert c.post("/api/events", json={"type": "search", "query": "after"}, headers=oh).status_code == 200
    srv.stop()  # a graceful stop: drains the writer, checkpoints and closes the files
    found = occurrences(data_dir, canary)
    assert sum(found.values()) == 0 and found, found
