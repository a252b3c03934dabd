"""Purchase terms worked out off the request path (assistant/shoppers/terms.py), through the real SQLite store and
the session's tiny index: a live purchase warms the shopper's terms, a relearned history is warmed before it is
published, an import warms no one, a purchase recorded just before a search still shows in it, and an erased
shopper's terms do not survive."""

from __future__ import annotations

import dataclasses
import json
import time

import numpy as np

from assistant.shoppers import terms
from assistant.shoppers.personalize import WHOLE_CATALOG_ROWS
from assistant.shoppers.rebuy import RowValues
from assistant.shoppers.recommend import for_request, personalize_for
from tests.assistant.shoppers.shop import buy, ids, make_shop


def regulars(shop, engine) -> tuple[str, str]:
    """Thirty customers who buy x and y together, two months and a month ago: the shop re-buys both."""
    x, y = ids(engine, 3, 60)
    fillers = ids(engine, *range(100, 160))
    for i in range(30):
        buy(shop, f"c{i}", [x, y, fillers[i]], 60)
        buy(shop, f"c{i}", [x, y, fillers[i + 30]], 30)
    return x, y


def search(shop, engine, sid: str, q: str):
    return engine.search(q, k=60, rerank=personalize_for(shop, engine, sid, {}, q, None)).hits


def cached(shop, sid: str):
    held = terms._TERMS.get(shop)
    return None if held is None or sid not in held[1] else held


def test_a_live_purchase_warms_the_shoppers_terms_and_the_next_search_uses_them(engine, embedder, tmp_path):
    shop = make_shop(engine, embedder, tmp_path, "live", history_ttl_s=300)
    try:
        x, _ = regulars(shop, engine)
        terms.history_of(shop, engine)  # the shop has learned its history (a first request did)
        w = terms.warmer(shop)
        assert w.settle()
        before = w.warmed
        buy(shop, "me", [x], 0)  # a live purchase: the event's ack does not wait for the terms
        assert w.settle()
        assert w.warmed == before + 1 and cached(shop, "me") is not None
        prof = shop.profile("me")
        assert prof is not None
        # ... and the preferences learned from the profile as it now is (the request reads them kept)
        assert prof._prefs is not None and prof._prefs[0] == prof.version
        warm = terms._TERMS[shop][1].peek("me")
        got = terms.terms_for(shop, engine, "me", prof, shop.now())
        assert got is warm and w.warmed == before + 1  # the request found them, worked out by the thread
        row_x = engine.index.id_to_row[x]
        assert got.repeat is not None and got.repeat[row_x] > 0
    finally:
        shop.close()


def test_a_purchase_recorded_just_before_a_search_shows_in_it_whatever_was_warmed(engine, embedder, tmp_path):
    """The warmed terms are of the basket as it was; the purchase recorded right before the search (its warming
    still queued or running) must be in that search's ranking and reasons."""
    shop = make_shop(engine, embedder, tmp_path, "next", history_ttl_s=300)
    try:
        x, y = regulars(shop, engine)
        buy(shop, "me", [x], 5)
        terms.history_of(shop, engine)
        assert terms.warmer(shop).settle()
        row_y = engine.index.id_to_row[y]
        q = engine.products[row_y].title.split()[-1]
        before = search(shop, engine, "me", q)
        assert not any("you bought this" in r for h in before if h.row == row_y for r in h.why)
        for i in range(3):  # the warming thread may or may not have got to it: either way
            buy(shop, "me", [y], 0)
            hits = search(shop, engine, "me", q)
            mine = [h for h in hits if h.row == row_y]
            said = "you bought this before" if i == 0 else f"you buy this regularly ({i + 1} times)"
            assert mine and any(said in r for r in mine[0].why), (i, mine[0].why)
            assert [h.row for h in hits] != [h.row for h in before]
            buy(shop, "me", [x], 0)
    finally:
        shop.close()


def test_an_import_of_past_events_warms_no_one(engine, embedder, tmp_path):
    shop = make_shop(engine, embedder, tmp_path, "import", history_ttl_s=300)
    try:
        x, _ = regulars(shop, engine)
        terms.history_of(shop, engine)
        w = terms.warmer(shop)
        assert w.settle()
        before = w.warmed
        for i in range(20):  # a backfill: purchases days old
            buy(shop, f"old{i}", [x], 2 + i)
        assert w.settle() and w.warmed == before
        assert all(cached(shop, f"old{i}") is None for i in range(20))
    finally:
        shop.close()


