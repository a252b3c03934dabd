"""A shopper's profile read while their events fold into it: threads record events for one shopper (as POST
/api/events and the websocket do, from worker threads) while others rank, recommend, autocomplete, export and
segment for the same shopper, through the real SQLite store and the session's tiny index. Every read must
succeed and see each recorded batch whole; nothing recorded may be missing afterwards."""

from __future__ import annotations

import copy
import dataclasses
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import count

import httpx
import numpy as np
import pytest

from assistant.shoppers.profiles import MAX_BUY_TIMES, MAX_ITEMS, ItemMeta, Profile
from assistant.shoppers.recommend import personalize_for, recommendations
from assistant.shoppers.segments import features, rfm
from tests.assistant.shoppers.shop import DAY, make_shop

WRITERS, BATCHES = 3, 25
QUERIES = ("shoes", "blue shirt", "watch for men", "red dress")


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Threads take turns every microsecond instead of every 5 ms, so a read that a concurrent fold can break
    meets one within seconds instead of once in hours of serving (the interleavings are the real ones)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def torn(prof: Profile) -> list[str]:
    """What no whole batch of events leaves behind (each batch below is whole events of distinct products)."""
    out = []
    cart, purchased = dict(prof.cart), dict(prof.purchased)
    if any(purchased.get(pid, -1.0) >= ts for pid, ts in cart.items()):
        out.append("a purchased product still in the cart it was bought from")
    if not set(purchased) == set(prof.bought) == set(prof.bought_at):
        out.append("a purchase counted in one of purchased/bought/bought_at only")
    if len(prof.items) > MAX_ITEMS:
        out.append(f"more items traced than the bound of {MAX_ITEMS}")
    if prof.n_events != prof.version:  # every event here is learned: counted and stamped in one fold
        out.append("an event counted but not yet stamped with a version")
    return out


def test_reads_during_folds_never_fail_and_see_whole_batches(engine, embedder, tmp_path, fast_switching):
    sh = make_shop(engine, embedder, tmp_path)
    try:
        sid = sh.create_session()["shopper_id"]
        pids = [p.id for p in engine.products]
        assert len(pids) > 2 * WRITERS * BATCHES > MAX_ITEMS  # views of new products evict traced items
        clock = count()
        start = time.time() - 2 * DAY

        def ts() -> float:
            return start + next(clock) * 0.01  # strictly increasing across threads

        sh.record(sid, [{"type": "view", "product_id": p, "ts": ts()} for p in pids[:MAX_ITEMS]])
        seeded = MAX_ITEMS
        errors: list[str] = []
        snapshots: list[str] = []
        recorded: list[int] = []
        writing = threading.Event()
        writing.set()

        def write(w: int) -> None:
            try:
                for b in range(BATCHES):
                    n = w * BATCHES + b  # each batch buys, and dismisses, a product of its own
                    bought, seen, gone = (pids[(j * WRITERS * BATCHES + n) % len(pids)] for j in range(3))
                    batch = [
                        {"type": "view", "product_id": seen, "ts": ts()},
                        {"type": "search", "query": QUERIES[b % len(QUERIES)], "ts": ts()},
                        {"type": "add_to_cart", "product_id": bought, "ts": ts()},
                        {"type": "purchase", "product_id": bought, "ts": ts()},
                        {"type": "dismiss", "product_id": gone, "ts": ts()},
                        {"type": "view", "product_id": gone, "ts": ts()},  # looking again undoes the dismissal
                    ]
                    recorded.append(sh.record(sid, batch)["stored"])
            except Exception:
                errors.append(f"record:\n{traceback.format_exc()}")

        def read(name: str, fn: Callable[[], object]) -> Callable[[], None]:
            def loop() -> None:
                n = 0
                while writing.is_set() or n == 0:
                    try:
                        fn()
                    except Exception:
                        errors.append(f"{name}:\n{traceback.format_exc()}")
                    n += 1

            return loop

        def search() -> None:
            rerank = personalize_for(sh, engine, sid, {}, "shoes", None)
            res = engine.search("shoes", k=10, rerank=rerank)
            [h.why for h in res.hits]

        def snapshot() -> None:
            prof = sh.profile(sid)
            assert prof is not None
            snapshots.extend(torn(prof))

        def segment() -> None:
            for prof in sh.all_profiles().values():
                features(prof)
                rfm(prof, {}, time.time())

        readers = [
            read("recommendations", lambda: recommendations(sh, engine, sid, {}, 20)),
            read("search", search),
            read("recent searches", lambda: sh.recent_searches(sid, 50)),
            read("export", lambda: sh.export(sid)),
            read("segment features", segment),
            read("snapshot", snapshot),
        ]
        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        threads += [threading.Thread(target=fn) for fn in readers]
        for t in threads:
            t.start()
        for t in threads[:WRITERS]:
            t.join()
        writing.clear()
        for t in threads[WRITERS:]:
            t.join()

        kinds = Counter(e.splitlines()[0] + " " + e.strip().splitlines()[-1].split(":")[0] for e in errors)
        torn_kinds = dict(Counter(snapshots))
        assert not errors and not snapshots, (
            f"{len(errors)} failed reads or writes: {dict(kinds)}; {len(snapshots)} torn snapshots: {torn_kinds}"
            + (f"; the first failure:\n{errors[0]}" if errors else "")
        )
        # nothing acknowledged is missing: every batch is in memory and in the store
        assert recorded == [6] * WRITERS * BATCHES
        prof = sh.profile(sid)
        assert prof is not None and prof.n_events == seeded + sum(recorded)
        assert len(prof.bought) == WRITERS * BATCHES and not prof.cart and not prof.dismissed
        assert len(sh.store.events_of(sid)) == seeded + sum(recorded)
    finally:
        sh.close()


