"""The purchase-history signals as a re-buying shop needs them: recency-weighted repeat counts, never hiding what
the shopper re-buys, co-purchase inside a search, per-profile caching that still sees the next event, stored
preferences that are malformed, the segment prior by lift and segment names from the segment's own data."""

from __future__ import annotations

import ast
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from assistant.shoppers import recommend
from assistant.shoppers.personalize import taste_prefs
from assistant.shoppers.profiles import Profile
from assistant.shoppers.rebuy import REPEAT_HALF_LIFE_DAYS, RepeatRates, purchase_terms
from assistant.shoppers.recommend import personalize_for, recommendations, segment_popularity, terms_for
from assistant.shoppers.segments import keywords, refresh, rfm_words, top_products
from assistant.shoppers.service import Shoppers
from assistant.shoppers.store import NewShopper
from tests.assistant.shoppers.shop import DAY, buy, feed, ids, make_shop


@pytest.fixture
def shop(engine, embedder, tmp_path):
    sh = make_shop(engine, embedder, tmp_path)
    yield sh
    sh.close()


def search_rows(sh, engine, sid, q):
    hits = engine.search(q, k=60, rerank=personalize_for(sh, engine, sid, {}, q, None)).hits
    return [h.row for h in hits], hits


def no_together(rows, weights, n):
    return np.zeros(n), np.full(n, -1)


def test_repeat_term_is_a_recency_weighted_count_on_one_scale_for_every_shopper():
    now = 1000 * DAY
    rates = RepeatRates(np.full(4, 0.5), np.full(4, 10.0), 0.5, True)
    bought_at = {"old": [now - 400 * DAY, now - 365 * DAY], "new": [now - 5 * DAY, now - 2 * DAY], "once": [now]}
    counts = {"old": 2, "new": 2, "once": 1}
    t = purchase_terms(bought_at, counts, [], {"old": 0, "new": 1, "once": 2}, 4, now, rates, no_together, bool)
    assert t.repeat is not None
    # same count, the recent purchases weigh more; a purchase today is log(2) for anyone (no per-shopper max)
    assert t.repeat[1] > t.repeat[0] > 0
    assert t.repeat[2] == pytest.approx(np.log(2.0))
    decayed = 0.5 ** (400 / REPEAT_HALF_LIFE_DAYS) + 0.5 ** (365 / REPEAT_HALF_LIFE_DAYS)
    assert t.repeat[0] == pytest.approx(np.log1p(decayed))
    assert t.bought == {0: 2, 1: 2, 2: 1} and t.repeat[3] == 0


def test_what_the_shopper_re_buys_is_never_hidden_even_in_a_one_off_shop(shop, engine):
    pids = ids(engine, *range(0, 80))
    for i in range(70):  # nothing is re-bought in this shop
        buy(shop, f"c{i}", [pids[i], pids[(i + 1) % 70]], 30)
    buy(shop, "me", [pids[5], pids[9]], 20)
    buy(shop, "me", [pids[5]], 5)
    got = feed(shop, engine, "me", k=60)
    assert pids[9] not in got  # bought once in a shop that does not re-buy: hidden
    assert pids[5] in got and "you buy this regularly (2 times)" in got[pids[5]]["why"]


def test_copurchase_lifts_the_partner_inside_a_search_with_its_reason(shop, engine):
    a, b = ids(engine, 7, 210)
    fillers = ids(engine, *range(120, 180))
    for i in range(25):
        buy(shop, f"c{i}", [a, b, fillers[i]], 40)
    buy(shop, "me", [a], 3)
    row_b = engine.index.id_to_row[b]
    q = engine.products[row_b].title.split()[-1]
    anon, _ = search_rows(shop, engine, None, q)
    mine, hits = search_rows(shop, engine, "me", q)
    assert row_b in mine and row_b in anon
    assert mine.index(row_b) <= anon.index(row_b)
    assert f"often bought with {engine.products[7].title}" in hits[mine.index(row_b)].why


def test_cached_purchase_terms_are_reused_until_the_next_event(engine, embedder, tmp_path):
    settings = Settings.from_env(env={}, data_dir=tmp_path / "s", segments_refresh_s=0, history_ttl_s=300)
    shop = Shoppers(settings, lambda: engine, embedder.encode_query)
    try:
        cached_terms_follow_events(shop, engine)
    finally:
        shop.close()


