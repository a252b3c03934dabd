"""Two real server processes (`python -m assistant`) on one PostgreSQL database behave as one shop: an event
taken by replica A changes the shopper's results on replica B at its next request, an erase on A leaves
nothing on B, an admin reload on A makes B load the new index, and SIGKILL of A mid-ingest loses no
acknowledged event; a chat resumes on the other replica with the first one's state."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.settings import ROOT
from index.store import POINTER, current_version
from tests.assistant.chat_client import open_chat, say
from tests.assistant.shoppers.crash import acked_until_killed
from tests.conftest import FLIPKART_MAPPING, TINY_CATALOG, free_port

ADMIN = {"Authorization": "Bearer replica-admin"}


def start_replica(url: str, index_dir: Path, data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "SHOPMATE_DATABASE_URL": url,
        "SHOPMATE_SECRET": "one-secret-for-every-replica",
        "SHOPMATE_ADMIN_TOKEN": "replica-admin",
        "SHOPMATE_INDEX_DIR": str(index_dir),
        "SHOPMATE_DATA_DIR": str(data_dir),
        "SHOPMATE_PORT": str(port),
        "SHOPMATE_CATALOG": str(TINY_CATALOG),
        "SHOPMATE_MAPPING": str(FLIPKART_MAPPING),
        "SHOPMATE_LOG_LEVEL": "warning",
        "SHOPMATE_SEGMENTS_REFRESH_S": "0",
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"replica exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("replica did not start")


@pytest.fixture(scope="module")
def replicas(postgres_server, tiny_index_dir, tmp_path_factory):
    import psycopg

    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute("CREATE DATABASE replicas")
    url = postgres_server.rsplit("/", 1)[0] + "/replicas"
    index_dir = tmp_path_factory.mktemp("shared") / "index"  # the shared read-only index volume
    shutil.copytree(tiny_index_dir, index_dir)
    procs = [start_replica(url, index_dir, tmp_path_factory.mktemp(f"replica{i}")) for i in range(2)]
    yield {"a": procs[0][1], "b": procs[1][1], "procs": [p for p, _ in procs], "index_dir": index_dir}
    for p, _ in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def shopper(base: str) -> dict:
    s = httpx.post(base + "/api/sessions", timeout=30).json()
    return {"id": s["shopper_id"], "h": {"Authorization": f"Bearer {s['token']}"}}


def ids(base: str, q: str, who: dict | None = None) -> list[str]:
    r = httpx.get(base + "/api/search", params={"q": q, "k": 10}, headers=who["h"] if who else {}, timeout=60)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["results"]]


def test_an_event_on_one_replica_shows_on_the_other_at_the_next_request(replicas, tiny_products):
    a, b = replicas["a"], replicas["b"]
    me = shopper(a)
    assert ids(b, "shoes", me) == ids(b, "shoes")  # B knows the new shopper: no history yet
    blue = [p for p in tiny_products if p.colour == "blue" and "shoe" in (p.title + p.category_path).lower()]
    r = httpx.post(a + "/api/events", json=[{"type": "view", "product_id": p.id} for p in blue], headers=me["h"])
    assert r.status_code == 200
    assert ids(b, "shoes", me) != ids(b, "shoes")  # the very next request on B is personalized
    prof = httpx.get(b + "/api/me/profile", headers=me["h"], timeout=30).json()
    assert prof["event_count"] == len(blue)
    assert httpx.put(b + "/api/me/consent", json={"personalization": False}, headers=me["h"]).status_code == 200
    assert ids(a, "shoes", me) == ids(a, "shoes")  # and back: consent withdrawn on B holds on A


def test_an_erase_on_one_replica_leaves_nothing_on_any(replicas, tiny_products):
    a, b = replicas["a"], replicas["b"]
    me = shopper(a)
    events = [{"type": "view", "product_id": p.id} for p in tiny_products[40:46]] + [
        {"type": "search", "query": "zq-erase-canary"}
    ]
    assert httpx.post(a + "/api/events", json=events, headers=me["h"]).status_code == 200
    assert httpx.get(b + "/api/me/profile", headers=me["h"], timeout=30).json()["event_count"] == 7
    assert httpx.delete(a + "/api/me", headers=me["h"], timeout=30).json()["erased_events"] == 7
    for base in (a, b):
        exported = httpx.get(base + "/api/me/export", headers=me["h"], timeout=30).json()
        assert exported["events"] == [] and exported["shopper"] is None
        prof = httpx.get(base + "/api/me/profile", headers=me["h"], timeout=30).json()
        assert prof["event_count"] == 0 and prof["recent_searches"] == [] and prof["cart"] == []
        assert ids(base, "shoes", me) == ids(base, "shoes")


def test_an_admin_reload_on_one_replica_reloads_all(replicas):
    a, b, index_dir = replicas["a"], replicas["b"], replicas["index_dir"]
    old = current_version(index_dir)
    assert httpx.get(b + "/api/index", timeout=30).json()["version"] == old
    shutil.copytree(index_dir / old, index_dir / (old + "-next"))  # a rebuild wrote a new version
    (index_dir / POINTER).write_text(old + "-next")
    r = httpx.post(a + "/api/admin/reload", headers=ADMIN, timeout=120)
    assert r.status_code == 200 and r.json()["version"] == old + "-next"
    deadline = time.time() + 120
    seen = old
    while seen == old and time.time() < deadline:  # B hears the NOTIFY and loads it in the background
        seen = httpx.get(b + "/api/index", timeout=30).json()["version"]
        time.sleep(0.2)
    assert seen == old + "-next"


def test_a_chat_resumes_on_the_other_replica_with_the_state_of_the_first(replicas):
    a, b = replicas["a"], replicas["b"]
    me, stranger = shopper(a), shopper(b)
    token = me["h"]["Authorization"].split()[1]
    ws_a, ws_b = a.replace("http", "ws", 1), b.replace("http", "ws", 1)

    def dress(card: dict) -> bool:
        return "dress" in (card["category"] + " " + (card["product_type"] or "")).lower()

    async def script():
        ws, ready = await open_chat(ws_a, f"?token={token}")
        await say(ws, "I need a dress for a summer wedding")
        t2 = await say(ws, "under 1000")
        await ws.close()  # the connection drops; the proxy sends the reconnect to the other replica
        conv = ready["conversation_id"]
        ws, refused = await open_chat(
            ws_b, f"?token={stranger['h']['Authorization'].split()[1]}&conversation_id={conv}"
        )
        await ws.wait_closed()
        ws, ready_b = await open_chat(ws_b, f"?token={token}&conversation_id={conv}")
        t3 = await say(ws, "cheaper")  # below the middle price of what A showed, still a dress under 1000
        t4 = await say(ws, "the second one")
        await ws.close()
        ws, back = await open_chat(ws_a, f"?token={token}")  # and back on A: B's turns are there
        t5 = await say(ws, "show me the first one")
        await ws.close()
        return t2, refused, ready_b, t3, t4, back, t5

    t2, refused, ready_b, t3, t4, back, t5 = asyncio.run(script())
    assert t2.items and all(dress(c) and c["price"] <= 1000 for c in t2.items)
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert ready_b["resumed"] is True and ready_b["turns"] == 2
    median = statistics.median(c["price"] for c in t2.items)
    assert t3.items and all(dress(c) and c["price"] < median for c in t3.items)
    assert [c["id"] for c in t4.items] == [t3.items[1]["id"]]
    assert back["resumed"] is True and back["conversation_id"] == ready_b["conversation_id"] and back["turns"] == 4
    assert [c["id"] for c in t5.items] == [t3.items[0]["id"]]  # "the first" of B's last list
    assert httpx.delete(b + "/api/me", headers=me["h"], timeout=30).status_code == 200

    async def after_erase():
        ws, ready = await open_chat(ws_a, f"?token={token}&conversation_id={back['conversation_id']}")
        await ws.close()
        return ready

    gone = asyncio.run(after_erase())  # erased on B: A does not resume it from its memory
    assert gone["resumed"] is False and gone["turns"] == 0


def test_sigkill_of_a_replica_mid_ingest_loses_no_acknowledged_event(replicas):
    a, b = replicas["a"], replicas["b"]
    proc_a = replicas["procs"][0]
    me = shopper(a)
    acked = acked_until_killed(a, me["h"], proc_a, wait_s=120)
    assert len(acked) >= 200
    exported = httpx.get(b + "/api/me/export", headers=me["h"], timeout=60).json()
    stored = {e["query"] for e in exported["events"]}
    missing = [q for q in acked if q not in stored]
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {missing[:3]}"