def same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return a == b


def test_folding_into_a_copy_leaves_the_published_profile_exactly_as_it_was():
    """What lets readers skip the lock: a copy shares no container with its original, and no event, however it
    folds (a trace re-weighted, the oldest evicted, a repeat purchase, a rebase of every value), reaches back."""
    rng = np.random.default_rng(3)
    vec = [(v / np.linalg.norm(v)).astype(np.float32) for v in rng.normal(size=(MAX_ITEMS + 5, 4))]
    meta = ItemMeta("a lamp", "blue", "acme", "unisex", "home > lights", "lamp", 25.0)
    prof = Profile(half_life_s=DAY, dim=4)

    def events(p: Profile, t: float, first: int, n: int) -> None:
        for i in range(first, first + n):
            p.add("search", t, query=f"lamp {i}")
            p.add("view", t, f"p{i}", vec[i], meta, context={"device": "mobile", "referrer": "x.test/?q=lamp"})
            p.add("wishlist", t, f"p{i}", vec[i], meta)
            p.add("add_to_cart", t, f"p{i}", vec[i], meta, context={"size": "M"})
            p.add("purchase", t, f"p{i}", vec[i], meta)
            p.add("dismiss", t, f"p{i + 1}", vec[i + 1], meta)
        p.add_list_only("add_to_cart", t, "p0")

    events(prof, 0.0, 0, MAX_ITEMS)
    for _ in range(MAX_BUY_TIMES):
        prof.add("purchase", 1.0, "p0", vec[0], meta)
    prof.explain_rows(np.stack(vec[:3]))  # the stacked-items cache filled, as a request leaves it
    before = copy.deepcopy(prof)
    mine = prof.copy()
    for f in dataclasses.fields(Profile):
        value = getattr(prof, f.name)
        if f.name != "_traced" and value is not None and not isinstance(value, (int, float, str)):
            assert getattr(mine, f.name) is not value, f"the copy shares {f.name}"
    events(mine, 2.0, 3, 5)  # re-weights traced items, evicts the oldest, buys p3.. again
    mine.add("purchase", 1.0, "p0", vec[0], meta)  # a full list of purchase times: the oldest dropped
    mine.add("view", 300 * DAY, "p4", vec[4], meta)  # 300 half-lives on: every stored value rebased
    mine.add("remove_from_cart", 300 * DAY, "p0")
    assert mine.t0 != prof.t0 and len(mine.bought_at["p0"]) == MAX_BUY_TIMES
    assert same(prof, before) and prof.version == before.version
    assert not same(mine, before)