def cached_terms_follow_events(shop, engine):
    x, y = ids(engine, 3, 60)
    fillers = ids(engine, *range(100, 160))
    for i in range(30):  # the shop re-buys x and y
        buy(shop, f"c{i}", [x, y, fillers[i]], 60)
        buy(shop, f"c{i}", [x, y, fillers[i + 30]], 30)
    buy(shop, "me", [x], 10)
    prof = shop.profile("me")
    now = shop.now()
    first = terms_for(shop, engine, "me", prof, now)
    assert terms_for(shop, engine, "me", prof, now) is first  # same purchases and cart: no recomputation
    shop.record("me", [{"type": t, "product_id": y} for t in ("view", "click")] + [{"type": "search", "query": "mug"}])
    assert terms_for(shop, engine, "me", shop.profile("me"), shop.now()) is first  # browsing changes no purchase
    row_y = engine.index.id_to_row[y]
    q = engine.products[row_y].title.split()[-1]
    _, before = search_rows(shop, engine, "me", q)
    assert not any("you bought this" in w for h in before if h.row == row_y for w in h.why)
    buy(shop, "me", [y], 1)  # the very next request sees it
    assert terms_for(shop, engine, "me", shop.profile("me"), shop.now()) is not first
    mine, hits = search_rows(shop, engine, "me", q)
    assert row_y in mine
    assert any("you bought this before" in w for w in hits[mine.index(row_y)].why)
    with_y = terms_for(shop, engine, "me", shop.profile("me"), shop.now())
    assert with_y.repeat is not None and with_y.repeat[row_y] > 0
    z = ids(engine, 90)[0]
    shop.record("me", [{"type": "add_to_cart", "product_id": z}])  # the cart is an anchor of co-purchase too
    assert terms_for(shop, engine, "me", shop.profile("me"), shop.now()) is not with_y


def test_the_basket_is_read_when_recorded_kept_over_a_relearned_history_and_gives_the_terms_computed_whole(
    shop, engine
):
    """The shop fixture relearns its history on every request. A purchase or cart event works out the shopper's basket
    (rows, purchase times, cart) when recorded; a request reuses it with the new history, and its terms are those
    computed from scratch from the profile."""
    x, y, z = ids(engine, 3, 60, 90)
    fillers = ids(engine, *range(100, 160))
    for i in range(30):  # the shop re-buys x, buys y with it
        buy(shop, f"c{i}", [x, y, fillers[i]], 60)
        buy(shop, f"c{i}", [x, fillers[i + 30]], 30)
    buy(shop, "me", [x, y], 20)
    buy(shop, "me", [x, fillers[0]], 5)
    shop.record("me", [{"type": "add_to_cart", "product_id": p} for p in (z, x)])
    basket = shop.basket("me", engine.index)
    assert shop.basket("me", engine.index) is basket  # worked out by the event, not by this call
    row = engine.index.id_to_row
    assert basket.rows.tolist() == [row[x], row[y], row[fillers[0]]] and basket.times_bought.tolist() == [2, 1, 1]
    assert basket.cart.tolist() == [row[z], row[x]]
    shop.record("me", [{"type": "view", "product_id": y}])
    assert shop.basket("me", engine.index) is basket  # browsing leaves it
    prof, now = shop.profile("me"), shop.now()
    assert prof is not None
    first = terms_for(shop, engine, "me", prof, now)
    hist = recommend._TERMS[shop][0]
    again = terms_for(shop, engine, "me", prof, now)
    assert recommend._TERMS[shop][0] is not hist  # relearned
    assert shop.basket("me", engine.index) is basket  # kept
    hist = recommend._TERMS[shop][0]
    half_life = recommend.weights_for(shop, prof.n_baskets()).repeat_half_life_days
    bought_at = {p: list(t) for p, t in prof.bought_at.items()}
    whole = purchase_terms(
        bought_at,
        dict(prof.bought),
        list(prof.cart),
        row,
        len(engine.products),
        now,
        hist.rates,
        hist.together_of,
        bool,
        half_life,
    )
    every = np.arange(len(engine.products))
    for t in (first, again):
        assert t.repeat is not None and whole.repeat is not None and np.array_equal(t.repeat, whole.repeat)
        assert t.together is not None and whole.together is not None and np.array_equal(t.together, whole.together)
        assert t.bought == whole.bought and t.hidden == whole.hidden
        assert t.rebuy is not None and whole.rebuy is not None and np.array_equal(t.rebuy, whole.rebuy)
        assert t.together_anchor is not None and whole.together_anchor is not None
        assert np.array_equal(t.together_anchor[every], whole.together_anchor[every])
    assert whole.repeat is not None and whole.repeat[row[x]] > 0  # the terms say something
    assert whole.together is not None and whole.together[row[y]] > 0
    buy(shop, "me", [z], 0)  # a purchase: a new basket, z bought and out of the cart
    after = shop.basket("me", engine.index)
    assert after is not basket and row[z] in after.rows.tolist() and after.cart.tolist() == [row[x]]
    assert "me" in recommend._TERMS[shop][1]
    shop.erase("me")  # an erased shopper's purchases are not kept in memory either, nor the terms made of them
    assert "me" not in recommend._TERMS[shop][1]
    assert "me" not in shop.state.baskets and not len(shop.basket("me", engine.index).rows)


