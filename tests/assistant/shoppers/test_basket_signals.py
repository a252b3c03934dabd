"""The next-basket signals fitted on the real log's validation split, each through the real SQLite store:
how widely the shop buys a shopper's one-off purchases (orders them), the fitted repeat decay (a plain count
at half-life 0), and co-purchase in a search measured on the query's own candidates."""

from __future__ import annotations

import time

import numpy as np
import pytest

from assistant.shoppers.recommend import personalize_for, recommendations, signals
from tests.assistant.shoppers.shop import buy, make_shop

FEED = {"profile": 0.0, "repeat": 0.5, "together": 0.0, "segment": 0.0}


def feed_order(sh, engine, sid, k=10):
    got = recommendations(sh, engine, sid, {}, k)
    return [engine.products[it["row"]].id for it in got], {engine.products[it["row"]].id: it for it in got}


def widely_bought_history(sh, engine):
    """`wide` is bought (twice) by 30 customers two months ago; `narrow` (twice) by 5 customers in the last days
    (so it is the more popular one now); "me" bought both once, two days ago."""
    wide, narrow = (engine.products[r].id for r in (20, 30))
    fillers = [engine.products[r].id for r in range(100, 140)]
    for i in range(30):
        buy(sh, f"c{i}", [wide, fillers[i]], 60)
        buy(sh, f"c{i}", [wide], 50)
    for i in range(5):
        buy(sh, f"n{i}", [narrow, fillers[30 + i]], 4)
        buy(sh, f"n{i}", [narrow], 1)
    buy(sh, "me", [wide, narrow], 2)
    return wide, narrow


@pytest.mark.parametrize(
    ("rebuy", "feed_pop", "wide_first"),
    [(0.0, 1.0, False), (2.0, 1.0, True), (0.2, 1.0, False), (0.2, 0.3, True)],
)
def test_one_off_purchases_are_ordered_by_how_widely_the_shop_buys_them(
    engine, embedder, tmp_path, rebuy, feed_pop, wide_first
):
    """The shop-wide term against the feed's recent popularity: each weight moves the order of the shopper's two
    one-off purchases."""
    weights = FEED | {"rebuy": rebuy, "feed_popularity": feed_pop}
    sh = make_shop(engine, embedder, tmp_path, f"rebuy-{rebuy}-{feed_pop}", weights)
    try:
        wide, narrow = widely_bought_history(sh, engine)
        sig = signals(sh, engine, "me", {})
        rows = engine.index.id_to_row
        assert sig.rebuy is not None
        # distinct buyers / the shop's most-bought product: wide 31 of 31, narrow 6 of 31
        assert sig.rebuy[rows[wide]] == pytest.approx(1.0)
        assert sig.rebuy[rows[narrow]] == pytest.approx(6 / 31)
        assert sig.rebuy[rows[engine.products[100].id]] == 0.0  # not the shopper's: no term
        order, items = feed_order(sh, engine, "me")
        if wide_first:  # the shop-wide term outweighs the newer popularity of `narrow`
            assert order.index(wide) < order.index(narrow)
            assert items[wide]["section"] == "buy again"
            assert "you bought this before, and shoppers here often buy it again" in items[wide]["why"]
        else:  # popularity now decides between two items bought once on the same day
            assert order.index(narrow) < order.index(wide)
    finally:
        sh.close()


def test_fitted_half_life_zero_counts_old_and_new_purchases_alike(engine, embedder, tmp_path):
    old, new = (engine.products[r].id for r in (40, 41))
    fillers = [engine.products[r].id for r in range(100, 160)]
    repeat = {}
    for name, weights in (("decayed", None), ("count", FEED | {"repeat_half_life_days": 0.0})):
        sh = make_shop(engine, embedder, tmp_path, name, weights)
        try:
            for i in range(30):  # a shop that re-buys
                buy(sh, f"c{i}", [old, new, fillers[i]], 90)
                buy(sh, f"c{i}", [old, new, fillers[i + 30]], 80)
            buy(sh, "me", [old], 300)
            buy(sh, "me", [new], 1)
            sig = signals(sh, engine, "me", {})
            assert sig.repeat is not None
            rows = engine.index.id_to_row
            repeat[name] = (sig.repeat[rows[old]], sig.repeat[rows[new]])
        finally:
            sh.close()
    assert repeat["decayed"][0] < repeat["decayed"][1]  # default: a year's half-life
    assert repeat["count"][0] == pytest.approx(np.log(2.0)) and repeat["count"][1] == pytest.approx(np.log(2.0))


