"""Each purchase-history signal moves real results and says why: learned repeat rates (show again / hide),
basket co-purchase, the segment prior; through the real store, `recommendations` and the search reranker."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy import sparse

from assistant.shoppers.basket import HistoryCache, ShopHistory, baskets_of, copurchase_matrix, copurchase_pairs
from assistant.shoppers.profiles import Profile
from assistant.shoppers.rebuy import MIN_RATE, RepeatRates, purchase_terms
from assistant.shoppers.recommend import personalize_for
from assistant.shoppers.segments import silhouette
from tests.assistant.shoppers.shop import DAY, buy, feed, ids, make_shop


@pytest.fixture
def shop(engine, embedder, tmp_path):
    sh = make_shop(engine, embedder, tmp_path)
    yield sh
    sh.close()


def test_learned_repeat_rates_show_rebought_items_and_hide_one_off_purchases(shop, engine):
    again, once = ids(engine, 3, 40)
    fillers = ids(engine, *range(100, 160))
    for i in range(30):  # the shop's customers re-order `again`; `once` is bought once by each buyer
        buy(shop, f"c{i}", [again, once, fillers[i]], 60)
        buy(shop, f"c{i}", [again, fillers[i + 30]], 30)
    buy(shop, "me", [again, once], 20)
    buy(shop, "me", [again], 10)
    got = feed(shop, engine, "me", k=30)
    assert again in got and once not in got
    assert "you buy this regularly (2 times)" in got[again]["why"]
    assert got[again]["section"] == "buy again"
    # and the same signal lifts it in search, with its reason
    row = engine.index.id_to_row[again]
    q = engine.products[row].title.split()[-1]
    hits = engine.search(q, k=50, rerank=personalize_for(shop, engine, "me", {}, q, None)).hits
    anon = engine.search(q, k=50, rerank=personalize_for(shop, engine, None, {}, q, None)).hits
    mine = [h.row for h in hits]
    assert row in mine
    assert [h.row for h in anon].index(row) >= mine.index(row)
    assert any("you buy this regularly" in w for w in hits[mine.index(row)].why)


def test_one_off_shop_hides_after_purchase_instead_of_a_fixed_list(shop, engine):
    pids = ids(engine, *range(0, 80))
    for i in range(70):  # every product bought once per buyer: nothing is re-bought in this shop
        buy(shop, f"c{i}", [pids[i], pids[(i + 1) % 70]], 30)
    buy(shop, "me", [pids[5]], 5)
    got = feed(shop, engine, "me", k=40)
    assert pids[5] not in got


def test_copurchase_brings_the_basket_partner_with_its_reason(shop, engine):
    a, b = ids(engine, 7, 210)
    fillers = ids(engine, *range(120, 180))
    for i in range(25):
        buy(shop, f"c{i}", [a, b, fillers[i]], 40)
    buy(shop, "me", [a], 3)
    before = feed(shop, engine, "someone-new", k=40)
    got = feed(shop, engine, "me", k=10)
    assert b in got
    assert f"often bought with {engine.products[7].title}" in got[b]["why"]
    assert b not in before or before[b]["why"] != got[b]["why"]


def test_segment_prior_for_a_shopper_with_little_history(shop, engine):
    liked = ids(engine, 250)[0]
    buy(shop, "me", ids(engine, 11), 2)
    dim = engine.index.vectors.shape[1]
    centre = engine.index.vectors[11].astype(np.float32)
    seg = {
        "id": 0,
        "name": "regular small-basket buyers",
        "size": 40,
        "summary": {"top_categories": [], "top_products": [[liked, 0.9]]},
        "centroid": centre[:dim],
    }
    without = feed(shop, engine, "me", k=60)
    shop.set_segments({0: seg}, {"me": 0})
    got = feed(shop, engine, "me", k=60)
    assert liked in got
    assert "popular in your segment (regular small-basket buyers)" in got[liked]["why"]
    assert got[liked]["section"] == "popular in your segment"
    assert liked not in without or list(without).index(liked) > list(got).index(liked)


def test_baskets_and_copurchase_are_learned_from_rows():
    rows = [("s1", "a", 0.0), ("s1", "b", 10.0), ("s1", "a", 5 * DAY), ("s2", "a", 0.0), ("s2", "c", 0.0)]
    bs = baskets_of(rows)
    assert [(s, items) for s, _, items in bs] == [("s1", ["a", "b"]), ("s2", ["a", "c"]), ("s1", ["a"])]
    m = copurchase_matrix([[0, 1], [0, 2], [0]], 3).toarray()
    # n_ab / sqrt(n_a n_b), counted over baskets of 2+ items (a lone item pairs with nothing): 1 / sqrt(2 * 1)
    assert m[0, 1] == pytest.approx(1 / np.sqrt(2))
    assert m[1, 2] == 0
    hist = ShopHistory.learn(rows, {"a": 0, "b": 1, "c": 2}, ["", "", ""])
    assert hist.n_baskets == 3


def test_copurchase_of_weighted_anchors_and_the_anchor_behind_each_row():
    co = np.array(
        [
            [0.0, 0.5, 0.2, 0.0, 0.0],
            [0.5, 0.0, 0.2, 0.1, 0.0],
            [0.3, 0.4, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],  # bought with nothing
            [0.0, 0.0, 0.0, 0.0, 0.0],
        ],
        np.float32,
    )
    hist = ShopHistory(sparse.csr_matrix(co), RepeatRates(np.zeros(5), np.zeros(5)), 0)
    total, best = hist.together({1: 2.0, 0: 1.0, 3: 5.0}, 5)
    # sum over anchors of weight x similarity; the anchor behind a row is the one contributing most
    assert total.tolist() == pytest.approx([1.0, 0.5, 0.2 + 2 * 0.2, 2 * 0.1, 0.0])
    assert [best[r] for r in range(5)] == [1, 0, 1, 1, -1]
    # equal contributions: the anchor named first wins, whichever it is
    assert hist.together({1: 1.0, 0: 1.0}, 5)[1][2] == 1
    assert hist.together({0: 1.0, 1: 1.0}, 5)[1][2] == 0
    nothing, none = hist.together({}, 5)
    assert not nothing.any() and [none[r] for r in range(5)] == [-1] * 5
    # the rows a request explains, looked up at once: what each row gives on its own
    for anchors in ({1: 2.0, 0: 1.0, 3: 5.0}, {1: 1.0, 0: 1.0}, {0: 1.0, 1: 1.0}, {4: 1.0}, {}):
        best = hist.together(anchors, 5)[1]
        asked = np.array([2, 4, 0, 1, 3, 2])
        assert best[asked].tolist() == [best[int(r)] for r in asked]


def test_the_anchor_behind_each_row_is_the_strongest_contribution_on_random_histories():
    """Against the definition, row by row: the anchor a with the largest weight(a) x copurchase[a, row], ties to
    the anchor named first, -1 where no anchor scores the row."""
    rng = np.random.default_rng(7)
    for _ in range(30):
        n = int(rng.integers(2, 40))
        co = np.where(rng.random((n, n)) < 0.2, rng.integers(1, 4, (n, n)) / 4, 0.0).astype(np.float32)
        hist = ShopHistory(sparse.csr_matrix(co), RepeatRates(np.zeros(n), np.zeros(n)), 0)
        named = rng.permutation(n)[: int(rng.integers(0, n + 1))]
        anchors = {int(a): float(rng.integers(1, 3)) for a in named}
        _, best = hist.together(anchors, n)
        for row in range(n):
            contrib = [(w * float(co[a, row]), -i, a) for i, (a, w) in enumerate(anchors.items())]
            top = max(contrib, default=(0.0, 0, -1))
            assert best[row] == (top[2] if top[0] > 0 else -1)
        assert best[np.arange(n)].tolist() == [best[r] for r in range(n)]
        asked = rng.integers(0, n, int(rng.integers(1, 2 * n)))  # any rows, repeated, in any order
        assert best[asked].tolist() == [best[int(r)] for r in asked]
        # as a shopper's cached terms keep it (on the co-purchase term's rows): the same anchor for every row
        if anchors:
            ids = {str(a): a for a in anchors}
            bought_at = {str(a): [0.0] * int(w) for a, w in anchors.items()}  # weight: log(1 + times bought)
            t = purchase_terms(bought_at, {}, [], ids, n, 0.0, hist.rates, hist.together_of, bool, 0.0)
            kept = t.together_anchor
            assert kept is not None and kept[asked].tolist() == [kept[int(r)] for r in asked]
            again = hist.together({a: float(np.log1p(w)) for a, w in anchors.items()}, n)[1]
            assert [kept[r] for r in range(n)] == [again[r] for r in range(n)]


def test_repeat_rate_is_shrunk_to_the_shop_rate_and_gated():
    cats = ["x"] * 3
    # 60 buyers of row 0, half buy twice; row 1 bought once each by 60; row 2 by one buyer twice
    sb = [(f"a{i}", [0]) for i in range(60)] + [(f"a{i}", [0]) for i in range(30)]
    sb += [(f"b{i}", [1]) for i in range(60)] + [("z", [2]), ("z", [2])]
    r = RepeatRates.learn(sb, cats)
    assert r.learned
    assert r.rate[0] == pytest.approx((30 + 5 * r.by_category["x"]) / 65)
    assert r.rebought(0) and not r.rebought(1)
    assert r.rate[2] < 0.5  # one buyer is weak evidence: pulled towards the shop's rate
    assert r.rate[1] < MIN_RATE
    assert not RepeatRates.learn([("a", [0])], cats).learned


def test_silhouette_blocks_match_the_definition():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (40, 5)), rng.normal(6, 1, (30, 5))])
    lab = np.array([0] * 40 + [1] * 30)
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    want = []
    for i in range(len(x)):
        same = lab == lab[i]
        a = d[i, same].sum() / (same.sum() - 1)
        b = d[i, ~same].mean()
        want.append((b - a) / max(a, b))
    assert silhouette(x, lab, block=7) == pytest.approx(float(np.mean(want)), rel=1e-9)


def test_copurchase_pairs_count_once_per_basket():
    rows = [("s", "a", 0.0), ("s", "b", 60.0), ("s", "c", 3 * 3600.0), ("t", "b", 0.0), ("t", "a", 10.0)]
    # s's c came three hours later: another basket, so it pairs with nothing
    assert copurchase_pairs(rows) == [("a", "b", 2)]


def test_an_expired_history_is_served_while_one_background_thread_relearns_it(shop, engine):
    """Relearning reads every purchase (seconds in a real shop): a request after the expiry gets the last
    history at once, one thread relearns, and the next request after it sees the new purchases."""
    a, b = ids(engine, 3, 4)
    buy(shop, "c1", [a, b], 5)
    cache = HistoryCache(ttl_s=0.2)
    first = cache.get(shop.store, engine.index)  # the first learning is the caller's
    assert first.n_baskets == 1 and cache.relearned == 0
    buy(shop, "c2", [a, b], 1)
    assert cache.get(shop.store, engine.index) is first  # not expired yet
    time.sleep(0.25)
    served = [cache.get(shop.store, engine.index) for _ in range(5)]  # expired: no caller waits
    assert all(h is first for h in served)
    deadline = time.time() + 30
    while cache.relearned == 0 and time.time() < deadline:
        time.sleep(0.01)
    assert cache.relearned == 1  # five expired reads started one relearning
    fresh = cache.get(shop.store, engine.index)
    assert fresh is not first and fresh.n_baskets == 2


def test_the_purchase_terms_cache_is_bounded_by_bytes_and_drops_the_least_recent_shopper(engine, embedder, tmp_path):
    """Each cached shopper holds arrays over their own items and co-purchases (not catalog-sized ones): the cache
    keeps under its byte budget, and a dropped shopper's terms are computed again, equal to what they were."""
    from assistant.shoppers import recommend

    shop = make_shop(engine, embedder, tmp_path, "cached", history_ttl_s=300)
    try:
        a, b = ids(engine, 3, 4)
        for i in range(6):
            buy(shop, f"c{i}", [a, b], 5 + i)
        now = time.time()

        def profile(sid: str) -> Profile:
            prof = shop.profile(sid)
            assert prof is not None  # every one of them bought
            return prof

        first = recommend.terms_for(shop, engine, "c0", profile("c0"), now)
        per_shopper = recommend.terms_bytes(first)
        assert 0 < per_shopper < len(engine.products) * 8  # less than one catalog-sized float array
        assert recommend.warmer(shop).settle()  # the first learning queued the recent buyers: let that finish
        cache = recommend._TERMS[shop][1]
        held = cache.keys()  # this test fills the cache itself
        for sid in held[: held.index("c0")] + held[held.index("c0") + 1 :]:
            cache.pop(sid)
        cache.max_bytes = 3 * per_shopper
        for i in range(1, 6):
            t = recommend.terms_for(shop, engine, f"c{i}", profile(f"c{i}"), now)
            assert recommend.terms_bytes(t) == per_shopper  # the same purchases: the same arrays
        assert cache.keys() == ["c3", "c4", "c5"] and cache.bytes == 3 * per_shopper
        again = recommend.terms_for(shop, engine, "c0", profile("c0"), now)
        assert again is not first and again.bought == first.bought and (again.repeat is None) == (first.repeat is None)
        assert again.repeat is None or first.repeat is None or np.array_equal(again.repeat, first.repeat)
        assert cache.keys() == ["c4", "c5", "c0"] and cache.bytes == 3 * per_shopper
        c4 = shop.profile("c4")
        assert c4 is not None and recommend.terms_for(shop, engine, "c4", c4, now) is not None
        assert cache.keys() == ["c5", "c0", "c4"]  # a shopper served from the cache is the most recently used
    finally:
        shop.close()
