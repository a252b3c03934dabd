"""The `ShopperStore` contract, run on both backends: the embedded SQLite file and a real PostgreSQL."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.shoppers.postgres_store import PostgresStore
from assistant.shoppers.sqlite_store import SqliteStore
from assistant.shoppers.store import Event, NewShopper


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """(open(), store): open() opens another handle on the same database (a restart, or a replica)."""
    if request.param == "sqlite":
        opener = lambda: SqliteStore(tmp_path / "shoppers.sqlite3")
    else:
        url = request.getfixturevalue("postgres_url")
        opener = lambda: PostgresStore(url)
    opened = [opener()]
    yield opener, opened
    for s in opened:
        s.close()


@pytest.fixture
def store(backend):
    return backend[1][0]


def new(sid: str, consent: bool = True) -> NewShopper:
    return NewShopper(sid, 1000.0, consent, consent)


def ev(i: int, etype: str = "view", **kw) -> Event:
    return Event(etype, 1000.0 + i, kw.get("product_id", f"p{i}"), kw.get("query"), kw.get("context"))


def test_shoppers_and_versions(store):
    assert store.shopper("s_aaaaaaaa") is None and store.shopper_version("s_aaaaaaaa") is None
    store.create_shopper(new("s_aaaaaaaa", consent=False))
    row = store.shopper("s_aaaaaaaa")
    assert row.consent_personalization is False and row.prefs == {} and row.merged_into is None
    v1 = store.shopper_version("s_aaaaaaaa")
    store.set_prefs(new("s_aaaaaaaa"), {"sizes": ["42"], "price_band": [500, 2000.5]})
    store.set_consent(new("s_aaaaaaaa"), True, False)
    row = store.shopper("s_aaaaaaaa")
    assert row.prefs == {"sizes": ["42"], "price_band": [500, 2000.5]}
    assert (row.consent_personalization, row.consent_nudges) == (True, False)
    assert store.shopper_version("s_aaaaaaaa") > v1  # every write bumps it: replicas re-read the shopper
    assert [r.id for r in store.all_shoppers()] == ["s_aaaaaaaa"]


def test_events_in_order_with_context_and_consent_flag(store):
    events = [ev(0), ev(1, "search", product_id=None, query="blue shoes", context={"device": "mobile"})]
    assert store.append_events(new("s_bbbbbbbb"), events, profiled=True) == 2  # creates the shopper row
    assert store.append_events(new("s_bbbbbbbb"), [ev(2, "add_to_cart")], profiled=False) == 1
    got = store.events_of("s_bbbbbbbb")
    assert [g.event for g in got] == [*events, ev(2, "add_to_cart")]
    assert [g.profiled for g in got] == [True, True, False]
    assert store.shopper("s_bbbbbbbb") is not None
    assert store.cart_pairs() == [("s_bbbbbbbb", "p2")]


def test_all_events_pages_through_everything_in_order(store):
    for n in range(3):
        store.append_events(new(f"s_cccccc{n:02d}"), [ev(10 * n + i) for i in range(7)], True)
    seen = [(e.shopper_id, e.event.ts) for e in store.all_events(page=4)]
    assert len(seen) == 21 and [ts for _, ts in seen] == sorted(ts for _, ts in seen)


def test_link_attaches_then_merges(store):
    store.append_events(new("s_phone001"), [ev(0)], True)
    store.set_prefs(new("s_phone001"), {"sizes": ["42"]})
    store.append_events(new("s_laptop01"), [ev(1), ev(2)], True)
    store.set_prefs(new("s_laptop01"), {"sizes": ["41"], "colours": ["blue"]})
    assert store.link(new("s_phone001"), "acct-1") == ("s_phone001", 0)
    assert store.link(new("s_laptop01"), "acct-1") == ("s_phone001", 2)
    assert store.shopper("s_laptop01").merged_into == "s_phone001"
    assert store.aliases_of("s_phone001") == ["s_laptop01"]
    assert len(store.events_of("s_phone001")) == 3 and store.events_of("s_laptop01") == []
    assert store.shopper("s_phone001").prefs == {"sizes": ["42"], "colours": ["blue"]}  # the account's win


def test_link_moves_the_device_conversations_to_the_account(store):
    store.append_events(new("s_tablet01"), [ev(0)], True)
    store.link(new("s_tablet01"), "acct-3")
    assert store.save_conversation("c-desk-1", "s_desktop1", 2, '{"turns": 2}', 9.0)
    assert store.link(new("s_desktop1"), "acct-3")[0] == "s_tablet01"
    moved = store.latest_conversation("s_tablet01", 0.0)
    assert moved is not None and moved.key == "c-desk-1" and moved.owner == "s_tablet01" and moved.turn == 2
    assert store.latest_conversation("s_desktop1", 0.0) is None


def test_erase_removes_the_shopper_devices_and_everything_theirs(store):
    store.append_events(new("s_gone0001"), [ev(0)], True)
    store.link(new("s_gone0001"), "acct-2")
    store.append_events(new("s_gone0002"), [ev(1)], True)
    store.link(new("s_gone0002"), "acct-2")
    store.record_nudges("s_gone0001", [("repeated_views", "p0")], 5.0)
    store.set_segments({0: {"name": "x", "size": 1, "summary": {}, "centroid": np.ones(4)}}, {"s_gone0001": 0}, 1.0)
    assert store.save_conversation("c-gone-1", "s_gone0001", 3, '{"turns": 3}', 7.0)
    assert store.save_conversation("c-gone-2", "s_gone0002", 1, "{}", 7.0)  # a linked device's conversation
    assert store.save_conversation("c-keep-1", "s_keep0001", 1, "{}", 7.0)
    assert store.save_conversation("c-anon-1", None, 1, "{}", 7.0)
    store.append_events(new("s_keep0001"), [ev(2)], True)
    assert store.erase("s_gone0001") == (2, ["s_gone0002"])
    for sid in ("s_gone0001", "s_gone0002"):
        assert store.shopper(sid) is None and store.events_of(sid) == [] and store.nudges_of(sid) == []
    assert store.segment_assignment() == {}
    assert store.conversation("c-gone-1") is None and store.conversation("c-gone-2") is None
    assert store.latest_conversation("s_gone0001", 0.0) is None
    assert store.conversation("c-keep-1") is not None and store.conversation("c-anon-1") is not None
    assert store.link(new("s_keep0001"), "acct-2") == ("s_keep0001", 0)  # the account mapping is gone too
    assert len(store.events_of("s_keep0001")) == 1


def test_nudges_purge_segments_conversations(store):
    store.record_nudges("s_dddddddd", [("a", "p1"), ("a", None), ("b", "p2")], 9.0)
    assert sorted(store.nudge_counts()) == [("s_dddddddd", "a", 2), ("s_dddddddd", "b", 1)]
    assert store.nudge_counts("nobody") == [] and len(store.nudges_of("s_dddddddd")) == 3
    store.append_events(new("s_dddddddd"), [ev(0), ev(100)], True)
    assert store.purge_before(1050.0) == 1 and [e.event.ts for e in store.events_of("s_dddddddd")] == [1100.0]
    c = np.arange(4, dtype=np.float32)
    store.set_segments({3: {"name": "budget shoes", "size": 2, "summary": {"k": [1]}, "centroid": c}}, {"s_x": 3}, 1.0)
    seg = store.segments()[3]
    assert seg["name"] == "budget shoes" and seg["summary"] == {"k": [1]} and np.array_equal(seg["centroid"], c)
    assert store.segment_assignment() == {"s_x": 3}
    store.drop_conversation("abc")
    assert store.conversation("abc") is None


def test_conversations_last_write_wins_by_turn_and_keep_their_owner(store):
    assert store.save_conversation("abc", None, 1, "{}", 1.0)
    assert store.save_conversation("abc", None, 2, '{"x": 1}', 2.0)
    got = store.conversation("abc")
    assert (got.key, got.owner, got.turn, got.state, got.updated) == ("abc", None, 2, '{"x": 1}', 2.0)
    # the same turn answered on another replica (or an older one arriving late) does not overwrite it
    assert not store.save_conversation("abc", None, 2, '{"x": "late"}', 3.0)
    assert not store.save_conversation("abc", None, 1, '{"x": "old"}', 3.0)
    assert store.conversation("abc").state == '{"x": 1}'
    # nobody takes a conversation over by saving into it, whoever owns it
    assert not store.save_conversation("abc", "s_thief001", 9, "{}", 4.0)
    assert store.save_conversation("mine", "s_owner001", 1, "{}", 5.0)
    assert not store.save_conversation("mine", None, 9, "{}", 6.0)
    assert not store.save_conversation("mine", "s_thief001", 9, "{}", 6.0)
    assert store.conversation("mine").owner == "s_owner001" and store.conversation("mine").turn == 1
    # a token-only reconnect finds the shopper's latest conversation within the resume window
    assert store.save_conversation("older", "s_owner001", 1, "{}", 4.5)
    assert store.latest_conversation("s_owner001", 0.0).key == "mine"
    assert store.latest_conversation("s_owner001", 5.5) is None and store.latest_conversation("nobody", 0.0) is None
    assert [c.key for c in store.conversations_of("s_owner001")] == ["mine", "older"]  # newest first
    assert store.conversations_of("s_thief001") == [] and store.conversations_of("nobody") == []
    assert store.drop_conversations_before(5.0) == 2  # "abc" (2.0) and "older" (4.5)
    assert store.conversation("abc") is None and store.conversation("mine") is not None


def test_concurrent_saves_of_one_turn_keep_exactly_one(backend):
    """Two handles (replicas) save turn 1 of the same conversation at once: one wins, the other is told so."""
    opener, opened = backend
    other = opener()
    opened.append(other)
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def save(s, text: str) -> None:
        barrier.wait()
        results.append(s.save_conversation("race", None, 1, text, 1.0))

    threads = [threading.Thread(target=save, args=(s, t)) for s, t in ((opened[0], "A"), (other, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert opened[0].conversation("race").state in ("A", "B") and other.conversation("race").turn == 1


def test_reopening_keeps_data_and_migrates_once(backend):
    opener, opened = backend
    opened[0].append_events(new("s_eeeeeeee"), [ev(0)], True)
    again = opener()  # a restart, or a second replica on the same database
    opened.append(again)
    assert len(again.events_of("s_eeeeeeee")) == 1
    assert [r[0] for r in again._rows("SELECT version FROM schema_migrations ORDER BY version")] == [1, 2, 3]


def test_concurrent_writers_lose_nothing(backend):
    opener, opened = backend
    second = opener()
    opened.append(second)
    stores = [opened[0], second]

    def write(n: int) -> None:
        for i in range(25):
            stores[n % 2].append_events(new(f"s_conc{n:04d}"), [ev(i)], True)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for _ in opened[0].all_events()) == 200
