"""Signals fitted on the real log's validation windows, each through the real SQLite store: the shop's all-time
best sellers (a popularity that outlasts a season) in the feed and in search (a shopper's and an anonymous one;
neutral in a shop without purchases), and a one-off purchase that stays findable by the shopper's own search while
the feed hides it."""

from __future__ import annotations

import time

import pytest

from assistant.shoppers.recommend import personalize_for, recommendations, signals
from tests.assistant.shoppers.shop import buy, make_shop

FEED = {"profile": 0.0, "repeat": 0.5, "together": 0.0, "segment": 0.0, "rebuy": 0.0, "feed_popularity": 1.0}


def seasons(sh, engine):
    """`staple` was bought by 30 customers two months ago (its recent popularity has decayed away); `fad` by 3
    customers yesterday (the most popular product now); "me" re-buys `mine` and bought neither."""
    staple, fad, mine = (engine.products[r].id for r in (20, 30, 50))
    fillers = [engine.products[r].id for r in range(100, 140)]
    for i in range(30):
        buy(sh, f"c{i}", [staple, fillers[i]], 60)
    for i in range(3):
        buy(sh, f"n{i}", [fad], 1)
    buy(sh, "me", [mine], 20)
    buy(sh, "me", [mine], 10)
    return staple, fad


@pytest.mark.parametrize(("bestseller", "staple_first"), [(0.0, False), (2.0, True)])
def test_all_time_best_sellers_outlast_a_season_in_the_feed_with_their_reason(
    engine, embedder, tmp_path, bestseller, staple_first
):
    sh = make_shop(engine, embedder, tmp_path, f"best-{bestseller}", FEED | {"bestseller": bestseller})
    try:
        staple, fad = seasons(sh, engine)
        rows = engine.index.id_to_row
        sig = signals(sh, engine, "me", {})
        assert sig.bestseller is not None and sig.buyers is not None
        # distinct customers who ever bought it / the most: staple 30 of 30, fad 3 of 30
        assert sig.bestseller[rows[staple]] == pytest.approx(1.0)
        assert sig.bestseller[rows[fad]] == pytest.approx(0.1)
        anon = signals(sh, engine, None, {}).bestseller  # aggregate, not personal: every visitor's ranking has it
        assert anon is not None and anon[rows[staple]] == pytest.approx(1.0)
        got = recommendations(sh, engine, "me", {}, 10)
        order = [engine.products[it["row"]].id for it in got]
        why = {engine.products[it["row"]].id: it["why"] for it in got}
        if staple_first:
            assert staple in order and (fad not in order or order.index(staple) < order.index(fad))
            assert "bought by 30 of the shop's customers" in why[staple]
        else:  # without it, the recent popularity of the fad wins
            assert fad in order and (staple not in order or order.index(fad) < order.index(staple))
            assert not any("of the shop's customers" in w for ws in why.values() for w in ws)
    finally:
        sh.close()


def test_best_sellers_reorder_a_search_with_their_reason(engine, embedder, tmp_path):
    ranks, whys = {}, {}
    for weight in (0.0, 2.0):
        sh = make_shop(engine, embedder, tmp_path, f"search-{weight}", FEED | {"search_bestseller": weight})
        try:
            staple, _ = seasons(sh, engine)
            row = engine.index.id_to_row[staple]
            q = engine.products[row].title.split()[-1]
            hits = engine.search(q, k=50, rerank=personalize_for(sh, engine, "me", {}, q, None)).hits
            mine = [h.row for h in hits]
            assert row in mine
            ranks[weight], whys[weight] = mine.index(row), hits[mine.index(row)].why
        finally:
            sh.close()
    assert ranks[2.0] <= ranks[0.0] and ranks[2.0] == 0
    assert "bought by 30 of the shop's customers" in whys[2.0]
    assert not any("of the shop's customers" in w for w in whys[0.0])


