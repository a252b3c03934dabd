"""Customers like you (user-kNN over baskets): learned with the shop's history, it moves the feed towards what the
customers who buy like the shopper buy, with its reason, and stays neutral at weight 0; through the real SQLite
store."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from assistant.settings import Settings
from assistant.shoppers.neighbours import Neighbours
from assistant.shoppers.recommend import personalize_for, recommendations, signals
from assistant.shoppers.service import Shoppers

DAY = 86400.0
FEED = {"profile": 0.0, "repeat": 0.5, "together": 0.0, "segment": 0.0, "rebuy": 0.0, "feed_popularity": 1.0}


def test_neighbours_are_the_customers_with_the_most_alike_baskets() -> None:
    baskets = [("me", [0, 1]), ("me", [0])]
    baskets += [(f"like{i}", [0, 1, 5]) for i in range(4)]  # buy what "me" buys, and row 5
    baskets += [(f"other{i}", [2, 3, 6]) for i in range(6)]  # nothing in common with "me"; row 6 is bought more
    nb = Neighbours.learn(baskets, 8, k=5)
    assert nb.k == 5
    got = nb.of("me", 8)
    assert got is not None
    score, buyers = got
    assert score.max() == pytest.approx(1.0)
    assert score[5] > 0 and score[6] == 0  # the unlike customers' favourite has no weight
    assert buyers[5] == 4 and buyers[6] == 0  # only neighbours with something in common are counted
    assert nb.of("stranger", 8) is None
    assert nb.of("me", 9) is None  # another catalog: not this history's rows
    assert Neighbours.learn([("a", [0]), ("b", [1])], 3).of("a", 3) is None  # two customers: no neighbours


def make_shop(engine, embedder, tmp_path, name: str, weights: dict) -> Shoppers:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"weights": weights}))
    settings = Settings.from_env(
        env={}, data_dir=tmp_path / name, segments_refresh_s=0, history_ttl_s=0, blend_weights=path
    )
    return Shoppers(settings, lambda: engine, embedder.encode_query)


def buy(sh, sid, pids, days_ago):
    ts = time.time() - days_ago * DAY
    sh.record(sid, [{"type": "purchase", "product_id": p, "ts": ts} for p in pids])


def shop(sh, engine):
    """Ten customers buy what "me" buys (a, b) and also `theirs`; twelve others buy `popular` with other things, so
    without neighbours `popular` outranks `theirs`."""
    a, b, theirs, popular = (engine.products[r].id for r in (10, 11, 40, 60))
    others = [engine.products[r].id for r in range(100, 112)]
    for i in range(10):
        buy(sh, f"like{i}", [a, b, theirs], 30)
    for i in range(12):
        buy(sh, f"other{i}", [popular, others[i]], 30)
    buy(sh, "me", [a, b], 20)
    return engine.index.id_to_row[theirs], engine.index.id_to_row[popular]


@pytest.mark.parametrize("weight", [0.0, 2.0])
def test_customers_like_you_move_the_feed_with_their_reason(engine, embedder, tmp_path, weight):
    sh = make_shop(engine, embedder, tmp_path, f"near-{weight}", FEED | {"neighbours": weight})
    try:
        theirs, popular = shop(sh, engine)
        sig = signals(sh, engine, "me", {})
        assert sig.neighbours is not None and sig.neighbour_buyers is not None
        assert sig.neighbours[theirs] == pytest.approx(1.0) and sig.neighbours[popular] == 0
        assert sig.neighbour_buyers[theirs] == 10
        got = recommendations(sh, engine, "me", {}, 10)
        order = [it["row"] for it in got]
        why = {it["row"]: it["why"] for it in got}
        assert theirs in order and popular in order
        if weight:
            assert order.index(theirs) < order.index(popular)
            assert "bought by 10 customers who shop like you" in why[theirs]
            assert next(it["section"] for it in got if it["row"] == theirs) == "customers like you buy"
        else:
            assert order.index(popular) < order.index(theirs)
            assert not any("shop like you" in w for ws in why.values() for w in ws)
        # a search keeps its own (unfitted: zero) strength of the signal: it reorders a query's candidates
        q = engine.products[theirs].title.split()[-1]
        hits = engine.search(q, k=50, rerank=personalize_for(sh, engine, "me", {}, q, None)).hits
        assert not any("shop like you" in w for h in hits for w in h.why)
    finally:
        sh.close()


def test_an_anonymous_visitor_has_no_neighbours(engine, embedder, tmp_path):
    sh = make_shop(engine, embedder, tmp_path, "anon", FEED | {"neighbours": 2.0})
    try:
        shop(sh, engine)
        assert signals(sh, engine, None, {}).neighbours is None
        assert np.all(np.isfinite([it["score"] for it in recommendations(sh, engine, None, {}, 10)]))
    finally:
        sh.close()


def test_a_shoppers_neighbour_row_read_off_the_sparse_arrays_equals_scipys_row():
    from scipy import sparse

    from assistant.shoppers.neighbours import _row

    m = sparse.random(40, 300, density=0.05, format="csr", random_state=19)
    every = np.arange(300)
    for i in range(40):
        dense = m[i].toarray().ravel()
        got = _row(m, i, 300)
        assert np.array_equal(np.asarray(got), dense) and np.array_equal(got[every], dense)
        assert got.nbytes < dense.nbytes  # the row's entries only, not the catalog