def test_copurchase_in_a_search_is_measured_on_the_query_candidates(engine, embedder, tmp_path):
    """The shopper's strongest co-purchase partner is outside the query; the query's own weaker partner still
    gets the full co-purchase term, with its reason."""
    sh = make_shop(engine, embedder, tmp_path, "tog", None)
    try:
        a, b = (engine.products[r].id for r in (7, 210))
        row_b = engine.index.id_to_row[b]
        q = engine.products[row_b].title.split()[-1].lower()
        cands = {h.row for h in engine.search(q, k=60).hits}  # what the search reranks
        n = len(engine.products)
        strong = next(r for r in range(n - 1, 0, -1) if r not in cands and q not in engine.products[r].title.lower())
        s = engine.products[strong].id
        fillers = [engine.products[r].id for r in range(100, 200)]
        for i in range(40):  # a and `strong` go together in 40 baskets; a and b in one
            buy(sh, f"c{i}", [a, s, fillers[i]], 40)
        buy(sh, "c99", [a, b, fillers[50]], 40)
        buy(sh, "me", [a], 3)
        sig = signals(sh, engine, "me", {})
        assert sig.together is not None and sig.together[row_b] < 0.3  # weak on the catalog's scale
        rows = np.array(sorted(cands), dtype=np.int64)
        base = np.linspace(1.0, 0.5, len(rows))
        with_tog = personalize_for(sh, engine, "me", {}, q, None, weight_changes={"search_together": 0.3})
        without = personalize_for(sh, engine, "me", {}, q, None, weight_changes={"search_together": 0.0})
        s1, why = with_tog(rows, base)
        s0, _ = without(rows, base)
        i = int(np.flatnonzero(rows == row_b)[0])
        # a one-word query: the history terms at full strength, so b gets the whole 0.3
        assert s1[i] - s0[i] == pytest.approx(0.3, abs=1e-6)
        assert f"often bought with {engine.products[7].title}" in why[i]
    finally:
        sh.close()


def test_price_range_reason_is_in_the_product_currency(engine):
    """The retail shop sells in GBP: its reasons must not show rupees."""
    from dataclasses import replace

    from assistant.shoppers.personalize import Signals, Weights, make_reranker

    rows = np.arange(20)
    products = [replace(p, currency="GBP", price=2.5) for p in engine.products[:20]]
    sig = Signals(prefs={"price_band": [1, 4]}, now=time.time())
    rr = make_reranker(engine.index.vectors[:20], products, sig, 0.6, Weights())
    _, why = rr(rows, np.full(len(rows), 1e-9))
    assert "matches your usual price range (£1–£4)" in why[0]
    assert not any("₹" in w for ws in why for w in ws)


@pytest.mark.parametrize(("search_profile", "explained"), [(0.0, False), (0.6, True)])
def test_search_applies_its_own_fitted_profile_weight(engine, embedder, tmp_path, search_profile, explained):
    """The feed's profile weight is fitted apart from search's: search_profile 0 keeps the profile out of search."""
    weights = {"profile": 0.6, "search_profile": search_profile}
    sh = make_shop(engine, embedder, tmp_path, f"sp-{search_profile}", weights)
    try:
        viewed = [engine.products[r].id for r in (20, 21, 22)]
        now = time.time()
        sh.record("me", [{"type": "view", "product_id": p, "ts": now - 60 * i} for i, p in enumerate(viewed)])
        q = engine.products[20].title.split()[-1].lower()
        hits = engine.search(q, k=20, rerank=personalize_for(sh, engine, "me", {}, q, None)).hits
        said = any("you viewed" in w for h in hits for w in h.why)
        assert said is explained
    finally:
        sh.close()
