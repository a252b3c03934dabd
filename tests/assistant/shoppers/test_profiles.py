"""Pure profile math, blending weights, reranking reasons and nudge rules (no I/O)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from assistant.errors import BadInput
from assistant.shoppers.nudges import NudgeRules, evaluate_nudges
from assistant.shoppers.personalize import (
    Signals,
    Weights,
    blend_weight,
    estimate_new_popularity,
    query_specificity,
    reasons,
    score,
)
from assistant.shoppers.profiles import EVENT_WEIGHTS, ItemMeta, Profile
from assistant.shoppers.store import Event, validate_events

DAY = 86400.0


def unit(v):
    v = np.asarray(v, np.float64)
    return (v / np.linalg.norm(v)).astype(np.float32)


def brute_force(events, half_life, now):
    """The definition: decayed, type-weighted mean of item vectors, normalised."""
    s = np.zeros(3)
    for etype, ts, vec in events:
        s += EVENT_WEIGHTS[etype] * 0.5 ** ((now - ts) / half_life) * vec
    return s / np.linalg.norm(s)


def test_incremental_vector_equals_definition_in_any_order():
    rng = np.random.default_rng(0)
    evs = [
        (
            rng.choice(["view", "click", "add_to_cart", "purchase", "dismiss"]),
            float(rng.uniform(0, 30 * DAY)),
            unit(rng.normal(size=3)),
        )
        for _ in range(40)
    ]
    prof = Profile(half_life_s=7 * DAY, dim=3)
    for i, (etype, ts, vec) in enumerate(reversed(evs)):  # out of order on purpose
        prof.add(etype, ts, f"p{i}", vec)
    want = brute_force(evs, 7 * DAY, now=30 * DAY)
    assert np.allclose(prof.vector(), want, atol=1e-5)


def test_the_item_behind_a_match_follows_every_event_though_the_items_are_stacked_once_per_event():
    a, b, c = unit([1, 0, 0]), unit([0, 1, 0]), unit([0.6, 0.8, 0])
    prof = Profile(half_life_s=DAY, dim=3)
    prof.add("view", 0.0, "a", a)
    prof.add("view", 0.0, "b", b)
    cand = np.stack([unit([0.9, 0.1, 0]), unit([0.1, 0.9, 0])])
    ids, best, share = prof.explain_rows(cand)
    assert [ids[i] for i in best] == ["a", "b"]
    assert prof.explain_rows(cand)[2].tolist() == share.tolist()  # read again: the same answer
    prof.add("purchase", 0.0, "b", b)  # b weighs more: its share grows
    ids, best, again = prof.explain_rows(cand)
    assert [ids[i] for i in best] == ["a", "b"] and again[1] > share[1]
    prof.add("purchase", 0.0, "c", c)  # a new item, nearer the first candidate than a once weighted
    ids, best, _ = prof.explain_rows(np.stack([unit([0.6, 0.8, 0])]))
    assert ids[best[0]] == "c"
    stacked = np.stack([prof.items[i].vec for i in ids])
    want = (cand @ stacked.T) * (np.array([prof.items[i].weight for i in ids]) / np.linalg.norm(prof.s))
    assert prof.explain_rows(cand)[2].tolist() == want.max(axis=1).tolist()  # what it is worked out from scratch


def test_recency_and_type_weights_and_dismiss_push_away():
    a, b = unit([1, 0, 0]), unit([0, 1, 0])
    prof = Profile(half_life_s=DAY, dim=3)
    prof.add("view", 0.0, "a", a)
    prof.add("view", 3 * DAY, "b", b)  # newer view wins
    assert prof.vector()[1] > prof.vector()[0]
    prof2 = Profile(half_life_s=DAY, dim=3)
    prof2.add("view", 0.0, "b", b)
    prof2.add("purchase", 0.0, "a", a)  # a purchase outweighs a view at the same time
    assert prof2.vector()[0] > prof2.vector()[1]
    prof3 = Profile(half_life_s=DAY, dim=3)
    prof3.add("view", 0.0, "a", a)
    prof3.add("dismiss", 0.0, "c", unit([1, 1, 0]))
    assert prof3.vector()[1] < 0 and "c" in prof3.dismissed


def test_rebase_keeps_direction_over_long_spans():
    prof = Profile(half_life_s=60.0, dim=3)
    prof.add("view", 0.0, "a", unit([1, 0, 0]))
    prof.add("view", 60.0 * 400, "b", unit([0, 1, 0]))  # 400 half-lives later: forces a rebase
    v = prof.vector()
    assert np.isfinite(v).all() and v[1] > 0.99


def test_learned_preferences_and_lists():
    prof = Profile(half_life_s=DAY, dim=3)
    for i, price in enumerate([900, 1000, 1100]):
        prof.add(
            "click",
            10.0 + i,
            f"p{i}",
            unit([1, i, 0]),
            ItemMeta(f"Shoe {i}", "blue", "Asics", "men", "Footwear > Men's Footwear", "Shoes", price),
            context={"size": "42"},
        )
    prof.add(
        "add_to_cart",
        20.0,
        "p1",
        unit([1, 1, 0]),
        ItemMeta("Shoe 1", "blue", "Asics", price=1000),
        context={"size": "42"},
    )
    prefs = prof.learned_preferences()
    assert prefs["colours"] == ["blue"] and prefs["brands"] == ["Asics"] and prefs["gender"] == "men"
    lo, hi = prefs["price_band"]
    assert lo < 900 < 1100 < hi < 2000
    assert prefs["sizes"] == ["42"]
    assert list(prof.cart) == ["p1"]
    prof.add("purchase", 30.0, "p1", unit([1, 1, 0]))
    assert not prof.cart and "p1" in prof.purchased
    # worked out once per version of the profile: the next events still change them, a caller's edit does not
    prefs = prof.learned_preferences()
    prefs["colours"].append("pink")
    assert prof.learned_preferences()["colours"] == ["blue"]
    for i in range(6):
        prof.add("click", 40.0 + i, f"r{i}", unit([0, 1, i]), ItemMeta(f"Shoe r{i}", "red", "Nike", price=1000))
    assert prof.learned_preferences()["colours"][0] == "red"  # now the most chosen colour
    assert "colours" not in prof.learned_preferences(0.9)  # another threshold, its own answer


def test_basket_version_moves_with_purchases_and_the_cart_only():
    """The purchase terms are cached on it: a view must not invalidate them, a cart or purchase event must."""
    a, b = Profile(half_life_s=DAY, dim=3), Profile(half_life_s=DAY, dim=3)
    for p in (a, b):
        p.add("purchase", 1.0, "p1", unit([1, 0, 0]))
    assert a.basket_version != b.basket_version  # same events, two objects (a rebuild): never the same stamp
    seen = {a.basket_version}
    for etype in ("view", "click", "wishlist", "dismiss", "search"):
        a.add(etype, 2.0, None if etype == "search" else "p2", unit([0, 1, 0]), query="mug")
        assert a.basket_version in seen
    for etype in ("add_to_cart", "remove_from_cart", "purchase"):
        version = a.version
        a.add(etype, 3.0, "p2", unit([0, 1, 0]))
        assert a.basket_version not in seen and a.version == version + 1
        seen.add(a.basket_version)
    a.add_list_only("add_to_cart", 4.0, "p3")  # kept without consent: the cart still changed
    assert a.basket_version not in seen and list(a.cart) == ["p3"]


def test_specificity_shrinks_the_blend_weight():
    vague, precise = query_specificity("shoes", 0), query_specificity("nike air max 90 size 42", 0)
    assert vague == 0.0 and precise > 0.8
    w = Weights()
    assert blend_weight(vague, w) > blend_weight(precise, w) > 0
    assert query_specificity("", 0) == 0.0
    assert query_specificity("shoes", 2) > query_specificity("shoes", 0)


class P:  # the few product fields the reranker reads
    def __init__(self, colour=None, brand=None, price=None, id="?"):
        self.colour, self.brand, self.price, self.id = colour, brand, price, id
        self.category_path, self.currency = "", "INR"


def test_reranker_contributions_and_reasons_come_from_the_scores():
    vectors = np.stack([unit([1, 0, 0]), unit([0, 1, 0]), unit([0.9, 0.1, 0]), unit([0, 0, 1])])
    products = [P("blue", "Asics", 1000), P("red", "Puma", 5000), P("blue", "Nike", 900), P("black", None, 300)]
    prof = Profile(half_life_s=DAY, dim=3)
    prof.add("view", 0.0, "x", vectors[0], ItemMeta("Blue Running Shoes", "blue", "Asics", price=1000))
    sig = Signals(profile=prof, prefs=prof.learned_preferences(), now=DAY, drop_rows=frozenset({3}))
    rows = np.arange(4)
    base = np.array([0.03, 0.032, 0.029, 0.031])  # the red item leads on relevance alone
    total, c = score(rows, base, vectors, products, sig, w=0.6, weights=Weights())
    assert np.argmax(total) in (0, 2) and total[3] == -np.inf
    assert np.allclose(total[:3], (c.relevance + c.affinity + c.taste + c.segment + c.popularity + c.context)[:3])
    why = reasons(rows, c, vectors, products, sig, Weights())
    assert any("Blue Running Shoes you viewed" in r for r in why[2])
    assert any("price range" in r for r in why[2]) and not any("price range" in r for r in why[1])
    # w = 0 (no consent): nothing personal moves any score
    total0, _c0 = score(rows, base, vectors, products, Signals(now=DAY), w=0.0, weights=Weights())
    assert np.allclose(total0, base / base.max())


def test_new_products_borrow_popularity_from_similar_ones():
    vectors = np.stack([unit([1, 0, 0]), unit([0.95, 0.05, 0]), unit([0, 0, 1])])
    pop = np.array([1.0, 0.0, 0.0])
    est = estimate_new_popularity(np.arange(3), vectors, pop)
    assert est[0] == 1.0 and 0.4 < est[1] < 0.5 and est[2] == 0.0


def known(pid):
    return pid in {"p1", "p2"}


def test_event_validation_rejects_with_reasons():
    ok = validate_events(
        [{"type": "view", "product_id": "p1"}, {"type": "search", "query": " red  shoes "}],
        known,
        now=1000.0,
        max_batch=10,
        max_future_s=60,
        max_age_s=DAY,
    )
    assert [e.type for e in ok] == ["view", "search"] and ok[1].query == "red shoes" and ok[0].ts == 1000.0
    bad = [
        ({"type": "teleport", "product_id": "p1"}, "unknown"),
        ({"type": "view", "product_id": "zz"}, "catalog"),
        ({"type": "view"}, "needs a product_id"),
        ({"type": "view", "product_id": "p1", "ts": 5000}, "future"),
        ({"type": "view", "product_id": "p1", "ts": "yesterday"}, "ISO"),
        ({"type": "view", "product_id": "p1", "context": {"gps": "1,2"}}, "unknown keys"),
        ({"type": "search", "query": ""}, "non-empty"),
        ({"type": "view", "product_id": "p1", "x": 1}, "unknown"),
    ]
    for ev, reason in bad:
        with pytest.raises(BadInput, match=reason):
            validate_events([{"type": "view", "product_id": "p2"}, ev], known, 1000.0, 10, 60, DAY)
    with pytest.raises(BadInput, match="over the limit"):
        validate_events([{"type": "view", "product_id": "p1"}] * 11, known, 1000.0, 10, 60, DAY)


class Prod:
    def __init__(self, title, in_stock=True):
        self.title, self.in_stock = title, in_stock


def test_nudge_rules():
    rules = NudgeRules.load(None)
    catalog = {"p1": Prod("Blue Shoes"), "p2": Prod("Red Bag", in_stock=False)}
    prof = Profile(half_life_s=DAY, dim=3)
    counts: Counter = Counter()
    out = []
    for i in range(3):
        ev = Event("view", 100.0 + i, "p1")
        prof.add(ev.type, ev.ts, ev.product_id, unit([1, 0, 0]))
        out = evaluate_nudges(rules, prof, [ev], counts, 103.0, catalog.get)
        if i < 2:
            assert out == []
    assert out[0]["rule"] == "repeated_views" and "3 times" in out[0]["why"] and "SHOPMATE10" in out[0]["message"]
    counts["repeated_views"] = rules.rules["repeated_views"]["max_per_shopper"]  # capped
    prof.add("view", 200.0, "p1", unit([1, 0, 0]))
    assert evaluate_nudges(rules, prof, [Event("view", 200.0, "p1")], counts, 200.0, catalog.get) == []
    # abandoned cart: an event 31 minutes after the last add, no purchase
    prof.add("add_to_cart", 1000.0, "p1", unit([1, 0, 0]))
    later = Event("view", 1000.0 + 31 * 60, "p1")
    out = evaluate_nudges(rules, prof, [later], counts, later.ts, catalog.get)
    assert [n["rule"] for n in out] == ["abandoned_cart"] and "31 minutes" in out[0]["why"]
    # restock of a wishlisted item
    prof.add("wishlist", 2000.0, "p2", unit([0, 1, 0]))
    assert evaluate_nudges(rules, prof, [Event("wishlist", 2000.0, "p2")], counts, 2000.0, catalog.get) == []
    catalog["p2"].in_stock = True
    out = evaluate_nudges(rules, prof, [Event("view", 2001.0, "p1")], counts, 2001.0, catalog.get)
    assert [n["rule"] for n in out] == ["restock"] and "Red Bag" in out[0]["message"]


@pytest.mark.parametrize("seed", range(4))
def test_lazy_reranker_reasons_equal_the_reasons_of_every_top_candidate(seed):
    # the reranker works reasons out only for the candidates asked for; each must be what explaining all of
    # the top max_reasons candidates at once gives (the definition), and the others have none
    from assistant.shoppers.personalize import Contributions, make_reranker

    rng = np.random.default_rng(seed)
    n, dim = 60, 3
    vectors = np.stack([unit(rng.normal(size=dim)) for _ in range(n)])
    colours, brands = ["blue", "red", "black"], ["Asics", "Puma", None]
    products = [P(colours[i % 3], brands[i % 3], float(rng.integers(100, 3000)), id=f"p{i}") for i in range(n)]
    prof = Profile(half_life_s=DAY, dim=dim)
    for i in rng.choice(n, 4, replace=False).tolist():
        meta = ItemMeta(f"item {i}", products[i].colour, products[i].brand, price=products[i].price)
        prof.add("view", 0.0, products[i].id, vectors[i], meta)
    pop = np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    sig = Signals(profile=prof, prefs=prof.learned_preferences(), popularity=pop, now=DAY, drop_rows=frozenset({5}))
    rows = rng.permutation(n)[:40]
    base = rng.random(40) * 0.03
    weights, top_n = Weights(), 15
    total, lazy = make_reranker(vectors, products, sig, 0.6, weights, max_reasons=top_n)(rows, base)
    want_total, c = score(rows, base, vectors, products, sig, 0.6, weights)
    assert total.tolist() == want_total.tolist()
    top = np.argsort(-total, kind="stable")[:top_n]
    sub = Contributions(*(getattr(c, f)[top] for f in Contributions.__dataclass_fields__))
    mid = float(np.median(c.popularity))
    eager = dict(zip(top.tolist(), reasons(rows[top], sub, vectors, products, sig, weights, mid), strict=True))
    asked = rng.permutation(len(rows)).tolist()
    assert [lazy[i] for i in asked[:7]] == [eager.get(i, []) for i in asked[:7]]  # one at a time, any order
    assert list(lazy) == [eager.get(i, []) for i in range(len(rows))]  # and all at once
    assert len(lazy) == len(rows) and lazy[-1] == eager.get(len(rows) - 1, [])
    assert any(eager.values())  # the case explains something


def test_median_equals_numpys_to_the_last_bit():
    from assistant.shoppers.personalize import median

    rng = np.random.default_rng(3)
    for n in [*range(1, 40), 271, 272]:
        for x in (rng.random(n), np.round(rng.random(n), 1), np.where(rng.random(n) < 0.7, 0.0, rng.random(n))):
            assert median(x) == float(np.median(x)), (n, x)