def test_a_one_off_purchase_is_hidden_from_the_feed_but_found_by_the_shoppers_search(engine, embedder, tmp_path):
    sh = make_shop(engine, embedder, tmp_path, "one-off", FEED)
    try:
        pids = [engine.products[r].id for r in range(80)]
        for i in range(70):  # every product bought once per buyer: nothing is re-bought in this shop
            buy(sh, f"c{i}", [pids[i], pids[(i + 1) % 70]], 30)
        buy(sh, "me", [pids[5]], 5)
        row = engine.index.id_to_row[pids[5]]
        feed = [it["row"] for it in recommendations(sh, engine, "me", {}, 60)]
        assert row not in feed and row in signals(sh, engine, "me", {}).drop_rows
        q = engine.products[row].title.split()[-1]
        anon = [h.row for h in engine.search(q, k=50, rerank=personalize_for(sh, engine, None, {}, q, None)).hits]
        assert row in anon
        mine = [h.row for h in engine.search(q, k=50, rerank=personalize_for(sh, engine, "me", {}, q, None)).hits]
        assert row in mine  # the shopper asked for it
        sh.record("me", [{"type": "dismiss", "product_id": pids[5], "ts": time.time()}])
        mine = [h.row for h in engine.search(q, k=50, rerank=personalize_for(sh, engine, "me", {}, q, None)).hits]
        assert row not in mine  # a dismissal still hides it
    finally:
        sh.close()


def search_as(sh, engine, sid, q):
    return engine.search(q, k=50, rerank=personalize_for(sh, engine, sid, {}, q, None)).hits


@pytest.mark.parametrize("sid", [None, "visitor"])
def test_best_sellers_reorder_an_anonymous_search_with_their_reason(engine, embedder, tmp_path, sid):
    """Anonymous visitors and shoppers without purchases get the best sellers at their own weight; a shopper with
    purchases gets the purchase-history weight instead."""
    q = engine.products[20].title.split()[-1]
    plain = [h.row for h in engine.search(q, k=50).hits]
    assert len(plain) > 5
    staple = plain[5]  # a match the query alone ranks sixth
    ranks, whys = {}, {}
    for weight in (0.0, 2.0):
        name = f"anon-{sid}-{weight}"
        sh = make_shop(engine, embedder, tmp_path, name, FEED | {"search_bestseller_anonymous": weight})
        try:
            for i in range(30):
                buy(sh, f"c{i}", [engine.products[staple].id, engine.products[100 + i].id], 60)
            buy(sh, "me", [engine.products[50].id], 10)
            sh.record("visitor", [{"type": "view", "product_id": engine.products[7].id, "ts": time.time()}])
            hits = search_as(sh, engine, sid, q)
            got = [h.row for h in hits]
            assert staple in got
            ranks[weight], whys[weight] = got.index(staple), hits[got.index(staple)].why
            # "me" has purchases: the anonymous weight is not theirs (search_bestseller is 0 here)
            mine = search_as(sh, engine, "me", q)
            assert not any("of the shop's customers" in w for h in mine for w in h.why)
        finally:
            sh.close()
    assert ranks[2.0] == 0 < ranks[0.0]
    assert "bought by 30 of the shop's customers" in whys[2.0]
    assert not any("of the shop's customers" in w for w in whys[0.0])


def test_best_sellers_are_neutral_in_a_shop_without_purchases(engine, embedder, tmp_path):
    """The bundled demo catalogs have no purchase history: the signal is absent and the ranking unchanged."""
    runs = {}
    for weight in (0.0, 4.0):
        sh = make_shop(engine, embedder, tmp_path, f"empty-{weight}", FEED | {"search_bestseller_anonymous": weight})
        try:
            sh.record("visitor", [{"type": "view", "product_id": engine.products[7].id, "ts": time.time()}])
            assert signals(sh, engine, None, {}).bestseller is None
            runs[weight] = [
                [(h.row, round(h.score, 9), tuple(h.why)) for h in search_as(sh, engine, sid, q)]
                for sid in (None, "visitor")
                for q in (engine.products[r].title.split()[-1] for r in (20, 30, 50))
            ]
        finally:
            sh.close()
    assert runs[0.0] == runs[4.0] and all(runs[0.0])