def test_a_cart_row_is_an_anchor_weighing_one_more_than_its_purchases():
    rates = RepeatRates(np.full(4, 0.5), np.full(4, 10.0), 0.5, True)
    got: list[tuple[list[int], list[float]]] = []

    def together(rows, weights, n):
        got.append((rows.tolist(), weights.tolist()))
        return np.zeros(n), np.full(n, -1)

    t = purchase_terms(
        {"a": [0.0], "b": [0.0]},
        {"a": 1, "b": 1},
        ["c", "b"],
        {"a": 2, "b": 0, "c": 3},
        4,
        0.0,
        rates,
        together,
        bool,
        0.0,
    )
    # bought rows first (in the order bought), each log(1 + times); then the cart rows not bought, 1 each
    assert got == [([2, 0, 3], [pytest.approx(np.log(2.0)), pytest.approx(np.log(2.0) + 1.0), 1.0])]
    assert t.together is None and t.bought == {2: 1, 0: 1}


def test_malformed_stored_preferences_count_as_absent(shop, engine):
    buy(shop, "me", ids(engine, 4), 2)
    bad = {"price_band": [None, None], "colours": "red", "brands": [None, 3]}
    shop.store.set_prefs(NewShopper("me", time.time(), True, True), bad)  # as an older version may have stored
    shop.rebuild()
    assert shop.preferences("me")["price_band"] == [None, None]
    assert taste_prefs(shop.preferences("me")) == {"colours": set(), "brands": set(), "price_band": None}
    rows, hits = search_rows(shop, engine, "me", "shirt")
    assert rows  # no TypeError from comparing a price with None
    assert not any("price range" in w or "a colour you" in w for h in hits for w in h.why)
    assert recommendations(shop, engine, "me", {}, 10)
    assert taste_prefs({"price_band": [5, "x"]})["price_band"] is None
    assert taste_prefs({"price_band": [9, 1]})["price_band"] is None
    assert taste_prefs({"price_band": [1, 9], "colours": ["Red"]}) == {
        "colours": {"red"},
        "brands": set(),
        "price_band": (1.0, 9.0),
    }


def test_recommend_reads_shoppers_only_through_public_methods(shop, engine):
    src = Path(recommend.__file__).read_text()
    private = [
        n.attr
        for n in ast.walk(ast.parse(src))
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "shoppers"
        if n.attr.startswith("_")
    ]
    assert private == []
    p = ids(engine, 12)[0]
    buy(shop, "me", [p, p], 1)
    basket = shop.basket("me", engine.index)
    assert basket.rows.tolist() == [engine.index.id_to_row[p]] and basket.times_bought.tolist() == [2]
    assert len(basket.times) == 2 and not len(basket.cart)
    pop = shop.popularity_vector(engine.index.id_to_row, len(engine.products), "desktop", shop.now())
    assert pop is not None and int(np.argmax(pop)) == engine.index.id_to_row[p]
    assert shop.embed("red shoes").shape == (engine.index.vectors.shape[1],)
    shop.set_consent("me", personalization=False, nudges=None)
    assert not len(shop.basket("me", engine.index).rows)


def test_segment_prior_weighs_what_the_segment_buys_more_than_everyone(engine):
    a, b = ids(engine, 1, 2)
    seg = {"summary": {"top_products": [[a, 0.9, 1.0], [b, 0.3, 4.0]]}}  # a: everyone buys it; b: this segment
    prior = segment_popularity(seg, engine.index)
    assert prior is not None
    assert prior[engine.index.id_to_row[b]] == pytest.approx(1.0)
    assert prior[engine.index.id_to_row[a]] == 0.0


def profile_buying(pids: list[str], times: int, hours: int) -> Profile:
    p = Profile(30 * DAY)
    for h in range(hours):
        for pid in pids[:times]:
            p.add_list_only("purchase", h * 3600.0 * 24, pid)
    return p


