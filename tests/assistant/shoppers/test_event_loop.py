"""Nothing blocks the event loop: while a commit is stuck on a slow disk, and while a reload rebuilds every
profile, a real uvicorn server keeps answering /healthz, search and autocomplete.

The slow disk is real waiting inside the store (its `before_commit` / `on_read` hooks block on an event the
test opens at the end), not a mock: if any of these paths waited on the event loop, the server could not
answer the probes and they would time out (the slow operation is released only after the probes)."""

from __future__ import annotations

import shutil
import threading

import httpx

from index.store import POINTER, current_version

PROBES = 20


class Gate:
    """A hook that blocks the store's thread until the test opens it (and says when it was reached)."""

    def __init__(self, match: str = ""):
        self.match = match
        self.reached = threading.Event()
        self.open = threading.Event()

    def __call__(self, sql: str = "") -> None:
        if self.match in sql and not self.open.is_set():
            self.reached.set()
            self.open.wait(120)


def call_in_thread(fn) -> tuple[threading.Thread, list]:
    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    return t, out


def probe(c: httpx.Client, token: str) -> int:
    """Requests that must be answered while the slow operation runs; returns how many were answered."""
    answered = 0
    h = {"Authorization": f"Bearer {token}"}
    for i in range(PROBES):
        assert c.get("/healthz").status_code == 200
        answered += 1
        if i % 5 == 0:  # the async autocomplete route reads the shopper's profile on the event loop
            assert c.get("/api/autocomplete", params={"q": "sho"}, headers=h).status_code == 200
            assert c.get("/api/search", params={"q": "shoes"}, headers=h).status_code == 200
    return answered


def test_slow_commits_do_not_stall_other_requests(make_server, tiny_products):
    srv = make_server(segments_refresh_s=0)
    store = srv.app.state.services.shoppers.store
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        s = c.post("/api/sessions").json()
        h = {"Authorization": f"Bearer {s['token']}"}
        gate = Gate()
        store.before_commit = gate
        try:
            slow = [
                call_in_thread(
                    lambda: c.post("/api/events", json={"type": "view", "product_id": tiny_products[0].id}, headers=h)
                ),
                call_in_thread(lambda: c.post("/api/autocomplete/accept", json={"text": "blue shoes"}, headers=h)),
                call_in_thread(lambda: c.put("/api/me/consent", json={"nudges": False}, headers=h)),
                call_in_thread(lambda: c.put("/api/me/preferences", json={"sizes": ["42"]}, headers=h)),
            ]
            assert gate.reached.wait(60), "the write never reached the commit"
            answered = probe(c, s["token"])
            still_running = sum(t.is_alive() for t, _ in slow)
        finally:
            gate.open.set()
            store.before_commit = None
        for t, _ in slow:
            t.join(60)
        assert answered == PROBES and still_running == len(slow)  # all answered while every write was stuck
        assert [out[0].status_code for _, out in slow] == [200, 200, 200, 200]
        profile = c.get("/api/me/profile", headers=h).json()
        assert profile["event_count"] == 2 and profile["consent"]["nudges"] is False


def test_a_full_profile_rebuild_does_not_stall_other_requests(make_server, copy_index, tiny_products):
    index_dir = copy_index()
    srv = make_server(index_dir=index_dir, segments_refresh_s=0, admin_token="adm")
    store = srv.app.state.services.shoppers.store
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        s = c.post("/api/sessions").json()
        h = {"Authorization": f"Bearer {s['token']}"}
        events = [{"type": "view", "product_id": p.id} for p in tiny_products[:50]]
        assert c.post("/api/events", json=events, headers=h).status_code == 200
        old = current_version(index_dir)
        shutil.copytree(index_dir / old, index_dir / (old + "-b"))  # a new index version: profiles rebuild
        (index_dir / POINTER).write_text(old + "-b")
        gate = Gate(match="FROM events WHERE seq >")  # the full scan of the rebuild
        store.on_read = gate
        try:
            reload, out = call_in_thread(
                lambda: c.post("/api/admin/reload", headers={"Authorization": "Bearer adm"}, timeout=120)
            )
            assert gate.reached.wait(120), "the reload never started its profile rebuild"
            answered = probe(c, s["token"])
            rebuilding = reload.is_alive()
        finally:
            gate.open.set()
            store.on_read = None
        reload.join(120)
        assert answered == PROBES and rebuilding  # every probe answered while the rebuild was stuck
        assert out[0].status_code == 200 and out[0].json()["version"] == old + "-b"
        assert c.get("/api/me/profile", headers=h).json()["event_count"] == 50  # rebuilt from the store