def test_a_relearned_history_is_published_with_the_recent_buyers_terms_worked_out(engine, embedder, tmp_path):
    shop = make_shop(engine, embedder, tmp_path, "relearn", history_ttl_s=1)
    try:
        x, _ = regulars(shop, engine)
        first = terms.history_of(shop, engine)
        assert terms.warmer(shop).settle()
        buy(shop, "late", [x], 3)  # bought after the learning, not live: only the relearning warms it
        assert cached(shop, "late") is None
        time.sleep(1.1)
        cache = terms._HISTORY[shop]
        assert terms.history_of(shop, engine) is first  # expired: served while one thread relearns
        deadline = time.time() + 30
        while cache.relearned == 0 and time.time() < deadline:
            time.sleep(0.05)
        fresh = cache.peek(engine.index)
        assert fresh is not None and fresh is not first
        held = terms._TERMS[shop]
        assert held[0] is fresh and "late" in held[1] and "c0" in held[1]  # before either searched again
        prof = shop.profile("late")
        assert prof is not None
        warm = held[1].peek("late")
        got = terms.terms_for(shop, engine, "late", prof, shop.now())
        assert got is warm and terms._TERMS[shop][1] is held[1]  # worked out before the request, kept
        assert got.repeat is not None and got.repeat[engine.index.id_to_row[x]] > 0
    finally:
        shop.close()


def test_an_erased_shoppers_warmed_terms_are_gone_and_a_queued_warming_stores_none(engine, embedder, tmp_path):
    shop = make_shop(engine, embedder, tmp_path, "erase", history_ttl_s=300)
    try:
        x, _ = regulars(shop, engine)
        terms.history_of(shop, engine)
        w = terms.warmer(shop)
        buy(shop, "me", [x], 0)
        assert w.settle() and cached(shop, "me") is not None
        shop.erase("me")
        assert cached(shop, "me") is None
        w.submit(engine, ["me"])  # a warming queued before the erasure reached it
        assert w.settle() and cached(shop, "me") is None
    finally:
        shop.close()


def test_row_values_index_like_the_dense_array_they_stand_for():
    rng = np.random.default_rng(19)
    dense = np.where(rng.random(500) < 0.1, rng.random(500), 0.0)
    rv = RowValues.of_dense(dense)
    every = np.arange(500)
    assert np.array_equal(np.asarray(rv), dense) and np.array_equal(rv[every], dense)
    assert np.array_equal(rv[every[::-7]], dense[::-7])  # any order of rows
    assert all(rv[int(i)] == dense[i] for i in range(500)) and rv[-1] == dense[-1]
    assert rv.max() == dense.max() and len(rv) == 500 and rv.nbytes < dense.nbytes
    empty = RowValues(np.zeros(0, np.int64), np.zeros(0), 5)
    assert empty.max() == 0.0 and np.array_equal(empty[np.arange(5)], np.zeros(5))


def test_row_values_over_the_same_rows_answer_each_array_of_rows_asked_for():
    rng = np.random.default_rng(20)
    rows = rng.choice(400, 60, replace=False)  # unsorted, as a basket's rows come
    vals = [rng.random(60), rng.random(60) + 1.0]
    a, b = RowValues.over(rows, 400, *vals)
    dense = [np.zeros(400), np.zeros(400)]
    for d, v in zip(dense, vals, strict=True):
        d[rows] = v
    for _ in range(3):  # new candidate arrays each time, each asked of both
        at = rng.choice(400, 100, replace=False)
        assert np.array_equal(a[at], dense[0][at]) and np.array_equal(b[at], dense[1][at])
    assert np.array_equal(np.asarray(b), dense[1]) and b[int(rows[0])] == vals[1][0]


def test_a_request_reads_a_small_catalogs_terms_dense_and_a_big_ones_as_kept():
    small = RowValues(np.array([7, 2]), np.array([0.5, 0.25]), 10)
    got = for_request(small)
    assert isinstance(got, np.ndarray) and got.tolist() == [0, 0, 0.25, 0, 0, 0, 0, 0.5, 0, 0]
    big = RowValues(np.array([7, 2]), np.array([0.5, 0.25]), WHOLE_CATALOG_ROWS + 1)
    assert for_request(big) is big and for_request(None) is None


def test_warm_recent_works_out_every_recent_buyers_terms_for_the_weights_now_in_use(engine, embedder, tmp_path):
    shop = make_shop(engine, embedder, tmp_path, "recent", history_ttl_s=300)
    try:
        regulars(shop, engine)
        terms.history_of(shop, engine)
        assert terms.warmer(shop).settle()
        other = tmp_path / "other.json"  # another decay of the repeat count: every shopper's terms change
        other.write_text(json.dumps({"weights": {"repeat_half_life_days": 7.0}}))
        shop.settings = dataclasses.replace(shop.settings, blend_weights=other)
        assert terms.warm_recent(shop, engine, 30)
        cache, now = terms._TERMS[shop][1], shop.now()
        for i in range(30):
            prof = shop.profile(f"c{i}")
            assert prof is not None
            warm = cache.peek(f"c{i}")
            assert warm is not None and terms.terms_for(shop, engine, f"c{i}", prof, now) is warm
    finally:
        shop.close()


def test_two_threads_working_out_the_same_terms_end_up_sharing_the_first_stored():
    from assistant.shoppers.lru import SizedLru

    cache: SizedLru[list] = SizedLru(4, 1 << 20, len)
    first, second = [1], [2]
    assert cache.put_if_absent("me", 1, first) is first
    assert cache.put_if_absent("me", 1, second) is first  # the same basket version: the one held
    assert cache.put_if_absent("me", 2, second) is second and cache.get("me", 2) is second  # a newer one replaces
