"""Acknowledged events survive `kill -9` of a real `python -m assistant` process, and the profile is
rebuilt from them on restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from assistant.settings import ROOT
from tests.assistant.shoppers.crash import acked_until_killed
from tests.conftest import FLIPKART_MAPPING, TINY_CATALOG, free_port


def start(index_dir, data_dir, port) -> subprocess.Popen:
    env = {
        **os.environ,
        "SHOPMATE_INDEX_DIR": str(index_dir),
        "SHOPMATE_DATA_DIR": str(data_dir),
        "SHOPMATE_PORT": str(port),
        "SHOPMATE_CATALOG": str(TINY_CATALOG),
        "SHOPMATE_MAPPING": str(FLIPKART_MAPPING),
        "SHOPMATE_LOG_LEVEL": "warning",
        "SHOPMATE_SEGMENTS_REFRESH_S": "0",
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("SHOPMATE_SECRET", None)  # the secret generated on first run must be reused after the restart
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.fixture
def server_dirs(tiny_index_dir, tmp_path):
    return tiny_index_dir, tmp_path / "state"


def test_acknowledged_events_survive_kill_9(server_dirs, tiny_products):
    index_dir, data_dir = server_dirs
    port = free_port()
    proc = start(index_dir, data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            s = c.post("/api/sessions").json()
            h = {"Authorization": f"Bearer {s['token']}"}
            shoes = [p for p in tiny_products if "shoe" in p.title.lower()][:5]
            assert (
                c.post("/api/events", json=[{"type": "view", "product_id": p.id} for p in shoes], headers=h).status_code
                == 200
            )
            c.put("/api/me/preferences", json={"sizes": ["42"]}, headers=h)
            profile_before = c.get("/api/me/profile", headers=h).json()
            search_before = c.get("/api/search", params={"q": "shoes"}, headers=h).json()["results"]
        acked = acked_until_killed(base, h, proc, wait_s=60)
        assert len(acked) >= 200
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    proc = start(index_dir, data_dir, port)
    try:
        with httpx.Client(base_url=base, timeout=30) as c:
            exported = c.get("/api/me/export", headers=h).json()  # the old token is still valid
            stored = {e["query"] for e in exported["events"] if e["type"] == "search"}
            missing = [q for q in acked if q not in stored]
            assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:3]}"
            assert sum(e["type"] == "view" for e in exported["events"]) == len(shoes)
            after = c.get("/api/me/profile", headers=h).json()
            assert after["preferences"] == profile_before["preferences"] and after["preferences"]["sizes"] == ["42"]
            assert after["event_count"] >= profile_before["event_count"] + len(acked)
            search_after = c.get("/api/search", params={"q": "shoes"}, headers=h).json()["results"]
            assert [r["id"] for r in search_after] == [r["id"] for r in search_before]
            assert [r["why"] for r in search_after] == [r["why"] for r in search_before]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