def test_the_server_answers_every_read_while_the_same_shoppers_events_arrive(make_server, fast_switching):
    """The same over HTTP: POST /api/events from several clients while others search, autocomplete, read the
    feed, the profile page and the export of that shopper. No 5xx, and every acknowledged event is exported.
    A server of its own: these events would change the shared server's popular searches."""
    live_server = make_server(rate_sessions="", rate_events="", rate_chat="")
    with httpx.Client(base_url=live_server.base_url, timeout=60) as http:
        r = http.post("/api/sessions")
        assert r.status_code == 200, r.text
        auth = {"Authorization": f"Bearer {r.json()['token']}"}
        found: dict[str, None] = {}
        for q in ("shoes", "shirt", "watch", "dress", "bag", "kurta", "jeans", "ring"):
            hits = http.get("/api/search", params={"q": q, "k": 100}).json()["results"]
            found |= dict.fromkeys(p["id"] for p in hits)
        pids = list(found)
        assert len(pids) > MAX_ITEMS + 3 * 15 * 2  # the writers' views evict traced items
        start = time.time() - DAY
        clock = count()
        seed = [{"type": "view", "product_id": p, "ts": start + next(clock)} for p in pids[:MAX_ITEMS]]
        assert http.post("/api/events", json=seed, headers=auth).status_code == 200
    stored: list[int] = []
    bad: list[str] = []
    writing = threading.Event()
    writing.set()

    def write(w: int) -> None:
        with httpx.Client(base_url=live_server.base_url, timeout=60, headers=auth) as c:
            for b in range(15):
                batch = [{"type": "search", "query": QUERIES[b % len(QUERIES)], "ts": start + next(clock)}]
                batch += [
                    {"type": t, "product_id": pids[MAX_ITEMS + 2 * (w * 15 + b) + j // 3], "ts": start + next(clock)}
                    for j, t in enumerate(("view", "add_to_cart", "purchase", "view", "dismiss", "view"))
                ]
                r = c.post("/api/events", json=batch)
                if r.status_code == 200:
                    stored.append(r.json()["stored"])
                else:
                    bad.append(f"POST /api/events: {r.status_code} {r.text[:200]}")

    def read(path: str, params: dict) -> Callable[[], None]:
        def loop() -> None:
            with httpx.Client(base_url=live_server.base_url, timeout=60, headers=auth) as c:
                while writing.is_set():
                    r = c.get(path, params=params)
                    if r.status_code != 200:
                        bad.append(f"GET {path}: {r.status_code} {r.text[:200]}")

        return loop

    readers = [
        read("/api/search", {"q": "shoes", "k": 10}),
        read("/api/recommendations", {"k": 20}),
        read("/api/me/profile", {}),
        read("/api/autocomplete", {"q": "sh"}),
        read("/api/me/export", {}),
    ]
    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    threads += [threading.Thread(target=fn) for fn in readers]
    for t in threads:
        t.start()
    for t in threads[:3]:
        t.join()
    writing.clear()
    for t in threads[3:]:
        t.join()
    assert bad == [], f"{len(bad)} failed requests, e.g. {bad[:3]}"
    with httpx.Client(base_url=live_server.base_url, timeout=60, headers=auth) as c:
        exported = c.get("/api/me/export").json()["events"]
    assert sum(stored) == 3 * 15 * 7 == len(exported) - MAX_ITEMS