def test_segment_names_come_from_what_and_how_the_segment_buys():
    titles = {f"l{i}": f"Hanging Glass Lantern {i}" for i in range(5)}
    titles |= {f"b{i}": f"Lunch Bag Woodland {i}" for i in range(5)}
    lanterns = [profile_buying([f"l{i}" for i in range(5)], 5, 6) for _ in range(10)]
    bags = [profile_buying([f"b{i}" for i in range(5)], 5, 1) for _ in range(10)]
    everyone = lanterns + bags
    assert keywords(lanterns, everyone, titles)[:2] == ["glass", "hanging"] or "lantern" in keywords(
        lanterns, everyone, titles
    )
    assert "lantern" not in keywords(bags, everyone, titles) and keywords(bags, everyone, titles)
    assert lanterns[0].repeat_share() == pytest.approx(5 / 6) and bags[0].repeat_share() == 0.0
    rfm_l = np.array([[1.0, np.log1p(6), 5.0]] * 10)
    rfm_b = np.array([[1.0, np.log1p(1), 2.0]] * 10)
    both = np.concatenate([rfm_l, rfm_b])
    assert rfm_words(rfm_l, both, 5 / 6) == "frequent big-basket re-orderers"
    assert rfm_words(rfm_b, both, 0.0) == "occasional small-basket buyers"
    got = top_products(bags, Counter({f"b{i}": 10 for i in range(5)} | {f"l{i}": 10 for i in range(5)}), 20)
    assert {e[0] for e in got} == {f"b{i}" for i in range(5)} and all(e[2] > 1.0 for e in got)


def test_refreshed_segments_have_distinct_names_from_their_own_data(engine, embedder, tmp_path):
    settings = Settings.from_env(env={}, data_dir=tmp_path / "s", segments_refresh_s=0, history_ttl_s=0, segments_k=2)
    sh = Shoppers(settings, lambda: engine, embedder.encode_query)
    try:
        group_a, group_b = ids(engine, *range(0, 6)), ids(engine, *range(200, 206))
        for i in range(8):
            for d in (60, 30, 10):  # frequent re-orderers of group a
                buy(sh, f"a{i}", group_a, d)
            buy(sh, f"b{i}", [group_b[i % 6]], 20)  # one small order each
        segments = refresh(sh, engine)
        names = [s["name"] for s in segments.values()]
        assert len(names) == 2 and all(n.strip() for n in names) and len(set(names)) == 2
        for s in segments.values():
            top = s["summary"]["top_products"]
            assert top and all(len(e) == 3 for e in top)
    finally:
        sh.close()


def test_rebuy_bonus_puts_own_items_first_with_their_reason(engine):
    from assistant.shoppers.personalize import Signals, Weights, make_reranker

    rows = np.arange(40)
    pop = np.linspace(1.0, 0.0, len(engine.products))  # row 0 most popular
    own = np.zeros(len(engine.products))
    own[30] = np.log(2.0)  # bought once, today
    sig = Signals(popularity=pop, repeat=own, bought={30: 1}, now=time.time())
    base = np.full(len(rows), 1e-9)
    order = {}
    for bonus in (0.0, 2.0):
        rr = make_reranker(
            engine.index.vectors, engine.products, sig, 0.0, Weights(repeat=0.1, rebuy=bonus), 1.0, hist=1
        )
        scores, why = rr(rows, base)
        order[bonus] = list(rows[np.argsort(-scores, kind="stable")])
        if bonus:
            assert "you bought this before, and shoppers here often buy it again" in why[30]
    assert order[0.0].index(30) > 0 and order[2.0][0] == 30


def test_search_uses_its_own_fitted_purchase_weights(engine, embedder, tmp_path):
    weights = tmp_path / "blend.json"
    fitted = {"profile": 0.0, "repeat": 1.0, "rebuy": 2.0, "together": 0.0, "segment": 0.0}
    fitted |= {"search_profile": 0.0, "search_repeat": 0.0, "search_rebuy": 0.0, "search_together": 0.0}
    weights.write_text(json.dumps({"buckets": {"1": fitted}}))
    settings = Settings.from_env(
        env={}, data_dir=tmp_path / "s", segments_refresh_s=0, history_ttl_s=0, blend_weights=weights
    )
    sh = Shoppers(settings, lambda: engine, embedder.encode_query)
    try:
        x = ids(engine, 3)[0]
        fillers = ids(engine, *range(100, 160))
        for i in range(30):  # the shop re-buys x
            buy(sh, f"c{i}", [x, fillers[i]], 60)
            buy(sh, f"c{i}", [x, fillers[i + 30]], 30)
        buy(sh, "me", [x], 10)
        got = feed(sh, engine, "me", k=5)
        assert next(iter(got)) == x and got[x]["section"] == "buy again"  # the feed: own items first
        row = engine.index.id_to_row[x]
        _, hits = search_rows(sh, engine, "me", engine.products[row].title.split()[-1])
        assert not any("you bought" in w for h in hits for w in h.why)  # search: weight 0, no repeat term
    finally:
        sh.close()
